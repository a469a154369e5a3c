"""Multibinary.log_prob from the probabilities, y log p + (1 - y) log(1 - p): 1 - p rounds,
so log(1 - p) loses relative accuracy as p -> 0 and is 0 once p < eps/2."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Multibinary(policy_dists.Multibinary):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)

        def log_prob(value: torch.Tensor) -> torch.Tensor:
            p = torch.sigmoid(dist.logits)
            y = value.to(p.dtype)
            return y * torch.log(p) + (1 - y) * torch.log(1 - p)

        dist.log_prob = log_prob
        return dist
