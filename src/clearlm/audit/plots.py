"""The audit's figures: ROC curves of the membership scores, and exposure per canary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clearlm.atomic import atomic_open

ROC_PNG = "roc.png"
CANARY_PNG = "canary_exposure.png"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    with atomic_open(path) as fh:
        fig.savefig(fh, format="png", dpi=110)


def plot_roc(mia: dict[str, Any], path: Path) -> bool:
    """ROC of every membership score, AUROC in the legend; False (nothing written) when skipped."""
    if not mia.get("roc"):
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    for name, curve in mia["roc"].items():
        score = mia["scores"][name]
        low, high = score["ci95"]
        ax.plot(curve["fpr"], curve["tpr"], label=f"{name}: {score['auroc']:.3f} [{low:.2f}, {high:.2f}]")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="chance")
    ax.set_xlabel("false-positive rate (held-out called member)")
    ax.set_ylabel("true-positive rate (training doc called member)")
    ax.set_title(f"membership inference: {mia['members']} train vs {mia['nonmembers']} held-out")
    ax.legend(loc="lower right", fontsize=8, title="AUROC [95% CI]", title_fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return True


def plot_canaries(canaries: list[dict[str, Any]], path: Path) -> bool:
    """Exposure per canary against its repetitions (sampled and extrapolated); False when none."""
    if not canaries:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(canaries) + 2), 4.0))
    xs = list(range(len(canaries)))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], [c["exposure"] for c in canaries], width, label="sampled rank")
    ax.bar(
        [x + width / 2 for x in xs],
        [c["exposure_extrapolated"] for c in canaries],
        width,
        label="normal-fit extrapolation",
    )
    ax.axhline(canaries[0]["exposure_max"], color="grey", linestyle=":", linewidth=1, label="sampled maximum")
    labels = [f"#{c['index']}\n×{c['repeats']}" + ("\nextracted" if c["extracted"] else "") for c in canaries]
    ax.set_xticks(xs, labels)
    ax.set_ylabel("exposure (bits)")
    ax.set_title(f"canary exposure (space {canaries[0]['space_bits']:.1f} bits)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return True
