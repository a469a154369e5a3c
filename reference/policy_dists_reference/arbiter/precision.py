"""The arbiter's working precision and its conversion of float inputs to exact mpmath numbers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import mpmath
import numpy as np

# 60 working digits leave >= 50 correct significant digits after the few dozen roundings of
# any formula here (each loses well under one digit).
DIGITS = 60

P = ParamSpec("P")
R = TypeVar("R")


def high_precision(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` at DIGITS significant digits, leaving the caller's mpmath precision alone."""

    @functools.wraps(function)
    def at_high_precision(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpmath.mp.workdps(DIGITS):
            return function(*args, **kwargs)

    return at_high_precision


def exact(value: float) -> mpmath.mpf:
    """The float64 `value` as an mpmath number: exact, since mpf holds any binary64."""
    return mpmath.mpf(float(value))


def single_point(name: str, array: np.ndarray) -> list[mpmath.mpf]:
    """The entries of a one-point input of shape (n,), exactly."""
    if array.ndim != 1:
        raise ValueError(f"{name}: the arbiter takes one point of shape (n,), got {array.shape}")
    return [exact(v) for v in array]
