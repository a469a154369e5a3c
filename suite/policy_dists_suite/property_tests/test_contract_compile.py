"""SPEC §6: torch.compile works on forward + sampling + log_prob (+ backward) of every output.

The inductor backend (real code generation) runs on TanhGaussian's training step, the one the
SPEC names; the other outputs go through dynamo's tracing with the cheaper aot_eager backend,
which exercises the same graph capture and autograd without compiling C++ for each.
"""

from __future__ import annotations

import types

import pytest
import torch

from policy_dists_catalogue.error_model import EPS64
from policy_dists_suite.property_tests.registry import (
    CASES,
    CASES_BY_NAME,
    OutputCase,
    Support,
    case_params,
)
from policy_dists_suite.property_tests.verdict import assert_within


def _step(case: OutputCase, impl: types.ModuleType, vec: torch.Tensor, actions: torch.Tensor):
    dist = case.distribution(impl, vec)
    sample = dist.rsample() if case.rsample is Support.YES else dist.sample()
    own = dist.log_prob(sample)
    return sample, own, dist.log_prob(actions)


@pytest.mark.parametrize("case", case_params(CASES))
def test_compiled_step_matches_eager(case: OutputCase, impl: types.ModuleType) -> None:
    torch._dynamo.reset()
    backend = "inductor" if case is CASES_BY_NAME["TanhGaussian"] else "aot_eager"
    lead = (5,)
    vec = torch.randn(case.vec_shape(lead), dtype=torch.float64, requires_grad=True)
    actions = case.make_actions(lead, case.output_kwargs, torch.float64, vec.device)
    compiled = torch.compile(lambda v, a: _step(case, impl, v, a), backend=backend)
    sample, own, given = compiled(vec, actions)
    _, _, eager_given = _step(case, impl, vec, actions)
    # Same float64 formula, possibly fused or reordered by the compiler: each of the two
    # evaluations is within 32 roundings (eps64 each) of S, the magnitude of the formula's
    # terms: |log_prob| plus the terms that can cancel, below 64 for these randn vecs (the
    # Jacobian term is below 13.2 per dimension at any clip up to 1 - 1e-6, d <= 3; Beta's
    # (alpha - 1)|log x| below 4 * 5.3 per side at alpha < 5 and the 0.99 clip). A different
    # formula is off by far more.
    tolerance = 2 * 32 * EPS64 * (eager_given.detach().abs() + 64)
    assert_within(
        case.name,
        f"compiled ({backend}) log_prob",
        given.detach().numpy(),
        eager_given.detach().numpy(),
        tolerance.numpy(),
        {"vec": vec.detach().numpy()},
    )
    assert sample.shape == case.action_shape(lead, case.output_kwargs)
    assert bool(torch.isfinite(own).all())
    if case.rsample is Support.YES:
        (grad,) = torch.autograd.grad((own.sum() + sample.sum()), vec)
        assert bool(torch.isfinite(grad).all())
