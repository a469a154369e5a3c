"""The audit's three outputs: a terminal table, audit.json, and audit.png."""

from __future__ import annotations

import json
import math
from pathlib import Path

from rich.console import Console
from rich.table import Table

from policy_dists_audit.measure import ClipReport, Point
from policy_dists_audit.summary import Row

# On the log axes of the plots: errors of exactly 0 are drawn at the floor, non-finite values
# where the exact one is finite at the ceiling (above the largest finite error, ~6e15 eps).
PLOT_FLOOR, PLOT_CEILING = 1e-3, 1e17


def panels(count: int, cols: int, size: tuple[float, float]) -> tuple[object, object]:
    """A figure of `count` panels in rows of `cols` (matplotlib, headless), and its axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(1, math.ceil(count / cols))
    return plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)


def save_panels(fig: object, axes: object, used: int, path: Path) -> None:
    """Blank the axes past the first `used`, write the figure to `path`, close it."""
    import matplotlib.pyplot as plt

    for ax in axes.ravel()[used:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if math.isinf(value):
        return "inf"
    return f"{value:.3g}"


def print_table(console: Console, rows: list[Row]) -> None:
    table = Table(title="policy-dists boundary audit (maxima; errors in units of eps)")
    for name in (
        "output",
        "dtype",
        "device",
        "log_prob cond",
        "log_prob ulps",
        "grad",
        "entropy cond",
        "probs ulps",
        "own-sample cond",
        "NaN/inf",
        "clip distortion (nats)",
        "mass beyond clip",
        "status",
    ):
        table.add_column(name, justify="left" if name in ("output", "status") else "right")
    for row in rows:
        m = row.maxima
        status = (
            "[green]ok[/]"
            if not row.over_budget
            else "[red]OVER: " + "; ".join(row.over_budget) + "[/]"
        )
        table.add_row(
            row.output,
            row.dtype,
            row.device,
            _fmt(m["log_prob_cond"]),
            _fmt(m["log_prob_ulps"]),
            _fmt(m["grad"]),
            _fmt(m["entropy_cond"]),
            _fmt(m["probs_ulps"]),
            _fmt(m["own_sample_cond"]),
            str(row.nonfinite),
            _fmt(row.clip_distortion_nats),
            _fmt(row.mass_beyond_clip),
            status,
        )
    console.print(table)


def _json_number(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _clean(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return _json_number(obj)


def json_text(document: dict) -> str:
    """`document` as JSON; non-finite floats are written as the strings "inf"/"nan"."""
    return json.dumps(_clean(document), indent=1)


# The versions of the JSON reports, documented field by field in docs/report-schema.md; a
# change that renames, removes or re-means a field bumps them.
AUDIT_SCHEMA = "policy-dists-audit/1"
COMPARE_SCHEMA = "policy-dists-compare/1"


def audit_json(meta: dict, rows: list[Row], points: list[Point], clips: list[ClipReport]) -> str:
    """Every number of the run; non-finite floats are written as the strings "inf"/"nan"."""
    return json.dumps(
        _clean(
            {
                "meta": meta,
                "summary": [r.as_dict() for r in rows],
                "clipping": [c.as_dict() for c in clips],
                "points": [p.as_dict() for p in points],
            }
        ),
        indent=1,
    )


def write_plot(path: Path, rows: list[Row], points: list[Point], budget: dict) -> None:
    """One panel per output: error against distance to the boundary (continuous outputs) or
    against the exact probability (discrete ones), float32 and float64, with budget lines."""
    outputs = list(dict.fromkeys(r.output for r in rows))
    fig, axes = panels(len(outputs), min(3, max(1, len(outputs))), (5, 4))
    colors = {"float32": "tab:blue", "float64": "tab:orange"}
    for ax, output in zip(axes.ravel(), outputs, strict=False):
        mine = [p for p in points if p.output == output and p.quantity == "log_prob"]
        continuous = any(p.distance is not None for p in mine)
        for dtype, color in colors.items():
            sel = [p for p in mine if p.dtype == dtype and p.cond is not None]
            if continuous:
                sel = [p for p in sel if p.distance is not None and p.distance > 0]
                xs = [p.distance for p in sel]
            else:
                xs = [math.exp(p.exact) if math.isfinite(p.exact) else 0.0 for p in sel]
            ys = [max(p.cond, PLOT_FLOOR) if math.isfinite(p.cond) else PLOT_CEILING for p in sel]
            ax.scatter(xs, ys, s=12, alpha=0.7, color=color, label=dtype)
            limit = budget.get(output, {}).get(dtype, {}).get("log_prob_cond")
            if limit is not None:
                ax.axhline(limit, color=color, linestyle="--", linewidth=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(output)
        ax.set_xlabel("1 - |a| (distance to the boundary)" if continuous else "exact probability")
        ax.set_ylabel("log_prob error |y - y*| / (eps S)")
        ax.legend(fontsize=8)
    save_panels(fig, axes, len(outputs), path)


def _input(found: dict) -> str:
    action = "" if found["action"] is None else f", a = {found['action']!r}"
    return f"{found['setting']}{action}: got {found['value']!r}, exact {found['exact']!r}"


def finding_lines(row: Row) -> list[str]:
    """One line per measure over budget: the least extreme input already over it (the
    smallest reproducing case) and the input of the worst value."""
    lines = []
    for measure, found in row.findings.items():
        if "mildest_over" not in found:
            continue
        line = f"{measure}: from {_input(found['mildest_over'])}"
        if "worst" in found:
            line += f"; worst {_input(found['worst'])}"
        lines.append(line)
    return lines
