"""CleanRL-style SAC's tanh-squashed Gaussian (TanhGaussian only), a formula adapter: the
published formulas, written here, behind the amago API.

The actor's vec = [mean, raw] (2 d values) gives log std = LOG_STD_MIN + (LOG_STD_MAX -
LOG_STD_MIN)(tanh(raw) + 1)/2, std = exp(log std); a draw is a = tanh(x), x = mean + std eps;
its log-density is the formula with a 1e-6 inside the Jacobian's log:

    log p(a) = sum_j [log N(x_j; mean_j, std_j) - log(1 - tanh(x_j)^2 + 1e-6)].

CleanRL scores its own draws from x (the sampling path: log_prob of the tensor the last
sample/rsample returned uses that draw's x). An external action is scored by the same
formula at x = atanh(a), which is what a user of the formula gets: inf at |a| = 1. The 1e-6
is a deliberate bias, reported by the audit as error against the exact density.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
from torch.distributions import Normal

from policy_dists_adapters.declared import DeclaredOutput

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0
JACOBIAN_EPSILON = 1e-6

# The parameterization in the catalogue's terms: CleanRL's log-std map is the amago
# tanh_bounded_positive with low = e^-5 and high = e^2, and CleanRL clips no action.
DECLARED_CONFIGS = {
    "TanhGaussian": {
        "std_low": math.exp(LOG_STD_MIN),
        "std_high": math.exp(LOG_STD_MAX),
        "std_activation": "tanh_bounded_positive",
        "clip_actions_on_log_prob": (-1.0, 1.0),
    }
}


def tanh_bounded_positive(raw: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """CleanRL's std: exp(log low + (log high - log low)(tanh(raw) + 1)/2)."""
    log_low, log_high = math.log(low), math.log(high)
    return torch.exp(log_low + 0.5 * (log_high - log_low) * (torch.tanh(raw) + 1))


class SquashedNormal:
    """a = tanh(x), x ~ N(mean, std), scored by CleanRL's formula (module docstring)."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.normal = Normal(mean, std, validate_args=False)
        self._drawn: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def loc(self) -> torch.Tensor:
        return self.normal.loc

    @property
    def scale(self) -> torch.Tensor:
        return self.normal.scale

    @property
    def mean(self) -> torch.Tensor:
        return torch.tanh(self.normal.loc)

    def rsample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        x = self.normal.rsample(sample_shape)
        action = torch.tanh(x)
        self._drawn = (action, x)
        return action

    def sample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        with torch.no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, action: torch.Tensor) -> torch.Tensor:
        """(..., d), the formula's terms per action dimension (CleanRL sums them): at the
        draw's x for the last draw, else at x = atanh(a)."""
        own = self._drawn is not None and action is self._drawn[0]
        x = self._drawn[1] if own else torch.atanh(action)
        jacobian = torch.log(1 - torch.tanh(x).pow(2) + JACOBIAN_EPSILON)
        return self.normal.log_prob(x) - jacobian


class TanhGaussian(DeclaredOutput):
    """The amago TanhGaussian API over CleanRL's actor head (its parameterization only)."""

    declared = DECLARED_CONFIGS["TanhGaussian"]
    activations: ClassVar = {"tanh_bounded_positive": tanh_bounded_positive}
    values_per_action = 2

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        mean, raw = vec.split(self.d_action, dim=-1)
        std = tanh_bounded_positive(raw, self.declared["std_low"], self.declared["std_high"])
        return SquashedNormal(mean, std)
