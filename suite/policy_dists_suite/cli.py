"""policy-dists-check: the contract and property suite and the golden fixtures, against a
module implementing the amago.nets.policy_dists API (or a peer library's adapter).

    policy-dists-check MODULE [TESTS ...] [--profile ci|dev|thorough] [-n N] [--out DIR]
                       [--junitxml PATH] [-- PYTEST_ARGS]

MODULE is imported from the environment or the working directory; a bare policy_dists_adapters
name (sb3, torchrl, ...) is that adapter. TESTS narrows the run to paths or test ids inside the
installed suite (e.g. property_tests/test_property_bounds.py). The verdict is printed, grouped
by output and property, and written to DIR/check.json (schema policy-dists-check/1).

Exit status: 0 every test passed (or skipped with its reason), 1 some failed, 2 the suite could
not judge (a usage error: MODULE not importable or without the API, a bad option or path,
nothing collected; or pytest interrupted or failed internally).

The suite is run the way numpy.test() runs numpy's: by path, with its own pytest configuration
(suite.ini) and plugin, so that the caller's conftest files, pytest configuration and cache are
not mixed into the verdict, and the suite's autouse fixtures and hypothesis profiles stay out of
the caller's own test runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from policy_dists_catalogue.implementations import resolve, search_working_directory

PACKAGE = Path(__file__).resolve().parent
PROFILES = ("ci", "dev", "thorough")
REPORT = "check.json"
EXIT_USAGE = 2


def default_workers() -> int:
    # Each worker holds its own torch (a few hundred MB); past 4 the suite gains little.
    return min(os.cpu_count() or 1, 4)


def pytest_arguments(
    module: str,
    tests: Sequence[str] = (),
    *,
    profile: str | None = "ci",
    workers: int = 0,
    report: Path | None = None,
    junitxml: Path | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The pytest command line of a run of the installed suite against `module` (paths in
    `tests` are relative to the suite package; none means all of it)."""
    arguments = [str(PACKAGE / t) for t in tests] or [str(PACKAGE)]
    arguments += ["-c", str(PACKAGE / "suite.ini"), "--rootdir", str(PACKAGE)]
    arguments += ["-p", "policy_dists_suite.plugin", "--impl", module]
    if profile is not None:
        arguments.append(f"--hypothesis-profile={profile}")
    arguments += ["-n", str(workers)] if workers > 0 else ["-p", "no:xdist"]
    if report is not None:
        arguments += ["--policy-dists-json", str(report)]
    if junitxml is not None:
        arguments.append(f"--junitxml={junitxml}")
    return [*arguments, *extra]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-dists-check",
        description="Run the policy-dists contract and property suite and the golden fixtures "
        "against a module implementing the amago.nets.policy_dists API. Exit status 0 pass, "
        "1 failures, 2 usage error.",
        epilog="Arguments after -- go to pytest unchanged (e.g. -- -k TanhGaussian -x).",
    )
    parser.add_argument("module", help="the module to judge, e.g. my_project.policy_dists")
    parser.add_argument(
        "tests",
        nargs="*",
        help="paths or test ids inside the suite (default: all), e.g. property_tests/"
        "test_property_bounds.py or golden",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="ci",
        help="hypothesis profile: ci (derandomized, the same verdict every run; default), "
        "dev (50 fresh examples per test), thorough (2000 examples per test)",
    )
    parser.add_argument(
        "-n",
        "--workers",
        type=int,
        default=default_workers(),
        help="pytest-xdist worker processes; 0 runs in this process "
        f"(default: the cores, at most 4: {default_workers()} here)",
    )
    parser.add_argument("--out", type=Path, default=Path("check-out"), help=f"folder for {REPORT}")
    parser.add_argument("--junitxml", type=Path, help="also write JUnit XML to this file")
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after `--` is pytest's; before it, options and test paths may interleave.
    cut = argv.index("--") if "--" in argv else len(argv)
    args, extra = parser.parse_intermixed_args(argv[:cut]), argv[cut + 1 :]
    if args.workers < 0:
        parser.error("-n must be >= 0")
    # Looked up, not imported: pytest must import its plugins itself to rewrite their asserts.
    if args.workers > 0 and importlib.util.find_spec("xdist") is None:
        parser.error("-n N > 0 needs pytest-xdist (pip install 'policy-dists[suite]'); or -n 0")
    report = args.out / REPORT
    status = pytest.main(
        pytest_arguments(
            resolve(args.module),
            args.tests,
            profile=args.profile,
            workers=args.workers,
            report=report,
            junitxml=args.junitxml,
            extra=extra,
        )
    )
    judged = status in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    if judged and report.is_file():
        print(f"policy-dists-check: verdict in {report}")
    return int(status) if judged else EXIT_USAGE


def main() -> int:
    search_working_directory()
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
