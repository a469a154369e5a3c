"""SPEC §4 Multibinary: Bernoulli(logits=vec), samples in {0, 1}, mean = probs, mode."""

from __future__ import annotations

import types

import pytest
import torch

from property_tests.numerics import eps, softplus64

D = 5


def _vec(dtype: torch.dtype) -> torch.Tensor:
    vec = 4 * torch.randn(6, D, dtype=dtype)
    vec[0] = torch.tensor([0.0, 40.0, -40.0, 1e4, -1e4])  # probs 1/2 and the saturated ends
    return vec


def test_samples_are_zero_or_one(impl: types.ModuleType, dtype: torch.dtype) -> None:
    samples = impl.Multibinary(D)(_vec(dtype)).sample((50,))
    assert samples.shape == (50, 6, D)
    assert bool(((samples == 0) | (samples == 1)).all())
    # probs of 1 and 0 (|vec| >= 40 saturates the sigmoid in both dtypes) are honoured.
    assert bool((samples[:, 0, 1] == 1).all()) and bool((samples[:, 0, 2] == 0).all())


def test_mean_is_probs_is_sigmoid_of_vec(impl: types.ModuleType, dtype: torch.dtype) -> None:
    vec = _vec(dtype)
    dist = impl.Multibinary(D)(vec)
    assert torch.equal(dist.mean, dist.probs)
    # sigmoid within 4 ulps of the result.
    torch.testing.assert_close(
        dist.probs.double(), torch.sigmoid(vec.double()), rtol=4 * eps(dtype), atol=0
    )


def test_log_prob_and_entropy_per_dimension(impl: types.ModuleType, dtype: torch.dtype) -> None:
    vec = _vec(dtype)
    dist = impl.Multibinary(D)(vec)
    actions = torch.randint(0, 2, vec.shape).to(dtype)
    v = vec.double()
    # log p(1) = -softplus(-v), log p(0) = -softplus(v).
    want = torch.where(actions.bool(), -softplus64(-v), -softplus64(v))
    # Error model: 4 ulps of the result, plus an absolute 4 eps (1 + |v|) for the usual
    # evaluations, a log of a rounded 1 + e^-|v| and a v - v a that cancels.
    error = (dist.log_prob(actions).double() - want).abs()
    assert bool((error <= 4 * eps(dtype) * (want.abs() + 1 + v.abs())).all()), error
    p = torch.sigmoid(v)
    entropy = p * softplus64(-v) + (1 - p) * softplus64(v)
    # The usual evaluation max(v, 0) - v p + log1p(e^-|v|) cancels for large |v|: absolute
    # error <= 8 eps (1 + |v|).
    assert bool(((dist.entropy().double() - entropy).abs() <= 8 * eps(dtype) * (1 + v.abs())).all())


@pytest.mark.extension("multibinary_mode")
def test_mode_is_probs_above_one_half(impl: types.ModuleType, dtype: torch.dtype) -> None:
    dist = impl.Multibinary(D)(_vec(dtype))
    mode = dist.mode
    assert mode.dtype.is_floating_point
    assert torch.equal(mode, (dist.probs > 0.5).to(mode.dtype))
    assert float(mode[0, 0]) == 0.0  # probs exactly 1/2 is not above 1/2
