"""Named rows of vec that put each output's parameters where boundary errors live.

std at its bounds (raw SATURATE_LOW and SATURATE_HIGH saturate the activations), mu = ±3,
alpha and beta at their lows and large, separated and identical mixture modes, near-one-hot,
flat and spread logits, Bernoulli logits whose small probability underflows. Each output's
rows fit its BOUNDARY_KWARGS (one action dimension for the continuous outputs). The audit
sweeps them toward |a| = 1; the suite checks them against the arbiter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from policy_dists_catalogue.outputs import SATURATE_HIGH, SATURATE_LOW, gmm_vec


class Setting(NamedTuple):
    name: str
    vec: tuple[float, ...]


def _modes(means: list[float], raw_std: float, logits: list[float]) -> tuple[float, ...]:
    """A GMM row whose modes share one raw std."""
    return gmm_vec(means, [raw_std] * len(means), logits)


_CATEGORICAL: tuple[Setting, ...] = (
    Setting("near-one-hot", (30.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    Setting("flat", (0.0,) * 6),
    Setting("spread", (5.0, 2.0, 0.0, -2.0, -5.0, -20.0)),
)

BOUNDARY_KWARGS: Mapping[str, Mapping[str, Any]] = {
    "TanhGaussian": {"d_action": 1},
    "GMM": {"d_action": 1, "gmm_modes": 3},
    "Beta": {"d_action": 1},
    "Discrete": {"d_action": 6},
    "DiscreteLikeContinuous": {"d_action": 6},
    "Multibinary": {"d_action": 5},
}

BOUNDARY_SETTINGS: Mapping[str, tuple[Setting, ...]] = {
    "TanhGaussian": (
        Setting("mu=0, std_low", (0.0, SATURATE_LOW)),
        Setting("mu=3, std_low", (3.0, SATURATE_LOW)),
        Setting("mu=-3, std_low", (-3.0, SATURATE_LOW)),
        Setting("mu=3, std_high", (3.0, SATURATE_HIGH)),
        Setting("mu=0, std mid", (0.0, 0.0)),
    ),
    "GMM": (
        Setting("separated modes, std_low", _modes([-3.0, 0.0, 3.0], SATURATE_LOW, [0.0] * 3)),
        Setting("identical modes", _modes([0.5] * 3, 0.0, [0.0] * 3)),
        Setting("mu=3 dominant, wide", _modes([3.0, -3.0, 0.0], 1.0, [30.0, 0.0, 0.0])),
        Setting("near-one-hot logits", _modes([-3.0, 0.0, 3.0], SATURATE_LOW, [0.0, 0.0, 30.0])),
    ),
    "Beta": (
        Setting("alpha, beta at low", (SATURATE_LOW, SATURATE_LOW)),
        Setting("alpha, beta large", (50.0, 50.0)),
        Setting("alpha low, beta large", (SATURATE_LOW, 50.0)),
        Setting("alpha large, beta low", (1e3, SATURATE_LOW)),
        Setting("alpha = beta = 2", (0.6, 0.6)),
    ),
    "Discrete": _CATEGORICAL,
    "DiscreteLikeContinuous": _CATEGORICAL,
    "Multibinary": (
        Setting("logits 0, ±30, ±1e4", (0.0, 30.0, -30.0, 1e4, -1e4)),
        Setting("logits ±1, ±80", (1.0, -1.0, 80.0, -80.0, 0.5)),
        # Found by the suite's soak: e^-712, the small probability, is subnormal in float64.
        Setting("logits ±712, ±100", (712.0, -712.0, 100.0, -100.0, 0.0)),
    ),
}
