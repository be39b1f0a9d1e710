"""After `clearlm revoke`, new token shards leave the revoked documents out, and the door lets them in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq

from clearlm.ledger.query import connect
from clearlm.ledger.record import record_revocations
from clearlm.runner import run_stages
from clearlm.train.door import DoorRefused, check_tokens
from clearlm.workspace import Workspace
from tests.release.conftest import audited_ws, fresh_ws  # noqa: F401


def test_retokenizing_after_a_revocation_drops_the_document(fresh_ws: Path) -> None:  # noqa: F811
    index = pq.read_table(fresh_ws / "tokens" / "index.parquet").to_pylist()
    victim = next(r["doc_id"] for r in index if r["split"] == "train" and r["group"] != "canary")
    record_revocations(fresh_ws, [victim], step="doc", reasons=["revoked"], evidence={"note": "test"})
    try:
        check_tokens(fresh_ws)
        raise AssertionError("the door let a revoked document through")
    except DoorRefused as refused:
        assert [v.kind for v in refused.violations] == ["revoked"]
    shutil.rmtree(fresh_ws / "tokens")
    shutil.rmtree(fresh_ws / "stages" / "tokenize")
    run_stages(Workspace.open(fresh_ws).load_config(), fresh_ws, ["tokenize"])
    new_index = pq.read_table(fresh_ws / "tokens" / "index.parquet")
    assert victim not in set(new_index["doc_id"].to_pylist())
    assert len(set(new_index["doc_id"].to_pylist())) == len({r["doc_id"] for r in index}) - 1
    check_tokens(fresh_ws)  # nothing left to refuse
    con = connect(fresh_ws)
    rows = con.execute(
        "SELECT step, decision, reasons FROM ledger "
        "WHERE stage = 'tokenize' AND doc_id = ? ORDER BY seq DESC",
        [victim],
    ).fetchall()
    assert rows[0] == ("revoked", "drop", ["revoked"])
