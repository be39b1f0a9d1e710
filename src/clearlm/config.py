"""Typed run configuration: dataclasses per stage, TOML recipes, dotted `--set` overrides.

A recipe is a TOML file whose tables match the dataclasses below. An unknown key anywhere — in the
recipe or in `--set` — is an error, never a silent default (the torchtitan habit).
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from clearlm.curate.config import CurateConfig
from clearlm.errors import ConfigError
from clearlm.release.config import ReleaseConfig
from clearlm.tokenize.config import TokenizeConfig
from clearlm.train.config import TrainConfig


@dataclass
class ExecutorConfig:
    """How steps are run. `workers` does not change any output, only how fast it comes."""

    # "local" (processes on this machine) or "ray" (a Ray cluster; see docs/executors.md).
    kind: str = "local"
    # Processes (local), or CPUs of the private Ray started when `address` is empty.
    workers: int = 2
    progress: bool = True
    # Ray only: the cluster to join ("auto", "HOST:PORT", "ray://HOST:PORT"); empty = a private local Ray.
    address: str = ""


@dataclass
class IngestConfig:
    """What to read and how to find the text in structured records."""

    inputs: list[str] = field(default_factory=list)
    # JSONL and Parquet: the field holding the text and (optionally) a stable record id.
    text_field: str = "text"
    id_field: str = "id"
    # Files are packed in sorted order into tasks of about this many bytes (one file never splits).
    target_task_bytes: int = 16 * 1024 * 1024
    max_files_per_task: int = 1000
    # Records larger than this are quarantined instead of being held in memory whole.
    max_record_bytes: int = 64 * 1024 * 1024


@dataclass
class ClearConfig:
    """Rights clearance: which policy, extra robots.txt files, and the date contracts are checked at."""

    # A policy TOML file; empty = the built-in commercial open-weights policy (`clearlm policy show`).
    policy: str = ""
    # Folders of robots.txt files (`<host>.txt` or `<host>/robots.txt`) besides those in the input.
    robots_dirs: list[str] = field(default_factory=list)
    # ISO date contracts are checked against; empty = the day the stage starts (then frozen).
    as_of: str = ""


@dataclass
class RunConfig:
    """The whole run; `clearlm.toml` in a workspace is this, resolved."""

    name: str = "clearlm-run"
    seed: int = 0
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    clear: ClearConfig = field(default_factory=ClearConfig)
    curate: CurateConfig = field(default_factory=CurateConfig)
    tokenize: TokenizeConfig = field(default_factory=TokenizeConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    release: ReleaseConfig = field(default_factory=ReleaseConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())


def _resolve_type(cls: type, name: str) -> Any:
    return typing.get_type_hints(cls)[name]


def _coerce(value: Any, target: Any, where: str) -> Any:
    """Check (and for strings from the command line, parse) `value` as `target`."""
    origin = typing.get_origin(target)
    if origin is dict:
        _, value_type = typing.get_args(target)
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table of key = value, got {value!r}")
        return {str(k): _coerce(v, value_type, f"{where}[{k!r}]") for k, v in value.items()}
    if origin is list:
        (item_type,) = typing.get_args(target)
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return [_coerce(v, item_type, where) for v in value]
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(target) if a is not type(None)]
        if value is None or value == "none":
            return None
        return _coerce(value, args[0], where)
    if target is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if target is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value.replace("_", ""))
            except ValueError:
                pass
        raise ConfigError(f"{where}: expected an integer, got {value!r}")
    if target is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{where}: expected a number, got {value!r}")
    if target is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    raise ConfigError(f"{where}: unsupported config type {target!r}")


def build_dataclass(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            choices = ", ".join(sorted(known))
            raise ConfigError(f"unknown key '{where}{key}' (known: {choices})")
        target = _resolve_type(cls, key)
        if dataclasses.is_dataclass(target):
            if not isinstance(value, dict):
                raise ConfigError(f"'{where}{key}' must be a table")
            kwargs[key] = build_dataclass(typing.cast(type, target), value, f"{where}{key}.")
        else:
            kwargs[key] = _coerce(value, target, f"'{where}{key}'")
    return cls(**kwargs)


def config_from_dict(data: dict[str, Any]) -> RunConfig:
    return typing.cast(RunConfig, build_dataclass(RunConfig, data, ""))


def apply_override(config: RunConfig, assignment: str) -> None:
    """Apply one `stage.key=value` override in place, with the field's type checked."""
    if "=" not in assignment:
        raise ConfigError(f"--set '{assignment}': expected key=value, e.g. executor.workers=4")
    dotted, raw = assignment.split("=", 1)
    parts = dotted.strip().split(".")
    node: Any = config
    for i, part in enumerate(parts):
        names = {f.name for f in dataclasses.fields(node)}
        if part not in names:
            prefix = ".".join(parts[:i])
            choices = ", ".join(sorted(f"{prefix}.{n}" if prefix else n for n in names))
            raise ConfigError(f"--set: unknown key '{dotted}' (known here: {choices})")
        target = _resolve_type(type(node), part)
        if typing.get_origin(target) is dict and i < len(parts) - 1:
            # A mapping such as tokenize.mixture: the rest of the dotted name is the key, dots and all
            # (licence ids like CC-BY-4.0 contain dots).
            key = ".".join(parts[i + 1 :])
            _, value_type = typing.get_args(target)
            getattr(node, part)[key] = _coerce(raw.strip(), value_type, f"--set {dotted}")
            return
        if i == len(parts) - 1:
            if dataclasses.is_dataclass(target):
                raise ConfigError(f"--set: '{dotted}' is a table; set one of its keys")
            setattr(node, part, _coerce(raw.strip(), target, f"--set {dotted}"))
        else:
            if not dataclasses.is_dataclass(target):
                raise ConfigError(f"--set: '{'.'.join(parts[: i + 1])}' is not a table")
            node = getattr(node, part)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing or malformed file is a ConfigError naming it."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from None


def load_config(recipe: Path | None = None, overrides: typing.Sequence[str] = ()) -> RunConfig:
    """Read a recipe (or defaults), apply overrides, and make input paths absolute.

    Relative `ingest.inputs` in a recipe are relative to the recipe file, so a recipe works from
    any current directory.
    """
    data = read_toml(recipe, "recipe") if recipe is not None else {}
    try:
        config = config_from_dict(data)
    except ConfigError as exc:
        raise ConfigError(exc.message, recipe) from None
    if recipe is not None:
        base = Path(recipe).resolve().parent
        config.ingest.inputs = [str((base / p).resolve()) for p in config.ingest.inputs]
        config.clear.robots_dirs = [str((base / p).resolve()) for p in config.clear.robots_dirs]
        if config.clear.policy:
            config.clear.policy = str((base / config.clear.policy).resolve())
        if config.tokenize.tokenizer:
            config.tokenize.tokenizer = str((base / config.tokenize.tokenizer).resolve())
    for assignment in overrides:
        apply_override(config, assignment)
    if config.executor.workers < 1:
        raise ConfigError("executor.workers must be at least 1")
    if config.executor.kind not in ("local", "ray"):
        raise ConfigError(f"executor.kind '{config.executor.kind}' is not available (known: local, ray)")
    return config
