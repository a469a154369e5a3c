"""Summarize a pytest-benchmark JSON of the kernel benchmarks: times per output and batch
size, the speed-up over the original module's composition (textbook time / impl time), the
distance to the plain-ops floor (impl / floor), the ATen operator counts, and the targets.

Usage: python -m benchmarks.summary [RESULTS.json ...] [--stat {median,min,mean}] [--check]

RESULTS.json is what ``--benchmark-json=PATH`` writes, or one that ``--benchmark-autosave``
stored under .benchmarks/ (the newest one there is the default). Given several runs of the
same benchmarks, each benchmark's statistic is the least over the runs: contention on a
shared machine only ever adds time, and a variant timed in a slow stretch of one run is
timed again in the others. Targets, on the training
step (issue 15): speed-up >= 1.5 at B <= 256, >= 1.2 at B = 4096 and >= 1.0 everywhere
(Beta: >= 1.0 at every B, its gradient being exact where the original's is not); impl
within 1.2x of the floor; operators per step <= the original's, TanhGaussian's <= 0.7x of
it, Beta's <= 150. A speed-up or operator target that the floor itself misses (the fewest
plain kernels computing the same math, measured in the same run) is marked FLOOR: a measured
bound on what any implementation of that math reaches, reported with the floor's value, not
an implementation gap. With --check the exit status is 1 when a target is missed and the
floor meets it. --stat min is the robust choice on a machine shared with other jobs
(contention only ever adds time).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

TRAIN = "train"
VARIANT_COLUMNS = ("impl", "textbook", "floor", "compiled")
FLOOR_TARGET = 1.2
# Operators per training step: at most this share of the original's, else at most the count.
OPERATOR_SHARE = {"TanhGaussian": 0.7}
OPERATOR_CAP = {"Beta": 150}

Key = tuple[str, str, str, int]  # device, output, operation, batch
Measured = dict[str, dict[str, float]]  # "times" / "operators" -> variant -> value


def speedup_target(output: str, batch: int) -> float:
    """The smallest allowed textbook/impl time ratio of the training step."""
    if output == "Beta":
        return 1.0
    if batch <= 256:
        return 1.5
    if batch == 4096:
        return 1.2
    return 1.0


def operator_target(output: str, textbook: float) -> float:
    """The largest allowed operator count of impl's training step."""
    if output in OPERATOR_CAP:
        return OPERATOR_CAP[output]
    return OPERATOR_SHARE.get(output, 1.0) * textbook


def load_results(paths: Iterable[Path], stat: str) -> dict[Key, Measured]:
    """Seconds (the given statistic, least over the runs) and operator counts per key and
    variant."""
    results: dict[Key, Measured] = {}
    for path in paths:
        for bench in json.loads(path.read_text())["benchmarks"]:
            info = bench.get("extra_info", {})
            if not {"output", "operation", "batch", "device", "variant"} <= info.keys():
                continue
            key = (info["device"], info["output"], info["operation"], int(info["batch"]))
            measured = results.setdefault(key, {"times": {}, "operators": {}})
            variant, seconds = info["variant"], bench["stats"][stat]
            measured["times"][variant] = min(seconds, measured["times"].get(variant, seconds))
            if "operators" in info:
                measured["operators"][variant] = info["operators"]
    return results


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f}us"
    return f"{seconds * 1e3:.2f}ms"


class Verdict(NamedTuple):
    text: str
    missed: bool
    floor_bound: bool  # missed, and so is the floor


def _flagged(
    value: float | None,
    target: float,
    at_least: bool,
    digits: int = 2,
    floor_value: float | None = None,
) -> Verdict:
    """The value as text with its verdict against the target; a miss is floor-bound when
    ``floor_value``, the floor's own value of the same quantity, misses the target too."""
    if value is None:
        return Verdict("-", False, False)

    def misses(v: float) -> bool:
        return v < target if at_least else v > target

    missed = misses(value)
    floor_bound = missed and floor_value is not None and misses(floor_value)
    verdict = "ok"
    if missed:
        verdict = f"FLOOR {floor_value:.{digits}f}" if floor_bound else "MISS"
    sign = ">=" if at_least else "<="
    return Verdict(f"{value:.{digits}f} {verdict} ({sign}{target:.{digits}f})", missed, floor_bound)


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def _divide(numerator: float | None, denominator: float | None) -> float | None:
    return None if numerator is None or denominator is None else numerator / denominator


def summarize(results: dict[Key, Measured], stat: str) -> tuple[str, int]:
    """The report text and the number of targets missed that the floor meets."""
    sections, misses, floor_bound = [], 0, 0
    for device in sorted({key[0] for key in results}):
        train_rows = []
        for key in sorted(k for k in results if k[0] == device and k[2] == TRAIN):
            times, operators = results[key]["times"], results[key]["operators"]
            output, batch = key[1], key[3]
            speed = _flagged(
                _divide(times.get("textbook"), times.get("impl")),
                speedup_target(output, batch),
                True,
                floor_value=_divide(times.get("textbook"), times.get("floor")),
            )
            vs_floor = _flagged(_divide(times.get("impl"), times.get("floor")), FLOOR_TARGET, False)
            verdicts = [speed, vs_floor]
            ops = "-"
            if "impl" in operators and "textbook" in operators:
                counted = _flagged(
                    operators["impl"],
                    operator_target(output, operators["textbook"]),
                    False,
                    0,
                    floor_value=operators.get("floor"),
                )
                verdicts.append(counted)
                ops = f"{counted.text} vs {operators['textbook']:.0f}"
            misses += sum(v.missed for v in verdicts)
            floor_bound += sum(v.floor_bound for v in verdicts)
            cells = tuple(_time(times.get(v)) for v in VARIANT_COLUMNS)
            train_rows.append((output, str(batch), *cells, speed.text, vs_floor.text, ops))
        header = (
            "output",
            "B",
            *VARIANT_COLUMNS,
            "textbook/impl",
            "impl/floor",
            "operators impl vs textbook",
        )
        sections.append(f"== {device}: training step ({stat}) ==\n{_table(header, train_rows)}")
        other_rows = []
        for key in sorted(k for k in results if k[0] == device and k[2] != TRAIN):
            times, operators = results[key]["times"], results[key]["operators"]
            ratios = (
                _divide(times.get("textbook"), times.get("impl")),
                _divide(times.get("impl"), times.get("floor")),
            )
            other_rows.append(
                (
                    key[1],
                    key[2],
                    str(key[3]),
                    *(_time(times.get(v)) for v in VARIANT_COLUMNS[:3]),
                    *("-" if r is None else f"{r:.2f}" for r in ratios),
                    " / ".join(str(operators.get(v, "-")) for v in VARIANT_COLUMNS[:3]),
                )
            )
        header = (
            "output",
            "operation",
            "B",
            *VARIANT_COLUMNS[:3],
            "textbook/impl",
            "impl/floor",
            "operators impl/textbook/floor",
        )
        sections.append(f"== {device}: other operations ({stat}) ==\n{_table(header, other_rows)}")
    if not misses:
        verdict = "all targets met"
    else:
        verdict = (
            f"{misses} training-step target(s) missed: {misses - floor_bound} by the "
            f"implementation alone, {floor_bound} by the floor too (measured bounds)"
        )
    return "\n\n".join([*sections, verdict]), misses - floor_bound


def _newest_result() -> Path:
    found = sorted(Path(".benchmarks").rglob("*.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit("no pytest-benchmark JSON given and none under .benchmarks/")
    return found[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="*", type=Path, help="pytest-benchmark JSON files")
    parser.add_argument("--stat", choices=("median", "min", "mean"), default="median")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a target is missed that the floor meets"
    )
    args = parser.parse_args(argv)
    paths = args.results or [_newest_result()]
    results = load_results(paths, args.stat)
    names = ", ".join(map(str, paths))
    if not results:
        raise SystemExit(f"{names}: no kernel benchmarks (benchmarks/test_kernels.py) in them")
    report, misses = summarize(results, args.stat)
    print(f"{names}\n\n{report}")
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
