"""GMM: a = tanh(u), u ~ sum_m w_m N(mu_m, diag sigma_m^2), a tanh-squashed Gaussian mixture."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import gin
import torch
from torch.distributions import Distribution, constraints

from policy_dists import validation
from policy_dists.activations import (
    require_activation_bounds,
    resolve_activation,
    softplus_bounded_positive,
)
from policy_dists.arguments import require_clip_bounds, require_int
from policy_dists.base import PolicyOutput, log_activation_stats
from policy_dists.gaussian_mixture_log_density import GaussianMixtureLogDensity
from policy_dists.numerics import (
    HALF_LOG_2PI,
    LOG_2,
    atanh_and_log1m_sq,
    log_2cosh,
    split_endpoints,
)
from policy_dists.own_samples import Draw, OwnSamples
from policy_dists.sampling import categorical_index, finite_presquash

_Shape = torch.Size | tuple[int, ...]


class TanhGaussianMixture(Distribution):
    """a = tanh(u), u ~ sum_m softmax(logits)_m N(means_m, diag stds_m^2); event shape (d,).

    ``means``, ``stds``: (..., M, d); ``logits``: (..., M). log_prob returns shape
    batch_shape + (1,): logsumexp_m [log w_m + sum_j log N(atanh c_j)] - sum_j log(1 - c_j^2)
    with c = clamp(a, *clip); samples this object returned are scored exactly from u.
    """

    arg_constraints: ClassVar[dict] = {}
    support = constraints.independent(constraints.interval(-1.0, 1.0), 1)
    has_rsample = False

    def __init__(
        self,
        means: torch.Tensor,
        stds: torch.Tensor,
        logits: torch.Tensor,
        clip: tuple[float, float],
    ) -> None:
        self.means = means
        self.stds = stds
        self.log_weights = torch.log_softmax(logits, dim=-1)
        self.clip = clip
        self._endpoints = clip[0] == -1.0 or clip[1] == 1.0  # clipped actions may be ±1
        self._own = OwnSamples()
        super().__init__(
            batch_shape=logits.shape[:-1], event_shape=means.shape[-1:], validate_args=False
        )

    @property
    def mean(self) -> torch.Tensor:
        """tanh(sum_m w_m mu_m): the squashed mixture location (upstream meaning, not E[a])."""
        weights = self.log_weights.exp().unsqueeze(-1)
        return torch.tanh((weights * self.means).sum(-2))

    def _mixture_log_density(self, u: torch.Tensor) -> torch.Tensor:
        """log sum_m w_m N(u; means_m, diag stds_m^2), shape u.shape[:-1]."""
        normalizer = self.event_shape[0] * HALF_LOG_2PI
        mixture = GaussianMixtureLogDensity.apply(u, self.means, self.stds, self.log_weights)
        return mixture - normalizer

    def sample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        with torch.no_grad():
            shape = torch.Size(sample_shape)
            weights = self.log_weights.exp()
            index = categorical_index(weights, shape)  # sample_shape + batch_shape
            index = index[..., None, None].expand(*index.shape, 1, self.event_shape[0])
            # One draw per mode from the same noise; the chosen mode's is kept.
            noise_shape = (*shape, *self.means.shape[:-2], 1, self.event_shape[0])
            noise = torch.randn(noise_shape, dtype=self.means.dtype, device=self.means.device)
            every_mode = finite_presquash(torch.addcmul(self.means, self.stds, noise))
            u = every_mode.gather(-2, index).squeeze(-2)
            # A NaN parameter of any mode, or weight, makes the sample NaN: every_mode and the
            # weights are finite, so their products with 0 are 0 unless NaN.
            leading = every_mode.shape[:-2]
            if weights.shape[:-1] != leading:  # sample_shape's axes
                weights = weights.expand(*leading, -1)
            probe = torch.cat((every_mode.flatten(-2), weights), -1)
            u = u + probe.mul_(0).sum(-1, keepdim=True)
            a = torch.tanh(u)
        self._own.remember(a, Draw(u))
        return a

    def sample_and_log_prob(self, sample_shape: _Shape = ()) -> tuple[torch.Tensor, torch.Tensor]:
        """(a, log p(a)) with log p from the exact pre-squash value, never clipped."""
        a = self.sample(sample_shape)
        return a, self.log_prob(a)

    def rsample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        raise NotImplementedError(
            "GMM: sampling a mixture component is not reparameterizable, so there is no "
            "rsample; use sample() and log_prob()"
        )

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        draw = self._own.draw_of(value)
        if draw is not None:
            u = draw.presquash
            # -log(1 - tanh(u)^2) = 2 log(2 cosh u) - 2 log 2, summed over the d actions.
            jacobian = torch.sub(log_2cosh(u).sum(-1), self.event_shape[0] * LOG_2)
            return torch.add(self._mixture_log_density(u), jacobian, alpha=2.0).unsqueeze(-1)
        validation.check_interval("GMM", "action", value, -1.0, 1.0)
        c = value.to(self.means.dtype).clamp(*self.clip)
        if not self._endpoints:
            return self._log_prob_clipped(c)
        at_end, interior = split_endpoints(c)
        log_prob = self._log_prob_clipped(interior)
        return torch.where(at_end.any(-1, keepdim=True), -math.inf, log_prob)

    def _log_prob_clipped(self, c: torch.Tensor) -> torch.Tensor:
        atanh_c, log1m_c_sq = atanh_and_log1m_sq(c)
        return (self._mixture_log_density(atanh_c) - log1m_c_sq.sum(-1)).unsqueeze(-1)

    def entropy(self) -> torch.Tensor:
        raise NotImplementedError(
            "GMM: the entropy of a tanh-squashed Gaussian mixture has no closed form"
        )


@gin.configurable(module="policy_dists")
class GMM(PolicyOutput):
    """Tanh-squashed Gaussian mixture: vec = [means (M d), raw stds (M d), logits (M)]."""

    def __init__(
        self,
        d_action: int,
        gmm_modes: int = 5,
        std_low: float = 1e-4,
        std_high: float | None = None,
        std_activation: Callable[[torch.Tensor, float, float], torch.Tensor] = (
            softplus_bounded_positive
        ),
        clip_actions_on_log_prob: tuple[float, float] = (-(1.0 - 1e-6), 1.0 - 1e-6),
    ) -> None:
        super().__init__(d_action)
        owner = type(self).__name__
        self.gmm_modes = require_int(owner, "gmm_modes", gmm_modes, minimum=1)
        self.std_activation = resolve_activation(owner, "std_activation", std_activation)
        self.std_low, self.std_high = require_activation_bounds(
            owner, self.std_activation, "std_low", std_low, "std_high", std_high
        )
        self.clip_actions_on_log_prob = require_clip_bounds(
            owner, "clip_actions_on_log_prob", clip_actions_on_log_prob
        )

    @property
    def actions_differentiable(self) -> bool:
        return False

    @property
    def is_discrete(self) -> bool:
        return False

    @property
    def input_dimension(self) -> int:
        return 2 * self.gmm_modes * self.d_action + self.gmm_modes

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> TanhGaussianMixture:
        vec = self._network_output(vec)
        split = self.gmm_modes * self.d_action
        modes = (*vec.shape[:-1], self.gmm_modes, self.d_action)
        # Contiguous pieces: elementwise kernels on strided views run many times slower, and
        # split's backward writes each piece's gradient once instead of zero-filling per slice.
        means, raw_std, logits = (
            piece.contiguous() for piece in vec.split([split, split, self.gmm_modes], dim=-1)
        )
        means, raw_std = means.reshape(modes), raw_std.reshape(modes)
        stds = self.std_activation(raw_std, self.std_low, self.std_high)
        if log_dict is not None:
            log_activation_stats(log_dict, "GMM-means", means)
            log_activation_stats(log_dict, "GMM-raw_std", raw_std)
            log_activation_stats(log_dict, "GMM-stds", stds)
            log_activation_stats(log_dict, "GMM-logits", logits)
        return TanhGaussianMixture(means, stds, logits, self.clip_actions_on_log_prob)
