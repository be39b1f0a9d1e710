"""A peft LoRA adapter merged at load gives the logits of peft's own merge_and_unload, also when served."""

from __future__ import annotations

import json
from pathlib import Path

import peft
import pytest
import torch
import transformers
from safetensors.torch import load_file, save_file

from clearlm.errors import InputError
from clearlm.model.config import LlamaConfig
from clearlm.model.generate import generate
from clearlm.model.hf_weights import load_hf_folder
from clearlm.model.llama import Llama
from clearlm.serve.codec import ModelCodec
from clearlm.serve.lora import merge_lora
from clearlm.serve.release import release_identity
from tests.serve.conftest import EOS, IM_END, ServeFactory

pytestmark = pytest.mark.slow  # transformers + peft take seconds to import and build
ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
IDS = torch.tensor([[0, 17, 42, 99, 3, 250, 8, 300, 12]])


def make_adapter(
    model_dir: Path, out: Path, *, rslora: bool = False, targets: list[str] | None = None
) -> Llama:
    """Save a randomly initialised peft LoRA for the folder's model; return peft's merge as our Llama."""
    base = transformers.LlamaForCausalLM.from_pretrained(model_dir, local_files_only=True).eval()
    config = peft.LoraConfig(
        r=4,
        lora_alpha=12,
        target_modules=targets or ALL_LINEAR,
        lora_dropout=0.0,
        use_rslora=rslora,
        init_lora_weights=False,  # random A and B: an adapter that changes the model from the start
    )
    wrapped = peft.get_peft_model(base, config)
    with torch.no_grad():  # large enough to move the greedy choices
        for name, param in wrapped.named_parameters():
            if "lora_" in name:
                param.mul_(3.0)
    wrapped.save_pretrained(out)
    merged = wrapped.merge_and_unload().eval()
    ours = Llama(LlamaConfig.from_hf(merged.config.to_dict())).eval()
    ours.load_state_dict(merged.state_dict())
    return ours


@pytest.mark.parametrize("rslora", [False, True])
def test_merge_equals_peft_merge_and_unload(model_dir: Path, tmp_path: Path, rslora: bool) -> None:
    expected = make_adapter(model_dir, tmp_path / "adapter", rslora=rslora)
    keys = load_file(tmp_path / "adapter" / "adapter_model.safetensors")
    assert "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight" in keys
    model, _ = load_hf_folder(model_dir)
    base_logits = model(IDS)
    merged = merge_lora(model, tmp_path / "adapter")
    assert len(merged) == 2 * len(ALL_LINEAR)  # two layers
    with torch.no_grad():
        logits = model(IDS)
        torch.testing.assert_close(logits, expected(IDS), atol=1e-5, rtol=1e-5)
    assert (logits - base_logits).abs().max() > 0.1


def test_served_adapter_answers_as_the_merged_model(
    serve_app: ServeFactory, model_dir: Path, tmp_path: Path
) -> None:
    adapter = tmp_path / "support-bot"
    merged = make_adapter(model_dir, adapter, targets=["q_proj", "v_proj"])
    codec = ModelCodec(model_dir)
    prompt = codec.encode("The quick brown fox")
    expected = codec.decode(list(generate(merged, prompt, 24, stop_ids={EOS, IM_END})))
    with serve_app(adapter=adapter) as tuned, serve_app() as base:
        request = {"prompt": "The quick brown fox", "max_tokens": 24, "temperature": 0}
        tuned_text = tuned.client().completions.create(model="support-bot", **request).choices[0].text
        base_text = base.client().completions.create(model="model", **request).choices[0].text
        assert tuned_text == expected
        assert tuned_text != base_text
        tuned_release = tuned.client().models.list().data[0].model_extra["release"]  # type: ignore[index]
        assert (
            tuned_release == release_identity(model_dir, adapter).digest != release_identity(model_dir).digest
        )


def test_chat_template_renders_as_transformers_does(model_dir: Path) -> None:
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi there!"},
        {"role": "user", "content": "Numbers like 12345?"},
    ]
    expected = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert ModelCodec(model_dir).chat_prompt(messages) == expected


def write_adapter(folder: Path, config: dict[str, object], tensors: dict[str, torch.Tensor]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapter_config.json").write_text(
        json.dumps({"peft_type": "LORA", "r": 2, "lora_alpha": 4} | config)
    )
    save_file(tensors, folder / "adapter_model.safetensors")
    return folder


L0 = "base_model.model.model.layers.0."  # peft's prefix for the first decoder layer


@pytest.mark.parametrize(
    ("config", "tensors", "words"),
    [
        ({"use_dora": True}, {}, "not supported in a merged adapter: use_dora"),
        ({"r": 0}, {}, "r must be a positive number"),
        ({}, {L0 + "self_attn.q_proj.lora_A.weight": torch.zeros(2, 64)}, "not both"),
        (
            {},
            {L0 + "mlp.lora_A.weight": torch.zeros(2, 64), L0 + "mlp.lora_B.weight": torch.zeros(64, 2)},
            "not a linear layer",
        ),
        (
            {},
            {
                L0 + "self_attn.q_proj.lora_A.weight": torch.zeros(2, 63),
                L0 + "self_attn.q_proj.lora_B.weight": torch.zeros(64, 2),
            },
            "does not fit",
        ),
        (
            {},
            {"base_model.model.model.embed_tokens.lora_embedding_A": torch.zeros(2, 448)},
            "unexpected tensor",
        ),
    ],
)
def test_adapters_a_plain_merge_cannot_reproduce_are_refused(
    model_dir: Path, tmp_path: Path, config: dict[str, object], tensors: dict[str, torch.Tensor], words: str
) -> None:
    tensors = tensors or {
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": torch.zeros(2, 64)
    }
    adapter = write_adapter(tmp_path / "adapter", config, tensors)
    model, _ = load_hf_folder(model_dir)
    with pytest.raises(InputError, match=words):
        merge_lora(model, adapter)
    with pytest.raises(InputError, match="missing adapter config"):
        merge_lora(model, tmp_path)
