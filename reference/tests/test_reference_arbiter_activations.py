"""The arbiter's activation derivatives against central differences at its own precision."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from mpmath import mp

from policy_dists_reference.activations import PositiveParameter, biased_softplus_shift
from policy_dists_reference.arbiter.activations import positive_parameter

PARAMETERS = {
    "softplus": PositiveParameter.configured(
        "softplus_bounded_positive", 1e-3, 3.0, ("a", "l", "h")
    ),
    "tanh": PositiveParameter.configured(
        "tanh_bounded_positive", math.exp(-5.0), math.exp(2.0), ("a", "l", "h")
    ),
    "clamped log std": PositiveParameter.configured(
        "exp_clamped_log_std", math.exp(-20.0), math.exp(2.0), ("a", "l", "h")
    ),
    "biased softplus": PositiveParameter.configured("biased_softplus", 0.01, None, ("a", "l", "h")),
}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
@pytest.mark.parametrize("raw", [-25.0, -3.0, 0.5, 1.9, 4.0])
def test_derivative_is_the_slope_of_the_value(name: str, raw: float) -> None:
    """At 60 digits a central difference with step 1e-20 is within 1e-30 of the slope (its
    error is h^2 f''' / 6, with f''' below 1e3 here), away from a clamp's kink: the raws avoid
    the kinks (softplus with high 3: raw = log(e^2.999 - 1) = 2.94; clamped log std: -20 and
    2), and 4.0 and -25.0 lie where a clamp holds the value (slope 0); biased softplus has no
    kink."""
    parameter = PARAMETERS[name]
    with mp.workdps(60):
        x, h = mpmath.mpf(raw), mpmath.mpf("1e-20")
        _, slope, _ = positive_parameter(parameter, x, np.float64)
        above, _, _ = positive_parameter(parameter, x + h, np.float64)
        below, _, _ = positive_parameter(parameter, x - h, np.float64)
        assert abs((above - below) / (2 * h) - slope) <= mpmath.mpf("1e-30")


def test_biased_softplus_is_one_at_zero_up_to_its_float32_shift() -> None:
    """TorchRL's mapping is 1 at raw 0 by construction; its shift c is held in float32, so the
    value there is 1 + sigmoid(c)(c32 - c) = 1 - 1.6e-8, not 1 (c32 - c = -2.6e-8)."""
    value, slope, _ = positive_parameter(PARAMETERS["biased softplus"], mpmath.mpf(0), np.float64)
    exact_shift = mp.log(mp.expm1(mpmath.mpf("0.99")))
    held = mpmath.mpf(biased_softplus_shift(0.01))
    assert abs(value - (1 + slope * (held - exact_shift))) <= mpmath.mpf("1e-15")
    assert float(value) == pytest.approx(1 - 1.62e-8, abs=1e-10)
