"""A deliberately broken implementation: policy_dists with TanhGaussian's tanh Jacobian taken
as log(1 - a^2 + 1e-6), the epsilon shortcut of robomimic-style code (off by 5e-5 nats at
|a| = 0.99). Everything else is the real implementation."""

from __future__ import annotations

import torch

from policy_dists import *  # noqa: F403
from policy_dists import SquashedNormal
from policy_dists import TanhGaussian as _TanhGaussian
from policy_dists.numerics import normal_log_density


class _EpsilonJacobian(SquashedNormal):
    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        c = value.clamp(*self.clip)
        return normal_log_density(torch.atanh(c), self.loc, self.scale) - torch.log(
            1 - c * c + 1e-6
        )


class TanhGaussian(_TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        dist = super().forward(vec, log_dict)
        return _EpsilonJacobian(dist.loc, dist.scale, dist.clip)
