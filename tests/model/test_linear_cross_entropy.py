"""The chunked output projection + cross-entropy equals the plain one, loss and gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from clearlm.model.linear_cross_entropy import linear_cross_entropy

VOCAB = 8192  # 16 MB of fp32 logits hold 512 rows of it: the 1,100 rows below take three chunks


def leaves(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(2, 550, 32, generator=g).requires_grad_()  # [B, T, D]
    weight = (0.3 * torch.randn(VOCAB, 32, generator=g)).requires_grad_()  # [V, D]
    targets = torch.randint(0, VOCAB, (2, 550), generator=g)  # [B, T]
    return hidden, weight, targets


def plain(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy((hidden @ weight.t()).float().flatten(0, 1), targets.flatten())


def grads_of(loss_fn, scale: float = 1.0, autocast: bool = False):  # type: ignore[no-untyped-def]
    hidden, weight, targets = leaves()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        loss = loss_fn(hidden, weight, targets)
    (loss * scale).backward()
    return loss.detach(), hidden.grad, weight.grad


@pytest.mark.parametrize("scale", [1.0, 0.25])  # 0.25: the loss divided by grad_accum before backward
def test_loss_and_gradients_equal_plain_cross_entropy(scale: float) -> None:
    loss, grad_h, grad_w = grads_of(linear_cross_entropy, scale)
    want_loss, want_h, want_w = grads_of(plain, scale)
    assert loss.dtype == torch.float32 and loss.shape == ()
    torch.testing.assert_close(loss, want_loss, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(grad_h, want_h, atol=1e-8, rtol=1e-5)
    torch.testing.assert_close(grad_w, want_w, atol=1e-8, rtol=1e-5)
    assert grad_w.abs().max() > 1e-4  # a gradient that is there to get wrong


def test_bf16_autocast_matches_transformers_style_upcast() -> None:
    loss, grad_h, grad_w = grads_of(linear_cross_entropy, autocast=True)
    want_loss, want_h, want_w = grads_of(plain, autocast=True)
    assert grad_h.dtype == torch.float32 and grad_w.dtype == torch.float32  # leaves keep their dtype
    torch.testing.assert_close(loss, want_loss, atol=1e-4, rtol=1e-4)
    # bf16 products round differently chunk by chunk (our sum over chunks is fp32, the plain one
    # rounds its [V, D] result to bf16 once): compare whole tensors, to bf16's 3 significant digits.
    for got, want in ((grad_h, want_h), (grad_w, want_w)):
        assert float((got - want).norm() / want.norm()) < 1e-2


def test_tied_weight_gets_both_gradients() -> None:
    """Embedding and head share one matrix: its gradient is the sum of both uses."""

    def tied(fn):  # type: ignore[no-untyped-def]
        weight = (0.3 * torch.randn(VOCAB, 32, generator=torch.Generator().manual_seed(3))).requires_grad_()
        ids = torch.randint(0, VOCAB, (3, 200), generator=torch.Generator().manual_seed(4))
        hidden = F.embedding(ids[:, :-1], weight) * 1.5
        fn(hidden, weight, ids[:, 1:]).backward()
        return weight.grad

    torch.testing.assert_close(tied(linear_cross_entropy), tied(plain), atol=1e-8, rtol=1e-5)


def test_no_grad_gives_the_loss_without_gradients() -> None:
    hidden, weight, targets = leaves()
    with torch.no_grad():
        loss = linear_cross_entropy(hidden, weight, targets)
    torch.testing.assert_close(loss, plain(hidden, weight, targets).detach(), atol=1e-6, rtol=1e-6)
    assert not loss.requires_grad
