"""Closed-form backward passes of the tanh-squashed normal's reparameterized sample and of
the log-density of such a sample, each one autograd node instead of a chain of primitives.

With u = loc + scale eps and a = tanh(u):
  da/dloc = 1 - a^2,  da/dscale = (1 - a^2) eps;
and along that path z = (u - loc) / scale = eps is constant, so the total derivative of
  log p(a) = -z^2/2 - log scale - log(2 pi)/2 - log(1 - tanh(u)^2)
is d/dloc = 2a, d/dscale = 2a eps - 1/scale (the z^2 terms cancel exactly rather than in
rounding, as they would through autograd's partial derivatives).
"""

from __future__ import annotations

import torch

from policy_dists.numerics import HALF_LOG_2PI, LOG_2, log_2cosh
from policy_dists.sampling import finite_presquash

# log(2 pi)/2 + 2 log 2: the constant terms of squashed_normal_log_density.
_LOG_CONSTANT = HALF_LOG_2PI + 2.0 * LOG_2


def squashed_normal_log_density(
    u: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor
) -> torch.Tensor:
    """log N(u; loc, scale^2) - log(1 - tanh(u)^2), finite for every finite u, as
    -z^2/2 - log scale - log(2 pi)/2 + 2 log(2 cosh u) - 2 log 2."""
    z = (u - loc) / scale
    rest = torch.addcmul(torch.rsub(torch.log(scale), -_LOG_CONSTANT), z, z, value=-0.5)
    return torch.add(rest, log_2cosh(u), alpha=2.0)


def squashed_draw(
    loc: torch.Tensor, scale: torch.Tensor, eps: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(a, u) = (tanh u, u) with u = loc + scale eps, clamped to the finite range."""
    u = finite_presquash(torch.addcmul(loc, scale, eps))
    return torch.tanh(u), u


class ReparameterizedSquash(torch.autograd.Function):
    """(a, u) = (tanh u, u) with u = loc + scale eps (clamped finite); only a is differentiable.

    At a draw clamped to the finite range, a = ±1 and 1 - a^2 = 0, the clamp's own gradient.
    """

    @staticmethod
    def forward(
        ctx: torch.autograd.function.FunctionCtx,
        loc: torch.Tensor,
        scale: torch.Tensor,
        eps: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        a, u = squashed_draw(loc, scale, eps)
        ctx.save_for_backward(a, eps)
        ctx.mark_non_differentiable(u)
        ctx.set_materialize_grads(False)
        return a, u

    @staticmethod
    def backward(
        ctx: torch.autograd.function.FunctionCtx, grad_a: torch.Tensor | None, _grad_u: None
    ) -> tuple[torch.Tensor | None, torch.Tensor | None, None]:
        if grad_a is None:  # u is not differentiable, and grads are not materialized
            return None, None, None
        a, eps = ctx.saved_tensors
        grad_u = torch.addcmul(grad_a, grad_a * a, a, value=-1.0)
        return grad_u, grad_u * eps, None


class ReparameterizedLogDensity(torch.autograd.Function):
    """log p(a) of a = tanh(loc + scale eps), differentiated along the reparameterization
    (see the module docstring); u and a are that sample's constants."""

    @staticmethod
    def forward(
        ctx: torch.autograd.function.FunctionCtx,
        loc: torch.Tensor,
        scale: torch.Tensor,
        u: torch.Tensor,
        a: torch.Tensor,
        eps: torch.Tensor,
    ) -> torch.Tensor:
        ctx.save_for_backward(scale, a, eps)
        return squashed_normal_log_density(u, loc, scale)

    @staticmethod
    def backward(
        ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, None, None, None]:
        scale, a, eps = ctx.saved_tensors
        grad_loc = torch.mul(grad + grad, a)
        return grad_loc, torch.addcdiv(grad_loc * eps, grad, scale, value=-1.0), None, None, None
