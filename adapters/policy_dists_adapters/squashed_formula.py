"""The shell of the formula adapters: a tanh-squashed Gaussian scored by a library's published
formula, written here from it. a = tanh(x), x ~ N(mean, std), per action dimension

    log p(a) = log N(x; mean, std) - log_jacobian(x),

with the library's log_jacobian (its estimate of log(1 - tanh(x)^2)). Those libraries score
their own draws from x (the sampling path: log_prob of the tensor the last sample/rsample
returned uses that draw's x); an external action is scored by the same formula at
x = atanh(a), which is what a user of the formula gets (inf at |a| = 1, NaN beyond).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import torch
from torch.distributions import Normal

from policy_dists_adapters.declared import DeclaredOutput

LogJacobian = Callable[[torch.Tensor], torch.Tensor]


def exp_clamped_log_std(raw: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """exp(clamp(raw, log low, log high)): raw read as a log std, clamped as the actors of
    SB3, Spinning Up and tianshou do (log std in [-20, 2])."""
    return torch.exp(torch.clamp(raw, math.log(low), math.log(high)))


def clamped_log_std_config(log_low: float, log_high: float) -> dict[str, object]:
    """The catalogue's TanhGaussian configuration of an actor whose raw output is a log std
    clamped to [log_low, log_high], with no action clip (SB3, Spinning Up, tianshou)."""
    return {
        "std_low": math.exp(log_low),
        "std_high": math.exp(log_high),
        "std_activation": "exp_clamped_log_std",
        "clip_actions_on_log_prob": (-1.0, 1.0),
    }


class SquashedNormal:
    """a = tanh(x), x ~ N(mean, std), scored by `log_jacobian` (module docstring); log_prob
    per action dimension, (..., d)."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, log_jacobian: LogJacobian) -> None:
        self.normal = Normal(mean, std, validate_args=False)
        self.log_jacobian = log_jacobian
        self._drawn: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def loc(self) -> torch.Tensor:
        return self.normal.loc

    @property
    def scale(self) -> torch.Tensor:
        return self.normal.scale

    @property
    def mean(self) -> torch.Tensor:
        """tanh(mean), the formula libraries' deterministic action (the API's mean)."""
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
        """At the draw's x for the last draw, else at x = atanh(a)."""
        own = self._drawn is not None and action is self._drawn[0]
        x = self._drawn[1] if own else torch.atanh(action)
        return self.normal.log_prob(x) - self.log_jacobian(x)


class FormulaTanhGaussian(DeclaredOutput):
    """The amago TanhGaussian API over a formula library's actor head: vec = [mean, raw], std
    = the declared activation of raw, scored by the subclass's `log_jacobian`."""

    values_per_action = 2
    log_jacobian: ClassVar[LogJacobian]

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        mean, raw = vec.split(self.d_action, dim=-1)
        activation = self.activations[self.declared["std_activation"]]
        std = activation(raw, self.declared["std_low"], self.declared["std_high"])
        return SquashedNormal(mean, std, type(self).log_jacobian)
