"""Facts about tianshou's SAC squashed log-density (a formula adapter), measured against the
exact density of the same parameterization. A change of the formula that moves these numerics
fails here with the figure it moved."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import policy_dists_reference as reference
from policy_dists_adapters import tianshou_sac

CONFIG = tianshou_sac.DECLARED_CONFIGS["TanhGaussian"]
VEC = [0.3, -0.5]  # mean 0.3, log std -0.5
EPS32 = 2.0**-23


def _log_prob(action: float, dtype: torch.dtype) -> float:
    dist = tianshou_sac.TanhGaussian(1)(torch.tensor([VEC], dtype=dtype))
    return float(dist.log_prob(torch.tensor([[action]], dtype=dtype))[0, 0])


def _exact_log_prob(action: float) -> float:
    ref = reference.TanhGaussian(1, **CONFIG)
    return float(ref.log_prob(np.array([VEC]), np.array([[action]]), np.float64)[0, 0])


@pytest.mark.parametrize("action", [0.999, 1 - 1e-6, float(np.nextafter(1.0, 0.0))])
def test_float32_epsilon_biases_float64_by_log1p_eps_over_one_minus_a_squared(
    action: float,
) -> None:
    """log((1 - a^2) + eps32) exceeds log(1 - a^2) by log1p(eps32 / (1 - a^2)): 5.96e-5 nats
    at 0.999, 0.058 at 1 - 1e-6, 20.1 at the largest float64 below 1 (1 - a^2 = 2.2e-16);
    float64 rounding adds < 1e-9 (atanh's near 1, times the Gaussian term's slope)."""
    bias = _exact_log_prob(action) - _log_prob(action, torch.float64)
    assert bias == pytest.approx(math.log1p(EPS32 / ((1 - action) * (1 + action))), abs=1e-9)


def test_float32_at_the_largest_float_below_one_is_log_2_low() -> None:
    """In float32 the largest float below 1 has 1 - a^2 = 2^-23 + 2^-48, the epsilon itself: the
    formula is log 2 = 0.693 nats below the exact density (to 1e-5: float32 rounding)."""
    action = float(np.nextafter(np.float32(1), np.float32(0)))
    bias = _exact_log_prob(action) - _log_prob(action, torch.float32)
    assert bias == pytest.approx(math.log(2), abs=1e-5)


def test_an_action_of_one_scores_minus_inf() -> None:
    """atanh(1) = inf puts the Gaussian term at -inf, the exact limit; the eps keeps the
    Jacobian term finite."""
    assert _exact_log_prob(1.0) == -math.inf
    assert _log_prob(1.0, torch.float64) == -math.inf
