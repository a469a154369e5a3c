"""The arbiter's analytic gradients against Richardson-extrapolated central differences of its
own high-precision values.

FD error model: with D(h) = (F(v + h) - F(v - h)) / 2h and R = (4 D(h/2) - D(h)) / 3, the
truncation error of R is O(h^4) while |D(h) - D(h/2)| ~ (3/4) h^2 |F'''|/6 bounds it by a wide
margin for h = 2^-20; the values carry >= 50 digits, so rounding adds at most 1e-50 / h ~ 1e-44.
So |analytic - R| <= |D(h) - D(h/2)| + 1e-40 (1 + |R|). Inputs are dyadic, so v +- h is exact.
"""

from collections.abc import Callable

import mpmath
import numpy as np
import pytest

import policy_dists_reference as ref
from policy_dists_reference.arbiter import beta as beta_arbiter
from policy_dists_reference.arbiter import discrete as discrete_arbiter
from policy_dists_reference.arbiter import discrete_like_continuous as dlc_arbiter
from policy_dists_reference.arbiter import gmm as gmm_arbiter
from policy_dists_reference.arbiter import multibinary as multibinary_arbiter
from policy_dists_reference.arbiter import tanh_gaussian as tanh_gaussian_arbiter

H = 2.0**-20
F64 = np.float64


def assert_gradient(
    total: Callable[[np.ndarray], mpmath.mpf], point: np.ndarray, analytic: tuple
) -> None:
    """Each analytic partial of `total` at `point` against the extrapolated difference."""
    with mpmath.mp.workdps(60):
        for i, claimed in enumerate(analytic):

            def central(step: float, i: int = i) -> mpmath.mpf:
                up, down = point.copy(), point.copy()
                up[i] += step
                down[i] -= step
                return (total(up) - total(down)) / (2 * mpmath.mpf(step))

            coarse, fine = central(H), central(H / 2)
            extrapolated = (4 * fine - coarse) / 3
            bound = abs(coarse - fine) + mpmath.mpf(10) ** -40 * (1 + abs(extrapolated))
            assert abs(claimed - extrapolated) <= bound, (i, claimed, extrapolated)


def summed(exact: object) -> mpmath.mpf:
    return mpmath.fsum(exact.value)


OUTPUTS = {
    "tanh_gaussian": (
        tanh_gaussian_arbiter,
        ref.TanhGaussian(2),
        np.array([0.375, -1.25, 0.5, -2.0]),
        np.array([0.625, -0.96875]),
    ),
    "tanh_gaussian_softplus": (
        tanh_gaussian_arbiter,
        ref.TanhGaussian(1, std_low=0.01, std_high=5.0, std_activation="softplus_bounded_positive"),
        np.array([-0.5, 1.5]),
        np.array([0.25]),
    ),
    "gmm": (
        gmm_arbiter,
        ref.GMM(2, gmm_modes=2),
        np.array([0.5, -0.25, 1.5, 0.75, -1.0, 0.25, 0.5, -2.0, 0.375, -0.5]),
        np.array([0.5, 0.875]),
    ),
    "beta": (
        beta_arbiter,
        ref.Beta(2, alpha_low=0.5, beta_low=1.0001),
        np.array([1.5, -0.75, 2.25, 0.5]),
        np.array([-0.5, 0.75]),
    ),
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_reference_arbiter_log_prob_gradients(name: str) -> None:
    module, output, vec, action = OUTPUTS[name]
    exact = module.log_prob(output, vec, action, F64)
    assert_gradient(lambda v: summed(module.log_prob(output, v, action, F64)), vec, exact.grad_vec)
    assert_gradient(
        lambda a: summed(module.log_prob(output, vec, a, F64)), action, exact.grad_action
    )


@pytest.mark.parametrize("name", ["tanh_gaussian", "gmm"])
def test_reference_arbiter_presquash_gradients(name: str) -> None:
    module, output, vec, _ = OUTPUTS[name]
    u = np.array([1.5, -20.25])  # tanh(-20.25) rounds to -1 in float64
    exact = module.log_prob_presquash(output, vec, u, F64)
    assert_gradient(
        lambda v: summed(module.log_prob_presquash(output, v, u, F64)), vec, exact.grad_vec
    )
    assert_gradient(
        lambda w: summed(module.log_prob_presquash(output, vec, w, F64)), u, exact.grad_action
    )


def test_reference_arbiter_beta_entropy_gradient() -> None:
    _, output, vec, _ = OUTPUTS["beta"]
    exact = beta_arbiter.entropy(output, vec, F64)
    assert_gradient(lambda v: summed(beta_arbiter.entropy(output, v, F64)), vec, exact.grad_vec)


@pytest.mark.parametrize(
    "vec",
    [np.array([0.5, -1.25, 2.0, 0.0]), np.array([9.0, 0.0, -0.5, 0.25])],  # 2nd: class 0 clamped
)
def test_reference_arbiter_discrete_gradients(vec: np.ndarray) -> None:
    output = ref.Discrete(4, clip_prob_low=0.01, clip_prob_high=0.9)
    for k in range(4):
        exact = discrete_arbiter.log_prob(output, vec, k, F64)
        assert_gradient(
            lambda v, k=k: summed(discrete_arbiter.log_prob(output, v, k, F64)), vec, exact.grad_vec
        )
    exact = discrete_arbiter.entropy(output, vec, F64)
    assert_gradient(lambda v: summed(discrete_arbiter.entropy(output, v, F64)), vec, exact.grad_vec)


def test_reference_arbiter_multibinary_gradients() -> None:
    output = ref.Multibinary(3)
    vec = np.array([-3.5, 0.25, 40.0])
    outcomes = np.array([1, 0, 1])
    exact = multibinary_arbiter.log_prob(output, vec, outcomes, F64)
    assert_gradient(
        lambda v: summed(multibinary_arbiter.log_prob(output, v, outcomes, F64)),
        vec,
        exact.grad_vec,
    )
    exact = multibinary_arbiter.entropy(output, vec, F64)
    assert_gradient(
        lambda v: summed(multibinary_arbiter.entropy(output, v, F64)), vec, exact.grad_vec
    )


def test_reference_arbiter_discrete_like_continuous_gradients() -> None:
    logits = np.array([0.5, -1.25, 2.0])
    action = np.array([0.125, 0.75, 0.125])

    def at(values: np.ndarray) -> ref.DiscreteLikeContinuous:
        return ref.DiscreteLikeContinuous(values)

    exact = dlc_arbiter.log_prob(at(logits), action)
    assert_gradient(lambda v: summed(dlc_arbiter.log_prob(at(v), action)), logits, exact.grad_vec)
    exact = dlc_arbiter.entropy(at(logits))
    assert_gradient(lambda v: summed(dlc_arbiter.entropy(at(v))), logits, exact.grad_vec)
