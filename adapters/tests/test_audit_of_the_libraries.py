"""The audit of every adapter: what it reports over budget and what it lists as not applicable
(the library lacks the output). Each adapter's own test file pins the figures behind these."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_dists_audit.cli import run

ALL = {"TanhGaussian", "GMM", "Beta", "Discrete", "DiscreteLikeContinuous", "Multibinary"}
# adapter: (the outputs it provides, those over budget)
VERDICTS = {
    "sb3": ({"TanhGaussian", "Discrete", "Multibinary"}, {"TanhGaussian", "Multibinary"}),
    "torchrl": ({"TanhGaussian", "Discrete"}, {"TanhGaussian"}),
    "torchrl_plain_tanh": ({"TanhGaussian"}, {"TanhGaussian"}),
    "cleanrl_sac": ({"TanhGaussian"}, {"TanhGaussian"}),
    "spinning_up_sac": ({"TanhGaussian"}, {"TanhGaussian"}),
    "tianshou_sac": ({"TanhGaussian"}, {"TanhGaussian"}),
}


def test_every_adapter_module_is_audited_here() -> None:
    folder = Path(__file__).resolve().parent.parent / "policy_dists_adapters"
    shells = {"__init__", "declared", "squashed_formula"}
    modules = {p.stem for p in folder.glob("*.py")} - shells
    assert modules == set(VERDICTS)


@pytest.mark.parametrize("adapter", sorted(VERDICTS))
def test_the_audit_names_what_the_library_gets_wrong_and_what_it_lacks(
    adapter: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provided, over_budget = VERDICTS[adapter]
    status = run(["--impl", adapter, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 1
    report = json.loads((tmp_path / "audit.json").read_text())
    assert set(report["meta"]["not_applicable"]) == ALL - provided
    over = {row["output"] for row in report["summary"] if row["over_budget"]}
    assert over == over_budget, out
