"""Multibinary: independent Bernoulli actions, one per dimension."""

from __future__ import annotations

import gin
import torch
from torch.distributions import Bernoulli, Distribution

from policy_dists import validation
from policy_dists.base import PolicyOutput
from policy_dists.numerics import softplus

_Shape = torch.Size | tuple[int, ...]


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    """1/(1 + e^-x) without underflow to 0: e^x/(1 + e^x) for x < 0.

    torch.sigmoid is 0 in float32 once e^-x overflows (x < -88.7), although
    sigmoid(-100) = 3.7e-44 is representable.
    """
    t = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + t), t / (1.0 + t))


class IndependentBernoulli(Bernoulli):
    """Bernoulli(logits) per dimension; ``mode`` is (probs > 0.5) as float (ties go to 0)."""

    def __init__(self, logits: torch.Tensor) -> None:
        # Bernoulli.__init__ would broadcast one tensor against nothing (broadcast_all, 2.8 us
        # of the 48 us training step at B = 256); its state is these three fields.
        self.logits = logits
        self._param = logits
        Distribution.__init__(self, batch_shape=logits.shape, validate_args=False)

    @property
    def probs(self) -> torch.Tensor:
        return _sigmoid(self.logits)

    def sample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        """floor(p + V) with V uniform in [0, 1): 1 exactly when V >= 1 - p, probability p.

        p + V rounds once, which moves the odds by at most half an ulp of 1 (eps/2, 2^-24
        in float32: the spacing of V's own grid). A NaN logit gives a NaN sample
        (torch.bernoulli would raise instead).
        """
        with torch.no_grad():
            x = self.logits
            uniform = torch.rand(self._extended_shape(sample_shape), dtype=x.dtype, device=x.device)
            return torch.floor(uniform.add_(torch.sigmoid(x)))

    @property
    def mode(self) -> torch.Tensor:
        return (self.logits > 0).to(self.logits.dtype)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        """log p(k) = -softplus(x (1 - 2k)): -softplus(-x) at k = 1, -softplus(x) at k = 0.

        Exact to the last bit where torch's binary_cross_entropy_with_logits is not: it
        returns -0.0 for log p = -9.4e-14 at x = 30 in float32 and is off by 1% in float64.
        A k outside {0, 1} (with validation off) is not an action: its value is that formula,
        not torch's soft-label cross-entropy.
        """
        if validation.validation_enabled() and not bool(((value == 0) | (value == 1)).all()):
            raise ValueError("Multibinary: actions must be 0 or 1")
        k = value.to(self.logits.dtype)
        # 2k - 1 is exactly ±1, so (2k - 1) x is exactly ∓x; softplus(., beta=-1) negates.
        return softplus(torch.rsub(k, -1.0, alpha=-2.0) * self.logits, beta=-1.0)

    def entropy(self) -> torch.Tensor:
        """p softplus(-x) + (1 - p) softplus(x): two non-negative terms, no cancellation."""
        # In float32 the small term is subnormal beyond |x| ~ 87 and would keep only a few
        # bits; float64 holds it as a normal number, rounded once at the end.
        x = self.logits.double() if self.logits.dtype != torch.float64 else self.logits
        entropy = _sigmoid(x) * softplus(-x) + _sigmoid(-x) * softplus(x)
        return entropy.to(self.logits.dtype)


@gin.configurable(module="policy_dists")
class Multibinary(PolicyOutput):
    """Independent Bernoulli(logits = vec) per action dimension; samples in {0, 1}."""

    @property
    def actions_differentiable(self) -> bool:
        return False

    @property
    def is_discrete(self) -> bool:
        return False

    @property
    def input_dimension(self) -> int:
        return self.d_action

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> IndependentBernoulli:
        return IndependentBernoulli(self._network_output(vec))
