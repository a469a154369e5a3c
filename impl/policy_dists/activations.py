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
    return _LogInterpolation.apply(x, log_low, math.log(high) - log_low, low, high)


class _LogInterpolation(torch.autograd.Function):
    """y = clamp(exp(log_low + span sigmoid(2x)), low, high), one autograd node.

    dy/dx = 2 span y s (1 - s) with s = sigmoid(2x), as autograd would chain it. Where that
    derivative is exactly 0 in floating point (s saturated at 0 or 1), the gradient is 0
    even under an infinite upstream gradient (an overflowed z^2 far in a tail), not NaN.
    """

    @staticmethod
    def forward(
        ctx: torch.autograd.function.FunctionCtx,
        x: torch.Tensor,
        log_low: float,
        span: float,
        low: float,
        high: float,
    ) -> torch.Tensor:
        s = torch.sigmoid(2.0 * x)
        unclamped = torch.exp(s.mul(span).add(log_low))
        # Saving the unclamped exp (not the output) spares autograd an alias of the output;
        # the two differ only by exp's rounding past an endpoint.
        ctx.save_for_backward(s, unclamped)
        ctx.span = span
        return unclamped.clamp(low, high)

    @staticmethod
    def backward(
        ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor
    ) -> tuple[torch.Tensor, None, None, None, None]:
        s, y = ctx.saved_tensors
        derivative = (1.0 - s).mul_(s).mul_(y).mul_(2.0 * ctx.span)
        # derivative is 0 exactly where it is selected, so selecting it gives +0.
        return torch.where(derivative == 0, derivative, grad * derivative), None, None, None, None


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
