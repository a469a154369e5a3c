"""softplus_bounded_positive as log(1 + exp(x)) + low, GMM's default std activation: exp
overflows past x = 88 (float32), so the std is inf and its gradient inf/inf = NaN."""

import torch

import policy_dists
from policy_dists import *  # noqa: F403


def softplus_bounded_positive(
    x: torch.Tensor, low: float, high: float | None = None
) -> torch.Tensor:
    out = torch.log(1 + torch.exp(x)) + low
    return out if high is None else out.clamp(max=high)


class GMM(policy_dists.GMM):
    def __init__(self, *args: object, std_activation: object = softplus_bounded_positive, **kwargs):
        if std_activation is policy_dists.softplus_bounded_positive:
            std_activation = softplus_bounded_positive
        super().__init__(*args, std_activation=std_activation, **kwargs)
