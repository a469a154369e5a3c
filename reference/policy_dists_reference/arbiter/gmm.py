"""GMM at high precision: log_prob with its gradients, own-sample scoring, mean, marginal CDF."""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
from mpmath import mp
from numpy.typing import ArrayLike, DTypeLike

from ..gmm import GMM
from ..validation import bounded_action, input_vector, presquash_value
from .activations import positive_parameter
from .elementary import log_cosh, log_one_minus_square, logsumexp, softmax
from .exact import Exact
from .precision import exact, high_precision, single_point
from .tanh_gaussian import gaussian_terms


@dataclass(frozen=True)
class _Mixture:
    """means[m][j], stds[m][j], d std / d raw [m][j], the stds' relative conditions [m][j],
    log weights [m], weights [m]."""

    means: list[list[mpmath.mpf]]
    stds: list[list[mpmath.mpf]]
    d_stds: list[list[mpmath.mpf]]
    std_conds: list[list[mpmath.mpf]]
    log_weights: list[mpmath.mpf]
    weights: list[mpmath.mpf]


def _mixture(output: GMM, vec: ArrayLike, dtype: DTypeLike) -> _Mixture:
    entries = single_point("vec", input_vector(vec, output.input_dimension, dtype))
    modes, d = output.gmm_modes, output.d_action
    means = [entries[m * d : (m + 1) * d] for m in range(modes)]
    activated = [
        [
            positive_parameter(output.std, r, dtype)
            for r in entries[(modes + m) * d : (modes + m + 1) * d]
        ]
        for m in range(modes)
    ]
    logits = entries[2 * modes * d :]
    normalizer = logsumexp(logits)
    return _Mixture(
        means=means,
        stds=[[s for s, _, _ in row] for row in activated],
        d_stds=[[ds for _, ds, _ in row] for row in activated],
        std_conds=[[c for _, _, c in row] for row in activated],
        log_weights=[logit - normalizer for logit in logits],
        weights=softmax(logits),
    )


def _score(mix: _Mixture, x: list[mpmath.mpf], log_jacobian: mpmath.mpf) -> tuple:
    """The mixture log-density at pre-squash x minus log_jacobian, with gradients and S.

    Returns (value, grad_vec, d value / d x_j without the Jacobian's term, S). With posterior
    pi_m = exp(A_m - L), A_m = log w_m + sum_j log N(x_j; mu_mj, sigma_mj), L = logsumexp A:
    d/dmu_mj = pi_m z_mj / sigma_mj, d/dsigma_mj = pi_m (z_mj^2 - 1)/sigma_mj,
    d/dlogit_m = pi_m - w_m, d/dx_j = -sum_m pi_m z_mj / sigma_mj.
    S = sum_m pi_m (|log w_m| + sum_j S_mj) + |log_jacobian|, S_mj the Gaussian condition sum
    of tanh_gaussian.gaussian_terms: rounding inside mode m reaches L weighted by pi_m.
    """
    modes, d = len(mix.means), len(x)
    cells = [
        [
            gaussian_terms(x[j], mix.means[m][j], mix.stds[m][j], mix.std_conds[m][j])
            for j in range(d)
        ]
        for m in range(modes)
    ]
    z = [[cell[1] for cell in row] for row in cells]
    per_mode = [mix.log_weights[m] + mp.fsum(cell[0] for cell in cells[m]) for m in range(modes)]
    total = logsumexp(per_mode)
    posterior = [mp.exp(a - total) for a in per_mode]
    mode_cond = [
        abs(mix.log_weights[m]) + mp.fsum(cell[2] for cell in cells[m]) for m in range(modes)
    ]
    d_means = [posterior[m] * z[m][j] / mix.stds[m][j] for m in range(modes) for j in range(d)]
    d_raw = [
        posterior[m] * (z[m][j] ** 2 - 1) / mix.stds[m][j] * mix.d_stds[m][j]
        for m in range(modes)
        for j in range(d)
    ]
    d_logits = [posterior[m] - mix.weights[m] for m in range(modes)]
    d_x = [
        -mp.fsum(posterior[m] * z[m][j] / mix.stds[m][j] for m in range(modes)) for j in range(d)
    ]
    cond = mp.fsum(p * s for p, s in zip(posterior, mode_cond, strict=True)) + abs(log_jacobian)
    return total - log_jacobian, tuple(d_means + d_raw + d_logits), d_x, cond


@high_precision
def log_prob(output: GMM, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """logsumexp_m[log w_m + sum_j log N(atanh c_j)] - sum_j log(1 - c_j^2); one value.

    d/dc_j = (d/dx_j + 2 c_j)/(1 - c_j^2), passed by the clamp on the closed [l, h]. Where some
    |c_j| = 1 the value is its limit -inf and the gradients are NaN (undefined).
    """
    mix = _mixture(output, vec, dtype)
    actions = single_point("action", bounded_action(action, output.d_action, dtype, ()))
    low, high = (exact(b) for b in output.clip_bounds(dtype))
    c = [min(max(a, low), high) for a in actions]
    if any(abs(c_j) == 1 for c_j in c):
        n = output.input_dimension
        return Exact((-mp.inf,), (mp.nan,) * n, (mp.nan,) * output.d_action, (mp.inf,))
    log_jacobian = mp.fsum(log_one_minus_square(c_j) for c_j in c)
    value, grad_vec, d_x, cond = _score(mix, [mp.atanh(c_j) for c_j in c], log_jacobian)
    d_action = tuple(
        (d_x[j] + 2 * c[j]) / (1 - c[j] ** 2) if low <= actions[j] <= high else mpmath.mpf(0)
        for j in range(output.d_action)
    )
    return Exact((value,), grad_vec, d_action, (cond,))


@high_precision
def log_prob_presquash(output: GMM, vec: ArrayLike, u: ArrayLike, dtype: DTypeLike) -> Exact:
    """The mixture log-density at the pre-squash u plus 2 sum_j log cosh u_j, unclipped.

    grad_action is d/du_j = d/dx_j + 2 tanh u_j.
    """
    mix = _mixture(output, vec, dtype)
    us = single_point("u", presquash_value(u, output.d_action, dtype, ()))
    log_jacobian = -2 * mp.fsum(log_cosh(u_j) for u_j in us)
    value, grad_vec, d_x, cond = _score(mix, us, log_jacobian)
    d_u = tuple(d_x[j] + 2 * mp.tanh(us[j]) for j in range(output.d_action))
    return Exact((value,), grad_vec, d_u, (cond,))


@high_precision
def mean(output: GMM, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """tanh(sum_m w_m mu_mj) per dimension."""
    mix = _mixture(output, vec, dtype)
    return Exact(
        tuple(
            mp.tanh(mp.fsum(w * mu[j] for w, mu in zip(mix.weights, mix.means, strict=True)))
            for j in range(output.d_action)
        )
    )


@high_precision
def cdf(output: GMM, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """sum_m w_m Phi((atanh a_j - mu_mj)/sigma_mj) per dimension, for a in [-1, 1]."""
    mix = _mixture(output, vec, dtype)
    actions = single_point("action", bounded_action(action, output.d_action, dtype, ()))
    return Exact(
        tuple(
            (a + 1) / 2
            if abs(a) == 1
            else mp.fsum(
                w * mp.ncdf((mp.atanh(a) - mu[j]) / sigma[j])
                for w, mu, sigma in zip(mix.weights, mix.means, mix.stds, strict=True)
            )
            for j, a in enumerate(actions)
        )
    )
