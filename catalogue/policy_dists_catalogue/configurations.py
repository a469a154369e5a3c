"""Constructor configurations that move each output's parameters to the edges of their ranges.

Each output's configurations start with {} (every default); the others move the activation
bounds, swap the activation (std_activation by name: "tanh_bounded_positive" or
"softplus_bounded_positive") and move the clip bounds toward the boundary. d_action and
gmm_modes are each tool's own choice. The suite draws from these; the audit sweeps each
of its settings under every one.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

Config = Mapping[str, Any]

_CLIPPED_PROBABILITIES: tuple[Config, ...] = (
    {},
    {"clip_prob_low": 0.0, "clip_prob_high": 1.0},
    {"clip_prob_low": 0.01, "clip_prob_high": 0.999},
)

# Activation bounds and activations: std (TanhGaussian, GMM), alpha and beta (Beta), the
# probability clip (Discrete, and DiscreteLikeContinuous around it).
STRESS_CONFIGS: Mapping[str, tuple[Config, ...]] = {
    "TanhGaussian": (
        {},
        {"std_low": 1e-3, "std_high": 1.0, "std_activation": "softplus_bounded_positive"},
        {"std_low": 0.05, "std_high": 3.0, "std_activation": "tanh_bounded_positive"},
    ),
    "GMM": (
        {},
        {"std_low": 1e-3, "std_high": 2.0, "std_activation": "softplus_bounded_positive"},
        {"std_low": 0.01, "std_high": 1.0, "std_activation": "tanh_bounded_positive"},
    ),
    "Beta": (
        {},
        {"alpha_low": 1.5, "alpha_high": 50.0, "beta_high": 200.0},
        {
            "alpha_low": 0.5,
            "alpha_high": 20.0,
            "beta_low": 0.5,
            "beta_high": 20.0,
            "std_activation": "tanh_bounded_positive",
        },
    ),
    "Discrete": _CLIPPED_PROBABILITIES,
    "DiscreteLikeContinuous": _CLIPPED_PROBABILITIES,
    "Multibinary": ({},),
}

# clip_actions_on_log_prob toward the boundary, combined with the configurations above. GMM's
# clip bound is a policy-dists extension (not on the seed page): it keeps the default.
CLIP_CONFIGS: Mapping[str, tuple[Config, ...]] = {
    "TanhGaussian": (
        {},
        {"clip_actions_on_log_prob": (-0.999, 0.9)},
        {"clip_actions_on_log_prob": (-(1 - 1e-6), 1 - 1e-6)},
    ),
    "Beta": ({}, {"clip_actions_on_log_prob": (-0.999, 0.999)}),
}

# DiscreteLikeContinuous's gumbel_softmax_temperature: the default, sharp and soft.
TEMPERATURES: tuple[float, ...] = (0.5, 0.1, 2.0)


def module_kwargs(module: types.ModuleType, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` as constructor kwargs of ``module``'s outputs: a std_activation given by
    name becomes the module's function of that name (the reference takes the name itself)."""
    kwargs = dict(config)
    if "std_activation" in kwargs:
        kwargs["std_activation"] = getattr(module, kwargs["std_activation"])
    return kwargs
