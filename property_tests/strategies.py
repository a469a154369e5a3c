"""Hypothesis strategies and settings shared by the property tests.

The example budget comes from the profile the root conftest loads (ci / dev / thorough);
tests only add `FIXTURE_SAFE`, which lets a @given test use the function-scoped `device` and
`dtype` fixtures (their values do not change between examples, which is what the health
check guards against).
"""

from __future__ import annotations

import math

import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FIXTURE_SAFE = settings(
    suppress_health_check=[
        *settings.default.suppress_health_check,
        HealthCheck.function_scoped_fixture,
    ]
)


def _width(dtype: torch.dtype) -> int:
    return torch.finfo(dtype).bits


def finite_floats(dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Every finite value of `dtype` (SPEC §6: "for any finite vec"), extremes included."""
    return st.floats(allow_nan=False, allow_infinity=False, width=_width(dtype))


def closed_unit_actions(dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Actions in [-1, 1] of `dtype`, with the boundary and its float neighbours emphasized."""
    below_one = float(
        torch.nextafter(torch.tensor(1.0, dtype=dtype), torch.tensor(0.0, dtype=dtype))
    )
    edges = [1.0, below_one, 0.99, 1 - 1e-6, 0.0]
    return st.one_of(
        st.sampled_from([s * e for e in edges for s in (1.0, -1.0)]),
        st.floats(-1.0, 1.0, width=_width(dtype)),
    ).filter(math.isfinite)
