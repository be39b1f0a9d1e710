"""`/`: "is my work in this training data?", and `/complaint`: the opt-out / complaint form.

A passage is pasted or a text/HTML file uploaded (at most 5 MB: 413 beyond, 415 for anything that
is not text), then `clearlm.lookup.LookupIndex` answers with exact, near-duplicate and verbatim
matches. The index object is cached by the lookup package until the ledger moves, so each request
costs one query, not a build. The complaint form records a `review` request through
`clearlm.ledger.record.request_review`: it changes no decision, so it needs no API key, but it is
CSRF-protected, size-limited and rate-limited per client address. Every match's reasons link to
their meaning (`reason_descriptions`, which the other pages use too).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from clearlm.errors import InputError, UserError
from clearlm.ledger.record import request_review
from clearlm.web.security import CSRF_FIELD, form_is_ours, valid_doc_id

if TYPE_CHECKING:
    from clearlm.web.app import WebContext

MAX_UPLOAD_BYTES = 5 << 20
LOOKUP_BODY_LIMIT = MAX_UPLOAD_BYTES + (256 << 10)  # the file or text plus the multipart framing
COMPLAINT_LIMIT = 64 << 10
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
# What browsers send for those files; octet-stream is what some send for .md.
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/x-markdown", "application/xhtml+xml",
              "application/octet-stream", "")  # fmt: skip
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Query:
    text: str
    name: str  # the uploaded file's name, "" for pasted text


async def read_query(request: Request) -> Query:
    """The text to look up, from the textarea or the uploaded file (the file wins when both come)."""
    try:
        form = await request.form(max_files=1, max_fields=8, max_part_size=MAX_UPLOAD_BYTES)
    except HTTPException as exc:  # Starlette says 400 for a field over max_part_size; it is a 413
        if "maximum size" in str(exc.detail):
            raise HTTPException(413, f"The text is larger than {MAX_UPLOAD_BYTES >> 20} MB.") from None
        raise
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        return Query(await _upload_text(upload), Path(upload.filename).name[:200])
    text = form.get("text")
    text = text if isinstance(text, str) else ""
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"The text is larger than {MAX_UPLOAD_BYTES >> 20} MB.")
    if not text.strip():
        raise HTTPException(400, "Paste a passage or choose a file to search for.")
    return Query(text, "")


async def _upload_text(upload: UploadFile) -> str:
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"The file is larger than {MAX_UPLOAD_BYTES >> 20} MB.")
    content_type = upload.content_type or ""
    media = content_type.partition(";")[0].strip().lower()
    name = (upload.filename or "").lower()
    if not name.endswith(TEXT_SUFFIXES) or media not in TEXT_TYPES:
        raise HTTPException(415, "Only text, Markdown and HTML files (.txt, .md, .html) can be searched.")
    from clearlm.lookup import decode_query

    try:  # decoded as ingest decodes files, so a file we ingested hashes to what the ledger holds
        return decode_query(data, Path(name).name, MAX_UPLOAD_BYTES)
    except InputError as exc:
        raise HTTPException(415, f"The file is {exc.message}.") from None


def run_lookup(ws_root: Path, query: Query) -> dict[str, Any]:
    from clearlm.lookup import LookupIndex  # the index and its numpy arrays load on first use

    result: dict[str, Any] = LookupIndex.open(ws_root).lookup(query.text, name=query.name).to_dict()
    return result


def complaint_fields(form: FormData) -> dict[str, Any]:
    """The complaint's fields as `request_review` takes them; a bad doc id is a 400."""
    doc_ids = [str(value) for value in form.getlist("doc_id")]
    if not all(valid_doc_id(d) and not d.startswith("request-") for d in doc_ids):
        raise HTTPException(400, "The request names a document id that is not one.")
    evidence: dict[str, Any] = {"via": "web page"}
    query_sha256 = form.get("query_sha256")
    if isinstance(query_sha256, str) and _SHA256_RE.match(query_sha256):
        evidence["query_sha256"] = query_sha256  # which lookup the request followed, not its text
    fields: dict[str, Any] = {"doc_ids": doc_ids, "evidence": evidence}
    for name in ("name", "email", "message", "kind"):
        value = form.get(name)
        fields[name] = value if isinstance(value, str) else ""
    return fields


def register(app: FastAPI, ctx: WebContext) -> None:
    page_values: dict[str, Any] = {
        "nav": "lookup",
        "max_mb": MAX_UPLOAD_BYTES >> 20,
        "max_chars": MAX_UPLOAD_BYTES,
    }

    @app.get("/")
    async def lookup_form(request: Request) -> Response:
        return ctx.render(request, "lookup.html", result=None, query_text="", **page_values)

    @app.post("/")
    async def lookup(request: Request) -> Response:
        query = await read_query(request)
        result = await asyncio.to_thread(run_lookup, ctx.ws_root, query)
        shown = query.text if not query.name and len(query.text) <= 20_000 else ""
        return ctx.render(request, "lookup.html", result=result, query_text=shown, **page_values)

    @app.post("/complaint")
    async def complaint(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=1100, max_part_size=COMPLAINT_LIMIT)
        if not form_is_ours(ctx.csrf, request, form.get(CSRF_FIELD)):
            raise HTTPException(
                403, "The form has expired or came from another site; reload and send it again."
            )
        client = request.client.host if request.client else "unknown"
        if not ctx.complaints.allow(client):
            raise HTTPException(429, "Too many requests from your address; please try again later.")
        fields = complaint_fields(form)
        try:
            request_id = await asyncio.to_thread(request_review, ctx.ws_root, **fields)
        except UserError as exc:
            raise HTTPException(400, exc.message) from None
        return ctx.render(
            request, "complaint_done.html", nav="lookup", request_id=request_id, doc_ids=fields["doc_ids"]
        )


def reason_descriptions() -> dict[str, str]:
    """Every documented reason code and what it means, from the tables the stages keep."""
    from clearlm import reasons
    from clearlm.curate.reasons import CURATE_REASONS
    from clearlm.tokenize.reasons import TOKENIZE_REASONS

    table: dict[str, str] = {}
    for name in sorted(vars(reasons)):
        value = getattr(reasons, name)
        if name.endswith("_REASONS") and isinstance(value, dict):
            table.update({str(k): str(v) for k, v in value.items()})
    return {**table, **CURATE_REASONS, **TOKENIZE_REASONS}


def describe_reason(code: str, table: dict[str, str]) -> str:
    """The meaning of `code`; a family entry such as `contract.<id>` covers `contract.acme-2025`."""
    if code in table:
        return table[code]
    families = [key for key in table if "<" in key and code.startswith(key.split("<", 1)[0])]
    return table[max(families, key=len)] if families else ""


def reason_anchor(code: str) -> str:
    """The id of the code's row on /reasons."""
    return "reason-" + re.sub(r"[^a-z0-9]+", "-", code.lower())
