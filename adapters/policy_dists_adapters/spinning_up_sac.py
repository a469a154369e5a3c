"""Spinning Up's SAC tanh-squashed Gaussian (TanhGaussian only), a formula adapter
(policy_dists_adapters.squashed_formula): the published formulas, written here.

The actor's vec = [mean, raw log std] (2 d values), log std clamped to [LOG_STD_MIN,
LOG_STD_MAX] = [-20, 2]; the Jacobian term in its stable form, with torch's softplus:

    log p(a) = sum_j [log N(x_j; mean_j, std_j) - 2 (log 2 - x_j - softplus(-2 x_j))].

Exact in form (no epsilon); F.softplus returns its input above 20, so beyond |x| = 10 the term
drops 2 log1p(e^{-2|x|}) (below 4.2e-9 nats).
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch
import torch.nn.functional as F

from policy_dists_adapters.squashed_formula import (
    FormulaTanhGaussian,
    clamped_log_std_config,
    exp_clamped_log_std,
)

LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0

DECLARED_CONFIGS = {"TanhGaussian": clamped_log_std_config(LOG_STD_MIN, LOG_STD_MAX)}


class TanhGaussian(FormulaTanhGaussian):
    """The amago TanhGaussian API over Spinning Up's SAC actor (its parameterization only)."""

    declared = DECLARED_CONFIGS["TanhGaussian"]
    activations: ClassVar = {"exp_clamped_log_std": exp_clamped_log_std}

    @staticmethod
    def log_jacobian(x: torch.Tensor) -> torch.Tensor:
        return 2 * (math.log(2) - x - F.softplus(-2 * x))
