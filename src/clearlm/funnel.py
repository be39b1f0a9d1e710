"""`clearlm report`: the funnel of a run — documents, bytes and words in and out of every step, why
documents stopped, and the mix of what is left by licence — as a table, a PNG and an HTML page.

Everything comes from SQL over the workspace (the ledger and the stage outputs), so the report is
exactly what the ledger says. Sizes are those of the document as ingested (the text a step saw may
be shorter after boilerplate removal); "words" are whitespace-separated words, a stand-in for tokens
until the tokenize stage exists.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt

from clearlm.atomic import atomic_write_bytes, atomic_write_text
from clearlm.ledger.query import connect

PASSING = "('keep', 'flag', 'allow')"


@dataclass
class Funnel:
    # stage, step, docs in, docs out, MB in, MB out, words in, words out
    steps: list[tuple[str, str, int, int, float, float, int, int]]
    stopped: list[tuple[str, str, str, str, int]]  # stage, step, decision, reason, docs
    mix: list[tuple[str, int, float]]  # licence, docs, MB of the final output


def compute(ws_root: Path) -> Funnel:
    con = connect(ws_root)
    _sizes(con)
    steps = con.execute(f"""
        SELECT l.stage, l.step, count(*) AS docs_in, count(*) FILTER (decision IN {PASSING}) AS docs_out,
               sum(s.bytes) / 1e6, sum(s.bytes) FILTER (decision IN {PASSING}) / 1e6,
               sum(s.words), sum(s.words) FILTER (decision IN {PASSING})
        FROM ledger l LEFT JOIN sizes s USING (doc_id)
        GROUP BY l.stage, l.step ORDER BY min(l.seq)""").fetchall()
    stopped = con.execute(f"""
        SELECT stage, step, decision, reason, count(*) FROM
          (SELECT stage, step, decision, unnest(reasons) AS reason FROM ledger
           WHERE decision NOT IN {PASSING})
        GROUP BY ALL ORDER BY min(stage), step, 5 DESC""").fetchall()
    final = _final_view(con)
    mix: list[tuple[str, int, float]] = []
    if final:
        mix = con.execute(f"""
            SELECT coalesce(json_extract_string(meta, '$.license'),
                            json_extract_string(meta, '$.clear_reasons[0]'), 'unknown') AS licence,
                   count(*), sum(strlen(text)) / 1e6
            FROM {final} GROUP BY 1 ORDER BY 3 DESC""").fetchall()
    return Funnel([tuple(r) for r in steps], [tuple(r) for r in stopped], [tuple(r) for r in mix])  # type: ignore[misc]


def _sizes(con: duckdb.DuckDBPyConnection) -> None:
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if "ingest" in views:
        con.execute("""CREATE TEMP TABLE sizes AS SELECT doc_id, strlen(text) AS bytes,
                       len(string_split_regex(trim(text), '\\s+')) AS words FROM ingest""")
    else:
        con.execute("CREATE TEMP TABLE sizes (doc_id VARCHAR, bytes BIGINT, words BIGINT)")


def _final_view(con: duckdb.DuckDBPyConnection) -> str | None:
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    for name in ("curate", "clear"):
        if name in views:
            return name
    return None


def chart_png(funnel: Funnel) -> bytes:
    """Two panels: documents through every step, and the final mix by licence (MB)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, max(3.5, 0.42 * len(funnel.steps) + 1.5)))
    labels = [f"{stage}/{step}" for stage, step, *_ in funnel.steps]
    docs_in = [row[2] for row in funnel.steps]
    docs_out = [row[3] for row in funnel.steps]
    y = range(len(labels))
    left.barh(y, docs_in, color="#d9d9d9", label="in")
    left.barh(y, docs_out, color="#3b7dd8", label="out")
    left.set_yticks(list(y), labels)
    left.invert_yaxis()
    left.set_xlabel("documents")
    left.set_title("documents through each step")
    left.legend(loc="lower right")
    mix = funnel.mix[:15]
    right.barh(range(len(mix)), [m[2] for m in mix], color="#4caf7a")
    right.set_yticks(list(range(len(mix))), [m[0] for m in mix])
    right.invert_yaxis()
    right.set_xlabel("MB of text")
    right.set_title("what is left, by licence")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def write_report(ws_root: Path, funnel: Funnel) -> tuple[Path, Path]:
    """WS/report/funnel.png and funnel.html (self-contained: the chart is embedded)."""
    png = chart_png(funnel)
    folder = ws_root / "report"
    atomic_write_bytes(folder / "funnel.png", png)
    rows = "".join(
        f"<tr><td>{html.escape(s)}</td><td>{html.escape(t)}</td><td>{i}</td><td>{o}</td>"
        f"<td>{(mi or 0):.2f}</td><td>{(mo or 0):.2f}</td><td>{wi or 0}</td><td>{wo or 0}</td></tr>"
        for s, t, i, o, mi, mo, wi, wo in funnel.steps
    )
    stopped = "".join(
        f"<tr><td>{html.escape(s)}/{html.escape(t)}</td><td>{html.escape(d)}</td><td>{html.escape(r)}</td>"
        f"<td>{n}</td></tr>"
        for s, t, d, r, n in funnel.stopped
    )
    mix = "".join(
        f"<tr><td>{html.escape(x)}</td><td>{n}</td><td>{mb:.2f}</td></tr>" for x, n, mb in funnel.mix
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>clearlm funnel</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}table{{border-collapse:collapse;
margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}}
td:first-child,th:first-child{{text-align:left}}</style></head><body><h1>Data funnel</h1>
<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="Documents through each step, and the
final data mix by licence" style="max-width:100%">
<h2>Steps</h2><table><tr><th>stage</th><th>step</th><th>docs in</th><th>docs out</th><th>MB in</th>
<th>MB out</th><th>words in</th><th>words out</th></tr>{rows}</table>
<h2>Why documents stopped</h2><table><tr><th>step</th><th>decision</th><th>reason</th><th>docs</th></tr>
{stopped}</table><h2>Final data by licence</h2>
<table><tr><th>licence</th><th>docs</th><th>MB</th></tr>{mix}</table>
<p>Sizes are of documents as ingested; words are whitespace-separated.</p></body></html>"""
    atomic_write_text(folder / "funnel.html", page)
    return folder / "funnel.png", folder / "funnel.html"
