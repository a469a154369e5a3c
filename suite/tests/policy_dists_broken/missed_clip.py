"""TanhGaussian.log_prob that forgets to clamp the action to clip_actions_on_log_prob."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)

        def log_prob(value: torch.Tensor) -> torch.Tensor:
            a = value.to(dist.loc.dtype)
            normal = torch.distributions.Normal(dist.loc, dist.scale, validate_args=False)
            return normal.log_prob(torch.atanh(a)) - (torch.log1p(-a) + torch.log1p(a))

        dist.log_prob = log_prob
        return dist
