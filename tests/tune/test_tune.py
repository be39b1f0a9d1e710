"""One real tuning run of a tiny base on a small repetitive chat set, and what it leaves on disk."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from clearlm.errors import ConfigError
from clearlm.model.hf_weights import load_hf_folder
from clearlm.train.metrics import read_metrics
from clearlm.tune.cli import register
from clearlm.tune.config import TuneConfig
from clearlm.tune.lineage import LINEAGE_FORMAT, read_private_ledger
from clearlm.tune.run import TuneResult, run_tune
from tests.tune.conftest import (
    SECRET_ANSWER,
    SECRET_SYSTEM,
    SECRET_USER,
    conversations,
    tree_digest,
    write_jsonl,
)

IDS = torch.tensor([[3, 40, 41, 42, 43, 4, 200, 3, 100, 101, 4]])


@dataclass
class Tuned:
    result: TuneResult
    data: Path
    config: TuneConfig
    base_before: dict[str, str]


@pytest.fixture(scope="module")
def tuned(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Tuned:
    root = tmp_path_factory.mktemp("tuned")
    data = write_jsonl(root / "chat.jsonl", conversations())
    before = tree_digest(base_dir)
    config = TuneConfig(steps=40, lr=1e-2, eval_every=10, checkpoint_every=20, threads=1)
    result = run_tune(base_dir, data, root / "adapter", config, merge=root / "merged")
    return Tuned(result, data, config, before)


def test_loss_falls_and_metrics_are_logged(tuned: Tuned) -> None:
    rows = read_metrics(tuned.result.adapter / "metrics.jsonl")
    assert [r["step"] for r in rows] == list(range(1, 41))
    losses = [r["loss"] for r in rows]
    assert sum(losses[-5:]) / 5 < losses[0] - 0.5
    assert [r["step"] for r in rows if "eval_loss" in r] == [10, 20, 30, 40]
    assert tuned.result.eval_loss == rows[-1]["eval_loss"]
    assert tuned.result.counts["eval"]["examples"] >= 1


def test_outputs_are_a_peft_adapter_with_checkpoints(tuned: Tuned, base_dir: Path) -> None:
    adapter = tuned.result.adapter
    names = {p.name for p in adapter.iterdir()}
    assert names == {
        "adapter_config.json",
        "adapter_model.safetensors",
        "lineage.json",
        "private-ledger.parquet",
        "metrics.jsonl",
        "checkpoints",
    }
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"], config["peft_type"]) == (8, 16, "LORA")
    assert set(config["target_modules"]) == set(TuneConfig().target_modules)
    assert config["base_model_name_or_path"] == str(base_dir.resolve())
    steps = sorted(p.name for p in (adapter / "checkpoints").iterdir())
    assert steps == ["step-000020", "step-000040"]
    assert {p.name for p in (adapter / "checkpoints" / "step-000040").iterdir()} == {
        "adapter_config.json",
        "adapter_model.safetensors",
        "optimizer.pt",
        "trainer_state.json",
    }


def test_lineage_pins_base_data_settings_and_ledger(tuned: Tuned, base_dir: Path) -> None:
    adapter = tuned.result.adapter
    lineage = json.loads((adapter / "lineage.json").read_text())
    assert lineage["format"] == LINEAGE_FORMAT
    base = lineage["base"]
    assert base["path"] == str(base_dir.resolve())
    sums = {n: hashlib.sha256((base_dir / n).read_bytes()).hexdigest() for n in base["digest_of"]}
    listing = "".join(f"{n}  {sums[n]}\n" for n in sorted(sums))
    assert base["digest_of"] == ["config.json", "model.safetensors", "tokenizer.json"]
    assert base["digest"] == hashlib.sha256(listing.encode()).hexdigest()
    assert base["run_id"] is None and base["ledger_head"] is None  # this base has no lineage.json
    ledger_bytes = (adapter / "private-ledger.parquet").read_bytes()
    assert lineage["private_ledger"]["sha256"] == hashlib.sha256(ledger_bytes).hexdigest()
    assert lineage["tune_config"] == tuned.config.to_dict()
    assert lineage["steps"] == 40
    assert lineage["data"]["sha256"] == hashlib.sha256(tuned.data.read_bytes()).hexdigest()
    assert (
        lineage["adapter"]["sha256"]
        == hashlib.sha256((adapter / "adapter_model.safetensors").read_bytes()).hexdigest()
    )
    assert lineage["code"]["clearlm"]
    assert lineage["counts"] == tuned.result.counts


def test_private_ledger_has_one_row_per_example_and_no_text(tuned: Tuned) -> None:
    rows = read_private_ledger(tuned.result.adapter / "private-ledger.parquet")
    lines = tuned.data.read_text().splitlines()
    assert [r["line"] for r in rows] == list(range(1, len(lines) + 1))
    for row, line in zip(rows, lines, strict=True):
        canonical = json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row["example_id"] == hashlib.sha256(canonical.encode()).hexdigest()
        assert (row["decision"], row["reasons"]) == ("allow", ["first-party"])
        assert 0 < row["n_assistant_tokens"] < row["n_tokens"]
        assert set(row) == {
            "example_id",
            "line",
            "split",
            "n_tokens",
            "n_assistant_tokens",
            "truncated",
            "decision",
            "reasons",
        }
    counts = tuned.result.counts
    for split in ("train", "eval"):
        chosen = [r for r in rows if r["split"] == split]
        assert len(chosen) == counts[split]["examples"]
        assert sum(r["n_tokens"] for r in chosen) == counts[split]["tokens"]
        assert sum(r["n_assistant_tokens"] for r in chosen) == counts[split]["assistant_tokens"]


def test_base_folder_is_untouched(tuned: Tuned, base_dir: Path) -> None:
    assert tree_digest(base_dir) == tuned.base_before


def test_no_private_text_in_any_output_file(tuned: Tuned) -> None:
    assert SECRET_ANSWER.encode() in tuned.data.read_bytes()  # the search below can find it
    outputs = [tuned.result.adapter, tuned.result.merged]
    files = [p for folder in outputs if folder for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        for secret in (SECRET_SYSTEM, SECRET_USER, SECRET_ANSWER, "Quillfeather", "7731-zebra"):
            assert secret.encode() not in data, f"{secret!r} found in {path}"


def test_merged_folder_gives_the_adapters_logits(tuned: Tuned, base_dir: Path) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    merged = tuned.result.merged
    assert merged is not None
    # from_pretrained returns models in eval mode.
    base = AutoModelForCausalLM.from_pretrained(base_dir, local_files_only=True, dtype=torch.float32)
    with torch.no_grad():
        base_logits = base(IDS).logits
        peft_logits = PeftModel.from_pretrained(base, tuned.result.adapter).eval()(input_ids=IDS).logits
        hf = AutoModelForCausalLM.from_pretrained(merged, local_files_only=True, dtype=torch.float32)
        ours, _ = load_hf_folder(merged)
        hf_logits, our_logits = hf(IDS).logits, ours(IDS)
    assert (peft_logits - base_logits).abs().max() > 1e-2  # the adapter changed the model
    torch.testing.assert_close(hf_logits, peft_logits, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(our_logits, peft_logits, atol=1e-4, rtol=1e-4)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        assert (merged / name).read_bytes() == (base_dir / name).read_bytes()
    assert json.loads((merged / "lineage.json").read_text())["format"] == LINEAGE_FORMAT


def test_clearlm_serve_merges_the_adapter_to_the_same_model(tuned: Tuned, base_dir: Path) -> None:
    from clearlm.serve.lora import merge_lora

    assert tuned.result.merged is not None
    served, _ = load_hf_folder(base_dir)
    assert len(merge_lora(served, tuned.result.adapter)) == 14  # 7 linear layers × 2 blocks
    merged, _ = load_hf_folder(tuned.result.merged)
    with torch.no_grad():
        torch.testing.assert_close(served(IDS), merged(IDS), atol=1e-5, rtol=1e-5)


def test_cli_tunes_and_prints_a_summary(base_dir: Path, chat_file: Path, tmp_path: Path) -> None:
    import click
    from rich.console import Console

    @click.group()
    def cli() -> None:
        pass

    console = Console(width=200, record=True, file=io.StringIO())
    register(cli, console)
    args = ["tune", str(base_dir), str(chat_file), "-o", str(tmp_path / "a"), "--steps", "3", "--rank", "4"]
    result = CliRunner().invoke(cli, [*args, "--set", "threads=1", "--set", "alpha=8", "--quiet"])
    assert result.exit_code == 0, result.output
    text = console.export_text()
    assert "steps" in text and str(tmp_path / "a") in text
    assert json.loads((tmp_path / "a" / "lineage.json").read_text())["tune_config"]["r"] == 4
    bad = CliRunner().invoke(cli, [*args, "--set", "rank=4"])
    assert isinstance(bad.exception, ConfigError)
