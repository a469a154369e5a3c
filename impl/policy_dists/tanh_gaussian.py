"""TanhGaussian: a = tanh(u), u ~ N(mu, sigma^2) independently per action dimension."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import gin
import torch
from torch.distributions import Distribution, constraints

from policy_dists import validation
from policy_dists.activations import (
    require_activation_bounds,
    resolve_activation,
    tanh_bounded_positive,
)
from policy_dists.arguments import require_clip_bounds
from policy_dists.base import PolicyOutput, log_activation_stats
from policy_dists.numerics import atanh_and_log1m_sq, normal_log_density, split_endpoints
from policy_dists.own_samples import Draw, OwnSamples
from policy_dists.squashed_normal_gradients import (
    ReparameterizedLogDensity,
    ReparameterizedSquash,
    squashed_draw,
    squashed_normal_log_density,
)

_Shape = torch.Size | tuple[int, ...]


class SquashedNormal(Distribution):
    """a = tanh(u), u ~ N(loc, scale^2) elementwise; support [-1, 1], event shape ().

    log p(a) = log N(atanh c; loc, scale) - log(1 - c^2) with c = clamp(a, *clip), except for
    samples this object returned, scored exactly from their pre-squash u without clipping.
    """

    arg_constraints: ClassVar[dict] = {}
    support = constraints.interval(-1.0, 1.0)
    has_rsample = True

    def __init__(self, loc: torch.Tensor, scale: torch.Tensor, clip: tuple[float, float]) -> None:
        self.loc = loc
        self.scale = scale
        self.clip = clip
        self._endpoints = clip[0] == -1.0 or clip[1] == 1.0  # clipped actions may be ±1
        self._own = OwnSamples()
        super().__init__(batch_shape=loc.shape, validate_args=False)

    @property
    def mean(self) -> torch.Tensor:
        """tanh(loc): the squashed location used as the deterministic action (not E[a])."""
        return torch.tanh(self.loc)

    def _noise(self, sample_shape: _Shape) -> torch.Tensor:
        shape = self._extended_shape(sample_shape)
        return torch.randn(shape, dtype=self.loc.dtype, device=self.loc.device)

    def rsample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        eps = self._noise(sample_shape)
        a, u = ReparameterizedSquash.apply(self.loc, self.scale, eps)
        # Only a sample in the autograd graph is scored along its reparameterization path.
        self._own.remember(a, Draw(u, eps if a.requires_grad else None))
        return a

    def sample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        with torch.no_grad():
            a, u = squashed_draw(self.loc, self.scale, self._noise(sample_shape))
        self._own.remember(a, Draw(u))
        return a

    def _log_prob_of_draw(self, a: torch.Tensor, draw: Draw) -> torch.Tensor:
        if draw.noise is None:
            return squashed_normal_log_density(draw.presquash, self.loc, self.scale)
        return ReparameterizedLogDensity.apply(self.loc, self.scale, draw.presquash, a, draw.noise)

    def rsample_and_log_prob(self, sample_shape: _Shape = ()) -> tuple[torch.Tensor, torch.Tensor]:
        """(a, log p(a)) with log p from the exact pre-squash value, never clipped."""
        a = self.rsample(sample_shape)
        return a, self.log_prob(a)

    def sample_and_log_prob(self, sample_shape: _Shape = ()) -> tuple[torch.Tensor, torch.Tensor]:
        """As ``rsample_and_log_prob``, without gradients through the sample."""
        a = self.sample(sample_shape)
        return a, self.log_prob(a)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        draw = self._own.draw_of(value)
        if draw is not None:
            return self._log_prob_of_draw(value, draw)
        owner = "TanhGaussian"
        validation.check_interval(owner, "action", value, -1.0, 1.0)
        c = value.to(self.loc.dtype).clamp(*self.clip)
        if not self._endpoints:
            return self._log_prob_clipped(c)
        at_end, interior = split_endpoints(c)
        return torch.where(at_end, -math.inf, self._log_prob_clipped(interior))

    def _log_prob_clipped(self, c: torch.Tensor) -> torch.Tensor:
        atanh_c, log1m_c_sq = atanh_and_log1m_sq(c)
        return normal_log_density(atanh_c, self.loc, self.scale) - log1m_c_sq

    def entropy(self) -> torch.Tensor:
        raise NotImplementedError(
            "TanhGaussian: the entropy of a tanh-squashed Gaussian has no closed form; "
            "estimate it from samples with -log_prob"
        )


@gin.configurable(module="policy_dists")
class TanhGaussian(PolicyOutput):
    """Tanh-squashed diagonal Gaussian: vec = [mu, raw_std] (2 d values), actions in [-1, 1]."""

    def __init__(
        self,
        d_action: int,
        std_low: float = math.exp(-5.0),
        std_high: float | None = math.exp(2.0),
        std_activation: Callable[[torch.Tensor, float, float], torch.Tensor] = (
            tanh_bounded_positive
        ),
        clip_actions_on_log_prob: tuple[float, float] = (-0.99, 0.99),
    ) -> None:
        super().__init__(d_action)
        owner = type(self).__name__
        self.std_activation = resolve_activation(owner, "std_activation", std_activation)
        # std_high=None (unbounded) is valid for softplus_bounded_positive, as upstream.
        self.std_low, self.std_high = require_activation_bounds(
            owner, self.std_activation, "std_low", std_low, "std_high", std_high
        )
        self.clip_actions_on_log_prob = require_clip_bounds(
            owner, "clip_actions_on_log_prob", clip_actions_on_log_prob
        )

    @property
    def actions_differentiable(self) -> bool:
        return True

    @property
    def is_discrete(self) -> bool:
        return False

    @property
    def input_dimension(self) -> int:
        return 2 * self.d_action

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        vec = self._network_output(vec)
        mu, raw_std = vec.split(self.d_action, dim=-1)
        # mu is read by several elementwise kernels, which run many times slower on a strided
        # view; raw_std is read once, by the activation, whose output is contiguous.
        mu = mu.contiguous()
        std = self.std_activation(raw_std, self.std_low, self.std_high)
        if log_dict is not None:
            log_activation_stats(log_dict, "TanhGaussian-mu", mu)
            log_activation_stats(log_dict, "TanhGaussian-std", std)
            log_activation_stats(log_dict, "TanhGaussian-raw_std", raw_std)
        return SquashedNormal(mu, std, self.clip_actions_on_log_prob)
