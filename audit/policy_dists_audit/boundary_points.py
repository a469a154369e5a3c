"""The actions each continuous output is swept over: toward ±1, on it, and just past it."""

from __future__ import annotations

import numpy as np


def boundary_actions(dtype: type[np.floating]) -> np.ndarray:
    """1 - 10^-k (k = 1..12, while distinct from 1 in dtype), nextafter(1, 0), 1, just outside
    (nextafter(1, 2) and 1.5), and 0; each with both signs, as dtype values, sorted."""
    one = dtype(1.0)
    toward = {dtype(1.0 - 10.0**-k) for k in range(1, 13)}
    toward = {a for a in toward if a < one}
    toward |= {np.nextafter(one, dtype(0.0)), one, np.nextafter(one, dtype(2.0)), dtype(1.5)}
    values = sorted({float(s * a) for a in toward for s in (1.0, -1.0)} | {0.0})
    return np.asarray(values, dtype=dtype)


def distance_to_boundary(actions: np.ndarray) -> np.ndarray:
    """1 - |a| in float64 (0 on the boundary, negative outside)."""
    return 1.0 - np.abs(actions.astype(np.float64))
