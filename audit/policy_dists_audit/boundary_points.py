"""The actions each continuous output is swept over: toward ±1, on it, and just past it."""

from __future__ import annotations

import numpy as np

from policy_dists_catalogue import signed_boundary_actions

# k = 1..12 in 1 - 10^-k: down to 1e-12 from the boundary, within float64's reach.
EXPONENTS = tuple(range(1, 13))


def boundary_actions(dtype: type[np.floating]) -> np.ndarray:
    """The catalogue's boundary actions (1 - 10^-k for k = 1..12 while distinct from 1,
    nextafter(1, 0), 1, nextafter(1, 2), 1.5) with both signs, and 0, sorted, as dtype."""
    return np.asarray(signed_boundary_actions(dtype, EXPONENTS), dtype=dtype)


def distance_to_boundary(actions: np.ndarray) -> np.ndarray:
    """1 - |a| in float64 (0 on the boundary, negative outside)."""
    return 1.0 - np.abs(actions.astype(np.float64))
