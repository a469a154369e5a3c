"""Elementary functions at the arbiter's precision, written to keep full relative accuracy."""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
from mpmath import mp


def softplus(x: mpmath.mpf) -> mpmath.mpf:
    """log(1 + e^x), without forming e^x for large x."""
    return x + mp.log1p(mp.exp(-x)) if x > 0 else mp.log1p(mp.exp(x))


def sigmoid(x: mpmath.mpf) -> mpmath.mpf:
    """1 / (1 + e^-x)."""
    return 1 / (1 + mp.exp(-x))


def log_cosh(u: mpmath.mpf) -> mpmath.mpf:
    """log cosh u: log1p(2 sinh^2(u/2)) near 0 (no 1 + tiny rounding), else a form without e^u."""
    if abs(u) <= 1:
        return mp.log1p(2 * mp.sinh(u / 2) ** 2)
    return abs(u) - mp.log(2) + mp.log1p(mp.exp(-2 * abs(u)))


def log_one_minus_square(c: mpmath.mpf) -> mpmath.mpf:
    """log(1 - c^2); 1 - c^2 is exact at DIGITS for any binary64 c (c^2 has <= 106 bits)."""
    return mp.log(1 - c * c)


def logsumexp(values: Sequence[mpmath.mpf]) -> mpmath.mpf:
    """log sum_i exp(values_i), shifted by the maximum."""
    top = max(values)
    return top + mp.log(mp.fsum(mp.exp(v - top) for v in values))


def softmax(values: Sequence[mpmath.mpf]) -> list[mpmath.mpf]:
    """exp(values_i) / sum_k exp(values_k)."""
    total = logsumexp(values)
    return [mp.exp(v - total) for v in values]
