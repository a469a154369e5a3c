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


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x), correctly rounded at every magnitude in the input's dtype."""
    return F.softplus(x, threshold=_SOFTPLUS_THRESHOLD.get(x.dtype, 20.0))


def zero_gradient_where(mask: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """``value`` with its gradient set to exactly 0 where ``mask`` holds.

    For points where the local derivative is exactly 0 in floating point (a saturated
    sigmoid, an underflowed softplus): autograd would multiply that 0 by the incoming
    gradient, and an incoming inf (an overflowed z^2 far in a tail) would make NaN.
    ``where`` routes gradients by selection, not multiplication, so 0 stays 0.
    """
    return torch.where(mask, value.detach(), value)


def log1m_tanh_sq(u: torch.Tensor) -> torch.Tensor:
    """log(1 - tanh(u)^2) = 2 (log 2 - |u| - softplus(-2|u|)), finite for every finite u.

    Uses |u| because the function is even and softplus(-2|u|) never cancels against |u|.
    """
    abs_u = u.abs()
    return 2.0 * (LOG_2 - abs_u - F.softplus(-2.0 * abs_u))


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


def normal_log_density(
    x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor, finite_gradient: bool = False
) -> torch.Tensor:
    """log N(x; loc, scale^2) = -((x - loc)/scale)^2 / 2 - log scale - log(2 pi)/2.

    With ``finite_gradient``, where z^2/2 overflows the value is -inf (as without it) but
    computed from a finite stand-in, so its gradient is 0 rather than a product of inf with
    the 0 that a mixture's vanishing weight for that mode brings (NaN).
    """
    diff = x - loc
    z = diff / scale
    if finite_gradient:
        # z^2 / 2 overflows exactly when |z| > sqrt(2 max); intermediates of its gradient
        # (diff / scale^2 in the division's backward) may overflow there too.
        overflow = z.detach().abs() > math.sqrt(2.0) * math.sqrt(torch.finfo(z.dtype).max)
        z = torch.where(overflow, 0.0, diff) / scale
        return torch.where(overflow, -math.inf, -0.5 * z * z - torch.log(scale) - HALF_LOG_2PI)
    return -0.5 * z * z - torch.log(scale) - HALF_LOG_2PI


def logsumexp_finite_gradient(x: torch.Tensor, dim: int) -> torch.Tensor:
    """logsumexp over ``dim`` whose gradient is 0, not NaN, where every term is -inf."""
    empty = (x.amax(dim, keepdim=True) == -math.inf).expand_as(x)
    total = torch.logsumexp(torch.where(empty, 0.0, x), dim)
    return torch.where(empty.select(dim, 0), -math.inf, total)
