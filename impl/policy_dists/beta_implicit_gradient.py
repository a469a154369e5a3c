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
Measured on 67402 points against mpmath (a, b log-uniform in [1e-2, 1e5]; x at the 1e-10 ..
1 - 1e-10 quantiles and the mean; references of impl/tests/test_beta_implicit_gradient:
the 40-digit series, or the tail quadrature at 25 + log10(a+b) digits where a, b >= 1 and
a + b > 2000): max 481 eps = 1.1e-13, at a + b = 1.5e5, and 131 eps for a + b < 1e4 (0.74
of the model at most). float32 and float16 results are computed in float64 by a shorter
rule (20 terms, 20 nodes, windows up to 4.5; 21% faster), within 2^-30 of the float64 rule,
and rounded once: <= 2^-24 + 2^-30 relative. Where the sample is 0 or 1 (float32 sampling
rounds there) both derivatives are 0, their limits (x log x -> 0).
Series terms, quadrature nodes and digamma_difference's terms lie along a trailing axis
(cumulative products and sums, matrix products with the weights), so a pass of up to
pass_size elements is a fixed 171 ATen operators (190 without the digamma shifts given),
with torch.where only: no host-device sync. Not differentiable itself (computed under
no_grad). Cost on one CPU thread at 24576 elements, in units of torch._dirichlet_grad: 10x
(7.4x with the digamma shifts given) for float64 results, 7.8x (6.0x) for float32.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from policy_dists.beta_functions import digamma_difference, on_device, pass_size

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

# The normal limit's error after its first correction is ~(1 + z^2) / (6 n) relative, with
# n = ab/(a + b) ~ min(a, b), not a + b: one small parameter keeps the law far from normal.
# The quadrature's exponent rounding grows like sqrt(a + b) eps. Both are ~1e-10 at n = 1e11.
_NORMAL_LIMIT = 1e11


class _Table(NamedTuple):
    """Constants, shaped to broadcast against the layouts of _gradients."""

    top: torch.Tensor  # n - 1 for the series terms n = 1..27: p + q + n - 1
    bottom: torch.Tensor  # n: p + n
    nodes: torch.Tensor  # Gauss-Legendre on [0, 1]
    # (nodes, 3) each: the node sums (sum_w, -sum_wt, -sum_wm) as e @ weights + (e m) @ m_weights.
    weights: torch.Tensor
    m_weights: torch.Tensor
    second: torch.Tensor  # pair (0, 1)
    first: torch.Tensor  # pair (-1, 0)
    signs: torch.Tensor  # pair (1, -1)


def _table(series_terms: int, quad_nodes: int) -> _Table:
    nodes, weights = np.polynomial.legendre.leggauss(quad_nodes)
    nodes, weights = (nodes + 1.0) / 2.0, weights / 2.0
    zeros = np.zeros(quad_nodes)
    sums = np.stack((weights, -weights * nodes, zeros), axis=-1)
    m_sums = np.stack((zeros, zeros, -weights), axis=-1)
    terms = np.arange(1.0, series_terms)
    pairs = np.array(((0.0, 1.0), (-1.0, 0.0), (1.0, -1.0))).reshape(3, 2, 1, 1)
    columns = (terms - 1.0, terms, nodes, sums, m_sums, *pairs)
    return _Table(*(torch.tensor(t, dtype=torch.float64) for t in columns))


class _Rule(NamedTuple):
    """Series terms and quadrature nodes (in the table), and the longest quadrature window."""

    table: _Table
    window_max: float


_FLOAT64_RULE = _Rule(_table(_SERIES_TERMS, _QUAD_NODES), _WINDOW_MAX)
# For results rounded to float32 or below: 20 terms truncate below 0.3^20 / 0.7 = 5e-11 of
# the series, and 20 nodes resolve windows up to 4.5 (longer ones go to the far-side series,
# below 3e-13 from 3.75 on). Measured against the float64 rule on 3 x ~28000 points (a, b
# log-uniform in [1e-2, 1e5], [1e-3, 1e9] and [1.0001, 1e3], quantiles 1e-10 .. 1 - 1e-10):
# at most 9.7e-11 relative, within the stated bound 2^-30 (1/64 of float32's rounding,
# 2^-24); 21% faster per pass.
_FLOAT32_RULE = _Rule(_table(20, 20), 4.5)
FLOAT32_RULE_BOUND = 2.0**-30


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
    (the second coordinate of a Dirichlet(alpha, beta) draw): the smaller of x and
    complement is taken as exact, so where x > 1/2 the sample is 1 - complement, which keeps
    the distance to 1 that rounding x loses (a float32 x within 2^-24 of 1 is 1 - 2^-24 or 1
    whatever that distance). Both derivatives are 0 where the sample is 0 or 1, their limits.
    """
    if complement is None:
        complement = 1.0 - x.double()
    x, alpha, beta, complement = torch.broadcast_tensors(x, alpha, beta, complement)
    out_dtype = torch.promote_types(torch.promote_types(x.dtype, alpha.dtype), beta.dtype)
    pair = torch.stack((x.double(), complement.double()))
    concentration = torch.stack((alpha, beta)).double()
    grads = beta_sample_gradient_pairs(pair, concentration, result_dtype=out_dtype)
    return grads.to(out_dtype).unbind(0)


@torch.no_grad()
def beta_sample_gradient_pairs(
    pair: torch.Tensor,
    concentration: torch.Tensor,
    shifts: torch.Tensor | None = None,
    result_dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """beta_sample_gradients on pairs stacked along a first axis, in float64: (x, complement)
    and (alpha, beta) in, (dx/dalpha, dx/dbeta) out. ``shifts`` = digamma_shifts(alpha,
    beta), when the caller has them, saves their evaluation here. ``result_dtype``: what the
    caller rounds the result to; below float64, a shorter series and quadrature (module doc)."""
    rule = _FLOAT64_RULE if result_dtype == torch.float64 else _FLOAT32_RULE
    shape = pair.shape
    rows = [pair.reshape(2, -1, 1), concentration.reshape(2, -1, 1)]
    if shifts is not None:
        rows.append(shifts.reshape(2, -1, 1))
    size = pass_size(pair.device)
    if rows[0].shape[1] <= size:
        grads = _gradients(rule, *rows)
    else:
        chunks = zip(*(row.split(size, 1) for row in rows), strict=True)
        grads = torch.cat([_gradients(rule, *chunk) for chunk in chunks], 1)
    return grads.reshape(shape)


def _gradients(
    rule: _Rule, xy: torch.Tensor, ab: torch.Tensor, shifts: torch.Tensor | None = None
) -> torch.Tensor:
    """(dx/da, dx/db) from the pairs (x, 1 - x), (a, b) and (psi(a+b) - psi(a), psi(a+b) -
    psi(b)) of N elements. Layouts: a pair is (2, N, 1), a per-element quantity (N, 1), a
    term or node axis (N, terms); they broadcast against each other with contiguous inner
    loops (a trailing pair axis of size 2 would make every pair operation a strided one)."""
    table = on_device(rule.table, xy.device)
    # The smaller of the sample and its complement is exact; the larger is 1 - it (only
    # ever multiplied, so its rounding is harmless), and its log is log1p of the smaller.
    small = xy.amin(0)
    is_small = xy == small
    edge = small == 0.0
    small = small.masked_fill(edge, 0.5)
    xy = torch.where(is_small, small, 1.0 - small)
    log_xy = torch.where(is_small, torch.log(small), torch.log1p(-small))

    # Orient so that u lies on the tail side of the mean p/(p+q): x b <= y a.
    ba = ab.flip(0)
    xb, ya = (xy * ba).unbind(0)
    lower = xb <= ya
    uv = torch.where(lower, xy, xy.flip(0))
    log_uv = torch.where(lower, log_xy, log_xy.flip(0))
    pq, qp = torch.where(lower, ab, ba), torch.where(lower, ba, ab)
    (u, v), (lu, lv), (p, q) = uv.unbind(0), log_uv.unbind(0), pq.unbind(0)
    # (psi(p+q) - psi(p), psi(p+q) - psi(q))
    if shifts is None:
        psi = digamma_difference(pq, qp)
    else:
        psi = torch.where(lower, shifts, shifts.flip(0))
    s = p + q
    # _window's orientation (u <= 1/2 or not) as the pair (-c, 1 - c) and its sum -sigma.
    first = u <= 0.5
    not_c = torch.where(first, table.first, table.second)
    nsign = not_c.sum(0)
    nslope = torch.where(first, -p, q)  # -slope
    uv_product = u * v
    # r = min(u, v) is the exact small.
    w = _window(u, v, p, s, q, small, uv_product, first, nsign, nslope)

    # Split point t1 (series below it) and the quadrature window [z_u - W, z_u] above it.
    point = ((p + 1.0) / s).clamp_max_(1.0).mul_(_SERIES_POINT)
    gap = (lu - lv - torch.logit(point)).relu_()
    width = torch.minimum(w, gap)
    other = width > rule.window_max
    m1 = torch.log1p(torch.expm1(nsign * gap).mul_(small))
    log_t1 = torch.addcmul(log_uv, not_c, gap).sub_(m1)  # (log t1, log(1 - t1))
    t1 = torch.where(gap > 0.0, log_t1[0].exp(), u)
    scores = log_uv + psi  # (log u + psi(p+q) - psi(p), log v + psi(p+q) - psi(q))
    sums = _series(
        torch.where(other, v, t1),
        torch.where(other, qp, pq),
        s,
        torch.where(other, scores.flip(0), log_t1 + psi),
        table,
    )
    # Tail side: int_0^t1 f s / f(u) = e^(H(z_t1) - H(z_u)) u v (series sum at t1).
    below = torch.addcmul(nslope * gap, s, m1, value=-1.0).clamp_min_(-700.0).exp_()
    integrals = _quadrature(width, small, s, nsign, nslope, not_c, scores, table)
    # J of the problem actually solved: (u; p, q) on the tail side, (v; q, p) on the other.
    j = uv_product * torch.where(other, sums, torch.addcmul(integrals, below, sums))
    # Lower orientation of x: dx/da = -J_first, dx/db = -J_second. Upper: I_x(a, b) =
    # 1 - I_{1-x}(b, a) turns dF/da into -dI/d(second), so dx/da = J_second, dx/db = J_first.
    grads = torch.where(lower != other, -j, j.flip(0))
    normal, limit = _normal_limit(xy, ab, ba, table.signs)
    return torch.where(normal, limit, grads).masked_fill_(edge, 0.0)


def _normal_limit(
    xy: torch.Tensor, ab: torch.Tensor, ba: torch.Tensor, signs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(n >= 1e11, (dx/da, dx/db)) for n = ab/(a + b), where Beta(a, b) is N(r_a, r_a r_b / s)
    to first order, with relative error ~(1 + z^2)/(6 n) plus eps / min(r_a, r_b) from
    x - r_a.

    With s = a + b, r_a = a/s, r_b = b/s and x = r_a + sigma z at fixed z:
    dx/da = (r_b/s)(1 + (x - r_a)(1 - 3 r_a)/(2 r_a r_b)), and dx/db mirrored (x <-> 1 - x).
    Written with ratios and 1/s = r_a/a, so nothing overflows at a = b = float max.
    """
    r = (ba / ab).add_(1.0).reciprocal_()  # (r_a, r_b)
    r_swapped = r.flip(0)
    normal = ab * r_swapped >= _NORMAL_LIMIT  # n = a r_b = b r_a, without overflow
    spread = r * r_swapped  # r_a r_b
    scale = spread / ab  # (r_b / s, r_a / s)
    shift = (xy - r).mul_(torch.rsub(r, 1.0, alpha=3.0))
    return normal, torch.addcdiv(scale, scale * shift, spread, value=0.5).mul_(signs)


def _series(
    u: torch.Tensor, pq: torch.Tensor, s: torch.Tensor, scores: torch.Tensor, table: _Table
) -> torch.Tensor:
    """(sum_n U_n A_n, sum_n U_n B_n): J_p and J_q at u divided by u (1-u) (module doc, S),
    with pq = (p, q), s = p + q and scores = (log u + psi(p+q) - psi(p), log(1-u) + psi(p+q)
    - psi(q)).

    U_0 = 1/p, U_n = U_{n-1} (p+q+n-1) u / (p+n), by a cumulative product along the terms.
    A_n = log u + psi(p+q+n) - psi(p+n+1): A_0 = log u + psi_pq - 1/p and A_n - A_{n-1} =
    (1-q)/((p+q+n-1)(p+n)); B_n = log(1-u) + psi_qp + sum_{k<n} 1/(p+q+k). The brackets are
    A_0 plus a cumulative sum of the increments, and sum_n U_n A_n = U_0 (A_0 (1 + sum_{n>0}
    U_n/U_0) + sum_{n>0} (U_n/U_0)(A_n - A_0)), whose rounding, eps (|A_0| + |A_n - A_0|) per
    term, is that of forming each A_n first.
    """
    p, q = pq.unbind(0)
    top = s + table.top  # p + q + n - 1, n = 1..27
    bottom = p + table.bottom  # p + n
    ratios = (top * u).div_(bottom).cumprod_(-1)  # U_n / U_0
    step_a = (1.0 - q) / bottom.mul_(top)
    steps = torch.stack(
        [t.cumsum_(-1).mul_(ratios).sum(-1, keepdim=True) for t in (step_a, top.reciprocal_())]
    )
    inv_p = p.reciprocal()
    first = torch.addcmul(scores, table.first, inv_p)  # (A_0, B_0)
    return torch.addcmul(steps, first, ratios.sum(-1, keepdim=True).add_(1.0)).mul_(inv_p)


def _window(
    u: torch.Tensor,
    v: torch.Tensor,
    p: torch.Tensor,
    s: torch.Tensor,
    q: torch.Tensor,
    r: torch.Tensor,
    uv: torch.Tensor,
    first: torch.Tensor,
    nsign: torch.Tensor,
    nslope: torch.Tensor,
) -> torch.Tensor:
    """W at or just beyond the root of D(W) = H(z_u) - H(z_u - W) = 40 (capped at 60).

    With r = min(u, v), sigma = +1 if u <= 1/2 else -1 and M(Delta) = log1p(r expm1(sigma
    Delta)): D(w) = slope w + s M(-w), slope = p (else -q), is convex and increasing from
    D(0) = 0. Start from the quadratic model lambda w + kappa w^2/2 (lambda = D'(0) = p v -
    q u, kappa = D''(0) = s u v). For u > 1/2, D can grow like e^w, where Newton from the
    right crawls, so one step is first taken in zeta = M(-w) = log1p(v expm1(w)), in which
    D = s zeta - q w is concave and nearly linear (dw/dzeta = e^zeta / (e^zeta - u), with
    e^zeta - u = v e^w: no cancellation). Each Newton step in w then ends at or beyond the
    root.
    """
    lam = torch.addcmul(p, s, u, value=-1.0).clamp_min_(0.0)  # p v - q u
    w = torch.addcmul(lam * lam, s, uv, value=2.0 * _WINDOW_DROP).sqrt_().add_(lam)
    w = w.reciprocal_().mul_(2.0 * _WINDOW_DROP).clamp_max_(_WINDOW_CAP)
    grow = torch.expm1(w).mul_(v)  # e^zeta - 1
    zeta = torch.log1p(grow)
    drop = torch.addcmul(s * zeta, q, w, value=-1.0).sub_(_WINDOW_DROP)
    rate = torch.addcdiv(s, q * (grow + 1.0), grow.add_(v), value=-1.0)
    zeta = torch.addcdiv(zeta, drop, rate, value=-1.0).clamp_min_(0.0)
    w = torch.where(first, w, torch.log1p(torch.expm1(zeta).div_(v)).clamp_max_(_WINDOW_CAP))
    for _ in range(_WINDOW_NEWTON):
        e = torch.expm1(nsign * w)
        re = r * e
        drop = torch.addcmul(s * torch.log1p(re), nslope, w, value=-1.0).sub_(_WINDOW_DROP)
        # -D'(w) = nslope - nsign s r (1 + e) / (1 + r e)
        rate = torch.addcdiv(nslope, (nsign * s) * (r + re), re.add_(1.0), value=-1.0)
        w = torch.addcdiv(w, drop, rate).clamp_(0.0, _WINDOW_CAP)
    return w


def _quadrature(
    width: torch.Tensor,
    r: torch.Tensor,
    s: torch.Tensor,
    nsign: torch.Tensor,
    nslope: torch.Tensor,
    not_c: torch.Tensor,
    scores: torch.Tensor,
    table: _Table,
) -> torch.Tensor:
    """(int e^(H - H(z_u)) s_p dz, the same with s_q) over [z_u - W, z_u] (module doc, Q).

    s_p(t) = log(t/u) + score_p and s_q(t) = log((1-t)/v) + score_q, scores = (score_p,
    score_q) the scores at u. Nodes sit at Delta_j = -W t_j, where the exponent is
    -(slope W) t_j - s M_j, evaluated along a last axis of nodes.
    """
    delta = width * table.nodes  # -Delta_j
    m = (nsign * delta).expm1_().mul_(r).log1p_()
    # exp below e^-700 is irrelevant next to the window's e^0; clamping avoids subnormals.
    e = delta.mul_(nslope).addcmul_(s, m, value=-1.0).clamp_min_(-700.0).exp_()
    sums = torch.addmm(e @ table.weights, m.mul_(e), table.m_weights)  # (sum_w, -sum_wt, -sum_wm)
    # int e dz = W sum_w; int e Delta dz = -W^2 sum_wt; int e M dz = W sum_wm.
    int_1, int_delta, minus_int_m = (sums * width).split(1, -1)
    # (c, c - 1) int_delta - int_m + scores int_1
    return torch.addcmul(minus_int_m, not_c, int_delta * width, value=-1.0).addcmul_(scores, int_1)
