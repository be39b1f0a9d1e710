"""Opt-out detection: every machine-readable and written way a rights holder says "not for AI".

- `optout.robots`: the host's robots.txt disallows the URL for our crawler (its own group, else `*`)
  or for an AI agent the policy respects that the file names; 5xx/unreachable disallows everything.
- `optout.tdmrep`: W3C TDMRep — `tdm-reservation: 1` header, `<meta name="tdm-reservation">`, or the
  host's `/.well-known/tdmrep.json` (the first matching location applies).
- `optout.noai`: `noai` in `<meta name="robots">` (or a respected agent's name) or `X-Robots-Tag`.
- `optout.content-usage`: IETF AI preferences refusing training (header, or robots.txt line).
- `optout.content-signal`: Cloudflare `Content-Signal: ai-train=no` (header, or robots.txt line).
- `optout.ai-clause`: a written notice that this work may not be used to train AI (`find_ai_clause`).

`OptoutContext` holds per-host evidence fed in before documents are checked; `detect_optouts` is
cheap per document (the text scan only reads the first and last 30 KB of long texts).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from clearlm import reasons
from clearlm.clear.ai_clause import find_ai_clause
from clearlm.clear.aipref import parse_preferences, refuses_ai_train_signal, refuses_training
from clearlm.clear.policy import Policy
from clearlm.clear.robots import RobotsFile, origin_of, parse_tdmrep, path_of, robots_signals, tdmrep_signals
from clearlm.clear.signals import Signal, span_evidence
from clearlm.pipeline.document import Document

__all__ = ["TDMREP_PATH", "OptoutContext", "detect_optouts", "doc_url", "find_ai_clause"]

TDMREP_PATH = "/.well-known/tdmrep.json"


class OptoutContext:
    """Per-host opt-out evidence (robots.txt, tdmrep.json), built once, consulted per document."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.crawler = policy.crawler_user_agent
        self.respected = list(policy.respect_agents)
        # <meta name=...> and X-Robots-Tag prefixes whose `noai` concerns us.
        self.noai_names = {"robots", "*", self.crawler.lower(), *(a.lower() for a in self.respected)}
        self.robots: dict[str, RobotsFile] = {}
        self.tdmrep: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        # Evidence that could not be used (a malformed tdmrep.json …), for a person to look at.
        self.notes: list[dict[str, str]] = []

    def add_document(self, doc: Document) -> None:
        """Take a robots.txt (kind "robots") or /.well-known/tdmrep.json response; ignore the rest."""
        url = str(doc.meta.get("target_uri") or doc.source)
        raw = doc.meta.get("http_status")
        status = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else 200
        if doc.kind == "robots":
            self.add_robots(url, doc.text, status)
        elif origin_of(url) and path_of(url).split("?")[0] == TDMREP_PATH:
            self.add_tdmrep(url, doc.text, status)

    def add_robots(self, robots_url: str, body: str, status: int | None = 200) -> None:
        origin = origin_of(robots_url)
        if origin is None:
            return
        if status is not None and 300 <= status < 400 and origin in self.robots:
            return  # an unfollowed redirect says nothing; keep what we have
        self.robots[origin] = RobotsFile(robots_url, body, status)

    def add_tdmrep(self, url: str, body: str, status: int = 200) -> None:
        origin = origin_of(url)
        if origin is None or not 200 <= status < 300:
            return  # no file: the host does not use this TDMRep technique
        try:
            self.tdmrep[origin] = (url, parse_tdmrep(body))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            self.notes.append({"url": url, "problem": f"tdmrep.json ignored: {exc}"})

    def for_host(self, table: dict[str, Any], url: str) -> Any:
        """The entry for the URL's scheme/host/port; else for the same host under the other scheme
        (http <-> https on default ports), the next best evidence about the same site."""
        origin = origin_of(url)
        if origin is None or origin in table:
            return table.get(origin or "")
        scheme, rest = origin.split("://", 1)
        return None if ":" in rest else table.get(("https" if scheme == "http" else "http") + "://" + rest)


def detect_optouts(doc: Document, ctx: OptoutContext) -> list[Signal]:
    """One Signal per opt-out found in the document, its headers, or its host's evidence files."""
    if doc.kind == "robots":
        return []
    headers = [(str(n).strip(), str(v).strip()) for n, v in doc.meta.get("http_headers") or []]
    is_html = "html" in doc.mime.lower() or doc.text[:300].lstrip()[:9].lower().startswith(
        ("<!doctype", "<html")
    )
    signals = _field_signals(headers, ctx, lambda name, value: {"header": f"{name}: {value}"})
    if is_html:
        signals += _meta_signals(doc.text, ctx)
    url = doc_url(doc)
    if (robots := ctx.for_host(ctx.robots, url)) is not None:
        signals += robots_signals(robots, url, ctx.crawler, ctx.respected)
    if (tdmrep := ctx.for_host(ctx.tdmrep, url)) is not None:
        signals += tdmrep_signals(tdmrep[0], tdmrep[1], url)
    clause = find_ai_clause(doc.text, is_html)
    if clause is not None:
        signals.append(Signal(reasons.OPTOUT_AI_CLAUSE, span_evidence(clause[1], clause[0])))
    return signals


def doc_url(doc: Document) -> str:
    """Where the document was fetched from: the WARC target, an http(s) source, or a record's
    `url` field (JSONL/Parquet web dumps)."""
    fields = doc.meta.get("fields")
    record_url = fields.get("url") if isinstance(fields, dict) else None
    if doc.meta.get("target_uri") or origin_of(doc.source) or not isinstance(record_url, str):
        return str(doc.meta.get("target_uri") or doc.source)
    return record_url


def _field_signals(
    fields: list[tuple[str, str]], ctx: OptoutContext, evidence: Callable[[str, str], dict[str, Any]]
) -> list[Signal]:
    """Signals from HTTP header fields (or their `<meta http-equiv>` copies)."""
    found: list[Signal] = []
    policy_url = next((v for n, v in fields if n.lower() == "tdm-policy" and v), None)
    for raw_name, value in fields:
        name, ev = raw_name.lower(), evidence(raw_name, value)
        if name == "tdm-reservation" and value == "1":
            found.append(
                Signal(reasons.OPTOUT_TDMREP, {**ev, **({"tdm_policy": policy_url} if policy_url else {})})
            )
        elif name == "x-robots-tag" and _noai(value, ctx):
            found.append(Signal(reasons.OPTOUT_NOAI, ev))
        elif name == "content-usage" and (refusal := refuses_training(parse_preferences(value))):
            found.append(Signal(reasons.OPTOUT_CONTENT_USAGE, {**ev, "preference": refusal}))
        elif name == "content-signal" and (refusal := refuses_ai_train_signal(parse_preferences(value))):
            found.append(Signal(reasons.OPTOUT_CONTENT_SIGNAL, {**ev, "preference": refusal}))
    return found


_AGENT_PREFIX = re.compile(r"([A-Za-z0-9_.*-]+)\s*:\s*(.*)\Z", re.DOTALL)
# X-Robots-Tag directives whose value has a colon of its own (not a user-agent prefix).
_VALUED_DIRECTIVES = {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}


def _noai(value: str, ctx: OptoutContext) -> bool:
    """`noai` in an X-Robots-Tag value, for everyone or after one of our agents' names
    ("GPTBot: noai"); a prefix applies to the directives after it."""
    agent: str | None = None
    for piece in value.split(","):
        prefixed = _AGENT_PREFIX.match(piece.strip())
        if prefixed and prefixed.group(1).lower() not in _VALUED_DIRECTIVES:
            agent, piece = prefixed.group(1).lower(), prefixed.group(2)
        if "noai" in piece.lower().split() and (agent is None or agent in ctx.noai_names):
            return True
    return False


_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")


def _meta_signals(text: str, ctx: OptoutContext) -> list[Signal]:
    head_end = text.find("</head")
    if head_end == -1:
        head_end = text.find("</HEAD")
    found: list[Signal] = []
    metas: list[tuple[re.Match[str], dict[str, str]]] = []
    for tag in _META_TAG.finditer(text, 0, head_end if head_end != -1 else 200_000):
        attrs = {
            m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "").strip() for m in _ATTR.finditer(tag[0])
        }
        metas.append((tag, attrs))
        if "http-equiv" in attrs:  # a header written into the page
            for s in _field_signals([(attrs["http-equiv"], attrs.get("content", ""))], ctx, lambda n, v: {}):
                found.append(Signal(s.code, {**span_evidence(text, tag), **s.evidence}))
    named = [(tag, a["name"].lower(), a.get("content", "")) for tag, a in metas if "name" in a]
    policy_urls = [c for _, n, c in named if n == "tdm-policy" and c]
    policy = {"tdm_policy": policy_urls[0]} if policy_urls else {}
    for tag, name, content in named:
        if name == "tdm-reservation" and content == "1":
            found.append(Signal(reasons.OPTOUT_TDMREP, span_evidence(text, tag, **policy)))
        elif name in ctx.noai_names and "noai" in re.split(r"[\s,]+", content.lower()):
            found.append(Signal(reasons.OPTOUT_NOAI, span_evidence(text, tag)))
    return found
