"""Summarize a pytest-benchmark JSON of the kernel benchmarks: median times per output and
batch size, the ratios impl/textbook and impl/floor, and the training-step targets.

Usage: python -m benchmarks.summary [RESULTS.json] [--stat {median,min,mean}] [--check]

RESULTS.json is what ``--benchmark-json=PATH`` writes, or one that ``--benchmark-autosave``
stored under .benchmarks/ (the newest one there is the default). Targets, on the training
step: impl at least 2x faster than textbook for B <= 256 (impl/textbook <= 0.5), at least
1.3x at B = 4096 (<= 1/1.3), and within 1.2x of the floor at every size. With --check the
exit status is 1 when a target is missed. --stat min is the robust choice on a machine
shared with other jobs (contention only ever adds time).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

TRAIN = "train"
VARIANT_COLUMNS = ("impl", "textbook", "floor", "compiled")
FLOOR_TARGET = 1.2

Key = tuple[str, str, str, int]  # device, output, operation, batch


def textbook_target(batch: int) -> float | None:
    """The largest allowed impl/textbook ratio of the training step at this batch size."""
    if batch <= 256:
        return 1.0 / 2.0
    if batch == 4096:
        return 1.0 / 1.3
    return None


def load_times(path: Path, stat: str) -> dict[Key, dict[str, float]]:
    """Seconds (the given statistic) per (device, output, operation, batch) and variant."""
    times: dict[Key, dict[str, float]] = {}
    for bench in json.loads(path.read_text())["benchmarks"]:
        info = bench.get("extra_info", {})
        if not {"output", "operation", "batch", "device", "variant"} <= info.keys():
            continue
        key = (info["device"], info["output"], info["operation"], int(info["batch"]))
        times.setdefault(key, {})[info["variant"]] = bench["stats"][stat]
    return times


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f}us"
    return f"{seconds * 1e3:.2f}ms"


def _ratio(times: dict[str, float], variant: str) -> float | None:
    if "impl" not in times or variant not in times:
        return None
    return times["impl"] / times[variant]


def _flagged(ratio: float | None, target: float | None) -> tuple[str, bool]:
    """The ratio as text with its verdict, and whether the target is missed."""
    if ratio is None:
        return "-", False
    if target is None:
        return f"{ratio:.2f}", False
    missed = ratio > target
    return f"{ratio:.2f} {'MISS' if missed else 'ok'} (<={target:.2f})", missed


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def summarize(results: dict[Key, dict[str, float]], stat: str) -> tuple[str, int]:
    """The report text and the number of missed targets."""
    sections, misses = [], 0
    for device in sorted({key[0] for key in results}):
        train_rows = []
        for key in sorted(k for k in results if k[0] == device and k[2] == TRAIN):
            times = results[key]
            batch = key[3]
            vs_textbook, miss_t = _flagged(_ratio(times, "textbook"), textbook_target(batch))
            vs_floor, miss_f = _flagged(_ratio(times, "floor"), FLOOR_TARGET)
            misses += miss_t + miss_f
            cells = tuple(_time(times.get(v)) for v in VARIANT_COLUMNS)
            train_rows.append((key[1], str(batch), *cells, vs_textbook, vs_floor))
        header = ("output", "B", *VARIANT_COLUMNS, "impl/textbook", "impl/floor")
        sections.append(f"== {device}: training step ({stat}) ==\n{_table(header, train_rows)}")
        other_rows = []
        for key in sorted(k for k in results if k[0] == device and k[2] != TRAIN):
            times = results[key]
            ratios = (_ratio(times, "textbook"), _ratio(times, "floor"))
            other_rows.append(
                (
                    key[1],
                    key[2],
                    str(key[3]),
                    *(_time(times.get(v)) for v in VARIANT_COLUMNS[:3]),
                    *("-" if r is None else f"{r:.2f}" for r in ratios),
                )
            )
        header = ("output", "operation", "B", *VARIANT_COLUMNS[:3], "impl/textbook", "impl/floor")
        sections.append(f"== {device}: other operations ({stat}) ==\n{_table(header, other_rows)}")
    verdict = f"{misses} training-step target(s) missed" if misses else "all targets met"
    return "\n\n".join([*sections, verdict]), misses


def _newest_result() -> Path:
    found = sorted(Path(".benchmarks").rglob("*.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit("no pytest-benchmark JSON given and none under .benchmarks/")
    return found[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", type=Path, help="pytest-benchmark JSON")
    parser.add_argument("--stat", choices=("median", "min", "mean"), default="median")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    path = args.results or _newest_result()
    results = load_times(path, args.stat)
    if not results:
        raise SystemExit(f"{path}: no kernel benchmarks (benchmarks/test_kernels.py) in it")
    report, misses = summarize(results, args.stat)
    print(f"{path}\n\n{report}")
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
