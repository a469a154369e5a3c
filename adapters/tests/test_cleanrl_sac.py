"""Facts about CleanRL-style SAC's squashed log-density, measured against the exact density
of the same parameterization (the reference with DECLARED_CONFIGS). A change of the formula
that moves these numerics fails here with the figure it moved."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import policy_dists_reference as reference
from policy_dists_adapters import cleanrl_sac
from policy_dists_audit.cli import run

CONFIG = cleanrl_sac.DECLARED_CONFIGS["TanhGaussian"]
# mean 0.3, raw log-std 0.2: an ordinary actor output.
VEC = [0.3, 0.2]


def _exact_log_prob(action: float) -> float:
    ref = reference.TanhGaussian(1, **CONFIG)
    return float(ref.log_prob(np.array([VEC]), np.array([[action]]), np.float64)[0, 0])


def _formula_log_prob(action: float, dtype: torch.dtype) -> float:
    dist = cleanrl_sac.TanhGaussian(1)(torch.tensor([VEC], dtype=dtype))
    return float(dist.log_prob(torch.tensor([[action]], dtype=dtype))[0, 0])


def test_the_1e6_costs_log_1_5_nats_at_one_minus_1e6() -> None:
    """At a = 1 - 1e-6, 1 - a^2 = 2e-6 - 1e-12, so log(1 - a^2 + 1e-6) exceeds log(1 - a^2)
    by log(1.5) + O(1e-6): the formula's log_prob is that much below the exact density. The
    remaining float64 error is the atanh's (a 1e-6 from 1 amplifies eps by 1/(1 - a), 1e-10
    in x = 7.25) times the Gaussian term's slope (< 10): below 1e-8 nats, so 1e-6 holds it."""
    action = 1 - 1e-6
    bias = _exact_log_prob(action) - _formula_log_prob(action, torch.float64)
    assert bias == pytest.approx(math.log(1.5), abs=1e-6)


def test_an_action_of_one_scores_minus_inf_and_beyond_one_nan() -> None:
    """atanh(1) = inf puts the Gaussian term at -inf, the exact limit; past 1 atanh is NaN
    (CleanRL defines no score there: its actions are tanh of a finite draw)."""
    assert _formula_log_prob(1.0, torch.float32) == -math.inf
    assert math.isnan(_formula_log_prob(1.0 + 2**-23 * 2, torch.float32))


def test_a_draw_that_rounds_to_one_scores_finite_on_its_path_and_minus_inf_as_an_action() -> None:
    """mean 10, std at its low e^-5: tanh(x) rounds to 1 in float32. Scored from its x (the
    sampling path) the Jacobian term is log(0 + 1e-6), finite; the same action passed back in
    (another tensor, so an external action) is atanh(1) = inf: -inf."""
    dist = cleanrl_sac.TanhGaussian(1)(torch.tensor([[10.0, -30.0]]))
    torch.manual_seed(0)
    action = dist.rsample()
    assert action.item() == 1.0
    assert math.isfinite(dist.log_prob(action).item())
    assert dist.log_prob(action.clone()).item() == -math.inf


def test_the_audit_reports_the_mildest_input_over_budget(tmp_path: Path) -> None:
    """In float64 the 1e-6 is over budget everywhere, a = 0 included: there the Jacobian term
    is log(1 + 1e-6) = 1e-6 nats, against 16 eps S = 1.5e-14 nats (S ~ 4). The audit's
    finding names that input, the least extreme of the sweep, as the smallest reproduction."""
    run(["--impl", "cleanrl_sac", "--dtype", "float64", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "audit.json").read_text())
    (row,) = report["summary"]
    mildest = row["findings"]["log_prob_cond"]["mildest_over"]
    assert mildest["action"] == 0.0
    assert mildest["exact"] - mildest["value"] == pytest.approx(math.log1p(1e-6), rel=1e-6)
