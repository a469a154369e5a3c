"""Discrete reference: categorical with probs r = q / sum(q), q = clamp(softmax(vec), low, high)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import log_softmax, logsumexp

from . import categorical
from .categorical import CategoricalParams
from .validation import (
    check_d_action,
    check_nonnegative,
    input_vector,
    round_to_dtype,
    working_dtype,
)


class Discrete:
    """Categorical over d classes: r_k = q_k / sum_i q_i, q = clamp(softmax(vec), low, high).

    Any 0 <= low <= high <= 1 with high > 0 in float32 gives a valid categorical, whatever
    d * low: the bounds clamp q, not r, so r can leave [low, high]. With d * low > 1,
    sum q >= d low > 1 and every r_k = q_k / sum q is below q_k: low is not a floor of r.
    low == high gives the uniform categorical.
    """

    def __init__(
        self, d_action: int, clip_prob_low: float = 0.001, clip_prob_high: float = 0.99
    ) -> None:
        self.d_action = check_d_action(d_action)
        self.clip_prob_low = check_nonnegative("clip_prob_low", clip_prob_low)
        self.clip_prob_high = check_nonnegative("clip_prob_high", clip_prob_high)
        # Rejected only where q has no meaning or sums to 0: an empty interval, a bound above
        # 1, or a high that rounds to 0 in float32 (then q = 0 in that working dtype).
        if not (
            self.clip_prob_low <= self.clip_prob_high <= 1.0
            and round_to_dtype(self.clip_prob_high, np.float32) > 0.0
        ):
            raise ValueError(
                "clip_prob_high must satisfy clip_prob_low <= clip_prob_high <= 1 and be > 0 "
                f"in float32, got clip_prob_low={clip_prob_low!r}, "
                f"clip_prob_high={clip_prob_high!r}"
            )

    @property
    def input_dimension(self) -> int:
        return self.d_action

    def clip_probs(self, dtype: DTypeLike) -> tuple[float, float]:
        """(clip_prob_low, clip_prob_high) rounded to the working dtype, as the implementation
        clamps."""
        return round_to_dtype(self.clip_prob_low, dtype), round_to_dtype(self.clip_prob_high, dtype)

    def _log_probs(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        vec = input_vector(vec, self.input_dimension, dtype)
        low, high = self.clip_probs(dtype)
        # The clamp is monotone, so it commutes with log: clamping log p keeps probabilities
        # far below float64's range (low = 0) exact instead of underflowing to log 0.
        with np.errstate(divide="ignore"):
            log_q = np.clip(log_softmax(vec, axis=-1), np.log(low), np.log(high))
        return log_q - logsumexp(log_q, axis=-1, keepdims=True)

    def params(self, vec: ArrayLike, dtype: DTypeLike) -> CategoricalParams:
        """probs r and logits log r, each (..., d)."""
        return categorical.params_from_log_probs(self._log_probs(vec, dtype))

    def pmf(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """The probability of every class, r, of shape (..., d); sums to 1 over the last axis."""
        return self.params(vec, dtype).probs

    def log_prob(self, vec: ArrayLike, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """log r[k] for class indices k of shape batch or batch + (1,); shape batch."""
        log_probs = self._log_probs(vec, dtype)
        index = categorical.class_indices(action, self.d_action, log_probs.shape[:-1])
        return categorical.log_prob_at(log_probs, index)

    def entropy(self, vec: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """-sum_k r_k log r_k; shape (...)."""
        return categorical.entropy(self._log_probs(vec, dtype))

    def action_from_buffer(self, action: ArrayLike, dtype: DTypeLike) -> np.ndarray:
        """clamp(a, low, high) / sum(clamp(a, low, high)), a one-hot or soft, shape (..., d)."""
        dtype = working_dtype(dtype)
        a = np.asarray(action, dtype=np.float64)
        if a.ndim == 0 or a.shape[-1] != self.d_action:
            raise ValueError(f"action: expected last dimension {self.d_action}, got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError("action must be finite")
        clipped = np.clip(a, *self.clip_probs(dtype))
        total = clipped.sum(axis=-1, keepdims=True)
        if not np.all(total > 0):
            raise ValueError("action: the clipped entries must not sum to 0 (clip_prob_low = 0)")
        return clipped / total
