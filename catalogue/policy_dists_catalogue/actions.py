"""The actions at the boundary of the box [-1, 1], where squashed and rescaled densities fail."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

# 1 - 10^-k for k = 1..16 reaches the last float64 spacing below 1 (1.1e-16).
EXPONENTS: tuple[int, ...] = tuple(range(1, 17))


def boundary_actions(
    dtype: type[np.floating], exponents: Iterable[int] = EXPONENTS, outside: bool = True
) -> tuple[tuple[str, float], ...]:
    """(label, a) for a = 1 - 10^-k (label "1-1e-k") for each k while it is below 1 in dtype,
    then nextafter(1, 0), 1, and with ``outside`` just past it, nextafter(1, 2) and 1.5;
    each rounded to dtype, returned as an exact float."""
    one = dtype(1.0)
    toward = [(f"1-1e-{k}", float(dtype(1.0 - 10.0**-k))) for k in exponents]
    points = [(label, a) for label, a in toward if a < one]
    points += [("nextafter(1,0)", float(np.nextafter(one, dtype(0.0)))), ("1", 1.0)]
    if outside:
        points += [("nextafter(1,2)", float(np.nextafter(one, dtype(2.0)))), ("1.5", 1.5)]
    return tuple(points)


def signed_boundary_actions(
    dtype: type[np.floating], exponents: Iterable[int] = EXPONENTS, outside: bool = True
) -> list[float]:
    """The values of boundary_actions with both signs, and 0, without repeats, sorted."""
    values = {a for _, a in boundary_actions(dtype, exponents, outside)}
    return sorted({s * a for a in values for s in (1.0, -1.0)} | {0.0})
