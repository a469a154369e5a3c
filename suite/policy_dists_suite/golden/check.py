"""The golden check itself: computed values against a fixture case, with exact arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from policy_dists_suite.golden.fixture_format import GoldenCase


def within(got: float, expected: float, tol: float) -> bool:
    """|got - expected| <= tol, exactly (rational arithmetic, no rounding of the difference);
    a non-finite expected value must be matched exactly, and NaN never passes."""
    if not math.isfinite(expected):
        return got == expected
    if not math.isfinite(got):
        return False
    return abs(Fraction(got) - Fraction(expected)) <= Fraction(tol)


def mismatches(golden: GoldenCase, got: Sequence[float], tolerances: Sequence[float]) -> list[str]:
    """One line per value of `golden` that `got` misses by more than its tolerance."""
    ident = golden.case.id
    if len(got) != len(golden.expected):
        return [f"{ident}: {len(got)} values, the fixture has {len(golden.expected)}"]
    failures = []
    for i, (value, expected, tol) in enumerate(zip(got, golden.expected, tolerances, strict=True)):
        if not within(value, expected, tol):
            error = abs(value - expected)
            failures.append(
                f"{ident}[{i}]: got {value!r}, exact {expected!r}, |error| {error:.3g} > "
                f"tolerance {tol:.3g} (S = {golden.scale[i]:.3g})"
            )
    return failures
