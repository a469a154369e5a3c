"""The suite's verdict as JSON (schema policy-dists-check/1, docs/report-schema.md): every
test's outcome with its (output, property) group, the failing groups, and the run's metadata.
Written by the controller process only (pytest-xdist forwards each worker's reports to it).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import platform
import time
from pathlib import Path

import pytest
from hypothesis import settings

from policy_dists_suite.verdict_groups import first_line, package_test_id, verdict_key

CHECK_SCHEMA = "policy-dists-check/1"


class ReportPathError(pytest.UsageError):
    """The JSON report would overwrite a file that is not an earlier report of this kind."""


def check_writable(path: Path) -> None:
    """Refuse, before any test runs, to replace a file that is not an earlier check report,
    or to write below a file."""
    if any(parent.exists() and not parent.is_dir() for parent in path.parents):
        raise ReportPathError(f"--policy-dists-json {path}: {path.parent} is not a folder")
    if not path.exists():
        return
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))["meta"]["schema"]
    except (OSError, ValueError, KeyError, TypeError):
        schema = None
    if schema != CHECK_SCHEMA:
        raise ReportPathError(
            f"--policy-dists-json {path} exists and is not a policy-dists check report; "
            "move it away or choose another path"
        )


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


class Recorder:
    """Collects the reports of a run and writes the JSON document at its end."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        check_writable(path)
        self.config = config
        self.path = path
        self.started = time.monotonic()
        self.tests: dict[str, dict[str, str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = _outcome(report)
        if outcome is None:
            return
        test_id = package_test_id(report.nodeid)
        known = self.tests.get(test_id)
        # A test's worst phase is its outcome (an error in teardown after a pass is an error).
        if known is not None and _RANK[known["outcome"]] >= _RANK[outcome]:
            return
        output, prop = verdict_key(report.nodeid)
        self.tests[test_id] = {
            "id": test_id,
            "output": output,
            "property": prop,
            "outcome": outcome,
            "message": first_line(report)[:500],
        }

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        tests = sorted(self.tests.values(), key=lambda t: t["id"])
        counts = {o: sum(t["outcome"] == o for t in tests) for o in _RANK}
        groups: dict[tuple[str, str], list[dict[str, str]]] = {}
        for test in tests:
            if test["outcome"] in ("failed", "error"):
                groups.setdefault((test["output"], test["property"]), []).append(test)
        problems = [
            {
                "output": output,
                "property": prop,
                "failed": len(members),
                "message": members[0]["message"],
                "tests": [m["id"] for m in members],
            }
            for (output, prop), members in sorted(groups.items())
        ]
        meta = {
            "schema": CHECK_SCHEMA,
            "tool": "policy-dists-check",
            "impl": self.config.getoption("policy_dists_impl"),
            "hypothesis_profile": settings.get_current_profile_name(),
            "exit_status": int(exitstatus),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - self.started, 2),
            "versions": {
                "python": platform.python_version(),
                **{name: _version(name) for name in ("policy-dists", "torch", "hypothesis")},
                "pytest": pytest.__version__,
            },
        }
        document = {
            "meta": meta,
            "summary": {**counts, "problems": len(problems)},
            "problems": problems,
            "tests": tests,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


# Outcomes from best to worst.
_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def _outcome(report: pytest.TestReport) -> str | None:
    if report.when == "call":
        return "failed" if report.failed else report.outcome
    if report.failed:
        return "error"
    if report.skipped:
        return "skipped"
    return None
