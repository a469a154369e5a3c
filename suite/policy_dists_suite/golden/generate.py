"""Regenerate the golden fixtures:
`python -m policy_dists_suite.golden.generate [--update] [--only STEM ...]`.

Computes every fixture from golden/cases.py with the mpmath arbiter and prints, per file, what
differs from the file on disk: values that moved (by how many float64 ULPs, and as a fraction
of their tolerance), tolerances that changed, new and removed cases. Writes nothing unless
--update is given; then it writes only the fixture files whose content changed (provenance
alone does not count), and never touches any other file.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import math
import platform
import struct
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import policy_dists_reference
from policy_dists_reference import arbiter
from policy_dists_suite.golden.cases import DTYPES, SPECS, SPECS_BY_STEM, OutputSpec
from policy_dists_suite.golden.error_model import describe, tolerance
from policy_dists_suite.golden.expected import exact_values
from policy_dists_suite.golden.fixture_format import (
    FIXTURES_DIR,
    REGENERATE,
    Fixture,
    FixtureError,
    GoldenCase,
    dumps,
    load_fixture,
    write_fixture,
)

# Moved values listed per file before the rest are only counted.
SHOWN_PER_FILE = 20


def reference_sources_sha256() -> str:
    """sha256 over the reference package's Python sources (relative path and bytes, sorted)."""
    root = Path(policy_dists_reference.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def provenance() -> dict[str, object]:
    """Where and with what a fixture was generated."""
    return {
        "command": REGENERATE,
        "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        "policy_dists_version": metadata.version("policy-dists"),
        "reference_sources_sha256": reference_sources_sha256(),
        "arbiter_digits": arbiter.DIGITS,
        "python": platform.python_version(),
        "numpy": metadata.version("numpy"),
        "scipy": metadata.version("scipy"),
        "mpmath": metadata.version("mpmath"),
    }


def build_fixture(spec: OutputSpec, origin: dict[str, object]) -> Fixture:
    """Every case of `spec` with y* rounded to float64, S, and both tolerances."""
    cases = []
    for case in spec.cases:
        exact = [(float(y), float(s)) for y, s in exact_values(spec, case)]
        cases.append(
            GoldenCase(
                case,
                expected=tuple(y for y, _ in exact),
                scale=tuple(s for _, s in exact),
                tol=tuple(tolerance(y, s, case.dtype) for y, s in exact),
                tol_reference=tuple(tolerance(y, s, "float64") for y, s in exact),
            )
        )
    return Fixture(
        output=spec.name,
        provenance=origin,
        error_model=describe(spec.name),
        quantities=spec.quantities,
        configs=spec.configs,
        vecs={dtype: spec.vecs(dtype) for dtype in DTYPES},
        cases=tuple(cases),
    )


def _ordered_bits(value: float) -> int:
    """An integer that counts float64 numbers: consecutive floats differ by 1."""
    (bits,) = struct.unpack("<q", struct.pack("<d", value))
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


def ulps_between(a: float, b: float) -> float:
    """How many float64 numbers lie from a to b (inf when one is non-finite and they differ)."""
    if a == b:
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return float(abs(_ordered_bits(a) - _ordered_bits(b)))


def _texts(values: Sequence[float]) -> list[str]:
    return [repr(v) for v in values]


def _case_changes(old: GoldenCase, new: GoldenCase) -> tuple[list[str], list[str], float]:
    """(moved values, other changes, the largest move in float64 ulps) of one case present in
    both fixtures."""
    ident = new.case.id
    other = [f"{ident}: inputs changed"] if old.case != new.case else []
    if len(old.expected) != len(new.expected):
        return [f"{ident}: {len(old.expected)} values -> {len(new.expected)} values"], other, 0.0
    moved, largest = [], 0.0
    for i, (was, now) in enumerate(zip(old.expected, new.expected, strict=True)):
        if repr(was) != repr(now):
            ulps = ulps_between(was, now)
            share = abs(now - was) / new.tol[i] if new.tol[i] > 0 else math.inf
            moved.append(
                f"{ident}[{i}]: {was!r} -> {now!r} ({ulps:.0f} ulps, {share:.3g} x tolerance)"
            )
            largest = max(largest, ulps)
    bounds = ("scale", "tol", "tol_reference")
    if any(_texts(getattr(old, b)) != _texts(getattr(new, b)) for b in bounds):
        other.append(f"{ident}: scale or tolerances changed")
    return moved, other, largest


def _listed(title: str, lines: list[str]) -> list[str]:
    shown = [f"{title} {line}" for line in lines[:SHOWN_PER_FILE]]
    if len(lines) > SHOWN_PER_FILE:
        shown.append(f"... and {len(lines) - SHOWN_PER_FILE} more {title} lines")
    return shown


def changes(old: Fixture, new: Fixture) -> list[str]:
    """What differs from `old` to `new`, besides provenance; empty when nothing does."""
    old_content, new_content = old.content(), new.content()
    if old_content == new_content:
        return []
    lines = [
        f"{key} changed"
        for key in ("output", "error_model", "quantities", "configs", "vecs")
        if old_content[key] != new_content[key]
    ]
    old_cases = {c.case.id: c for c in old.cases}
    new_cases = {c.case.id: c for c in new.cases}
    added = [ident for ident in new_cases if ident not in old_cases]
    removed = [ident for ident in old_cases if ident not in new_cases]
    moved: list[str] = []
    other: list[str] = []
    largest = 0.0
    for ident in new_cases.keys() & old_cases.keys():
        case_moved, case_other, case_largest = _case_changes(old_cases[ident], new_cases[ident])
        moved += case_moved
        other += case_other
        largest = max(largest, case_largest)
    lines.append(
        f"{len(moved)} values moved (largest move {largest:.0f} float64 ulps), "
        f"{len(added)} new cases, {len(removed)} removed cases"
    )
    lines += _listed("moved", sorted(moved))
    lines += _listed("new case", added)
    lines += _listed("removed case", removed)
    lines += _listed("changed", sorted(other))
    return lines


def _summary(path: Path, new: Fixture) -> tuple[bool, list[str]]:
    """(whether `path` would be written, the lines describing why)."""
    size = f"{len(new.cases)} cases, {new.value_count} values"
    if not path.exists():
        return True, [f"missing: would create it ({size})"]
    try:
        old = load_fixture(path)
    except FixtureError as err:
        return True, [f"unreadable: would rewrite it ({size}): {err}"]
    lines = changes(old, new)
    same_values = dumps(dataclasses.replace(new, provenance=old.provenance))
    if not lines and same_values != path.read_text(encoding="utf-8"):
        lines = ["same values and cases; the file's header text changed (its regenerate command)"]
    return bool(lines), lines or [f"unchanged ({size})"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m policy_dists_suite.golden.generate",
        description="Regenerate the golden fixtures with the mpmath arbiter. Prints what "
        "changed against the files on disk; writes only with --update.",
    )
    parser.add_argument(
        "--update", action="store_true", help="write the fixture files whose content changed"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(SPECS_BY_STEM),
        metavar="STEM",
        help=f"only these fixtures (of {', '.join(sorted(SPECS_BY_STEM))})",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=FIXTURES_DIR,
        help="the fixture folder (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    specs = [SPECS_BY_STEM[stem] for stem in args.only] if args.only else list(SPECS)
    origin = provenance()
    pending = []
    for spec in specs:
        path = args.fixtures / f"{spec.stem}.json"
        new = build_fixture(spec, origin)
        write, lines = _summary(path, new)
        print(f"{path}:")
        print("\n".join(f"  {line}" for line in lines))
        if write:
            pending.append((path, new))
    if not pending:
        print("All fixtures are up to date; nothing to write.")
    elif not args.update:
        print(f"Nothing written. Run `{REGENERATE}` to write {len(pending)} file(s).")
    else:
        args.fixtures.mkdir(parents=True, exist_ok=True)
        for path, fixture in pending:
            write_fixture(path, fixture)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
