"""torch.distributed plumbing: join the torchrun group, wrap the model (DDP or FSDP2), reduce numbers.

Started by `torchrun --nproc_per_node N ...`, every process finds WORLD_SIZE, RANK and LOCAL_RANK in
its environment; without them (or with WORLD_SIZE=1) training is one plain process and nothing here
touches torch.distributed. Backend: nccl when there is a GPU per process, gloo on CPU.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.fsdp import FSDPModule, fully_shard
from torch.nn.parallel import DistributedDataParallel

from clearlm.errors import ConfigError

PARALLEL_MODES = ("ddp", "fsdp")


@dataclass(frozen=True)
class DistInfo:
    """This process's place in the job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def is_main(self) -> bool:
        """Rank 0: the only process that writes files or prints."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def init_distributed() -> DistInfo:
    """Join the process group torchrun describes in the environment (or stay a single process)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if cuda else "gloo", device_id=device if cuda else None)
    return DistInfo(rank=rank, world_size=world, local_rank=local_rank, device=device)


def destroy_distributed(info: DistInfo) -> None:
    if info.distributed and dist.is_initialized():
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    if info.distributed:
        dist.barrier()


def wrap_model(model: nn.Module, layers: Sequence[nn.Module], info: DistInfo, parallel: str) -> nn.Module:
    """The module to train: `model` itself in one process, else DDP- or FSDP2-wrapped.

    FSDP2 shards each decoder layer as its own unit (its weights are gathered only while that layer
    runs), then the root, which holds the embeddings, final norm and the (possibly tied) head.
    """
    if parallel not in PARALLEL_MODES:
        raise ConfigError(f"train.parallel must be one of {', '.join(PARALLEL_MODES)}, not {parallel!r}")
    if not info.distributed:
        return model
    if parallel == "ddp":
        device_ids = [info.local_rank] if info.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=device_ids)
    for layer in layers:
        fully_shard(layer)
    fully_shard(model)
    return model


def is_fsdp(model: nn.Module) -> bool:
    return isinstance(model, FSDPModule)


def unwrap(model: nn.Module) -> nn.Module:
    """The plain model under a DDP wrapper (FSDP2 shards in place, so there is nothing to unwrap)."""
    return model.module if isinstance(model, DistributedDataParallel) else model


@contextlib.contextmanager
def gradient_sync(model: nn.Module, enabled: bool) -> Iterator[None]:
    """Skip the gradient all-reduce / reduce-scatter on all but the last micro-step of a step."""
    if isinstance(model, DistributedDataParallel) and not enabled:
        with model.no_sync():
            yield
        return
    if isinstance(model, FSDPModule):
        model.set_requires_gradient_sync(enabled)
    yield


def all_reduce_sum(values: Sequence[float], info: DistInfo) -> list[float]:
    """Element-wise sum of `values` over all ranks (float64, so counts stay exact)."""
    if not info.distributed:
        return [float(v) for v in values]
    tensor = torch.tensor(list(values), dtype=torch.float64, device=info.device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return [float(v) for v in tensor.tolist()]


def all_reduce_mean(values: Sequence[float], info: DistInfo) -> list[float]:
    return [v / info.world_size for v in all_reduce_sum(values, info)]


def broadcast_object(obj: object, info: DistInfo) -> object:
    """Rank 0's `obj` on every rank (e.g. the checkpoint it chose to resume from)."""
    if not info.distributed:
        return obj
    holder = [obj]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]
