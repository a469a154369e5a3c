"""Baseline (a): the torch.distributions compositions the original amago module uses, with
every operation and object it runs per call (its activations' clamp at +inf, GMM's einops
rearrange, its tanh wrapper's scale of 1.0, Discrete's Categorical(logits=vec) that yields the
probabilities, the gin-configurable wrapper object of DiscreteLikeContinuous), so that the
speed-up is the one a user switching over sees.

Every distribution is built with validate_args=False, so that argument checks (which the
suite plugin switches on by default) are not timed.
"""

from __future__ import annotations

import math

import gin
import torch
import torch.nn.functional as F
from einops import rearrange
from torch.distributions import (
    AffineTransform,
    Bernoulli,
    Categorical,
    Distribution,
    Independent,
    MixtureSameFamily,
    Normal,
    OneHotCategorical,
    TanhTransform,
    TransformedDistribution,
)
from torch.distributions import Beta as TorchBeta

from benchmarks.cases import D_ACTION, GMM_MODES
from benchmarks.kernels import DistributionKernels

TANH_GAUSSIAN_STD = (math.exp(-5.0), math.exp(2.0))
TANH_GAUSSIAN_CLIP = 0.99
GMM_STD_LOW = 1e-4
GMM_EPSILON = 1e-6
BETA_LOW = 1.0001
BETA_CLIP = 0.99
DISCRETE_CLIP = (0.001, 0.99)
GUMBEL_TEMPERATURE = 0.5


class _ClampedTanhTransform(TanhTransform):
    """torch's TanhTransform whose inverse clamps to ±0.99 first; cached samples bypass it."""

    def _inverse(self, y: torch.Tensor) -> torch.Tensor:
        return super()._inverse(y.clamp(-TANH_GAUSSIAN_CLIP, TANH_GAUSSIAN_CLIP))


def _softplus_bounded_positive(x: torch.Tensor, low: float) -> torch.Tensor:
    """softplus(x) + low, clamped at the upper bound, which is +inf here: the original clamps
    whether or not a bound is set."""
    return (F.softplus(x) + low).clamp(max=math.inf)


class TanhGaussian(DistributionKernels):
    """Normal(mu, std) through TanhTransform(cache_size=1) in a TransformedDistribution;
    std = exp(log low + (log high - log low) (tanh(x) + 1) / 2)."""

    def forward(self, vec: torch.Tensor) -> Distribution:
        mu, raw_std = vec.chunk(2, dim=-1)
        log_low, log_high = (math.log(s) for s in TANH_GAUSSIAN_STD)
        std = torch.exp(log_low + 0.5 * (log_high - log_low) * (torch.tanh(raw_std) + 1.0))
        base = Normal(mu, std, validate_args=False)
        return TransformedDistribution(
            base, [_ClampedTanhTransform(cache_size=1)], validate_args=False
        )


class _TanhMixture(Distribution):
    """The mixture of amago's GMM inside a Distribution whose tanh, and scale of 1.0, act
    outside the mixture object."""

    def __init__(self, means: torch.Tensor, stds: torch.Tensor, logits: torch.Tensor) -> None:
        super().__init__(validate_args=False)
        self.scale = 1.0
        self.mixture = MixtureSameFamily(
            Categorical(logits=logits, validate_args=False),
            Independent(Normal(means, stds, validate_args=False), 1, validate_args=False),
            validate_args=False,
        )


class GMM(DistributionKernels):
    """MixtureSameFamily(Categorical, Independent(Normal, 1)) squashed by tanh; log_prob uses
    atanh with 1 ± a clamped at 1e-6 and the correction log(1 - a^2 + 1e-6)."""

    def forward(self, vec: torch.Tensor) -> _TanhMixture:
        split = GMM_MODES * D_ACTION
        pattern = "... g (m p) -> ... g m p"
        means = rearrange(vec[..., :split], pattern, m=GMM_MODES)
        raw_std = rearrange(vec[..., split : 2 * split], pattern, m=GMM_MODES)
        stds = _softplus_bounded_positive(raw_std, GMM_STD_LOW)
        return _TanhMixture(means, stds, vec[..., 2 * split :])

    def sample(self, dist: _TanhMixture) -> torch.Tensor:
        return torch.tanh(dist.mixture.sample().detach()) * dist.scale

    def log_prob(self, dist: _TanhMixture, action: torch.Tensor) -> torch.Tensor:
        action = action / dist.scale
        one_plus = (1.0 + action).clamp(min=GMM_EPSILON)
        one_minus = (1.0 - action).clamp(min=GMM_EPSILON)
        presquash = 0.5 * torch.log(one_plus / one_minus)
        correction = torch.log(1.0 - action * action + GMM_EPSILON).sum(-1)
        return (dist.mixture.log_prob(presquash) - correction).unsqueeze(-1)


class Beta(DistributionKernels):
    """torch Beta(alpha, beta) through AffineTransform(-1, 2); actions clamped to ±0.99."""

    def forward(self, vec: torch.Tensor) -> Distribution:
        raw_alpha, raw_beta = vec.chunk(2, dim=-1)
        alpha = _softplus_bounded_positive(raw_alpha, BETA_LOW)
        beta = _softplus_bounded_positive(raw_beta, BETA_LOW)
        base = TorchBeta(alpha, beta, validate_args=False)
        return TransformedDistribution(base, [AffineTransform(-1.0, 2.0)], validate_args=False)

    def log_prob(self, dist: Distribution, action: torch.Tensor) -> torch.Tensor:
        return dist.log_prob(action.clamp(-BETA_CLIP, BETA_CLIP))


def _clipped_categorical(vec: torch.Tensor) -> Categorical:
    """amago's Discrete: the probabilities of Categorical(logits=vec), clamped, renormalized by
    the detached sum, Categorical(probs)."""
    clipped = Categorical(logits=vec, validate_args=False).probs.clamp(*DISCRETE_CLIP)
    probs = clipped / clipped.sum(-1, keepdim=True).detach()
    return Categorical(probs=probs, validate_args=False)


class Discrete(DistributionKernels):
    """Categorical(probs = clamped softmax, renormalized); indices of shape batch_shape."""

    def forward(self, vec: torch.Tensor) -> Distribution:
        return _clipped_categorical(vec)


@gin.configurable(module="benchmarks.textbook")
class _OneHotWrapper:
    """amago's DiscreteLikeContinuous, a gin-configurable object built around each categorical:
    OneHotCategorical on its logits; rsample is F.gumbel_softmax(hard=True)."""

    def __init__(self, categorical: Categorical, gumbel_softmax_temperature: float = 0.5) -> None:
        self.dist = OneHotCategorical(logits=categorical.logits, validate_args=False)
        self.gumbel_softmax_temperature = gumbel_softmax_temperature

    def sample(self) -> torch.Tensor:
        return self.dist.sample()

    def rsample(self) -> torch.Tensor:
        return F.gumbel_softmax(
            self.dist.logits, tau=self.gumbel_softmax_temperature, hard=True, dim=-1
        )

    def log_prob(self, action: torch.Tensor) -> torch.Tensor:
        return self.dist.log_prob(action)


class DiscreteLikeContinuous(DistributionKernels):
    """The gin-configurable one-hot wrapper around the clipped categorical."""

    def forward(self, vec: torch.Tensor) -> _OneHotWrapper:
        return _OneHotWrapper(_clipped_categorical(vec), GUMBEL_TEMPERATURE)


class Multibinary(DistributionKernels):
    """Bernoulli(logits=vec)."""

    def forward(self, vec: torch.Tensor) -> Distribution:
        return Bernoulli(logits=vec, validate_args=False)


VARIANTS = {
    "TanhGaussian": TanhGaussian,
    "GMM": GMM,
    "Beta": Beta,
    "Discrete": Discrete,
    "DiscreteLikeContinuous": DiscreteLikeContinuous,
    "Multibinary": Multibinary,
}
