"""Summary of a mutmut run: mutants by outcome, the kill rate over the non-equivalent ones, and
the diff of every survivor.

    kill rate = detected / (total - equivalent)

where `detected` counts test failures, timeouts and crashes, and `equivalent` counts the mutants
that `equivalent_mutants.toml` lists. An entry names a mutant by its function and the line(s)
its diff adds, not by mutmut's number, which shifts whenever the function is edited; an entry
that matches no mutant is stale and fails the report until it is re-judged or removed, and so
does an equivalent mutant that the suite detects after all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import tomllib

EQUIVALENT_FILE = Path(__file__).with_name("equivalent_mutants.toml")
TARGET_KILL_RATE = 0.90

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), folded into what they mean
# for the suite's power: a timeout or a crash is a mutant the suite noticed.
KILLED, TIMEOUT, CRASHED = "killed", "timeout", "crashed"
SURVIVED, NO_TESTS, SUSPICIOUS, UNCHECKED = "survived", "no tests", "suspicious", "not checked"
OUTCOME_BY_EXIT_CODE: Mapping[int | None, str] = {
    1: KILLED,
    3: KILLED,
    37: KILLED,
    0: SURVIVED,
    5: NO_TESTS,
    33: NO_TESTS,
    36: TIMEOUT,
    24: TIMEOUT,
    -24: TIMEOUT,
    152: TIMEOUT,
    -11: CRASHED,
    -9: CRASHED,
    None: UNCHECKED,
}
DETECTED = (KILLED, TIMEOUT, CRASHED)


@dataclass(frozen=True)
class Equivalent:
    """A judged-equivalent change: the function (mutmut's mangled name, e.g.
    `policy_dists.numerics.x_softplus`), the line(s) the mutant adds, and why no test can fail."""

    function: str
    mutated: str
    reason: str


def load_equivalents(path: Path = EQUIVALENT_FILE) -> list[Equivalent]:
    items = [
        Equivalent(entry["function"], entry["mutated"].strip(), entry["reason"].strip())
        for entry in tomllib.loads(path.read_text()).get("equivalent", [])
    ]
    seen = set()
    for item in items:
        if (item.function, item.mutated) in seen:
            raise ValueError(f"{path}: {item.function}: `{item.mutated}` is listed twice")
        if not item.reason:
            raise ValueError(f"{path}: {item.function}: `{item.mutated}` has no reason")
        seen.add((item.function, item.mutated))
    return items


def function_of(mutant: str) -> str:
    """`policy_dists.numerics.x_softplus__mutmut_3` -> `policy_dists.numerics.x_softplus`."""
    return mutant.partition("__mutmut_")[0]


def outcomes(work: Path) -> dict[str, str]:
    """Outcome of every mutant mutmut generated, by mutant name, from its `.meta` files."""
    result = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            result[name] = OUTCOME_BY_EXIT_CODE.get(code, SUSPICIOUS)
    return result


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def mutmut_diff(work: Path) -> Callable[[str], str]:
    """The unified diff of a mutant against its original function, as `mutmut show` prints it."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    def diff(name: str) -> str:
        with _inside(work):
            return get_diff_for_mutant(name)

    return diff


def added_text(diff: str) -> str:
    """The lines a unified diff adds, each stripped of its `+` and surrounding blanks."""
    return "\n".join(
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    )


def match_equivalents(
    found: Mapping[str, str], items: list[Equivalent], diff: Callable[[str], str]
) -> tuple[dict[str, Equivalent], list[Equivalent]]:
    """(equivalent mutant name -> its entry, entries that match no mutant)."""
    wanted = {item.function for item in items}
    changes = {name: added_text(diff(name)) for name in found if function_of(name) in wanted}
    matched: dict[str, Equivalent] = {}
    stale = []
    for item in items:
        names = [
            name
            for name, change in changes.items()
            if function_of(name) == item.function and change == item.mutated
        ]
        matched.update(dict.fromkeys(names, item))
        if not names:
            stale.append(item)
    return matched, stale


def report(
    work: Path,
    equivalents_file: Path = EQUIVALENT_FILE,
    diff: Callable[[str], str] | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Print the summary; 0 when every mutant was checked, every equivalent entry matches a
    surviving mutant, and the kill rate meets the target, else 1."""
    found = outcomes(work)
    if not found:
        print(f"no mutmut results under {work / 'mutants'}", file=out)
        return 1
    diff = diff or mutmut_diff(work)
    equivalent, stale = match_equivalents(found, load_equivalents(equivalents_file), diff)
    counts = Counter(outcome for name, outcome in found.items() if name not in equivalent)
    detected = sum(counts[o] for o in DETECTED)
    detected_equivalent = sorted(name for name in equivalent if found[name] in DETECTED)
    survivors = sorted(
        name
        for name, outcome in found.items()
        if outcome not in DETECTED and name not in equivalent
    )
    scored = len(found) - len(equivalent)
    rate = detected / scored if scored else 1.0

    print(f"mutants:    {len(found)}", file=out)
    print(
        f"killed:     {detected} ({counts[KILLED]} by a failing test, {counts[TIMEOUT]} by "
        f"timeout, {counts[CRASHED]} crashed)",
        file=out,
    )
    print(f"equivalent: {len(equivalent)} (judged in {equivalents_file.name})", file=out)
    print(
        f"surviving:  {len(survivors)} ({counts[SURVIVED]} survived, {counts[NO_TESTS]} reached "
        f"by no test, {counts[SUSPICIOUS]} suspicious, {counts[UNCHECKED]} not checked)",
        file=out,
    )
    print(
        f"kill rate:  {rate:.1%} of {scored} non-equivalent (target {TARGET_KILL_RATE:.0%})",
        file=out,
    )
    for name in detected_equivalent:
        print(f"judged equivalent but detected, re-judge it: {name}", file=out)
    for item in stale:
        print(f"stale equivalent entry, no such mutant: {item.function}: {item.mutated}", file=out)
    if survivors:
        print("\nsurvivors:", file=out)
        for name in survivors:
            print(f"\n# {name} ({found[name]})\n{diff(name)}", file=out)
    ok = (
        rate >= TARGET_KILL_RATE and not stale and not detected_equivalent and not counts[UNCHECKED]
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation_testing.report", description=__doc__)
    parser.add_argument(
        "--work", type=Path, default=Path(__file__).resolve().parent.parent / ".mutation"
    )
    args = parser.parse_args(argv)
    return report(args.work)


if __name__ == "__main__":
    sys.exit(main())
