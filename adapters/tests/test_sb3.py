"""Facts about Stable-Baselines3's policy outputs (pinned in constraints.txt), measured against
the exact densities of their parameterization (the reference with DECLARED_CONFIGS). An SB3
release that changes these numerics fails here with the figure it moved."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import policy_dists_reference as reference
from policy_dists_adapters import sb3

CONFIG = sb3.DECLARED_CONFIGS["TanhGaussian"]
VEC = [0.3, -0.5]  # mean 0.3, log std -0.5


def _sb3_log_prob(action: float, dtype: torch.dtype) -> float:
    dist = sb3.TanhGaussian(1)(torch.tensor([VEC], dtype=dtype))
    return float(dist.log_prob(torch.tensor([[action]], dtype=dtype))[0, 0])


def _exact_log_prob(action: float) -> float:
    ref = reference.TanhGaussian(1, **CONFIG)
    return float(ref.log_prob(np.array([VEC]), np.array([[action]]), np.float64)[0, 0])


def test_the_1e6_costs_log_1_5_nats_at_one_minus_1e6() -> None:
    """SB3's correction is log(1 - a^2 + 1e-6) of the action itself: at a = 1 - 1e-6 it exceeds
    log(1 - a^2) by log(1.5) + O(1e-6) (1 - a^2 = 2e-6 - 1e-12), and TanhBijector.inverse
    leaves a below 1 - eps64 unclamped; the rest is float64 rounding (< 1e-8 nats)."""
    bias = _exact_log_prob(1 - 1e-6) - _sb3_log_prob(1 - 1e-6, torch.float64)
    assert bias == pytest.approx(math.log(1.5), abs=1e-6)


def test_an_action_of_one_scores_finite_where_the_density_is_zero() -> None:
    """TanhBijector.inverse clamps a = 1 to 1 - eps (x = 8.3 in float32) and the 1e-6 keeps
    the log finite: a finite score where the exact log-density is -inf."""
    assert _exact_log_prob(1.0) == -math.inf
    assert math.isfinite(_sb3_log_prob(1.0, torch.float32))


def test_bernoulli_log_prob_of_the_likely_outcome_rounds_to_zero() -> None:
    """SB3's Bernoulli is torch's: at logit -30 the likely outcome 0 has log-probability
    -log1p(e^-30) = -9.36e-14, which comes back as 0 in float32 (log(1 + e^-30) rounds 1 +
    e^-30 first): every relative digit lost, an absolute error below 1e-13 nats. (At logit
    +30 and outcome 1 the same value is exact.)"""
    dist = sb3.Multibinary(1)(torch.tensor([[-30.0]]))
    got = float(dist.log_prob(torch.tensor([[0.0]]))[0, 0])
    exact = -math.log1p(math.exp(-30.0))
    assert got == 0.0
    assert abs(exact) == pytest.approx(9.3576e-14, rel=1e-4)


def test_importing_the_adapter_leaves_torch_distribution_validation_alone() -> None:
    code = (
        "import torch.distributions as D; before = D.Distribution._validate_args; "
        "import policy_dists_adapters.sb3; "
        "raise SystemExit(int(D.Distribution._validate_args != before))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
