"""Beta.rsample through torch.distributions.Beta, whose Dirichlet gradient is an
approximation, not the implicit reparameterization's exact dx/dtheta."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class Beta(policy_dists.Beta):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)

        def rsample(sample_shape: tuple[int, ...] = ()) -> torch.Tensor:
            beta = torch.distributions.Beta(dist.alpha, dist.beta, validate_args=False)
            return 2 * beta.rsample(sample_shape) - 1

        dist.rsample = rsample
        return dist
