"""Argument checks shared by the reference outputs: every failure is a ValueError naming the
parameter, so the reference never returns a number for an input it cannot handle."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

WORKING_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def working_dtype(dtype: DTypeLike) -> np.dtype:
    """The implementation's working dtype, float32 or float64."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as err:
        raise ValueError(f"dtype: expected float32 or float64, got {dtype!r}") from err
    if resolved not in WORKING_DTYPES:
        raise ValueError(f"dtype: expected float32 or float64, got {resolved}")
    return resolved


def round_to_dtype(value: float, dtype: DTypeLike) -> float:
    """`value` rounded to the nearest `dtype` number, returned as the exact float64 of it."""
    return float(np.asarray(value, dtype=np.float64).astype(working_dtype(dtype)))


def check_d_action(d_action: int) -> int:
    if isinstance(d_action, bool) or not isinstance(d_action, numbers.Integral) or d_action < 1:
        raise ValueError(f"d_action must be an integer >= 1, got {d_action!r}")
    return int(d_action)


def check_count(name: str, value: int) -> int:
    """A positive integer count such as gmm_modes."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _real(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    return float(value)


def check_positive(name: str, value: float) -> float:
    """A finite number > 0."""
    value = _real(name, value)
    if not 0.0 < value < math.inf:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value: float) -> float:
    """A finite number >= 0."""
    value = _real(name, value)
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return value


def check_upper_bound(name: str, high: float | None, low_name: str, low: float) -> float | None:
    """An optional upper bound: None (unbounded) or a number >= low (high == low: a fixed
    value; high < low: an empty range)."""
    if high is None:
        return None
    high = _real(name, high)
    if not high >= low:
        raise ValueError(f"{name} must be >= {low_name} ({low!r}), got {high!r}")
    return high


def check_clip_bounds(
    name: str, bounds: Sequence[float], allow_point: bool = False
) -> tuple[float, float]:
    """Action clip bounds (l, h) with -1 <= l < h <= 1, or l <= h with `allow_point` (Beta,
    whose score at a single clamped point is still a valid density value)."""
    if isinstance(bounds, (str, bytes)) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise ValueError(f"{name} must be a pair (low, high), got {bounds!r}")
    low, high = (_real(name, b) for b in bounds)
    ordered = low <= high if allow_point else low < high
    if not (-1.0 <= low <= 1.0 and -1.0 <= high <= 1.0 and ordered):
        relation = "<=" if allow_point else "<"
        raise ValueError(f"{name} must satisfy -1 <= low {relation} high <= 1, got {bounds!r}")
    return low, high


def clip_bounds_in_dtype(
    name: str, bounds: tuple[float, float], dtype: DTypeLike, allow_point: bool = False
) -> tuple[float, float]:
    """The clip bounds as the implementation holds them: rounded to its working dtype."""
    low, high = (round_to_dtype(b, dtype) for b in bounds)
    if not (low <= high if allow_point else low < high):
        raise ValueError(f"{name} {bounds!r} collapse to one point in {np.dtype(dtype)}")
    return low, high


def _float_array(name: str, values: ArrayLike, dtype: np.dtype) -> np.ndarray:
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name} must hold floating-point values, got dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar")
    with np.errstate(over="ignore"):
        representable = array.astype(dtype).astype(array.dtype) == array
    if not np.all(representable | np.isnan(array)):
        raise ValueError(f"{name} holds values that are not {dtype} numbers")
    return array.astype(np.float64)


def _check_last_dim(name: str, array: np.ndarray, size: int) -> None:
    if array.shape[-1] != size:
        raise ValueError(f"{name}: expected last dimension {size}, got shape {array.shape}")


def input_vector(vec: ArrayLike, size: int, dtype: DTypeLike) -> np.ndarray:
    """The network output `vec` as float64: finite `dtype` numbers with last dimension `size`."""
    array = _float_array("vec", vec, working_dtype(dtype))
    _check_last_dim("vec", array, size)
    if not np.all(np.isfinite(array)):
        raise ValueError("vec must be finite")
    return array


def batch_shape_of(name: str, batch: tuple[int, ...], other: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of `other` against the distribution's batch shape."""
    try:
        return np.broadcast_shapes(batch, other)
    except ValueError as err:
        raise ValueError(f"{name}: batch shape {other} does not broadcast to {batch}") from err


def bounded_action(
    action: ArrayLike, size: int, dtype: DTypeLike, batch: tuple[int, ...]
) -> np.ndarray:
    """A continuous action as float64: `dtype` numbers in [-1, 1], shape (..., size), the
    leading shape broadcasting against the distribution's `batch` shape."""
    array = _float_array("action", action, working_dtype(dtype))
    _check_last_dim("action", array, size)
    batch_shape_of("action", batch, array.shape[:-1])
    if not np.all(np.abs(array) <= 1.0):
        raise ValueError("action must lie in [-1, 1] (NaN is not an action)")
    return array


def presquash_value(
    u: ArrayLike, size: int, dtype: DTypeLike, batch: tuple[int, ...]
) -> np.ndarray:
    """A pre-squash sample u as float64: finite `dtype` numbers, shape (..., size), the leading
    shape broadcasting against `batch`."""
    array = _float_array("u", u, working_dtype(dtype))
    _check_last_dim("u", array, size)
    batch_shape_of("u", batch, array.shape[:-1])
    if not np.all(np.isfinite(array)):
        raise ValueError("u must be finite")
    return array


def unit_interval_point(name: str, x: ArrayLike) -> np.ndarray:
    """A point of the open interval (0, 1) as float64."""
    array = np.asarray(x, dtype=np.float64)
    if not np.all((array > 0.0) & (array < 1.0)):
        raise ValueError(f"{name} must lie in the open interval (0, 1)")
    return array
