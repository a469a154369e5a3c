"""Numerically careful building blocks shared by the policy outputs."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
LOG_2 = math.log(2.0)

# F.softplus returns x itself above `threshold`, an error of log1p(exp(-t)) ~ exp(-t). That is
# below half an ulp of t once exp(-t) < t * eps / 2: t = 20 in float32 (2e-9 vs 1e-6), but
# float64 needs t = 37 (8.5e-17 vs 4e-15); torch's default of 20 would cost 2e-9 there.
_SOFTPLUS_THRESHOLD = {torch.float64: 37.0}


def softplus(x: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """log(1 + e^(beta x)) / beta, correctly rounded at every magnitude in the input's dtype.

    beta = -1 gives -softplus(-x) in one kernel (the threshold applies to beta x).
    """
    return F.softplus(x, beta=beta, threshold=_SOFTPLUS_THRESHOLD.get(x.dtype, 20.0))


def zero_gradient_where(mask: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """``value`` with its gradient set to exactly 0 where ``mask`` holds.

    For points where the local derivative is exactly 0 in floating point (a saturated
    sigmoid, an underflowed softplus): autograd would multiply that 0 by the incoming
    gradient, and an incoming inf (an overflowed z^2 far in a tail) would make NaN.
    ``where`` routes gradients by selection, not multiplication, so 0 stays 0.
    """
    return torch.where(mask, value.detach(), value)


def log_2cosh(u: torch.Tensor) -> torch.Tensor:
    """log(2 cosh u) = |u| + softplus(-2|u|) = -log(1 - tanh(u)^2)/2 + log 2, finite for every
    finite u: the function is even, and softplus(-2|u|) <= log 2 never cancels against |u|.

    softplus(|u|, beta=-2) is -softplus(-2|u|)/2, the negation and doubling in one kernel.
    """
    abs_u = u.abs()
    return torch.sub(abs_u, F.softplus(abs_u, beta=-2.0), alpha=2.0)


def atanh_and_log1m_sq(c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(atanh c, log(1 - c^2)) for c in [-1, 1], both from log1p(c) and log1p(-c).

    1 - c and 1 + c are exact in floating point near ±1, so neither value loses digits
    at the boundary, unlike log(1 - c*c).
    """
    log_1p = torch.log1p(c)
    log_1m = torch.log1p(-c)
    return 0.5 * (log_1p - log_1m), log_1p + log_1m


def split_endpoints(c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mask of c = ±1, c with those entries replaced by 0).

    A tanh-squashed density vanishes at ±1 (log density -inf), but its formula there is
    inf - inf; callers evaluate it at the stand-in 0 and select -inf, keeping gradients finite.
    """
    at_end = c.abs() == 1.0
    return at_end, torch.where(at_end, 0.0, c)


def normal_log_density(x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """log N(x; loc, scale^2) = -((x - loc)/scale)^2 / 2 - log scale - log(2 pi)/2."""
    z = (x - loc) / scale
    return -0.5 * z * z - torch.log(scale) - HALF_LOG_2PI
