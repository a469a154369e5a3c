"""SPEC §6: torch.compile works on forward + sampling + log_prob (+ backward) of every output.

The inductor backend (real code generation) runs on TanhGaussian's training step, the one the
SPEC names; the other outputs go through dynamo's tracing with the cheaper aot_eager backend,
which exercises the same graph capture and autograd without compiling C++ for each.
"""

from __future__ import annotations

import types

import pytest
import torch

from property_tests.registry import CASES, CASES_BY_NAME, OutputCase, Support, case_params


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
    # Same float64 formula, possibly fused or reordered by the compiler: each result is within
    # a few ulps of the exact value, scaled by the magnitude of its terms (|log p| <= ~50
    # here), so 1e-12 absolute is far above rounding and far below any formula difference.
    torch.testing.assert_close(given, eager_given, rtol=0.0, atol=1e-12)
    assert sample.shape == case.action_shape(lead, case.output_kwargs)
    assert bool(torch.isfinite(own).all())
    if case.rsample is Support.YES:
        (grad,) = torch.autograd.grad((own.sum() + sample.sum()), vec)
        assert bool(torch.isfinite(grad).all())
