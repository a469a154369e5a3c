"""Discrete at high precision: log_prob and entropy with gradients through the clamp, probs."""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
from mpmath import mp
from numpy.typing import ArrayLike, DTypeLike

from ..discrete import Discrete
from ..validation import input_vector
from .elementary import softmax
from .exact import Exact
from .precision import exact, high_precision, single_point


@dataclass(frozen=True)
class _Clamped:
    """p = softmax(vec), q = clamp(p, low, high), passes[i] = low <= p_i <= high, s = sum q."""

    p: list[mpmath.mpf]
    q: list[mpmath.mpf]
    passes: list[bool]
    total: mpmath.mpf

    @property
    def r(self) -> list[mpmath.mpf]:
        return [q / self.total for q in self.q]

    def grad_vec(self, grad_r: list[mpmath.mpf]) -> tuple[mpmath.mpf, ...]:
        """Chain rule from d/dr to d/dvec: through r = q/s (normalizer included), the clamp
        (gradient 1 on the closed [low, high], as torch.clamp) and the softmax."""
        r = self.r
        through_r = mp.fsum(g * r_i for g, r_i in zip(grad_r, r, strict=True))
        grad_p = [
            (g - through_r) / self.total if ok else 0
            for g, ok in zip(grad_r, self.passes, strict=True)
        ]
        through_p = mp.fsum(g * p for g, p in zip(grad_p, self.p, strict=True))
        return tuple(p * (g - through_p) for p, g in zip(self.p, grad_p, strict=True))


def _clamped(output: Discrete, vec: ArrayLike, dtype: DTypeLike) -> _Clamped:
    p = softmax(single_point("vec", input_vector(vec, output.input_dimension, dtype)))
    low, high = (exact(b) for b in output.clip_probs(dtype))
    q = [min(max(p_i, low), high) for p_i in p]
    return _Clamped(p, q, [low <= p_i <= high for p_i in p], mp.fsum(q))


def _class_index(action: ArrayLike, d: int) -> int:
    index = np.asarray(action)
    if not np.issubdtype(index.dtype, np.integer) or index.size != 1 or index.ndim > 1:
        raise ValueError(
            f"action: the arbiter takes one class index, shape () or (1,), got {action!r}"
        )
    k = int(index.reshape(()))
    if not 0 <= k < d:
        raise ValueError(f"action: class index must lie in [0, {d}), got {k}")
    return k


@high_precision
def log_prob(output: Discrete, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> Exact:
    """log r_k = log q_k - log sum_i q_i for one class index k.

    S = |log q_k| + |log sum q| + 1, the 1 for the rounding of the probabilities themselves
    (every softmax numerator is formed relative to the largest, which is 1).
    """
    clamped = _clamped(output, vec, dtype)
    k = _class_index(action, output.d_action)
    r = clamped.r
    grad_r = [1 / r[k] if i == k else mpmath.mpf(0) for i in range(len(r))]
    cond = abs(mp.log(clamped.q[k])) + abs(mp.log(clamped.total)) + 1
    return Exact((mp.log(r[k]),), clamped.grad_vec(grad_r), None, (cond,))


@high_precision
def entropy(output: Discrete, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """-sum_i r_i log r_i (gradient -(log r_i + 1) in r); S = sum r_i (|log q_i| + |log sum q|) + 1.

    Every r_i > 0 here: softmax never underflows at mpmath's unbounded exponent range.
    """
    clamped = _clamped(output, vec, dtype)
    value = -mp.fsum(r * mp.log(r) for r in clamped.r)
    grad_r = [-(mp.log(r) + 1) for r in clamped.r]
    log_total = abs(mp.log(clamped.total))
    cond = (
        mp.fsum(r * (abs(mp.log(q)) + log_total) for r, q in zip(clamped.r, clamped.q, strict=True))
        + 1
    )
    return Exact((value,), clamped.grad_vec(grad_r), None, (cond,))


@high_precision
def probs(output: Discrete, vec: ArrayLike, dtype: DTypeLike) -> Exact:
    """r, the probability of every class."""
    return Exact(tuple(_clamped(output, vec, dtype).r))
