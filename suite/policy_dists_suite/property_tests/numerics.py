"""Independent float64 formulas of SPEC §3-§4, helpers for error-model tolerances, and
small probes of the straight-through Gumbel-softmax.

Everything here is written from the SPEC's math, not from the implementation; the tests
compare the implementation's values against these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

LOG_2 = math.log(2.0)
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def eps(dtype: torch.dtype) -> float:
    """Machine epsilon (the spacing of floats in [1, 2)) of `dtype`."""
    return torch.finfo(dtype).eps


def working_dtype(vec_dtype: torch.dtype) -> torch.dtype:
    """SPEC §6: float16/bfloat16 vec is computed in float32; float32/float64 are kept."""
    return torch.float32 if vec_dtype in (torch.float16, torch.bfloat16) else vec_dtype


def clamp_in(x: torch.Tensor, low: float, high: float, dtype: torch.dtype) -> torch.Tensor:
    """SPEC §2: clamp(x, l, h) done in `dtype` (float32(0.99) != 0.99), returned as float64."""
    return x.to(dtype).clamp(low, high).double()


def softplus64(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x) exactly (no threshold switch): max(x, 0) + log1p(e^-|x|), in float64."""
    x = x.double()
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))


def softplus_bounded_positive64(x: torch.Tensor, low: float, high: float | None) -> torch.Tensor:
    out = softplus64(x) + low
    return out if high is None else out.clamp(max=high)


def tanh_bounded_positive64(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    # (tanh x + 1) / 2 == sigmoid(2x), which keeps its relative accuracy where tanh x -> -1.
    t = torch.sigmoid(2 * x.double())
    return torch.exp(math.log(low) + (math.log(high) - math.log(low)) * t)


def normal_log_pdf64(u: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    z = (u.double() - mu.double()) / sigma.double()
    return -0.5 * z * z - torch.log(sigma.double()) - HALF_LOG_2PI


def log1m_tanh_sq64(u: torch.Tensor) -> torch.Tensor:
    """log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)), finite for every finite u."""
    u = u.double()
    return 2 * (LOG_2 - u - softplus64(-2 * u))


def atanh64(a: torch.Tensor) -> torch.Tensor:
    """atanh in float64 as 0.5 (log1p(a) - log1p(-a)); exact to a few ulps for |a| < 1."""
    a = a.double()
    return 0.5 * (torch.log1p(a) - torch.log1p(-a))


def recover_gumbel_softmax(jacobian: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Solve J = (diag(y) - y y^T) / tau for y on the simplex and tau, from off-diagonals.

    `jacobian[..., k, j]` is d y_k / d logit_j (d >= 3). Off-diagonal entries are
    -y_k y_j / tau, so row 0 gives y_j up to a common factor for j >= 1 and row 1 gives
    y_0 / y_2; normalizing fixes the factor and J[0, 1] gives tau. The caller checks that the
    whole matrix, diagonal included, matches the recovered (y, tau): 4 unknowns against d^2
    entries, so a jacobian of any other form fails.
    """
    jac = jacobian.double()
    rest = -jac[..., 0, 1:]  # proportional to y_1 .. y_{d-1}
    y0 = rest[..., 1] * jac[..., 1, 0] / jac[..., 1, 2]  # y_2 * (y_0 / y_2), same factor
    unnormalized = torch.cat([y0.unsqueeze(-1), rest], dim=-1)
    y = unnormalized / unnormalized.sum(-1, keepdim=True)
    tau = -y[..., 0] * y[..., 1] / jac[..., 0, 1]
    return y, tau


def gumbel_softmax_jacobian(y: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
    """d softmax(z / tau) / dz at softmax value y: (diag(y) - y y^T) / tau."""
    return (torch.diag_embed(y) - y.unsqueeze(-1) * y.unsqueeze(-2)) / tau[..., None, None]


def dlc_rsample_gradient(make_dlc: Callable[[Any], Any], seed: int) -> torch.Tensor:
    """Gradient w.r.t. fixed logits of w . rsample() of make_dlc(Categorical(logits)), with
    the RNG seeded: two wrappers that draw the same noise give equal gradients iff their
    temperatures are equal."""
    d = 4
    logits = torch.linspace(-1, 1, 3 * d).reshape(3, d).requires_grad_()
    dlc = make_dlc(torch.distributions.Categorical(logits=logits))
    torch.manual_seed(seed)
    sample = dlc.rsample()
    (grad,) = torch.autograd.grad((sample * torch.arange(d)).sum(), logits)
    return grad


def softmax_from_straight_through_jacobian(
    jacobian: np.ndarray, tau: float, winner: np.ndarray
) -> np.ndarray:
    """y with tau J = diag(y) - y y^T, from the diagonal, given the temperature and the class
    `winner` (..., ) that the forward value picked: for every other class y_k <= 1/2 (y_k <=
    y_winner and y_k + y_winner <= 1), so y_k is the smaller root of y^2 - y + tau J_kk = 0,
    2 tau J_kk / (1 + sqrt(1 - 4 tau J_kk)) (no cancellation; an underflowed J_kk gives 0);
    y_winner = 1 - sum of the others. The caller checks the whole matrix against y: a
    Jacobian of another form, or of another temperature, fails there."""
    diagonal = tau * np.diagonal(jacobian, axis1=-2, axis2=-1)
    root = np.sqrt(np.clip(1 - 4 * diagonal, 0.0, None))
    losers = 2 * diagonal / (1 + root)
    is_winner = np.arange(jacobian.shape[-1]) == winner[..., None]
    losers = np.where(is_winner, 0.0, losers)
    return np.where(is_winner, 1 - losers.sum(-1, keepdims=True), losers)
