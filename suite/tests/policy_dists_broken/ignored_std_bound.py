"""TanhGaussian whose std activation ignores std_low and std_high: plain softplus."""

import torch
import torch.nn.functional as F
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


def _unbounded(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    return F.softplus(x)


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        self.std_activation = _unbounded
        return super().forward(vec, log_dict)
