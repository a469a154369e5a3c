"""Implicit reparameterization gradients of Beta samples, accurate to near float64 precision.

For x ~ Beta(a, b) drawn by inverting F(x) = I_x(a, b) at a fixed uniform, dx/da = -(dF/da)/f
and dx/db = -(dF/db)/f, f the density. With the scores s_a(t) = log t - psi(a) + psi(a+b) and
s_b(t) = log(1-t) - psi(b) + psi(a+b),

    J_a(x; a, b) = (dF/da) / f(x) = int_0^x f(t)/f(x) s_a(t) dt,   likewise J_b with s_b.

Orientation. The integral runs over the tail that x cuts off: as written when x <= a/(a+b),
else through I_x(a, b) = 1 - I_{1-x}(b, a), differentiated (never subtracted): dx/da =
J_b(1-x; b, a), dx/db = J_a(1-x; b, a). Below, (u, v, p, q) is (x, 1-x, a, b) or
(1-x, x, b, a), so u <= p/(p+q). The smaller of x and 1-x is taken as exact (above 1/2, the
sampler's 1-x when passed as ``complement``); log x and log(1-x) are log and log1p of it.
Three pieces, each computed for every element and selected with torch.where:

* Series S: I_u(p, q) = u^p v^q / B(p, q) sum_n U_n, U_n = (p+q)_n u^n / (p)_{n+1} > 0, so
      J_p = u v sum_n U_n [log u + psi(p+q+n) - psi(p+n+1)],
      J_q = u v sum_n U_n [log v + psi(p+q+n) - psi(q)],
  with the psi's carried from psi(p+q) - psi(p), psi(p+q) - psi(q) by running sums of
  (1-q)/((p+q+n)(p+n+1)) and 1/(p+q+n). It is summed at t1 = min(u, 0.3 min(1, (p+1)/(p+q))),
  where every term ratio (p+q+n) t1/(p+1+n) is <= 0.3: 28 terms truncate below 3e-15.
* Quadrature Q over [t1, u] in z = logit t (near the mode of large p, q, where S would need
  O(sqrt(p+q)) terms). There f(t) dt / f(u) = u v e^(H(z) - H(z_u)) / (t (1-t)) dt with
  H(z) = p z - (p+q) log(1 + e^z), concave, analytic for |Im z| < pi. With Delta = z - z_u,
  r = min(u, v), M = log1p(r expm1(+-Delta)): H - H(z_u) = p Delta - (p+q) M for u <= 1/2
  (-q Delta - (p+q) M mirrored), log(t/u) = Delta - M (-M), log((1-t)/v) = -M (-Delta - M).
  Its terms are O(sqrt(p+q)) across the window, so the exponent rounds at ~sqrt(p+q) eps.
  The window is [z_u - W, z_u], W = min(z_u - logit t1, W40), where H drops by 40 at W40
  (quadratic-model start, then Newton; for u > 1/2 one step first in M, where the drop is
  nearly linear). The drop is convex, so a Newton step in w lands at or beyond the root and
  the truncated tail is <= e^-40. 28 Gauss-Legendre nodes; S at t1 adds the rest, times
  e^(H(z_t1) - H(z_u)).
* Far-side series: windows longer than 5.5 (slow, super-exponential decay that 28 nodes do
  not resolve) occur only for u near 1 (v <= 0.01 measured). There S is summed at v for the
  problem (v; q, p) instead: its term ratios are <= 0.28 and the sign change of the score
  across the bulk costs <= 83 eps at such windows (both measured).

psi(z+h) - psi(z) keeps relative precision for h << z: sum_{j<10} h/((z+j)(z+h+j)) plus,
at w = z + 10, log1p(h/w) + h/(2 w (w+h)) minus the difference of 8-term Stirling tails.

Error model: float64 relative error <= eps (256 + sqrt(a+b)); the sqrt term is Q's exponent.
Measured on 73792 points against 40-60 digit mpmath (a, b log-uniform in [1e-2, 1e5]; x at
the 1e-10 .. 1 - 1e-10 quantiles and the mean): max 456 eps = 1.0e-13, at a + b = 8.2e4, and
158 eps for a + b < 1e4 (0.84 of the model at most). float32 and float16 inputs are computed
in float64 and rounded once (float32: <= 2^-24 relative, measured). Where the sample is 0 or
1 (float32 sampling rounds there) both derivatives are 0, their limits (x log x -> 0).
Fixed iteration counts and torch.where only: no host-device sync. Not differentiable itself
(computed under no_grad, with in-place updates). Cost on CPU is about 4x
torch._dirichlet_grad at 24576 elements, about half of it in the quadrature's
3 x 28 transcendental evaluations.
"""

from __future__ import annotations

import numpy as np
import torch

from policy_dists.beta_functions import digamma_difference

_SERIES_TERMS = 28
# The tail-side series is summed at t1 <= 0.3 min(1, (p+1)/(p+q)), where every term ratio
# (p+q+n) t1 / (p+1+n) is <= 0.3: 28 terms leave < 0.3^28 / 0.7 = 3e-15 relative.
_SERIES_POINT = 0.3

_QUAD_NODES = 28
# The window ends where H has dropped by this much below its value at z_u (e^-40 ~ 4e-18).
_WINDOW_DROP = 40.0
_WINDOW_NEWTON = 1
# Bounds the Newton iterates; beyond _WINDOW_MAX the value no longer matters.
_WINDOW_CAP = 60.0
# Longer windows go to the far-side series. Measured crossover: 28 nodes stay below 6e-15
# up to 5.5 (1e-13 at 6.0); the far side is below 2e-14 from 5.5 (3e-13 at 3.75).
_WINDOW_MAX = 5.5
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(_QUAD_NODES)
# Gauss-Legendre on [0, 1] as Python floats: scalars broadcast on any device without copies.
_GL = tuple(zip(((_GL_NODES + 1.0) / 2.0).tolist(), (_GL_WEIGHTS / 2.0).tolist(), strict=True))


# The normal limit's error after its first correction is ~(1 + z^2) / (6 n) relative, with
# n = ab/(a + b) ~ min(a, b), not a + b: one small parameter keeps the law far from normal.
# The quadrature's exponent rounding grows like sqrt(a + b) eps. Both are ~1e-10 at n = 1e11.
_NORMAL_LIMIT = 1e11


def _normal_limit(
    x: torch.Tensor, y: torch.Tensor, a: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(dx/da, dx/db) for n = ab/(a + b) >= 1e11, where Beta(a, b) is N(r_a, r_a r_b / s) to
    first order, with relative error ~(1 + z^2)/(6 n) plus eps / min(r_a, r_b) from x - r_a.

    With s = a + b, r_a = a/s, r_b = b/s and x = r_a + sigma z at fixed z:
    dx/da = (r_b/s)(1 + (x - r_a)(1 - 3 r_a)/(2 r_a r_b)), and dx/db mirrored (x <-> 1 - x).
    Written with ratios and 1/s = r_a/a, so nothing overflows at a = b = float max.
    """
    r_a = 1.0 / (1.0 + b / a)
    r_b = 1.0 / (1.0 + a / b)
    inv_s = r_a / a
    spread = 2.0 * r_a * r_b
    grad_a = r_b * inv_s * (1.0 + (x - r_a) * (1.0 - 3.0 * r_a) / spread)
    grad_b = -r_a * inv_s * (1.0 + (y - r_b) * (1.0 - 3.0 * r_b) / spread)
    return grad_a, grad_b


@torch.no_grad()
def beta_sample_gradients(
    x: torch.Tensor,
    alpha: torch.Tensor,
    beta: torch.Tensor,
    complement: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(dx/dalpha, dx/dbeta) of x ~ Beta(alpha, beta) at fixed uniform F(x; alpha, beta).

    dx/dtheta = -(dI_x(alpha, beta)/dtheta) / f(x; alpha, beta), for x in [0, 1] and
    alpha, beta > 0, broadcast together. ``complement`` is 1 - x as the sampler produced it
    (the second coordinate of a Dirichlet(alpha, beta) draw): where x > 1/2 the sample is
    taken to be 1 - complement, which keeps the distance to 1 that rounding x loses (a
    float32 x within 2^-24 of 1 is 1 - 2^-24 or 1 whatever that distance). Both derivatives
    are 0 where the sample is 0 or 1, their limits.
    """
    if complement is None:
        complement = 1.0 - x.double()
    x, alpha, beta, complement = torch.broadcast_tensors(x, alpha, beta, complement)
    shape = x.shape
    out_dtype = torch.promote_types(torch.promote_types(x.dtype, alpha.dtype), beta.dtype)
    x, a, b, y = (t.reshape(-1).double() for t in (x, alpha, beta, complement))

    # The smaller of the sample and its complement is exact; the larger is 1 - it (only
    # ever multiplied, so its rounding is harmless), and its log is log1p of the smaller.
    x_small = x <= 0.5
    small = torch.where(x_small, x, y)
    edge = small == 0.0
    small = torch.where(edge, 0.5, small)
    large = 1.0 - small
    x, y = torch.where(x_small, small, large), torch.where(x_small, large, small)
    log_small, log_large = torch.log(small), torch.log1p(-small)
    log_x = torch.where(x_small, log_small, log_large)
    log_y = torch.where(x_small, log_large, log_small)

    # Orient so that u lies on the tail side of the mean p/(p+q).
    lower = x * b <= y * a
    u, v = torch.where(lower, x, y), torch.where(lower, y, x)
    lu, lv = torch.where(lower, log_x, log_y), torch.where(lower, log_y, log_x)
    p, q = torch.where(lower, a, b), torch.where(lower, b, a)
    psi_pq, psi_qp = digamma_difference(torch.cat((p, q)), torch.cat((q, p))).chunk(2)
    logit = _Logit(u, v, p, q)

    # Split point t1 (series below it) and the quadrature window [z_u - W, z_u] above it.
    point = _SERIES_POINT * torch.clamp_max((p + 1.0) / logit.s, 1.0)
    gap = torch.relu(lu - lv - torch.log(point) + torch.log1p(-point))
    width = torch.minimum(logit.window(), gap)
    other = width > _WINDOW_MAX
    m1 = logit.m(-gap)
    lt1 = lu - logit.c * gap - m1
    t1 = torch.where(gap > 0.0, torch.exp(lt1), u)
    sum_a, sum_b = _series(
        torch.where(other, v, t1),
        torch.where(other, lv, lt1),
        torch.where(other, lu, lv + (1.0 - logit.c) * gap - m1),
        torch.where(other, q, p),
        torch.where(other, p, q),
        torch.where(other, psi_qp, psi_pq),
        torch.where(other, psi_pq, psi_qp),
    )
    # Tail side: int_0^t1 f s / f(u) = e^(H(z_t1) - H(z_u)) u v (series sum at t1).
    below = torch.exp(torch.clamp_min(-logit.slope * gap - logit.s * m1, -700.0))
    int_p, int_q = _quadrature(logit, width, lu + psi_pq, lv + psi_qp)
    uv = u * v
    # J of the problem actually solved: (u; p, q) on the tail side, (v; q, p) on the other.
    j_first = uv * torch.where(other, sum_a, below * sum_a + int_p)
    j_second = uv * torch.where(other, sum_b, below * sum_b + int_q)
    # Lower orientation of x: dx/da = -J_first, dx/db = -J_second. Upper: I_x(a, b) =
    # 1 - I_{1-x}(b, a) turns dF/da into -dI/d(second), so dx/da = J_second, dx/db = J_first.
    x_lower = lower != other
    grad_a = torch.where(x_lower, -j_first, j_second)
    grad_b = torch.where(x_lower, -j_second, j_first)
    normal = a / (1.0 + a / b) >= _NORMAL_LIMIT  # n = ab/(a + b), without overflow
    normal_a, normal_b = _normal_limit(x, y, a, b)
    grad_a = torch.where(normal, normal_a, grad_a)
    grad_b = torch.where(normal, normal_b, grad_b)
    grad_a = torch.where(edge, 0.0, grad_a).reshape(shape).to(out_dtype)
    grad_b = torch.where(edge, 0.0, grad_b).reshape(shape).to(out_dtype)
    return grad_a, grad_b


def _series(
    u: torch.Tensor,
    lu: torch.Tensor,
    lv: torch.Tensor,
    p: torch.Tensor,
    q: torch.Tensor,
    psi_pq: torch.Tensor,
    psi_qp: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(sum_n U_n A_n, sum_n U_n B_n): J_p and J_q at u divided by u (1-u) (module doc, S).

    U_0 = 1/p, U_{n+1} = U_n (p+q+n) u / (p+n+1). A_n = log u + psi(p+q+n) - psi(p+n+1):
    A_0 = log u + psi_pq - 1/p and A_{n+1} - A_n = (1-q)/((p+q+n)(p+n+1));
    B_n = log(1-u) + psi_qp + sum_{k<n} 1/(p+q+k).
    """
    term = 1.0 / p
    bracket_a = lu + psi_pq - term
    bracket_b = lv + psi_qp
    sum_a, sum_b = term * bracket_a, term * bracket_b
    top, bottom, one_minus_q, ones = p + q, p + 1.0, 1.0 - q, torch.ones_like(p)
    # In-place updates of whole-length vectors: on CPU, looping over terms beats batching
    # them into (elements x terms) arrays, which leave the cache.
    for _ in range(_SERIES_TERMS - 1):
        term.mul_(top).mul_(u).div_(bottom)
        bracket_a.addcdiv_(one_minus_q, top * bottom)
        bracket_b.addcdiv_(ones, top)
        sum_a.addcmul_(term, bracket_a)
        sum_b.addcmul_(term, bracket_b)
        top.add_(1.0)
        bottom.add_(1.0)
    return sum_a, sum_b


class _Logit:
    """The oriented integrand in z = logit t around z_u, in the cancellation-free form.

    With r = min(u, v), sigma = +1 if u <= 1/2 else -1 and M(Delta) = log1p(r expm1(sigma
    Delta)): H(z_u + Delta) - H(z_u) = slope Delta - s M with slope = p (else -q), and
    log(t/u) = c Delta - M, log((1-t)/v) = (c-1) Delta - M with c = 1 (else 0).
    """

    def __init__(self, u: torch.Tensor, v: torch.Tensor, p: torch.Tensor, q: torch.Tensor):
        first = u <= 0.5
        self.u, self.v, self.p, self.q, self.s = u, v, p, q, p + q
        self.r = torch.where(first, u, v)
        self.c = first.to(u.dtype)
        self.sign = 2.0 * self.c - 1.0
        self.slope = torch.where(first, p, -q)

    def m(self, delta: torch.Tensor) -> torch.Tensor:
        """M(Delta) = log1p(r expm1(sigma Delta))."""
        return torch.log1p(self.r * torch.expm1(self.sign * delta))

    def window(self) -> torch.Tensor:
        """W at or just beyond the root of D(W) = H(z_u) - H(z_u - W) = 40 (capped at 60).

        D(w) = slope w + s M(-w) is convex and increasing from D(0) = 0. Start from the
        quadratic model lambda w + kappa w^2/2 (lambda = D'(0) = p v - q u, kappa = D''(0) =
        s u v). For u > 1/2, D can grow like e^w, where Newton from the right crawls, so one
        step is first taken in zeta = M(-w), in which D = s zeta - q log1p(expm1(zeta)/v) is
        concave and nearly linear. Each Newton step in w then ends at or beyond the root.
        """
        u, v, s, q = self.u, self.v, self.s, self.q
        lam = (self.p * v - q * u).clamp_min(0.0)
        kappa = s * u * v
        w = 2.0 * _WINDOW_DROP / (lam + torch.sqrt(lam * lam + 2.0 * kappa * _WINDOW_DROP))
        w = w.clamp_max(_WINDOW_CAP)
        zeta = torch.log1p(v * torch.expm1(w))
        grow = torch.exp(zeta)
        drop = s * zeta - q * torch.log1p(torch.expm1(zeta) / v)
        zeta = (zeta - (drop - _WINDOW_DROP) / (s - q * grow / (grow - u))).clamp_min(0.0)
        w = torch.where(self.c > 0.0, w, torch.log1p(torch.expm1(zeta) / v).clamp_max(_WINDOW_CAP))
        for _ in range(_WINDOW_NEWTON):
            e = torch.expm1(-self.sign * w)
            drop = self.slope * w + s * torch.log1p(self.r * e)
            # D'(w) = slope - sign s r e^(-sign w) / (1 + r expm1(-sign w))
            rate = self.slope - self.sign * s * self.r * (1.0 + e) / (1.0 + self.r * e)
            w = (w - (drop - _WINDOW_DROP) / rate).clamp(0.0, _WINDOW_CAP)
        return w


def _quadrature(
    logit: _Logit, width: torch.Tensor, score_p: torch.Tensor, score_q: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """int e^(H - H(z_u)) s_p dz and the same with s_q over [z_u - W, z_u] (module doc, Q).

    s_p(t) = log(t/u) + score_p and s_q(t) = log((1-t)/v) + score_q, the scores at u. Nodes
    sit at Delta_j = -W t_j, where the exponent is -(slope W) t_j - s M_j.
    """
    arg = -logit.sign * width
    lin = -logit.slope * width
    sum_w = torch.zeros_like(width)
    sum_wt = torch.zeros_like(width)
    sum_wm = torch.zeros_like(width)
    for node, weight in _GL:
        m = torch.log1p(torch.expm1(arg * node).mul_(logit.r))
        # exp below e^-700 is irrelevant next to the window's e^0; clamping avoids subnormals.
        w = (lin * node).addcmul_(logit.s, m, value=-1.0).clamp_min_(-700.0).exp_()
        sum_w.add_(w, alpha=weight)
        sum_wt.add_(w, alpha=weight * node)
        sum_wm.addcmul_(w, m, value=weight)
    # int e dz = W sum_w; int e Delta dz = -W^2 sum_wt; int e M dz = W sum_wm.
    int_delta = -width * width * sum_wt
    int_m = width * sum_wm
    int_1 = width * sum_w
    return (
        logit.c * int_delta - int_m + score_p * int_1,
        (logit.c - 1.0) * int_delta - int_m + score_q * int_1,
    )
