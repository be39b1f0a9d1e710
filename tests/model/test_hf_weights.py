"""HF folders in and out: config.json + model.safetensors, with readable errors for broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, safe_open, save_file

from clearlm.errors import InputError
from clearlm.model.config import LlamaConfig
from clearlm.model.hf_weights import load_hf_folder, save_safetensors, write_hf_folder
from clearlm.model.llama import Llama


def tiny_model(tied: bool, seed: int = 0) -> Llama:
    config = LlamaConfig(
        vocab_size=128, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=32, tie_embeddings=tied
    )
    model = Llama(config)
    model.init_weights(seed)
    return model


@pytest.mark.parametrize("tied", [True, False])
def test_write_then_load_gives_the_same_model(tmp_path: Path, tied: bool) -> None:
    model = tiny_model(tied)
    write_hf_folder(model, tmp_path, bos_id=0, eos_id=1, pad_id=2)
    loaded, config = load_hf_folder(tmp_path)
    assert config.tie_embeddings is tied
    assert config.hidden_dim == model.config.hidden_dim
    ids = torch.tensor([[3, 4, 5, 6]])
    with torch.no_grad():
        torch.testing.assert_close(loaded(ids), model(ids))
    stored = load_file(tmp_path / "model.safetensors")
    assert ("lm_head.weight" in stored) is not tied
    with safe_open(tmp_path / "model.safetensors", framework="pt") as handle:
        assert handle.metadata() == {"format": "pt"}
    hf = json.loads((tmp_path / "config.json").read_text())
    assert (hf["bos_token_id"], hf["eos_token_id"], hf["pad_token_id"]) == (0, 1, 2)


def test_saving_is_deterministic_and_takes_a_state_dict(tmp_path: Path) -> None:
    model = tiny_model(tied=True)
    save_safetensors(model, tmp_path / "a.safetensors")
    save_safetensors(model, tmp_path / "b.safetensors")
    # A plain state dict whose lm_head shares the embedding storage, as a tied HF model gives.
    state = dict(model.state_dict(), **{"lm_head.weight": model.model.embed_tokens.weight})
    save_safetensors(state, tmp_path / "c.safetensors")
    first = (tmp_path / "a.safetensors").read_bytes()
    assert first == (tmp_path / "b.safetensors").read_bytes() == (tmp_path / "c.safetensors").read_bytes()
    assert not list(tmp_path.glob(".tmp-*"))


def test_tied_checkpoint_with_an_lm_head_entry_loads(tmp_path: Path) -> None:
    model = tiny_model(tied=True)
    write_hf_folder(model, tmp_path, 0, 1, None)
    tensors = load_file(tmp_path / "model.safetensors")
    tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"].clone()  # some tools write it anyway
    save_file(tensors, tmp_path / "model.safetensors", metadata={"format": "pt"})
    loaded, _ = load_hf_folder(tmp_path)
    assert torch.equal(loaded.model.embed_tokens.weight, model.model.embed_tokens.weight)


def test_missing_or_corrupt_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"config\.json: missing"):
        load_hf_folder(tmp_path)
    write_hf_folder(tiny_model(tied=False), tmp_path, 0, 1, None)
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:200])
    with pytest.raises(InputError, match=r"model\.safetensors: unreadable"):
        load_hf_folder(tmp_path)
    weights.unlink()
    with pytest.raises(InputError, match=r"model\.safetensors: missing"):
        load_hf_folder(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(InputError, match=r"config\.json: unreadable"):
        load_hf_folder(tmp_path)


def test_weights_that_do_not_fit_the_config_are_refused(tmp_path: Path) -> None:
    write_hf_folder(tiny_model(tied=False), tmp_path, 0, 1, None)
    tensors = load_file(tmp_path / "model.safetensors")
    del tensors["lm_head.weight"]
    save_file(tensors, tmp_path / "model.safetensors")
    with pytest.raises(InputError, match=r"missing \['lm_head\.weight'\]"):
        load_hf_folder(tmp_path)
    tensors["lm_head.weight"] = torch.zeros(128, 16)
    save_file(tensors, tmp_path / "model.safetensors")
    with pytest.raises(InputError, match=r"lm_head\.weight has shape \[128, 16\]"):
        load_hf_folder(tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rope_scaling": {"rope_type": "linear", "factor": 2.0}}, "rope_scaling"),
        ({"attention_bias": True}, "biases"),
        ({"hidden_act": "gelu"}, "hidden_act"),
        ({"model_type": "mistral"}, "only 'llama'"),
        ({"num_key_value_heads": 3}, "multiple of model.n_kv_heads"),
    ],
)
def test_unsupported_configs_are_refused(tmp_path: Path, change: dict[str, object], message: str) -> None:
    write_hf_folder(tiny_model(tied=True), tmp_path, 0, 1, None)
    config = json.loads((tmp_path / "config.json").read_text()) | change
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match=message):
        load_hf_folder(tmp_path)
