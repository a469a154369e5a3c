"""tianshou's SACPolicy tanh-squashed Gaussian (TanhGaussian only), a formula adapter
(policy_dists_adapters.squashed_formula): the published formulas, written here.

The MuJoCo SAC actor (ActorProb with conditioned_sigma and unbounded mean) reads vec =
[mean, raw log std] (2 d values), log std clamped to [SIGMA_MIN, SIGMA_MAX] = [-20, 2]; the
Jacobian term carries float32's machine epsilon, whatever the dtype:

    log p(a) = sum_j [log N(x_j; mean_j, std_j) - log((1 - tanh(x_j)^2) + eps32)],

eps32 = 2^-23 = 1.19e-7 (np.finfo(np.float32).eps), a deliberate bias.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch

from policy_dists_adapters.squashed_formula import (
    FormulaTanhGaussian,
    clamped_log_std_config,
    exp_clamped_log_std,
)

SIGMA_MIN, SIGMA_MAX = -20.0, 2.0
JACOBIAN_EPSILON = float(np.finfo(np.float32).eps)

DECLARED_CONFIGS = {"TanhGaussian": clamped_log_std_config(SIGMA_MIN, SIGMA_MAX)}


class TanhGaussian(FormulaTanhGaussian):
    """The amago TanhGaussian API over tianshou's SAC actor (its parameterization only)."""

    declared = DECLARED_CONFIGS["TanhGaussian"]
    activations: ClassVar = {"exp_clamped_log_std": exp_clamped_log_std}

    @staticmethod
    def log_jacobian(x: torch.Tensor) -> torch.Tensor:
        return torch.log((1 - torch.tanh(x).pow(2)) + JACOBIAN_EPSILON)
