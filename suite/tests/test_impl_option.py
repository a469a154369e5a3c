"""--impl: a module that cannot be imported, or does not expose the API, is one usage error
before collection (pytest's exit status 4), naming what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("no_such_module_here", "--impl no_such_module_here: cannot import it"),
        (
            "json",
            "--impl json does not expose the amago.nets.policy_dists API: it lacks "
            "TanhGaussian, GMM, Beta, Discrete, DiscreteLikeContinuous, Multibinary",
        ),
    ],
)
def test_a_module_without_the_api_is_one_usage_error(module: str, message: str) -> None:
    suite = "suite/policy_dists_suite/property_tests"
    command = [sys.executable, "-m", "pytest", suite, "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*command, "--impl", module], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 4, run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and message in errors[0], run.stderr
