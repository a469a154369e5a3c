"""CleanRL-style SAC's tanh-squashed Gaussian (TanhGaussian only), a formula adapter
(policy_dists_adapters.squashed_formula): the published formulas, written here.

The actor's vec = [mean, raw] (2 d values) gives log std = LOG_STD_MIN + (LOG_STD_MAX -
LOG_STD_MIN)(tanh(raw) + 1)/2, std = exp(log std); the Jacobian term carries a 1e-6:

    log p(a) = sum_j [log N(x_j; mean_j, std_j) - log(1 - tanh(x_j)^2 + 1e-6)].

The 1e-6 is a deliberate bias, reported by the audit as error against the exact density.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch

from policy_dists_adapters.squashed_formula import FormulaTanhGaussian

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0
JACOBIAN_EPSILON = 1e-6

# The parameterization in the catalogue's terms: CleanRL's log-std map is the amago
# tanh_bounded_positive with low = e^-5 and high = e^2, and CleanRL clips no action.
DECLARED_CONFIGS = {
    "TanhGaussian": {
        "std_low": math.exp(LOG_STD_MIN),
        "std_high": math.exp(LOG_STD_MAX),
        "std_activation": "tanh_bounded_positive",
        "clip_actions_on_log_prob": (-1.0, 1.0),
    }
}


def tanh_bounded_positive(raw: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """CleanRL's std: exp(log low + (log high - log low)(tanh(raw) + 1)/2)."""
    log_low, log_high = math.log(low), math.log(high)
    return torch.exp(log_low + 0.5 * (log_high - log_low) * (torch.tanh(raw) + 1))


class TanhGaussian(FormulaTanhGaussian):
    """The amago TanhGaussian API over CleanRL's actor head (its parameterization only)."""

    declared = DECLARED_CONFIGS["TanhGaussian"]
    activations: ClassVar = {"tanh_bounded_positive": tanh_bounded_positive}

    @staticmethod
    def log_jacobian(x: torch.Tensor) -> torch.Tensor:
        return torch.log(1 - torch.tanh(x).pow(2) + JACOBIAN_EPSILON)
