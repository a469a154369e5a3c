"""Every continuous density integrates to 1 over (-1, 1), and the clipped region is accounted
for with the CDF: the log_prob uses the clipped action, so the unclipped density (clip bounds
(-1, 1)) is integrated over [l, h] and compared with CDF(h) - CDF(l), and the CDF at the clip
bounds with the integrated density below them.

Error model: adaptive quadrature asked for an absolute error of 1e-10 (its estimate is checked
too), against the 1e-8 the suite requires; the CDFs are accurate to ~1e-15.
"""

import numpy as np
import pytest
from scipy.integrate import quad

import policy_dists_reference as ref

F64 = np.float64
TOLERANCE = 1e-8


def integrate(density, lo: float, hi: float, points: list[float]) -> float:
    inside = sorted({p for p in points if lo < p < hi})
    value, error = quad(
        density, lo, hi, points=inside or None, epsabs=TOLERANCE / 100, epsrel=0, limit=500
    )
    assert error < TOLERANCE / 10
    return value


def check_density(clipped, unclipped, vec: np.ndarray, bulk: list[float]) -> None:
    def density(a: float) -> float:
        return float(np.exp(unclipped.log_prob(vec, np.array([a]), F64)[0]))

    def cdf(a: float) -> float:
        return float(unclipped.cdf(vec, np.array([a]), F64)[0])

    low, high = clipped.clip_bounds(F64)
    points = [*bulk, low, high]
    assert abs(integrate(density, -1.0, 1.0, points) - 1.0) <= TOLERANCE
    assert abs(integrate(density, low, high, points) - (cdf(high) - cdf(low))) <= TOLERANCE
    assert abs(integrate(density, -1.0, low, points) - cdf(low)) <= TOLERANCE
    assert abs(integrate(density, high, 1.0, points) - (1.0 - cdf(high))) <= TOLERANCE
    # A mixture's CDF at 1 is a sum of M <= 5 rounded weights: within 8 eps of 1.
    assert cdf(-1.0) == 0.0
    assert abs(cdf(1.0) - 1.0) <= 8 * np.finfo(F64).eps
    # The clipped log_prob is the unclipped one at clamp(a, l, h).
    actions = np.array([[-1.0], [low], [0.0], [high], [1.0]])
    np.testing.assert_array_equal(
        clipped.log_prob(vec, actions, F64),
        unclipped.log_prob(vec, np.clip(actions, low, high), F64),
    )


# sigma stays below ~2: with a larger sigma, mass P(|u| > atanh(nextafter(1, 0)) = 18.7)
# lies within float64's resolution of +-1 and no a-space quadrature can see it.
@pytest.mark.parametrize("vec", [[0.25, 0.5], [-2.5, -3.0], [3.0, -1.0], [0.0, 0.5], [-1.5, -20.0]])
def test_reference_tanh_gaussian_normalizes(vec: list[float]) -> None:
    vec = np.array(vec)
    unclipped = ref.TanhGaussian(1, clip_actions_on_log_prob=(-1.0, 1.0))
    p = unclipped.params(vec, F64)
    bulk = list(np.tanh(p.mu[0] + p.sigma[0] * np.arange(-6.0, 7.0)))
    check_density(ref.TanhGaussian(1), unclipped, vec, bulk)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_gmm_normalizes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # 3 modes, d = 1; raw stds near -1 keep sigma ~ 0.3 (see the TanhGaussian test's note).
    vec = np.concatenate([rng.normal(0.0, 1.5, 3), rng.normal(-1.0, 0.5, 3), rng.normal(0, 1, 3)])
    unclipped = ref.GMM(1, gmm_modes=3, clip_actions_on_log_prob=(-1.0, 1.0))
    p = unclipped.params(vec, F64)
    offsets = np.arange(-6.0, 7.0)
    bulk = list(np.tanh((p.means + p.stds * offsets).ravel()))
    check_density(ref.GMM(1, gmm_modes=3), unclipped, vec, bulk)


def test_reference_gmm_two_dimensional_marginals() -> None:
    """A 2-d density (a 2-d quadrature to 1e-8 is too slow here): integrating out a_2 at fixed
    a_1 gives the mixture of the first dimension's squashed normals, and each marginal then
    integrates to 1 by the 1-d test's argument."""
    output = ref.GMM(2, gmm_modes=2, clip_actions_on_log_prob=(-1.0, 1.0))
    vec = np.array([0.3, -0.4, -0.5, 0.2, 0.0, -0.3, 0.2, 0.1, 0.5, -0.5])
    p = output.params(vec, F64)
    weights = np.exp(p.log_weights)
    bulk = list(np.tanh((p.means[:, 1:] + p.stds[:, 1:] * np.arange(-6.0, 7.0)).ravel()))
    for a1 in (-0.999, -0.3, 0.0, 0.6, 0.9999):

        def density(a2: float, a1: float = a1) -> float:
            return float(np.exp(output.log_prob(vec, np.array([a1, a2]), F64)[0]))

        x = np.arctanh(a1)
        normal = np.exp(-0.5 * ((x - p.means[:, 0]) / p.stds[:, 0]) ** 2) / p.stds[:, 0]
        marginal = (weights * normal).sum() / np.sqrt(2 * np.pi) / (1 - a1**2)
        integral = integrate(density, -1.0, 1.0, bulk)
        assert abs(integral - marginal) <= TOLERANCE * max(1.0, marginal)


@pytest.mark.parametrize(
    ("alpha_low", "vec"),
    [(1.0001, [0.0, 0.0]), (1.0001, [3.0, -1.0]), (1.0001, [20.0, 20.0]), (0.5, [-20.0, 1.0])],
)
def test_reference_beta_normalizes(alpha_low: float, vec: list[float]) -> None:
    vec = np.array(vec)
    unclipped = ref.Beta(1, alpha_low=alpha_low, clip_actions_on_log_prob=(-1.0, 1.0))
    p = unclipped.params(vec, F64)
    mean = float(unclipped.mean(vec, F64)[0])
    spread = 2 * np.sqrt(p.alpha * p.beta / ((p.alpha + p.beta) ** 2 * (p.alpha + p.beta + 1)))
    bulk = list(mean + spread[0] * np.arange(-6.0, 7.0))
    check_density(ref.Beta(1, alpha_low=alpha_low), unclipped, vec, bulk)
