"""TanhGaussian sampling u = mu + sigma^2 e (the variance used as the scale); log_prob right."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)

        def rsample(sample_shape: tuple[int, ...] = ()) -> torch.Tensor:
            shape = dist._extended_shape(sample_shape)
            e = torch.randn(shape, dtype=dist.loc.dtype, device=dist.loc.device)
            return torch.tanh(dist.loc + dist.scale**2 * e)

        def sample(sample_shape: tuple[int, ...] = ()) -> torch.Tensor:
            with torch.no_grad():
                return rsample(sample_shape)

        dist.rsample, dist.sample = rsample, sample
        return dist
