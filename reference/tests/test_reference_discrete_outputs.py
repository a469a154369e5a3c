"""Discrete, DiscreteLikeContinuous and Multibinary: pmfs sum to 1, index shapes, the clamp
semantics and buffers, straight-through forward values, Multibinary's mode."""

import math

import numpy as np
import pytest
from scipy.special import log_softmax

from policy_dists_reference import Discrete, DiscreteLikeContinuous, Multibinary

F64 = np.float64
EPS64 = float(np.finfo(F64).eps)
RNG = np.random.default_rng(11)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reference_pmfs_sum_to_one(dtype: type) -> None:
    """Each probability is exp of a log within 16 eps S of exact (test_reference_vs_arbiter);
    r |log r| <= 1/e makes that <= 6 eps per class, plus d - 1 additions: <= 8 d eps."""
    vecs = (RNG.normal(0, 4, size=(64, 5)) * RNG.choice([0.1, 1, 30], size=(64, 1))).astype(dtype)
    for output in (Discrete(5), Discrete(5, clip_prob_low=0.0, clip_prob_high=1.0)):
        totals = output.pmf(vecs, dtype).sum(axis=-1)
        assert np.all(abs(totals - 1) <= 8 * 5 * EPS64)
    totals = Multibinary(5).pmf(vecs, dtype).sum(axis=-1)  # expit(x) + expit(-x), 2 roundings
    assert np.all(abs(totals - 1) <= 2 * EPS64)
    totals = DiscreteLikeContinuous(vecs).pmf().sum(axis=-1)
    assert np.all(abs(totals - 1) <= 8 * 5 * EPS64)


def test_reference_discrete_log_prob_index_shapes() -> None:
    output = Discrete(4)
    vec = RNG.normal(size=(3, 2, 4))
    indices = RNG.integers(0, 4, size=(3, 2))
    by_batch = output.log_prob(vec, indices, F64)
    assert by_batch.shape == (3, 2)
    np.testing.assert_array_equal(output.log_prob(vec, indices[..., None], F64), by_batch)
    log_r = output.params(vec, F64).logits
    np.testing.assert_array_equal(
        by_batch, np.take_along_axis(log_r, indices[..., None], -1)[..., 0]
    )
    assert output.log_prob(vec, np.array(2), F64).shape == (3, 2)  # broadcast
    assert output.log_prob(vec[0, 0], np.array([1]), F64).shape == ()  # batch () with (1,)


def test_reference_discrete_clamps_then_renormalizes() -> None:
    """q = clamp(p, low, high) then r = q / sum q: r can leave [low, high] (SPEC §4)."""
    output = Discrete(3, clip_prob_low=0.1, clip_prob_high=0.6)
    vec = np.log(np.array([0.98, 0.01, 0.01]))
    q = np.array([0.6, 0.1, 0.1])
    np.testing.assert_allclose(output.pmf(vec, F64), q / q.sum(), rtol=8 * EPS64)
    assert output.pmf(vec, F64)[0] > 0.6
    # float32 clamps to float32(0.1), float32(0.6)
    q32 = np.array([np.float32(0.6), np.float32(0.1), np.float32(0.1)], dtype=F64)
    vec32 = vec.astype(np.float32)
    np.testing.assert_allclose(output.pmf(vec32, np.float32), q32 / q32.sum(), rtol=8 * EPS64)


# Configurations with d_action * clip_prob_low >= 1 (SPEC §5 accepts them, as upstream): the
# default clips at d in the thousands (d = 1000 is d low = 1 in float64), and d = 4, low 0.3.
FLOOR_ABOVE_ONE_OVER_D = [
    (1000, 0.001, 0.99),
    (2000, 0.001, 0.99),
    (4000, 0.001, 0.99),
    (4, 0.3, 0.9),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("d", "low", "high"), FLOOR_ABOVE_ONE_OVER_D)
def test_reference_discrete_accepts_a_floor_above_one_over_d(
    d: int, low: float, high: float, dtype: type
) -> None:
    """The floor clamps q, not r: with d low > 1, sum q >= d low > 1 and r = q / sum q has
    every r_k below q_k, some below low; r is still a categorical.

    Sum to 1: r_k = exp(log q_k - L) with L = logsumexp(log q) in float64 whatever the working
    dtype. L's d-term sum is off by <= (d - 1) u relative (u = eps64/2, any summation order),
    shifting every r_k by the same factor; each r_k adds its own argument's rounding
    u |log r_k| and exp's <= 2 ulps (<= 4u): |sum r - 1| <= (d - 1 + 4) u + u sum r_k |log r_k|
    <= (d + 3 + ln d) u, and math.fsum adds one more rounding.
    """
    output = Discrete(d, clip_prob_low=low, clip_prob_high=high)
    vecs = RNG.normal(0.0, 3.0, size=(3, d)).astype(dtype)
    vecs[1] = 0.0  # uniform p = 1/d: with d low > 1 every class clamps up to low
    vecs[2, 1:] = 0.0
    vecs[2, 0] = 50.0  # p_0 ~ 1 clamps down to high, the rest up to low
    r = output.pmf(vecs, dtype)
    assert r.shape == (3, d)
    assert np.all(np.isfinite(r)) and np.all(r >= 0)
    u = EPS64 / 2
    for row in r:
        assert abs(math.fsum(row) - 1.0) <= (d + 4 + math.log(d)) * u
    lo, hi = output.clip_probs(dtype)
    # Row 1: q = low everywhere, so r is uniform, each 1/d < low where d low > 1 (d = 1000
    # reaches it only in float32; in float64 d low = 1): the floor is not a floor.
    np.testing.assert_allclose(r[1], 1.0 / d, rtol=(d + 4 + math.log(d)) * u)
    if d * lo > 1:
        assert np.all(r[1] < lo)
    # Row 2: q = (high, low, ..., low), r = q / (high + (d - 1) low): r_0 < high, r_k < low.
    total = hi + (d - 1) * lo
    np.testing.assert_allclose(r[2, 0], hi / total, rtol=(d + 4 + math.log(d)) * u)
    np.testing.assert_allclose(r[2, 1:], lo / total, rtol=(d + 4 + math.log(d)) * u)
    assert r[2, 0] < hi and np.all(r[2, 1:] < lo)
    # The linear-space formula q / sum q agrees (same bound: one more d-term sum in float64).
    q = np.clip(np.exp(log_softmax(vecs.astype(F64), axis=-1)), lo, hi)
    np.testing.assert_allclose(r, q / q.sum(-1, keepdims=True), rtol=2 * (d + 4 + math.log(d)) * u)


def test_reference_discrete_with_equal_clip_bounds_is_uniform() -> None:
    """clip_prob_low == clip_prob_high clamps every probability to the same value: r = 1/d,
    within the sum-to-1 model above (d = 5)."""
    output = Discrete(5, clip_prob_low=0.2, clip_prob_high=0.2)
    r = output.pmf(RNG.normal(0.0, 3.0, size=(4, 5)), F64)
    np.testing.assert_allclose(r, 0.2, rtol=(5 + 4 + math.log(5)) * EPS64 / 2)


def test_reference_discrete_action_from_buffer() -> None:
    output = Discrete(3, clip_prob_low=0.1, clip_prob_high=0.6)
    one_hot = np.eye(3)
    expected = np.array([[0.6, 0.1, 0.1], [0.1, 0.6, 0.1], [0.1, 0.1, 0.6]]) / 0.8
    np.testing.assert_allclose(output.action_from_buffer(one_hot, F64), expected, rtol=4 * EPS64)
    soft = np.array([0.3, 0.3, 0.4])
    np.testing.assert_allclose(output.action_from_buffer(soft, F64), soft, rtol=4 * EPS64)


def test_reference_straight_through_sample_is_one_hot_argmax() -> None:
    logits = RNG.normal(size=(50, 6))
    noise = RNG.gumbel(size=(50, 6))
    output = DiscreteLikeContinuous(logits, gumbel_softmax_temperature=0.3)
    sample = output.straight_through_sample(noise)
    np.testing.assert_array_equal(sample.sum(-1), 1.0)
    np.testing.assert_array_equal(sample.argmax(-1), (logits + noise).argmax(-1))
    # log_prob of a one-hot or soft action is log p[argmax a]
    expected = np.log(output.pmf())[np.arange(50), sample.argmax(-1)]
    np.testing.assert_allclose(output.log_prob(sample), expected, rtol=4 * EPS64)
    jacobian = output.straight_through_jacobian(noise)
    assert jacobian.shape == (50, 6, 6)
    # Rows of a softmax Jacobian sum to 0 (the softmax sums to 1 whatever the logits).
    assert np.all(abs(jacobian.sum(-1)) <= 16 * EPS64 / 0.3)


def test_reference_multibinary_mode_and_mean() -> None:
    output = Multibinary(4)
    vec = np.array([-2.0, -1e-30, 1e-30, 5.0])
    np.testing.assert_array_equal(output.mode(vec, F64), [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(output.mean(vec, F64), output.params(vec, F64).probs)
    log_prob = output.log_prob(vec, np.array([1, 0, 1, 0]), F64)
    assert log_prob.shape == (4,)
    np.testing.assert_allclose(
        np.exp(log_prob),
        [output.pmf(vec, F64)[i, k] for i, k in enumerate([1, 0, 1, 0])],
        rtol=4 * EPS64,
    )
