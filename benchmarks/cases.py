"""What is benchmarked: outputs, operations, variants, batch sizes, and the shared inputs.

Every variant of one (output, batch size, device) sees bit-identical inputs, drawn from a
generator seeded by the output and batch size, so groups compare the same work.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import torch

from policy_dists_catalogue import OUTPUTS, input_dimension
from policy_dists_catalogue.adapters import ADAPTERS

D_ACTION = 6
DISCRETE_ACTIONS = 18
GMM_MODES = 5

RSAMPLE_OUTPUTS = frozenset(name for name, a in ADAPTERS.items() if a.reparameterized)
# The constructor kwargs every variant's output is built with.
KWARGS = {
    output: {"d_action": D_ACTION, "gmm_modes": GMM_MODES}
    if output == "GMM"
    else {"d_action": DISCRETE_ACTIONS if output.startswith("Discrete") else D_ACTION}
    for output in OUTPUTS
}
INPUT_DIMENSION = {output: input_dimension(output, KWARGS[output]) for output in OUTPUTS}

OPERATIONS = ("forward", "sample", "rsample", "log_prob", "train")
BASELINE_VARIANTS = ("impl", "textbook", "floor")
COMPILED = "compiled"  # torch.compile of the implementation; training step only

BATCH_SIZES = (1, 256, 4096, 65536)
# With timing disabled (--benchmark-disable, or xdist) every path still runs once, on these;
# the compiled step (the slow one to set up) only on the last.
SMOKE_BATCH_SIZES = (1, 256)

# Actions scored by the log_prob benchmark stay well inside every clip bound (0.99 for
# TanhGaussian and Beta, 1 - 1e-6 for GMM) so that the differently clipped textbook
# compositions compute the same density as the implementation.
ACTION_BOUND = 0.9


@dataclass(frozen=True)
class Case:
    """One benchmark: an operation of an output, computed by one variant at one batch size."""

    output: str
    operation: str
    variant: str
    batch: int

    @property
    def id(self) -> str:
        return f"{self.output}-{self.operation}-B{self.batch}-{self.variant}"

    def group(self, device: torch.device) -> str:
        """pytest-benchmark group: the variants of one (output, operation, batch, device)."""
        return f"{self.output} {self.operation} B={self.batch} {device.type}"


def operations(output: str) -> tuple[str, ...]:
    """The operations an output defines (rsample only where it is reparameterizable)."""
    return tuple(op for op in OPERATIONS if op != "rsample" or output in RSAMPLE_OUTPUTS)


def all_cases(batch_sizes: tuple[int, ...], compiled_sizes: tuple[int, ...]) -> list[Case]:
    """Every (output, operation, variant, batch) combination, the compiled training step
    only at ``compiled_sizes``; the cases of one output are consecutive, so that its
    compiled training step is compiled once per run."""
    cases = []
    for output in OUTPUTS:
        for batch in batch_sizes:
            for operation in operations(output):
                cases += [Case(output, operation, v, batch) for v in BASELINE_VARIANTS]
            if batch in compiled_sizes:
                cases.append(Case(output, "train", COMPILED, batch))
    return cases


def _generator(output: str, batch: int) -> torch.Generator:
    return torch.Generator().manual_seed(zlib.crc32(f"{output}-{batch}".encode()))


def network_output(output: str, batch: int, device: torch.device) -> torch.Tensor:
    """A float32 actor output ``vec`` of shape (batch, 1, input_dimension), entries ~ N(0, 1)."""
    shape = (batch, 1, INPUT_DIMENSION[output])
    return torch.randn(shape, generator=_generator(output, batch)).to(device)


def actions(output: str, batch: int, device: torch.device) -> torch.Tensor:
    """Actions in each output's own layout, as its log_prob takes them.

    Continuous: uniform in [-ACTION_BOUND, ACTION_BOUND], shape (batch, 1, d); Discrete: int64
    indices (batch, 1); DiscreteLikeContinuous: one-hot floats (batch, 1, 18); Multibinary:
    0/1 floats (batch, 1, d).
    """
    gen = _generator(output, -batch)
    if output == "Discrete":
        return torch.randint(DISCRETE_ACTIONS, (batch, 1), generator=gen).to(device)
    if output == "DiscreteLikeContinuous":
        index = torch.randint(DISCRETE_ACTIONS, (batch, 1), generator=gen)
        return torch.nn.functional.one_hot(index, DISCRETE_ACTIONS).float().to(device)
    if output == "Multibinary":
        return torch.randint(2, (batch, 1, D_ACTION), generator=gen).float().to(device)
    uniform = torch.rand((batch, 1, D_ACTION), generator=gen)
    return ((2.0 * uniform - 1.0) * ACTION_BOUND).to(device)
