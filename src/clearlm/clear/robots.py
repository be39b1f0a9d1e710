"""Host-wide opt-out files: robots.txt (RFC 9309 + AI-usage lines) and TDMRep's tdmrep.json.

Access (Allow/Disallow) is decided by `protego`; this module adds what protego does not expose:
which group a user agent falls into (a named group or `*`), the Disallow line that matched (for
evidence), and the preference lines that live in robots.txt groups — IETF AI preferences
`Content-Usage: <path> train-ai=n` (draft-ietf-aipref-attach) and Cloudflare's
`Content-Signal: search=yes, ai-train=no`.

RFC 9309 §2.3.1: a 2xx body holds the rules; 4xx (and an unfollowed 3xx) means no rules, crawl
freely; 5xx or an unreachable server means complete disallow.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from protego import Protego

from clearlm.clear.aipref import parse_preferences, refuses_ai_train_signal, refuses_training
from clearlm.clear.signals import Signal
from clearlm.reasons import OPTOUT_CONTENT_SIGNAL, OPTOUT_CONTENT_USAGE, OPTOUT_ROBOTS, OPTOUT_TDMREP

_AGENT_FIELDS = ("user-agent", "useragent", "user agent")
PREFERENCE_FIELDS = ("content-usage", "content-signal")


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL (host lower-cased, default port dropped)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".")
    default = 80 if scheme == "http" else 443
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def path_of(url: str) -> str:
    """The path and query of a URL, as robots.txt rules match it ("/" when empty)."""
    parts = urlsplit(url.strip())
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = unquote(pattern[:-1] if anchored else pattern)
    return re.compile(".*".join(re.escape(part) for part in body.split("*")) + (r"\Z" if anchored else ""))


def pattern_matches(pattern: str, path: str) -> bool:
    """RFC 9309 §2.2.3 matching: a prefix match where `*` is any run of characters and a final
    `$` anchors the end. TDMRep's tdmrep.json locations use the same syntax."""
    return _pattern_regex(pattern).match(unquote(path)) is not None


@dataclass
class Group:
    """One robots.txt group: its user-agent tokens (lower case) and its rule lines."""

    agents: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (field, value), comments removed


def parse_groups(body: str) -> tuple[list[Group], Group]:
    """The groups of a robots.txt, and a pseudo-group of preference lines found before any group."""
    groups: list[Group] = []
    loose = Group(agents=["*"])
    current: Group | None = None
    for raw in body.lstrip("\ufeff").splitlines():
        line = raw.split("#", 1)[0].strip()
        name, colon, value = line.partition(":")
        if not colon:
            continue
        name, value = name.strip().lower(), value.strip()
        if name in ("sitemap", "host"):
            continue  # site-wide lines: not part of any group (RFC 9309 §2.2.4)
        if name in _AGENT_FIELDS:
            if current is None or current.lines:
                current = Group()
                groups.append(current)
            if value:
                current.agents.append(value.lower())
        elif current is not None:
            current.lines.append((name, value))
        elif name in PREFERENCE_FIELDS:
            loose.lines.append((name, value))
    return groups, loose


def _token_matches(token: str, agent: str) -> bool:
    # Like protego: the group's product token inside our user-agent string, at a token boundary.
    index = agent.find(token)
    while index != -1:
        if index == 0 or not (agent[index - 1].isalnum() or agent[index - 1] in "-_"):
            return True
        index = agent.find(token, index + 1)
    return False


class RobotsFile:
    """One host's robots.txt response, parsed once, asked about many URLs."""

    def __init__(self, url: str, body: str, status: int | None = 200) -> None:
        self.url = url
        self.status = status
        # No status means it could not be fetched: RFC 9309 treats that like 5xx.
        self.unreachable = status is None or status < 100 or status >= 500
        self.has_rules = status is not None and 200 <= status < 300
        self.parser = Protego.parse(body.lstrip("\ufeff") if self.has_rules else "")
        self.groups, self.loose = parse_groups(body) if self.has_rules else ([], Group())
        self._selected: dict[str, tuple[list[Group], bool]] = {}

    def select(self, agent: str) -> tuple[list[Group], bool]:
        """The groups that apply to `agent` (all groups of the best-matching named token, else the
        `*` groups), and whether the agent is named rather than falling under `*`."""
        key = agent.strip().lower()
        if key not in self._selected:
            tokens = {token for g in self.groups for token in g.agents if token != "*"}
            best = max((t for t in tokens if _token_matches(t, key)), key=len, default="")
            token = best or "*"
            self._selected[key] = ([g for g in self.groups if token in g.agents], bool(best))
        return self._selected[key]

    def disallowing_rule(self, url: str, agent: str) -> str | None:
        """The Disallow line that keeps `agent` out of `url` (longest match), for evidence."""
        path = path_of(url)
        groups, _ = self.select(agent)
        lines = [v for g in groups for name, v in g.lines if name.startswith("dis") and v]
        values = [v for v in lines if pattern_matches(v, path)]
        return f"Disallow: {max(values, key=len)}" if values else None

    def preference_lines(self, url: str, crawler: str, respected: list[str], name: str) -> list[str]:
        """Values of `name` lines (content-usage / content-signal) that apply to `url`.

        Scopes: lines outside any group, the groups our crawler falls into, and the groups that
        name a respected AI agent. In each scope the lines with the longest matching path prefix
        apply (draft-ietf-aipref-attach §3.1); a value with no leading path covers the whole site.
        """
        path = path_of(url)
        scopes: list[list[Group]] = [[self.loose], self.select(crawler)[0]]
        for agent in respected:
            groups, named = self.select(agent)
            if named and groups not in scopes:
                scopes.append(groups)
        found: list[str] = []
        for groups in scopes:
            candidates: list[tuple[int, str]] = []
            for line_name, value in (line for group in groups for line in group.lines):
                parts = value.split(None, 1)
                if line_name != name or not parts or (value.startswith("/") and len(parts) < 2):
                    continue
                pattern, statement = parts if value.startswith("/") else ("/", value)
                if pattern_matches(pattern, path):
                    candidates.append((len(pattern), statement.strip()))
            longest = max((length for length, _ in candidates), default=0)
            found.extend(statement for length, statement in candidates if length == longest)
        return found


def robots_signals(robots: RobotsFile, url: str, crawler: str, respected: list[str]) -> list[Signal]:
    """optout.robots, and optout.content-usage / optout.content-signal from robots.txt lines.

    Our crawler counts through its own group or `*`; a respected AI agent counts only where the
    file names it (a site refusing GPTBot refuses AI training, whoever crawls).
    """
    base = {"robots_url": robots.url, "url": url}
    if robots.unreachable:
        why = f"answered HTTP {robots.status}" if robots.status is not None else "was unreachable"
        rule = f"robots.txt {why}: complete disallow (RFC 9309 §2.3.1.4)"
        return [Signal(OPTOUT_ROBOTS, {**base, "agent": "*", "rule": rule, "http_status": robots.status})]
    found: list[Signal] = []
    refusing = [
        agent
        for agent in [crawler, *respected]
        if (agent == crawler or robots.select(agent)[1]) and not robots.parser.can_fetch(url, agent)
    ]
    if refusing:
        line = robots.disallowing_rule(url, refusing[0])
        found.append(Signal(OPTOUT_ROBOTS, {**base, "agent": refusing[0], "rule": line, "agents": refusing}))
    for name, label, code, refuses in (
        ("content-usage", "Content-Usage", OPTOUT_CONTENT_USAGE, refuses_training),
        ("content-signal", "Content-Signal", OPTOUT_CONTENT_SIGNAL, refuses_ai_train_signal),
    ):
        for statement in robots.preference_lines(url, crawler, respected, name):
            refusal = refuses(parse_preferences(statement))
            if refusal:
                found.append(Signal(code, {**base, "rule": f"{label}: {statement}", "preference": refusal}))
                break
    return found


def parse_tdmrep(body: str) -> list[dict[str, Any]]:
    """The rules of a tdmrep.json (a JSON array of {location, tdm-reservation, tdm-policy});
    ValueError when it is not JSON or holds no usable rule."""
    data = json.loads(body)
    rules = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    usable = [r for r in rules if isinstance(r, dict) and isinstance(r.get("location"), str)]
    if not usable:
        raise ValueError("no entry with a 'location'")
    return usable


def tdmrep_signals(file_url: str, rules: list[dict[str, Any]], url: str) -> list[Signal]:
    """optout.tdmrep when the first location matching the URL's path reserves TDM rights."""
    path = path_of(url)
    for rule in rules:
        location = "/" + re.sub(r"^https?://[^/]+", "", rule["location"].strip()).lstrip("/")
        if pattern_matches(location, path):
            if rule.get("tdm-reservation") not in (1, "1", True):
                return []
            evidence = {"tdmrep_url": file_url, "location": rule["location"], "tdm-reservation": 1}
            evidence["url"] = url
            if rule.get("tdm-policy"):
                evidence["tdm_policy"] = str(rule["tdm-policy"])
            return [Signal(OPTOUT_TDMREP, evidence)]
    return []
