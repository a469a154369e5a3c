"""DiscreteLikeContinuous.rsample returning the soft Gumbel-softmax sample: no straight-through
hard forward value."""

import torch

import policy_dists
from policy_dists import *  # noqa: F403


class DiscreteLikeContinuous(policy_dists.DiscreteLikeContinuous):
    def rsample(self, sample_shape: tuple[int, ...] = ()) -> torch.Tensor:
        shape = torch.Size(sample_shape) + self.logits.shape
        gumbel = -torch.empty(shape, dtype=self.logits.dtype).exponential_().log()
        return torch.softmax((self.logits + gumbel) / self.gumbel_softmax_temperature, dim=-1)
