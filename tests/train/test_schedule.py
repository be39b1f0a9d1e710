"""Learning-rate schedule values and AdamW parameter groups."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest
import torch

from clearlm.model.llama import Llama
from clearlm.train.schedule import lr_at, make_optimizer, param_groups

from .token_fixture import tiny_config


def test_warmup_is_linear_from_the_first_step() -> None:
    cfg = tiny_config(lr=1e-3, warmup_steps=10, steps=110, min_lr_ratio=0.1)
    assert [lr_at(s, cfg) for s in range(10)] == pytest.approx([1e-3 * (s + 1) / 10 for s in range(10)])


def test_cosine_runs_from_peak_to_floor_at_the_last_step() -> None:
    cfg = tiny_config(lr=1e-3, warmup_steps=10, steps=110, min_lr_ratio=0.1)
    assert lr_at(10, cfg) == pytest.approx(1e-3)
    # Half way through the decay the cosine is at the midpoint of peak and floor.
    assert lr_at(10 + 99 // 2, cfg) == pytest.approx(1e-4 + 0.5 * 9e-4 * (1 + math.cos(math.pi * 49 / 99)))
    assert lr_at(109, cfg) == pytest.approx(1e-4)
    assert lr_at(500, cfg) == pytest.approx(1e-4)  # past the end it stays at the floor
    decay = [lr_at(s, cfg) for s in range(10, 110)]
    assert all(a >= b for a, b in itertools.pairwise(decay))


def test_no_warmup_starts_at_peak() -> None:
    cfg = tiny_config(lr=2e-3, warmup_steps=0, steps=50)
    assert lr_at(0, cfg) == pytest.approx(2e-3)


def test_only_matrices_are_decayed() -> None:
    cfg = tiny_config()
    model = Llama(replace(cfg.model, vocab_size=64))
    decay, no_decay = param_groups(model, 0.1)
    names = {id(p): n for n, p in model.named_parameters()}
    decayed = {names[id(p)] for p in decay["params"]}
    kept = {names[id(p)] for p in no_decay["params"]}
    assert "model.embed_tokens.weight" in decayed and "model.layers.0.self_attn.q_proj.weight" in decayed
    assert kept == {n for n in names.values() if "norm" in n}
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    optimizer = make_optimizer(model, cfg)
    assert isinstance(optimizer, torch.optim.AdamW)
    assert optimizer.param_groups[0]["betas"] == (cfg.beta1, cfg.beta2)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(lr_at(0, cfg))
