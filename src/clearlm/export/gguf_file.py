"""A HF folder as one GGUF file for llama.cpp (and anything else that reads GGUF, transformers included).

The file holds the architecture ("llama"), its hyper-parameters under llama.cpp's `llama.*` keys,
the tokenizer (see gguf_vocab.py) and every tensor under llama.cpp's names. Two details matter:

- Q and K rows are permuted. HF's rotate_half RoPE pairs dimension i with i + Hd/2 inside a head;
  llama.cpp's "normal" RoPE pairs 2i with 2i+1. Reordering the rows of q_proj / k_proj, per head,
  from [x_0..x_{Hd/2-1}, y_0..y_{Hd/2-1}] to [x_0, y_0, x_1, y_1, ...] makes the two compute the same
  attention (q·k is unchanged by applying one permutation to both). llama.cpp's convert_hf_to_gguf
  does the same; transformers' GGUF loader undoes it.
- 1-D tensors (the norms) stay float32 in an f16 file, as llama.cpp expects.

Written under a temporary name and renamed: a reader never sees half a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import gguf
import numpy as np
import torch

from clearlm.atomic import publish, tmp_path_for
from clearlm.errors import InputError
from clearlm.export.gguf_vocab import read_vocab, write_vocab
from clearlm.model.config import LlamaConfig
from clearlm.model.hf_weights import CONFIG_FILE, load_hf_folder, read_hf_config

FILE_TYPES = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16}

# HF key (layer number as N) -> llama.cpp tensor name (the `.weight` suffix is kept as is).
TOP_LEVEL_NAMES = {
    "model.embed_tokens": "token_embd",
    "model.norm": "output_norm",
    "lm_head": "output",
}
LAYER_NAMES = {
    "input_layernorm": "attn_norm",
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
LAYER_KEY = re.compile(r"model\.layers\.(\d+)\.(.+)\.weight")


def gguf_tensor_name(hf_key: str) -> str:
    """llama.cpp's name for a HF weight: `model.layers.3.mlp.up_proj.weight` -> `blk.3.ffn_up.weight`."""
    match = LAYER_KEY.fullmatch(hf_key)
    if match and match.group(2) in LAYER_NAMES:
        return f"blk.{match.group(1)}.{LAYER_NAMES[match.group(2)]}.weight"
    stem = hf_key.removesuffix(".weight")
    if stem in TOP_LEVEL_NAMES and hf_key.endswith(".weight"):
        return f"{TOP_LEVEL_NAMES[stem]}.weight"
    raise ValueError(f"no GGUF name for {hf_key}")


def permute_for_llama_cpp(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Rows of q_proj / k_proj [heads·Hd, D] from rotate_half order to llama.cpp's interleaved pairs."""
    rows = weight.shape[0]
    halves = weight.reshape(n_heads, 2, rows // n_heads // 2, *weight.shape[1:])  # [heads, 2, Hd/2, D]
    return halves.swapaxes(1, 2).reshape(weight.shape)  # [heads·Hd, D] as (x0, y0, x1, y1, ...)


def unpermute_from_llama_cpp(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Inverse of `permute_for_llama_cpp` (what a GGUF reader does to get HF's layout back)."""
    rows = weight.shape[0]
    pairs = weight.reshape(n_heads, rows // n_heads // 2, 2, *weight.shape[1:])  # [heads, Hd/2, 2, D]
    return pairs.swapaxes(1, 2).reshape(weight.shape)  # [heads·Hd, D] as (x0.., y0..)


def gguf_array(hf_key: str, tensor: torch.Tensor, config: LlamaConfig, dtype: str) -> np.ndarray:
    """The numpy array written for one weight: permuted if Q/K, in the file's dtype."""
    array = tensor.detach().to(torch.float32).cpu().numpy()
    if hf_key.endswith("self_attn.q_proj.weight"):
        array = permute_for_llama_cpp(array, config.n_heads)
    elif hf_key.endswith("self_attn.k_proj.weight"):
        array = permute_for_llama_cpp(array, config.n_kv_heads)
    if dtype == "f16" and array.ndim > 1:
        return np.ascontiguousarray(array.astype(np.float16))
    return np.ascontiguousarray(array)


def write_hparams(writer: gguf.GGUFWriter, config: LlamaConfig) -> None:
    writer.add_context_length(config.max_seq_len)
    writer.add_embedding_length(config.dim)
    writer.add_block_count(config.n_layers)
    writer.add_feed_forward_length(config.hidden_dim)
    writer.add_head_count(config.n_heads)
    writer.add_head_count_kv(config.n_kv_heads)
    writer.add_layer_norm_rms_eps(config.norm_eps)
    writer.add_rope_freq_base(config.rope_theta)
    writer.add_rope_dimension_count(config.head_dim)
    writer.add_vocab_size(config.vocab_size)


def export_gguf(
    hf_dir: Path,
    out_file: Path,
    dtype: str = "f32",
    *,
    name: str | None = None,
    license: str | None = None,
) -> Path:
    """Write `out_file` (GGUF, f32 or f16) from an exported HF folder; returns its path.

    `name` (default: the folder's name) and `license` (an SPDX expression) go into general.*.
    """
    hf_dir, out_file = Path(hf_dir), Path(out_file)
    if dtype not in FILE_TYPES:
        raise InputError(f"GGUF dtype must be one of {sorted(FILE_TYPES)}, got {dtype!r}", out_file)
    _, hf_config = read_hf_config(hf_dir / CONFIG_FILE)
    model, config = load_hf_folder(hf_dir)
    vocab = read_vocab(hf_dir, config.vocab_size, hf_config)

    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(out_file)
    try:
        writer = gguf.GGUFWriter(tmp, "llama")
        writer.add_type("model")
        writer.add_name(name or hf_dir.name)
        if license:
            writer.add_license(license)
        writer.add_file_type(FILE_TYPES[dtype])
        write_hparams(writer, config)
        write_vocab(writer, vocab)
        for key, tensor in model.state_dict().items():
            writer.add_tensor(gguf_tensor_name(key), gguf_array(key, tensor, config, dtype))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        publish(tmp, out_file)
    finally:
        tmp.unlink(missing_ok=True)
    return out_file
