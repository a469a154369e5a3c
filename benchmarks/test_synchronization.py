"""A training step never waits on a CUDA device: with the implementation's value checks off
(benchmarks/conftest.py), no operator reads a tensor's value back to the host. Counted on CPU
with the operator counter, so it holds without a GPU to time: the reads are the operators that
.item(), bool(tensor) and shape-dependent results dispatch."""

from __future__ import annotations

import types

import pytest
import torch

from benchmarks.cases import OUTPUTS, network_output
from benchmarks.kernels import ImplKernels
from benchmarks.operator_count import count_operators

# _local_scalar_dense: .item() and bool(); nonzero and masked_select: results whose shape
# depends on the values.
HOST_READS = ("_local_scalar_dense", "nonzero", "masked_select")


@pytest.mark.parametrize("output", OUTPUTS)
def test_training_step_reads_nothing_back_to_the_host(output: str, impl: types.ModuleType) -> None:
    kernels = ImplKernels(output, impl)
    vec = network_output(output, 256, torch.device("cpu")).requires_grad_(True)
    counter = count_operators(lambda: torch.autograd.grad(kernels.train_loss(vec), vec))
    reads = {name: counter.names[name] for name in HOST_READS if counter.names[name]}
    assert not reads, f"{output}: the training step reads values back to the host: {reads}"
