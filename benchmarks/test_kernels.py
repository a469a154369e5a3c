"""Kernel benchmarks: each test times one operation of one policy output, in float32, on a
batch of shape (B, 1, input_dimension), computed by one variant.

Operations (what one timed call does):
- forward:  build the distribution (or its parameters) from vec, vec requiring grad;
- sample:   one draw without gradients from a distribution built from a vec without grad
            (acting);
- rsample:  one reparameterized draw, recording the graph (TanhGaussian, Beta,
            DiscreteLikeContinuous);
- log_prob: score fixed actions (inside every clip bound), recording the graph; the result
            is also checked against a float64 reference (benchmarks/agreement.py);
- train:    forward + rsample (else sample) + log_prob + backward of the summed loss
            (Kernels.train_loss), the gradient taken with torch.autograd.grad.
Variants: impl (the module under test), textbook (torch.distributions, benchmarks/
textbook.py), floor (plain ops, benchmarks/floor.py), compiled (torch.compile of impl's
training step). On CUDA each timed call is bracketed by torch.cuda.synchronize().
"""

from __future__ import annotations

import types
from collections.abc import Callable

import torch
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks import floor, textbook
from benchmarks.agreement import model_deviation, reference_log_prob
from benchmarks.cases import COMPILED, Case, actions, network_output
from benchmarks.kernels import CompiledTrainSteps, ImplKernels, Kernels
from benchmarks.operator_count import count_operators

WARMUP_CALLS = 3  # first-call allocations, and torch.compile's compile and recompile


def _kernels(case: Case, impl: types.ModuleType) -> Kernels:
    if case.variant == "impl":
        return ImplKernels(case.output, impl)
    module = textbook if case.variant == "textbook" else floor
    return module.VARIANTS[case.output](case.output)


def _operation(
    case: Case, kernels: Kernels, vec: torch.Tensor, action: torch.Tensor
) -> Callable[[], object]:
    """The zero-argument call that is timed; everything it does not time is done here."""
    if case.operation == "sample":
        dist = kernels.forward(vec)
        return lambda: kernels.sample(dist)
    vec.requires_grad_(True)
    if case.operation == "forward":
        return lambda: kernels.forward(vec)
    if case.operation == "rsample":
        dist = kernels.forward(vec)
        return lambda: kernels.rsample(dist)
    if case.operation == "log_prob":
        dist = kernels.forward(vec)
        return lambda: kernels.log_prob(dist, action)
    return lambda: torch.autograd.grad(kernels.train_loss(vec), vec)


def _compiled_operation(
    step: Callable[[torch.Tensor], torch.Tensor], vec: torch.Tensor
) -> Callable[[], object]:
    vec.requires_grad_(True)
    return lambda: torch.autograd.grad(step(vec), vec)


def _synchronized(call: Callable[[], object]) -> Callable[[], object]:
    def synchronized_call() -> object:
        torch.cuda.synchronize()
        result = call()
        torch.cuda.synchronize()
        return result

    return synchronized_call


def _check_log_prob(
    case: Case, result: torch.Tensor, vec: torch.Tensor, action: torch.Tensor
) -> None:
    """The log-densities the variant returned agree with the float64 reference."""
    expected, tolerance = reference_log_prob(floor.VARIANTS[case.output](case.output), vec, action)
    assert result.shape == expected.shape, f"{case.id}: log_prob shape {tuple(result.shape)}"
    error = (result.detach().double() - expected).abs()
    bound = tolerance + model_deviation(case.output, case.variant)
    worst = float((error / bound).max())
    assert worst <= 1.0, (
        f"{case.id}: log_prob differs from the reference by {worst:.3g}x the tolerance"
    )


def test_kernel(
    benchmark: BenchmarkFixture,
    case: Case,
    device: torch.device,
    impl: types.ModuleType,
    compiled_steps: CompiledTrainSteps,
) -> None:
    """Time ``case`` on ``device`` (see the module docstring for what one call does)."""
    benchmark.group = case.group(device)
    benchmark.name = case.variant
    benchmark.extra_info.update(
        output=case.output,
        operation=case.operation,
        batch=case.batch,
        device=device.type,
        variant=case.variant,
        threads=torch.get_num_threads(),
    )
    vec = network_output(case.output, case.batch, device)
    action = actions(case.output, case.batch, device)
    if case.variant == COMPILED:
        call = _compiled_operation(compiled_steps.get(case.output, device), vec)
    else:
        call = _operation(case, _kernels(case, impl), vec, action)
    if device.type == "cuda":
        call = _synchronized(call)
    if not benchmark.disabled:
        for _ in range(WARMUP_CALLS):
            call()
    result = benchmark(call)
    if case.variant != COMPILED:  # a compiled graph's operators are fused kernels, not ATen's
        benchmark.extra_info["operators"] = count_operators(call).total
    if case.operation == "log_prob":
        _check_log_prob(case, result, vec, action)
