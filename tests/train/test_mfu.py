"""Compute dtype resolution and the measured matmul peak behind MFU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from clearlm.errors import ConfigError
from clearlm.train.mfu import cpu_has_bf16_matmul, measure_matmul_peak, mfu, resolve_dtype


def test_cpu_bf16_support_is_read_from_the_flags(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 fma\n")
    assert not cpu_has_bf16_matmul(info)
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16\n")
    assert cpu_has_bf16_matmul(info)
    assert not cpu_has_bf16_matmul(tmp_path / "missing")


def test_dtype_names() -> None:
    cpu = torch.device("cpu")
    assert resolve_dtype("fp32", cpu) == torch.float32
    assert resolve_dtype("bf16", cpu) == torch.bfloat16
    assert resolve_dtype("auto", cpu) == (torch.bfloat16 if cpu_has_bf16_matmul() else torch.float32)
    with pytest.raises(ConfigError, match=r"train\.dtype"):
        resolve_dtype("fp8", cpu)


def test_matmul_peak_is_measured_and_cached() -> None:
    peak = measure_matmul_peak(torch.float32, n=256, seconds=0.1)
    assert 1e8 < peak < 1e15  # between a slow CPU core and a large GPU
    assert measure_matmul_peak(torch.float32, n=256, seconds=0.1) == peak


def test_mfu_is_model_flops_over_peak() -> None:
    assert mfu(6e6, 1000.0, 1.2e10) == pytest.approx(0.5)
    assert mfu(6e6, 1000.0, 0.0) == 0.0


def test_a_second_measurement_bypasses_the_cache_and_the_cache_keeps_the_best() -> None:
    import torch

    from clearlm.train.mfu import _peak_cache, measure_matmul_peak

    first = measure_matmul_peak(torch.float32, "cpu", n=128, seconds=0.05, trials=2)
    again = measure_matmul_peak(torch.float32, "cpu", n=128, seconds=0.05, trials=2, cached=False)
    assert first > 0 and again > 0
    key = ("cpu", torch.float32, 128, torch.get_num_threads())
    assert _peak_cache[key] == max(first, again)
    assert measure_matmul_peak(torch.float32, "cpu", n=128) == max(first, again)
