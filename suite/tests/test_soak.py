"""The soak's report (policy_dists_suite/soak.py): failures parsed from JUnit XML with what
reproduces them, and the files it runs. A test of the suite's own tool, not of an output."""

from __future__ import annotations

from pathlib import Path

from policy_dists_suite import soak

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" tests="2">
<testcase classname="property_tests.test_property_bounds" name="test_ok[float32-cpu]"/>
<testcase classname="property_tests.test_property_bounds" name="test_bad[float64-cpu]">
<failure message="AssertionError: error 2 &gt; tolerance 1">E   AssertionError: error 2
E   Falsifying example: test_bad(data=data(...))
E   You can reproduce this test case by temporarily adding @reproduce_failure('6', b'AA==')
</failure></testcase>
</testsuite></testsuites>
"""


def test_failures_carry_the_seed_and_the_reproducing_lines(tmp_path: Path) -> None:
    junit = tmp_path / "dev-7.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    (failure,) = soak.failures_of(junit, "my_project.dists", "run 1/1", "dev", 7)
    assert failure.test == "property_tests/test_property_bounds.py::test_bad[float64-cpu]"
    assert failure.message == "AssertionError: error 2 > tolerance 1"
    assert failure.reproduction == (
        "Falsifying example: test_bad(data=data(...))",
        "You can reproduce this test case by temporarily adding @reproduce_failure('6', b'AA==')",
    )
    assert failure.command() == (
        "policy-dists-check my_project.dists "
        "'property_tests/test_property_bounds.py::test_bad[float64-cpu]' --profile dev -n 0 "
        "-- --hypothesis-seed=7"
    )


def test_the_soak_runs_every_hypothesis_family_and_nothing_else() -> None:
    files = soak.hypothesis_files()
    assert "property_tests/test_property_reference_agreement.py" in files
    assert "property_tests/test_property_rsample_gradients.py" in files
    assert "property_tests/test_contract_api.py" not in files  # no @given
    assert "property_tests/test_property_goodness_of_fit.py" not in files  # fixed seeds
