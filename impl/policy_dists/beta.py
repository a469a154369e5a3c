"""Beta: a = 2x - 1, x ~ Beta(alpha, beta), a Beta distribution rescaled to [-1, 1]."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import gin
import torch
from torch.autograd.function import once_differentiable
from torch.distributions import Distribution, constraints

from policy_dists import validation
from policy_dists.activations import (
    require_activation_bounds,
    resolve_activation,
    softplus_bounded_positive,
    tanh_bounded_positive,
)
from policy_dists.arguments import require_clip_bounds
from policy_dists.base import PolicyOutput, log_activation_stats
from policy_dists.beta_functions import beta_entropy, beta_log_density, digamma_shifts
from policy_dists.beta_implicit_gradient import beta_sample_gradient_pairs
from policy_dists.numerics import LOG_2
from policy_dists.sampling import zero_or_nan

_Shape = torch.Size | tuple[int, ...]


class ImplicitBetaSample(torch.autograd.Function):
    """x ~ Beta(alpha, beta) with implicit reparameterization gradients.

    dx/dtheta = -(dF(x; alpha, beta)/dtheta) / f(x; alpha, beta), evaluated to ~1e-13
    relative for float64 results and within 2^-30 of that before rounding to float32
    (beta_implicit_gradient); torch's Dirichlet kernel approximates it to ~1e-3.
    x is the first coordinate of a Dirichlet(alpha, beta) draw. ``shifts``, if not None, is
    digamma_shifts(alpha, beta) (not differentiated), shared with log_prob's backward.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx, alpha: torch.Tensor, beta: torch.Tensor, shifts: torch.Tensor | None
    ) -> torch.Tensor:
        concentration = torch.stack((alpha, beta), dim=-1)
        pair = torch._sample_dirichlet(concentration)
        ctx.save_for_backward(pair, concentration, shifts)
        return pair[..., 0]

    @staticmethod
    @once_differentiable
    def backward(  # type: ignore[override]
        ctx, grad_x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, None]:
        pair, concentration, shifts = ctx.saved_tensors
        # pair = (x, 1 - x) from the sampler; its second coordinate keeps 1 - x exact near 1.
        # The pairs go first, contiguous, as beta_sample_gradient_pairs takes them.
        pair, concentration = (
            t.movedim(-1, 0).to(torch.float64, memory_format=torch.contiguous_format)
            for t in (pair, concentration)
        )
        grads = beta_sample_gradient_pairs(pair, concentration, shifts, grad_x.dtype)
        return *(grads.to(grad_x.dtype) * grad_x).unbind(0), None


class ShiftedBeta(Distribution):
    """a = 2x - 1, x ~ Beta(alpha, beta) elementwise; support [-1, 1], event shape ().

    log p(a) = (alpha-1) log x + (beta-1) log(1-x) - log B(alpha, beta) - log 2 with
    x = (clamp(a, *clip) + 1)/2, always clipped (own samples included, as upstream).
    """

    arg_constraints: ClassVar[dict] = {}
    support = constraints.interval(-1.0, 1.0)
    has_rsample = True

    def __init__(self, alpha: torch.Tensor, beta: torch.Tensor, clip: tuple[float, float]) -> None:
        self.alpha = alpha
        self.beta = beta
        self.clip = clip
        self._endpoints = clip[0] == -1.0 or clip[1] == 1.0  # log_prob may see x = 0 or 1
        self._shifts: torch.Tensor | None = None
        super().__init__(batch_shape=alpha.shape, validate_args=False)

    @property
    def mean(self) -> torch.Tensor:
        """2 alpha/(alpha + beta) - 1, evaluated as (alpha - beta)/(alpha + beta)."""
        return (self.alpha - self.beta) / (self.alpha + self.beta)

    def _digamma_shifts(self) -> torch.Tensor | None:
        """digamma_shifts(alpha, beta), which the backward passes of rsample and log_prob
        share: evaluated (without gradient) by the first call whose result a backward pass may
        need, then kept; None where none can (no gradient recorded)."""
        if not (torch.is_grad_enabled() and (self.alpha.requires_grad or self.beta.requires_grad)):
            return None
        if self._shifts is None:
            with torch.no_grad():
                self._shifts = digamma_shifts(self.alpha, self.beta)
        return self._shifts

    def rsample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        shape = self._extended_shape(sample_shape)
        shifts = self._digamma_shifts()
        if shifts is not None and shifts.shape[1:] != shape:
            batch = shifts.shape[1:]
            shifts = shifts.reshape(2, *(1,) * (len(shape) - len(batch)), *batch)
            shifts = shifts.expand(2, *shape)
        x = ImplicitBetaSample.apply(self.alpha.expand(shape), self.beta.expand(shape), shifts)
        return 2.0 * x - 1.0 + (zero_or_nan(self.alpha) + zero_or_nan(self.beta))

    def sample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        with torch.no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        validation.check_interval("Beta", "action", value, -1.0, 1.0)
        c = value.to(self.alpha.dtype).clamp(*self.clip)
        shifts = self._digamma_shifts()
        return beta_log_density(c, self.alpha, self.beta, self._endpoints, shifts) - LOG_2

    def entropy(self) -> torch.Tensor:
        """Entropy of Beta(alpha, beta) plus log 2, the Jacobian of a = 2x - 1."""
        return beta_entropy(self.alpha, self.beta) + LOG_2


@gin.configurable(module="policy_dists")
class Beta(PolicyOutput):
    """Beta rescaled to [-1, 1]: vec = [raw alpha (d), raw beta (d)]."""

    def __init__(
        self,
        d_action: int,
        alpha_low: float = 1.0001,
        alpha_high: float | None = None,
        beta_low: float = 1.0001,
        beta_high: float | None = None,
        std_activation: Callable[[torch.Tensor, float, float], torch.Tensor] = (
            softplus_bounded_positive
        ),
        clip_actions_on_log_prob: tuple[float, float] = (-0.99, 0.99),
    ) -> None:
        super().__init__(d_action)
        owner = type(self).__name__
        self.std_activation = resolve_activation(owner, "std_activation", std_activation)
        self.alpha_low, self.alpha_high = require_activation_bounds(
            owner, self.std_activation, "alpha_low", alpha_low, "alpha_high", alpha_high
        )
        self.beta_low, self.beta_high = require_activation_bounds(
            owner, self.std_activation, "beta_low", beta_low, "beta_high", beta_high
        )
        # low == high is accepted, as upstream: log_prob is then the density at that point for
        # every action (the clipped score taken to its limit), still finite inside (-1, 1).
        self.clip_actions_on_log_prob = require_clip_bounds(
            owner, "clip_actions_on_log_prob", clip_actions_on_log_prob, allow_point=True
        )
        # A built-in activation is elementwise: with the same bounds for alpha and beta, one
        # call on the whole vec gives both, in half the operators.
        self._one_activation = (self.alpha_low, self.alpha_high) == (
            self.beta_low,
            self.beta_high,
        ) and self.std_activation in (softplus_bounded_positive, tanh_bounded_positive)

    @property
    def actions_differentiable(self) -> bool:
        return True

    @property
    def is_discrete(self) -> bool:
        return False

    @property
    def input_dimension(self) -> int:
        return 2 * self.d_action

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> ShiftedBeta:
        vec = self._network_output(vec)
        # Contiguous halves: elementwise kernels on the strided views run many times slower.
        if self._one_activation:
            both = self.std_activation(vec, self.alpha_low, self.alpha_high)
            alpha, beta = (half.contiguous() for half in both.split(self.d_action, dim=-1))
        else:
            raw_alpha, raw_beta = (half.contiguous() for half in vec.split(self.d_action, dim=-1))
            alpha = self.std_activation(raw_alpha, self.alpha_low, self.alpha_high)
            beta = self.std_activation(raw_beta, self.beta_low, self.beta_high)
        if log_dict is not None:
            log_activation_stats(log_dict, "Beta-alpha", alpha)
            log_activation_stats(log_dict, "Beta-beta", beta)
        return ShiftedBeta(alpha, beta, self.clip_actions_on_log_prob)
