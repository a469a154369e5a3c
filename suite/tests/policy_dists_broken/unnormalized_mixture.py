"""GMM whose mixture weights are exp(logits): the logits are not log-softmaxed."""

import torch
from torch.distributions import Distribution

import policy_dists
from policy_dists import *  # noqa: F403


class GMM(policy_dists.GMM):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        dist = super().forward(vec, log_dict)
        dist.log_weights = vec[..., 2 * self.gmm_modes * self.d_action :]
        return dist
