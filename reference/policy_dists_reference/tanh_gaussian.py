"""TanhGaussian reference: a = tanh(u), u ~ Normal(mu, sigma) independently per action dimension."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import ndtr
from scipy.stats import norm

from .activations import PositiveParameter
from .tanh_squash import (
    at_boundary,
    clamp_action,
    log_one_minus_square,
    log_one_minus_tanh_square,
)
from .validation import (
    bounded_action,
    check_clip_bounds,
    check_d_action,
    clip_bounds_in_dtype,
    input_vector,
    presquash_value,
)


@dataclass(frozen=True)
class TanhGaussianParams:
    """mu and sigma of the pre-squash Normal, each of shape (..., d)."""

    mu: np.ndarray
    sigma: np.ndarray


class TanhGaussian:
    """Density of a in (-1, 1): N(atanh a; mu, sigma) / (1 - a^2), one value per dimension."""

    def __init__(
        self,
        d_action: int,
        std_low: float = math.exp(-5.0),
        std_high: float = math.exp(2.0),
        std_activation: str | Callable[..., np.ndarray] = "tanh_bounded_positive",
        clip_actions_on_log_prob: tuple[float, float] = (-0.99, 0.99),
    ) -> None:
        self.d_action = check_d_action(d_action)
        self.std = PositiveParameter.configured(
            std_activation, std_low, std_high, ("std_activation", "std_low", "std_high")
        )
        self.clip_actions_on_log_prob = check_clip_bounds(
            "clip_actions_on_log_prob", clip_actions_on_log_prob
        )

    @property
    def input_dimension(self) -> int:
        return 2 * self.d_action

    def params(self, vec: ArrayLike, dtype: DTypeLike) -> TanhGaussianParams:
        """mu = vec[..., :d], sigma = std_activation(vec[..., d:], std_low, std_high)."""
        vec = input_vector(vec, self.input_dimension, dtype)
        d = self.d_action
        return TanhGaussianParams(mu=vec[..., :d], sigma=self.std(vec[..., d:], dtype))

    def clip_bounds(self, dtype: DTypeLike) -> tuple[float, float]:
        """The clip bounds (l, h) rounded to the working dtype, as the implementation clamps."""
        return clip_bounds_in_dtype(
            "clip_actions_on_log_prob", self.clip_actions_on_log_prob, dtype
        )

    def log_prob(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """log N(atanh c; mu, sigma) - log(1 - c^2), c = clamp(a, l, h); shape (..., d)."""
        p = self.params(vec, dtype)
        c = clamp_action(
            bounded_action(action, self.d_action, dtype, p.mu.shape[:-1]), self.clip_bounds(dtype)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            value = norm.logpdf(np.arctanh(c), p.mu, p.sigma) - log_one_minus_square(c)
        return np.where(at_boundary(c), -np.inf, value)

    def log_prob_presquash(self, vec: ArrayLike, u: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """Own-sample scoring from the pre-squash u, unclipped:
        log N(u; mu, sigma) - log(1 - tanh^2 u); shape (..., d)."""
        p = self.params(vec, dtype)
        u = presquash_value(u, self.d_action, dtype, p.mu.shape[:-1])
        return norm.logpdf(u, p.mu, p.sigma) - log_one_minus_tanh_square(u)

    def mean(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """tanh(mu), the squashed location (the upstream meaning, not E[a]); shape (..., d)."""
        return np.tanh(self.params(vec, dtype).mu)

    def cdf(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """Marginal CDF of the unclipped a: Phi((atanh a - mu)/sigma); shape (..., d)."""
        p = self.params(vec, dtype)
        a = bounded_action(action, self.d_action, dtype, p.mu.shape[:-1])
        with np.errstate(divide="ignore"):
            return ndtr((np.arctanh(a) - p.mu) / p.sigma)
