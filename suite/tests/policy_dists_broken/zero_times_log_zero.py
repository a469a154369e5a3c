"""Beta.log_prob forming (alpha - 1) log x by multiplication: 0 * -inf = NaN at x = 0 when
alpha = 1 (torch.xlogy gives the limit, 0)."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Beta(policy_dists.Beta):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        correct = dist.log_prob

        def log_prob(value: torch.Tensor) -> torch.Tensor:
            x = (value.to(dist.alpha.dtype).clamp(*dist.clip) + 1) / 2
            product = (dist.alpha - 1) * torch.log(x) + (dist.beta - 1) * torch.log1p(-x)
            limit = torch.xlogy(dist.alpha - 1, x) + torch.xlogy(dist.beta - 1, 1 - x)
            return correct(value) + (product - limit)

        dist.log_prob = log_prob
        return dist
