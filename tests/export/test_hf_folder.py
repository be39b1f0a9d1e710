"""export_hf_folder: a folder transformers loads as the same model with the same tokenizer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import transformers
from safetensors.torch import load_file
from tokenizers import Tokenizer

from clearlm.errors import InputError
from clearlm.export.hf_folder import export_hf_folder
from clearlm.model.generate import generate
from clearlm.model.hf_weights import write_hf_folder
from clearlm.model.llama import Llama

MakeCheckpoint = Callable[..., tuple[Path, Llama]]
EXPECTED_FILES = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
]


@pytest.mark.parametrize("tied", [True, False])
def test_transformers_loads_the_same_model(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint, tied: bool
) -> None:
    checkpoint, ours = make_checkpoint(tied=tied)
    out = export_hf_folder(checkpoint, tokens_dir, tmp_path / "release" / "hf")
    assert sorted(p.name for p in out.iterdir()) == EXPECTED_FILES
    hf = transformers.AutoModelForCausalLM.from_pretrained(out, local_files_only=True).eval()
    assert type(hf).__name__ == "LlamaForCausalLM"
    assert hf.config.tie_word_embeddings is tied

    prompt = Tokenizer.from_file(str(tokens_dir / "tokenizer.json")).encode("The quick brown").ids
    ids = torch.tensor([[0, *prompt]])
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, ours(ids), atol=1e-5, rtol=1e-5)
        expected = hf.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12, do_sample=False)
    eos_ids = hf.generation_config.eos_token_id
    ours_tokens = list(generate(ours, ids[0].tolist(), max_new_tokens=12, stop_ids=eos_ids))
    assert ours_tokens == expected[0, ids.shape[1] :].tolist()[: len(ours_tokens)]
    assert len(ours_tokens) == 12 or expected[0, ids.shape[1] + len(ours_tokens)].item() in eos_ids


def test_tokenizer_loads_with_its_chat_template(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint
) -> None:
    checkpoint, _ = make_checkpoint()
    out = export_hf_folder(checkpoint, tokens_dir, tmp_path / "hf")
    tokenizer = transformers.AutoTokenizer.from_pretrained(out, local_files_only=True)
    reference = Tokenizer.from_file(str(tokens_dir / "tokenizer.json"))
    text = "Hello world, the lazy dog."
    assert tokenizer.encode(text, add_special_tokens=False) == reference.encode(text).ids
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == (
        "<|bos|>",
        "<|eos|>",
        "<|pad|>",
    )
    assert tokenizer.model_max_length == 64  # the model's context, not the tokenizer's
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    rendered = tokenizer.apply_chat_template(chat, tokenize=False)
    assert rendered == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
    masked = tokenizer.apply_chat_template(chat, return_dict=True, return_assistant_tokens_mask=True)
    assert sum(masked["assistant_masks"]) > 0
    generation = json.loads((out / "generation_config.json").read_text())
    im_end = reference.token_to_id("<|im_end|>")
    assert generation == {"bos_token_id": 0, "eos_token_id": [1, im_end], "pad_token_id": 2}
    special = json.loads((out / "special_tokens_map.json").read_text())
    assert special["additional_special_tokens"] == ["<|im_start|>", "<|im_end|>"]


def test_export_is_atomic_repeatable_and_replaces(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint
) -> None:
    checkpoint, _ = make_checkpoint()
    out = tmp_path / "hf"
    export_hf_folder(checkpoint, tokens_dir, out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "stale.txt").write_text("from an older export")
    export_hf_folder(checkpoint, tokens_dir, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hf", checkpoint.name]  # no temporaries left


def test_bad_inputs_name_the_file_and_leave_no_folder(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint
) -> None:
    checkpoint, _ = make_checkpoint()
    with pytest.raises(InputError, match=r"tokenizer_config\.json: missing"):
        export_hf_folder(checkpoint, tmp_path / "no-tokens", tmp_path / "hf")
    (checkpoint / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(InputError, match=r"model\.safetensors"):
        export_hf_folder(checkpoint, tokens_dir, tmp_path / "hf")
    assert not (tmp_path / "hf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_tokenizer_that_does_not_fit_is_refused(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint
) -> None:
    checkpoint, _ = make_checkpoint()
    no_template = tmp_path / "tokens"
    no_template.mkdir()
    (no_template / "tokenizer.json").write_bytes((tokens_dir / "tokenizer.json").read_bytes())
    config = json.loads((tokens_dir / "tokenizer_config.json").read_text())
    (no_template / "tokenizer_config.json").write_text(json.dumps({**config, "chat_template": None}))
    with pytest.raises(InputError, match="chat_template is missing"):
        export_hf_folder(checkpoint, no_template, tmp_path / "hf")
    (no_template / "tokenizer_config.json").write_text(json.dumps({**config, "eos_token": "</s>"}))
    with pytest.raises(InputError, match="eos_token '</s>' is not in the vocabulary"):
        export_hf_folder(checkpoint, no_template, tmp_path / "hf")
    small, _ = make_checkpoint(seed=1, vocab_size=256)  # fewer rows than the tokenizer has tokens
    with pytest.raises(
        InputError, match=r"config\.json: the tokenizer has 3\d\d tokens but the model only 256 rows"
    ):
        export_hf_folder(small, tokens_dir, tmp_path / "hf")
    assert not (tmp_path / "hf").exists()


def test_a_bf16_checkpoint_ships_as_bf16(
    tmp_path: Path, tokens_dir: Path, make_checkpoint: MakeCheckpoint
) -> None:
    _, model = make_checkpoint()
    checkpoint = tmp_path / "bf16"
    write_hf_folder(model.to(torch.bfloat16), checkpoint, bos_id=0, eos_id=1, pad_id=2)
    out = export_hf_folder(checkpoint, tokens_dir, tmp_path / "hf")
    assert {t.dtype for t in load_file(out / "model.safetensors").values()} == {torch.bfloat16}
    assert json.loads((out / "config.json").read_text())["torch_dtype"] == "bfloat16"
    hf = transformers.AutoModelForCausalLM.from_pretrained(out, local_files_only=True)
    assert hf.model.embed_tokens.weight.dtype == torch.bfloat16
    assert torch.equal(hf.model.embed_tokens.weight, model.model.embed_tokens.weight)
