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
from collections.abc import Callable, Iterator
from typing import Any

from clearlm import reasons
from clearlm.clear.policy import Policy
from clearlm.clear.robots import (
    RobotsFile,
    origin_of,
    parse_preferences,
    parse_tdmrep,
    path_of,
    refuses_ai_train_signal,
    refuses_training,
    robots_signals,
    tdmrep_signals,
)
from clearlm.clear.signals import Signal, span_evidence
from clearlm.pipeline.document import Document

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


# --- written notices ("may not be used to train artificial intelligence") -----------------------

SCAN_CHARS = 30_000  # notices sit on the copyright page or in a footer: scan head and tail only
# Words that put a sentence on the subject of AI, found with str.find (Python regexes over whole
# windows are ~20x slower): lower-case keywords, and acronyms whose case matters.
# Each is one pass over the window; a keyword with a `verify` tail/head only counts where it fits.
_KEYWORDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("artificial", (), ()),
    ("achine", (" learning", "-learning"), ()),  # machine learning
    ("mining", (), ("data ", "data-")),  # (text and) data mining
    ("language model", (), ()),
    ("generative", (), ()),
    ("neural net", (), ()),
    ("article 4", (), ()),
    ("chatbot", (), ()),
)
_ACRONYMS = ("AI", "A.I", "TDM", "LLM", "GPT")
_AI_TERM = re.compile(  # the same, for the rare window whose lower-casing changes its length
    r"(?i:artificial|machine[\s-]learning|language\smodel|generative|neural\snet|data[\s-]mining|article\s4"
    r"|chatbot)|\bA\.?I\b|\bGenAI\b|\bTDM\b|\bLLMs?\b|\bGPT"
)
# A restriction: "may not be used", "no part of", "prohibited", "do not consent", "reserve" …
_RESTRICT = re.compile(
    r"\b(?:may|must|shall)\s*(?:not|n[’']t)\s+(?:\w+\s+){0,3}?(?:be\s+)?(?:used?|reproduced?|cop(?:y|ied)|includ"
    r"|incorporat|ingest|scrap|fed|feed|min|exploit|utili[sz]|train|process|analy[sz]|employ|harvest|collect|licen[sc])"
    r"|\bno\s+(?:[\w-]+\s+){1,5}?may\s+be\s+(?:used|reproduced)|\bnot\s+(?:to\s+)?be\s+used\b|\bnot\s+for\s+(?:use"
    r"|training|reuse)\b|\bprohibit|\bforbid|\bnot\s+(?:permitted|allowed|authori[sz]ed|licen[sc]ed)\b"
    r"|\bdo(?:es)?\s+not\s+(?:consent|permit|authori[sz]e|allow|agree|licen[sc]e|grant|wish)"
    r"|\b(?:do\s+not|don[’']t|never)\s+(?:use|train|scrape|feed|include|mine|ingest)\b|\bwithout\s+(?:\w+\s+){0,4}?"
    r"(?:permission|consent|authori[sz]ation|licen[cs]e)|\breserv(?:e|es|ed|ing|ation)\b|\bopt(?:s|ed)?[\s-]+out"
    r"|\bexclud|\b(?:agree|undertake)s?\s+not\s+to\b",
    re.IGNORECASE,
)
# …of using the work to train or mine: "to train", "for training AI", "AI training", "for AI", "data mining" …
_TRAINING = re.compile(
    r"\b(?:to|for|in|of|from)\s+(?:the\s+)?(?:purposes?\s+of\s+)?[\"“‘']?(?:train|fine[\s-]?tun|develop|build|creat"
    r"|improv|teach)|\btrain(?:ing|ed)?\s+(?:of\s+)?(?:an?\s+|any\s+|the\s+)?(?:AI|A\.I|artificial|machine|generative"
    r"|large|language|LLM|neural|models?|algorithms?|systems?|chatbots?|GPT)|\b(?:AI|A\.I\.?|model|LLM|ML)\s+training"
    r"|\b(?:data|text)[\s-]+(?:and\s+data[\s-]+)?mining|\bTDM\b|\bscrap(?:e|ed|ing)\b|\bingest|\b(?:by|for|in|into"
    r"|with|to)\s+(?:any\s+)?(?:AI|A\.I\.|artificial\s+intelligence|generative|machine[\s-]+learning|LLMs?"
    r"|large\s+language|language\s+models?)\b|\b(?:in|into)\s+(?:any\s+)?(?:\w+\s+)?(?:training\s+)?(?:datasets?"
    r"|data\s+sets?|corpus|corpora)\b",
    re.IGNORECASE,
)
# …said about this work by its owner, not about notices in general.
_SELF = re.compile(
    r"\b(?:this|these)\s+(?:[\w-]+\s+)?(?:book|work|publication|title|text|content|(?:web)?site|web\s+site|page"
    r"|article|zine|issue|magazine|journal|newsletter|stor(?:y|ies)|post|blog|document|material|edition|volume"
    r"|novel|collection|e-?book|manuscript|paper|report|recording|podcast|anthology|poem|essay|chapter|image"
    r"|photograph|database|dataset|repository|code|software|file|domain)s?\b|\bno\s+part\s+of\b|\bhere(?:in|on)\b"
    r"|\b(?:our|my)\s+(?:[\w-]+\s+)?(?:content|works?|writing|(?:web)?sites?|articles?|books?|journalism|publications?"
    r"|materials?|posts?|texts?|data|pages?|stories|images?|photos?|art|music|code)\b|\b(?:the|its|our)\s+(?:authors?"
    r"|publishers?|contributors?|creators?|editors?|copyright\s+(?:owner|holder)s?|rights?\s*holders?)\s+(?:and\s+\w+"
    r"\s+)?(?:do(?:es)?\s+not|expressly|hereby|reserves?|prohibits?|forbids?|objects?|opts?)\b|^\s*(?:please\s+)?"
    r"(?:do\s+not|don[’']t)\b|\b(?:we|I)\s+(?:do\s+not|don[’']t|expressly|hereby|reserve|prohibit|object|opt)\b",
    re.IGNORECASE,
)
_COPYRIGHT_PAGE = re.compile(
    r"©|\(c\)\s*(?:19|20)\d\d|\bcopyright\s+(?:©\s*)?(?:19|20)\d\d|all\s+rights\s+reserved|\bISBN", re.I
)
# Talking about such notices: "clauses saying …", "notices such as …", "for example: …".
_DISCUSSION = re.compile(
    r"\b(?:saying|says|stating|reads?|reading|such\s+as|e\.g\.|for\s+(?:example|instance)|clauses?|wording"
    r"|boilerplate|notices?\s+(?:like|such|saying|reading|stating|that\s+say))\b",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"\n[ \t\r]*\n")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+")
_TAG = re.compile(r"<(/?)(p|br|div|li|h\d|tr|td|section|article|footer|header|blockquote)?\b[^>]*>", re.I)


def _mask_tags(segment: str) -> str:
    """HTML with tags blanked out (block tags become paragraph breaks), offsets unchanged."""

    def blank(m: re.Match[str]) -> str:
        return ("\n\n" + " " * (len(m[0]) - 2)) if m[2] else " " * len(m[0])

    return _TAG.sub(blank, segment).replace("&nbsp;", "      ")


def find_ai_clause(text: str, is_html: bool = False) -> tuple[tuple[int, int], str] | None:
    """The first sentence that is a notice reserving this work from AI training, as ((start, end)
    in `text`, a text of the same length to quote from — tags blanked for HTML), else None."""
    n = len(text)
    windows = [(0, n)] if n <= 2 * SCAN_CHARS else [(0, SCAN_CHARS), (n - SCAN_CHARS, n)]
    for lo, hi in windows:
        anchors = _anchors(text, lo, hi)
        if not anchors:
            continue
        clean = text[:lo] + _mask_tags(text[lo:hi]) + text[hi:] if is_html else text
        for start, end in _clause_sentences(clean, lo, hi, anchors):
            span = clean[start:end]
            start, end = start + len(span) - len(span.lstrip()), end - len(span) + len(span.rstrip())
            return (start, end), clean
    return None


def _anchors(text: str, lo: int, hi: int, limit: int = 200) -> list[int]:
    """Offsets of AI terms in text[lo:hi] (at most `limit` of them)."""
    window = text[lo:hi]
    low = window.lower()
    if len(low) != len(window):
        return [m.start() for m in _AI_TERM.finditer(text, lo, hi)][:limit]
    found: list[int] = []
    for word, tails, heads in _KEYWORDS:
        i = low.find(word)
        while i != -1 and len(found) < limit:
            j = i + len(word)
            if (not tails or low.startswith(tails, j)) and (
                not heads or low[max(0, i - 5) : i].endswith(heads)
            ):
                found.append(lo + i)
            i = low.find(word, j)
    for word in _ACRONYMS:
        i = window.find(word)
        while i != -1 and len(found) < limit:
            j = i + len(word)
            before = i == 0 or not window[i - 1].isalnum() or window[max(0, i - 3) : i] == "Gen"
            if before and (j == len(window) or not window[j].isalnum() or word in ("GPT", "LLM")):
                found.append(lo + i)
            i = window.find(word, j)
    return sorted(found)


def _clause_sentences(text: str, lo: int, hi: int, anchors: list[int]) -> Iterator[tuple[int, int]]:
    seen = -1
    for p in anchors:
        if p < seen:
            continue
        para_lo = max(lo, p - 800)
        breaks = [m.end() for m in _PARAGRAPH.finditer(text, para_lo, p)]
        para_start = breaks[-1] if breaks else para_lo
        para_end = next((m.start() for m in _PARAGRAPH.finditer(text, p, min(hi, p + 800))), min(hi, p + 800))
        ends = [m.end() for m in _SENTENCE_END.finditer(text, para_start, para_end)]
        before = [e for e in ends if e <= p]
        start = before[-1] if before else para_start
        end = next((e for e in ends if e > p), para_end)
        seen = end
        sentence, context = text[start:end], text[(before[-2] if len(before) > 1 else para_start) : end]
        if not (_RESTRICT.search(sentence) and _TRAINING.search(sentence)):
            continue
        lead = text[para_start:p]
        if lead.count('"') % 2 or lead.count("“") > lead.count("”") or _DISCUSSION.search(text, start, p):
            continue  # quoted, or talking about notices rather than making one
        intro = text[max(lo, para_start - 200) : para_start].rstrip()
        if intro.endswith(":") and _DISCUSSION.search(intro):
            continue
        if (
            _SELF.search(context)
            or _SELF.match(sentence)
            or _COPYRIGHT_PAGE.search(text, max(lo, start - 400), end)
        ):
            yield start, end
