"""Categorical log-probabilities shared by Discrete and DiscreteLikeContinuous, in float64."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .validation import batch_shape_of


@dataclass(frozen=True)
class CategoricalParams:
    """probs r and logits log r of a categorical over d classes, each of shape (..., d)."""

    probs: np.ndarray
    logits: np.ndarray


def params_from_log_probs(log_probs: np.ndarray) -> CategoricalParams:
    return CategoricalParams(probs=np.exp(log_probs), logits=log_probs)


def entropy(log_probs: np.ndarray) -> np.ndarray:
    """-sum_k r_k log r_k over the last axis, with 0 log 0 = 0."""
    with np.errstate(invalid="ignore"):
        terms = np.exp(log_probs) * log_probs
    return -np.where(np.isneginf(log_probs), 0.0, terms).sum(axis=-1)


def class_indices(action: ArrayLike, d: int, batch: tuple[int, ...]) -> np.ndarray:
    """Integer class indices of shape `batch` (broadcastable) or `batch + (1,)`, in [0, d)."""
    index = np.asarray(action)
    if not np.issubdtype(index.dtype, np.integer):
        raise ValueError(f"action must hold integer class indices, got dtype {index.dtype}")
    if not np.all((index >= 0) & (index < d)):
        raise ValueError(f"action: class indices must lie in [0, {d})")
    if index.ndim == len(batch) + 1 and index.shape[-1] == 1:
        index = index[..., 0]
    batch_shape_of("action", batch, index.shape)
    return index


def log_prob_at(log_probs: np.ndarray, index: np.ndarray) -> np.ndarray:
    """log r[index], broadcasting index against the batch shape log_probs.shape[:-1]."""
    shape = np.broadcast_shapes(log_probs.shape[:-1], index.shape)
    log_probs = np.broadcast_to(log_probs, shape + log_probs.shape[-1:])
    index = np.broadcast_to(index, shape)
    return np.take_along_axis(log_probs, index[..., None], axis=-1)[..., 0]
