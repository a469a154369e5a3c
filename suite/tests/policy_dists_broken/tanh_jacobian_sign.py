"""TanhGaussian.log_prob with the tanh Jacobian's sign flipped: + log(1 - c^2)."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        correct, clip = dist.log_prob, self.clip_actions_on_log_prob

        def log_prob(value: torch.Tensor) -> torch.Tensor:
            c = value.to(dist.loc.dtype).clamp(*clip)
            return correct(value) + 2 * (torch.log1p(-c) + torch.log1p(c))

        dist.log_prob = log_prob
        return dist
