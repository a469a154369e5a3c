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
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.console import Console
from rich.progress import Progress

from policy_dists_audit import compare, report
from policy_dists_audit.budget import BudgetError, budget_document, load_budget
from policy_dists_audit.measure import Auditor, ClipReport, Point
from policy_dists_audit.output_folder import OutputFolder, OutputFolderError
from policy_dists_audit.scenarios import scenarios_for
from policy_dists_audit.summary import summarize
from policy_dists_catalogue import OUTPUTS
from policy_dists_catalogue.adapters import ADAPTERS
from policy_dists_catalogue.implementations import missing_api, resolve, search_working_directory

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
    parser.add_argument(
        "--compare",
        help="comma-separated implementations to audit side by side instead of --impl (a bare "
        "name of a policy_dists_adapters module is that module: sb3,torchrl,cleanrl_sac); "
        "writes compare.json and compare.png; exits 1 only when the first is over budget",
    )
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


def _import(name: str, option: str = "--impl") -> types.ModuleType:
    """The module `name` designates (implementations.resolve)."""
    name = resolve(name)
    try:
        module = importlib.import_module(name)
    except ImportError as err:
        raise UsageError(f"{option} {name}: cannot import it ({err})") from err
    if not hasattr(module, "DECLARED_CONFIGS") and not any(
        hasattr(module, a.output_class) for a in ADAPTERS.values()
    ):
        lacking = ", ".join(missing_api(module))
        raise UsageError(
            f"{option} {name} does not expose the amago.nets.policy_dists API: it lacks {lacking}"
        )
    return module


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
        request = _request(args)
    except (UsageError, BudgetError, OutputFolderError) as err:
        console.print(f"policy-dists-audit: error: {err}", highlight=False)
        return 2
    if args.compare is not None:
        return _run_compare(request, console)
    (_, impl), dtypes, devices, outputs = request.impls[0], *request.sweep
    budget, folder = request.budget, request.folder
    started = time.perf_counter()
    points, clips, not_applicable = _measure(impl, outputs, devices, dtypes, console)
    rows = summarize(points, clips, budget)
    elapsed = time.perf_counter() - started
    report.print_table(console, rows)
    for output in not_applicable:
        console.print(f"{output}: not applicable (the implementation does not provide it)")
    meta = {
        "schema": report.AUDIT_SCHEMA,
        "tool": "policy-dists-audit",
        "impl": args.impl,
        "torch": torch.__version__,
        "dtypes": dtypes,
        "devices": [str(d) for d in devices],
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(elapsed, 2),
        "not_applicable": not_applicable,
        "budget": request.budget_source,
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
            for line in report.finding_lines(r):
                console.print(f"  {line}", highlight=False)
        return 1
    return 0


@dataclass(frozen=True)
class _Request:
    """A checked command line: (name, module) of each implementation, the sweep's dtypes,
    devices and outputs, the budget and the output folder."""

    impls: list[tuple[str, types.ModuleType]]
    sweep: tuple[list[str], list[torch.device], list[str]]
    budget: dict
    budget_source: str
    folder: OutputFolder


def _request(args: argparse.Namespace) -> _Request:
    if args.compare is None:
        impls = [(args.impl, _import(args.impl))]
        files = ("audit.json", "audit.png")
    else:
        names = [n.strip() for n in args.compare.split(",") if n.strip()]
        if len(names) < 2:
            raise UsageError("--compare needs at least two implementations")
        impls = [(name, _import(name, "--compare")) for name in names]
        files = ("compare.json", "compare.png")
    sweep = (
        _split(args.dtype, DTYPES, "--dtype"),
        _devices(args.device),
        _split(args.outputs, OUTPUTS, "--outputs"),
    )
    budget = load_budget(args.budget)
    folder = OutputFolder(args.out)
    folder.check_writable(files)
    source = str(args.budget) if args.budget else "default"
    return _Request(impls, sweep, budget, source, folder)


def _run_compare(request: _Request, console: Console) -> int:
    dtypes, devices, outputs = request.sweep
    budget, folder = request.budget, request.folder
    names = [name for name, _ in request.impls]
    started = time.perf_counter()
    compared = []
    for name, impl in request.impls:
        points, clips, not_applicable = _measure(impl, outputs, devices, dtypes, console)
        steps = {
            output: seconds
            for output in outputs
            if (seconds := compare.step_seconds(impl, output, torch.float32)) is not None
        }
        rows = summarize(points, clips, budget)
        compared.append(compare.Compared(name, rows, points, not_applicable, steps))
    table = compare.table_rows(compared, budget)
    compare.print_table(console, compared, table)
    meta = {
        "schema": report.COMPARE_SCHEMA,
        "tool": "policy-dists-audit --compare",
        "implementations": names,
        "torch": torch.__version__,
        "dtypes": dtypes,
        "devices": [str(d) for d in devices],
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "budget": request.budget_source,
        "step": "forward + draw + log_prob + backward, float32 CPU, B = 256, median of 20",
    }
    document = {
        "meta": meta,
        "table": table,
        "not_applicable": {c.name: c.not_applicable for c in compared},
        "step_seconds": {c.name: c.step_seconds for c in compared},
        "summary": {c.name: [r.as_dict() for r in c.rows] for c in compared},
    }
    for message in folder.write_text("compare.json", report.json_text(document)):
        console.print(message)
    for message in folder.write_with(
        "compare.png", lambda p: compare.write_plot(p, compared, budget)
    ):
        console.print(message)
    console.print(f"{len(names)} implementations compared; results in {folder.path}/")
    # The first implementation is the one a run gates (one's own module, compared with the
    # libraries); the others' verdicts are the table's.
    over = [r for r in compared[0].rows if r.over_budget]
    for row in over:
        console.print(f"OVER BUDGET: {names[0]}: {row.output} {row.dtype} {row.device}")
    return 1 if over else 0


def main() -> int:
    search_working_directory()
    return run()
