"""Discrete: a categorical over d actions with probabilities clipped and renormalized."""

from __future__ import annotations

import math
from typing import ClassVar

import gin
import numpy as np
import torch
from torch.distributions import Distribution, constraints

from policy_dists import validation
from policy_dists.arguments import require_real
from policy_dists.base import PolicyOutput, log_activation_stats
from policy_dists.sampling import categorical_index

_Shape = torch.Size | tuple[int, ...]
# The working dtypes and their numpy types, in which the clip bounds are rounded (SPEC §2).
_WORKING_TYPES = ((torch.float32, np.float32), (torch.float64, np.float64))


def _log(value: float) -> float:
    return math.log(value) if value > 0 else -math.inf


def gather_logits(logits: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """logits[..., k] at the indices ``index``, broadcast against logits.shape[:-1]."""
    batch = logits.shape[:-1]
    if index.shape == batch:
        # The common case skips torch.broadcast_shapes, ~30 us a call (it runs in Python).
        return logits.gather(-1, index.unsqueeze(-1)).squeeze(-1)
    shape = torch.broadcast_shapes(index.shape, batch)
    logits = logits.expand(*shape, logits.shape[-1])
    return logits.gather(-1, index.expand(shape).unsqueeze(-1)).squeeze(-1)


class ClippedCategorical(Distribution):
    """Categorical with probabilities ``probs`` and their logarithms ``logits`` (..., d), both
    given (each computed in its own space); samples are indices of shape
    sample_shape + batch_shape + (1,), the upstream action layout."""

    arg_constraints: ClassVar[dict] = {}
    has_enumerate_support = True

    def __init__(self, logits: torch.Tensor, probs: torch.Tensor) -> None:
        self.logits = logits
        self.probs = probs
        super().__init__(batch_shape=logits.shape[:-1], validate_args=False)

    @property
    def num_actions(self) -> int:
        return self.probs.shape[-1]

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self.num_actions - 1)

    @property
    def mean(self) -> torch.Tensor:
        """NaN: action indices have no meaningful mean (as torch's Categorical)."""
        return self.probs.new_full((*self.batch_shape, 1), float("nan"))

    @property
    def mode(self) -> torch.Tensor:
        """The most probable index, shaped like one sample(): batch_shape + (1,)."""
        return self.probs.argmax(-1, keepdim=True)

    def sample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        with torch.no_grad():
            return categorical_index(self.probs, torch.Size(sample_shape)).unsqueeze(-1)

    def rsample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        raise NotImplementedError(
            "Discrete: categorical samples are not reparameterizable; wrap the distribution "
            "in DiscreteLikeContinuous for straight-through Gumbel-softmax rsample()"
        )

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        """log probs[k] for indices of shape batch_shape (broadcastable) or sample()'s shape.

        A trailing singleton axis beyond batch_shape is read as sample()'s action axis.
        """
        if validation.validation_enabled():
            valid = (value == value.round()) & (value >= 0) & (value < self.num_actions)
            if not bool(valid.all()):
                raise ValueError(
                    f"Discrete: action indices must be integers in [0, {self.num_actions})"
                )
        index = value.long()
        if index.shape[:-1] == self.batch_shape and index.shape[-1:] == (1,):
            # sample()'s layout, the common case: gather along the action axis as it is.
            return self.logits.gather(-1, index).squeeze(-1)
        if index.dim() > len(self.batch_shape) and index.shape[-1] == 1:
            index = index.squeeze(-1)
        return gather_logits(self.logits, index)

    def entropy(self) -> torch.Tensor:
        """-sum_k p_k log p_k, with 0 log 0 = 0 (and a zero gradient there)."""
        p = self.probs
        return -(p * torch.where(p > 0, self.logits, 0.0)).sum(-1)

    def enumerate_support(self, expand: bool = True) -> torch.Tensor:
        values = torch.arange(self.num_actions, device=self.probs.device)
        values = values.view((-1,) + (1,) * len(self.batch_shape) + (1,))
        if expand:
            values = values.expand((-1, *self.batch_shape, 1))
        return values


@gin.configurable(module="policy_dists")
class Discrete(PolicyOutput):
    """Categorical over d actions: p = softmax(vec), clipped to [low, high] and renormalized.

    r = q / sum(q) with q = clamp(p, low, high) is a valid categorical for every
    0 <= low <= high <= 1 with high > 0 (in float32), so these are the only constraints; as
    upstream, any
    d_action * clip_prob_low is accepted. The clamp bounds q, not r: renormalizing can move
    r out of [low, high]. With d_action * clip_prob_low > 1 (Discrete(2000) at the default
    0.001) sum(q) >= d low > 1, so every r_k < q_k and the floor is not a floor of r:
    r_k >= low / sum(q) only. low == high gives the uniform categorical.
    """

    def __init__(
        self, d_action: int, clip_prob_low: float = 0.001, clip_prob_high: float = 0.99
    ) -> None:
        super().__init__(d_action)
        owner = type(self).__name__
        low = require_real(owner, "clip_prob_low", clip_prob_low)
        high = require_real(owner, "clip_prob_high", clip_prob_high)
        # Rejected only where the clipped probabilities q have no meaning or no positive sum:
        # bounds outside [0, 1], an empty interval (low > high), or q = 0 (a high that is 0
        # in float32, the least precise working dtype).
        if not (0.0 <= low <= high <= 1.0 and np.float32(high) > 0):
            raise ValueError(
                f"{owner}: clip_prob_low and clip_prob_high must satisfy "
                f"0 <= clip_prob_low <= clip_prob_high <= 1 with clip_prob_high > 0 in "
                f"float32, got {low!r}, {high!r}"
            )
        self.clip_prob_low = low
        self.clip_prob_high = high
        # SPEC §2 clamps in the working dtype: the bounds are that dtype's nearest values.
        self._log_bounds = {
            dtype: (_log(float(np_type(low))), _log(float(np_type(high))))
            for dtype, np_type in _WORKING_TYPES
        }
        # r_k >= low / sum(q) >= low / d: where that is a normal number, log r = log(r) loses
        # nothing to underflow, and forward takes the log of the probabilities it already has.
        self._normal_probs = {
            dtype: float(np_type(low)) / d_action >= torch.finfo(dtype).tiny
            for dtype, np_type in _WORKING_TYPES
        }

    @property
    def actions_differentiable(self) -> bool:
        return True

    @property
    def is_discrete(self) -> bool:
        return True

    @property
    def input_dimension(self) -> int:
        return self.d_action

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> ClippedCategorical:
        """r = clamp(softmax(vec), low, high) / sum(...), and log r.

        r comes from softmax, whose relative error does not grow with |log r| as exp(log r)'s
        does. log r is log(r) where r >= low/d is a normal number: its rounding is r's
        relative error, the terms log q_k - log sum q of the log-space form, rounded alike.
        Where r can underflow (low / d below the smallest normal, e.g. low = 0), log r =
        clamp(log_softmax(vec), log low, log high) - logsumexp(...), the exact logarithm of a
        probability that underflows (p = e^-20000) instead of -inf.
        """
        vec = self._network_output(vec)
        probs = torch.softmax(vec, dim=-1)
        if log_dict is not None:
            log_activation_stats(log_dict, "Discrete-probs", probs)
        clipped = probs.clamp(self.clip_prob_low, self.clip_prob_high)
        renormalized = clipped / clipped.sum(-1, keepdim=True)
        if self._normal_probs[vec.dtype]:
            return ClippedCategorical(renormalized.log(), renormalized)
        log_low, log_high = self._log_bounds[vec.dtype]
        log_clipped = torch.log_softmax(vec, dim=-1).clamp(log_low, log_high)
        return ClippedCategorical(
            log_clipped - torch.logsumexp(log_clipped, dim=-1, keepdim=True), renormalized
        )

    def action_from_buffer(self, action: torch.Tensor) -> torch.Tensor:
        """clamp(a, low, high) / sum(clamp(a, low, high)) for one-hot or soft actions (..., d)."""
        clipped = action.clamp(self.clip_prob_low, self.clip_prob_high)
        return clipped / clipped.sum(-1, keepdim=True)
