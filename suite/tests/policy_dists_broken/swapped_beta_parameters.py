"""Beta with alpha and beta swapped: alpha read from the second half of vec."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Beta(policy_dists.Beta):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        d = self.d_action
        return super().forward(torch.cat([vec[..., d:], vec[..., :d]], dim=-1), log_dict)
