"""Constructor argument checks (SPEC §5): each failure is a ValueError naming the parameter."""

from __future__ import annotations

import math
from numbers import Integral, Real


def require_int(owner: str, name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def require_real(owner: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)):
        raise ValueError(f"{owner}: {name} must be a real number, got {value!r}")
    return float(value)


def require_positive_bounds(
    owner: str, low_name: str, low: object, high_name: str, high: object | None
) -> tuple[float, float | None]:
    """``0 < low <= high`` with ``high=None`` meaning unbounded; ``high == low`` fixes the
    parameter at ``low`` (both activations return it), ``high < low`` is an empty range."""
    low_f = require_real(owner, low_name, low)
    if not 0.0 < low_f < math.inf:
        raise ValueError(f"{owner}: {low_name} must be positive and finite, got {low!r}")
    if high is None:
        return low_f, None
    high_f = require_real(owner, high_name, high)
    if not high_f >= low_f:
        raise ValueError(f"{owner}: {high_name} must be >= {low_name}, got {high!r}")
    return low_f, high_f


def require_clip_bounds(
    owner: str, name: str, bounds: object, allow_point: bool = False
) -> tuple[float, float]:
    """``-1 <= low < high <= 1``, or ``low <= high`` with ``allow_point`` (where clamping every
    action to one point still scores it by a valid distribution, as Beta's does)."""
    try:
        low, high = bounds  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {name} must be a pair (low, high), got {bounds!r}") from None
    low_f, high_f = require_real(owner, name, low), require_real(owner, name, high)
    if allow_point and not -1.0 <= low_f <= high_f <= 1.0:
        raise ValueError(f"{owner}: {name} must satisfy -1 <= low <= high <= 1, got {bounds!r}")
    if not allow_point and not -1.0 <= low_f < high_f <= 1.0:
        raise ValueError(f"{owner}: {name} must satisfy -1 <= low < high <= 1, got {bounds!r}")
    return low_f, high_f
