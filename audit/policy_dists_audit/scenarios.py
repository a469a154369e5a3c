"""What the audit sweeps: for every output, parameter settings that stress the boundary,
under each of the catalogue's stress configurations.

A setting is one row of network output ``vec``, chosen so that the parameters land where
errors live: std at its low and high bounds, mu = ±3, alpha and beta at their lows and
large, separated and identical mixture modes, near-one-hot and flat logits. Each output's
settings run under every configuration of ``policy_dists_catalogue.STRESS_CONFIGS`` (other
activation bounds, the other activation, clipped probabilities); a setting's name carries
its configuration when that is not the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from policy_dists_catalogue import SATURATE_HIGH, SATURATE_LOW, STRESS_CONFIGS, gmm_vec
from policy_dists_catalogue.adapters import ADAPTERS


@dataclass(frozen=True)
class Setting:
    name: str
    vec: tuple[float, ...]


@dataclass(frozen=True)
class Scenario:
    """One output: its constructor kwargs (same for the implementation and the reference)
    and its settings."""

    output: str
    kwargs: dict
    settings: tuple[Setting, ...]

    @property
    def kind(self) -> str:
        """How it is measured: the adapter's kind (continuous, discrete, one_hot, binary)."""
        return ADAPTERS[self.output].kind

    def vec_rows(self) -> np.ndarray:
        return np.asarray([s.vec for s in self.settings], dtype=np.float64)


def _gmm_vec(means: list[float], raw_std: float, logits: list[float]) -> tuple[float, ...]:
    """A GMM row whose modes share one raw std."""
    return gmm_vec(means, [raw_std] * len(means), logits)


_DEFAULT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "TanhGaussian",
        {"d_action": 1},
        (
            Setting("mu=0, std_low", (0.0, SATURATE_LOW)),
            Setting("mu=3, std_low", (3.0, SATURATE_LOW)),
            Setting("mu=-3, std_low", (-3.0, SATURATE_LOW)),
            Setting("mu=3, std_high", (3.0, SATURATE_HIGH)),
            Setting("mu=0, std mid", (0.0, 0.0)),
        ),
    ),
    Scenario(
        "GMM",
        {"d_action": 1, "gmm_modes": 3},
        (
            Setting(
                "separated modes, std_low", _gmm_vec([-3.0, 0.0, 3.0], SATURATE_LOW, [0.0] * 3)
            ),
            Setting("identical modes", _gmm_vec([0.5] * 3, 0.0, [0.0] * 3)),
            Setting("mu=3 dominant, wide", _gmm_vec([3.0, -3.0, 0.0], 1.0, [30.0, 0.0, 0.0])),
            Setting(
                "near-one-hot logits", _gmm_vec([-3.0, 0.0, 3.0], SATURATE_LOW, [0.0, 0.0, 30.0])
            ),
        ),
    ),
    Scenario(
        "Beta",
        {"d_action": 1},
        (
            Setting("alpha, beta at low", (SATURATE_LOW, SATURATE_LOW)),
            Setting("alpha, beta large", (50.0, 50.0)),
            Setting("alpha low, beta large", (SATURATE_LOW, 50.0)),
            Setting("alpha large, beta low", (1e3, SATURATE_LOW)),
            Setting("alpha = beta = 2", (0.6, 0.6)),
        ),
    ),
    Scenario(
        "Discrete",
        {"d_action": 6},
        (
            Setting("near-one-hot", (30.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
            Setting("flat", (0.0,) * 6),
            Setting("spread", (5.0, 2.0, 0.0, -2.0, -5.0, -20.0)),
        ),
    ),
    Scenario(
        "DiscreteLikeContinuous",
        {"d_action": 6},
        (
            Setting("near-one-hot", (30.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
            Setting("flat", (0.0,) * 6),
            Setting("spread", (5.0, 2.0, 0.0, -2.0, -5.0, -20.0)),
        ),
    ),
    Scenario(
        "Multibinary",
        {"d_action": 5},
        (
            Setting("logits 0, ±30, ±1e4", (0.0, 30.0, -30.0, 1e4, -1e4)),
            Setting("logits ±1, ±80", (1.0, -1.0, 80.0, -80.0, 0.5)),
        ),
    ),
)


def _configured(scenario: Scenario, config: Mapping[str, Any]) -> Scenario:
    """`scenario` under the constructor configuration `config` (merged over its kwargs)."""
    if not config:
        return scenario
    label = ", ".join(f"{key}={value}" for key, value in config.items())
    return Scenario(
        scenario.output,
        {**scenario.kwargs, **config},
        tuple(Setting(f"{s.name} [{label}]", s.vec) for s in scenario.settings),
    )


SCENARIOS: tuple[Scenario, ...] = tuple(
    _configured(scenario, config)
    for scenario in _DEFAULT_SCENARIOS
    for config in STRESS_CONFIGS[scenario.output]
)

OUTPUTS: tuple[str, ...] = tuple(dict.fromkeys(s.output for s in SCENARIOS))
