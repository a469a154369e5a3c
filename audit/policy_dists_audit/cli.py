"""policy-dists-audit: sweep every output toward |a| = 1 and judge it against a budget.

Exit status: 0 when every value is within budget, 1 when any is over (each listed), 2 for a
usage error (unknown --impl, --dtype, --device or output; cuda without a GPU; an unusable
budget file or output folder).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import time
import types
from pathlib import Path

import torch
from rich.console import Console
from rich.progress import Progress

from policy_dists_audit import report
from policy_dists_audit.budget import BudgetError, budget_document, load_budget
from policy_dists_audit.measure import Auditor, ClipReport, Point
from policy_dists_audit.output_folder import OutputFolder, OutputFolderError
from policy_dists_audit.scenarios import scenarios_for
from policy_dists_audit.summary import summarize
from policy_dists_catalogue import OUTPUTS
from policy_dists_catalogue.adapters import ADAPTERS

DTYPES = {"float32": torch.float32, "float64": torch.float64}


class UsageError(Exception):
    """A problem with the command line; reported in one line with exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-dists-audit",
        description="Audit numeric stability of policy outputs near the action-space boundary.",
    )
    parser.add_argument("--impl", default="policy_dists", help="module implementing the API")
    parser.add_argument("--dtype", default="float32,float64", help="comma-separated dtypes")
    parser.add_argument("--device", default="cpu", help="comma-separated devices (cpu, cuda)")
    parser.add_argument("--out", default="audit-out", type=Path, help="folder for audit.json/png")
    parser.add_argument(
        "--budget", type=Path, help="budget JSON (default: the error model's, --print-budget)"
    )
    parser.add_argument(
        "--print-budget",
        action="store_true",
        help="print the default budget with its derivations as JSON (a --budget template), exit",
    )
    parser.add_argument("--outputs", default=",".join(OUTPUTS), help="comma-separated outputs")
    return parser


def _split(value: str, allowed: object, what: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise UsageError(
            f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {', '.join(allowed)}"
        )
    return names


def _devices(value: str) -> list[torch.device]:
    names = _split(value, ("cpu", "cuda"), "--device")
    if "cuda" in names and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device is available on this machine")
    return [torch.device(n) for n in names]


def _import(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise UsageError(f"--impl {name}: cannot import it ({err})") from err


def _measure(
    impl: types.ModuleType,
    outputs: list[str],
    devices: list[torch.device],
    dtypes: list[str],
    console: Console,
) -> tuple[list[Point], list[ClipReport], list[str]]:
    points: list[Point] = []
    clips: list[ClipReport] = []
    not_applicable: list[str] = []
    scenarios = [s for s in scenarios_for(impl) if s.output in outputs]
    not_applicable += [o for o in outputs if all(s.output != o for s in scenarios)]
    jobs = [(s, dev, dt) for s in scenarios for dev in devices for dt in dtypes]
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("auditing", total=len(jobs))
        for scenario, device, dtype in jobs:
            progress.update(task, description=f"{scenario.output} {dtype} {device}")
            needed = ADAPTERS[scenario.output].output_class
            if not hasattr(impl, needed) or not hasattr(impl, scenario.output):
                not_applicable.append(scenario.output)
            else:
                auditor = Auditor(impl, device, DTYPES[dtype])
                if scenario.kind == "continuous":
                    new_points, new_clips = auditor.continuous(scenario)
                    points += new_points
                    clips += new_clips
                else:
                    points += getattr(auditor, scenario.kind)(scenario)
            progress.advance(task)
    return points, clips, sorted(set(not_applicable))


def run(argv: list[str] | None = None) -> int:
    console = Console()
    if not console.is_terminal:  # a log or a pipe: wide enough for the table, no wrapping
        console = Console(width=170)
    args = _parser().parse_args(argv)
    if args.print_budget:
        print(json.dumps(budget_document(), indent=1))
        return 0
    try:
        impl = _import(args.impl)
        dtypes = _split(args.dtype, DTYPES, "--dtype")
        devices = _devices(args.device)
        outputs = _split(args.outputs, OUTPUTS, "--outputs")
        budget = load_budget(args.budget)
        folder = OutputFolder(args.out)
        folder.check_writable(("audit.json", "audit.png"))
    except (UsageError, BudgetError, OutputFolderError) as err:
        console.print(f"policy-dists-audit: error: {err}", highlight=False)
        return 2
    started = time.perf_counter()
    points, clips, not_applicable = _measure(impl, outputs, devices, dtypes, console)
    rows = summarize(points, clips, budget)
    elapsed = time.perf_counter() - started
    report.print_table(console, rows)
    for output in not_applicable:
        console.print(f"{output}: not applicable (the implementation does not provide it)")
    meta = {
        "tool": "policy-dists-audit",
        "impl": args.impl,
        "torch": torch.__version__,
        "dtypes": dtypes,
        "devices": [str(d) for d in devices],
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(elapsed, 2),
        "not_applicable": not_applicable,
        "budget": str(args.budget) if args.budget else "default",
    }
    for message in folder.write_text("audit.json", report.audit_json(meta, rows, points, clips)):
        console.print(message)
    for message in folder.write_with(
        "audit.png", lambda p: report.write_plot(p, rows, points, budget)
    ):
        console.print(message)
    over = [r for r in rows if r.over_budget]
    console.print(f"{len(points)} values compared in {elapsed:.1f} s; results in {folder.path}/")
    if over:
        for r in over:
            console.print(
                f"OVER BUDGET: {r.output} {r.dtype} {r.device}: {'; '.join(r.over_budget)}",
                highlight=False,
            )
        return 1
    return 0


def main() -> int:
    return run()
