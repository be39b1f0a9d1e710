"""The audit's view of a workspace: documents from tokens/index.parquet, their ids from the shards,
and what the ledger decided about them.

Documents are sampled deterministically: sorted by doc_id, then a permutation drawn from the run's
seed and the purpose ("extraction", "mia-train", …), so the same workspace always audits the same
documents, and the two measures do not share their sample by accident.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray
from tokenizers import Tokenizer

from clearlm.audit.plant import CANARY_GROUP
from clearlm.errors import WorkspaceError
from clearlm.ledger.query import connect
from clearlm.train.token_dir import DTYPES, INDEX, open_token_dir

TOKENIZER = "tokenizer.json"


@dataclass(frozen=True)
class DocRow:
    """The first placed copy of a document: where its ids are and where it came from."""

    doc_id: str
    shard: int
    start: int
    length: int
    split: str
    copies: int
    source: str
    group: str
    license: str


def seeded_rng(seed: int, purpose: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:audit:{purpose}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


class AuditData:
    """WS/tokens/ opened for the audit: manifest, index, tokenizer and shard memmaps."""

    def __init__(self, tokens_dir: Path) -> None:
        self.dir = Path(tokens_dir)
        self.token_dir = open_token_dir(self.dir)  # checks manifest and shard sizes
        self.manifest = self.token_dir.manifest
        dtype = DTYPES[self.manifest["dtype"]]
        self._shards: dict[int, NDArray[Any]] = {}
        for entry in self.manifest["shards"]:
            number = int(entry["file"].removeprefix("shard-").removesuffix(".bin"))
            if int(entry["tokens"]):
                self._shards[number] = np.memmap(self.dir / entry["file"], dtype=dtype, mode="r")
        try:
            self.tokenizer = Tokenizer.from_file(str(self.dir / TOKENIZER))
        except Exception as exc:  # tokenizers raises plain Exceptions
            raise WorkspaceError(f"unreadable tokenizer ({exc})", self.dir / TOKENIZER) from None
        self.bos_id = int(self.manifest["bos_id"])
        self.eos_id = int(self.manifest["eos_id"])
        self.rows = _first_copies(self.dir / INDEX)

    def keep_read(self, doc_ids: Collection[str]) -> None:
        """Count as training documents only these: the ones the audited checkpoint's steps read.

        A document of the train split the run had not reached yet is no member for membership
        inference and has nothing to be extracted; canaries are kept (their audit is their own).
        """
        read = set(doc_ids)
        kept = [r for r in self.rows if r.split != "train" or r.group == CANARY_GROUP or r.doc_id in read]
        self.rows = kept

    def documents(self, split: str, *, canaries: bool = False) -> list[DocRow]:
        """Every distinct document of a split in doc_id order; canaries only when asked for."""
        return [r for r in self.rows if r.split == split and (r.group == CANARY_GROUP) == canaries]

    def sample(self, rows: list[DocRow], count: int, seed: int, purpose: str) -> list[DocRow]:
        if count >= len(rows):
            return list(rows)
        picked = seeded_rng(seed, purpose).permutation(len(rows))[:count]
        return [rows[i] for i in sorted(picked.tolist())]

    def tokens(self, row: DocRow) -> NDArray[np.int64]:
        """The document's ids as trained on: [bos] + ids(text) + [eos]."""
        return np.asarray(self._shards[row.shard][row.start : row.start + row.length], dtype=np.int64)

    def decode(self, ids: Any) -> str:
        return str(self.tokenizer.decode([int(i) for i in ids], skip_special_tokens=True))


def _first_copies(index_path: Path) -> list[DocRow]:
    table = pq.read_table(index_path)
    copies = table.group_by("doc_id").aggregate([("repeat", "count")])
    count = dict(zip(copies["doc_id"].to_pylist(), copies["repeat_count"].to_pylist(), strict=True))
    first = table.filter(pc.equal(table["repeat"], 0)).sort_by("doc_id").to_pylist()
    return [
        DocRow(
            r["doc_id"], r["shard"], r["start"], r["length"], r["split"], int(count[r["doc_id"]]),
            r["source"], r["group"], r["license"],
        )
        for r in first
    ]  # fmt: skip


def ledger_decisions(ws_root: Path, doc_ids: list[str]) -> dict[str, str]:
    """Each document's latest clearance decision with its reasons, e.g. "allow (license.cc0)";
    "canary" for an audit canary (it never went through clearance)."""
    if not doc_ids:
        return {}
    con = connect(ws_root)
    try:
        rows = con.execute(
            """
            SELECT doc_id,
                   arg_max(decision, seq) FILTER (WHERE stage = 'clear') AS decision,
                   arg_max(reasons, seq) FILTER (WHERE stage = 'clear') AS reasons,
                   bool_or(stage = 'tokenize' AND step = 'canary') AS canary
            FROM ledger WHERE doc_id IN (SELECT unnest(?)) GROUP BY doc_id
            """,
            [doc_ids],
        ).fetchall()
    finally:
        con.close()
    found = {}
    for doc_id, decision, reasons, canary in rows:
        if canary:
            found[doc_id] = "canary"
        elif decision is not None:
            found[doc_id] = f"{decision} ({', '.join(reasons or [])})" if reasons else str(decision)
    return {d: found.get(d, "none") for d in doc_ids}
