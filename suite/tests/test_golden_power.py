"""The golden check has power: the implementation's real values of a case pass, moving one of
them to the first dtype number beyond its tolerance (above or below) fails, and the last dtype
number within the tolerance still passes. The threshold is sharp to one dtype ulp."""

from __future__ import annotations

import math
import types

import numpy as np
import pytest
import torch

from policy_dists_suite.golden.cases import NUMPY_DTYPES, SPECS, OutputSpec
from policy_dists_suite.golden.check import mismatches, within
from policy_dists_suite.golden.evaluate import DTYPE_NAMES, impl_case_values
from policy_dists_suite.golden.fixture_format import load_shipped


def first_beyond(expected: float, tol: float, dtype: str, direction: int) -> float:
    """The `dtype` number nearest to expected + direction * tol that misses the tolerance."""
    kind = NUMPY_DTYPES[dtype]
    outward = kind(direction * math.inf)
    value = kind(expected + direction * tol)
    while within(float(value), expected, tol):
        value = np.nextafter(value, outward)
    return float(value)


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_value_moved_just_beyond_tolerance_fails(
    spec: OutputSpec, impl: types.ModuleType, dtype: torch.dtype, device: torch.device
) -> None:
    """On the first log_prob (activations: value) case whose real values all pass."""
    name, kind = DTYPE_NAMES[dtype], NUMPY_DTYPES[DTYPE_NAMES[dtype]]
    fixture = load_shipped(spec.stem)
    candidates = [
        c
        for c in fixture.cases
        if c.case.dtype == name
        and c.case.extension is None
        and c.case.quantity in ("log_prob", "log_prob_of_classes", "value")
        and math.isfinite(c.expected[0])
    ]
    for c in candidates:
        got = impl_case_values(impl, fixture, c, device)
        if not mismatches(c, got, c.tol):
            break
    else:
        pytest.fail(f"no {name} log_prob case of {spec.stem}.json passes to perturb")
    for direction in (1, -1):
        beyond = first_beyond(c.expected[0], c.tol[0], name, direction)
        inside = float(np.nextafter(kind(beyond), kind(-direction * math.inf)))
        failures = mismatches(c, [beyond, *got[1:]], c.tol)
        assert len(failures) == 1
        assert failures[0].startswith(f"{c.case.id}[0]: got {beyond!r}")
        assert mismatches(c, [inside, *got[1:]], c.tol) == []


@pytest.mark.parametrize(
    ("got", "expected", "tol", "passes"),
    [
        (-math.inf, -math.inf, 0.0, True),
        (-1e308, -math.inf, 0.0, False),
        (math.nan, -math.inf, 0.0, False),
        (math.nan, 1.0, 1.0, False),
        (math.inf, 1.0, 1.0, False),
        (1.5, 1.0, 0.5, True),
        (float(np.nextafter(1.5, 2.0)), 1.0, 0.5, False),
    ],
)
def test_within_is_exact(got: float, expected: float, tol: float, passes: bool) -> None:
    """Non-finite exact values must be hit exactly; NaN never passes; the bound is inclusive."""
    assert within(got, expected, tol) is passes
