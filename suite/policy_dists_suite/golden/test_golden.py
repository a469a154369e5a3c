"""The golden check: the implementation under test (--impl) and the numpy reference against
every fixture in golden/fixtures, in float32 and float64.

Each value must satisfy the error model of golden/error_model.py, stored with the fixture:
|y - y*| <= K max(eps_t S, ulp_t(y*)) + ulp_64(y*)/2, K = 16, S the value's condition scale,
t the case's dtype for the implementation and float64 for the reference. A fixture that is
missing or corrupted fails with the command that regenerates it; one that no longer matches
golden/cases.py or the error model fails as out of date.
"""

from __future__ import annotations

import types

import pytest
import torch

from policy_dists_catalogue.adapters import ADAPTERS
from policy_dists_suite.golden.cases import DTYPES, NUMPY_DTYPES, SPECS, OutputSpec
from policy_dists_suite.golden.check import mismatches
from policy_dists_suite.golden.error_model import describe, tolerance
from policy_dists_suite.golden.evaluate import DTYPE_NAMES, impl_case_values, reference_case_values
from policy_dists_suite.golden.fixture_format import REGENERATE, GoldenCase, load_shipped
from policy_dists_suite.property_tests.extensions import requires_extension

SHOWN_FAILURES = 40


def _of_dtype(spec: OutputSpec, dtype: torch.dtype) -> list[GoldenCase]:
    return [c for c in load_shipped(spec.stem).cases if c.case.dtype == DTYPE_NAMES[dtype]]


def _report(spec: OutputSpec, checked: int, failures: list[str]) -> str:
    more = len(failures) - SHOWN_FAILURES
    return "\n".join(
        [
            f"{spec.stem}: {len(failures)} of {checked} golden values missed "
            f"(golden/fixtures/{spec.stem}.json), the first {failures[0]}",
            *failures[1:SHOWN_FAILURES],
            *([f"... and {more} more"] if more > 0 else []),
        ]
    )


GROUPS = [
    pytest.param(spec, extension, id=spec.id + (f"-{extension}" if extension else ""))
    for spec in SPECS
    for extension in spec.extension_groups
]


@pytest.mark.parametrize(("spec", "extension"), GROUPS)
def test_implementation_matches_golden(
    spec: OutputSpec,
    extension: str | None,
    impl: types.ModuleType,
    is_default_impl: bool,
    dtype: torch.dtype,
    device: torch.device,
) -> None:
    """Every golden value of the group: the cases needing `extension`, or those needing none."""
    if extension is not None:
        requires_extension(impl, is_default_impl, extension)
    fixture = load_shipped(spec.stem)
    failures: list[str] = []
    checked = 0
    for c in _of_dtype(spec, dtype):
        if c.case.extension == extension:
            failures += mismatches(c, impl_case_values(impl, fixture, c, device), c.tol)
            checked += len(c.expected)
    assert checked > 0, f"no golden value of {spec.stem}.json was checked"
    assert not failures, _report(spec, checked, failures)


@pytest.mark.suite_self
@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_reference_matches_golden(spec: OutputSpec, dtype: torch.dtype) -> None:
    """The float64 numpy reference at the same dtype-rounded inputs, extensions included."""
    fixture = load_shipped(spec.stem)
    failures: list[str] = []
    checked = 0
    for c in _of_dtype(spec, dtype):
        failures += mismatches(c, reference_case_values(fixture, c), c.tol_reference)
        checked += len(c.expected)
    assert checked > 0, f"no golden value of {spec.stem}.json was checked"
    assert not failures, _report(spec, checked, failures)


@pytest.mark.suite_self
@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_fixture_is_current(spec: OutputSpec) -> None:
    """The file holds exactly the cases, inputs and error model of golden/cases.py and
    golden/error_model.py, and each tolerance is that model applied to the stored y* and S."""
    fixture = load_shipped(spec.stem)
    stale = (
        f"golden/fixtures/{spec.stem}.json is out of date: `python -m "
        f"policy_dists_suite.golden.generate` shows the changes, `{REGENERATE}` writes them"
    )
    assert fixture.output == spec.name, stale
    assert fixture.configs == spec.configs, stale
    assert fixture.vecs == {dtype: spec.vecs(dtype) for dtype in DTYPES}, stale
    assert fixture.error_model == describe(spec.name), stale
    assert fixture.quantities == spec.quantities, stale
    assert [c.case for c in fixture.cases] == list(spec.cases), stale
    for c in fixture.cases:
        for y, s, tol, tol_ref in zip(c.expected, c.scale, c.tol, c.tol_reference, strict=True):
            assert tol == tolerance(y, s, c.case.dtype), f"{c.case.id}: {stale}"
            assert tol_ref == tolerance(y, s, "float64"), f"{c.case.id}: {stale}"


CONTINUOUS = [s for s in SPECS if s.name in ("TanhGaussian", "GMM", "Beta")]


@pytest.mark.suite_self
@pytest.mark.parametrize("spec", CONTINUOUS, ids=[s.name for s in CONTINUOUS])
def test_actions_beyond_the_clip_bound_score_as_the_bound(spec: OutputSpec) -> None:
    """SPEC §4: beyond the clip bound h (up to and past ±1), log_prob equals its value at h.
    Each fixture holds a case at the bound row (h, -h, ...) for every config, dtype and vec."""
    by_inputs = {}
    for c in load_shipped(spec.stem).cases:
        if c.case.quantity == "log_prob":
            by_inputs[(c.case.config, c.case.dtype, c.case.vec, c.case.action)] = c
    compared = 0
    for (config, dtype, vec, action), c in by_inputs.items():
        model = ADAPTERS[spec.name].reference(spec.configs[config])
        _, high = model.clip_bounds(NUMPY_DTYPES[dtype])
        if action[0] > high:
            bound_row = tuple(high if j % 2 == 0 else -high for j in range(len(action)))
            at_bound = by_inputs[(config, dtype, vec, bound_row)]
            assert c.expected == at_bound.expected, c.case.id
            compared += 1
    assert compared > 0
