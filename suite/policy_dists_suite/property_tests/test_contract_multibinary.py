"""SPEC §4 Multibinary: Bernoulli(logits=vec), samples in {0, 1}, mean = probs, mode."""

from __future__ import annotations

import math
import types

import pytest
import torch

from policy_dists_suite.property_tests.numerics import eps, softplus64

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


# CPU float32 uniforms are multiples of 2^-24, exactly 0 with probability 2^-24 per draw. After
# torch.manual_seed(_U_ZERO_SEED), torch.rand(N_EDGE, 2, D) holds such a 0 in row 0 (the seed
# was searched for it): a sampler drawing 1 when U <= p would draw it there at p = 0.
_U_ZERO_SEED = 341
N_EDGE = 8192


def test_probabilities_zero_and_one_are_never_and_always_drawn(impl: types.ModuleType) -> None:
    """P(1) = p exactly at p = 0 and p = 1 (logits -1e4 and 1e4, whose sigmoid rounds to 0 and
    1, as for a masked action): never and always drawn, for every seed.

    No false failures (an exact property). Power: any sampler whose uniform can be exactly 0
    and that draws 1 for U <= p fails with this seed in float32 (see _U_ZERO_SEED)."""
    torch.manual_seed(_U_ZERO_SEED)
    assert bool((torch.rand(N_EDGE, 2, D)[:, 0] == 0).any()), "the seed no longer has U = 0"
    torch.manual_seed(_U_ZERO_SEED)
    vec = torch.tensor([[-1e4] * D, [1e4] * D])
    samples = impl.Multibinary(D)(vec).sample((N_EDGE,))
    assert bool((samples[:, 0] == 0).all()), samples[:, 0].sum()
    assert bool((samples[:, 1] == 1).all()), (1 - samples[:, 1]).sum()


@pytest.mark.extension("nan_samples")
def test_a_nan_logit_gives_nan_samples_in_its_entry_only(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    """README: a NaN logit gives NaN samples (not an exception, not a plausible 0 or 1); the
    other entries, independent of it, are still 0/1 draws in the logits' dtype."""
    vec = _vec(dtype)
    vec[1, 2] = vec[4, 0] = float("nan")
    samples = impl.Multibinary(D)(vec).sample((50,))
    assert samples.dtype == dtype
    nan = vec.isnan().expand_as(samples)
    assert bool(samples[nan].isnan().all()), samples[nan]
    assert bool(((samples[~nan] == 0) | (samples[~nan] == 1)).all())


@pytest.mark.extension("actions_cast")
@pytest.mark.parametrize("action_dtype", [torch.bool, torch.int64], ids=["bool", "int64"])
def test_log_prob_scores_bool_and_integer_actions_in_the_logits_dtype(
    impl: types.ModuleType, dtype: torch.dtype, action_dtype: torch.dtype
) -> None:
    """0/1 actions as a replay buffer may store them (bool, int64) score in the logits' dtype,
    with the value of the same actions given in that dtype (test_contract_dtypes covers the
    other float dtype)."""
    vec = _vec(dtype)
    dist = impl.Multibinary(D)(vec)
    actions = torch.randint(0, 2, vec.shape)
    got = dist.log_prob(actions.to(action_dtype))
    assert got.dtype == dtype
    # 0 and 1 are exact in every dtype: the same values through the same arithmetic.
    assert torch.equal(got, dist.log_prob(actions.to(dtype)))


@pytest.mark.extension("multibinary_exact_tails")
def test_float32_entropy_is_correctly_rounded_where_its_terms_are_subnormal(
    impl: types.ModuleType,
) -> None:
    """Past |x| ~ 87 both terms of p softplus(-x) + (1 - p) softplus(x) are subnormal in
    float32 (e^-95 = 5.5e-42) and a float32 evaluation keeps a few bits of each (~50 ulps of
    the result off at x = 95). Evaluated in float64 and rounded once, the result is within
    half an ulp of the float64 value (the float64 evaluation's own error, ~1e-15 relative,
    is far below a float32 ulp): allowed, 1 ulp of the float32 result."""
    x = torch.tensor([88.0, -88.0, 95.0, -95.0, 100.0, -100.0, 103.0], dtype=torch.float32)
    got = impl.Multibinary(x.numel())(x).entropy()
    v = x.double()
    want = torch.sigmoid(v) * softplus64(-v) + torch.sigmoid(-v) * softplus64(v)
    want32 = want.float()
    ulp = (torch.nextafter(want32, torch.tensor(math.inf)) - want32).double()
    error = (got.double() - want).abs()
    assert bool((error <= ulp).all()), (
        f"Multibinary float32 entropy at x={x.tolist()}: got {got.tolist()}, "
        f"float64 value {want.tolist()}, error in ulps {(error / ulp).tolist()}"
    )
