"""TanhGaussian at high precision: log_prob with its gradients, own-sample scoring, mean, CDF."""

from __future__ import annotations

import mpmath
from mpmath import mp
from numpy.typing import ArrayLike, DTypeLike

from ..tanh_gaussian import TanhGaussian
from ..validation import bounded_action, input_vector, presquash_value
from .activations import positive_parameter
from .elementary import log_cosh, log_one_minus_square
from .exact import Exact
from .precision import exact, high_precision, single_point


def _mu_sigma(output: TanhGaussian, vec: ArrayLike, dtype: DTypeLike) -> list[tuple]:
    """Per dimension: (mu, sigma, d sigma / d raw, sigma's relative condition)."""
    entries = single_point("vec", input_vector(vec, output.input_dimension, dtype))
    d = output.d_action
    return [(entries[j], *positive_parameter(output.std, entries[d + j], dtype)) for j in range(d)]


def gaussian_terms(
    x: mpmath.mpf, mu: mpmath.mpf, sigma: mpmath.mpf, sigma_cond: mpmath.mpf
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """(log N(x; mu, sigma), z, the Gaussian part of the condition sum S).

    S counts the magnitudes of the terms |log sigma|, log(2 pi)/2 and z^2/2; |z| (|x| + |mu|)
    / sigma, since the residual z = x/sigma - mu/sigma has two terms whose rounding reaches
    z^2/2 with a factor |z|; and |z^2 - 1| sigma_cond, the sensitivity to log sigma times the
    relative condition of sigma's activation.
    """
    z = (x - mu) / sigma
    half_log_two_pi = mp.log(2 * mp.pi) / 2
    log_density = -mp.log(sigma) - half_log_two_pi - z * z / 2
    cond = (
        abs(mp.log(sigma))
        + half_log_two_pi
        + z * z / 2
        + abs(z) * (abs(x) + abs(mu)) / sigma
        + abs(z * z - 1) * sigma_cond
    )
    return log_density, z, cond


@high_precision
def log_prob(output: TanhGaussian, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """log N(atanh c; mu, sigma) - log(1 - c^2), c = clamp(a, l, h) in dtype, per dimension.

    Gradients: d/dmu = z/sigma, d/dsigma = (z^2 - 1)/sigma, d/dc = (2c - z/sigma)/(1 - c^2),
    the last passed by the clamp on the closed interval [l, h] (torch.clamp's convention).
    Where |c| = 1 the value is its limit -inf and the gradients are NaN (undefined).
    """
    params = _mu_sigma(output, vec, dtype)
    actions = single_point("action", bounded_action(action, output.d_action, dtype, ()))
    low, high = (exact(b) for b in output.clip_bounds(dtype))
    value, d_mu, d_raw, d_action, cond = [], [], [], [], []
    for (mu, sigma, d_sigma, sigma_cond), a in zip(params, actions, strict=True):
        c = min(max(a, low), high)
        if abs(c) == 1:
            value.append(-mp.inf)
            cond.append(mp.inf)
            d_mu.append(mp.nan), d_raw.append(mp.nan), d_action.append(mp.nan)
            continue
        x = mp.atanh(c)
        log_density, z, gaussian_cond = gaussian_terms(x, mu, sigma, sigma_cond)
        log_jacobian = log_one_minus_square(c)
        value.append(log_density - log_jacobian)
        cond.append(gaussian_cond + abs(log_jacobian))
        d_mu.append(z / sigma)
        d_raw.append((z * z - 1) / sigma * d_sigma)
        passes = low <= a <= high
        d_action.append((2 * c - z / sigma) / (1 - c * c) if passes else mpmath.mpf(0))
    return Exact(tuple(value), tuple(d_mu + d_raw), tuple(d_action), tuple(cond))


@high_precision
def log_prob_presquash(
    output: TanhGaussian, vec: ArrayLike, u: ArrayLike, dtype: DTypeLike
) -> Exact:
    """log N(u; mu, sigma) + 2 log cosh u per dimension, unclipped; grad_action is d/du.

    d/du = -z/sigma + 2 tanh u; S adds |log(1 - tanh^2 u)| = 2 log cosh u to the Gaussian's.
    """
    params = _mu_sigma(output, vec, dtype)
    us = single_point("u", presquash_value(u, output.d_action, dtype, ()))
    value, d_mu, d_raw, d_u, cond = [], [], [], [], []
    for (mu, sigma, d_sigma, sigma_cond), u_j in zip(params, us, strict=True):
        log_density, z, gaussian_cond = gaussian_terms(u_j, mu, sigma, sigma_cond)
        value.append(log_density + 2 * log_cosh(u_j))
        cond.append(gaussian_cond + 2 * log_cosh(u_j))
        d_mu.append(z / sigma)
        d_raw.append((z * z - 1) / sigma * d_sigma)
        d_u.append(-z / sigma + 2 * mp.tanh(u_j))
    return Exact(tuple(value), tuple(d_mu + d_raw), tuple(d_u), tuple(cond))


@high_precision
def mean(output: TanhGaussian, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """tanh(mu) per dimension."""
    return Exact(tuple(mp.tanh(mu) for mu, *_ in _mu_sigma(output, vec, dtype)))


@high_precision
def cdf(output: TanhGaussian, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """Phi((atanh a - mu)/sigma) per dimension, for the unclipped a in [-1, 1]."""
    params = _mu_sigma(output, vec, dtype)
    actions = single_point("action", bounded_action(action, output.d_action, dtype, ()))
    return Exact(
        tuple(
            (a + 1) / 2 if abs(a) == 1 else mp.ncdf((mp.atanh(a) - mu) / sigma)
            for (mu, sigma, *_), a in zip(params, actions, strict=True)
        )
    )
