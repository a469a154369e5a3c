"""Special functions evaluated without the cancellation their textbook forms suffer."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, gammaln

# Bernoulli numbers B_2k, k = 1..7, of the asymptotic (Stirling) series of log-gamma and digamma.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)
# The series are used from this argument on, where their truncation error is below 1e-17.
_ASYMPTOTIC_FROM = 10.0
_HALF_LOG_TWO_PI = 0.5 * np.log(2.0 * np.pi)


def digamma_difference(a: float, b: float) -> float:
    """psi(a + b) - psi(a) for a, b > 0, without the cancellation of two digamma values.

    Recurrence psi(x + 1) = psi(x) + 1/x up to A = a + n >= 10, each step contributing
    1/(a+k) - 1/(a+b+k) = b/((a+k)(a+b+k)); then the asymptotic series
    psi(x) ~ log x - 1/(2x) - sum_k B_2k / (2k x^2k), differenced term by term with log1p and
    expm1. Every contribution has the sign of b, so the sum does not cancel.
    """
    steps = max(0, int(np.ceil(_ASYMPTOTIC_FROM - a)))
    total = sum(b / ((a + k) * (a + b + k)) for k in range(steps))
    big = a + steps
    log_ratio = np.log1p(b / big)
    total += log_ratio + b / (2.0 * big * (big + b))
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        total -= bernoulli / (2 * k) * big ** (-2 * k) * np.expm1(-2 * k * log_ratio)
    return float(total)


def _stirling_remainder(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) - [(x - 1/2) log x - x + log(2 pi)/2] = sum_k B_2k / (2k (2k-1) x^(2k-1))."""
    return sum(
        bernoulli / (2 * k * (2 * k - 1)) * x ** (1 - 2 * k)
        for k, bernoulli in enumerate(_BERNOULLI, start=1)
    )


def log_beta(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """log B(a, b) for a, b > 0, accurate where lgamma(a) + lgamma(b) - lgamma(a + b) cancels.

    With p = min(a, b), q = max(a, b), r = p/(p+q) and Stirling's series for large arguments:
    p >= 10:      (p - 1/2) log r + q log1p(-r) - log(q)/2 + log(2 pi)/2 + corr(p) + corr(q)
                  - corr(p+q)
    p < 10 <= q:  lgamma(p) + p - p log(p+q) + (q - 1/2) log1p(-r) + corr(q) - corr(p+q)
    q < 10:       scipy's betaln, an exact-to-rounding gamma ratio there (a + b < 20).
    corr(x) = log Gamma(x) - [(x - 1/2) log x - x + log(2 pi)/2], the series remainder.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    p, q = np.minimum(a, b), np.maximum(a, b)
    both_large, one_large = p >= _ASYMPTOTIC_FROM, q >= _ASYMPTOTIC_FROM
    # Each branch sees safe stand-in arguments where it does not apply, so none warns.
    q_big = np.where(one_large, q, _ASYMPTOTIC_FROM)
    p_big = np.where(both_large, p, _ASYMPTOTIC_FROM)
    ratio = p_big / (p_big + q_big)
    large = (
        (p_big - 0.5) * np.log(ratio)
        + q_big * np.log1p(-ratio)
        - 0.5 * np.log(q_big)
        + _HALF_LOG_TWO_PI
        + _stirling_remainder(p_big)
        + _stirling_remainder(q_big)
        - _stirling_remainder(p_big + q_big)
    )
    p_small = np.where(one_large & ~both_large, p, 1.0)
    total = p_small + q_big
    mixed = (
        gammaln(p_small)
        + p_small
        - p_small * np.log(total)
        + (q_big - 0.5) * np.log1p(-p_small / total)
        + _stirling_remainder(q_big)
        - _stirling_remainder(total)
    )
    return np.where(both_large, large, np.where(one_large, mixed, betaln(a, b)))
