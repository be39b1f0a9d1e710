"""Recipes and --set overrides are typed; unknown keys are errors, not silent defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearlm.config import load_config
from clearlm.errors import ConfigError


def test_defaults_and_typed_overrides() -> None:
    config = load_config(
        None,
        ["executor.workers=3", "ingest.text_field=content", "executor.progress=false", "ingest.inputs=a,b"],
    )
    assert config.executor.workers == 3
    assert config.ingest.text_field == "content"
    assert config.executor.progress is False
    assert config.ingest.inputs == ["a", "b"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("ingest.colour=red", "unknown key 'ingest.colour'"),
        ("nosuchstage.x=1", "unknown key 'nosuchstage.x'"),
        ("executor.workers=many", "expected an integer"),
        ("executor.progress=maybe", "expected true or false"),
        ("ingest=1", "is a table"),
        ("executor.workers", "expected key=value"),
        ("executor.workers=0", "at least 1"),
    ],
)
def test_bad_overrides_are_clear_errors(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


def test_recipe_paths_are_relative_to_the_recipe(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    recipe = tmp_path / "recipes" / "r.toml"
    recipe.write_text('name = "r"\n[ingest]\ninputs = ["../corpus"]\n[executor]\nworkers = 1\n')
    config = load_config(recipe)
    assert config.ingest.inputs == [str((tmp_path / "corpus").resolve())]
    assert config.executor.workers == 1


def test_unknown_key_in_recipe_names_the_file(tmp_path: Path) -> None:
    recipe = tmp_path / "r.toml"
    recipe.write_text("[ingest]\ntext_feld = 'x'\n")
    with pytest.raises(ConfigError, match=r"r.toml: unknown key 'ingest.text_feld'"):
        load_config(recipe)


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    recipe = tmp_path / "bad.toml"
    recipe.write_text("[ingest\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_config(recipe)


def test_round_trip_through_resolved_toml(tmp_path: Path) -> None:
    config = load_config(None, ["ingest.inputs=x", "seed=7"])
    path = tmp_path / "clearlm.toml"
    path.write_text(config.to_toml())
    assert load_config(path).to_dict()["seed"] == 7
