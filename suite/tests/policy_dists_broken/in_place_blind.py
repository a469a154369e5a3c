"""TanhGaussian that recognizes its own samples by identity alone: a sample modified in place
is still scored from its old pre-squash value."""

import torch

import policy_dists
from policy_dists import *  # noqa: F403
from policy_dists.own_samples import Draw, OwnSamples
from policy_dists.tanh_gaussian import SquashedNormal


class IdentityOnly(OwnSamples):
    def draw_of(self, value: torch.Tensor) -> Draw | None:
        for ref, draw, _ in self._entries:
            if ref() is value:
                return draw
        return None


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        dist = super().forward(vec, log_dict)
        dist._own = IdentityOnly()
        return dist
