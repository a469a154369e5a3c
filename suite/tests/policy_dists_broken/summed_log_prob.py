"""TanhGaussian.log_prob summed over the action dimensions: shape (...,) instead of (..., d)."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        correct = dist.log_prob
        dist.log_prob = lambda value: correct(value).sum(-1)
        return dist
