"""The benchmark summary's targets, on synthetic pytest-benchmark results."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.summary import load_results, summarize


def _bench(output: str, batch: int, variant: str, seconds: float, operators: int) -> dict:
    return {
        "extra_info": {
            "output": output,
            "operation": "train",
            "batch": batch,
            "device": "cpu",
            "variant": variant,
            "operators": operators,
        },
        "stats": {"median": seconds, "min": seconds, "mean": seconds},
    }


def _summary(tmp_path: Path, output: str, **variants: tuple[float, int]) -> tuple[str, int]:
    """The report and misses for one training step at B = 256: variant -> (seconds, operators)."""
    benches = [_bench(output, 256, v, t, ops) for v, (t, ops) in variants.items()]
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"benchmarks": benches}))
    return summarize(load_results([path], "median"), "median")


def test_every_target_met(tmp_path: Path) -> None:
    report, misses = _summary(
        tmp_path, "TanhGaussian", impl=(1.0, 40), textbook=(2.0, 70), floor=(0.9, 30)
    )
    assert misses == 0, report
    assert "all targets met" in report


def test_slow_step_too_many_operators_and_far_floor_are_three_misses(tmp_path: Path) -> None:
    # Speed-up 1.4 < 1.5 at B = 256; 50 operators > 0.7 x 70; impl/floor 1.25 > 1.2.
    report, misses = _summary(
        tmp_path, "TanhGaussian", impl=(1.0, 50), textbook=(1.4, 70), floor=(0.8, 30)
    )
    assert misses == 3, report
    assert report.count("MISS") == 3


def test_beta_needs_parity_and_at_most_150_operators(tmp_path: Path) -> None:
    report, misses = _summary(
        tmp_path, "Beta", impl=(1.0, 151), textbook=(1.0, 88), floor=(1.0, 95)
    )
    assert misses == 1, report  # 151 > 150; speed-up 1.0 meets Beta's >= 1.0


def test_a_target_the_floor_misses_too_is_reported_as_a_measured_bound(tmp_path: Path) -> None:
    # Speed-up 0.83 < 1.0, but the floor's is 0.71 < 1.0 too; 400 operators > 150, the
    # floor's 300 too; impl/floor 0.86 is met. Both misses are floor-bound: not counted as gaps.
    report, misses = _summary(
        tmp_path, "Beta", impl=(1.2, 400), textbook=(1.0, 88), floor=(1.4, 300)
    )
    assert misses == 0, report
    assert "MISS" not in report
    assert "0.83 FLOOR 0.71 (>=1.00)" in report
    assert "400 FLOOR 300 (<=150)" in report
    assert "2 training-step target(s) missed: 0 by the implementation alone" in report


def test_a_target_the_floor_meets_stays_a_miss(tmp_path: Path) -> None:
    # Speed-up 0.8 < 1.0 while the floor's 1.25 meets it: the implementation's own gap.
    report, misses = _summary(
        tmp_path, "Beta", impl=(1.25, 140), textbook=(1.0, 88), floor=(0.8, 100)
    )
    assert misses == 2, report  # the speed-up, and impl/floor 1.56 > 1.2
    assert "0.80 MISS (>=1.00)" in report


def test_several_runs_take_each_benchmarks_least_time(tmp_path: Path) -> None:
    """impl slowed in the first run (impl/floor 3.0), floor in the second (0.55): the table
    takes each variant's least time, impl/floor 1.1."""
    runs = [
        [_bench("Discrete", 256, "impl", 3.0, 40), _bench("Discrete", 256, "floor", 1.0, 40)],
        [_bench("Discrete", 256, "impl", 1.1, 40), _bench("Discrete", 256, "floor", 2.0, 40)],
    ]
    paths = []
    for i, benches in enumerate(runs):
        paths.append(tmp_path / f"run-{i}.json")
        paths[-1].write_text(json.dumps({"benchmarks": benches}))
    results = load_results(paths, "median")
    assert results[("cpu", "Discrete", "train", 256)]["times"] == {"impl": 1.1, "floor": 1.0}
    report, _ = summarize(results, "median")
    assert "1.10 ok (<=1.20)" in report, report
