"""Output projection and next-token cross-entropy in one pass, chunk by chunk, gradients included.

The plain way, `F.cross_entropy(h @ Wᵀ, targets)`, materialises the logits [N, V] (64 MB for 2,048
tokens and 8,192 ids in fp32), their log-softmax and, in backward, a gradient of the same size: three
allocations too big for the allocator to reuse, each served by fresh pages the kernel must fault in
and zero. On CPU that cost as much as the projection's matmul itself (bench/train_vs_hf.py profile).

Here the rows go through in chunks of `chunk_rows`: one chunk's logits live in a buffer reused for
every chunk, are turned into softmax − one-hot in place, and give that chunk's gradients at once
(dL/dh = G·W, dL/dW += Gᵀ·h). The loss is the last thing computed, so its upstream gradient is one
scalar and the backward pass only scales what the forward pass stored: the projection's matmuls run
once each, as in the plain way, and the [N, V] tensors never exist. The idea is that of Liger
Kernel's fused linear cross-entropy and Apple's cut cross-entropy; torch has no such op, hence this file.
"""

from __future__ import annotations

import torch


def _rows_per_chunk(vocab_size: int, budget_bytes: int = 16 << 20) -> int:
    # 16 MB of fp32 logits per chunk: big enough for full-speed matmuls, small enough that glibc
    # serves it from the heap (mmap threshold ≤ 32 MB) instead of faulting in new pages each time.
    return max(1, budget_bytes // (4 * vocab_size))


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: torch.autograd.function.FunctionCtx,
        hidden: torch.Tensor,  # [N, D]
        weight: torch.Tensor,  # [V, D]
        targets: torch.Tensor,  # [N] int64
        compute_dtype: torch.dtype,
    ) -> torch.Tensor:
        count, vocab = hidden.shape[0], weight.shape[0]
        h_all, w = hidden.to(compute_dtype), weight.to(compute_dtype)  # [N, D], [V, D]
        grad_hidden = torch.empty_like(hidden)  # [N, D]
        grad_weight = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)  # [V, D]
        loss_sum = torch.zeros((), dtype=torch.float64, device=hidden.device)
        rows = _rows_per_chunk(vocab)
        buffer = torch.empty(min(rows, count), vocab, dtype=torch.float32, device=hidden.device)
        for start in range(0, count, rows):
            h, t = h_all[start : start + rows], targets[start : start + rows]  # [c, D], [c]
            c = h.shape[0]
            logits = buffer[:c]  # [c, V] float32
            if compute_dtype == torch.float32:
                torch.mm(h, w.t(), out=logits)
            else:
                logits.copy_(h @ w.t())  # the matmul in bf16, the softmax in fp32, as transformers does
            picked = logits.gather(1, t[:, None]).squeeze(1)  # [c] logit of the true next token
            peak = logits.amax(dim=1, keepdim=True)  # [c, 1]
            # One exp over the chunk serves the loss and the gradient (logsumexp would take another).
            grad = logits.sub_(peak).exp_()  # [c, V] exp(logit − max), in the logits' own buffer
            total = grad.sum(dim=1, keepdim=True)  # [c, 1]
            lse = peak.squeeze(1) + total.squeeze(1).log()  # [c]
            loss_sum += (lse - picked).sum(dtype=torch.float64)
            # dL/dlogits of the mean loss: (softmax − one-hot) / N.
            grad.mul_(1.0 / (total * count))
            grad.scatter_add_(1, t[:, None], torch.full((c, 1), -1.0 / count, device=grad.device))
            g = grad.to(compute_dtype)  # [c, V]
            grad_hidden[start : start + c] = (g @ w).to(hidden.dtype)  # [c, D]
            if compute_dtype == torch.float32:
                grad_weight.addmm_(g.t(), h)  # [V, D]
            else:
                grad_weight += g.t() @ h  # [V, D]: the product in bf16, the sum in fp32
        ctx.save_for_backward(grad_hidden, grad_weight.to(weight.dtype))
        return (loss_sum / count).to(torch.float32)

    @staticmethod
    def backward(
        ctx: torch.autograd.function.FunctionCtx, grad_loss: torch.Tensor
    ) -> tuple[torch.Tensor | None, torch.Tensor | None, None, None]:
        grad_hidden, grad_weight = ctx.saved_tensors  # type: ignore[attr-defined]
        # grad_loss is a scalar (the loss is the graph's end); 1.0 needs no multiply, e.g. 1/accum does.
        return grad_hidden * grad_loss, grad_weight * grad_loss, None, None


def linear_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of `hidden [..., D] @ weight [V, D]ᵀ` against `targets [...]`, fp32 scalar.

    Equal to `F.cross_entropy((hidden @ weight.T).float().flatten(0, -2), targets.flatten())` and its
    gradients up to float rounding. Under autocast the matmuls run in the autocast dtype and the
    softmax in fp32.
    """
    loss: torch.Tensor = _eager_linear_cross_entropy(hidden, weight, targets)
    return loss


def _linear_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    device_type = hidden.device.type
    compute_dtype = (
        torch.get_autocast_dtype(device_type) if torch.is_autocast_enabled(device_type) else hidden.dtype
    )
    with torch.autocast(device_type, enabled=False):
        flat_hidden = hidden.reshape(-1, hidden.shape[-1])  # [N, D]
        result: torch.Tensor = _LinearCrossEntropy.apply(  # type: ignore[no-untyped-call]
            flat_hidden, weight, targets.reshape(-1), compute_dtype
        )
    return result


# A loop of in-place kernels: under torch.compile it runs eagerly (the graph breaks here anyway).
_eager_linear_cross_entropy = torch.compiler.disable(_linear_cross_entropy)  # type: ignore[no-untyped-call]
