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

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from policy_dists_catalogue import OUTPUTS, STRESS_CONFIGS
from policy_dists_catalogue.adapters import ADAPTERS
from policy_dists_catalogue.boundary_settings import BOUNDARY_KWARGS, BOUNDARY_SETTINGS, Setting


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


_DEFAULT_SCENARIOS: tuple[Scenario, ...] = tuple(
    Scenario(output, dict(BOUNDARY_KWARGS[output]), BOUNDARY_SETTINGS[output]) for output in OUTPUTS
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


def scenarios_for(module: types.ModuleType) -> tuple[Scenario, ...]:
    """What to sweep for `module`: SCENARIOS, or, for a module that declares the one
    configuration of each output it provides (DECLARED_CONFIGS, as a peer library's adapter
    does: policy_dists_adapters), each declared output's settings under that configuration,
    for the implementation and the reference alike."""
    declared = getattr(module, "DECLARED_CONFIGS", None)
    if declared is None:
        return SCENARIOS
    return tuple(
        Scenario(s.output, {**s.kwargs, **declared[s.output]}, s.settings)
        for s in _DEFAULT_SCENARIOS
        if s.output in declared
    )
