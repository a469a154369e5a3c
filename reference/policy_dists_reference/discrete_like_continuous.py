"""DiscreteLikeContinuous reference: a categorical's one-hot view with straight-through
Gumbel-softmax gradients."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import log_softmax, softmax

from . import categorical
from .categorical import CategoricalParams
from .validation import batch_shape_of, check_positive


def _finite_last_axis(name: str, values: ArrayLike) -> np.ndarray:
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim == 0 or array.shape[-1] < 1:
        raise ValueError(f"{name} must have a non-empty last dimension, got shape {array.shape}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


class DiscreteLikeContinuous:
    """The categorical with the given logits (..., d), seen as one-hot actions in R^d."""

    def __init__(self, logits: ArrayLike, gumbel_softmax_temperature: float = 0.5) -> None:
        self.logits = _finite_last_axis("logits", logits)
        # Renormalized, as torch's Categorical does, so unnormalized logits also work.
        self.log_probs = log_softmax(self.logits, axis=-1)
        self.gumbel_softmax_temperature = check_positive(
            "gumbel_softmax_temperature", gumbel_softmax_temperature
        )

    @property
    def d(self) -> int:
        return self.log_probs.shape[-1]

    def per_class_array(self, name: str, values: ArrayLike) -> np.ndarray:
        """`values` as float64 of shape (..., d), checked finite and broadcastable to the batch."""
        array = _finite_last_axis(name, values)
        if array.shape[-1] != self.d:
            raise ValueError(f"{name}: expected last dimension {self.d}, got shape {array.shape}")
        batch_shape_of(name, self.log_probs.shape[:-1], array.shape[:-1])
        return array

    def params(self) -> CategoricalParams:
        """probs and normalized logits, each (..., d)."""
        return categorical.params_from_log_probs(self.log_probs)

    def pmf(self) -> np.ndarray:
        """The probability of every class, shape (..., d)."""
        return self.params().probs

    def entropy(self) -> np.ndarray:
        """-sum_k p_k log p_k; shape (...)."""
        return categorical.entropy(self.log_probs)

    def log_prob(self, action: ArrayLike) -> np.ndarray:
        """log p[argmax a] for one-hot or soft actions a of shape (..., d); shape (...)."""
        index = np.argmax(self.per_class_array("action", action), axis=-1)
        return categorical.log_prob_at(self.log_probs, index)

    def straight_through_sample(self, gumbel_noise: ArrayLike) -> np.ndarray:
        """The forward value for noise g: one-hot(argmax_k (logits_k + g_k)), shape (..., d).

        The logits as given: a constant shift (normalization) changes neither argmax nor y."""
        g = self.per_class_array("gumbel_noise", gumbel_noise)
        perturbed = self.logits + g
        return (np.arange(self.d) == np.argmax(perturbed, axis=-1)[..., None]).astype(np.float64)

    def straight_through_jacobian(self, gumbel_noise: ArrayLike) -> np.ndarray:
        """The backward: J[..., i, j] = d y_i / d logits_j, y = softmax((logits + g)/tau).

        J = (diag(y) - y y^T) / tau; shape (..., d, d).
        """
        g = self.per_class_array("gumbel_noise", gumbel_noise)
        tau = self.gumbel_softmax_temperature
        y = softmax((self.logits + g) / tau, axis=-1)
        return (y[..., :, None] * np.eye(self.d) - y[..., :, None] * y[..., None, :]) / tau
