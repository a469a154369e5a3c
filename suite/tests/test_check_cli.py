"""policy-dists-check end to end on slices of the suite, run as a user runs it: in a folder of
their own, with their module there, beside a conftest.py and pytest configuration of theirs
that must not leak into the verdict. Exit statuses 0 / 1 / 2, the JSON report, its refusal to
overwrite a file it did not write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from user_modules import run_check, write_user_modules

from policy_dists_suite.check_report import CHECK_SCHEMA

# A quick family that covers every output: the log-probability against the reference.
SLICE = ["property_tests/test_property_reference_agreement.py", "-n", "0"]
SELECTION = ["--", "-k", "log_prob_agrees_with_the_reference and not extreme"]


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    """A project folder with a re-export of the built-in, a module whose TanhGaussian
    log-density is 0.01 nats low, and a conftest.py and pytest.ini that would break any
    pytest run that loaded them."""
    write_user_modules(tmp_path)
    (tmp_path / "conftest.py").write_text("raise RuntimeError('the caller conftest ran')\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    return tmp_path


def _report(folder: Path) -> dict:
    return json.loads((folder / "check-out" / "check.json").read_text(encoding="utf-8"))


def test_a_correct_module_passes(user_folder: Path) -> None:
    run = run_check(user_folder, "reexport_dists", *SLICE, *SELECTION)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = _report(user_folder)
    assert report["meta"]["schema"] == CHECK_SCHEMA
    assert report["meta"]["impl"] == "reexport_dists"
    assert report["meta"]["exit_status"] == 0
    assert report["summary"]["passed"] > 0
    assert report["summary"]["failed"] == report["summary"]["problems"] == 0
    outputs = {t["output"] for t in report["tests"] if t["outcome"] == "passed"}
    assert {"TanhGaussian", "GMM", "Beta", "Discrete", "Multibinary"} <= outputs


def test_a_wrong_log_prob_fails_naming_the_output(user_folder: Path) -> None:
    junit = user_folder / "junit.xml"
    run = run_check(user_folder, "offset_dists", *SLICE, "--junitxml", str(junit), *SELECTION)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    verdict = run.stdout[run.stdout.index("policy-dists verdict") :]
    assert "TanhGaussian | test_property_reference_agreement::log_prob_agrees" in verdict
    report = _report(user_folder)
    assert report["meta"]["exit_status"] == 1
    assert {(p["output"], p["property"]) for p in report["problems"]} == {
        ("TanhGaussian", "test_property_reference_agreement::log_prob_agrees_with_the_reference")
    }
    assert 'name="verdict_output" value="TanhGaussian"' in junit.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("no_such_module_here", "--impl no_such_module_here: cannot import it"),
        ("json", "--impl json does not expose the amago.nets.policy_dists API: it lacks"),
    ],
)
def test_a_module_without_the_api_is_one_usage_error(
    user_folder: Path, module: str, message: str
) -> None:
    run = run_check(user_folder, module, *SLICE)
    assert run.returncode == 2, run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and message in errors[0], run.stderr


def test_a_report_path_holding_another_file_is_left_alone(user_folder: Path) -> None:
    report = user_folder / "check-out" / "check.json"
    report.parent.mkdir()
    report.write_text("my own notes\n")
    run = run_check(user_folder, "reexport_dists", *SLICE, *SELECTION)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "exists and is not a policy-dists check report" in run.stdout + run.stderr
    assert report.read_text() == "my own notes\n"


def test_an_out_folder_that_is_a_file_is_a_usage_error(user_folder: Path) -> None:
    (user_folder / "check-out").write_text("my own notes\n")
    run = run_check(user_folder, "reexport_dists", *SLICE, *SELECTION)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "check-out is not a folder" in run.stderr
    assert (user_folder / "check-out").read_text() == "my own notes\n"
