"""How an adapter's lineage pins its base: a release's SHA256SUMS, or the key files; the base's links."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from clearlm.tune.data import read_chat_jsonl
from clearlm.tune.lineage import LINEAGE_FORMAT, describe_base

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "chat" / "support.jsonl"


def test_a_release_folder_is_pinned_by_its_sha256sums(base_dir: Path, tmp_path: Path) -> None:
    release = shutil.copytree(base_dir, tmp_path / "release")
    (release / "SHA256SUMS").write_text("abc  model.safetensors\n")
    head = {"seq": 41, "row_hash": "f" * 64}
    (release / "lineage.json").write_text(json.dumps({"run_id": "run-7", "ledger_head": head}))
    base = describe_base(release)
    assert base["digest_of"] == "SHA256SUMS"
    assert base["digest"] == hashlib.sha256(b"abc  model.safetensors\n").hexdigest()
    assert (base["run_id"], base["ledger_head"]) == ("run-7", head)
    assert base["path"] == str(release.resolve())


def test_a_plain_folder_is_pinned_by_its_key_files(base_dir: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(base_dir, tmp_path / "copy")
    before = describe_base(folder)["digest"]
    assert describe_base(base_dir)["digest"] == before  # content, not location
    (folder / "tokenizer_config.json").write_text("{}")  # not one of the pinned files
    assert describe_base(folder)["digest"] == before
    weights = bytearray((folder / "model.safetensors").read_bytes())
    weights[-1] ^= 1
    (folder / "model.safetensors").write_bytes(bytes(weights))
    assert describe_base(folder)["digest"] != before


def test_a_merged_adapter_as_base_links_to_its_own_base(base_dir: Path, tmp_path: Path) -> None:
    merged = shutil.copytree(base_dir, tmp_path / "merged")
    inner = {"run_id": "run-1", "ledger_head": {"seq": 3, "row_hash": "a" * 64}}
    (merged / "lineage.json").write_text(json.dumps({"format": LINEAGE_FORMAT, "base": inner}))
    base = describe_base(merged)
    assert (base["run_id"], base["ledger_head"]) == (inner["run_id"], inner["ledger_head"])


def test_the_bundled_chat_set_is_valid() -> None:
    conversations = read_chat_jsonl(EXAMPLES)
    assert 40 <= len(conversations) <= 80
    assert len({c.example_id for c in conversations}) == len(conversations)
    assert sum(len(c.messages) > 3 for c in conversations) >= 10  # multi-turn ones
    assert all(c.messages[0]["role"] == "system" for c in conversations)
