"""export_gguf: every tensor and hyper-parameter reads back, and transformers runs the file as our model."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import gguf
import numpy as np
import pytest
import torch
import transformers
from tokenizers import Tokenizer
from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

from clearlm.errors import InputError
from clearlm.export.gguf_file import (
    export_gguf,
    gguf_tensor_name,
    permute_for_llama_cpp,
    unpermute_from_llama_cpp,
)
from clearlm.export.hf_folder import export_hf_folder
from clearlm.model.llama import Llama

MakeCheckpoint = Callable[..., tuple[Path, Llama]]
IDS = torch.tensor([[0, 5, 77, 123, 300, 9, 42, 250, 17]])


@pytest.fixture
def make_hf_dir(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint
) -> Callable[..., tuple[Path, Llama]]:
    def make(*, tied: bool = True) -> tuple[Path, Llama]:
        checkpoint, model = make_checkpoint(tied=tied)
        return export_hf_folder(checkpoint, tokens_dir, tmp_path / "hf"), model

    return make


def field(reader: gguf.GGUFReader, key: str) -> object:
    return reader.fields[key].contents()


def transformers_model_from_gguf(path: Path) -> transformers.LlamaForCausalLM:
    """What `from_pretrained(gguf_file=...)` does for llama, without needing `accelerate` installed."""
    config = transformers.LlamaConfig(**load_gguf_checkpoint(str(path), return_tensors=False)["config"])
    model = transformers.LlamaForCausalLM(config).eval()
    tensors = load_gguf_checkpoint(str(path), return_tensors=True, model_to_load=model)["tensors"]
    result = model.load_state_dict(tensors, strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys == (["lm_head.weight"] if config.tie_word_embeddings else [])
    return model


def test_permutation_round_trips_and_interleaves_halves() -> None:
    weight = np.arange(2 * 8 * 3, dtype=np.float32).reshape(16, 3)  # 2 heads of width 8
    permuted = permute_for_llama_cpp(weight, n_heads=2)
    # head 0 rows go 0,4,1,5,2,6,3,7: dimension i next to its rotate_half partner i + 4
    assert permuted[:8, 0].tolist() == [0, 12, 3, 15, 6, 18, 9, 21]
    assert np.array_equal(unpermute_from_llama_cpp(permuted, n_heads=2), weight)


@pytest.mark.parametrize("tied", [True, False])
def test_tensors_and_metadata_read_back(
    tmp_path: Path, make_hf_dir: Callable[..., tuple[Path, Llama]], tied: bool
) -> None:
    hf_dir, model = make_hf_dir(tied=tied)
    path = export_gguf(hf_dir, tmp_path / "model.gguf", "f32", name="tiny", license="Apache-2.0")
    reader = gguf.GGUFReader(path)
    config = model.config
    expected = {
        "general.architecture": "llama",
        "general.name": "tiny",
        "general.license": "Apache-2.0",
        "general.file_type": int(gguf.LlamaFileType.ALL_F32),
        "llama.context_length": 64,
        "llama.embedding_length": 64,
        "llama.block_count": 2,
        "llama.feed_forward_length": config.hidden_dim,
        "llama.attention.head_count": 4,
        "llama.attention.head_count_kv": 2,
        "llama.rope.dimension_count": 16,
        "llama.vocab_size": 448,
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": "gpt-2",
        "tokenizer.ggml.bos_token_id": 0,
        "tokenizer.ggml.eos_token_id": 1,
        "tokenizer.ggml.padding_token_id": 2,
        "tokenizer.ggml.eot_token_id": 4,
        "tokenizer.ggml.add_bos_token": True,
    }
    assert {key: field(reader, key) for key in expected} == expected
    assert field(reader, "llama.rope.freq_base") == pytest.approx(config.rope_theta)
    assert field(reader, "llama.attention.layer_norm_rms_epsilon") == pytest.approx(config.norm_eps)

    tokenizer = json.loads((hf_dir / "tokenizer.json").read_text())
    tokens, types = field(reader, "tokenizer.ggml.tokens"), field(reader, "tokenizer.ggml.token_type")
    assert isinstance(tokens, list) and isinstance(types, list) and len(tokens) == len(types) == 448
    assert tokens[:5] == ["<|bos|>", "<|eos|>", "<|pad|>", "<|im_start|>", "<|im_end|>"]
    assert set(types[:5]) == {int(gguf.TokenType.CONTROL)}
    n_real = len(tokenizer["model"]["vocab"])
    assert tokens[n_real:] == [f"[PAD{i}]" for i in range(n_real, 448)]
    assert set(types[n_real:]) == {int(gguf.TokenType.UNUSED)}
    assert field(reader, "tokenizer.ggml.merges") == [" ".join(m) for m in tokenizer["model"]["merges"]]
    template = field(reader, "tokenizer.chat_template")
    assert isinstance(template, str) and "<|im_start|>" in template and "{% generation %}" not in template

    state = model.state_dict()
    assert sorted(t.name for t in reader.tensors) == sorted(gguf_tensor_name(k) for k in state)
    assert any(t.name == "output.weight" for t in reader.tensors) is not tied
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.n_layers)
    for key, tensor in state.items():
        assert name_map.get_name(key, try_suffixes=(".weight",)) == gguf_tensor_name(
            key
        )  # gguf-py's own table agrees
        stored = next(t for t in reader.tensors if t.name == gguf_tensor_name(key))
        values = np.array(stored.data).reshape(tensor.shape)
        if "q_proj" in key:
            values = unpermute_from_llama_cpp(values, config.n_heads)
        elif "k_proj" in key:
            values = unpermute_from_llama_cpp(values, config.n_kv_heads)
        assert np.array_equal(values, tensor.numpy()), key


@pytest.mark.parametrize("tied", [True, False])
def test_transformers_runs_the_f32_file_as_our_model(
    tmp_path: Path, make_hf_dir: Callable[..., tuple[Path, Llama]], tied: bool
) -> None:
    hf_dir, model = make_hf_dir(tied=tied)
    path = export_gguf(hf_dir, tmp_path / "model.gguf")
    loaded = transformers_model_from_gguf(path)
    assert loaded.config.tie_word_embeddings is tied
    with torch.no_grad():
        torch.testing.assert_close(loaded(IDS).logits, model(IDS), atol=1e-4, rtol=1e-4)


def test_f16_file_holds_our_weights_rounded_to_f16(
    tmp_path: Path, make_hf_dir: Callable[..., tuple[Path, Llama]]
) -> None:
    hf_dir, model = make_hf_dir(tied=False)
    path = export_gguf(hf_dir, tmp_path / "model-f16.gguf", "f16")
    reader = gguf.GGUFReader(path)
    assert field(reader, "general.file_type") == int(gguf.LlamaFileType.MOSTLY_F16)
    kinds = {t.name: t.tensor_type for t in reader.tensors}
    assert kinds["blk.0.attn_norm.weight"] == gguf.GGMLQuantizationType.F32  # norms stay f32
    assert kinds["blk.0.attn_q.weight"] == gguf.GGMLQuantizationType.F16
    with torch.no_grad():  # the same rounding on our side: then the logits agree tightly
        for param in model.parameters():
            if param.ndim > 1:
                param.copy_(param.half().float())
        torch.testing.assert_close(
            transformers_model_from_gguf(path)(IDS).logits, model(IDS), atol=1e-4, rtol=1e-4
        )


def test_transformers_reads_the_tokenizer(
    tmp_path: Path, make_hf_dir: Callable[..., tuple[Path, Llama]]
) -> None:
    hf_dir, _ = make_hf_dir()
    export_gguf(hf_dir, tmp_path / "model.gguf")
    from_gguf = transformers.AutoTokenizer.from_pretrained(tmp_path, gguf_file="model.gguf")
    from_folder = transformers.AutoTokenizer.from_pretrained(hf_dir)
    reference = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
    text = "The lazy dog jumps over 12345 foxes!"
    assert from_gguf.encode(text) == [0, *reference.encode(text).ids]  # add_bos_token is set in the file
    assert from_gguf.decode(from_gguf.encode(text), skip_special_tokens=True) == text
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    assert from_gguf.apply_chat_template(chat, tokenize=False) == from_folder.apply_chat_template(
        chat, tokenize=False
    )


@pytest.mark.skipif(
    importlib.util.find_spec("accelerate") is None, reason="from_pretrained(gguf_file=) needs accelerate"
)
def test_from_pretrained_loads_the_file(
    tmp_path: Path, make_hf_dir: Callable[..., tuple[Path, Llama]]
) -> None:
    hf_dir, model = make_hf_dir()
    export_gguf(hf_dir, tmp_path / "model.gguf")
    loaded = transformers.AutoModelForCausalLM.from_pretrained(tmp_path, gguf_file="model.gguf").eval()
    with torch.no_grad():
        torch.testing.assert_close(loaded(IDS).logits.float(), model(IDS), atol=1e-4, rtol=1e-4)


def test_export_is_deterministic_and_refuses_what_it_cannot_write(
    tmp_path: Path, make_hf_dir: Callable[..., tuple[Path, Llama]]
) -> None:
    hf_dir, _ = make_hf_dir()
    first = export_gguf(hf_dir, tmp_path / "a.gguf").read_bytes()
    assert export_gguf(hf_dir, tmp_path / "b.gguf").read_bytes() == first
    with pytest.raises(InputError, match="dtype"):
        export_gguf(hf_dir, tmp_path / "c.gguf", "q4_0")
    tokenizer = json.loads((hf_dir / "tokenizer.json").read_text())
    tokenizer["pre_tokenizer"] = {"type": "Whitespace"}
    (hf_dir / "tokenizer.json").write_text(json.dumps(tokenizer))
    with pytest.raises(InputError, match=r"tokenizer\.json: pre-tokenizer .* no llama\.cpp equivalent"):
        export_gguf(hf_dir, tmp_path / "c.gguf")
    assert sorted(p.name for p in tmp_path.glob("*.gguf")) == ["a.gguf", "b.gguf"]
    assert not list(tmp_path.glob(".tmp-*"))
