"""croissant.json: an MLCommons Croissant 1.0 description of the token data the model was trained on.

The release ships weights, not data, so the files described here live in the workspace the model was
trained from; `contentUrl` is relative to that workspace (tokens/...), and each file is pinned by
the SHA-256 the tokenize stage recorded (the same hashes lineage.json and the gate check). The record
set describes tokens/index.parquet — one row per token range, naming the ledger document it came
from — which is what makes every training token traceable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clearlm.atomic import atomic_write_text
from clearlm.release.facts import ReleaseFacts
from clearlm.release.license_terms import deed_url

CROISSANT_FILE = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
INDEX_ID = "index.parquet"
RECORD_SET = "token_ranges"

# The Croissant 1.0 JSON-LD context, as the specification's examples spell it.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

# What each column of tokens/index.parquet means (the tokenize stage's contract).
FIELD_MEANINGS = {
    "shard": "number of the token shard file (tokens/shard-NNNNN.bin) holding the range",
    "start": "offset of the range's first token in the shard, in tokens",
    "length": "tokens in the range",
    "doc_id": "the ledger document the tokens came from (clearlm ledger explain -w WS DOC_ID)",
    "split": "train or heldout (held-out documents were never trained on)",
    "repeat": "which copy of the document this range is (mixture weights can repeat a document)",
    "source": "URI of the document as ingested",
    "group": "source group (collection or web host) used for mixture weights",
    "license": "SPDX licence id recorded by clearance; empty when the right is not a licence",
    "content_sha256": "SHA-256 of the document's curated text",
}


def _data_type(arrow_type: str) -> str:
    if "int" in arrow_type:
        return "sc:Integer"
    if arrow_type in ("float", "double", "halffloat"):
        return "sc:Float"
    return "sc:Boolean" if arrow_type == "bool" else "sc:Text"


def croissant(facts: ReleaseFacts) -> dict[str, Any]:
    """The Croissant JSON-LD document, as a dict."""
    manifest = facts.manifest
    dtype = manifest.get("dtype", "uint16")
    files: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": INDEX_ID,
            "name": INDEX_ID,
            "description": "Token ranges to ledger documents: one row per placed copy of a document.",
            "contentUrl": "tokens/index.parquet",
            "encodingFormat": "application/x-parquet",
            "sha256": manifest.get("index_sha256", ""),
        },
        {
            "@type": "cr:FileObject",
            "@id": "tokenizer.json",
            "name": "tokenizer.json",
            "description": "The byte-level BPE tokenizer (Hugging Face tokenizers) that made the token ids.",
            "contentUrl": "tokens/tokenizer.json",
            "encodingFormat": "application/json",
            "sha256": manifest.get("tokenizer_sha256", ""),
        },
    ]
    for shard in manifest.get("shards", []):
        files.append(
            {
                "@type": "cr:FileObject",
                "@id": shard["file"],
                "name": shard["file"],
                "description": f"{shard['tokens']} token ids ({dtype}, little-endian) of the "
                f"{shard['split']} split.",
                "contentUrl": f"tokens/{shard['file']}",
                "encodingFormat": "application/octet-stream",
                "sha256": shard["sha256"],
            }
        )
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"{RECORD_SET}/{name}",
            "name": f"{RECORD_SET}/{name}",
            "description": FIELD_MEANINGS.get(name, name),
            "dataType": _data_type(arrow_type),
            "source": {"fileObject": {"@id": INDEX_ID}, "extract": {"column": name}},
        }
        for name, arrow_type in facts.index_fields
    ]
    licences = sorted({d.license for d in facts.docs if d.license})
    others = sorted({d.basis for d in facts.docs if not d.license})
    splits = manifest.get("splits", {})
    counts = {split: splits.get(split, {}).get("docs", 0) for split in ("train", "heldout")}
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": f"{facts.name}-training-tokens",
        "description": (
            f"The tokenized training data of {facts.name} (checkpoint {facts.checkpoint}): "
            f"{counts['train']} training and {counts['heldout']} "
            "held-out documents, every one cleared in the clearlm ledger. File paths are relative to the "
            "workspace the model was trained from; the SHA-256 of each file pins its bytes. Documents "
            f"allowed on grounds other than a licence: {', '.join(others) or 'none'}."
        ),
        "license": [deed_url(x) or x for x in licences],
        "url": "README.md",
        "version": f"step-{facts.step:06d}",
        "datePublished": facts.as_of,
        "creator": {"@type": "sc:Organization", "name": facts.release.provider},
        "keywords": ["clearlm", "language model training data", "provenance"],
        "isLiveDataset": False,
        "inLanguage": list(facts.release.languages),
        "rai:dataCollection": (
            "Documents were ingested, cleared for rights (deny by default, opt-outs honoured), curated "
            "(deduplication, quality, language, personal data redaction) and tokenized; every decision "
            "is in the hash-chained ledger. See training-data-summary.md."
        ),
        "distribution": files,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": RECORD_SET,
                "name": RECORD_SET,
                "description": "One row per token range: where its tokens are and which document they are.",
                # A document can have several ranges (repeats); shard + start names one range.
                "key": [{"@id": f"{RECORD_SET}/shard"}, {"@id": f"{RECORD_SET}/start"}],
                "field": fields,
            }
        ],
    }


def write_croissant(facts: ReleaseFacts, out_dir: Path) -> list[Path]:
    path = Path(out_dir) / CROISSANT_FILE
    atomic_write_text(path, json.dumps(croissant(facts), indent=2, ensure_ascii=False) + "\n")
    return [path]
