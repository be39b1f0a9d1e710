"""Options every `clearlm` verb shares, in one place so each command module can import them."""

from __future__ import annotations

from pathlib import Path

import click

WS_OPTION = click.option(
    "-w",
    "--workspace",
    "ws",
    type=click.Path(path_type=Path),
    default=Path("ws"),
    show_default=True,
    help="The run's workspace folder.",
)
SET_OPTION = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a config key, e.g. --set executor.workers=4 (repeatable).",
)
