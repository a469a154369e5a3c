"""Multibinary with the logit's sign convention flipped: Bernoulli(logits = -vec)."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Multibinary(policy_dists.Multibinary):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        return super().forward(-vec, log_dict)
