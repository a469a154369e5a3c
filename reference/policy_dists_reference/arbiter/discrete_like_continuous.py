"""DiscreteLikeContinuous at high precision: log_prob and entropy with their logit gradients,
and the straight-through Jacobian by numerical differentiation."""

from __future__ import annotations

import mpmath
import numpy as np
from mpmath import mp
from numpy.typing import ArrayLike

from ..discrete_like_continuous import DiscreteLikeContinuous
from .elementary import logsumexp, softmax
from .exact import Exact
from .precision import high_precision, single_point


def _logits(output: DiscreteLikeContinuous) -> list[mpmath.mpf]:
    return single_point("logits", output.logits)


@high_precision
def log_prob(output: DiscreteLikeContinuous, action: ArrayLike) -> Exact:
    """log p_k, k = argmax a, for one action a of shape (d,) (logits of shape (d,)).

    grad_vec is the gradient in the logits: e_k - p (argmax is locally constant in a, so no
    grad_action). S = |logit_k| + |logsumexp logits| + 1.
    """
    logits = _logits(output)
    k = int(np.argmax(output.per_class_array("action", action)))
    normalizer = logsumexp(logits)
    p = softmax(logits)
    grad = tuple((1 if i == k else 0) - p_i for i, p_i in enumerate(p))
    cond = abs(logits[k]) + abs(normalizer) + 1
    return Exact((logits[k] - normalizer,), grad, None, (cond,))


@high_precision
def entropy(output: DiscreteLikeContinuous) -> Exact:
    """H = -sum p log p; dH/dlogit_j = -p_j (log p_j + H); S = sum_j p_j |log p_j| + 1."""
    logits = _logits(output)
    normalizer = logsumexp(logits)
    log_p = [logit - normalizer for logit in logits]
    p = [mp.exp(lp) for lp in log_p]
    value = -mp.fsum(p_j * lp for p_j, lp in zip(p, log_p, strict=True))
    grad = tuple(-p_j * (lp + value) for p_j, lp in zip(p, log_p, strict=True))
    cond = mp.fsum(p_j * abs(lp) for p_j, lp in zip(p, log_p, strict=True)) + 1
    return Exact((value,), grad, None, (cond,))


@high_precision
def straight_through_jacobian(output: DiscreteLikeContinuous, gumbel_noise: ArrayLike) -> Exact:
    """d softmax((logits + g)/tau)_i / d logits_j for one point, row-major (i, j), by
    mpmath.diff of the softmax itself (independent of the closed form the reference uses)."""
    logits = _logits(output)
    noise = single_point("gumbel_noise", output.per_class_array("gumbel_noise", gumbel_noise))
    tau = mpmath.mpf(output.gumbel_softmax_temperature)
    d = len(logits)

    def soft(i: int, j: int, shifted: mpmath.mpf) -> mpmath.mpf:
        moved = [shifted if k == j else logits[k] for k in range(d)]
        return softmax([(m + g) / tau for m, g in zip(moved, noise, strict=True)])[i]

    return Exact(
        tuple(
            mp.diff(lambda v, i=i, j=j: soft(i, j, v), logits[j])
            for i in range(d)
            for j in range(d)
        )
    )
