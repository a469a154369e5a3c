"""Do the variants of a benchmark group compute the same log-density? A cheap check.

The reference is the floor's formula evaluated in float64 at the same float32 inputs.

Error model. Each variant evaluates the same formula in float32 from the same float32
inputs, in at most ~10 elementary operations per path, each within 2 ulps. Those operations
(log1p, atanh, softplus, exp, lgamma, logsumexp, ...) are backward stable, so a variant's
result is the exact value at inputs perturbed by at most ~10 eps relative, an error of at
most ~10 eps kappa with kappa = sum_i |d lp / d x_i| |x_i| (the input condition number, over
vec and the action), plus the rounding of the final additions of O(1) constants and terms
bounded by |lp| + 1 (the terms partly cancel only against each other within kappa's reach):
another ~10 eps (1 + |lp|). With eps = 2^-23 (float32) the tolerance is
    TOLERANCE_EPS * eps * (1 + |lp| + kappa),  TOLERANCE_EPS = 16 >= 10 + 2 (float64 ref).
A different formula (a wrong clip, activation, sign or constant) moves lp by >= 1e-4
relative on these inputs, far above it. The one known model difference is added on top:
the textbook GMM's log(1 - a^2 + 1e-6) exceeds log(1 - a^2) by at most
d * 1e-6 / (1 - ACTION_BOUND^2) nats.
"""

from __future__ import annotations

import torch

from benchmarks.cases import ACTION_BOUND, D_ACTION
from benchmarks.kernels import Kernels

FLOAT32_EPS = torch.finfo(torch.float32).eps
TOLERANCE_EPS = 16.0
TEXTBOOK_GMM_DEVIATION = D_ACTION * 1e-6 / (1.0 - ACTION_BOUND**2)


def reference_log_prob(
    floor: Kernels, vec: torch.Tensor, action: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(lp, tolerance): the floor's log-density in float64 at the given float32 inputs, and
    the per-element tolerance of the error model above (before any model difference)."""
    vec64 = vec.detach().double().requires_grad_()
    inputs = [vec64]
    if action.is_floating_point():
        action = action.detach().double().requires_grad_()
        inputs.append(action)
    log_prob = floor.log_prob(floor.forward(vec64), action)
    # Batch rows are independent, so d(sum of column j)/d input gives row-wise derivatives.
    columns = log_prob.reshape(log_prob.shape[0], -1)
    kappa = torch.zeros_like(columns)
    for j in range(columns.shape[1]):
        grads = torch.autograd.grad(
            columns[:, j].sum(), inputs, retain_graph=True, allow_unused=True
        )
        for grad, x in zip(grads, inputs, strict=True):
            if grad is not None:
                kappa[:, j] += (grad * x).abs().reshape(x.shape[0], -1).sum(-1)
    tolerance = TOLERANCE_EPS * FLOAT32_EPS * (1.0 + columns.abs() + kappa)
    return log_prob.detach(), tolerance.detach().reshape(log_prob.shape)


def model_deviation(output: str, variant: str) -> float:
    """Known difference, in nats, between a variant's formula and the exact one on
    actions within ACTION_BOUND."""
    return TEXTBOOK_GMM_DEVIATION if (output, variant) == ("GMM", "textbook") else 0.0
