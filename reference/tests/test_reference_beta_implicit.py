"""Beta's implicit reparameterization derivative dx/dtheta = -(dF/dtheta)/f against central
finite differences of scipy's CDF (an independent path to dF/dtheta).

FD error model: D(h) = (F(theta + h) - F(theta - h))/2h with h = 1e-4 theta. Truncation:
|D(h/2) - dF| <= |D(h) - D(h/2)| (the h^2 term shrinks 4x when h halves, so the difference
bounds it with margin 3). Rounding: betainc is within 64 eps of F (see
test_reference_vs_arbiter), so each quotient carries <= 64 eps / (h/2). dx/dtheta divides by
f(x), whose relative error is negligible beside these.
"""

import numpy as np
import pytest
from scipy.special import betainc
from scipy.stats import beta as scipy_beta

from policy_dists_reference import Beta

EPS64 = float(np.finfo(np.float64).eps)

POINTS = [
    (2.0, 3.0, 0.3),
    (0.5, 0.7, 0.01),
    (1.0001, 1.0001, 0.999),
    (50.0, 50.0, 0.45),
    (1.5, 40.0, 0.1),
    (300.0, 2.0, 0.995),
]


def central_difference(function, theta: float, step: float) -> float:
    return (function(theta + step) - function(theta - step)) / (2 * step)


@pytest.mark.parametrize(("alpha", "beta", "x"), POINTS)
def test_reference_implicit_derivative_matches_cdf_differences(
    alpha: float, beta: float, x: float
) -> None:
    dx_dalpha, dx_dbeta = Beta.implicit_dx_dparams(alpha, beta, x)
    density = scipy_beta(alpha, beta).pdf(x)
    for theta, claimed, cdf in (
        (alpha, dx_dalpha, lambda a: betainc(a, beta, x)),
        (beta, dx_dbeta, lambda b: betainc(alpha, b, x)),
    ):
        step = 1e-4 * theta
        coarse = central_difference(cdf, theta, step)
        fine = central_difference(cdf, theta, step / 2)
        bound = abs(coarse - fine) + 64 * EPS64 / (step / 2)
        assert abs(float(claimed) * density + fine) <= bound, (theta, claimed, -fine / density)


def test_reference_implicit_derivative_broadcasts() -> None:
    alpha = np.array([[2.0], [5.0]])
    dx_dalpha, dx_dbeta = Beta.implicit_dx_dparams(alpha, 3.0, np.array([0.2, 0.5, 0.8]))
    assert dx_dalpha.shape == dx_dbeta.shape == (2, 3)
    # Raising alpha moves mass toward 1 (dx/dalpha > 0); raising beta toward 0.
    assert np.all(dx_dalpha > 0)
    assert np.all(dx_dbeta < 0)
