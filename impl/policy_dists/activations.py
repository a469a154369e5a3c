"""Activations mapping raw network outputs to bounded positive parameters (SPEC §3)."""

from __future__ import annotations

import math
from collections.abc import Callable

import gin
import torch

from policy_dists.arguments import require_positive_bounds
from policy_dists.numerics import softplus, zero_gradient_where


def softplus_bounded_positive(
    x: torch.Tensor, low: float, high: float | None = None
) -> torch.Tensor:
    """softplus(x) + low, then min(., high) when high is given; range [low, high].

    Unlike the upstream ``high or inf``, ``high=0.0`` is not read as unbounded: any
    ``high < low`` (an empty range) is a ValueError. ``high == low`` is the constant ``low``,
    as upstream. The gradient is zero where the upper clamp is active.
    """
    if high is not None and not high >= low:
        raise ValueError(
            f"softplus_bounded_positive: high must be >= low, got low={low!r}, high={high!r}"
        )
    positive = softplus(x)
    out = zero_gradient_where(positive == 0, positive) + low
    if high is not None:
        out = out.clamp(max=high)
    return out


def tanh_bounded_positive(x: torch.Tensor, low: float, high: float | None) -> torch.Tensor:
    """exp(log low + (log high - log low) (tanh x + 1) / 2): log-space interpolation in [low, high].

    (tanh x + 1) / 2 is evaluated as sigmoid(2x), which keeps its relative accuracy where
    tanh x approaches -1. The final clamp only removes exp's rounding past the endpoints.
    ``high == low`` is the constant ``low`` (as upstream); an infinite ``high`` is rejected,
    since log high = inf makes the value inf, or NaN where (tanh x + 1) / 2 is 0.
    """
    if high is None or not 0.0 < low <= high < math.inf:
        raise ValueError(
            f"tanh_bounded_positive: requires 0 < low <= high < inf, got low={low!r}, high={high!r}"
        )
    log_low = math.log(low)
    fraction = torch.sigmoid(2.0 * x)
    fraction = zero_gradient_where((fraction == 0) | (fraction == 1), fraction)
    return torch.exp(log_low + (math.log(high) - log_low) * fraction).clamp(low, high)


# Registered with gin without replacing the module's functions: gin's call wrapper takes a
# lock on every call (a graph break under torch.compile) and would not pickle by name. The
# outputs pass every argument explicitly, so dropping that wrapper drops no gin binding.
_GIN_WRAPPER_TO_BUILTIN = {
    gin.external_configurable(fn, module="policy_dists"): fn
    for fn in (softplus_bounded_positive, tanh_bounded_positive)
}


def require_activation_bounds(
    owner: str, activation: Callable, low_name: str, low: object, high_name: str, high: object
) -> tuple[float, float | None]:
    """``0 < low <= high`` (``high=None``: unbounded), and a finite ``high`` for
    tanh_bounded_positive, which needs log high; ``high == low`` is a fixed parameter."""
    low_f, high_f = require_positive_bounds(owner, low_name, low, high_name, high)
    if activation is tanh_bounded_positive and (high_f is None or math.isinf(high_f)):
        raise ValueError(
            f"{owner}: {high_name} must be a finite number for tanh_bounded_positive, got {high!r}"
        )
    return low_f, high_f


def resolve_activation(owner: str, name: str, activation: object) -> Callable:
    """The callable to store: gin's own wrapper of a built-in activation is replaced by the
    built-in itself; anything else, including a user's wrapper of a built-in, is kept as given
    and must be callable."""
    if not callable(activation):
        raise ValueError(f"{owner}: {name} must be callable, got {activation!r}")
    return _GIN_WRAPPER_TO_BUILTIN.get(activation, activation)
