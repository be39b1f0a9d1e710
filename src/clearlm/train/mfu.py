"""Model FLOPs utilisation: the share of this machine's matmul speed that training turns into model math.

MFU = flops_per_token(seq_len) × tokens/s ÷ peak, with flops_per_token from LlamaConfig (6·N plus
attention, PaLM appendix B) and *peak measured here*, not read from a data sheet: the best of a few
timed square matmuls in the training dtype at the thread count in use. On a GPU that is close to the
vendor figure; on a CPU it is what the BLAS actually reaches, so 40 % means the same on both.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from clearlm.errors import ConfigError

DTYPES = {"bf16": torch.bfloat16, "fp32": torch.float32}
_CPU_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}
_peak_cache: dict[tuple[str, torch.dtype, int, int], float] = {}


def cpu_has_bf16_matmul(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU multiplies bf16 natively (AVX512-BF16 or AMX); elsewhere bf16 is emulated."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return bool(_CPU_BF16_FLAGS & set(line.split(":", 1)[-1].split()))
    return False


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """The compute dtype for train.dtype: "auto" is bf16 where matmuls are fast in bf16, else fp32.

    On a CPU without AVX512-BF16/AMX a bf16 matmul is two orders of magnitude slower than fp32,
    so "auto" must not pick it there.
    """
    if name == "auto":
        fast = torch.cuda.is_available() if device.type == "cuda" else cpu_has_bf16_matmul()
        return torch.bfloat16 if fast else torch.float32
    if name not in DTYPES:
        raise ConfigError(f"train.dtype must be auto, bf16 or fp32, not {name!r}")
    return DTYPES[name]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure_matmul_peak(
    dtype: torch.dtype,
    device: torch.device | str = "cpu",
    *,
    n: int | None = None,
    seconds: float = 1.0,
    trials: int = 3,
    cached: bool = True,
) -> float:
    """Matmul FLOP/s this process reaches: best of `trials` timings of n×n @ n×n, ~`seconds` in all.

    n defaults to 2048 on a GPU (large enough to saturate it) and 1024 on a CPU (one product
    already takes tens of milliseconds there). Cached per device, dtype, size and thread count
    unless `cached` is False (a second measurement, when the machine may be less busy).
    """
    device = torch.device(device)
    size = n or (2048 if device.type == "cuda" else 1024)
    key = (str(device), dtype, size, torch.get_num_threads())
    if cached and key in _peak_cache:
        return _peak_cache[key]
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, dtype=dtype, generator=gen)
    b = torch.randn(size, size, device=device, dtype=dtype, generator=gen)
    flops = 2.0 * size**3
    # One warm-up product, which also tells how many products fit in a trial's share of time.
    _sync(device)
    start = time.perf_counter()
    torch.mm(a, b)
    _sync(device)
    first = max(time.perf_counter() - start, 1e-9)
    reps = max(1, int(seconds / trials / first))
    best = 0.0
    for _ in range(trials):
        _sync(device)
        start = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        _sync(device)
        best = max(best, flops * reps / max(time.perf_counter() - start, 1e-9))
    _peak_cache[key] = max(best, _peak_cache.get(key, 0.0))
    return best


def mfu(flops_per_token: float, tokens_per_s: float, peak_flops: float) -> float:
    """Fraction (0..1) of `peak_flops` that `tokens_per_s` tokens of `flops_per_token` each amount to."""
    return flops_per_token * tokens_per_s / peak_flops if peak_flops > 0 else 0.0
