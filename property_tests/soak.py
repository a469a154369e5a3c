"""The soak: the hypothesis property families with fresh random seeds, to find what the
derandomized `ci` profile of `make test` never draws.

    python -m property_tests.soak [--runs 20] [--no-thorough] [--workers 2] [-- PYTEST_ARGS]

Runs every property_tests file that holds a @given test `--runs` times under the `dev`
profile, each run with a fresh hypothesis seed, then once under `thorough` (100x the `ci`
examples). Each failure is reported with the command that reproduces it: the seed, and the
falsifying example and `@reproduce_failure` blob from hypothesis' report. Exit status 0 when
every run passed, 1 when any test failed, 2 when a run could not execute. JUnit XML of every
run is kept in `--out` (default .soak/, which the command creates and only ever adds to).
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

ROOT = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).resolve().parent
# Lines of hypothesis' failure report that say how to reproduce it.
REPRODUCING = ("Falsifying example", "@reproduce_failure")


@dataclass(frozen=True)
class Failure:
    run: str
    profile: str
    seed: int
    test: str
    message: str
    reproduction: tuple[str, ...]

    def command(self) -> str:
        return (
            f"HYPOTHESIS_PROFILE={self.profile} python -m pytest -p no:xdist "
            f"'{self.test}' --hypothesis-seed={self.seed}"
        )


def hypothesis_files() -> list[str]:
    """The property families: every test file of the suite with a @given test."""
    return sorted(
        str(path.relative_to(ROOT))
        for path in SUITE.glob("test_*.py")
        if any(
            line.lstrip().startswith("@given(")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )


def _test_id(case: ElementTree.Element) -> str:
    module = case.get("classname", "").replace(".", "/")
    return f"{module}.py::{case.get('name')}"


def failures_of(junit: Path, run: str, profile: str, seed: int) -> list[Failure]:
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
    run: str, profile: str, seed: int, workers: int, out: Path, extra: list[str]
) -> list[Failure]:
    junit = out / f"{profile}-{seed}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *hypothesis_files(),
        f"--hypothesis-seed={seed}",
        f"--junitxml={junit}",
        "-p",
        "no:cacheprovider",
        "-q",
        *(["-n", str(workers)] if workers > 1 else ["-p", "no:xdist"]),
        *extra,
    ]
    env = {**os.environ, "HYPOTHESIS_PROFILE": profile}
    env.pop("CI", None)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"{run} {profile:8} seed {seed:>10}  {elapsed:6.0f} s  {summary[0]}", flush=True)
    if result.returncode not in (0, 1) or not junit.exists():
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(2)
    return failures_of(junit, run, profile, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m property_tests.soak", description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="dev-profile runs (default 20)")
    parser.add_argument(
        "--no-thorough", action="store_true", help="skip the one thorough-profile run"
    )
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers")
    parser.add_argument("--out", type=Path, default=ROOT / ".soak", help="JUnit XML folder")
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
            run, profile, seeds.getrandbits(32), args.workers, args.out, args.pytest_args
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
