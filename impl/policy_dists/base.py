"""PolicyOutput: the abstract map from an actor network's output to an action distribution."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch.distributions import Distribution

from policy_dists import validation
from policy_dists.arguments import require_int

_LOW_PRECISION = (torch.float16, torch.bfloat16)


class PolicyOutput(ABC):
    """Abstract base: ``__call__(vec, log_dict)`` is ``forward``; holds no parameters and pickles.

    Pretends to be an ``nn.Module`` but is not one, so it can be swapped without breaking
    checkpoints.
    """

    def __init__(self, d_action: int) -> None:
        self.d_action = require_int(type(self).__name__, "d_action", d_action, minimum=1)

    def __call__(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        return self.forward(vec, log_dict)

    @property
    @abstractmethod
    def actions_differentiable(self) -> bool:
        """Does the output distribution have ``rsample``? (can -Q(s, a ~ pi) be an actor loss?)"""

    @property
    @abstractmethod
    def is_discrete(self) -> bool:
        """Whether the action space is discrete."""

    @property
    @abstractmethod
    def input_dimension(self) -> int:
        """How many values the actor network must output to parameterize this distribution."""

    @abstractmethod
    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> Distribution:
        """Map the actor network's output ``vec`` of shape ``(..., input_dimension)`` to a
        distribution; when ``log_dict`` is a dict, add activation statistics to it."""

    def action_from_buffer(self, action: torch.Tensor) -> torch.Tensor:
        """Map an action as stored in a replay buffer to the form the critic consumes."""
        return action

    def _network_output(self, vec: object) -> torch.Tensor:
        """Check ``vec``'s type and last dimension; half precision is computed in float32."""
        name = type(self).__name__
        if not isinstance(vec, torch.Tensor):
            raise TypeError(f"{name}: vec must be a torch.Tensor, got {type(vec).__name__}")
        if not vec.is_floating_point():
            raise TypeError(f"{name}: vec must be a floating-point tensor, got {vec.dtype}")
        received = vec.shape[-1] if vec.dim() > 0 else None
        if received != self.input_dimension:
            raise ValueError(
                f"{name}: vec.shape[-1] must equal input_dimension = {self.input_dimension} "
                f"for d_action = {self.d_action}, got {received} (vec.shape = {tuple(vec.shape)})"
            )
        if vec.dtype in _LOW_PRECISION:
            vec = vec.float()
        validation.check_finite(name, "vec", vec)
        return vec


def log_activation_stats(log_dict: dict | None, key: str, activation: torch.Tensor) -> None:
    """Add detached ``activation-<key>-{max,min,std,mean}`` scalars to ``log_dict``.

    std is the unbiased (n - 1) estimate, as upstream; statistics that are undefined (an
    empty tensor, or std of a single element) are NaN rather than an error or a warning.
    """
    if log_dict is None:
        return
    with torch.no_grad():
        values = activation.detach()
        n = values.numel()
        nan = values.new_full((), float("nan"))
        log_dict[f"activation-{key}-max"] = values.max() if n else nan
        log_dict[f"activation-{key}-min"] = values.min() if n else nan
        log_dict[f"activation-{key}-std"] = values.std() if n > 1 else nan
        # torch's mean of no values is already NaN, and without a warning.
        log_dict[f"activation-{key}-mean"] = values.mean()
