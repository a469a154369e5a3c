"""policy_dists.beta_implicit_gradient against 40-digit mpmath, and the identity it rests on.

Reference: dx/dtheta = -(dI_x(a, b)/dtheta) / f(x), with I differentiated by mpmath.diff at
40 digits and f from mpmath's log-beta. I is summed as the positive-term Gauss series
x^a (1-x)^b / (a B(a, b)) 2F1(a+b, 1; a+1; x), on whichever of x, 1 - x it converges faster
(I_x(a, b) = 1 - I_{1-x}(b, a) is differentiated, never subtracted, so neither side cancels).
mpmath.betainc sums the alternating 2F1(a, 1-b; a+1; x), which exceeds its term limit at
a = b = 1e5; the two agree where both converge (test_reference_agrees_with_mpmath_betainc).

Error model: the module's float64 envelope is eps64 (256 + sqrt(a + b)) relative (the
constant from the series' rounding, the sqrt from the quadrature's exponent, whose terms are
O(sqrt(a + b)); measured max 0.84 of it over 73792 points). The tolerance is 4 times that,
eps64 (1024 + 4 sqrt(a + b)); the 40-digit reference adds nothing visible. float32 results
come from the shorter float32 rule, within 2^-30 of the float64 rule (its own test below),
computed in float64 and rounded once, which adds 2^-24 relative, or half the smallest
subnormal absolute where a result underflows.
"""

from __future__ import annotations

import functools
import math

import mpmath as mp
import numpy as np
import pytest
import torch
from scipy.special import betaincinv, gammaincinv, ndtri

from policy_dists.beta_implicit_gradient import (
    FLOAT32_RULE_BOUND,
    beta_sample_gradient_pairs,
    beta_sample_gradients,
)


def eps(dtype: torch.dtype) -> float:
    return torch.finfo(dtype).eps


DIGITS = 40
PARAMS = (0.01, 0.2, 1.0, 4.5, 30.0, 700.0, 1e5)
QUANTILES = (1e-10, 1e-6, 1e-3, 0.1, 0.5, 0.9, 1 - 1e-3, 1 - 1e-6, 1 - 1e-10)
# (a, b, quantile) in float64 only: tails float32 cannot hold (x within 2^-24 of 1, or below
# its subnormals), then the measured worst cases: the bulk of large a, b (the quadrature's
# sqrt(a+b) rounding), windows either side of the switch to the far-side series, and points
# whose quadrature window hinges on its Newton step (a short window truncates the integral).
FLOAT64_ONLY = (
    (0.7, 0.7, 1 - 1e-10),
    (8.0, 0.01, 1 - 1e-10),
    (300.0, 8.0, 1 - 1e-10),
    (1e5, 1e5, 1 - 1e-10),
    (0.01, 8.0, 1e-3),
    (0.7, 1e5, 1e-10),
    (46972.8, 35346.5, 0.5),
    (39280.0, 93556.4, 0.5),
    (32.67, 0.01291, 0.05),
    (10.76, 0.0699, 0.1),
    (4.166, 0.04381, 0.1134),
    (10.76, 0.0699, 0.1454),
    (1386.9, 0.0576, 0.1),
    (3.846, 0.03429, 0.0974),
    (0.2922, 0.02209, 0.09478),
    (35.63, 31.26, 0.0616),
    (179.2, 2.264, 0.4023),
    (863.3, 12350.0, 1.5e-9),
    (143.1, 84250.0, 0.9978),
)


def _float32(value: float) -> float:
    return float(np.float32(value))


def _regularized_beta(a: mp.mpf, b: mp.mpf, x: mp.mpf) -> mp.mpf:
    """I_x(a, b) from the Gauss series with positive terms (module doc)."""
    log_prefactor = a * mp.log(x) + b * mp.log1p(-x) - mp.log(a) - mp.log(mp.beta(a, b))
    return mp.exp(log_prefactor) * mp.hyp2f1(a + b, 1, a + 1, x, maxterms=10**6)


def _series_terms(x: float, y: float, a: float, b: float) -> float:
    """Rough term count of that series at x, y = 1 - x: its ratios (a+b+n) x / (a+1+n)
    exceed 1 until n ~ ((a+b) x - a - 1)/y, then fall towards x."""
    log_x = math.log(x) if x <= 0.5 else math.log1p(-y)
    return max(0.0, ((a + b) * x - a - 1.0) / y) + 100.0 / -log_x


@functools.cache
def _mpmath_gradients(
    x: float, a: float, b: float, complement: float | None = None
) -> tuple[float, float]:
    """(dx/da, dx/db) = -(dI_x/da, dI_x/db) / f(x) at 40 digits; the sample is 1 - complement
    (exactly) when that is given."""
    y = 1.0 - x if complement is None else complement
    x = x if complement is None else 1.0 - complement
    with mp.workdps(DIGITS):
        ma, mb = mp.mpf(a), mp.mpf(b)
        mx = mp.mpf(x) if complement is None else 1 - mp.mpf(complement)
        log_density = (ma - 1) * mp.log(mx) + (mb - 1) * mp.log1p(-mx) - mp.log(mp.beta(ma, mb))
        if _series_terms(x, y, a, b) <= _series_terms(y, x, b, a):
            d_a = mp.diff(lambda s: _regularized_beta(s, mb, mx), ma)
            d_b = mp.diff(lambda s: _regularized_beta(ma, s, mx), mb)
        else:
            d_a = -mp.diff(lambda s: _regularized_beta(mb, s, 1 - mx), ma)
            d_b = -mp.diff(lambda s: _regularized_beta(s, ma, 1 - mx), mb)
        density = mp.exp(log_density)
        return float(-d_a / density), float(-d_b / density)


@functools.cache
def _grid(dtype: torch.dtype) -> tuple[np.ndarray, ...]:
    """(x, a, b, dx/da, dx/db): quantiles of every parameter pair plus its mean, all exact in
    float32 (so both dtypes share one reference), and float64's extreme tails."""
    points = []
    for a in map(_float32, PARAMS):
        for b in map(_float32, PARAMS):
            for x in [*(betaincinv(a, b, q) for q in QUANTILES), a / (a + b)]:
                points.append((_float32(x), a, b))
    if dtype == torch.float64:
        points += [(float(betaincinv(a, b, q)), a, b) for a, b, q in FLOAT64_ONLY]
    points = [point for point in points if 0.0 < point[0] < 1.0]
    x, a, b = (np.array(column) for column in zip(*points, strict=True))
    gradients = list(map(_mpmath_gradients, x, a, b))
    grad_a, grad_b = (np.array(column) for column in zip(*gradients, strict=True))
    return x, a, b, grad_a, grad_b


def _relative_tolerance(a: np.ndarray, b: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    float64_bound = eps(torch.float64) * (1024.0 + 4.0 * np.sqrt(a + b))
    if dtype == torch.float64:
        return float64_bound
    return float64_bound + FLOAT32_RULE_BOUND + eps(dtype) / 2.0


# The normal limit (alpha + beta >= 1e16), with n = a b / (a + b) >= 1e12: balanced, at the
# switch itself, and either parameter 1e-4 .. 3e-3 of the sum, where the first correction,
# O(z / sqrt(n)) relative, is largest.
HUGE_PARAMS = ((5e15, 5e15), (1e12, 1e16), (1e16, 3e13), (3e17, 7e17), (1e28, 3e28))
# Normal quantiles: both 1e-9 tails and the bulk (z = -6, -2, 0, 6).
HUGE_QUANTILES = (1e-9, 0.02, 0.5, 1 - 1e-9)
# The log density has dropped by this much where the reference's quadrature stops.
TAIL_DROP = 200


def _tail_gradients(x: float, a: float, b: float) -> tuple[float, float]:
    """(dx/da, dx/db) = -(dI_x/da, dI_x/db) / f(x) for a, b >= 1 of any size, in mpmath.

    dI_x/dtheta / f(x) is the integral of f(t)/f(x) times the score (log t - psi(a) +
    psi(a+b), resp. log(1-t) - psi(b) + psi(a+b)) over (0, x), or minus it over (x, 1) (the
    score integrates to 0), taken on the side away from the mean, in the distance r to x.
    log f is concave: once it has dropped by TAIL_DROP at r = R it falls at least linearly,
    so beyond R the integrand is below e^(-TAIL_DROP r/R). [0, R] is split at R/64 .. R/2,
    which holds the bulk (R ~ 20 sd) and a steep tail (decay length R / TAIL_DROP) alike.
    The exponent's terms are O(a + b) and cancel to O(1): 25 + log10(a + b) digits.
    """
    with mp.workdps(25 + math.ceil(math.log10(a + b))):
        ma, mb, mx = mp.mpf(a), mp.mpf(b), mp.mpf(x)
        psi_sum = mp.digamma(ma + mb)
        shift_a, shift_b = psi_sum - mp.digamma(ma), psi_sum - mp.digamma(mb)
        log_x, log_y = mp.log(mx), mp.log1p(-mx)
        lower = mx * (ma + mb) <= ma
        side = -1 if lower else 1

        def drop(r: mp.mpf) -> mp.mpf:
            t = mx + side * r
            return (ma - 1) * (mp.log(t) - log_x) + (mb - 1) * (mp.log1p(-t) - log_y)

        end = mp.sqrt(mx * (1 - mx) / (ma + mb))
        while drop(end) > -TAIL_DROP:
            end *= 2
        assert end < (mx if lower else 1 - mx)
        cuts = [mp.mpf(0), *(end / 2**k for k in range(6, -1, -1))]
        j_a = mp.quad(
            lambda r: mp.exp(drop(r)) * (mp.log(mx + side * r) + shift_a),
            cuts,
            method="gauss-legendre",
        )
        j_b = mp.quad(
            lambda r: mp.exp(drop(r)) * (mp.log1p(-mx - side * r) + shift_b),
            cuts,
            method="gauss-legendre",
        )
        # dx/dtheta = -J over (0, x) = +J over (x, 1).
        return float(side * j_a), float(side * j_b)


def test_reference_agrees_with_mpmath_betainc() -> None:
    with mp.workdps(DIGITS):
        for a, b, x in ((2.0, 3.0, 0.3), (0.05, 8.0, 0.9), (40.0, 0.7, 0.95)):
            ma, mb, mx = mp.mpf(a), mp.mpf(b), mp.mpf(x)
            ours = _regularized_beta(ma, mb, mx)
            theirs = mp.betainc(ma, mb, 0, mx, regularized=True)
            assert abs(ours / theirs - 1) < mp.mpf(10) ** (5 - DIGITS)


def test_matches_mpmath(dtype: torch.dtype, device: torch.device) -> None:
    x, a, b, want_a, want_b = _grid(dtype)
    as_tensor = functools.partial(torch.tensor, dtype=dtype, device=device)
    got_a, got_b = beta_sample_gradients(as_tensor(x), as_tensor(a), as_tensor(b))
    assert got_a.dtype == got_b.dtype == dtype
    tolerance = _relative_tolerance(a, b, dtype)
    floor = torch.finfo(dtype).smallest_normal * eps(dtype) / 2.0
    for got, want in ((got_a, want_a), (got_b, want_b)):
        got = got.cpu().double().numpy()
        error = np.abs(got - want)
        bad = error > tolerance * np.abs(want) + floor
        assert not bad.any(), list(zip(x[bad], a[bad], b[bad], got[bad], want[bad], strict=True))
    # Raising alpha moves every quantile up, raising beta moves it down (results that
    # underflow float32 may round to 0).
    assert (want_a > 0).all() and (want_b < 0).all()
    assert (got_a >= 0).all() and (got_b <= 0).all()


@pytest.mark.parametrize(
    ("a", "b", "u"),
    [
        (2.0, 3.0, 0.3),
        (0.5, 0.7, 0.01),
        (50.0, 50.0, 0.45),
        (1.5, 40.0, 0.9),
        (300.0, 2.0, 0.995),
        (0.2, 0.3, 0.7),
        (1e4, 1e4, 0.2),
    ],
)
def test_is_the_derivative_of_the_inverse_cdf(
    a: float, b: float, u: float, device: torch.device
) -> None:
    """dx/dtheta at fixed u is exactly the implicit gradient, so central differences of
    scipy's betaincinv in theta must agree. FD error model, step h = 1e-3 theta: truncation
    |D(h/2) - dx/dtheta| <= |D(h) - D(h/2)| (the h^2 term shrinks 4x as h halves);
    rounding 2 * 64 ulps of x / h (betaincinv is within a few ulps here, 64 is the margin)."""
    x = float(betaincinv(a, b, u))
    as_tensor = functools.partial(torch.tensor, dtype=torch.float64, device=device)
    grads = beta_sample_gradients(as_tensor(x), as_tensor(a), as_tensor(b))
    quantile = (lambda t: betaincinv(t, b, u), lambda t: betaincinv(a, t, u))
    for theta, inverse, claimed in zip((a, b), quantile, grads, strict=True):
        step = 1e-3 * theta
        coarse = (inverse(theta + step) - inverse(theta - step)) / (2.0 * step)
        fine = (inverse(theta + step / 2) - inverse(theta - step / 2)) / step
        bound = abs(coarse - fine) + 2.0 * 64.0 * eps(torch.float64) * x / step
        assert abs(claimed.item() - fine) <= bound, (theta, claimed.item(), fine, bound)


@pytest.mark.parametrize(("a", "b"), [(1.8, 0.1), (3.0, 0.05), (0.5, 0.01), (40.0, 0.3)])
def test_complement_places_samples_near_one(
    a: float, b: float, dtype: torch.dtype, device: torch.device
) -> None:
    """Within 2^-24 of 1 a float32 x is 1 - 2^-24 or 1 whatever the distance; the sampler's
    1 - x keeps it, and the gradients are then those at 1 - complement (same error model)."""
    complement = np.array([_float32(c) for c in (1e-30, 1e-12, 9.5e-10, 3e-8, 0.2)])
    a, b = _float32(a), _float32(b)
    as_tensor = functools.partial(torch.tensor, dtype=dtype, device=device)
    grads = beta_sample_gradients(
        as_tensor(1.0 - complement), as_tensor(a), as_tensor(b), complement=as_tensor(complement)
    )
    want = np.array([_mpmath_gradients(1.0 - c, a, b, c) for c in complement]).T
    tolerance = _relative_tolerance(np.array(a), np.array(b), dtype)
    for got, expected in zip(grads, want, strict=True):
        got = got.cpu().double().numpy()
        assert (np.abs(got - expected) <= tolerance * np.abs(expected)).all(), (got, expected)


def test_support_edges_give_zero(dtype: torch.dtype, device: torch.device) -> None:
    """x = 0 or 1 (float32 sampling rounds there) gets the limits of both derivatives, 0."""
    x = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0, 1.0], dtype=dtype, device=device)
    a = torch.tensor([0.01, 0.01, 2.0, 2.0, 1e5, 0.5], dtype=dtype, device=device)
    b = torch.tensor([0.01, 3.0, 3.0, 1e5, 0.5, 1e5], dtype=dtype, device=device)
    for grad in beta_sample_gradients(x, a, b):
        assert torch.equal(grad, torch.zeros_like(grad))


def test_broadcasts_parameters_against_samples(dtype: torch.dtype, device: torch.device) -> None:
    x = torch.rand(5, 1, 3, dtype=dtype, device=device)
    a = torch.rand(4, 1, dtype=dtype, device=device) + 0.5
    b = torch.tensor(2.0, dtype=dtype, device=device)
    grad_a, grad_b = beta_sample_gradients(x, a, b)
    assert grad_a.shape == grad_b.shape == (5, 4, 3)
    full = [t.expand(5, 4, 3).reshape(-1) for t in (x, a, b)]
    flat_a, flat_b = beta_sample_gradients(*full)
    assert torch.equal(grad_a.reshape(-1), flat_a) and torch.equal(grad_b.reshape(-1), flat_b)


def test_huge_parameters_match_mpmath(device: torch.device) -> None:
    """From alpha + beta = 1e16 on (the normal limit with its first correction), dx/dalpha > 0
    and dx/dbeta < 0 still match mpmath in the bulk and both tails of the sample.

    Error model, with r_a = a/(a+b), n = a b/(a+b) and z = (x - r_a)/sd: truncation, the
    expansion's next term, O((1 + z^2)/n) relative (coefficient measured <= 0.18 for a + b =
    1e16 .. 1e22, r_a = 1e-6 .. 1 - 1e-5, |z| <= 8; 1 is taken); rounding, the correction
    divides x - r_a (resp. y - r_b, y = 1 - x rounded) by 2 r_a r_b, so their absolute
    rounding, <= 2 eps r_a (resp. r_b), costs 2 eps / min(r_a, r_b), taken twice; plus 16 eps
    for the remaining operations. mpmath adds nothing visible.
    """
    points = []
    for a, b in HUGE_PARAMS:
        mean, sd = a / (a + b), math.sqrt(a * b) / (a + b) ** 1.5
        points += [(mean + sd * float(ndtri(u)), a, b) for u in HUGE_QUANTILES]
    x, a, b = (np.array(column) for column in zip(*points, strict=True))
    want_a, want_b = (np.array(c) for c in zip(*map(_tail_gradients, x, a, b), strict=True))
    as_tensor = functools.partial(torch.tensor, dtype=torch.float64, device=device)
    got_a, got_b = (g.cpu().numpy() for g in beta_sample_gradients(*map(as_tensor, (x, a, b))))
    r_a = a / (a + b)
    n = a * b / (a + b)
    z = (x - r_a) / np.sqrt(r_a * (1.0 - r_a) / (a + b))
    eps64 = eps(torch.float64)
    tolerance = (1.0 + z * z) / n + 4.0 * eps64 / np.minimum(r_a, 1.0 - r_a) + 16.0 * eps64
    for got, want in ((got_a, want_a), (got_b, want_b)):
        bad = np.abs(got - want) > tolerance * np.abs(want)
        assert not bad.any(), list(zip(x[bad], a[bad], b[bad], got[bad], want[bad], strict=True))
    assert (want_a > 0).all() and (want_b < 0).all()
    assert (got_a > 0).all() and (got_b < 0).all()


@pytest.mark.parametrize(
    ("a", "b", "x"),
    [
        (1e300, 1e300, 0.5),
        (2.0**996, 3.0 * 2.0**996, 0.25),
        (np.finfo(np.float64).max, np.finfo(np.float64).max, 0.5),
    ],
)
def test_extreme_parameters_at_the_mean(a: float, b: float, x: float, device: torch.device) -> None:
    """Up to a = b = float max (a + b overflows), the gradients at the mean are finite and equal
    d mean/d(a, b) = (b, -a)/(a+b)^2: the first correction vanishes there and the rest is
    O(1/n) relative, n = a b/(a+b) >= 1e299. Tolerance 16 eps for the few roundings, plus
    one subnormal spacing where the result is subnormal (2^-1026 at float max)."""
    as_tensor = functools.partial(torch.tensor, dtype=torch.float64, device=device)
    grads = beta_sample_gradients(as_tensor(x), as_tensor(a), as_tensor(b))
    total = mp.mpf(a) + mp.mpf(b)
    subnormal_spacing = torch.finfo(torch.float64).smallest_normal * eps(torch.float64)
    for got, want in zip(grads, (float(b / total**2), float(-a / total**2)), strict=True):
        error = abs(got.item() - want)
        assert error <= 16.0 * eps(torch.float64) * abs(want) + subnormal_spacing, (got, want)


# One parameter moderate, the sum huge: far from normal (n = ab/(a + b) ~ a), so the normal
# limit must not be used however large a + b is (it was off by 18% at (30, 1e20)).
UNBALANCED_PARAMS = ((1.0, 1e20), (30.0, 1e20), (1e3, 1e16))
UNBALANCED_QUANTILES = (1e-6, 0.5, 1 - 1e-6)


def _gamma_limit_gradients(x: float, a: float, b: float) -> tuple[float, float]:
    """(dx/da, dx/db) in the Gamma limit b -> inf, where G = b x ~ Gamma(a, 1): at fixed
    P(a, G), dG/da = -(dP/da) / (G^(a-1) e^-G / Gamma(a)), dx/da = (dG/da)/b and dx/db = -x/b;
    the limit's relative error is O(a/b) <= 1e-13 here (Temme's expansion of I_x in 1/b)."""
    with mp.workdps(30):
        ma, g = mp.mpf(a), mp.mpf(b) * mp.mpf(x)
        dp_da = mp.diff(lambda t: mp.gammainc(t, 0, g, regularized=True), ma)
        density = mp.exp((ma - 1) * mp.log(g) - g - mp.loggamma(ma))
        return float(-dp_da / density / b), -x / b


def test_unbalanced_huge_parameters_match_the_gamma_limit(device: torch.device) -> None:
    """dx/dalpha, dx/dbeta for alpha moderate and beta >= 1e16. x = G^-1(u; alpha)/beta, the
    Gamma limit of the u-quantile. Error model: the quadrature path's envelope
    eps (256 + sqrt(a + b)) relative (module doc), 4 times as in test_matches_mpmath; the
    reference's O(a/b) is far below it."""
    points = [
        (float(gammaincinv(a, u)) / b, a, b)
        for a, b in UNBALANCED_PARAMS
        for u in UNBALANCED_QUANTILES
    ]
    x, a, b = (np.array(column) for column in zip(*points, strict=True))
    want_a, want_b = (np.array(c) for c in zip(*map(_gamma_limit_gradients, x, a, b), strict=True))
    as_tensor = functools.partial(torch.tensor, dtype=torch.float64, device=device)
    got_a, got_b = (g.cpu().numpy() for g in beta_sample_gradients(*map(as_tensor, (x, a, b))))
    tolerance = 4.0 * eps(torch.float64) * (256.0 + np.sqrt(a + b))
    for got, want in ((got_a, want_a), (got_b, want_b)):
        bad = np.abs(got - want) > tolerance * np.abs(want)
        assert not bad.any(), list(zip(x[bad], a[bad], b[bad], got[bad], want[bad], strict=True))


@pytest.mark.parametrize(
    ("low", "high", "seed"), [(1e-2, 1e5, 1), (1e-3, 1e9, 2), (1.0001, 1e3, 3)]
)
def test_float32_rule_is_within_its_bound_of_the_float64_rule(
    low: float, high: float, seed: int, device: torch.device
) -> None:
    """The shorter rule for float32 results against the float64 rule (itself within
    eps64 (256 + sqrt(a + b)) of the exact value), both in float64, on 6000 points each:
    a, b log-uniform in [low, high], quantiles log-uniform in each tail down to 1e-10. The
    bound 2^-30 is the rule's stated truncation (module doc); measured below 1e-10."""
    rng = np.random.default_rng(seed)
    n = 6000
    a, b = np.exp(rng.uniform(np.log(low), np.log(high), (2, n)))
    tails = 10.0 ** rng.uniform(-10.0, -0.3, n)
    q = np.where(rng.random(n) < 0.5, tails, 1.0 - tails)
    x, complement = betaincinv(a, b, q), betaincinv(b, a, 1.0 - q)
    keep = (x > 0.0) & (x < 1.0) & (complement > 0.0)
    as_pair = functools.partial(torch.tensor, dtype=torch.float64, device=device)
    pair = as_pair(np.stack([x[keep], complement[keep]]))
    concentration = as_pair(np.stack([a[keep], b[keep]]))
    exact = beta_sample_gradient_pairs(pair, concentration).cpu()
    short = beta_sample_gradient_pairs(pair, concentration, result_dtype=torch.float32).cpu()
    normal = exact.abs() >= torch.finfo(torch.float64).smallest_normal
    relative = ((short - exact).abs() / exact.abs())[normal]
    assert relative.max().item() <= FLOAT32_RULE_BOUND, relative.max().item()
