"""Facts about Spinning Up's SAC squashed log-density (a formula adapter), measured against
the exact density of the same parameterization. A change of the formula that moves these
numerics fails here with the figure it moved."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import policy_dists_reference as reference
from policy_dists_adapters import spinning_up_sac

CONFIG = spinning_up_sac.DECLARED_CONFIGS["TanhGaussian"]
VEC = [0.3, -0.5]  # mean 0.3, log std -0.5


def _log_prob(action: float) -> float:
    dist = spinning_up_sac.TanhGaussian(1)(torch.tensor([VEC], dtype=torch.float64))
    return float(dist.log_prob(torch.tensor([[action]], dtype=torch.float64))[0, 0])


def _exact_log_prob(action: float) -> float:
    ref = reference.TanhGaussian(1, **CONFIG)
    return float(ref.log_prob(np.array([VEC]), np.array([[action]]), np.float64)[0, 0])


@pytest.mark.parametrize("action", [0.9, 1 - 1e-6, float(np.nextafter(1.0, 0.0))])
def test_external_actions_below_one_score_exactly_in_float64(action: float) -> None:
    """No epsilon: the stable Jacobian term at x = atanh(a) is exact to float64 rounding (the
    atanh's, amplified by 1/(1 - a) near 1, times the Gaussian term's slope: < 1e-12 nats)."""
    assert abs(_log_prob(action) - _exact_log_prob(action)) < 1e-12


def test_an_action_of_one_scores_nan() -> None:
    """atanh(1) = inf: the Gaussian term is -inf and so is the Jacobian term, inf - inf = NaN
    where the exact log-density is -inf (Spinning Up only scores its own finite draws)."""
    assert _exact_log_prob(1.0) == -math.inf
    assert math.isnan(_log_prob(1.0))


def test_the_jacobian_term_drops_the_softplus_tail_beyond_ten() -> None:
    """F.softplus returns its input above 20: at x = -10.5 the term 2(log 2 - x - softplus(-2x))
    lacks -2 log1p(e^-21) = -1.52e-9 nats in float64."""
    x = torch.tensor(-10.5, dtype=torch.float64)
    got = float(spinning_up_sac.TanhGaussian.log_jacobian(x))
    exact = 2 * (math.log(2) - 10.5 - math.log1p(math.exp(-21.0)))
    assert got - exact == pytest.approx(2 * math.log1p(math.exp(-21.0)), rel=1e-6)
