"""The tanh change of variables a = tanh(u) shared by TanhGaussian and GMM, in float64."""

from __future__ import annotations

import numpy as np

LOG_2 = np.log(2.0)


def clamp_action(action: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """clamp(a, l, h) with (l, h) already rounded to the working dtype: exact in float64."""
    return np.clip(action, *bounds)


def log_one_minus_square(c: np.ndarray) -> np.ndarray:
    """log(1 - c^2) = log1p(-c) + log1p(c): accurate to the last bits up to |c| -> 1."""
    with np.errstate(divide="ignore"):
        return np.log1p(-c) + np.log1p(c)


def log_cosh(u: np.ndarray) -> np.ndarray:
    """log cosh u, accurate for every finite u."""
    magnitude = np.abs(u)
    small = magnitude <= 1.0
    # cosh u = 1 + 2 sinh^2(u/2) keeps the relative accuracy of log cosh u ~ u^2/2 near 0;
    # beyond |u| = 1, |u| - log 2 >= 0.3, so that subtraction loses at most two bits.
    near_zero = np.log1p(2.0 * np.sinh(np.where(small, u, 0.0) / 2.0) ** 2)
    far = magnitude - LOG_2 + np.log1p(np.exp(-2.0 * magnitude))
    return np.where(small, near_zero, far)


def log_one_minus_tanh_square(u: np.ndarray) -> np.ndarray:
    """log(1 - tanh(u)^2) = -2 log cosh u, finite even where tanh u rounds to +-1."""
    return -2.0 * log_cosh(u)


def at_boundary(c: np.ndarray) -> np.ndarray:
    """Where |c| = 1: the squashed log-density's limit there is -inf (the Gaussian tail wins)."""
    return np.abs(c) == 1.0
