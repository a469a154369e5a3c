"""DiscreteLikeContinuous: a categorical seen as one-hot vectors, with straight-through rsample."""

from __future__ import annotations

from typing import ClassVar

import gin
import torch
from torch.distributions import Distribution, constraints

from policy_dists.arguments import require_real
from policy_dists.discrete import gather_logits
from policy_dists.sampling import (
    at_least_float32,
    categorical_index,
    gumbel_perturbed,
    zero_or_nan,
)

_Shape = torch.Size | tuple[int, ...]


@gin.configurable(module="policy_dists")
class DiscreteLikeContinuous(Distribution):
    """One-hot view of a categorical (``Discrete``'s output or a torch ``Categorical``).

    ``rsample`` is straight-through Gumbel-softmax: the value is exactly
    one_hot(argmax_k(logits_k + g_k)), the gradient that of softmax((logits + g) / tau).
    """

    arg_constraints: ClassVar[dict] = {}
    support = constraints.one_hot
    has_rsample = True

    def __init__(self, categorical: Distribution, gumbel_softmax_temperature: float = 0.5) -> None:
        owner = type(self).__name__
        tau = require_real(owner, "gumbel_softmax_temperature", gumbel_softmax_temperature)
        if not tau > 0.0:
            raise ValueError(f"{owner}: gumbel_softmax_temperature must be > 0, got {tau!r}")
        logits = getattr(categorical, "logits", None)
        if not isinstance(logits, torch.Tensor):
            raise TypeError(
                f"{owner}: categorical must be a categorical distribution with .logits, got "
                f"{type(categorical).__name__}"
            )
        self.categorical = categorical
        self.gumbel_softmax_temperature = tau
        self._logits = logits
        super().__init__(
            batch_shape=logits.shape[:-1], event_shape=logits.shape[-1:], validate_args=False
        )

    @property
    def logits(self) -> torch.Tensor:
        return self._logits

    @property
    def probs(self) -> torch.Tensor:
        return self.categorical.probs

    def entropy(self) -> torch.Tensor:
        return self.categorical.entropy()

    @property
    def mean(self) -> torch.Tensor:
        return self.probs

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        """log p[argmax a] for one-hot or soft actions a of shape batch_shape + (d,)."""
        if value.shape == self._logits.shape:  # no broadcasting: gather along the last axis
            return self._logits.gather(-1, value.argmax(-1, keepdim=True)).squeeze(-1)
        return gather_logits(self._logits, value.argmax(-1))

    def sample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        with torch.no_grad():
            index = categorical_index(self.probs, torch.Size(sample_shape)).unsqueeze(-1)
            one_hot = self._one_hot(index, at_least_float32(self._logits))
            return one_hot + zero_or_nan(self.probs, 1).unsqueeze(-1)

    def rsample(self, sample_shape: _Shape = ()) -> torch.Tensor:
        perturbed = gumbel_perturbed(self._logits, torch.Size(sample_shape))
        soft = torch.softmax(perturbed / self.gumbel_softmax_temperature, dim=-1)
        hard = self._one_hot(perturbed.argmax(-1, keepdim=True), soft.dtype)
        # hard + (soft - soft.detach()) is hard to the bit, whatever soft rounds to.
        return hard + (soft - soft.detach())

    def _one_hot(self, index: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """one_hot of indices with a trailing axis of 1, in ``dtype``, by a scatter: torch's
        one_hot checks the index range, a host-device synchronization on CUDA, for indices
        that are in range by construction."""
        shape = (*index.shape[:-1], self._logits.shape[-1])
        return torch.zeros(shape, dtype=dtype, device=index.device).scatter_(-1, index, 1.0)
