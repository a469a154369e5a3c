"""Numerically careful building blocks shared by the policy outputs."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
LOG_2 = math.log(2.0)

# F.softplus returns x itself above `threshold`, an error of log1p(exp(-t)) ~ exp(-t). That is
# below half an ulp of t once exp(-t) < t * eps / 2: t = 20 in float32 (2e-9 vs 1e-6), but
# float64 needs t = 37 (8.5e-17 vs 4e-15); torch's default of 20 would cost 2e-9 there.
_SOFTPLUS_THRESHOLD = {torch.float64: 37.0}


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x), correctly rounded at every magnitude in the input's dtype."""
    return F.softplus(x, threshold=_SOFTPLUS_THRESHOLD.get(x.dtype, 20.0))


def log1m_tanh_sq(u: torch.Tensor) -> torch.Tensor:
    """log(1 - tanh(u)^2) = 2 (log 2 - |u| - softplus(-2|u|)), finite for every finite u.

    Uses |u| because the function is even and softplus(-2|u|) never cancels against |u|.
    """
    abs_u = u.abs()
    return 2.0 * (LOG_2 - abs_u - F.softplus(-2.0 * abs_u))


def atanh_and_log1m_sq(c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(atanh c, log(1 - c^2)) for c in [-1, 1], both from log1p(c) and log1p(-c).

    1 - c and 1 + c are exact in floating point near ±1, so neither value loses digits
    at the boundary, unlike log(1 - c*c).
    """
    log_1p = torch.log1p(c)
    log_1m = torch.log1p(-c)
    return 0.5 * (log_1p - log_1m), log_1p + log_1m


def normal_log_density(x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """log N(x; loc, scale^2) = -((x - loc)/scale)^2 / 2 - log scale - log(2 pi)/2."""
    z = (x - loc) / scale
    return -0.5 * z * z - torch.log(scale) - HALF_LOG_2PI


# Stirling-series coefficients B_2k / (2k (2k - 1)) for k = 1..8: the remainder after them is
# below 2e-18 for x >= 10, far under float64 resolution of log B.
_STIRLING = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
    -3617.0 / 122400.0,
)
_STIRLING_MIN = 10.0


def _stirling_correction(x: torch.Tensor) -> torch.Tensor:
    """lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2), valid for x >= 10."""
    inv = 1.0 / x
    inv_sq = inv * inv
    acc = torch.full_like(x, _STIRLING[-1])
    for coeff in reversed(_STIRLING[:-1]):
        acc = acc * inv_sq + coeff
    return acc * inv


def lbeta(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """log B(a, b) for a, b > 0, accurate to a few ulps where lgamma sums cancel.

    float32 and half inputs are computed in float64 and rounded once. In float64, Stirling
    corrections replace the cancelling lgamma terms when an argument is >= 10 (the
    classical lbeta split): lgamma(a) + lgamma(b) - lgamma(a + b) loses ~200 float32 ulps
    at a = b = 50 and everything at a = 1e30, b = 1.
    """
    if a.dtype != torch.float64:
        return lbeta(a.double(), b.double()).to(a.dtype)
    p = torch.minimum(a, b)
    q = torch.maximum(a, b)
    s = p + q
    # Branches are evaluated everywhere, so each gets arguments where it is finite, keeping
    # gradients of the unselected branches free of inf * 0.
    q_big = torch.where(q >= _STIRLING_MIN, q, _STIRLING_MIN)
    p_big = torch.where(p >= _STIRLING_MIN, p, _STIRLING_MIN)
    s_big = torch.where(q >= _STIRLING_MIN, s, 2.0 * _STIRLING_MIN)
    frac = p / s_big  # p / (p + q) on the branches that use it
    both_large = (
        -0.5 * torch.log(q_big)
        + HALF_LOG_2PI
        + _stirling_correction(p_big)
        + _stirling_correction(q_big)
        - _stirling_correction(p_big + q_big)
        + (p_big - 0.5) * torch.log(p_big / (p_big + q_big))
        + q_big * torch.log1p(-p_big / (p_big + q_big))
    )
    one_large = (
        torch.lgamma(p)
        + _stirling_correction(q_big)
        - _stirling_correction(s_big)
        + p
        - p * torch.log(s_big)
        + (q_big - 0.5) * torch.log1p(-frac)
    )
    small = torch.lgamma(p) + torch.lgamma(q) - torch.lgamma(s)
    return torch.where(
        p >= _STIRLING_MIN, both_large, torch.where(q >= _STIRLING_MIN, one_large, small)
    )


def beta_entropy(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Entropy of Beta(a, b): log B(a,b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b)."""
    if a.dtype != torch.float64:
        return beta_entropy(a.double(), b.double()).to(a.dtype)
    return (
        lbeta(a, b)
        - (a - 1.0) * torch.digamma(a)
        - (b - 1.0) * torch.digamma(b)
        + (a + b - 2.0) * torch.digamma(a + b)
    )
