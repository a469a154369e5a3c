"""Beta at high precision: log_prob and entropy with gradients, mean, CDF, implicit dx/dtheta."""

from __future__ import annotations

import mpmath
from mpmath import mp
from numpy.typing import ArrayLike, DTypeLike

from ..beta import Beta
from ..validation import bounded_action, input_vector, unit_interval_point
from .activations import positive_parameter
from .exact import Exact
from .precision import exact, high_precision, single_point


def _alpha_beta(output: Beta, vec: ArrayLike, dtype: DTypeLike) -> list[tuple]:
    """Per dimension: (alpha, d alpha / d raw, alpha's relative condition, beta, d beta / d raw,
    beta's relative condition)."""
    entries = single_point("vec", input_vector(vec, output.input_dimension, dtype))
    d = output.d_action
    return [
        (
            *positive_parameter(output.alpha, entries[j], dtype),
            *positive_parameter(output.beta, entries[d + j], dtype),
        )
        for j in range(d)
    ]


def _times(coefficient: mpmath.mpf, log_value: mpmath.mpf) -> mpmath.mpf:
    """coefficient * log_value with 0 * (-inf) = 0 (the density's factor x^0 is 1)."""
    return mpmath.mpf(0) if coefficient == 0 else coefficient * log_value


def _log_beta(alpha: mpmath.mpf, beta: mpmath.mpf) -> mpmath.mpf:
    # B itself keeps relative accuracy at any size (mpf exponents are unbounded), so its log
    # does not suffer the cancellation of lgamma(a) + lgamma(b) - lgamma(a + b).
    return mp.log(mp.beta(alpha, beta))


@high_precision
def log_prob(output: Beta, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """(alpha-1) log x + (beta-1) log(1-x) - log B - log 2, x = (clamp(a)+1)/2, per dimension.

    d/dalpha = log x - psi(alpha) + psi(alpha+beta) (beta likewise with log(1-x)), times the
    activation's derivative; d/da = ((alpha-1)/x - (beta-1)/(1-x))/2, passed by the clamp on
    the closed [l, h] (NaN at x = 0 or 1). S = |(alpha-1) log x| + |(beta-1) log(1-x)| +
    |log B| + log 2, plus |alpha dl/dalpha| and |beta dl/dbeta| times the activations'
    relative conditions.
    """
    params = _alpha_beta(output, vec, dtype)
    actions = single_point("action", bounded_action(action, output.d_action, dtype, ()))
    low, high = (exact(b) for b in output.clip_bounds(dtype))
    value, d_alpha, d_beta, d_action, cond = [], [], [], [], []
    for (alpha, d_alpha_raw, alpha_cond, beta, d_beta_raw, beta_cond), a in zip(
        params, actions, strict=True
    ):
        c = min(max(a, low), high)
        x, one_minus_x = (1 + c) / 2, (1 - c) / 2
        log_x, log_one_minus_x = mp.log(x), mp.log(one_minus_x)
        x_term = _times(alpha - 1, log_x)
        y_term = _times(beta - 1, log_one_minus_x)
        log_norm = _log_beta(alpha, beta)
        psi_sum = mp.digamma(alpha + beta)
        slope_alpha = log_x - mp.digamma(alpha) + psi_sum
        slope_beta = log_one_minus_x - mp.digamma(beta) + psi_sum
        value.append(x_term + y_term - log_norm - mp.log(2))
        cond.append(
            abs(x_term)
            + abs(y_term)
            + abs(log_norm)
            + mp.log(2)
            + abs(alpha * slope_alpha) * alpha_cond
            + abs(beta * slope_beta) * beta_cond
        )
        d_alpha.append(slope_alpha * d_alpha_raw)
        d_beta.append(slope_beta * d_beta_raw)
        if not low <= a <= high:
            d_action.append(mpmath.mpf(0))
        elif x == 0 or one_minus_x == 0:
            d_action.append(mp.nan)  # the density's slope is unbounded at x = 0 or 1
        else:
            d_action.append(((alpha - 1) / x - (beta - 1) / one_minus_x) / 2)
    return Exact(tuple(value), tuple(d_alpha + d_beta), tuple(d_action), tuple(cond))


@high_precision
def entropy(output: Beta, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """H = log B - (alpha-1) psi(alpha) - (beta-1) psi(beta) + (alpha+beta-2) psi(alpha+beta)
    + log 2 per dimension; dH/dalpha = (alpha+beta-2) psi'(alpha+beta) - (alpha-1) psi'(alpha).
    S: the magnitudes of H's five terms, plus |alpha dH/dalpha| and |beta dH/dbeta| times the
    activations' relative conditions."""
    params = _alpha_beta(output, vec, dtype)
    value, d_alpha, d_beta, cond = [], [], [], []
    for alpha, d_alpha_raw, alpha_cond, beta, d_beta_raw, beta_cond in params:
        terms = (
            _log_beta(alpha, beta),
            -(alpha - 1) * mp.digamma(alpha),
            -(beta - 1) * mp.digamma(beta),
            (alpha + beta - 2) * mp.digamma(alpha + beta),
            mp.log(2),
        )
        trigamma_sum = (alpha + beta - 2) * mp.psi(1, alpha + beta)
        slope_alpha = trigamma_sum - (alpha - 1) * mp.psi(1, alpha)
        slope_beta = trigamma_sum - (beta - 1) * mp.psi(1, beta)
        value.append(mp.fsum(terms))
        cond.append(
            mp.fsum(abs(t) for t in terms)
            + abs(alpha * slope_alpha) * alpha_cond
            + abs(beta * slope_beta) * beta_cond
        )
        d_alpha.append(slope_alpha * d_alpha_raw)
        d_beta.append(slope_beta * d_beta_raw)
    return Exact(tuple(value), tuple(d_alpha + d_beta), None, tuple(cond))


@high_precision
def mean(output: Beta, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """2 alpha/(alpha+beta) - 1 per dimension."""
    return Exact(tuple(2 * a / (a + b) - 1 for a, _, _, b, _, _ in _alpha_beta(output, vec, dtype)))


# Relative error the quadrature's own estimate must stay below: 50 digits.
_QUAD_TARGET = mpmath.mpf(10) ** -50
# Extra digits for the quadrature: nodes t near 1 lose digits in 1 - t.
_QUAD_EXTRA_DIGITS = 20


def _side_integral(integrand, a, b, x, lower_side: bool) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(integral, error estimate) of integrand(t, 1 - t) over (0, x) or (x, 1).

    The integration variable r is the distance to the side's outer endpoint (t on (0, x),
    1 - t on (x, 1)), so nodes near t = 1 keep 1 - t exactly. Tanh-sinh nodes stop about
    10^-DIGITS from an endpoint, which truncates an r^(e-1) singularity with e < 1 by
    ~10^(-DIGITS e): there r = R s^(1/e) maps it out. Otherwise the interval is split around
    the bulk of the density.
    """
    reach, exponent = (x, a) if lower_side else (1 - x, b)

    def at(r: mpmath.mpf) -> mpmath.mpf:
        return integrand(r, 1 - r) if lower_side else integrand(1 - r, r)

    if exponent < 1:
        return mp.quad(
            lambda s: at(reach * s ** (1 / exponent)) * reach * s ** (1 / exponent - 1) / exponent,
            [0, 1],
            error=True,
        )
    center = a / (a + b) if lower_side else b / (a + b)
    spread = mp.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    inner = [center + k * spread for k in (-32, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 32)]
    return mp.quad(at, [0, *(p for p in inner if 0 < p < reach), reach], error=True)


def _checked_side_integral(integrand, a, b, x, lower_side: bool) -> mpmath.mpf:
    """_side_integral, raising ArithmeticError where its error estimate exceeds 1e-50 of it."""
    integral, error = _side_integral(integrand, a, b, x, lower_side)
    if not error <= _QUAD_TARGET * abs(integral):
        raise ArithmeticError(
            f"Beta arbiter: quadrature error {mpmath.nstr(error, 3)} too large at "
            f"alpha={mpmath.nstr(a, 17)}, beta={mpmath.nstr(b, 17)}, x={mpmath.nstr(x, 17)}"
        )
    return integral


def _below_mean(a: mpmath.mpf, b: mpmath.mpf, x: mpmath.mpf) -> bool:
    """Integrate over (0, x) when x is below the mean, else over (x, 1): the side away from
    the bulk, where the integrand does not cancel much."""
    return x <= a / (a + b)


def _relative_density(a: mpmath.mpf, b: mpmath.mpf, x: mpmath.mpf):
    """f(t)/f(x) as a function of (t, 1 - t): scaled to be O(1) near x, so that quadrature's
    absolute error floor stays far below the integral even deep in a tail."""
    log_x, log_one_minus_x = mp.log(x), mp.log(1 - x)
    return lambda t, one_minus_t: mp.exp(
        (a - 1) * (mp.log(t) - log_x) + (b - 1) * (mp.log(one_minus_t) - log_one_minus_x)
    )


@high_precision
def cdf(output: Beta, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """I_x(alpha, beta), x = (a+1)/2, per dimension, for the unclipped a in [-1, 1]: the
    density's integral over the side of x below the mean, or 1 minus it over the other side
    (quadrature as in implicit_dx_dparams; mpmath's betainc series stalls at large alpha)."""
    params = _alpha_beta(output, vec, dtype)
    actions = single_point("action", bounded_action(action, output.d_action, dtype, ()))
    values = []
    for (alpha, _, _, beta, _, _), a in zip(params, actions, strict=True):
        if abs(a) == 1:
            values.append((a + 1) / 2)
            continue
        with mp.extradps(_QUAD_EXTRA_DIGITS):
            x = (1 + a) / 2
            density_at_x = mp.exp(
                (alpha - 1) * mp.log(x) + (beta - 1) * mp.log(1 - x) - _log_beta(alpha, beta)
            )
            lower_side = _below_mean(alpha, beta, x)
            relative = _relative_density(alpha, beta, x)
            tail = density_at_x * _checked_side_integral(relative, alpha, beta, x, lower_side)
            values.append(tail if lower_side else 1 - tail)
    return Exact(tuple(+v for v in values))


@high_precision
def implicit_dx_dparams(alpha: float, beta: float, x: float) -> Exact:
    """(dx/dalpha, dx/dbeta) = -(dF(x)/dtheta)/f(x) for x ~ Beta(alpha, beta), x in (0, 1).

    dF/dtheta / f(x) is the integral of f(t)/f(x) times the score (log t - psi(alpha) +
    psi(alpha+beta), resp. log(1-t) - psi(beta) + psi(alpha+beta)) over (0, x), or minus it
    over (x, 1),
    on the side of x away from the mean, by tanh-sinh quadrature (see _side_integral).
    Raises ArithmeticError where the quadrature's error estimate exceeds 1e-50 of the result.
    """
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not 0 < float(value) < float("inf"):
            raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    unit_interval_point("x", x)
    a, b, x = exact(alpha), exact(beta), exact(x)
    with mp.extradps(_QUAD_EXTRA_DIGITS):
        psi_sum = mp.digamma(a + b)
        shifts = (mp.digamma(a) - psi_sum, mp.digamma(b) - psi_sum)
        relative = _relative_density(a, b, x)

        def scored(which: int):
            def integrand(t: mpmath.mpf, one_minus_t: mpmath.mpf) -> mpmath.mpf:
                log_point = mp.log(t) if which == 0 else mp.log(one_minus_t)
                return relative(t, one_minus_t) * (log_point - shifts[which])

            return integrand

        lower_side = _below_mean(a, b, x)
        sign = 1 if lower_side else -1
        derivatives = [
            -sign * _checked_side_integral(scored(which), a, b, x, lower_side) for which in (0, 1)
        ]
    return Exact(tuple(+d for d in derivatives))
