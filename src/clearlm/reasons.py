"""Every reason code clearlm writes, in one place (documented in docs/reasons.md).

Codes are dotted and stable: they are the vocabulary of the ledger, so renaming one is a breaking
change. Later stages add theirs here, never as string literals scattered in steps.
"""

from __future__ import annotations

# Decisions a ledger row can carry.
DECISIONS = ("allow", "deny", "review", "keep", "drop", "flag")

# Ingest: a record became a document.
INGEST_READ = "ingest.read"
# Ingest: a robots.txt body kept only as clearance evidence, never a training candidate.
INGEST_ROBOTS = "ingest.robots-txt"

# Ingest: why a piece of input went to quarantine.
INPUT_EMPTY = "input.empty"
INPUT_UNDECODABLE = "input.undecodable"
INPUT_TRUNCATED = "input.truncated"
INPUT_BAD_JSON = "input.bad-json"
INPUT_MISSING_FIELD = "input.missing-field"
INPUT_BAD_PARQUET = "input.bad-parquet"
INPUT_BAD_WARC = "input.bad-warc"
INPUT_UNSUPPORTED = "input.unsupported-type"
INPUT_TOO_LARGE = "input.too-large"
INPUT_UNREADABLE = "input.unreadable"

INGEST_REASONS = {
    INGEST_READ: "the record was read and became a document",
    INGEST_ROBOTS: "a robots.txt response, kept as opt-out evidence for clearance only",
    INPUT_EMPTY: "the file or record holds no text (zero bytes or whitespace only)",
    INPUT_UNDECODABLE: "the bytes are not text in any encoding charset detection recognises",
    INPUT_TRUNCATED: "a compressed stream or file ends early; records before the cut were kept",
    INPUT_BAD_JSON: "a JSONL line is not a JSON object",
    INPUT_MISSING_FIELD: "a JSON/Parquet record lacks the configured text field, or it is not a string",
    INPUT_BAD_PARQUET: "a Parquet footer or row group cannot be read",
    INPUT_BAD_WARC: "a WARC record is malformed; reading resumed at the next record",
    INPUT_UNSUPPORTED: "a file or record of a type clearlm does not read (e.g. .pdf, image/png)",
    INPUT_TOO_LARGE: "a record larger than ingest.max_record_bytes",
    INPUT_UNREADABLE: "the file cannot be opened (permissions, vanished during the run)",
}
