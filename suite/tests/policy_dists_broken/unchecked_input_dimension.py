"""TanhGaussian that sizes mu and std from vec instead of checking vec against
input_dimension: 8 numbers for d_action = 3 give 4-dimensional actions."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        resized = policy_dists.TanhGaussian(
            vec.shape[-1] // 2,
            std_low=self.std_low,
            std_high=self.std_high,
            std_activation=self.std_activation,
            clip_actions_on_log_prob=self.clip_actions_on_log_prob,
        )
        return policy_dists.TanhGaussian.forward(resized, vec, log_dict)
