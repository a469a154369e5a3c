"""The positive-parameter activations at the arbiter's precision, with their derivatives."""

from __future__ import annotations

import mpmath
import numpy as np
from mpmath import mp
from numpy.typing import DTypeLike

from ..activations import (
    PositiveParameter,
    biased_softplus,
    biased_softplus_shift,
    exp_clamped_log_std,
    tanh_bounded_positive,
)
from .elementary import sigmoid, softplus
from .precision import exact


def positive_parameter(
    parameter: PositiveParameter, raw: mpmath.mpf, dtype: DTypeLike
) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """(value, d value / d raw, relative condition) of the configured activation at `raw`.

    softplus_bounded_positive: min(softplus(raw) + low, high); the derivative is sigmoid(raw),
    0 where the clamp is active (value > high), as torch.clamp's gradient. Its two terms are
    positive, so its relative condition is 1.
    tanh_bounded_positive: exp(L), L = log low + (log high - log low)(tanh raw + 1)/2; derivative
    value * (log high - log low) * sech^2(raw) / 2. Rounding L's terms perturbs the value
    relatively by their magnitudes, so its relative condition is the sum of those magnitudes.
    exp_clamped_log_std: exp(clamp(raw, log low, log high)); derivative the value inside the
    clamp, 0 outside. The clamp is exact and exp takes it as is: relative condition 1.
    biased_softplus: softplus(t) + low, t = raw + c; derivative sigmoid(t). The working dtype
    rounds t by eps|t|, which moves the value by sigmoid(t) eps |t|: relative condition
    1 + sigmoid(t)|t| / value.
    """
    low = exact(parameter.low)
    if parameter.activation is exp_clamped_log_std:
        log_low, log_high = exact(np.log(parameter.low)), exact(np.log(parameter.high))
        inside = log_low <= raw <= log_high
        value = mp.exp(min(max(raw, log_low), log_high))
        return value, value if inside else mpmath.mpf(0), mpmath.mpf(1)
    if parameter.activation is biased_softplus:
        shifted = raw + exact(biased_softplus_shift(parameter.low))
        value = softplus(shifted) + low
        slope = sigmoid(shifted)
        return value, slope, 1 + slope * abs(shifted) / value
    if parameter.activation is tanh_bounded_positive:
        log_low, log_high = mp.log(low), mp.log(exact(parameter.high))
        interpolated = (log_high - log_low) * (mp.tanh(raw) + 1) / 2
        value = mp.exp(log_low + interpolated)
        derivative = value * (log_high - log_low) * mp.sech(raw) ** 2 / 2
        return value, derivative, abs(log_low) + abs(interpolated)
    value = softplus(raw) + low
    high = parameter.high_in_dtype(dtype)
    if high is not None and value > exact(high):
        return exact(high), mpmath.mpf(0), mpmath.mpf(1)
    return value, sigmoid(raw), mpmath.mpf(1)
