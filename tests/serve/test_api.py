"""The API through the official openai client: chat, completions, streaming, stop strings, seeds, n."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.serve.conftest import LiveServer, chatml, reference_greedy

PROMPT = "The quick brown fox"
MESSAGES = [("system", "You are helpful."), ("user", "Hello world!")]


def chat_messages() -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in MESSAGES]


def test_models_lists_the_model_with_its_release_digest(server: LiveServer) -> None:
    models = server.client().models.list().data
    assert [m.id for m in models] == ["tiny"]
    response = httpx.get(f"{server.base_url}/models")
    release = response.headers["X-ClearLM-Release"]
    assert release.startswith("sha256:") and len(release) == 7 + 64
    assert response.json()["data"][0]["release"] == release
    assert server.client().models.retrieve("tiny").id == "tiny"


def test_completion_greedy_equals_generate(server: LiveServer, model_dir: Path) -> None:
    result = server.client().completions.create(model="tiny", prompt=PROMPT, max_tokens=20, temperature=0)
    text, prompt_tokens, completion_tokens = reference_greedy(model_dir, PROMPT, 20)
    assert result.choices[0].text == text and text
    assert result.choices[0].finish_reason == ("length" if completion_tokens == 20 else "stop")
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (prompt_tokens, completion_tokens)
    assert result.usage.total_tokens == prompt_tokens + completion_tokens
    assert result.system_fingerprint == httpx.get(f"{server.root}/health").headers["X-ClearLM-Release"]
    # A list holding one prompt is the same request.
    again = server.client().completions.create(model="tiny", prompt=[PROMPT], max_tokens=20, temperature=0)
    assert again.choices[0].text == text


def test_chat_greedy_equals_generate_on_the_chatml_prompt(server: LiveServer, model_dir: Path) -> None:
    result = server.client().chat.completions.create(
        model="tiny", messages=chat_messages(), max_tokens=30, temperature=0
    )
    text, prompt_tokens, completion_tokens = reference_greedy(model_dir, chatml(MESSAGES), 30, chat=True)
    choice = result.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == text and text
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (prompt_tokens, completion_tokens)


def test_chat_stream_equals_the_whole_answer(server: LiveServer) -> None:
    client = server.client()
    whole = client.chat.completions.create(
        model="tiny", messages=chat_messages(), max_tokens=40, temperature=0
    )
    chunks = list(
        client.chat.completions.create(
            model="tiny",
            messages=chat_messages(),
            max_tokens=40,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == whole.choices[0].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason]
    assert chunks[-1].choices == [] and chunks[-1].usage == whole.usage
    assert all(c.usage is None for c in chunks[:-1])
    assert len({c.id for c in chunks}) == 1


def test_completion_stream_equals_the_whole_answer(server: LiveServer) -> None:
    client = server.client()
    whole = client.completions.create(model="tiny", prompt=PROMPT, max_tokens=25, temperature=0)
    chunks = list(
        client.completions.create(model="tiny", prompt=PROMPT, max_tokens=25, temperature=0, stream=True)
    )
    assert "".join(c.choices[0].text for c in chunks) == whole.choices[0].text
    assert chunks[-1].choices[0].finish_reason == whole.choices[0].finish_reason
    assert all(c.usage is None for c in chunks)  # no include_usage: no usage in the stream


def test_raw_stream_is_sse_ending_with_done(server: LiveServer) -> None:
    body = {"prompt": PROMPT, "max_tokens": 5, "temperature": 0, "stream": True}
    response = httpx.post(f"{server.base_url}/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["X-ClearLM-Release"].startswith("sha256:")
    events = response.text.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    assert all(event.startswith("data: {") for event in events[:-2])


def test_stop_strings_cut_the_text_and_end_generation(server: LiveServer) -> None:
    client = server.client()
    free = (
        client.completions.create(model="tiny", prompt=PROMPT, max_tokens=40, temperature=0).choices[0].text
    )
    assert len(free) > 12
    stop = free[6:9]
    expected = free[: free.index(stop)]
    for stream in (False, True):
        if stream:
            chunks = list(
                client.completions.create(
                    model="tiny", prompt=PROMPT, max_tokens=40, temperature=0, stop=stop, stream=True
                )
            )
            text, reason = "".join(c.choices[0].text for c in chunks), chunks[-1].choices[0].finish_reason
        else:
            result = client.completions.create(
                model="tiny", prompt=PROMPT, max_tokens=40, temperature=0, stop=[stop]
            )
            text, reason = result.choices[0].text, result.choices[0].finish_reason
        assert (text, reason) == (expected, "stop")
    # With several stops the earliest in the text wins.
    later = free[10:12]
    result = client.completions.create(
        model="tiny", prompt=PROMPT, max_tokens=40, temperature=0, stop=[later, stop]
    )
    assert result.choices[0].text == free[: min(free.index(stop), free.index(later))]


def test_seed_makes_sampling_reproducible_and_n_uses_seed_plus_i(server: LiveServer) -> None:
    client = server.client()

    def sample(seed: int, n: int = 1) -> list[str]:
        result = client.completions.create(
            model="tiny", prompt=PROMPT, max_tokens=20, temperature=1.0, top_p=0.95, seed=seed, n=n
        )
        return [c.text for c in sorted(result.choices, key=lambda c: c.index)]

    first = sample(7)
    assert sample(7) == first
    assert sample(8) != first
    assert sample(7, n=2) == [first[0], sample(8)[0]]


def test_n_choices_stream_with_their_indexes(server: LiveServer, model_dir: Path) -> None:
    client = server.client()
    messages = chat_messages()
    whole = client.chat.completions.create(
        model="tiny", messages=messages, max_tokens=12, temperature=0.8, seed=3, n=2
    )
    assert [c.index for c in whole.choices] == [0, 1]
    texts = ["", ""]
    for chunk in client.chat.completions.create(
        model="tiny", messages=messages, max_tokens=12, temperature=0.8, seed=3, n=2, stream=True
    ):
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts == [c.message.content for c in whole.choices]
    # The prompt is counted once, the completion tokens of every choice together.
    _, prompt_tokens, _ = reference_greedy(model_dir, chatml(MESSAGES), 1, chat=True)
    assert whole.usage is not None and whole.usage.prompt_tokens == prompt_tokens
    assert 2 <= whole.usage.completion_tokens <= 24


def test_completions_default_to_16_tokens_and_chat_to_the_end_of_the_turn(server: LiveServer) -> None:
    client = server.client()
    result = client.completions.create(model="tiny", prompt=PROMPT, temperature=0)
    assert result.usage is not None and result.usage.completion_tokens <= 16
    chat = client.chat.completions.create(model="tiny", messages=chat_messages(), temperature=0)
    assert chat.usage is not None
    assert chat.usage.total_tokens <= 128  # the context bounds an unlimited answer
    assert chat.choices[0].finish_reason in ("stop", "length")
