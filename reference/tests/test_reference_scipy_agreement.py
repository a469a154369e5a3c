"""Agreement with scipy.stats where a distribution there applies, at interior points.

Error model: the reference and scipy.stats are each within K = 16 eps S of the exact value
(S the arbiter's condition sum, as in test_reference_vs_arbiter), so they agree within 2 K eps S.
"""

import numpy as np
import pytest
from scipy import stats

from policy_dists_reference import Beta, TanhGaussian, arbiter
from policy_dists_reference.arbiter import beta as beta_arbiter
from policy_dists_reference.arbiter import tanh_gaussian as tanh_gaussian_arbiter

F64 = np.float64
EPS64 = float(np.finfo(F64).eps)
K = 16
# Dyadic actions: x = (1 + a)/2 is exact, so scipy sees the same point.
ACTIONS = np.array([[-0.9375], [-0.5], [0.0], [0.25], [0.75], [0.984375]])


@pytest.mark.parametrize("vec", [[0.0, 0.0], [3.0, -1.0], [30.0, 30.0], [-2.0, 8.0]])
def test_reference_beta_agrees_with_scipy_stats_beta(vec: list[float]) -> None:
    output = Beta(1, clip_actions_on_log_prob=(-1.0, 1.0))
    vec = np.array(vec)
    p = output.params(vec, F64)
    x = (1 + ACTIONS) / 2
    scipy_beta = stats.beta(p.alpha[0], p.beta[0])
    exact = arbiter.sweep(beta_arbiter.log_prob, output, vec, ACTIONS, dtype=F64)
    cond = exact.cond.astype(F64)
    log_prob = output.log_prob(vec, ACTIONS, F64)
    assert np.all(abs(log_prob - (scipy_beta.logpdf(x) - np.log(2))) <= 2 * K * EPS64 * cond)
    entropy = arbiter.sweep(beta_arbiter.entropy, output, vec, dtype=F64)
    difference = abs(output.entropy(vec, F64) - (scipy_beta.entropy() + np.log(2)))
    assert difference <= 2 * K * EPS64 * float(entropy.cond[0])
    # mean and cdf: each side within 64 eps of the exact value at these moderate points
    # (the models of test_reference_vs_arbiter), so within 128 eps of each other.
    assert abs(output.mean(vec, F64)[0] - (2 * scipy_beta.mean() - 1)) <= 2 * K * EPS64
    cdf = output.cdf(vec, ACTIONS, F64)
    np.testing.assert_allclose(cdf, scipy_beta.cdf(x), rtol=128 * EPS64, atol=128 * EPS64)


@pytest.mark.parametrize("vec", [[0.25, 0.5], [-2.5, -3.0], [1.5, 2.0]])
def test_reference_tanh_gaussian_agrees_with_scipy_stats_norm(vec: list[float]) -> None:
    """The pre-squash density of a is norm.pdf(atanh a)/(1 - a^2); its cdf norm.cdf(atanh a)."""
    output = TanhGaussian(1)
    vec = np.array(vec)
    p = output.params(vec, F64)
    normal = stats.norm(p.mu[0], p.sigma[0])
    u = np.arctanh(ACTIONS)
    exact = arbiter.sweep(tanh_gaussian_arbiter.log_prob, output, vec, ACTIONS, dtype=F64)
    naive = normal.logpdf(u) - np.log(1 - ACTIONS**2)  # fine away from |a| = 1
    difference = abs(output.log_prob(vec, ACTIONS, F64) - naive)
    assert np.all(difference <= 2 * K * EPS64 * exact.cond.astype(F64))
    np.testing.assert_allclose(
        output.cdf(vec, ACTIONS, F64), normal.cdf(u), rtol=128 * EPS64, atol=128 * EPS64
    )
    presquash = output.log_prob_presquash(vec, u, F64)
    naive = normal.logpdf(u) - np.log(1 - np.tanh(u) ** 2)
    exact = arbiter.sweep(tanh_gaussian_arbiter.log_prob_presquash, output, vec, u, dtype=F64)
    assert np.all(abs(presquash - naive) <= 2 * K * EPS64 * exact.cond.astype(F64))
