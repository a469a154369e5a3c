"""From an empty folder with only the wheel: build it from the checkout's files, install it in
a fresh virtual environment outside the repository, and gate a user's module with the README's
two commands, policy-dists-audit and policy-dists-check. A correct module (a re-export of the
built-in) passes both; a wrong log_prob fails both, with a report naming the output.

Several minutes (the install, the whole suite once): marked `wheel`, run by `make test-wheel`
(which .ci/run runs after `make test`), not by `make test`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from user_modules import write_user_modules

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.wheel


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 1800):
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ok(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel, a fresh virtual environment with it installed (extras suite and audit, the
    pinned versions of constraints.txt), and a user's project folder with their modules."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"  # the checkout's files, so the build writes nothing into it
    listed = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], ROOT)
    _ok(listed)
    for name in listed.stdout.splitlines():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    _ok(_run([*pip, "-w", str(dist), str(source)], base))
    (wheel,) = dist.glob("policy_dists-*.whl")
    venv = base / "venv"
    _ok(_run([sys.executable, "-m", "venv", str(venv)], base))
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    _ok(_run([*install, "-c", str(ROOT / "constraints.txt"), f"{wheel}[suite,audit]"], base))
    project = base / "project"
    project.mkdir()
    write_user_modules(project)
    return {"wheel": wheel, "bin": venv / "bin", "project": project}


def _user_env(installed: dict[str, Path]) -> dict[str, str]:
    """The user's shell: the new environment's commands first, nothing of this checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "POLICY_DISTS", "PYTHONPATH", "VIRTUAL_ENV"))
    }
    env["PATH"] = os.pathsep.join([str(installed["bin"]), env.get("PATH", "")])
    return env


def test_the_wheel_ships_the_suite_and_not_the_repository_tests(
    installed: dict[str, Path],
) -> None:
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "policy_dists_suite/suite.ini" in names
    assert "policy_dists_suite/golden/fixtures/tanh_gaussian.json" in names
    assert "policy_dists_suite/property_tests/test_property_bounds.py" in names
    assert not [n for n in names if n.startswith(("policy_dists_broken", "tests/", "suite/"))]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_the_installed_package_does_not_come_from_the_checkout(
    installed: dict[str, Path],
) -> None:
    where = _run(
        ["python", "-c", "import policy_dists_suite; print(policy_dists_suite.__file__)"],
        installed["project"],
        _user_env(installed),
    )
    _ok(where)
    assert Path(where.stdout.strip()).is_relative_to(installed["bin"].parent), where.stdout


def test_the_audit_passes_a_correct_module_and_fails_a_wrong_log_prob(
    installed: dict[str, Path],
) -> None:
    env, project = _user_env(installed), installed["project"]
    good = _run(["policy-dists-audit", "--impl", "reexport_dists"], project, env)
    _ok(good)
    assert json.loads((project / "audit-out" / "audit.json").read_text())["points"]
    bad = _run(
        ["policy-dists-audit", "--impl", "offset_dists", "--outputs", "TanhGaussian,Beta"],
        project,
        env,
    )
    assert bad.returncode == 1, bad.stdout[-3000:] + bad.stderr[-3000:]
    over = [line for line in bad.stdout.splitlines() if "OVER BUDGET" in line]
    assert over and all("TanhGaussian" in line for line in over), bad.stdout[-3000:]


def test_the_suite_passes_a_correct_module_and_fails_a_wrong_log_prob(
    installed: dict[str, Path],
) -> None:
    env, project = _user_env(installed), installed["project"]
    junit = "check-out/junit.xml"  # the README's command
    good = _run(["policy-dists-check", "reexport_dists", "--junitxml", junit], project, env)
    _ok(good)
    assert 'name="verdict_output"' in (project / junit).read_text()
    report = json.loads((project / "check-out" / "check.json").read_text())
    assert report["summary"]["failed"] == report["summary"]["error"] == 0
    assert report["summary"]["passed"] > 1000
    families = ["property_tests/test_property_reference_agreement.py", "golden"]
    bad = _run(
        ["policy-dists-check", "offset_dists", *families, "-n", "2", "--out", "bad-out"],
        project,
        env,
    )
    assert bad.returncode == 1, bad.stdout[-3000:] + bad.stderr[-3000:]
    verdict = bad.stdout[bad.stdout.index("policy-dists verdict") :]
    named = [line for line in verdict.splitlines() if " failed  " in line]
    assert named and all(" TanhGaussian | " in line for line in named), verdict
    problems = json.loads((project / "bad-out" / "check.json").read_text())["problems"]
    assert {p["output"] for p in problems} == {"TanhGaussian"}
