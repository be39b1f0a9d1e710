"""Our Llama computes what transformers' LlamaForCausalLM computes, under the same state-dict keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import transformers

from clearlm.model.config import LlamaConfig
from clearlm.model.llama import Llama
from clearlm.model.rope import apply_rope, rope_tables

Pair = Callable[..., tuple[transformers.LlamaForCausalLM, Llama]]


def random_ids(batch: int, seq: int, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, 256, (batch, seq), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(("tied", "n_kv_heads"), [(True, 2), (False, 2), (False, 4), (True, 1)])
def test_logits_match_transformers(make_pair: Pair, tied: bool, n_kv_heads: int) -> None:
    hf, ours = make_pair(tied=tied, n_kv_heads=n_kv_heads)
    ids = random_ids(2, 40)
    with torch.no_grad():
        expected = hf(ids).logits
        got = ours(ids)
    assert got.shape == (2, 40, 256)
    assert expected.abs().max() > 1.0  # weights large enough for a wrong detail to show
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("tied", [True, False])
def test_state_dict_keys_are_transformers_keys(make_pair: Pair, tied: bool) -> None:
    hf, ours = make_pair(tied=tied)
    hf_keys = set(hf.state_dict())
    if tied:
        hf_keys.discard("lm_head.weight")  # the same tensor as the embeddings: we never store it
    assert set(ours.state_dict()) == hf_keys
    assert ("lm_head.weight" in ours.state_dict()) is not tied


@pytest.mark.parametrize("tied", [True, False])
def test_our_weights_run_in_transformers(tied: bool) -> None:
    config = LlamaConfig(
        vocab_size=256, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=48, tie_embeddings=tied
    )
    ours = Llama(config)
    ours.init_weights(seed=3)
    with torch.no_grad():  # move the norms off 1 so that their mapping is checked too
        for name, param in ours.named_parameters():
            if name.endswith("norm.weight"):
                param.uniform_(0.5, 1.5)
    hf = transformers.LlamaForCausalLM(transformers.LlamaConfig(**config.to_hf(0, 1, None))).eval()
    result = hf.load_state_dict(ours.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys == (["lm_head.weight"] if tied else [])
    ids = random_ids(1, 30, seed=2)
    with torch.no_grad():
        torch.testing.assert_close(ours.eval()(ids), hf(ids).logits, atol=1e-5, rtol=1e-5)


def test_init_weights_is_seeded_and_scaled() -> None:
    config = LlamaConfig(vocab_size=512, dim=128, n_layers=8, n_heads=4, n_kv_heads=2, max_seq_len=32)
    first, second, other = Llama(config), Llama(config), Llama(config)
    state_before = torch.get_rng_state()
    first.init_weights(7)
    second.init_weights(7)
    other.init_weights(8)
    assert torch.equal(torch.get_rng_state(), state_before)  # the global RNG is left alone
    for key, tensor in first.state_dict().items():
        assert torch.equal(tensor, second.state_dict()[key]), key
    assert not torch.equal(first.model.embed_tokens.weight, other.model.embed_tokens.weight)
    layer = first.model.layers[0]
    std = config.init_std
    assert layer.self_attn.q_proj.weight.std().item() == pytest.approx(std, rel=0.05)
    assert layer.mlp.down_proj.weight.std().item() == pytest.approx(std / 4.0, rel=0.05)  # 1/sqrt(2·8)
    assert layer.self_attn.o_proj.weight.std().item() == pytest.approx(std / 4.0, rel=0.05)
    assert torch.equal(layer.input_layernorm.weight, torch.ones(128))
    assert first.layers is first.model.layers


def test_rope_tables_are_buffers_outside_the_state_dict() -> None:
    config = LlamaConfig(vocab_size=64, dim=32, n_layers=1, n_heads=2, n_kv_heads=1, max_seq_len=16)
    model = Llama(config)
    assert "rope" not in model.state_dict()
    assert model.rope.shape == (2, 16, 16)
    model.rope.zero_()
    model.init_buffers()  # what a model built on the meta device needs after to_empty()
    torch.testing.assert_close(model.rope, rope_tables(16, 16, config.rope_theta))


def test_rope_rotation_keeps_relative_positions() -> None:
    # q·k after RoPE depends only on the distance between the two positions.
    cos, sin = rope_tables(8, 32, 10000.0)
    q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)

    def score(pos_q: int, pos_k: int) -> float:
        rq = apply_rope(q, cos[pos_q : pos_q + 1], sin[pos_q : pos_q + 1])
        rk = apply_rope(k, cos[pos_k : pos_k + 1], sin[pos_k : pos_k + 1])
        return float((rq * rk).sum())

    assert score(5, 2) == pytest.approx(score(20, 17), abs=1e-5)
    assert score(5, 2) != pytest.approx(score(5, 4), abs=1e-3)


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match=r"multiple of model\.n_heads"):
        Llama(LlamaConfig(vocab_size=64, dim=30, n_heads=4, n_kv_heads=2))


def test_training_forward_compiles_without_graph_breaks() -> None:
    config = LlamaConfig(vocab_size=128, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=32)
    model = Llama(config)
    model.init_weights(0)
    compiled = torch.compile(model, fullgraph=True, backend="eager")  # fullgraph: a graph break raises
    ids = random_ids(2, 16) % 128
    loss = torch.nn.functional.cross_entropy(compiled(ids).flatten(0, 1), ids.flatten())
    loss.backward()
    torch.testing.assert_close(compiled(ids), model(ids))


def test_training_loss_and_gradients_match_transformers(make_pair: Pair) -> None:
    """model(ids, targets=) in training mode (one matmul for q/k/v and gate/up, chunked loss) is HF's."""
    hf, ours = make_pair(tied=True)
    ours.train()
    hf.train()  # the random test model has no dropout: train mode changes nothing on HF's side
    ids = random_ids(2, 40)
    loss = ours(ids[:, :-1], targets=ids[:, 1:])
    targets = ids[:, 1:].contiguous()
    want = hf(input_ids=ids[:, :-1], labels=targets, shift_labels=targets).loss
    torch.testing.assert_close(loss, want, atol=1e-5, rtol=1e-5)
    loss.backward()
    want.backward()
    hf_grads = dict(hf.named_parameters())
    for name, param in ours.named_parameters():
        assert param.grad is not None, name
        torch.testing.assert_close(param.grad, hf_grads[name].grad, atol=1e-5, rtol=1e-4, msg=name)


def test_train_and_eval_modes_give_the_same_logits(make_pair: Pair) -> None:
    _, ours = make_pair(tied=False, n_kv_heads=4)
    ids = random_ids(2, 40)
    with torch.no_grad():
        evaluated = ours.eval()(ids)
        trained = ours.train()(ids)
        loss = ours(ids[:, :-1], targets=ids[:, 1:])  # no grad: the plain cross-entropy of the logits
    torch.testing.assert_close(trained, evaluated, atol=1e-5, rtol=1e-5)
    want = torch.nn.functional.cross_entropy(ours(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten())
    torch.testing.assert_close(loss, want)
