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

# Clearance: allow side (positive evidence of a right).
LICENSE_PUBLIC_DOMAIN = "license.public-domain"
LICENSE_CC0 = "license.cc0"
LICENSE_CC_BY = "license.cc-by"
LICENSE_CC_BY_SA = "license.cc-by-sa"
LICENSE_OPEN_SOURCE = "license.open-source"
CONTRACT_PREFIX = "contract."  # contract.<id>: licensed data in scope and in date
SOURCE_GUTENBERG = "source.gutenberg"
FIRST_PARTY = "first-party"

# Clearance: deny side. Any deny reason beats every allow reason.
LICENSE_UNKNOWN = "license.unknown"
LICENSE_NON_COMMERCIAL = "license.non-commercial"
LICENSE_NO_DERIVATIVES = "license.no-derivatives"
LICENSE_NOT_ALLOWED = "license.not-allowed"
COPYRIGHT_ALL_RIGHTS_RESERVED = "copyright.all-rights-reserved"
COPYRIGHT_RECENT_EDITION = "copyright.recent-edition"
OPTOUT_ROBOTS = "optout.robots"
OPTOUT_TDMREP = "optout.tdmrep"
OPTOUT_NOAI = "optout.noai"
OPTOUT_CONTENT_USAGE = "optout.content-usage"
OPTOUT_CONTENT_SIGNAL = "optout.content-signal"
OPTOUT_AI_CLAUSE = "optout.ai-clause"
PIRACY_SHADOW_LIBRARY = "piracy.shadow-library"
REGISTRY_MATCH = "registry.match"
CONTRACT_EXPIRED = "contract.expired"
CONTRACT_OUT_OF_SCOPE = "contract.out-of-scope"
REVOKED = "revoked"
# Not a training document: robots.txt and tdmrep.json bodies are evidence, never training text.
CLEAR_EVIDENCE_ONLY = "clear.evidence-only"

CLEAR_REASONS = {
    LICENSE_PUBLIC_DOMAIN: "allow: a public-domain dedication or mark, or a work old enough to be in it",
    LICENSE_CC0: "allow: CC0 1.0 dedication",
    LICENSE_CC_BY: "allow: Creative Commons Attribution (obligation: attribution)",
    LICENSE_CC_BY_SA: "allow: CC Attribution-ShareAlike (obligations: attribution, share-alike)",
    LICENSE_OPEN_SOURCE: "allow: an OSI-approved licence the policy admits (obligation: licence notice)",
    "contract.<id>": "allow: licensed data, in the contract's scope and dates",
    SOURCE_GUTENBERG: "allow: a Project Gutenberg public-domain edition",
    FIRST_PARTY: "allow: the user's own data (policy.first_party_sources)",
    LICENSE_UNKNOWN: "deny: no positive evidence of a right to use the document",
    LICENSE_NON_COMMERCIAL: "deny (commercial release): a non-commercial licence such as CC BY-NC",
    LICENSE_NO_DERIVATIVES: "deny: a no-derivatives licence such as CC BY-ND",
    LICENSE_NOT_ALLOWED: "deny: a licence was found but the policy's allow-list does not admit it",
    COPYRIGHT_ALL_RIGHTS_RESERVED: "deny: a modern 'all rights reserved' or proprietary notice",
    COPYRIGHT_RECENT_EDITION: "deny: an in-copyright edition (ISBN, CIP, 'no part of this publication', ©)",
    OPTOUT_ROBOTS: "deny: robots.txt disallows our crawler or an AI agent the policy respects",
    OPTOUT_TDMREP: "deny: TDM rights reserved (TDMRep header, meta tag or /.well-known/tdmrep.json)",
    OPTOUT_NOAI: "deny: 'noai' in a robots meta tag or an X-Robots-Tag header",
    OPTOUT_CONTENT_USAGE: "deny: IETF AI preferences Content-Usage: train-ai=n",
    OPTOUT_CONTENT_SIGNAL: "deny: Content-Signal: ai-train=no",
    OPTOUT_AI_CLAUSE: "deny: a publisher's notice that the work may not be used to train AI",
    PIRACY_SHADOW_LIBRARY: "deny: from a shadow library (LibGen, Z-Library, Anna's Archive, Books3 …)",
    REGISTRY_MATCH: "deny: contains a substantial excerpt of a work in the protected-works registry",
    CONTRACT_EXPIRED: "deny: licensed data whose contract is not in date",
    CONTRACT_OUT_OF_SCOPE: "deny: licensed data used outside the contract's permitted uses",
    REVOKED: "deny: the rights holder opted out after the fact",
    CLEAR_EVIDENCE_ONLY: "deny: a robots.txt or tdmrep.json body, kept as evidence, never training text",
}

# People, not stages: `clearlm revoke` (stage `revoke`, decision `deny`, reason `revoked` first, plus
# `registry.match` when a registered holder's work was found) and review requests from the lookup page's
# opt-out/complaint form (stage `review`, decision `review`). A review request never changes a decision
# by itself: a person reads it and, if it holds, runs `clearlm revoke`.
COMPLAINT_PREFIX = "complaint."
COMPLAINT_OPT_OUT = "complaint.opt-out"
COMPLAINT_ATTRIBUTION = "complaint.attribution"
COMPLAINT_OTHER = "complaint.other"

REVIEW_REASONS = {
    COMPLAINT_OPT_OUT: "review: a rights holder asks that their work not be used for training",
    COMPLAINT_ATTRIBUTION: "review: a work is used without the credit its licence requires",
    COMPLAINT_OTHER: "review: any other complaint about the training data (the complaint mechanism)",
}
