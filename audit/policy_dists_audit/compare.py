"""policy-dists-audit --compare: the same sweep on several implementations, side by side.

One table (rows: output x measure; columns: implementations; cells: the worst value, its
non-finite count and the verdict against the budget), one plot (log_prob error in units of
eps S against the distance to the boundary, one line per implementation, a panel per
continuous output and dtype; relative to S because a log-density of size 1e6 is owed only
its rounding, not 1e-6 nats), compare.json, and each implementation's training-step time on the CPU,
measured in the same run (forward + draw + log_prob + backward, B = 256, median of 20).
"""

from __future__ import annotations

import math
import statistics
import time
import types
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from policy_dists_audit import report
from policy_dists_audit.measure import Point
from policy_dists_audit.scenarios import scenarios_for
from policy_dists_audit.summary import Row
from policy_dists_catalogue import input_dimension
from policy_dists_catalogue.adapters import ADAPTERS

MEASURES = ("log_prob_cond", "grad", "entropy_cond", "probs_ulps", "own_sample_cond")
STEP_BATCH, STEP_REPEATS, STEP_WARMUP = 256, 20, 3


@dataclass
class Compared:
    """One implementation's audit: its rows, points and training-step seconds per output."""

    name: str
    rows: list[Row]
    points: list[Point]
    not_applicable: list[str]
    step_seconds: dict[str, float]


def step_seconds(impl: types.ModuleType, output: str, dtype: torch.dtype) -> float | None:
    """Median seconds of forward + rsample (sample where there is none) + log_prob + backward
    at B = STEP_BATCH under the configuration the audit uses for `impl`, or None when `impl`
    lacks the output."""
    scenario = next((s for s in scenarios_for(impl) if s.output == output), None)
    if scenario is None or not hasattr(impl, ADAPTERS[output].output_class):
        return None
    adapter = ADAPTERS[output]
    width = input_dimension(output, scenario.kwargs)
    generator = torch.Generator().manual_seed(0)
    vec = torch.randn(STEP_BATCH, width, generator=generator, dtype=dtype, requires_grad=True)

    def step() -> None:
        dist = adapter.distribution(impl, scenario.kwargs, vec)
        draw = dist.rsample() if adapter.reparameterized else dist.sample()
        dist.log_prob(draw).sum().backward()

    for _ in range(STEP_WARMUP):
        step()
    times = []
    for _ in range(STEP_REPEATS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cell(rows: list[Row], measure: str, limit: float | None) -> dict[str, object]:
    values = [r.maxima.get(measure) for r in rows]
    finite = [v for v in values if v is not None]
    worst = max(finite) if finite else None
    return {
        "worst": worst,
        "nonfinite": sum(r.nonfinite for r in rows),
        "verdict": "n/a"
        if worst is None
        else (
            "ok"
            if limit is not None and worst <= limit and not any(r.nonfinite for r in rows)
            else "over"
        ),
    }


def table_rows(compared: list[Compared], budget: dict) -> list[dict[str, object]]:
    """Per (output, dtype, measure): each implementation's cell (worst, nonfinite, verdict)."""
    keys = []
    for c in compared:
        for r in c.rows:
            for measure in MEASURES:
                if r.maxima.get(measure) is not None:
                    keys.append((r.output, r.dtype, measure))
    table = []
    for output, dtype, measure in dict.fromkeys(keys):
        limit = budget.get(output, {}).get(dtype, {}).get(measure)
        cells = {}
        for c in compared:
            mine = [r for r in c.rows if (r.output, r.dtype) == (output, dtype)]
            if output in c.not_applicable or not mine:
                cells[c.name] = {"worst": None, "nonfinite": 0, "verdict": "not provided"}
            else:
                cells[c.name] = _cell(mine, measure, limit)
        table.append(
            {"output": output, "dtype": dtype, "measure": measure, "budget": limit, "cells": cells}
        )
    return table


def print_table(console: Console, compared: list[Compared], table: list[dict]) -> None:
    view = Table(title="policy-dists comparison (worst error in units of eps; NaN/inf count)")
    for name in ("output", "dtype", "measure", "budget", *(c.name for c in compared)):
        view.add_column(name, justify="left" if name in ("output", "measure") else "right")
    for entry in table:
        cells = []
        for c in compared:
            cell = entry["cells"][c.name]
            if cell["verdict"] == "not provided":
                cells.append("—")
                continue
            worst = cell["worst"]
            text = "n/a" if worst is None else ("inf" if math.isinf(worst) else f"{worst:.3g}")
            if cell["nonfinite"]:
                text += f" ({cell['nonfinite']} NaN/inf)"
            color = "green" if cell["verdict"] == "ok" else "red"
            cells.append(f"[{color}]{text}[/]")
        limit = entry["budget"]
        view.add_row(
            entry["output"],
            entry["dtype"],
            entry["measure"],
            "" if limit is None else f"{limit:g}",
            *cells,
        )
    steps = Table(title="training step on this CPU (ms, B = 256, median of 20)")
    outputs = list(dict.fromkeys(o for c in compared for o in c.step_seconds))
    steps.add_column("output")
    for c in compared:
        steps.add_column(c.name, justify="right")
    for output in outputs:
        steps.add_row(
            output,
            *(
                f"{c.step_seconds[output] * 1e3:.3g}" if output in c.step_seconds else "—"
                for c in compared
            ),
        )
    console.print(view)
    console.print(steps)


def write_plot(path: Path, compared: list[Compared], budget: dict) -> None:
    """log_prob error / (eps S) against 1 - |a|, the worst over settings at each distance, one
    line per implementation, the budget dashed; a panel per continuous output and dtype.
    Non-finite values where the exact one is finite are drawn at the top (report.PLOT_CEILING)."""
    shown = [
        (output, dtype)
        for output in dict.fromkeys(p.output for c in compared for p in c.points if p.distance)
        for dtype in ("float32", "float64")
    ]
    fig, axes = report.panels(len(shown), 2, (5.5, 4))
    for ax, (output, dtype) in zip(axes.ravel(), shown, strict=False):
        for c in compared:
            worst: dict[float, float] = {}
            for p in c.points:
                if (p.output, p.dtype, p.quantity) != (output, dtype, "log_prob"):
                    continue
                if not p.distance or p.distance <= 0 or p.cond is None:
                    continue
                error = p.cond if math.isfinite(p.cond) else report.PLOT_CEILING
                worst[p.distance] = max(worst.get(p.distance, 0.0), error)
            if worst:
                xs = sorted(worst)
                ys = [min(max(worst[x], report.PLOT_FLOOR), report.PLOT_CEILING) for x in xs]
                ax.plot(xs, ys, marker="o", markersize=3, label=c.name)
        limit = budget.get(output, {}).get(dtype, {}).get("log_prob_cond")
        if limit is not None:
            ax.axhline(limit, color="gray", linestyle="--", linewidth=1, label="budget")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{output} {dtype}")
        ax.set_xlabel("1 - |a|")
        ax.set_ylabel("|log_prob - exact| / (eps S)")
        ax.legend(fontsize=8)
    report.save_panels(fig, axes, len(shown), path)
