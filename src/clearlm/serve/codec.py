"""Text ↔ token ids for the served model: its tokenizer.json and the chat template it shipped with.

The chat template is rendered the way transformers' `apply_chat_template` renders it (a sandboxed
Jinja2 environment with trim_blocks / lstrip_blocks, `raise_exception`, and the `{% generation %}`
tag that marks assistant turns for training, a no-op here), so a prompt is the same string here as in
transformers or vLLM.

A plain completion prompt starts with the BOS token, as every pretraining document did (`[bos] + text
+ [eos]` in the tokenize stage). A chat prompt is the rendered template and nothing else, tokenized
as transformers' `apply_chat_template` and vLLM tokenize it and as `clearlm tune` trains on it: BOS
only where the template writes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

from clearlm.errors import InputError
from clearlm.export.hf_folder import TOKENIZER_CONFIG_FILE, SpecialTokens
from clearlm.files import read_json_object

GENERATION_CONFIG_FILE = "generation_config.json"


class ChatTemplateError(ValueError):
    """The template refused the conversation (its `raise_exception`): the caller's request is at fault."""


class _GenerationTag(Extension):
    """`{% generation %}…{% endgeneration %}` renders its body unchanged (transformers tracks it)."""

    tags = {"generation"}  # noqa: RUF012  (jinja2 declares it a plain class attribute)

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller: Any) -> str:
        return str(caller())


def _raise_exception(message: str) -> None:
    raise ChatTemplateError(message)


def _tojson(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def compile_template(source: str, path: Path) -> jinja2.Template:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[_GenerationTag, loopcontrols]
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    try:
        return env.from_string(source)
    except jinja2.TemplateError as err:
        raise InputError(f"chat_template does not compile ({err})", path) from None


def template_source(config: Mapping[str, Any], path: Path) -> str:
    """The default chat template: a string, or the entry named "default" of a list (HF allows both)."""
    template = config.get("chat_template")
    if isinstance(template, list):
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default")
    if not isinstance(template, str) or not template:
        raise InputError("chat_template is missing; chat completions need one", path)
    return template


class ModelCodec:
    """Encodes prompts, renders chats and decodes output for the model in one HF folder."""

    def __init__(self, model_dir: Path) -> None:
        special = SpecialTokens(model_dir)  # tokenizer.json + tokenizer_config.json, ids checked
        self.tokenizer = special.tokenizer
        self.vocab_size = special.vocab_size
        self.bos, self.bos_id = special.bos, special.bos_id
        self.eos, self.eos_id = special.eos, special.eos_id
        config_path = model_dir / TOKENIZER_CONFIG_FILE
        self.template = compile_template(template_source(special.tokenizer_config, config_path), config_path)
        self.stop_ids = frozenset(special.stop_ids) | self._generation_eos(model_dir)

    @staticmethod
    def _generation_eos(model_dir: Path) -> frozenset[int]:
        """Extra end ids from generation_config.json (what transformers and vLLM stop on too)."""
        path = model_dir / GENERATION_CONFIG_FILE
        if not path.is_file():
            return frozenset()
        eos = read_json_object(path).get("eos_token_id")
        ids = eos if isinstance(eos, list) else [eos]
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids if i is not None):
            raise InputError(f"eos_token_id must be an id or a list of ids, got {eos!r}", path)
        return frozenset(i for i in ids if i is not None)

    def encode(self, text: str, *, bos: bool = True) -> list[int]:
        """Token ids of a prompt (special tokens such as <|im_start|> included), BOS first if `bos`."""
        ids: list[int] = self.tokenizer.encode(text, add_special_tokens=False).ids
        return ids if not bos or ids[:1] == [self.bos_id] else [self.bos_id, *ids]

    def chat_prompt(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The conversation rendered with the model's template, ending with the assistant's header."""
        try:
            return self.template.render(
                messages=[dict(m) for m in messages],
                add_generation_prompt=True,
                bos_token=self.bos,
                eos_token=self.eos,
            )
        except ChatTemplateError:
            raise
        except jinja2.TemplateError as err:
            raise ChatTemplateError(f"the chat template failed on these messages ({err})") from None

    def decode(self, ids: Sequence[int]) -> str:
        """Text of generated ids; special tokens (BOS, the chat markers) are not text."""
        text: str = self.tokenizer.decode(list(ids), skip_special_tokens=True)
        return text
