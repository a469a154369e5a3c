"""ATen operators dispatched by a call: on a GPU each is about one kernel launch, so at small
batch sizes the count is the latency that no CPU timing shows.

Counted with a TorchDispatchMode, which sees every operator below autograd, the backward
pass's included (the CPU autograd engine runs it on the calling thread). Views and metadata
operators count too: each is a dispatch, if not a launch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from torch.utils._python_dispatch import TorchDispatchMode


class OperatorCounter(TorchDispatchMode):
    """Counts the ATen operators dispatched while active, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.names: Counter[str] = Counter()

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None
    ) -> Any:
        self.names[str(func.overloadpacket.__name__)] += 1
        return func(*args, **(kwargs or {}))

    @property
    def total(self) -> int:
        return sum(self.names.values())


def count_operators(call: Callable[[], object]) -> OperatorCounter:
    """The operators one call of `call` dispatches."""
    with OperatorCounter() as counter:
        call()
    return counter
