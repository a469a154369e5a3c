"""Error measures of SPEC §7: ULPs of the result's dtype, and the condition-aware form."""

from __future__ import annotations

import mpmath
import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ..validation import working_dtype
from .precision import DIGITS


def _absolute_error(value: object, exact: object) -> mpmath.mpf:
    value, exact = mpmath.mpf(float(value)), mpmath.mpf(exact)
    if mpmath.isnan(value) or mpmath.isnan(exact):
        return mpmath.nan
    if value == exact:
        return mpmath.mpf(0)
    return abs(value - exact)


def _ulp_at(exact: object, dtype: np.dtype) -> float:
    """The spacing of `dtype` at |exact| (the largest finite spacing beyond dtype's range)."""
    finfo = np.finfo(dtype)
    magnitude = abs(float(mpmath.mpf(exact)))
    if magnitude >= finfo.max:
        return float(finfo.max - np.nextafter(finfo.max, dtype.type(0)))
    return float(np.spacing(dtype.type(magnitude)))


def error_ulps(value: ArrayLike, exact: ArrayLike, dtype: DTypeLike) -> np.ndarray:
    """|value - exact| in ULPs of `dtype` at the exact value; exact may hold mpf or floats."""
    dtype = working_dtype(dtype)
    # A NaN value's error is NaN, which the callers report as non-finite: no warning for it.
    with mpmath.mp.workdps(DIGITS), np.errstate(invalid="ignore"):
        measure = np.frompyfunc(
            lambda v, e: _relative_to(_absolute_error(v, e), mpmath.mpf(_ulp_at(e, dtype))), 2, 1
        )
        return np.asarray(measure(np.asarray(value), np.asarray(exact, dtype=object)), float)


def _relative_to(error: mpmath.mpf, scale: mpmath.mpf) -> float:
    """error / scale, with 0 / 0 = 0 (an exact result of a zero-scale formula)."""
    if error == 0:
        return 0.0
    return float(error / scale) if scale != 0 else float("inf")


def error_cond(value: ArrayLike, exact: ArrayLike, cond: ArrayLike, dtype: DTypeLike) -> np.ndarray:
    """|value - exact| / (eps * S), eps the machine epsilon of `dtype`, S the condition sum."""
    eps = float(np.finfo(working_dtype(dtype)).eps)
    with mpmath.mp.workdps(DIGITS), np.errstate(invalid="ignore"):  # as in error_ulps
        measure = np.frompyfunc(
            lambda v, e, s: _relative_to(_absolute_error(v, e), eps * mpmath.mpf(s)), 3, 1
        )
        return np.asarray(
            measure(
                np.asarray(value),
                np.asarray(exact, dtype=object),
                np.asarray(cond, dtype=object),
            ),
            float,
        )
