# SPDX-License-Identifier: Apache-2.0
# Copyright 2021 Brackwater Instruments contributors
"""Unit helpers for the tide gauge logger."""


def mm_to_feet(mm: float) -> float:
    """Millimetres to feet, rounded to two places (the harbour board still publishes feet)."""
    return round(mm / 304.8, 2)


def moving_average(values: list[float], window: int = 5) -> list[float]:
    """Simple trailing moving average; the first window-1 points average what is available."""
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out
