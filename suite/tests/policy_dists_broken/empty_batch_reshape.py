"""Discrete.forward that flattens vec with a -1 axis, which is ambiguous for an empty batch."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Discrete(policy_dists.Discrete):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        return super().forward(vec.reshape(*vec.shape[:-1], -1), log_dict)
