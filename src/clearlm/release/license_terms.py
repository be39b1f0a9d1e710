"""The terms the weights can be published under, given the licences of the documents they learned from.

The publisher asks for a licence (`[release] license`); the training data can narrow it:

- non-commercial data (only a research policy admits it) makes the weights non-commercial;
- share-alike data (CC BY-SA, any version): whether trained weights are an adaptation of their
  training data is legally open. clearlm takes the cautious reading that they are, and offers the
  weights under CC BY-SA 4.0 — every BY-SA version lets adaptations use a later version — with the
  reasoning written into LICENSE so a publisher with other advice can see what to change;
- no-derivatives data must never reach training (the gate refuses it); finding any here is a bug
  upstream, so it raises instead of publishing.

Attribution (CC BY) and open-source notices do not change the licence: ATTRIBUTION.md carries them
and must travel with the weights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clearlm.errors import CheckFailed
from clearlm.release.facts import ReleaseFacts, TrainedDoc

# Licence ids the Hugging Face Hub knows (hf.co/docs/hub/repositories-licenses); others are "other".
_HF_IDS = """
apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda
cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0
cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0
cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0
etalab-2.0 eupl-1.1 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc lppl-1.3c ms-pl
mpl-2.0 odc-by odbl openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl
"""
HF_LICENSES = frozenset(_HF_IDS.split())
# Hub ids whose SPDX spelling is not just the upper-cased id.
_SPDX_SPELLING = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "cc0-1.0": "CC0-1.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "artistic-2.0": "Artistic-2.0",
    "unlicense": "Unlicense",
    "isc": "ISC",
    "zlib": "Zlib",
    "postgresql": "PostgreSQL",
    "ofl-1.1": "OFL-1.1",
}
_CC = re.compile(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-(\d\.\d)(?:-([A-Z]{2,3}))?$", re.IGNORECASE)
_COPYLEFT = re.compile(r"^(A?GPL|LGPL|MPL|EPL|EUPL|OSL|CDDL)-", re.IGNORECASE)
SHARE_ALIKE_TARGET = "CC-BY-SA-4.0"


class LicenceConflict(CheckFailed):
    """Training data whose licence forbids any model at all (no-derivatives): the gate should have refused."""


@dataclass(frozen=True)
class ModelLicense:
    """The weights' licence: SPDX id, the HF `license` value, and why the data made it so."""

    spdx: str
    hf: str  # a Hub licence id, or "other" (then the card adds license_name and license_link)
    requested: str  # what `[release] license` asked for
    restrictions: tuple[str, ...]
    reasoning: tuple[str, ...]
    non_commercial: tuple[TrainedDoc, ...] = ()
    share_alike: tuple[TrainedDoc, ...] = ()

    @property
    def commercial_use(self) -> bool:
        return "-NC" not in self.spdx.upper()

    @property
    def url(self) -> str:
        return deed_url(self.spdx)

    def front_matter(self) -> dict[str, str]:
        """The HF model-card metadata keys for this licence."""
        if self.hf != "other":
            return {"license": self.hf}
        name = re.sub(r"[^a-z0-9.]+", "-", self.spdx.lower()).strip("-") or "custom"
        return {"license": "other", "license_name": name, "license_link": "LICENSE"}


def deed_url(license_id: str) -> str:
    """Where a licence's text lives: the CC deed, else the SPDX page; "" for a LicenseRef."""
    if license_id.upper() == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    cc = _CC.match(license_id)
    if cc:
        port = f"{cc.group(3).lower()}/" if cc.group(3) else ""
        return f"https://creativecommons.org/licenses/{cc.group(1).lower()}/{cc.group(2)}/{port}"
    if not license_id or license_id.startswith("LicenseRef-"):
        return ""
    if license_id == license_id.lower() and license_id not in HF_LICENSES:
        return ""  # a reason code standing in for a licence (first-party, contract.<id>, canary …)
    return f"https://spdx.org/licenses/{_SPDX_SPELLING.get(license_id.lower(), license_id)}.html"


def is_non_commercial(doc: TrainedDoc) -> bool:
    return "-NC" in doc.license.upper() or "non-commercial" in doc.obligations


def is_share_alike(doc: TrainedDoc) -> bool:
    return "-SA" in doc.license.upper() or "share-alike" in doc.obligations


def is_no_derivatives(doc: TrainedDoc) -> bool:
    return "-ND" in doc.license.upper() or "no-derivatives" in doc.obligations


def model_license(facts: ReleaseFacts) -> ModelLicense:
    """The configured licence, narrowed by the non-commercial and share-alike data the model saw."""
    docs = [d for d in facts.docs if not d.canary]
    banned = [d for d in docs if is_no_derivatives(d)]
    if banned:
        listed = ", ".join(f"{d.doc_id} ({d.license or d.basis})" for d in banned[:10])
        raise LicenceConflict(
            f"{len(banned)} trained document(s) under a no-derivatives licence: {listed}; "
            "no model may be made from them (the release gate should have refused)"
        )
    requested = facts.release.license.strip() or "other"
    nc = tuple(d for d in docs if is_non_commercial(d))
    sa = tuple(d for d in docs if is_share_alike(d))
    asked = _SPDX_SPELLING.get(
        requested.lower(), requested.upper() if requested.lower() in HF_LICENSES else requested
    )
    reasoning = [f"The publisher asked for {requested}."]
    if nc and sa:
        spdx = "CC-BY-NC-SA-4.0"
    elif nc:
        spdx = asked if "-NC" in asked.upper() else "CC-BY-NC-4.0"
    elif sa:
        spdx = SHARE_ALIKE_TARGET
    else:
        spdx = asked
        reasoning.append(
            "No training document carries a non-commercial or share-alike condition, so that licence stands."
        )
    if sa:
        reasoning.append(_share_alike_reason(sa))
    if nc:
        reasoning.append(
            f"{len(nc)} training document(s) are under non-commercial licences, admitted by the research "
            f"policy {facts.policy.get('name', '')!r}. Their terms forbid commercial use of what is made "
            "from them, so the weights may be used only for non-commercial purposes."
        )
    if nc and any(not is_non_commercial(d) for d in sa):
        reasoning.append(
            "Conflict: CC BY-SA asks that adaptations be shared under BY-SA, which permits commercial use, "
            "while the non-commercial documents forbid it; no licence meets both in full. The weights carry "
            "CC BY-NC-SA 4.0, the narrowest terms that keep the conditions of both; retraining without "
            "one of the two groups removes the conflict."
        )
    copyleft = sorted({d.license for d in docs if _COPYLEFT.match(d.license)})
    if copyleft:
        reasoning.append(
            f"Some training code is under copyleft open-source licences ({', '.join(copyleft)}); if weights "
            "are a derivative work their terms may reach the model. They are named in ATTRIBUTION.md."
        )
    hf = spdx.lower() if spdx.lower() in HF_LICENSES else "other"
    return ModelLicense(spdx, hf, requested, tuple(_restrictions(docs, nc, sa)), tuple(reasoning), nc, sa)


def _share_alike_reason(sa: tuple[TrainedDoc, ...]) -> str:
    versions = ", ".join(sorted({d.license or d.basis for d in sa}))
    return (
        f"{len(sa)} training document(s) are under share-alike licences ({versions}). Whether trained "
        "weights are an adaptation of their training data is not settled in law. If they are, BY-SA requires "
        "adaptations to be shared under the same or a compatible licence, so the weights are offered under "
        "CC BY-SA 4.0, which every BY-SA version permits for adaptations (its later-version clause). A "
        "publisher advised that weights are not an adaptation can see here exactly which documents decide it."
    )


def _restrictions(
    docs: list[TrainedDoc], nc: tuple[TrainedDoc, ...], sa: tuple[TrainedDoc, ...]
) -> list[str]:
    found = []
    if nc:
        found.append(
            f"Non-commercial use only (non-commercial training documents: {len(nc)}, listed in LICENSE)."
        )
    if sa:
        found.append(
            "Share-alike: copies and adaptations of the weights must be shared under CC BY-SA 4.0 or a "
            f"compatible licence (share-alike training documents: {len(sa)}, listed in LICENSE)."
        )
    credited = sum(1 for d in docs if "attribution" in d.obligations)
    if credited:
        found.append(
            f"Attribution: keep ATTRIBUTION.md with the weights; it credits {credited} training documents."
        )
    notices = sum(1 for d in docs if "license-notice" in d.obligations)
    if notices:
        found.append(f"Notices: keep ATTRIBUTION.md's open-source licence notices (documents: {notices}).")
    return found


def license_text(facts: ReleaseFacts, licence: ModelLicense) -> str:
    """The LICENSE file: the terms, the restrictions, the reasoning, and the documents behind them."""
    lines = [
        f"{facts.name}: licence of the model weights",
        "",
        f"The weights, tokenizer and configuration in this folder are released under {licence.spdx}.",
        f"Full text: {licence.url}"
        if licence.url
        else f"Full text: as {facts.release.provider} publishes it.",
        "",
        "Restrictions that follow from the training data:",
        *[f"  - {r}" for r in licence.restrictions or ("None beyond the licence itself.",)],
        "",
        "Why these terms:",
        *[f"  - {r}" for r in licence.reasoning],
    ]
    for title, docs in (("Non-commercial", licence.non_commercial), ("Share-alike", licence.share_alike)):
        if docs:
            lines += ["", f"{title} training documents ({len(docs)}):"]
            lines += [f"  - {d.doc_id}  {d.license or d.basis}  {_plain(d.source)}" for d in docs]
    lines += [
        "",
        "Credits and licence notices: ATTRIBUTION.md. Where the data came from and how it was cleared:",
        "training-data-summary.md. Any document's history: clearlm ledger explain -w WS DOC_ID.",
        "These terms follow from the licences recorded in the training ledger; they are not legal advice.",
    ]
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    """One line of printable text (LICENSE is plain text: no markup to escape, only control characters)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
