"""Stable-Baselines3's policy outputs behind the amago API: SAC's squashed Gaussian
(TanhGaussian), CategoricalDistribution (Discrete), BernoulliDistribution (Multibinary).

SB3's classes do the math; this module maps vec to their parameters and their results to the
API's shapes. SAC's actor reads vec = [mean, log std] and clamps the log std to [LOG_STD_MIN,
LOG_STD_MAX] = [-20, 2] (sac.policies; the clamp is restated here with SB3's constants, the
actor's only operation between its network and the distribution). SquashedDiagGaussian-
Distribution scores an action as log N(x) - sum log(1 - a^2 + 1e-6), x = TanhBijector.inverse(a)
(atanh of a clamped to ±(1 - finfo.eps)); on the sampling path SB3 passes the draw's x instead
(log_prob of the tensor the last sample/rsample returned does so here). SB3 has no entropy
for it, no clip of actions, no probability clip for the categorical and no
DiscreteLikeContinuous, GMM or Beta (absent here: not applicable).
"""

from __future__ import annotations

from typing import ClassVar

import torch
from stable_baselines3.common.distributions import (
    BernoulliDistribution,
    CategoricalDistribution,
    SquashedDiagGaussianDistribution,
)
from stable_baselines3.sac.policies import LOG_STD_MAX, LOG_STD_MIN
from torch.distributions import Bernoulli, Categorical

from policy_dists_adapters.declared import DeclaredOutput
from policy_dists_adapters.squashed_formula import clamped_log_std_config, exp_clamped_log_std

# The parameterizations in the catalogue's terms, for the audit and the reference.
DECLARED_CONFIGS = {
    "TanhGaussian": clamped_log_std_config(LOG_STD_MIN, LOG_STD_MAX),
    "Discrete": {"clip_prob_low": 0.0, "clip_prob_high": 1.0},
    "Multibinary": {},
}


class SquashedNormal:
    """SB3's SquashedDiagGaussianDistribution at (mean, log std), for any leading shape, one
    log-density per action dimension (the API's (..., d)): SB3 takes (batch, d) and sums over
    d, so every entry is its own batch row of one dimension, and the shape is restored."""

    def __init__(self, mean: torch.Tensor, log_std: torch.Tensor) -> None:
        self._mean, self._log_std = mean, log_std
        self._drawn: tuple[torch.Tensor, torch.Tensor] | None = None

    def _sb3(self, shape: torch.Size) -> SquashedDiagGaussianDistribution:
        mean = self._mean.expand(shape).reshape(-1, 1)
        log_std = self._log_std.expand(shape).reshape(-1, 1)
        return SquashedDiagGaussianDistribution(1).proba_distribution(mean, log_std)

    @property
    def loc(self) -> torch.Tensor:
        return self._mean

    @property
    def scale(self) -> torch.Tensor:
        return self._log_std.exp()

    @property
    def mean(self) -> torch.Tensor:
        return torch.tanh(self._mean)

    def rsample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        shape = torch.Size(sample_shape) + self._mean.shape
        sb3 = self._sb3(shape)
        action = sb3.sample().reshape(shape)
        self._drawn = (action, sb3.gaussian_actions.reshape(shape))
        return action

    def sample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        with torch.no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, action: torch.Tensor) -> torch.Tensor:
        """(..., d): SB3's log_prob, given the draw's x for the last draw."""
        shape = torch.broadcast_shapes(action.shape, self._mean.shape)
        own = self._drawn is not None and action is self._drawn[0]
        x = self._drawn[1].reshape(-1, 1) if own else None
        flat = action.expand(shape).reshape(-1, 1)
        return self._sb3(shape).log_prob(flat, x).reshape(shape)


class TanhGaussian(DeclaredOutput):
    """The amago TanhGaussian API over SAC's squashed Gaussian (its parameterization only)."""

    declared = DECLARED_CONFIGS["TanhGaussian"]
    activations: ClassVar = {"exp_clamped_log_std": exp_clamped_log_std}
    values_per_action = 2

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        mean, log_std = vec.split(self.d_action, dim=-1)
        return SquashedNormal(mean, torch.clamp(log_std, LOG_STD_MIN, LOG_STD_MAX))


class IndexActions:
    """SB3's categorical (torch's Categorical) with the API's action layout: draws of shape
    batch_shape + (1,), and log_prob of such indices (a trailing 1 beyond batch_shape is the
    action axis)."""

    def __init__(self, categorical: Categorical) -> None:
        self.categorical = categorical

    @property
    def probs(self) -> torch.Tensor:
        return self.categorical.probs

    @property
    def logits(self) -> torch.Tensor:
        return self.categorical.logits

    def sample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        return self.categorical.sample(torch.Size(sample_shape)).unsqueeze(-1)

    def log_prob(self, index: torch.Tensor) -> torch.Tensor:
        if index.dim() > len(self.categorical.batch_shape) and index.shape[-1] == 1:
            index = index.squeeze(-1)
        return self.categorical.log_prob(index)

    def entropy(self) -> torch.Tensor:
        return self.categorical.entropy()


class Discrete(DeclaredOutput):
    """The amago Discrete API over SB3's CategoricalDistribution (no probability clip)."""

    declared = DECLARED_CONFIGS["Discrete"]

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> IndexActions:
        sb3 = CategoricalDistribution(self.d_action).proba_distribution(vec)
        return IndexActions(sb3.distribution)


class Multibinary(DeclaredOutput):
    """The amago Multibinary API over SB3's BernoulliDistribution: its per-dimension
    distribution (SB3's log_prob and entropy are that one's, summed over dimension 1)."""

    declared = DECLARED_CONFIGS["Multibinary"]

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Bernoulli:
        return BernoulliDistribution(self.d_action).proba_distribution(vec).distribution
