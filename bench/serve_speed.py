"""Serving speed: single-stream decode vs HF `generate` (KV cache), and 32 concurrent streams.

    python bench/serve_speed.py [--tokens 128] [--repeats 5] [--streams 32]

One model (a ~4 M-parameter Llama, random weights: speed does not depend on what was learned) is
built once, written as the HF folder `clearlm export` writes, and then

1. decoded greedily for --tokens new tokens after a 64-token prompt, single stream, by
   clearlm.model.generate and by transformers' `LlamaForCausalLM.generate` (use_cache=True, the
   same weights), interleaved --repeats times; medians and the ratio are printed (target ≥ 1.0×);
2. served by `clearlm serve` (the FastAPI app on uvicorn, in a thread) to --streams concurrent
   streaming clients of the official `openai` AsyncOpenAI client; aggregate completion tokens per
   second over the wall time: without batching at 4 generations at a time (the server before the
   DecodeBatcher), and batched at 4 and at 16 at a time, with the ratios.

The machine is shared and noisy: read the ratio, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import torch
import uvicorn
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from clearlm.export.hf_folder import export_hf_folder
from clearlm.model.config import LlamaConfig
from clearlm.model.generate import generate
from clearlm.model.hf_weights import write_hf_folder
from clearlm.model.llama import Llama
from clearlm.serve.app import bind, create_app
from clearlm.tokenize.chat import CHAT_TEMPLATE

GUTENBERG = Path(__file__).resolve().parents[2] / "shared" / "data" / "gutenberg"
SPECIALS = ["<|bos|>", "<|eos|>", "<|pad|>", "<|im_start|>", "<|im_end|>"]
PROMPT_TOKENS = 64


def build_folder(root: Path) -> Path:
    """Tokenizer from two Gutenberg books (or a fallback text), a random Llama, exported as HF."""
    books = sorted(GUTENBERG.rglob("*.txt"))[:2]
    texts = [b.read_text(encoding="utf-8", errors="replace") for b in books] or [
        "the quick brown fox " * 5000
    ]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=4096, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(texts, trainer)
    tokens = root / "tokens"
    tokens.mkdir(parents=True)
    tokenizer.save(str(tokens / "tokenizer.json"))
    (tokens / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": "<|bos|>",
                "eos_token": "<|eos|>",
                "pad_token": "<|pad|>",
                "add_bos_token": False,
                "chat_template": CHAT_TEMPLATE,
                "model_max_length": 1024,
            }
        )
    )
    config = LlamaConfig(vocab_size=4096, dim=256, n_layers=4, n_heads=4, n_kv_heads=2, max_seq_len=1024)
    model = Llama(config)
    model.init_weights(0)
    write_hf_folder(model, root / "checkpoint", bos_id=0, eos_id=1, pad_id=2)
    return export_hf_folder(root / "checkpoint", tokens, root / "model")


def single_stream(folder: Path, new_tokens: int, repeats: int) -> tuple[float, float]:
    """Median tokens/s of (clearlm generate, HF generate) for one greedy stream."""
    from transformers import AutoModelForCausalLM

    from clearlm.model.hf_weights import load_hf_folder

    ours, _ = load_hf_folder(folder)
    hf = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, dtype=torch.float32).eval()
    prompt = list(range(10, 10 + PROMPT_TOKENS))

    def run_ours() -> list[int]:
        return list(generate(ours, prompt, new_tokens))  # no stop ids: exactly new_tokens tokens

    def run_hf() -> list[int]:
        with torch.inference_mode():
            out = hf.generate(
                torch.tensor([prompt]),
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                do_sample=False,
                use_cache=True,
                pad_token_id=2,
            )
        return [int(t) for t in out[0, PROMPT_TOKENS:]]

    assert run_ours() == run_hf(), "greedy tokens differ: the comparison would not be like for like"
    times: dict[str, list[float]] = {"ours": [], "hf": []}
    for _ in range(repeats):
        for name, fn in (("ours", run_ours), ("hf", run_hf)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return new_tokens / statistics.median(times["ours"]), new_tokens / statistics.median(times["hf"])


def concurrent_streams(
    folder: Path, streams: int, new_tokens: int, *, concurrency: int, batching: bool
) -> tuple[float, int, float]:
    """(aggregate streamed tokens/s, errors, wall seconds) for `streams` concurrent SSE clients.

    Each streamed chunk with text is one generated token (the server sends one chunk per token).
    """
    import openai

    app = create_app(
        folder, max_concurrency=concurrency, max_queue=streams, model_name="clearlm", batching=batching
    )
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"

    async def one(client: openai.AsyncOpenAI, i: int) -> int:
        stream = await client.completions.create(
            model="clearlm", prompt=f"Chapter {i}. It was", max_tokens=new_tokens, temperature=0, stream=True
        )
        pieces = 0
        async for chunk in stream:
            pieces += bool(chunk.choices and chunk.choices[0].text)
        return pieces

    async def main() -> tuple[int, int]:
        client = openai.AsyncOpenAI(base_url=base, api_key="unused", max_retries=0, timeout=600)
        results = await asyncio.gather(*(one(client, i) for i in range(streams)), return_exceptions=True)
        await client.close()
        for failure in {repr(r) for r in results if not isinstance(r, int)}:
            print(f"  error: {failure[:300]}")
        return sum(r for r in results if isinstance(r, int)), sum(not isinstance(r, int) for r in results)

    start = time.perf_counter()
    chunks, errors = asyncio.run(main())
    wall = time.perf_counter() - start
    server.should_exit = True
    thread.join(timeout=30)
    with contextlib.suppress(OSError):
        sock.close()
    return chunks / wall, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--streams", type=int, default=32)
    args, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_folder(Path(tmp))
        ours, hf = single_stream(folder, args.tokens, args.repeats)
        print(f"single-stream greedy decode, {PROMPT_TOKENS}-token prompt, {args.tokens} new tokens")
        print(f"  clearlm generate      {ours:8.1f} tok/s")
        print(f"  HF generate (cache)   {hf:8.1f} tok/s")
        print(f"  ratio clearlm / HF    {ours / hf:8.2f}x   (target >= 1.0x)")
        print(f"clearlm serve: {args.streams} concurrent streams x {args.tokens // 2} tokens (aggregate)")
        rates = {}
        for label, concurrency, batching in (
            ("4 at a time, unbatched", 4, False),
            ("4 at a time, batched", 4, True),
            ("16 at a time, batched", 16, True),
        ):
            rate, errors, wall = concurrent_streams(
                folder, args.streams, args.tokens // 2, concurrency=concurrency, batching=batching
            )
            rates[label] = rate
            print(f"  {label:<24}{rate:8.1f} tok/s  ({errors} errors, {wall:.1f} s wall)")
        base = rates["4 at a time, unbatched"]
        for label in ("4 at a time, batched", "16 at a time, batched"):
            print(f"  ratio {label} / unbatched  {rates[label] / base:5.2f}x")


if __name__ == "__main__":
    main()
