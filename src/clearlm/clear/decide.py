"""Combine every detector's signals into one decision under the policy. Deny by default.

Rules, in order:
1. any deny signal (copyright.*, optout.*, piracy.*, registry.match, contract.expired,
   contract.out-of-scope, revoked, a licence the policy does not admit) → deny, with every deny
   reason; allow signals stay in the evidence so a person sees the whole picture;
2. otherwise any allow signal (an admitted licence, source.gutenberg, contract.<id>, first-party)
   → allow, with the licence expression and the obligations that travel with the data;
3. otherwise → deny license.unknown: no positive evidence of a right, no training.
"""

from __future__ import annotations

import fnmatch
from dataclasses import asdict
from typing import Any

from clearlm.clear.policy import Policy
from clearlm.clear.signals import Signal
from clearlm.pipeline.step import Verdict
from clearlm.reasons import (
    CONTRACT_PREFIX,
    FIRST_PARTY,
    LICENSE_CC0,
    LICENSE_CC_BY,
    LICENSE_CC_BY_SA,
    LICENSE_NO_DERIVATIVES,
    LICENSE_NON_COMMERCIAL,
    LICENSE_NOT_ALLOWED,
    LICENSE_OPEN_SOURCE,
    LICENSE_PUBLIC_DOMAIN,
    LICENSE_UNKNOWN,
    SOURCE_GUTENBERG,
)

ALLOW_LICENSE_CODES = {
    LICENSE_PUBLIC_DOMAIN,
    LICENSE_CC0,
    LICENSE_CC_BY,
    LICENSE_CC_BY_SA,
    LICENSE_OPEN_SOURCE,
}
DENY_PREFIXES = ("copyright.", "optout.", "piracy.", "registry.", "revoked", "clear.", "input.")
DENY_CODES = {"contract.expired", "contract.out-of-scope", LICENSE_NOT_ALLOWED, LICENSE_UNKNOWN}


def license_admitted(signal: Signal, policy: Policy) -> bool:
    """Whether the policy's allow-list admits this licence signal's SPDX expression."""
    if signal.code in (LICENSE_PUBLIC_DOMAIN, LICENSE_CC0) and not signal.license:
        return True
    expression = signal.license or ""
    # Every licence named in the expression must be admitted ("A AND B" needs both; for "A OR B"
    # admitting one would do, but being strict costs little and avoids parsing surprises).
    names = [
        n for n in expression.replace("(", " ").replace(")", " ").split() if n not in ("AND", "OR", "WITH")
    ]
    if not names:
        return False
    for name in names:
        if "exception" in name.lower():
            continue
        patterns = policy.allow_licenses
        ok = any(fnmatch.fnmatchcase(name, p) for p in patterns if p != "@osi")
        if not ok and "@osi" in patterns and signal.code == LICENSE_OPEN_SOURCE:
            ok = True
        if not ok:
            return False
    return True


def classify(signal: Signal, policy: Policy) -> str:
    """'allow', 'deny' or 'info' for one signal under the policy."""
    code = signal.code
    if code == LICENSE_NON_COMMERCIAL:
        return "allow" if policy.allow_non_commercial else "deny"
    if code == LICENSE_NO_DERIVATIVES:
        return "allow" if policy.allow_no_derivatives else "deny"
    if code in ALLOW_LICENSE_CODES:
        return "allow" if license_admitted(signal, policy) else "deny"
    if code in DENY_CODES or code.startswith(DENY_PREFIXES):
        return "deny"
    if code == SOURCE_GUTENBERG:
        return "allow" if policy.allow_gutenberg else "info"
    if code == FIRST_PARTY or code.startswith(CONTRACT_PREFIX):
        return "allow"
    return "info"


def decide(signals: list[Signal], policy: Policy) -> Verdict:
    """One clearance verdict from all signals; evidence lists every signal with its class."""
    classes = [classify(s, policy) for s in signals]
    denies = sorted({_deny_code(s, c, policy) for s, c in zip(signals, classes, strict=True) if c == "deny"})
    allows = [s for s, c in zip(signals, classes, strict=True) if c == "allow"]
    evidence: dict[str, Any] = {
        "policy": policy.name,
        "signals": [{**asdict(s), "class": c} for s, c in zip(signals, classes, strict=True)],
    }
    if denies:
        return Verdict("deny", tuple(denies), evidence)
    if not allows:
        return Verdict("deny", (LICENSE_UNKNOWN,), evidence)
    licenses = sorted({s.license for s in allows if s.license})
    evidence["license"] = " AND ".join(f"({x})" if " " in x else x for x in licenses) or None
    evidence["obligations"] = sorted({o for s in allows for o in s.obligations})
    return Verdict("allow", tuple(sorted({s.code for s in allows})), evidence)


def _deny_code(signal: Signal, cls: str, policy: Policy) -> str:
    # An allow-side licence code the policy does not admit is reported as license.not-allowed.
    if signal.code in ALLOW_LICENSE_CODES:
        return LICENSE_NOT_ALLOWED
    return signal.code
