"""`clearlm run` ends with audit and release: the release is built once, then kept while it verifies."""

from __future__ import annotations

from pathlib import Path

from clearlm.release.records import read_releases
from clearlm.release.verify import verify_release
from clearlm.runner import run_stages
from clearlm.workspace import Workspace


def test_the_run_releases_once_and_keeps_a_release_that_verifies(fresh_ws: Path) -> None:
    config = Workspace.open(fresh_ws).load_config()
    audit, release = run_stages(config, fresh_ws, ["audit", "release"])
    assert audit.skipped and not release.skipped
    folder = Path(release.stats["dir"])
    assert folder == fresh_ws / "release" / "tiny-clear-step-000060"
    assert (folder / "SHA256SUMS.sig").is_file()
    [again] = run_stages(config, fresh_ws, ["release"])
    assert again.skipped and again.stats["digest"] == release.stats["digest"]
    assert len(read_releases(fresh_ws)) == 1
    (folder / "README.md").write_text("changed after signing")
    [rebuilt] = run_stages(config, fresh_ws, ["release"])
    assert not rebuilt.skipped and verify_release(folder).ok
    assert (folder / "README.md").read_text() != "changed after signing"
