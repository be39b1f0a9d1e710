"""`--merge OUT`: the base with the adapter folded into its weights, as a plain HF model folder.

W' = W + (alpha / r) · B·A for every adapted matrix (peft's merge_and_unload), saved as float32
safetensors under the base's key names, with the base's config.json (dtype set to float32), its
tokenizer files copied byte for byte, and the adapter's lineage.json. Anything that loads the base
(transformers, vLLM, clearlm.model.hf_weights.load_hf_folder, `clearlm serve`) loads OUT, with no
peft at inference time. The folder is built under a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from clearlm.atomic import atomic_write_bytes, atomic_write_text, tmp_path_for
from clearlm.checkpoint_folders import LINEAGE_FILE
from clearlm.export.hf_folder import replace_folder
from clearlm.files import read_json_object
from clearlm.model.hf_weights import save_safetensors

# What makes a folder usable besides the weights: the tokenizer, its chat template, generation stops.
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "generation_config.json",
    "chat_template.jinja",
)


def merged_config(base: Path) -> dict[str, Any]:
    """The base's config.json, declaring the float32 weights the merge writes."""
    path = base / "config.json"
    config = read_json_object(path, "model config")
    for key in ("torch_dtype", "dtype"):
        if key in config:
            config[key] = "float32"
    config.setdefault("torch_dtype", "float32")
    return config


def write_merged_folder(model: Any, base: Path, adapter: Path, out: Path) -> Path:
    """Merge the LoRA weights of peft `model` into its base and write OUT; `model` is changed in place.

    Call this last: merge_and_unload folds the adapters into the base's own tensors.
    """
    merged = model.merge_and_unload()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = tmp_path_for(out)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        # A state dict (not the module) lets save_safetensors see a tied lm_head sharing the
        # embedding's storage and leave it out, as HF does.
        save_safetensors(merged.state_dict(), staging / "model.safetensors")
        atomic_write_text(staging / "config.json", json.dumps(merged_config(base), indent=2) + "\n")
        for name in TOKENIZER_FILES:
            if (base / name).is_file():
                atomic_write_bytes(staging / name, (base / name).read_bytes())
        if (adapter / LINEAGE_FILE).is_file():  # the merged weights carry the adapter's provenance
            atomic_write_bytes(staging / LINEAGE_FILE, (adapter / LINEAGE_FILE).read_bytes())
        replace_folder(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
