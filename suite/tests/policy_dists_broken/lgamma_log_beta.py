"""Beta.log_prob with log B(alpha, beta) = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta):
the terms cancel, losing digits as alpha + beta grows."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403
from policy_dists.beta_functions import lbeta


class Beta(policy_dists.Beta):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        correct = dist.log_prob

        def log_prob(value: torch.Tensor) -> torch.Tensor:
            a, b = dist.alpha, dist.beta
            cancelling = torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)
            return correct(value) + lbeta(a, b) - cancelling

        dist.log_prob = log_prob
        return dist
