"""Beta that computes a float16 vec in float16, where torch's Dirichlet sampler (behind the
Beta draw) has no kernel: a NotImplementedError in a mixed-precision training step."""

import torch

import policy_dists
from policy_dists import *  # noqa: F403


class Beta(policy_dists.Beta):
    def _network_output(self, vec: object) -> torch.Tensor:
        if isinstance(vec, torch.Tensor) and vec.dtype in (torch.float16, torch.bfloat16):
            return vec
        return super()._network_output(vec)
