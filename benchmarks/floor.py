"""Baseline (b): the implementation's math as plain tensor ops, no Distribution objects.

The practical floor in eager mode: the fewest kernels that compute the same densities
(SPEC §4, exact own-sample scoring included), the same sampling distributions and the same
gradients (Beta's exact implicit one), without input validation, NaN propagation or
saturation guards. Categorical draws use the inverse
CDF (one uniform per row) since any exact sampler is the same distribution.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from benchmarks.cases import D_ACTION, GMM_MODES
from benchmarks.kernels import Kernels
from policy_dists.beta import ImplicitBetaSample
from policy_dists.beta_functions import beta_log_density, digamma_shifts

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
LOG_2 = math.log(2.0)
TANH_GAUSSIAN_LOG_STD = (-5.0, 2.0)
TANH_GAUSSIAN_CLIP = 0.99
GMM_STD_LOW = 1e-4
GMM_CLIP = 1.0 - 1e-6
BETA_LOW = 1.0001
BETA_CLIP = 0.99
DISCRETE_CLIP = (0.001, 0.99)
GUMBEL_TEMPERATURE = 0.5

_Tensors = tuple[torch.Tensor, ...]


def _split(vec: torch.Tensor, sizes: list[int]) -> _Tensors:
    """vec split along its last axis into contiguous parts. Transcendental ops on a strided
    slice whose rows hold a few elements run a scalar loop on CPU, ~10x slower than on a
    contiguous copy, and split's backward is one cat, not a zero-filled buffer per slice."""
    return tuple(part.contiguous() for part in vec.split(sizes, dim=-1))


def _normal_log_density(x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (x - loc).div(scale).square().mul(-0.5) - scale.log() - HALF_LOG_2PI


def _log1m_tanh_sq(u: torch.Tensor) -> torch.Tensor:
    """log(1 - tanh(u)^2) = 2 (log 2 - |u| - softplus(-2|u|))."""
    abs_u = u.abs()
    return 2.0 * (LOG_2 - abs_u - F.softplus(-2.0 * abs_u))


def _atanh_and_log1m_sq(action: torch.Tensor, bound: float) -> _Tensors:
    """(atanh c, log(1 - c^2)) of c = clamp(action, -bound, bound), from log1p(±c)."""
    c = action.clamp(-bound, bound)
    log1p_c, log1m_c = torch.log1p(c), torch.log1p(-c)
    return 0.5 * (log1p_c - log1m_c), log1p_c + log1m_c


def _categorical(probs: torch.Tensor) -> torch.Tensor:
    """Indices k ~ Categorical(probs) over the last axis by the inverse CDF, shape batch."""
    cdf = probs.cumsum(-1)
    u = torch.rand_like(cdf[..., -1:]) * cdf[..., -1:]
    return torch.searchsorted(cdf, u, right=True).clamp_max(probs.shape[-1] - 1).squeeze(-1)


class TanhGaussian(Kernels):
    """(mu, std) with std = exp(-5 + 7 sigmoid(2 x)); training scores u, not atanh(a)."""

    def forward(self, vec: torch.Tensor) -> _Tensors:
        mu, raw_std = vec.chunk(2, dim=-1)
        low, high = TANH_GAUSSIAN_LOG_STD
        return mu, torch.sigmoid(2.0 * raw_std).mul(high - low).add(low).exp()

    @staticmethod
    def _presquash(params: _Tensors) -> torch.Tensor:
        mu, std = params
        return mu + std * torch.randn_like(mu)

    def sample(self, params: _Tensors) -> torch.Tensor:
        with torch.no_grad():
            return torch.tanh(self._presquash(params))

    def rsample(self, params: _Tensors) -> torch.Tensor:
        return torch.tanh(self._presquash(params))

    def log_prob(self, params: _Tensors, action: torch.Tensor) -> torch.Tensor:
        atanh_c, log1m_c_sq = _atanh_and_log1m_sq(action, TANH_GAUSSIAN_CLIP)
        return _normal_log_density(atanh_c, *params) - log1m_c_sq

    def train_loss(self, vec: torch.Tensor) -> torch.Tensor:
        """rsample, then its log-density from the pre-squash u (SPEC §4 own samples)."""
        params = self.forward(vec)
        u = self._presquash(params)
        log_prob = _normal_log_density(u, *params) - _log1m_tanh_sq(u)
        return log_prob.sum() + torch.tanh(u).sum()


class GMM(Kernels):
    """(means, stds, log weights); the mixture density is one logsumexp over modes."""

    def forward(self, vec: torch.Tensor) -> _Tensors:
        split = GMM_MODES * D_ACTION
        means, raw_std, logits = _split(vec, [split, split, GMM_MODES])
        modes = (GMM_MODES, D_ACTION)
        means, stds = (
            means.unflatten(-1, modes),
            (F.softplus(raw_std) + GMM_STD_LOW).unflatten(-1, modes),
        )
        return means, stds, torch.log_softmax(logits, dim=-1)

    @staticmethod
    def _presquash(params: _Tensors) -> torch.Tensor:
        means, stds, log_weights = params
        with torch.no_grad():
            index = _categorical(log_weights.exp())[..., None, None].expand(
                *log_weights.shape[:-1], 1, D_ACTION
            )
            loc = means.gather(-2, index).squeeze(-2)
            return loc + stds.gather(-2, index).squeeze(-2) * torch.randn_like(loc)

    @staticmethod
    def _mixture_log_density(params: _Tensors, u: torch.Tensor) -> torch.Tensor:
        means, stds, log_weights = params
        z_sq = (u.unsqueeze(-2) - means).div(stds).square().sum(-1)
        per_mode = log_weights - 0.5 * z_sq - stds.log().sum(-1)
        return torch.logsumexp(per_mode, dim=-1) - D_ACTION * HALF_LOG_2PI

    def sample(self, params: _Tensors) -> torch.Tensor:
        return torch.tanh(self._presquash(params))

    def log_prob(self, params: _Tensors, action: torch.Tensor) -> torch.Tensor:
        atanh_c, log1m_c_sq = _atanh_and_log1m_sq(action, GMM_CLIP)
        return (self._mixture_log_density(params, atanh_c) - log1m_c_sq.sum(-1)).unsqueeze(-1)

    def train_loss(self, vec: torch.Tensor) -> torch.Tensor:
        """sample, then its log-density from the pre-squash u (SPEC §4 own samples); the
        squashed action itself is not needed by the loss."""
        params = self.forward(vec)
        u = self._presquash(params)
        log_prob = self._mixture_log_density(params, u) - _log1m_tanh_sq(u).sum(-1)
        return log_prob.sum()


class _BetaParameters:
    """alpha, beta and their digamma shifts, which the backward passes of the sample and of
    log_prob share: evaluated once, by the first operation whose backward needs them (as
    the implementation does)."""

    def __init__(self, alpha: torch.Tensor, beta: torch.Tensor) -> None:
        self.alpha = alpha
        self.beta = beta
        self._shifts: torch.Tensor | None = None

    def shifts(self) -> torch.Tensor | None:
        if not (torch.is_grad_enabled() and self.alpha.requires_grad):
            return None
        if self._shifts is None:
            with torch.no_grad():
                self._shifts = digamma_shifts(self.alpha, self.beta)
        return self._shifts


class Beta(Kernels):
    """(alpha, beta) = softplus + 1.0001, with the implementation's special functions: the
    exact implicit gradient (not torch's Dirichlet kernel, accurate to ~1e-3 only) and the
    log-density (log B by the lbeta split in float64, log x and log(1 - x) from the exact
    smaller of x and 1 - x). No cheaper formulation of the same accuracy is known to us: the
    textbook (alpha - 1) log1p(c) + (beta - 1) log1p(-c) - log B, in float32 with log B from
    float64 lgamma (this floor until 2026-12), is off by 40, 170 and 1600 eps max(1, |log p|)
    at alpha, beta ~ 30, 100 and 1000 (float32 eps; 50 points in the bulk each, against
    40-digit mpmath), where the implementation's stays below 0.7. So impl / floor
    and textbook / floor compare the same math."""

    def forward(self, vec: torch.Tensor) -> _BetaParameters:
        return _BetaParameters(*(F.softplus(vec) + BETA_LOW).chunk(2, dim=-1))

    def sample(self, params: _BetaParameters) -> torch.Tensor:
        with torch.no_grad():
            return self.rsample(params)

    def rsample(self, params: _BetaParameters) -> torch.Tensor:
        x = ImplicitBetaSample.apply(params.alpha, params.beta, params.shifts())
        return 2.0 * x - 1.0

    def log_prob(self, params: _BetaParameters, action: torch.Tensor) -> torch.Tensor:
        c = action.clamp(-BETA_CLIP, BETA_CLIP)
        log_density = beta_log_density(c, params.alpha, params.beta, False, params.shifts())
        return log_density - LOG_2


def _clipped_probs(vec: torch.Tensor) -> torch.Tensor:
    clipped = torch.softmax(vec, dim=-1).clamp(*DISCRETE_CLIP)
    return clipped / clipped.sum(-1, keepdim=True)


class Discrete(Kernels):
    """The clipped, renormalized probabilities r; log_prob gathers before the log."""

    def forward(self, vec: torch.Tensor) -> torch.Tensor:
        return _clipped_probs(vec)

    def sample(self, probs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return _categorical(probs)

    def log_prob(self, probs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        return probs.gather(-1, action.unsqueeze(-1)).log().squeeze(-1)


class DiscreteLikeContinuous(Kernels):
    """(r, log r); rsample is straight-through Gumbel-softmax with -log(-log U) noise."""

    def forward(self, vec: torch.Tensor) -> _Tensors:
        probs = _clipped_probs(vec)
        return probs, probs.log()

    def sample(self, params: _Tensors) -> torch.Tensor:
        probs, _ = params
        with torch.no_grad():
            index = _categorical(probs).unsqueeze(-1)
            return torch.zeros_like(probs).scatter_(-1, index, 1.0)

    def rsample(self, params: _Tensors) -> torch.Tensor:
        _, logits = params
        perturbed = logits - torch.rand_like(logits).log().neg().log()
        soft = torch.softmax(perturbed / GUMBEL_TEMPERATURE, dim=-1)
        hard = torch.zeros_like(soft).scatter_(-1, perturbed.argmax(-1, keepdim=True), 1.0)
        return hard + (soft - soft.detach())

    def log_prob(self, params: _Tensors, action: torch.Tensor) -> torch.Tensor:
        _, logits = params
        return logits.gather(-1, action.argmax(-1, keepdim=True)).squeeze(-1)


class Multibinary(Kernels):
    """The logits themselves; log_prob is -BCE-with-logits."""

    def forward(self, vec: torch.Tensor) -> torch.Tensor:
        return vec

    def sample(self, logits: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            # Comparing uniforms is 2x faster than torch.bernoulli from B = 256 on (CPU).
            return (torch.rand_like(logits) < torch.sigmoid(logits)).to(logits.dtype)

    def log_prob(self, logits: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        return -F.binary_cross_entropy_with_logits(logits, action, reduction="none")


VARIANTS = {
    "TanhGaussian": TanhGaussian,
    "GMM": GMM,
    "Beta": Beta,
    "Discrete": Discrete,
    "DiscreteLikeContinuous": DiscreteLikeContinuous,
    "Multibinary": Multibinary,
}
