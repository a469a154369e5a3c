"""Multibinary at high precision: log_prob and entropy with gradients, probs."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ..multibinary import Multibinary
from ..validation import input_vector
from .elementary import sigmoid, softplus
from .exact import Exact
from .precision import high_precision, single_point


def _logits(output: Multibinary, vec: ArrayLike, dtype: DTypeLike) -> list:
    return single_point("vec", input_vector(vec, output.input_dimension, dtype))


@high_precision
def log_prob(output: Multibinary, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """-softplus(-x) where k = 1, -softplus(x) where k = 0, per dimension; d/dx = k - sigmoid(x).

    The formula has one term, so S = |value|: the condition form is the relative error.
    """
    logits = _logits(output, vec, dtype)
    outcomes = np.asarray(action)
    if outcomes.shape != (output.d_action,) or not np.all((outcomes == 0) | (outcomes == 1)):
        raise ValueError(f"action: expected {output.d_action} outcomes 0 or 1, got {action!r}")
    value = [-softplus(-x) if k else -softplus(x) for x, k in zip(logits, outcomes, strict=True)]
    grad = tuple((1 if k else 0) - sigmoid(x) for x, k in zip(logits, outcomes, strict=True))
    return Exact(tuple(value), grad, None, tuple(abs(v) for v in value))


@high_precision
def entropy(output: Multibinary, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """H = p softplus(-x) + (1-p) softplus(x), p = sigmoid(x); dH/dx = -x p (1-p).

    Both terms are positive, so S = H, plus the underflow of a factor: past |x| ~ 708 in
    float64 (87 in float32) the small probability is subnormal, off by up to its ulp, at least
    tiny eps absolute (tiny the smallest normal), which the factor softplus(|x|) ~ |x| carries
    into H: S += tiny (softplus(x) + softplus(-x)), so that eps S holds tiny eps |x|.
    """
    tiny = float(np.finfo(dtype).tiny)
    value, grad, cond = [], [], []
    for x in _logits(output, vec, dtype):
        p, q = sigmoid(x), sigmoid(-x)
        value.append(p * softplus(-x) + q * softplus(x))
        grad.append(-x * p * q)
        cond.append(value[-1] + tiny * (softplus(x) + softplus(-x)))
    return Exact(tuple(value), tuple(grad), None, tuple(cond))


@high_precision
def probs(output: Multibinary, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """sigmoid(x) per dimension: P(k = 1), which is also the mean."""
    return Exact(tuple(sigmoid(x) for x in _logits(output, vec, dtype)))
