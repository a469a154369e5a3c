"""Beta.rsample whose implicit-reparameterization gradient has the wrong sign."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Beta(policy_dists.Beta):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        correct = dist.rsample

        def rsample(sample_shape: tuple[int, ...] = ()) -> torch.Tensor:
            a = correct(sample_shape)
            return 2 * a.detach() - a  # the same value, the gradient negated

        dist.rsample = rsample
        return dist
