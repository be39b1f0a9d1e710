"""The tokenize stage: curated documents → WS/tokens/ (tokenizer, shards, index, manifest).

    (driver)   settings.json: the stage's settings, fixed on first run (a rerun must match)
    (driver)   split.parquet: the held-out documents, by seeded hash of doc_id
    (driver)   tokens/tokenizer.json + tokenizer_config.json: trained on the training split, or reused
    tokenize   the executor pass over the curate parts: steps split, mixture, tokenize, each with
               its ledger event; each task's token ids go to stages/tokenize/tokens/ (its sidecar)
    (driver)   canaries (tokenize.canaries): planted as extra training documents (clearlm.audit.plant)
    (driver)   pack: shards, index.parquet, manifest.json last (the stage's completion marker)

Every part resumes on its own: a file that exists is reused, and the same input and settings
always give the same bytes.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from tokenizers import Tokenizer

from clearlm.atomic import atomic_write_text, remove_stale_tmp
from clearlm.audit.plant import PlantSettings, make_canaries, plant_canaries
from clearlm.config import RunConfig
from clearlm.errors import ConfigError, WorkspaceError
from clearlm.files import file_sha256
from clearlm.ledger.record import revoked_doc_ids
from clearlm.pipeline.executor import Executor, StageResult
from clearlm.pipeline.parts_source import PartsSource
from clearlm.pipeline.stage import Stage
from clearlm.tokenize.manifest import MANIFEST_FILE, TokenizerInfo, pack_tokens
from clearlm.tokenize.sidecar import TOKENS_SUBDIR, TokenSidecarFactory
from clearlm.tokenize.split import (
    SOURCE_STAGE,
    SPLIT_FILE,
    CorpusIndex,
    load_or_make_split,
    read_corpus_index,
)
from clearlm.tokenize.steps import Mixture, MixtureStep, RevokedFilter, SplitStep, TokenizeStep
from clearlm.tokenize.tokenizer import (
    TOKENIZER_FILE,
    load_tokenizer,
    token_id,
    train_tokenizer,
    training_texts,
    vocab_dtype,
    write_tokenizer,
    write_tokenizer_config,
)
from clearlm.workspace import Workspace

STAGE = "tokenize"
SETTINGS_FILE = "settings.json"
TOKENS_DIR = "tokens"


def tokenize_settings(config: RunConfig) -> dict[str, Any]:
    """Everything the stage's output depends on (checked again on every rerun)."""
    tokenize = config.tokenize
    Mixture.parse(tokenize.mixture)  # a malformed key fails here, before any work
    if tokenize.shard_tokens < 1:
        raise ConfigError("tokenize.shard_tokens must be at least 1")
    if not 0 <= tokenize.heldout_fraction < 1:
        raise ConfigError("tokenize.heldout_fraction must be in [0, 1)")
    reused = Path(tokenize.tokenizer) if tokenize.tokenizer else None
    if reused is not None and not reused.is_file():
        raise ConfigError("tokenize.tokenizer: file not found", reused)
    settings = dataclasses.asdict(tokenize)
    if tokenize.canaries:
        make_canaries(config.seed, tokenize.canaries, tokenize.canary_tokens)  # checks the numbers
    else:
        # A run without canaries records the settings it recorded before canaries existed.
        del settings["canaries"], settings["canary_tokens"]
    return {
        **settings,
        "tokenizer_sha256": file_sha256(reused) if reused is not None else "",
        "seed": config.seed,
        "input_roots": sorted(Path(root).resolve().name for root in config.ingest.inputs),
    }


def _check_settings(stage_dir: Path, settings: dict[str, Any]) -> bool:
    """Whether settings.json already holds `settings`; other recorded settings are refused (as the
    executor's plan would), since the split and tokenizer on disk were made with them."""
    path = stage_dir / SETTINGS_FILE
    if not path.is_file():
        return False
    recorded = json.loads(path.read_text(encoding="utf-8"))
    wanted = json.loads(json.dumps(settings))
    changed = sorted(k for k in set(recorded) | set(wanted) if recorded.get(k) != wanted.get(k))
    if changed:
        raise WorkspaceError(
            f"stage '{STAGE}' was started with other settings ({', '.join(changed)}); "
            "use a new workspace or the same settings",
            stage_dir,
        )
    return True


def _prepare_tokenizer(
    config: RunConfig,
    tokens_dir: Path,
    corpus: CorpusIndex | None,
    split_path: Path,
    reused: Tokenizer | None,
) -> Tokenizer:
    """tokens/tokenizer.json as it exists (resume), else the user's (`reused`), else trained."""
    path = tokens_dir / TOKENIZER_FILE
    if path.is_file():
        return Tokenizer.from_file(str(path))
    tokens_dir.mkdir(parents=True, exist_ok=True)
    if reused is not None:
        write_tokenizer(tokens_dir, reused, Path(config.tokenize.tokenizer))
        return reused
    if corpus is None:
        raise RuntimeError("the corpus index is needed to train the tokenizer")
    texts = training_texts(corpus, pq.read_table(split_path), config.tokenize.train_max_bytes)
    tokenizer = train_tokenizer(texts, config.tokenize)
    write_tokenizer(tokens_dir, tokenizer, None)
    return tokenizer


def _check_mixture(config: RunConfig, corpus: CorpusIndex) -> None:
    groups = set(corpus.table["group"].to_pylist())
    licenses = set(corpus.table["license"].to_pylist())
    unmatched = Mixture.parse(config.tokenize.mixture).unmatched(groups, licenses)
    if unmatched:
        raise ConfigError(
            f"tokenize.mixture: {', '.join(unmatched)} match no curated document "
            f"(groups: {', '.join(sorted(groups)) or 'none'}; "
            f"licenses: {', '.join(sorted(lic for lic in licenses if lic)) or 'none'})"
        )


def build_tokenize_stage(
    config: RunConfig,
    ws_root: Path,
    tokenizer: Tokenizer,
    split_path: Path,
    settings: dict[str, Any],
    revoked: frozenset[str],
) -> Stage:
    tokenize = config.tokenize
    dtype = vocab_dtype(tokenizer.get_vocab_size(with_added_tokens=True))
    steps = [
        RevokedFilter(revoked),
        SplitStep(split_path.resolve()),
        MixtureStep(Mixture.parse(tokenize.mixture), config.seed, config.ingest.inputs),
        TokenizeStep(
            tokenizer.to_str(),
            token_id(tokenizer, tokenize.bos_token),
            token_id(tokenizer, tokenize.eos_token),
            dtype,
        ),
    ]
    return Stage(
        STAGE, PartsSource(ws_root, SOURCE_STAGE), steps, settings, sidecar=TokenSidecarFactory(dtype)
    )


def run_tokenize(config: RunConfig, ws: Workspace, executor: Executor) -> list[StageResult]:
    """Pre-pass, tokenizer, the executor pass and the pack; each part resumes on its own."""
    settings = tokenize_settings(config)
    stage_dir = ws.stage_dir(STAGE)
    tokens_dir = ws.root / TOKENS_DIR
    recorded = _check_settings(stage_dir, settings)
    for folder in (stage_dir, stage_dir / TOKENS_SUBDIR, tokens_dir):
        remove_stale_tmp(folder)
    has_tokenizer = (tokens_dir / TOKENIZER_FILE).is_file()
    # User mistakes (a weight that matches nothing, a bad tokenizer file) surface before the
    # settings are recorded, so the corrected rerun is not refused as "other settings".
    # Read once: revoked documents shape neither the split, the vocabulary nor the shards.
    revoked = frozenset(revoked_doc_ids(ws.root))
    corpus: CorpusIndex | None = None
    if not (stage_dir / SPLIT_FILE).is_file() or not has_tokenizer:
        corpus = read_corpus_index(ws.root, config.ingest.inputs, exclude=set(revoked))
        _check_mixture(config, corpus)
    reused = None
    if config.tokenize.tokenizer and not has_tokenizer:
        reused = load_tokenizer(Path(config.tokenize.tokenizer), config.tokenize)
    if not recorded:
        stage_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(stage_dir / SETTINGS_FILE, json.dumps(settings, indent=1, sort_keys=True))
    split_path = load_or_make_split(stage_dir, corpus, config.tokenize, config.seed)
    tokenizer = _prepare_tokenizer(config, tokens_dir, corpus, split_path, reused)
    done = (tokens_dir / MANIFEST_FILE).is_file()
    if not done:
        write_tokenizer_config(tokens_dir, config.tokenize, config.train.model.max_seq_len)
    result = executor.run(build_tokenize_stage(config, ws.root, tokenizer, split_path, settings, revoked), ws)
    if not done:
        vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
        info = TokenizerInfo(
            vocab_size=vocab_size,
            bos_id=token_id(tokenizer, config.tokenize.bos_token),
            eos_id=token_id(tokenizer, config.tokenize.eos_token),
            pad_id=token_id(tokenizer, config.tokenize.pad_token),
            dtype=vocab_dtype(vocab_size),
        )
        canaries = PlantSettings(
            config.seed, tuple(config.tokenize.canaries), config.tokenize.canary_tokens,
            info.bos_id, info.eos_id, info.dtype,
        )  # fmt: skip
        plant_canaries(ws.root, ws.run_id, stage_dir, tokenizer, canaries)
        pack_tokens(
            ws.root,
            stage_dir,
            tokens_dir,
            info,
            config.seed,
            config.tokenize.shard_tokens,
            console=executor.console,
            progress=executor.progress,
        )
    return [result]
