"""The soak: the hypothesis property families with fresh random seeds, to find what the
derandomized `ci` profile of `make test` never draws.

    python -m policy_dists_suite.soak [--impl MODULE] [--runs 20] [--no-thorough]
                                      [--workers 2] [-- PYTEST_ARGS]

Runs every property_tests file that holds a @given test `--runs` times under the `dev`
profile, each run with a fresh hypothesis seed, then once under `thorough` (100x the `ci`
examples), as policy-dists-check runs the installed suite. Each failure is reported with the
policy-dists-check command that reproduces it: the seed, and the falsifying example and
`@reproduce_failure` blob from hypothesis' report. Exit status 0 when every run passed, 1 when
any test failed, 2 when a run could not execute. JUnit XML of every run is kept in `--out`
(default .soak/ in the working directory, which the command creates and only ever adds to).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from policy_dists_catalogue.implementations import resolve
from policy_dists_suite.cli import pytest_arguments
from policy_dists_suite.plugin import DEFAULT_IMPL

PACKAGE = Path(__file__).resolve().parent
# Lines of hypothesis' failure report that say how to reproduce it.
REPRODUCING = ("Falsifying example", "@reproduce_failure")


@dataclass(frozen=True)
class Failure:
    impl: str
    run: str
    profile: str
    seed: int
    test: str
    message: str
    reproduction: tuple[str, ...]

    def command(self) -> str:
        return (
            f"policy-dists-check {self.impl} '{self.test}' --profile {self.profile} -n 0 "
            f"-- --hypothesis-seed={self.seed}"
        )


def hypothesis_files() -> list[str]:
    """The property families: every test file of the suite with a @given test (paths
    relative to the suite package)."""
    return sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in (PACKAGE / "property_tests").glob("test_*.py")
        if any(
            line.lstrip().startswith("@given(")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )


def _test_id(case: ElementTree.Element) -> str:
    module = case.get("classname", "").replace(".", "/")
    return f"{module}.py::{case.get('name')}"


def failures_of(junit: Path, impl: str, run: str, profile: str, seed: int) -> list[Failure]:
    """The failed and errored test cases of one run's JUnit XML."""
    found = []
    for case in ElementTree.parse(junit).iter("testcase"):
        for outcome in (*case.findall("failure"), *case.findall("error")):
            text = outcome.text or ""
            reproduction = tuple(
                line.strip().removeprefix("E").strip()
                for line in text.splitlines()
                if any(marker in line for marker in REPRODUCING)
            )
            message = (outcome.get("message") or text).strip().splitlines()
            found.append(
                Failure(
                    impl,
                    run,
                    profile,
                    seed,
                    _test_id(case),
                    message[0][:300] if message else "",
                    reproduction,
                )
            )
    return found


def run_once(
    impl: str, run: str, profile: str, seed: int, workers: int, out: Path, extra: list[str]
) -> list[Failure]:
    junit = out / f"{profile}-{seed}.xml"
    arguments = pytest_arguments(
        impl,
        hypothesis_files(),
        profile=profile,
        workers=workers if workers > 1 else 0,
        junitxml=junit,
        extra=[f"--hypothesis-seed={seed}", "-q", *extra],
    )
    env = dict(os.environ)
    env.pop("CI", None)
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", *arguments]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"{run} {profile:8} seed {seed:>10}  {elapsed:6.0f} s  {summary[0]}", flush=True)
    if result.returncode not in (0, 1) or not junit.exists():
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(2)
    return failures_of(junit, impl, run, profile, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policy_dists_suite.soak", description=__doc__)
    parser.add_argument(
        "--impl", default=DEFAULT_IMPL, help="module to soak (default: the built-in)"
    )
    parser.add_argument("--runs", type=int, default=20, help="dev-profile runs (default 20)")
    parser.add_argument(
        "--no-thorough", action="store_true", help="skip the one thorough-profile run"
    )
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers")
    parser.add_argument("--out", type=Path, default=Path(".soak"), help="JUnit XML folder")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    if args.runs < 0 or args.workers < 1:
        parser.error("--runs must be >= 0 and --workers >= 1")
    args.out.mkdir(parents=True, exist_ok=True)
    seeds = random.SystemRandom()
    plan = [(f"run {i + 1:>2}/{args.runs}", "dev") for i in range(args.runs)]
    if not args.no_thorough:
        plan.append(("thorough  ", "thorough"))
    started = time.monotonic()
    failures: list[Failure] = []
    for run, profile in plan:
        failures += run_once(
            resolve(args.impl),
            run,
            profile,
            seeds.getrandbits(32),
            args.workers,
            args.out,
            args.pytest_args,
        )
    minutes = (time.monotonic() - started) / 60
    print(f"\n{len(plan)} runs, {len(failures)} failures, {minutes:.1f} min")
    for failure in failures:
        print(f"\nFAILED {failure.test}  ({failure.run}, {failure.profile})")
        print(f"  {failure.message}")
        for line in failure.reproduction:
            print(f"  {line}")
        print(f"  reproduce: {failure.command()}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
