"""The common interface of the benchmarked variants, and the implementation under test.

A variant computes one output's operations in its own way: ``impl`` through the API of the
module under test, ``textbook`` (benchmarks/textbook.py) through torch.distributions,
``floor`` (benchmarks/floor.py) through plain tensor ops, ``compiled`` through
torch.compile of the implementation's training step.
"""

from __future__ import annotations

import types
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import torch

from benchmarks.cases import KWARGS, RSAMPLE_OUTPUTS
from policy_dists_catalogue.adapters import ADAPTERS


class Kernels(ABC):
    """One way of computing a policy output's operations.

    ``forward`` maps ``vec`` to whatever the variant samples and scores from (a
    Distribution, or a tuple of parameter tensors); the other operations take that object.
    """

    def __init__(self, output: str) -> None:
        self.has_rsample = output in RSAMPLE_OUTPUTS

    @abstractmethod
    def forward(self, vec: torch.Tensor) -> Any:
        """Build the distribution (or its parameters) from the actor output ``vec``."""

    @abstractmethod
    def sample(self, dist: Any) -> torch.Tensor:
        """One action per batch element, without gradients."""

    def rsample(self, dist: Any) -> torch.Tensor:
        """One reparameterized action per batch element (outputs in RSAMPLE_OUTPUTS)."""
        raise NotImplementedError

    @abstractmethod
    def log_prob(self, dist: Any, action: torch.Tensor) -> torch.Tensor:
        """log p(action), in the output's own result shape."""

    def train_loss(self, vec: torch.Tensor) -> torch.Tensor:
        """The scalar a training step differentiates: forward, then rsample (else sample),
        then the sum of the log-probabilities of those actions, plus the sum of the actions
        when they are reparameterized (a stand-in for an actor loss alpha log pi(a) - Q(a),
        so that the reparameterization gradient is part of the backward pass)."""
        dist = self.forward(vec)
        if self.has_rsample:
            action = self.rsample(dist)
            return self.log_prob(dist, action).sum() + action.sum()
        return self.log_prob(dist, self.sample(dist)).sum()


class DistributionKernels(Kernels):
    """A variant whose ``forward`` returns a torch Distribution with the usual methods."""

    def sample(self, dist: torch.distributions.Distribution) -> torch.Tensor:
        return dist.sample()

    def rsample(self, dist: torch.distributions.Distribution) -> torch.Tensor:
        return dist.rsample()

    def log_prob(
        self, dist: torch.distributions.Distribution, action: torch.Tensor
    ) -> torch.Tensor:
        return dist.log_prob(action)


class ImplKernels(DistributionKernels):
    """The module under test (``--impl``), through its public API only."""

    def __init__(self, output: str, module: types.ModuleType) -> None:
        super().__init__(output)
        adapter = ADAPTERS[output]
        # The PolicyOutput object is built once, outside the timed forward; a wrapper (the
        # adapter's) is applied to each distribution, as a training step does.
        self._wrapper = getattr(module, output) if adapter.wrapped else None
        self._policy_output = getattr(module, adapter.output_class)(**KWARGS[output])

    def forward(self, vec: torch.Tensor) -> torch.distributions.Distribution:
        dist = self._policy_output(vec)
        return dist if self._wrapper is None else self._wrapper(dist)


class CompiledTrainSteps:
    """torch.compile of the implementation's ``train_loss`` (its backward is compiled by
    AOTAutograd along with it), one per (output, device type), shared by the batch sizes
    with torch.compile's automatic dynamic shapes. Compilation happens in warm-up calls.

    Every step compiles the same code object, whose recompilations dynamo counts against
    one limit, so dynamo is reset when another step starts being used (the cases of one
    output run consecutively). Inductor is told to call aten's random kernels: the random
    numbers it generates itself are 3-7x slower on CPU (torch 2.13).
    """

    def __init__(self, module: types.ModuleType, backend: str) -> None:
        self._module = module
        self._backend = backend
        self._options = {"fallback_random": True} if backend == "inductor" else None
        self._key: tuple[str, str] | None = None
        self._step: Callable[[torch.Tensor], torch.Tensor] | None = None

    def get(self, output: str, device: torch.device) -> Callable[[torch.Tensor], torch.Tensor]:
        key = (output, device.type)
        if key != self._key or self._step is None:
            torch.compiler.reset()
            loss = ImplKernels(output, self._module).train_loss
            self._step = torch.compile(loss, backend=self._backend, options=self._options)
            self._key = key
        return self._step
