"""Multibinary reference: independent Bernoulli(logits = vec) per action dimension."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import expit, log_expit

from .validation import batch_shape_of, check_d_action, input_vector


@dataclass(frozen=True)
class BernoulliParams:
    """probs sigmoid(vec) and logits vec, each of shape (..., d)."""

    probs: np.ndarray
    logits: np.ndarray


def _minus_p_log_p(log_p: np.ndarray) -> np.ndarray:
    """-p log p from log p <= 0, as exp(log p + log(-log p)): no subnormal p is formed."""
    with np.errstate(divide="ignore"):
        return np.where(log_p < 0, np.exp(log_p + np.log(-log_p)), 0.0)


class Multibinary:
    """P(k) = sigmoid(x)^k sigmoid(-x)^(1-k) for k in {0, 1}, x = vec, per dimension."""

    def __init__(self, d_action: int) -> None:
        self.d_action = check_d_action(d_action)

    @property
    def input_dimension(self) -> int:
        return self.d_action

    def params(self, vec: ArrayLike, dtype: DTypeLike) -> BernoulliParams:
        """probs = sigmoid(vec), logits = vec; dtype only checks that vec holds dtype numbers."""
        logits = input_vector(vec, self.input_dimension, dtype)
        return BernoulliParams(probs=expit(logits), logits=logits)

    def _outcomes(self, action: ArrayLike, batch: tuple[int, ...]) -> np.ndarray:
        k = np.asarray(action)
        if k.ndim == 0 or k.shape[-1] != self.d_action:
            raise ValueError(f"action: expected last dimension {self.d_action}, got {k.shape}")
        batch_shape_of("action", batch, k.shape[:-1])
        if not np.all((k == 0) | (k == 1)):
            raise ValueError("action must hold outcomes 0 or 1")
        return k.astype(bool)

    def log_prob(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """log sigmoid(x) where k = 1, log sigmoid(-x) where k = 0; shape (..., d)."""
        x = self.params(vec, dtype).logits
        k = self._outcomes(action, x.shape[:-1])
        return np.where(k, log_expit(x), log_expit(-x))

    def entropy(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """-(p log p + (1-p) log(1-p)) per dimension, p = sigmoid(x); shape (..., d)."""
        x = self.params(vec, dtype).logits
        return _minus_p_log_p(log_expit(x)) + _minus_p_log_p(log_expit(-x))

    def mean(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """probs; shape (..., d)."""
        return self.params(vec, dtype).probs

    def mode(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """1.0 where the exact probability exceeds 1/2 (logit > 0), else 0.0; shape (..., d)."""
        return (self.params(vec, dtype).logits > 0).astype(np.float64)

    def pmf(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """[P(0), P(1)] per dimension, shape (..., d, 2); sums to 1 over the last axis."""
        x = self.params(vec, dtype).logits
        return np.stack([expit(-x), expit(x)], axis=-1)
