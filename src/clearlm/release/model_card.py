"""README.md: the model card, with Hugging Face YAML metadata, and data-mix.png (`data_mix_chart`).

The metadata block is written with `yaml.safe_dump`, so any model name or tag is quoted correctly;
the licence keys come from `model_license` (a Hub id, or `other` + `license_name` + `license_link`).
Every number is one of the release facts; nothing from a document is printed unescaped, and the
audit's canary secrets are never read (only their exposure, from the audit report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs installed

from clearlm.atomic import atomic_write_bytes, atomic_write_text
from clearlm.release.attribution import md_licence, md_table, md_text
from clearlm.release.data_mix_chart import CHART_FILE, data_mix_png
from clearlm.release.facts import ReleaseFacts
from clearlm.release.license_terms import ModelLicense

__all__ = ["CARD_FILE", "CHART_FILE", "card_markdown", "data_mix_png", "front_matter", "write_model_card"]

CARD_FILE = "README.md"


def front_matter(facts: ReleaseFacts, licence: ModelLicense) -> dict[str, Any]:
    """The card's YAML metadata (Hugging Face model card spec)."""
    tags = list(dict.fromkeys(["clearlm", "llama", "text-generation", *facts.release.tags]))
    meta: dict[str, Any] = {
        **licence.front_matter(),
        "language": list(facts.release.languages),
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": tags,
    }
    eval_loss = facts.training.get("final_eval_loss")
    if eval_loss is not None:
        metric = {"type": "loss", "value": round(float(eval_loss), 4), "name": "held-out loss (nats/token)"}
        dataset = {"type": "clearlm-heldout", "name": "held-out split of the training corpus"}
        meta["model-index"] = [
            {
                "name": facts.name,
                "results": [{"task": {"type": "text-generation"}, "dataset": dataset, "metrics": [metric]}],
            }
        ]
    return meta


def _share_rows(facts: ReleaseFacts, key: str, licence_links: bool = False) -> list[list[str]]:
    total = facts.total_tokens or 1
    return [
        [
            md_licence(label) if licence_links else md_text(label),
            str(docs),
            str(tokens),
            f"{tokens / total:.1%}",
        ]
        for label, docs, tokens in facts.tokens_by(key)
    ]


def _setting(value: Any) -> str:
    return "not recorded" if value is None else md_text(value)


def _number(value: Any, digits: int = 4) -> str:
    if value is None:
        return "not recorded"
    return f"{value:.{digits}f}" if isinstance(value, float) else md_text(value)


def _model_section(facts: ReleaseFacts) -> list[str]:
    model, tokens, code = facts.training["model"], facts.lineage.get("tokens", {}), facts.training["code"]
    dim, heads, seq_len = model.get("dim"), model.get("n_heads"), facts.training["config"].get("seq_len")
    files = f"`model.safetensors` + `config.json` (transformers), `{md_text(facts.name)}.gguf` (llama.cpp)"
    made_by = f"clearlm {md_text(code.get('clearlm', ''))} {md_text(code.get('git_commit', ''))}"
    rows = [
        ["architecture", "Llama (`LlamaForCausalLM`): RMSNorm, RoPE, SwiGLU, grouped-query attention"],
        ["parameters", f"{facts.training['params']:,}" if facts.training["params"] else "not recorded"],
        ["layers × hidden size", f"{model.get('n_layers')} × {dim}"],
        ["attention heads", f"{heads} query, {model.get('n_kv_heads')} key/value"],
        ["context length", f"{model.get('max_seq_len')} tokens (trained on {seq_len})"],
        ["vocabulary", f"{model.get('vocab_size')} (byte-level BPE, `tokenizer.json`)"],
        ["tokenizer SHA-256", f"`{tokens.get('tokenizer_sha256', '')}`"],
        ["embeddings", "tied input/output" if model.get("tie_embeddings") else "separate input/output"],
        ["files", files],
        ["made by", made_by.strip()],
    ]  # fmt: skip
    return ["## Model details", "", *md_table(["", ""], rows), ""]


def _training_section(facts: ReleaseFacts) -> list[str]:
    t, c = facts.training, facts.training["config"]
    batch = f"{c.get('micro_batch')} × {c.get('grad_accum')} accumulation × {t['world_size']} process(es)"
    rows = [
        ["steps", str(facts.step)], ["tokens seen", f"{t['tokens_seen'] or 0:,}"],
        ["seed", _setting(t["seed"])],
        ["sequence length", _setting(c.get("seq_len"))], ["batch (sequences per step)", batch],
        ["learning rate", f"{c.get('lr')} peak, {c.get('warmup_steps')} warm-up steps, cosine to "
                          f"{c.get('min_lr_ratio')} × peak"],
        ["AdamW", f"betas ({c.get('beta1')}, {c.get('beta2')}), weight decay {c.get('weight_decay')}"],
        ["gradient clipping", _setting(c.get("grad_clip"))], ["precision", _setting(c.get("dtype"))],
        ["final training loss", _number(t["final_loss"])],
        ["final held-out loss", _number(t["final_eval_loss"])],
    ]  # fmt: skip
    measured = t["measured"]
    hardware = f"Trained in {t['world_size']} process(es) (parallelism: {md_text(t['parallel'] or 'none')})"
    if measured:
        hardware += (
            f"; {measured.get('tokens_per_s')} tokens/s, model FLOPs utilisation "
            f"{float(measured.get('mfu') or 0):.1%}, "
            f"{measured.get('train_seconds')} s of training, {md_text(measured.get('dtype', ''))} weights"
        )
    return ["## Training procedure", "", *md_table(["", ""], rows), "", hardware + ".", ""]


def _audit_section(facts: ReleaseFacts) -> list[str]:
    audit = facts.audit
    if not audit:
        return ["## Audit results", "", "No audit report.", ""]
    checks = [
        [md_text(c["name"]), _number(c.get("value")), _number(c.get("threshold")), md_text(c.get("rule", "")),
         "pass" if c.get("passed") else "**fail**"]
        for c in audit.get("checks", [])
    ]  # fmt: skip
    scores = audit.get("mia", {}).get("scores", {})
    mia = [[md_text(k), _number(v.get("auroc")), md_text(v.get("ci95")), _number(v.get("tpr_at_1pct_fpr"))]
           for k, v in scores.items()]  # fmt: skip
    ex = audit.get("extraction", {})
    canaries = [[str(c.get("index")), str(c.get("repeats")), _number(c.get("exposure"), 2),
                 _number(c.get("exposure_max"), 2), "yes" if c.get("extracted") else "no"]
                for c in audit.get("canaries", [])]  # fmt: skip
    return [
        "## Audit results",
        "",
        f"Audit of {md_text(audit.get('checkpoint', {}).get('path', facts.checkpoint))}: "
        f"**{'passed' if audit.get('passed') else 'failed'}** (full report: `audit/report.md`).",
        "",
        *md_table(["check", "value", "threshold", "rule", "result"], checks),
        "",
        f"Extraction: {ex.get('documents', 0)} training documents sampled; exact reproduction rate "
        f"{_number(ex.get('exact_rate'))}, near rate {_number(ex.get('near_rate'))}.",
        "",
        "Membership inference (AUROC near 0.5: training documents look like unseen ones):",
        "",
        *md_table(["score", "AUROC", "95% CI", "TPR at 1% FPR"], mia),
        "",
        "Canaries: random sequences planted in the training data; exposure (bits) measures how much the "
        "model memorised them. The sequences themselves are not published.",
        "",
        *md_table(["canary", "planted", "exposure", "maximum", "extracted"], canaries),
        "",
    ]


def card_markdown(facts: ReleaseFacts, licence: ModelLicense) -> str:
    lineage, tokens = facts.lineage, facts.lineage.get("tokens", {})
    head = lineage.get("ledger_head") or {}
    stopped = sorted(facts.stopped.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    heldout = facts.manifest.get("splits", {}).get("heldout", {}).get("docs", 0)
    lines = [
        "---",
        yaml.safe_dump(front_matter(facts, licence), sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        f"# {md_text(facts.name)}",
        "",
        f"A Llama-architecture language model published by {md_text(facts.release.provider)} and trained "
        f"with clearlm on {len(facts.docs)} documents, every one allowed by a recorded rights decision. "
        "Each training token maps to a document in a hash-chained ledger with the evidence for its use.",
        "",
        *_model_section(facts),
        "## Training data",
        "",
        f"{facts.total_tokens:,} trained tokens (repeats counted) from {len(facts.docs)} documents; "
        f"{heldout} more were held out for evaluation. By source group:",
        "",
        *md_table(["source group", "documents", "tokens", "share"], _share_rows(facts, "group")),
        "",
        "By licence (or, where the right is not a licence, the reason clearance allowed it):",
        "",
        *md_table(["licence", "documents", "tokens", "share"], _share_rows(facts, "mix_label", True)),
        "",
        f"![Trained tokens by source group and by licence]({CHART_FILE})",
        "",
        "Withheld before training (reason code: ledger rows): "
        + (", ".join(f"`{md_text(k)}` {v}" for k, v in stopped) or "nothing")
        + ". Sources by category, opt-outs honoured and illegal content removed: "
        "[training-data-summary.md](training-data-summary.md); credits: [ATTRIBUTION.md](ATTRIBUTION.md); "
        "the token data as MLCommons Croissant: [croissant.json](croissant.json).",
        "",
        *_training_section(facts),
        *_audit_section(facts),
        "## Provenance",
        "",
        f"- ledger head when training started: row {head.get('seq')}, hash `{head.get('row_hash')}`",
        f"- `lineage.json` SHA-256: `{facts.lineage_sha256}` (checkpoint `{md_text(facts.checkpoint)}`)",
        f"- token manifest SHA-256 `{tokens.get('manifest_sha256')}`, index `{tokens.get('index_sha256')}`",
        "- verify this folder offline (checksums and Ed25519 signature): `clearlm verify-release DIR`",
        "- one document's history and evidence: `clearlm ledger explain -w WS DOC_ID`",
        "",
        "## Intended use and limitations",
        "",
        md_text(facts.release.intended_use),
        "",
        f"- A base model of {facts.training['params'] or 0:,} parameters trained on {facts.total_tokens:,} "
        "tokens: it continues text; it is not instruction-tuned or safety-tuned and its output can be wrong.",
        f"- Languages: {md_text(', '.join(facts.release.languages))}; the data mix above bounds what it "
        "knows.",
        "- Memorisation was measured only as far as the audit above goes.",
        "",
        "## Licence and obligations",
        "",
        f"Released under {md_licence(licence.spdx)}; terms and reasoning in [LICENSE](LICENSE).",
        "",
        *[f"- {md_text(r)}" for r in licence.restrictions],
        "",
        "## Is your work in the training data?",
        "",
        "Paste a passage or upload a file on the lookup page of `clearlm serve` or `clearlm explore -w WS` "
        "(or run `clearlm lookup -w WS FILE`): it answers with exact, near-duplicate and verbatim matches, "
        "the decision and licence of each, and the releases that used it. Its opt-out form records your "
        "request in the ledger; a revoked document is refused by the release gate for every later "
        f"release. Contact: {md_text(facts.release.contact or facts.release.provider)}.",
    ]
    return "\n".join(lines) + "\n"


def write_model_card(facts: ReleaseFacts, licence: ModelLicense, out_dir: Path) -> list[Path]:
    card, chart = Path(out_dir) / CARD_FILE, Path(out_dir) / CHART_FILE
    atomic_write_bytes(chart, data_mix_png(facts))
    atomic_write_text(card, card_markdown(facts, licence))
    return [card, chart]
