"""Error budgets: the default from the project's error model, or a JSON file given with --budget."""

from __future__ import annotations

import json
from pathlib import Path

from policy_dists_catalogue import OUTPUTS, error_model

# Measures a budget may bound, and the error-model budget that is each one's default limit
# (a measure the audit does not take of an output is never judged).
MEASURES: dict[str, error_model.Budget] = {
    "log_prob_cond": error_model.LOG_PROB,
    "grad": error_model.GRAD,
    "entropy_cond": error_model.ENTROPY,
    "probs_ulps": error_model.PROBS_ULPS,
    "own_sample_cond": error_model.LOG_PROB,
}
DTYPES = ("float32", "float64")

ABOUT = (
    "Error budgets of policy-dists-audit, in units of the dtype's eps. log_prob_cond, "
    "entropy_cond, own_sample_cond: |y - y*| / max(eps S, ulp(y*)), S the sum of magnitudes "
    "of the formula's terms (SPEC 7). grad: max_i max(|g_i - g*_i| - R_i, 0) / (eps max(1, "
    "max_i |g*_i|)) over the gradient with respect to vec and the action, R_i the rounding of "
    "the pre-squash atanh(a) that no evaluation in the dtype avoids (0 without a squash). "
    "probs_ulps: ulps of each probability. NaN, or inf where the exact value is finite, is "
    "always over budget. A missing entry is unbounded; fields starting with '_' are "
    "documentation."
)


class BudgetError(ValueError):
    """A budget file that cannot be used."""


def default_budget() -> dict[str, dict[str, dict[str, float]]]:
    """{output: {dtype: {measure: limit}}}: every measure of every output at its error-model
    budget (policy_dists_catalogue.error_model)."""
    limits = {measure: float(b.units) for measure, b in MEASURES.items()}
    return {output: {dtype: dict(limits) for dtype in DTYPES} for output in OUTPUTS}


def budget_document() -> dict[str, object]:
    """The default budget as a --budget file, with each limit's derivation: a template."""
    models = {f"_model_{measure}": b.model for measure, b in MEASURES.items()}
    return {"_about": ABOUT, **models, **default_budget()}


def load_budget(path: Path | None) -> dict[str, dict[str, dict[str, float]]]:
    """The budget in `path` ({output: {dtype: {measure: limit}}}), or the default for None."""
    if path is None:
        return default_budget()
    try:
        data = json.loads(path.read_text())
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
