"""The whole data pipeline on Ray: ingest, clear, curate and tokenize give the local run's tokens.

Every data stage runs its tasks through the executor chosen by `executor.kind`; tokenize also
trains the BPE and packs the shards on the driver. One workspace built with `kind = "ray"` and one
with the local executor must hold byte-identical token shards, index and tokenizer, and the same
manifest apart from the ledger head (ledger rows carry run ids and times).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearlm.pipeline.ray_executor import RayExecutor
from clearlm.runner import build_executor, run_stages
from tests.tokenize.corpus import make_config, make_corpus

ray = pytest.importorskip("ray", reason="Ray is optional: pip install 'ray[data]'")
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")]

DATA_STAGES = ["ingest", "clear", "curate", "tokenize"]


@pytest.fixture(scope="module")
def private_ray() -> Iterator[None]:
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=200 * 1024 * 1024)
    yield
    ray.shutdown()


def _tokens(ws: Path) -> tuple[dict[str, bytes], dict[str, object]]:
    files = {p.name: p.read_bytes() for p in sorted((ws / "tokens").iterdir()) if p.name != "manifest.json"}
    manifest = json.loads((ws / "tokens" / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("ledger_head")
    return files, manifest


def test_ray_and_local_data_stages_give_identical_tokens(
    private_ray: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    corpus = make_corpus(tmp_path, books=4, web=4)
    ray_config = make_config(corpus, "executor.kind=ray")
    assert isinstance(build_executor(ray_config), RayExecutor)
    local = run_stages(make_config(corpus), tmp_path / "local", DATA_STAGES)
    on_ray = run_stages(ray_config, tmp_path / "ray", DATA_STAGES)
    assert [r.stage for r in on_ray] == [r.stage for r in local]
    assert all(r.tasks_run > 0 and not r.skipped for r in on_ray)
    files, manifest = _tokens(tmp_path / "ray")
    want_files, want_manifest = _tokens(tmp_path / "local")
    assert files.keys() == want_files.keys() and any(name.startswith("shard-") for name in files)
    assert files == want_files
    assert manifest == want_manifest
