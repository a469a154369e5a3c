"""Discrete, DiscreteLikeContinuous and Multibinary: pmfs sum to 1, index shapes, the clamp
semantics and buffers, straight-through forward values, Multibinary's mode."""

import numpy as np
import pytest

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
