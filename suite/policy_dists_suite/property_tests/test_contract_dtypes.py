"""SPEC §6 dtypes: float32/float64 are preserved; a half-precision training step is finite;
float16/bfloat16 vec is computed in float32 (a policy-dists extension)."""

from __future__ import annotations

import types

import pytest
import torch

from policy_dists_suite.property_tests.numerics import eps, working_dtype
from policy_dists_suite.property_tests.registry import CASES, OutputCase, Support, case_params

LEAD = (3,)


def _deterministic_outputs(
    case: OutputCase, dist: object, actions: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The outputs that are functions of vec (and the fixed actions), not of the RNG."""
    outputs = {"log_prob": dist.log_prob(actions)}
    if case.has_mean:
        outputs["mean"] = dist.mean
    if case.has_probs:
        outputs["probs"] = dist.probs
        outputs["logits"] = dist.logits
    # Extension entropies are covered by their own tests.
    if case.entropy is Support.YES and "entropy" not in case.extensions:
        outputs["entropy"] = dist.entropy()
    return outputs


def _random_outputs(case: OutputCase, dist: object) -> dict[str, torch.Tensor]:
    outputs = {"sample": dist.sample((2,))}
    if case.rsample is Support.YES:
        outputs["rsample"] = dist.rsample()
    return outputs


def _check_dtypes(
    case: OutputCase, dist: object, expected: torch.dtype, actions: torch.Tensor
) -> None:
    for name, value in _deterministic_outputs(case, dist, actions).items():
        assert value.dtype == expected, name
    for name, value in _random_outputs(case, dist).items():
        want = torch.int64 if case.integer_samples and name == "sample" else expected
        assert value.dtype == want, name


@pytest.mark.parametrize("case", case_params())
def test_float32_and_float64_are_preserved(
    impl: types.ModuleType, case: OutputCase, device: torch.device, dtype: torch.dtype
) -> None:
    vec = torch.randn(case.vec_shape(LEAD), dtype=dtype, device=device)
    actions = case.make_actions(LEAD, case.output_kwargs, dtype, device)
    _check_dtypes(case, case.distribution(impl, vec), dtype, actions)


HALF_DTYPES = pytest.mark.parametrize(
    "half", [torch.float16, torch.bfloat16], ids=["float16", "bfloat16"]
)


@HALF_DTYPES
@pytest.mark.parametrize("case", case_params())
def test_a_half_precision_training_step_is_finite(
    impl: types.ModuleType, case: OutputCase, device: torch.device, half: torch.dtype
) -> None:
    """A half-precision vec (mixed-precision training) of ordinary values: the training step
    (a differentiable sample where the output has one, else a sample; its log_prob; the
    gradient of the sum in vec) gives finite log-probs and gradients in whatever dtype the
    module computes. Own samples are scored under the module's clip, so every exact value
    is finite."""
    vec = torch.randn(case.vec_shape(LEAD), device=device).to(half).requires_grad_()
    dist = case.distribution(impl, vec)
    action = dist.rsample() if case.rsample is Support.YES else dist.sample()
    log_prob = dist.log_prob(action)
    (grad,) = torch.autograd.grad(log_prob.sum(), vec)
    assert bool(log_prob.isfinite().all()), f"{case.name} half log_prob: got {log_prob}"
    assert bool(grad.isfinite().all()), f"{case.name} half gradient in vec: got {grad}"


@pytest.mark.extension("half_in_float32")
@HALF_DTYPES
@pytest.mark.parametrize("case", case_params())
def test_half_precision_vec_is_computed_in_float32(
    impl: types.ModuleType, case: OutputCase, device: torch.device, half: torch.dtype
) -> None:
    vec = torch.randn(case.vec_shape(LEAD), device=device).to(half)
    wide = working_dtype(half)
    actions = case.make_actions(LEAD, case.output_kwargs, wide, device)
    dist_half = case.distribution(impl, vec)
    _check_dtypes(case, dist_half, wide, actions)

    # vec.to(float32) is exact, so the half-vec outputs must be the float32 outputs of the
    # same inputs. Error model: two float32 evaluations of the SPEC formulas on identical
    # inputs differ by at most 64 roundings of S, with S (the sum of the formula's term
    # magnitudes) <= |value| + 20 for vec ~ N(0, 1). Math done in the half dtype errs by
    # eps(half) * S >= 1e-3 * S, 60x more than this bound at S = 20.
    expected = _deterministic_outputs(case, case.distribution(impl, vec.to(wide)), actions)
    for name, value in _deterministic_outputs(case, dist_half, actions).items():
        want = expected[name]
        tol = 64 * eps(wide) * (want.abs() + 20)
        assert bool(((value - want).abs() <= tol).all()), (name, value, want)


@pytest.mark.extension("actions_cast")
@pytest.mark.parametrize("case", case_params(tuple(c for c in CASES if not c.integer_samples)))
def test_actions_of_another_dtype_are_cast_to_the_distribution_dtype(
    impl: types.ModuleType, case: OutputCase, device: torch.device, dtype: torch.dtype
) -> None:
    """log_prob(actions in the other float dtype) is log_prob of those actions cast to the
    distribution's dtype, to the bit and in that dtype (the cast is the first operation)."""
    other = torch.float64 if dtype == torch.float32 else torch.float32
    dist = case.distribution(impl, torch.randn(case.vec_shape(LEAD), dtype=dtype, device=device))
    actions = case.make_actions(LEAD, case.output_kwargs, dtype, device).to(other)
    log_prob = dist.log_prob(actions)
    assert log_prob.dtype == dtype
    assert torch.equal(log_prob, dist.log_prob(actions.to(dtype)))
