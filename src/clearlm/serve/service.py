"""The model being served and the rules that turn a request into generation settings.

Loading order matters: the release identity is computed (and SHA256SUMS checked) first, so a folder
whose files were changed is refused before its weights are trusted; then the weights, the tokenizer
and, when given, the adapter merged into the weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clearlm.errors import InputError
from clearlm.model.hf_weights import CONFIG_FILE, load_hf_folder
from clearlm.model.llama import Llama
from clearlm.serve.choice import Sampling
from clearlm.serve.codec import ModelCodec
from clearlm.serve.errors import APIError
from clearlm.serve.lora import merge_lora
from clearlm.serve.release import MODEL_FILES, ReleaseIdentity, release_identity
from clearlm.serve.schemas import GenerationParams

DEFAULT_COMPLETION_TOKENS = 16  # OpenAI's default max_tokens for /v1/completions


@dataclass
class ServedModel:
    """Everything a request needs about the model: weights, codec, identity and name."""

    model: Llama
    codec: ModelCodec
    identity: ReleaseIdentity
    name: str
    created: int
    adapter_modules: list[str]

    @property
    def context(self) -> int:
        return self.model.config.max_seq_len


def load_served_model(model_dir: Path, adapter: Path | None = None, name: str | None = None) -> ServedModel:
    """Load a HF folder (and merge a LoRA adapter into it) for serving, on the CPU in float32."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise InputError("model folder not found (give an HF export or a release folder)", model_dir)
    for required in MODEL_FILES:
        if not (model_dir / required).is_file():
            raise InputError(
                "missing: not an HF model folder (`clearlm export` writes one)", model_dir / required
            )
    if adapter is not None and not Path(adapter).is_dir():
        raise InputError("adapter folder not found", adapter)
    identity = release_identity(model_dir, Path(adapter) if adapter is not None else None)
    model, config = load_hf_folder(model_dir)
    codec = ModelCodec(model_dir)
    if codec.vocab_size > config.vocab_size:
        raise InputError(
            f"the tokenizer has {codec.vocab_size} tokens but the model only {config.vocab_size} rows",
            model_dir / CONFIG_FILE,
        )
    modules = merge_lora(model, Path(adapter)) if adapter is not None else []
    default_name = Path(adapter).resolve().name if adapter is not None else model_dir.resolve().name
    created = int((model_dir / CONFIG_FILE).stat().st_mtime)
    return ServedModel(model.eval(), codec, identity, name or default_name, created, modules)


@dataclass(frozen=True)
class Limits:
    """What the operator allows per request."""

    max_tokens: int


def check_model(served: ServedModel, requested: str | None) -> None:
    """A request naming another model is an error (404), as with OpenAI; naming none is fine."""
    if requested is not None and requested != served.name:
        raise APIError(
            404,
            f"the model {requested!r} does not exist; this server serves {served.name!r}",
            param="model",
            code="model_not_found",
        )


def plan_sampling(
    served: ServedModel,
    limits: Limits,
    params: GenerationParams,
    prompt_tokens: int,
    requested_max: int | None,
    *,
    chat: bool,
) -> list[Sampling]:
    """One Sampling per choice, after checking the prompt and max_tokens against the context."""
    what = "messages" if chat else "prompt"
    room = served.context - prompt_tokens
    if room <= 0:
        raise APIError(
            400,
            f"the {what} has {prompt_tokens} tokens; the model's context is {served.context} tokens",
            param=what,
            code="context_length_exceeded",
        )
    if requested_max is not None:
        if requested_max > limits.max_tokens:
            raise APIError(
                400,
                f"max_tokens is {requested_max}; this server allows at most {limits.max_tokens}",
                param="max_tokens",
            )
        if requested_max > room:
            raise APIError(
                400,
                f"the model's context is {served.context} tokens, but {prompt_tokens} in the {what} "
                f"plus max_tokens {requested_max} ask for {prompt_tokens + requested_max}",
                param="max_tokens",
                code="context_length_exceeded",
            )
        max_tokens = requested_max
    else:
        # Chat answers run to the end of their turn; a bare completion is short unless asked otherwise.
        wanted = limits.max_tokens if chat else DEFAULT_COMPLETION_TOKENS
        max_tokens = min(wanted, room, limits.max_tokens)
    temperature, seed = params.sampling_temperature(), params.seed
    return [
        Sampling(
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=params.sampling_top_p(),
            seed=None if seed is None else seed + i,  # n different choices, each reproducible
            stops=params.stops,
        )
        for i in range(params.choices)
    ]
