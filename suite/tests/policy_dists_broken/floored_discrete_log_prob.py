"""Discrete.log_prob floored at log(eps), as torch's Categorical(probs=...) does by clamping
the probabilities: a class of probability below eps scores log(eps)."""

import math

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Discrete(policy_dists.Discrete):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        correct = dist.log_prob

        def log_prob(value: torch.Tensor) -> torch.Tensor:
            result = correct(value)
            return result.clamp(min=math.log(torch.finfo(result.dtype).eps))

        dist.log_prob = log_prob
        return dist
