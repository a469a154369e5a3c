"""TanhGaussian whose .mean drops the memory of its own samples, as torch's one-entry
transform cache does when mean pushes loc through the tanh: own samples are then scored by
atanh of the clipped action."""

import torch

import policy_dists
from policy_dists import *  # noqa: F403
from policy_dists.own_samples import OwnSamples
from policy_dists.tanh_gaussian import SquashedNormal


class ForgetfulSquashedNormal(SquashedNormal):
    @property
    def mean(self) -> torch.Tensor:
        self._own = OwnSamples()
        return super().mean


class TanhGaussian(policy_dists.TanhGaussian):
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        dist = super().forward(vec, log_dict)
        dist.__class__ = ForgetfulSquashedNormal
        return dist
