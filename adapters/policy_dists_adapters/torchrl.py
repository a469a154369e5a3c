"""TorchRL's policy outputs behind the amago API: TanhNormal (TanhGaussian) and
OneHotCategorical (Discrete), at TorchRL's defaults.

TorchRL's classes do the math; this module maps vec to their parameters and their results to
the API's shapes. A TorchRL actor reads vec = [loc, raw scale] through tensordict's
NormalParamExtractor (scale = softplus(raw + c) + 0.01 with c set so the scale is 1 at raw 0,
then a lower bound of 1e-4 that never acts) and builds TanhNormal(loc, scale) with low = -1,
high = 1, tanh_loc=False and safe_tanh=True: the draw is tanh(x) clamped to ±(1 - r) and an
action is scored at x = atanh of it clamped the same way, r = finfo(dtype).resolution (1e-6
in float32, 1e-15 in float64). TorchRL's SAC scores its own draws with rsample_and_log_prob
(the Normal value the draw came from); log_prob of the tensor the last sample/rsample returned
does so here. `policy_dists_adapters.torchrl_plain_tanh` is the same with safe_tanh=False,
TorchRL's documented switch. TorchRL has no entropy for TanhNormal, no clip of actions or
probabilities, and no GMM, Beta, Multibinary or DiscreteLikeContinuous in this form
(absent here: not applicable).

Importing torchrl switches torch.distributions argument validation off for the whole process
(torchrl.modules.distributions.continuous calls set_default_validate_args(False)). This module
restores the flag after the import, and calls TorchRL's distributions with validation off (as
they run in a TorchRL process; an instance reads the class default at each call, and
TanhNormal.log_prob fails with validation on: its support property calls
constraints.real()), restoring the default after each call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import ClassVar

import torch
import torch.distributions as D
import torch.nn.functional as F
from tensordict.nn import NormalParamExtractor

from policy_dists_adapters.declared import DeclaredOutput

_validation = D.Distribution._validate_args
try:
    from torchrl.modules.distributions import OneHotCategorical, TanhNormal
finally:
    D.Distribution.set_default_validate_args(_validation)

EXTRACTOR = NormalParamExtractor()

# The parameterizations in the catalogue's terms: biased_softplus with TorchRL's min_val as
# the lower bound, unbounded above; no clip of actions or probabilities.
DECLARED_CONFIGS = {
    "TanhGaussian": {
        "std_low": EXTRACTOR.scale_mapping.min_val,
        "std_high": None,
        "std_activation": "biased_softplus",
        "clip_actions_on_log_prob": (-1.0, 1.0),
    },
    "Discrete": {"clip_prob_low": 0.0, "clip_prob_high": 1.0},
}


@contextlib.contextmanager
def validation_off() -> Iterator[None]:
    """torch.distributions validation off inside, as in a process that imported torchrl; the
    previous default restored on exit."""
    before = D.Distribution._validate_args
    D.Distribution.set_default_validate_args(False)
    try:
        yield
    finally:
        D.Distribution.set_default_validate_args(before)


def biased_softplus(raw: torch.Tensor, low: float, high: float | None = None) -> torch.Tensor:
    """NormalParamExtractor's scale mapping and lower bound (its min_val is `low`)."""
    return EXTRACTOR.scale_mapping(raw).clamp_min(EXTRACTOR.scale_lb)


class SquashedNormal:
    """TorchRL's TanhNormal at (loc, scale) with event_dims=0 (its option for one
    log-density per action dimension, the API's (..., d); its default sums them)."""

    safe_tanh: ClassVar[bool] = True

    def __init__(self, loc: torch.Tensor, scale: torch.Tensor) -> None:
        with validation_off():
            self.torchrl = TanhNormal(loc, scale, event_dims=0, safe_tanh=self.safe_tanh)
        self._drawn: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def loc(self) -> torch.Tensor:
        return self.torchrl.loc

    @property
    def scale(self) -> torch.Tensor:
        return self.torchrl.scale

    @property
    def mean(self) -> torch.Tensor:
        """TanhNormal's deterministic_sample, tanh(loc): the API's mean (the deterministic
        action; TanhNormal.mean raises, E[a] having no closed form)."""
        with validation_off():
            return self.torchrl.deterministic_sample

    def rsample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        with validation_off():
            action, log_prob = self.torchrl.rsample_and_log_prob(torch.Size(sample_shape))
        self._drawn = (action, log_prob)
        return action

    def sample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        with validation_off():
            action, log_prob = self.torchrl.sample_and_log_prob(torch.Size(sample_shape))
        self._drawn = (action, log_prob)
        return action

    def log_prob(self, action: torch.Tensor) -> torch.Tensor:
        """(..., d): the draw's own score for the last draw, else TanhNormal.log_prob."""
        if self._drawn is not None and action is self._drawn[0]:
            return self._drawn[1]
        with validation_off():
            return self.torchrl.log_prob(action)


class OneHotScored:
    """TorchRL's OneHotCategorical with the API's index actions: an index k is scored as the
    one-hot vector e_k, draws are returned as indices of shape (..., 1)."""

    def __init__(self, logits: torch.Tensor) -> None:
        with validation_off():
            self.torchrl = OneHotCategorical(logits=logits)

    @property
    def probs(self) -> torch.Tensor:
        return self.torchrl.probs

    @property
    def logits(self) -> torch.Tensor:
        return self.torchrl.logits

    def sample(self, sample_shape: torch.Size | tuple[int, ...] = ()) -> torch.Tensor:
        with validation_off():
            return self.torchrl.sample(torch.Size(sample_shape)).argmax(-1, keepdim=True)

    def log_prob(self, index: torch.Tensor) -> torch.Tensor:
        index = index.long()
        if index.dim() > len(self.torchrl.batch_shape) and index.shape[-1] == 1:
            index = index.squeeze(-1)
        with validation_off():
            return self.torchrl.log_prob(F.one_hot(index, self.probs.shape[-1]))

    def entropy(self) -> torch.Tensor:
        with validation_off():
            return self.torchrl.entropy()


class TanhGaussian(DeclaredOutput):
    """The amago TanhGaussian API over TorchRL's TanhNormal (its defaults only)."""

    declared = DECLARED_CONFIGS["TanhGaussian"]
    activations: ClassVar = {"biased_softplus": biased_softplus}
    values_per_action = 2
    distribution: ClassVar[type[SquashedNormal]] = SquashedNormal

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> SquashedNormal:
        loc, scale = EXTRACTOR(vec)
        return self.distribution(loc, scale)


class Discrete(DeclaredOutput):
    """The amago Discrete API over TorchRL's OneHotCategorical (no probability clip)."""

    declared = DECLARED_CONFIGS["Discrete"]

    def forward(self, vec: torch.Tensor, log_dict: dict | None = None) -> OneHotScored:
        return OneHotScored(vec)
