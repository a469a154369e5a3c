"""Error budgets: the default file shipped in the package, or one given with --budget."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

# Measures a budget may bound, per output and dtype. A missing entry is unbounded.
MEASURES = ("log_prob_cond", "grad", "entropy_cond", "probs_ulps", "own_sample_cond")


class BudgetError(ValueError):
    """A budget file that cannot be used."""


def load_budget(path: Path | None) -> dict:
    """{output: {dtype: {measure: limit}}}; fields starting with '_' are documentation."""
    try:
        text = (
            path.read_text()
            if path is not None
            else resources.files("policy_dists_audit").joinpath("budget.json").read_text()
        )
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as err:
        raise BudgetError(f"cannot read budget {path}: {err}") from err
    budget = {}
    for output, per_dtype in data.items():
        if output.startswith("_"):
            continue
        budget[output] = {}
        for dtype, limits in per_dtype.items():
            if dtype.startswith("_"):
                continue
            unknown = [m for m in limits if not m.startswith("_") and m not in MEASURES]
            if unknown:
                raise BudgetError(f"budget {output}/{dtype}: unknown measures {unknown}")
            budget[output][dtype] = {m: float(v) for m, v in limits.items() if m in MEASURES}
    return budget
