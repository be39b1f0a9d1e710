"""Request bodies of the OpenAI API subset served here, as pydantic models.

Unknown fields are accepted and ignored, as OpenAI-compatible servers do (clients send `user`,
`metadata` and the like), except those that would change the answer in a way this server does not
implement (logprobs, tools, penalties …): those are refused, never silently dropped. A field sent as
null means its default, as it does for OpenAI.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_STOPS = 4  # OpenAI's limit
MAX_SEED = 2**63 - 1 - 4  # seed + choice index must stay a valid torch seed
# Fields whose meaning this server does not implement; a request setting one is refused.
UNSUPPORTED = (
    "logprobs",
    "top_logprobs",
    "echo",
    "suffix",
    "logit_bias",
    "tools",
    "tool_choice",
    "functions",
    "function_call",
    "presence_penalty",
    "frequency_penalty",
)


class StreamOptions(BaseModel):
    include_usage: bool = False


class GenerationParams(BaseModel):
    """Sampling parameters shared by /v1/completions and /v1/chat/completions."""

    model_config = ConfigDict(extra="allow")

    model: str | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    n: int | None = Field(default=None, ge=1, le=4)
    stop: str | list[str] | None = None
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)
    stream: bool | None = False
    stream_options: StreamOptions | None = None

    @field_validator("stop")
    @classmethod
    def _stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        stops = [value] if isinstance(value, str) else value or []
        if len(stops) > MAX_STOPS:
            raise ValueError(f"at most {MAX_STOPS} stop sequences")
        if any(not s for s in stops):
            raise ValueError("a stop sequence must not be empty")
        return value

    @model_validator(mode="after")
    def _refuse_unsupported(self) -> GenerationParams:
        extra = self.model_extra or {}
        for name in UNSUPPORTED:
            if extra.get(name):  # null, false, 0, {} and [] all mean "not used"
                raise ValueError(f"{name} is not supported by this server")
        best_of = extra.get("best_of")
        if best_of not in (None, 1):
            raise ValueError("best_of is not supported by this server")
        response_format = extra.get("response_format")
        if isinstance(response_format, dict) and response_format.get("type", "text") != "text":
            raise ValueError("response_format other than text is not supported by this server")
        return self

    @property
    def stops(self) -> tuple[str, ...]:
        return (self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ())

    @property
    def choices(self) -> int:
        return 1 if self.n is None else self.n

    @property
    def streaming(self) -> bool:
        return bool(self.stream)

    @property
    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage

    def sampling_temperature(self) -> float:
        return 1.0 if self.temperature is None else self.temperature  # OpenAI's default

    def sampling_top_p(self) -> float:
        return 1.0 if self.top_p is None else self.top_p


class CompletionRequest(GenerationParams):
    """POST /v1/completions: a prompt string (or a list holding one) continued by the model."""

    prompt: str | list[str]

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and len(value) != 1:
            raise ValueError(f"give one prompt (a string or a list of one string), got {len(value)}")
        return value

    @property
    def prompt_text(self) -> str:
        return self.prompt if isinstance(self.prompt, str) else self.prompt[0]


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    """One turn; content as a string or as OpenAI's list of text parts."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant"]
    content: str | list[TextPart]

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class ChatRequest(GenerationParams):
    """POST /v1/chat/completions: a conversation the model answers as the assistant."""

    messages: list[ChatMessage] = Field(min_length=1)
    # The newer name of max_tokens for chat; either may be given.
    max_completion_tokens: int | None = Field(default=None, ge=1)

    @property
    def token_limit(self) -> int | None:
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens

    def conversation(self) -> list[dict[str, Any]]:
        return [{"role": m.role, "content": m.text} for m in self.messages]
