"""Exact (high-precision) results of the arbiter, for one point or swept over a batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import mpmath
import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Exact:
    """An output at one point, to >= 50 significant digits.

    value: the output's entries (log_prob: one per action dimension, or one for GMM/Discrete).
    grad_vec: d sum(value) / d vec_i for every vec entry (each entry feeds one value for the
    per-dimension outputs, so this is their whole Jacobian), or None where not provided.
    grad_action: d sum(value) / d action_j, through the clamp, or None.
    cond: per value, the condition sum S of SPEC §7: the sum of the magnitudes of the
    formula's terms, plus, for each parameter an activation computes, the value's sensitivity to
    its log times the activation's relative condition (each module states its S). None for
    outputs that are not log-densities or entropies.
    """

    value: tuple[mpmath.mpf, ...]
    grad_vec: tuple[mpmath.mpf, ...] | None = None
    grad_action: tuple[mpmath.mpf, ...] | None = None
    cond: tuple[mpmath.mpf, ...] | None = None


@dataclass(frozen=True)
class ExactArrays:
    """Exact results over a batch: each field an object array of mpf of shape batch + (k,)."""

    value: np.ndarray
    grad_vec: np.ndarray | None
    grad_action: np.ndarray | None
    cond: np.ndarray | None

    def float64(self) -> ExactArrays:
        """The same fields rounded to float64 arrays."""
        return ExactArrays(
            **{
                f.name: None
                if getattr(self, f.name) is None
                else getattr(self, f.name).astype(np.float64)
                for f in fields(self)
            }
        )


def sweep(
    point: Callable[..., Exact],
    output: object,
    vec: ArrayLike,
    *per_point: ArrayLike,
    dtype: object,
) -> ExactArrays:
    """`point(output, vec_b, *per_point_b, dtype)` at every batch index b, stacked.

    vec has shape batch + (n,) and each per-point argument (an action, u) batch' + (k,); the
    batch shapes broadcast. Use it for the arbiter functions that take (output, vec, ..., dtype).
    """
    arrays = [np.asarray(vec), *(np.asarray(a) for a in per_point)]
    batch = np.broadcast_shapes(*(a.shape[:-1] for a in arrays))
    arrays = [np.broadcast_to(a, batch + a.shape[-1:]) for a in arrays]
    results = [point(output, *(a[index] for a in arrays), dtype) for index in np.ndindex(batch)]

    def stacked(name: str) -> np.ndarray | None:
        rows = [getattr(r, name) for r in results]
        if not rows or rows[0] is None:
            return None
        return np.array(rows, dtype=object).reshape((*batch, len(rows[0])))

    return ExactArrays(*(stacked(f.name) for f in fields(ExactArrays)))
