"""Composite Gauss-Legendre quadrature (scipy's nodes) on panels cut where densities change.

Used by the normalization and the Monte-Carlo gradient tests. Each rule integrates a
polynomial of degree 2 order - 1 exactly on every panel; the cuts put panel ends at the bulk
of each density (location +- multiples of its scale) and, for the Beta, geometrically toward
the endpoints where x^(alpha-1) may be singular, so that every panel holds a function
analytic well beyond it. The tests measure the rule's error on the reference density, where
the exact integral is known from the reference CDF, and state it next to their tolerance.
"""

from __future__ import annotations

import numpy as np
from scipy.special import roots_legendre

# Cut points, in units of the scale, around each location.
SCALE_CUTS = np.array([-12, -8, -6, -4, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4, 6, 8, 12], float)
COARSE_SCALE_CUTS = np.array([-8, -4, -2, -1, 0, 1, 2, 4, 8], float)
# Toward an endpoint e of [lo, hi]: e + (lo - e) 2^k, so every panel near a possible
# singularity at e is as long as its distance to e.
GEOMETRIC_STEPS = 2.0 ** np.arange(0, 14)


def panels(lo: np.ndarray, hi: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Sorted panel ends, shape (..., k + 2): `cuts` (..., k) clipped to [lo, hi], plus lo, hi."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    inner = np.clip(cuts, lo[..., None], hi[..., None])
    return np.sort(np.concatenate([lo[..., None], inner, hi[..., None]], axis=-1), axis=-1)


def gauss_legendre(ends: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (each (..., (k - 1) order)) of the order-point rule on every panel
    between consecutive `ends` (..., k); a zero-width panel gets zero weights."""
    t, w = roots_legendre(order)
    left, right = ends[..., :-1, None], ends[..., 1:, None]
    half = (right - left) / 2
    nodes = left + half * (t + 1)
    weights = half * w
    shape = (*ends.shape[:-1], -1)
    return nodes.reshape(shape), weights.reshape(shape)


def location_scale_cuts(
    location: np.ndarray, scale: np.ndarray, steps: np.ndarray = SCALE_CUTS
) -> np.ndarray:
    """location + scale * steps, shape (..., len(steps))."""
    return np.asarray(location)[..., None] + np.asarray(scale)[..., None] * steps


def geometric_cuts(lo: np.ndarray, hi: np.ndarray, left: float, right: float) -> np.ndarray:
    """Cuts graded toward `left` (below lo) and `right` (above hi): shape (..., 2 steps)."""
    lo, hi = np.asarray(lo, float)[..., None], np.asarray(hi, float)[..., None]
    return np.concatenate(
        [left + (lo - left) * GEOMETRIC_STEPS, right - (right - hi) * GEOMETRIC_STEPS], axis=-1
    )
