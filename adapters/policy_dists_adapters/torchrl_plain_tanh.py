"""TorchRL's TanhNormal with safe_tanh=False (TanhGaussian only): the draw is tanh(x) as it
rounds, and an action is scored at x = atanh(a) unclamped (torch's TanhTransform), so a = ±1
gives x = ±inf. Everything else as `policy_dists_adapters.torchrl`."""

from __future__ import annotations

from typing import ClassVar

from policy_dists_adapters import torchrl

DECLARED_CONFIGS = {"TanhGaussian": torchrl.DECLARED_CONFIGS["TanhGaussian"]}
# The declared activation, where the catalogue looks a module's activations up by name.
biased_softplus = torchrl.biased_softplus


class PlainSquashedNormal(torchrl.SquashedNormal):
    """TanhNormal(loc, scale, safe_tanh=False)."""

    safe_tanh: ClassVar[bool] = False


class TanhGaussian(torchrl.TanhGaussian):
    """The amago TanhGaussian API over TorchRL's TanhNormal with safe_tanh=False."""

    distribution: ClassVar[type[torchrl.SquashedNormal]] = PlainSquashedNormal
