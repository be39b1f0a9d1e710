"""data-mix.png: the chart the model card embeds, trained tokens by source group and by licence.

Rendered with matplotlib's Agg backend (files only, no display) and without the PNG's "Software"
metadata, so the same facts give the same bytes on a rerun.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from clearlm.release.facts import ReleaseFacts

CHART_FILE = "data-mix.png"


def data_mix_png(facts: ReleaseFacts) -> bytes:
    """Two panels: trained tokens by source group and by licence (or the reason that allowed them)."""
    panels = [("by source group", facts.tokens_by("group")), ("by licence", facts.tokens_by("mix_label"))]
    rows = max(len(p[1]) for p in panels) if facts.docs else 1
    fig, axes = plt.subplots(1, 2, figsize=(12, max(3.0, 0.4 * min(rows, 20) + 1.5)))
    for ax, (title, counts) in zip(axes, panels, strict=True):
        shown = counts[:20]
        ax.barh(range(len(shown)), [c[2] for c in shown], color="#3b7dd8")
        ax.set_yticks(list(range(len(shown))), [c[0] or "(none)" for c in shown])
        ax.invert_yaxis()
        ax.set_xlabel("trained tokens")
        ax.set_title(f"{facts.name}: tokens {title}")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
