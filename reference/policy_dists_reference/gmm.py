"""GMM reference: a = tanh(u), u ~ sum_m w_m Normal(mu_m, diag sigma_m^2), w = softmax(logits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import log_softmax, logsumexp, ndtr
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
    check_count,
    check_d_action,
    clip_bounds_in_dtype,
    input_vector,
    presquash_value,
)


@dataclass(frozen=True)
class GMMParams:
    """means and stds of shape (..., M, d) and the log mixture weights of shape (..., M)."""

    means: np.ndarray
    stds: np.ndarray
    log_weights: np.ndarray


class GMM:
    """Density of a in (-1, 1)^d: sum_m w_m prod_j N(atanh a_j; mu_mj, sigma_mj) / (1 - a_j^2)."""

    def __init__(
        self,
        d_action: int,
        gmm_modes: int = 5,
        std_low: float = 1e-4,
        std_high: float | None = None,
        std_activation: str | Callable[..., np.ndarray] = "softplus_bounded_positive",
        clip_actions_on_log_prob: tuple[float, float] = (-(1 - 1e-6), 1 - 1e-6),
    ) -> None:
        self.d_action = check_d_action(d_action)
        self.gmm_modes = check_count("gmm_modes", gmm_modes)
        self.std = PositiveParameter.configured(
            std_activation, std_low, std_high, ("std_activation", "std_low", "std_high")
        )
        self.clip_actions_on_log_prob = check_clip_bounds(
            "clip_actions_on_log_prob", clip_actions_on_log_prob
        )

    @property
    def input_dimension(self) -> int:
        return 2 * self.gmm_modes * self.d_action + self.gmm_modes

    def params(self, vec: ArrayLike, dtype: DTypeLike) -> GMMParams:
        """Means vec[..., :Md] and raw stds vec[..., Md:2Md], mode-major; logits vec[..., 2Md:]."""
        vec = input_vector(vec, self.input_dimension, dtype)
        modes, d = self.gmm_modes, self.d_action
        per_mode = (*vec.shape[:-1], modes, d)
        return GMMParams(
            means=vec[..., : modes * d].reshape(per_mode),
            stds=self.std(vec[..., modes * d : 2 * modes * d].reshape(per_mode), dtype),
            log_weights=log_softmax(vec[..., 2 * modes * d :], axis=-1),
        )

    def clip_bounds(self, dtype: DTypeLike) -> tuple[float, float]:
        """The clip bounds (l, h) rounded to the working dtype, as the implementation clamps."""
        return clip_bounds_in_dtype(
            "clip_actions_on_log_prob", self.clip_actions_on_log_prob, dtype
        )

    @staticmethod
    def _mixture_log_density(p: GMMParams, u: np.ndarray) -> np.ndarray:
        """log sum_m w_m prod_j N(u_j; mu_mj, sigma_mj) for u of shape (..., d); shape (...)."""
        per_mode = p.log_weights + norm.logpdf(u[..., None, :], p.means, p.stds).sum(axis=-1)
        return logsumexp(per_mode, axis=-1)

    def log_prob(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """logsumexp_m[log w_m + sum_j log N(atanh c_j)] - sum_j log(1 - c_j^2); shape (..., 1)."""
        p = self.params(vec, dtype)
        action = bounded_action(action, self.d_action, dtype, p.log_weights.shape[:-1])
        c = clamp_action(action, self.clip_bounds(dtype))
        with np.errstate(invalid="ignore", divide="ignore"):
            value = self._mixture_log_density(p, np.arctanh(c)) - log_one_minus_square(c).sum(-1)
        return np.where(at_boundary(c).any(axis=-1), -np.inf, value)[..., None]

    def log_prob_presquash(self, vec: ArrayLike, u: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """Own-sample scoring from the pre-squash u (unclipped), as log_prob; shape (..., 1)."""
        p = self.params(vec, dtype)
        u = presquash_value(u, self.d_action, dtype, p.log_weights.shape[:-1])
        value = self._mixture_log_density(p, u) - log_one_minus_tanh_square(u).sum(axis=-1)
        return value[..., None]

    def mean(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """tanh(sum_m w_m mu_m), the upstream meaning; shape (..., d)."""
        p = self.params(vec, dtype)
        return np.tanh((np.exp(p.log_weights)[..., None] * p.means).sum(axis=-2))

    def cdf(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """Per-dimension marginal CDF of a_j: sum_m w_m Phi((atanh a_j - mu_mj)/sigma_mj)."""
        p = self.params(vec, dtype)
        a = bounded_action(action, self.d_action, dtype, p.log_weights.shape[:-1])
        with np.errstate(divide="ignore"):
            z = (np.arctanh(a)[..., None, :] - p.means) / p.stds
        return (np.exp(p.log_weights)[..., None] * ndtr(z)).sum(axis=-2)
