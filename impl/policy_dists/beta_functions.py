"""Special functions of the Beta distribution: log B, its log-density, digamma differences
and the entropy, accurate where the textbook lgamma/digamma sums cancel or overflow."""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from policy_dists.numerics import HALF_LOG_2PI

# Stirling-series coefficients B_2k / (2k (2k - 1)) for k = 1..8: the remainder after them is
# below 2e-18 for x >= 10, far under float64 resolution of log B.
_STIRLING = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
    -3617.0 / 122400.0,
)
_STIRLING_MIN = 10.0


def _stirling_correction(inv: torch.Tensor) -> torch.Tensor:
    """lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2) from inv = 1/x, valid for x >= 10."""
    inv_sq = inv * inv
    acc = torch.full_like(inv, _STIRLING[-1])
    for coeff in reversed(_STIRLING[:-1]):
        acc = acc * inv_sq + coeff
    return acc * inv


def _ordered(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(p, q, t) = (min, max, min/max); t in (0, 1] never overflows, unlike a + b.

    Selected with ``where`` on a > b, not minimum/maximum: on ties those split the gradient
    half and half, which is wrong wherever p and q are then used asymmetrically.
    """
    swap = a > b
    p = torch.where(swap, b, a)
    q = torch.where(swap, a, b)
    return p, q, p / q


class _LbetaSplit:
    """log B(p, q), p <= q, in the three regimes of the classical lbeta split.

    Every regime is evaluated everywhere (torch.where selects afterwards), so each gets
    arguments where it is finite: gradients of unselected regimes must not be inf * 0.
    log(p + q) and 1/(p + q) are formed from t = p/q, without forming p + q, which
    overflows at p = q = float max.
    """

    def __init__(self, p: torch.Tensor, q: torch.Tensor, t: torch.Tensor) -> None:
        self.both_large = p >= _STIRLING_MIN
        self.one_large = q >= _STIRLING_MIN
        self.p_big = torch.where(self.both_large, p, _STIRLING_MIN)
        self.q_big = torch.where(self.one_large, q, _STIRLING_MIN)
        t_big = torch.where(self.one_large, t, p / _STIRLING_MIN)
        self.log_rq = -torch.log1p(t_big)  # log(q / (p + q))
        self.log_rp = torch.log(t_big) + self.log_rq  # log(p / (p + q))
        self.log_s = torch.log(self.q_big) - self.log_rq
        inv_s = 1.0 / (self.q_big * (1.0 + t_big))
        corr_q = _stirling_correction(1.0 / self.q_big)
        # lgamma(p) + lgamma(q) - lgamma(p + q) = these + the Stirling main terms.
        self.corr_both = (
            _stirling_correction(1.0 / self.p_big) + corr_q - _stirling_correction(inv_s)
        )
        # lgamma(q) - lgamma(p + q) for q >= 10 > p, without cancellation.
        self.lgamma_q_minus_lgamma_s = (
            corr_q
            - _stirling_correction(inv_s)
            + p
            - p * self.log_s
            + (self.q_big - 0.5) * self.log_rq
        )
        self.lgamma_p = torch.lgamma(p)
        p_small = torch.where(self.one_large, 1.0, p)
        q_small = torch.where(self.one_large, 1.0, q)
        self.small = torch.lgamma(p_small) + torch.lgamma(q_small) - torch.lgamma(p_small + q_small)

    def select(
        self, both_large: torch.Tensor, one_large: torch.Tensor, small: torch.Tensor
    ) -> torch.Tensor:
        return torch.where(
            self.both_large, both_large, torch.where(self.one_large, one_large, small)
        )

    def lbeta(self) -> torch.Tensor:
        both_large = (
            (self.p_big - 0.5) * self.log_rp
            + (self.q_big - 0.5) * self.log_rq
            - 0.5 * self.log_s
            + HALF_LOG_2PI
            + self.corr_both
        )
        return self.select(both_large, self.lgamma_p + self.lgamma_q_minus_lgamma_s, self.small)


def lbeta(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """log B(a, b) for float64 a, b > 0, accurate to a few ulps where lgamma sums cancel.

    Stirling corrections replace the cancelling lgamma terms when an argument is >= 10 (the
    classical lbeta split): lgamma(a) + lgamma(b) - lgamma(a + b) loses ~200 float32 ulps
    at a = b = 50 and everything at a = 1e30, b = 1. Callers widen float32 to float64 first.
    """
    return _LbetaSplit(*_ordered(a, b)).lbeta()


def _log_x_and_log_1mx(c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(log x, log(1 - x)) for x = (1 + c)/2, each to a few ulps of its own magnitude.

    The smaller of x and 1 - x is exact in floating point ((1 + c)/2 for c <= 0 by Sterbenz,
    (1 - c)/2 for c >= 0), so each log is taken of the small one directly, or as log1p(-small).
    Runs without autograd (see _BetaLogDensity), so the unselected branch is simply discarded.
    """
    upper = c > 0
    c_low = torch.where(upper, 0.0, c)  # c <= 0: x = (1 + c)/2 <= 1/2 is exact
    c_high = torch.where(upper, c, 0.0)  # c > 0: 1 - x = (1 - c)/2 < 1/2 is exact
    x_low = 0.5 * (1.0 + c_low)
    one_minus_x_high = 0.5 * (1.0 - c_high)
    log_x = torch.where(upper, torch.log1p(-one_minus_x_high), torch.log(x_low))
    log_1mx = torch.where(upper, torch.log(one_minus_x_high), torch.log1p(-x_low))
    return log_x, log_1mx


def _power_term(exponent: torch.Tensor, log_value: torch.Tensor) -> torch.Tensor:
    """exponent * log_value with 0 * log 0 = 0 (x^0 = 1 at x = 0), gradient included."""
    zero = exponent == 0
    return torch.where(zero, 0.0, exponent * torch.where(zero, 0.0, log_value))


def beta_log_density(
    c: torch.Tensor, a: torch.Tensor, b: torch.Tensor, endpoints: bool
) -> torch.Tensor:
    """log of the Beta(a, b) density at x = (c + 1)/2, in x (no Jacobian), for c in [-1, 1].

    (a - 1) log x + (b - 1) log(1 - x) - log B(a, b), with log x and log(1 - x) accurate at
    both ends and each multiplied whole (splitting off log 2 would cancel at large b). When
    a, b >= 10 the terms are grouped around the mode, (a - 1) log(x (a + b)/a) + ..., so
    nothing overflows even at a = b = float max. ``endpoints``: c may be exactly ±1, where
    an exponent of exactly 0 must give x^0 = 1. float32 is computed in float64, rounded once.
    The gradient is the closed form (see _BetaLogDensity), not autograd through the branches.
    """
    if a.dtype != torch.float64:
        return beta_log_density(c.double(), a.double(), b.double(), endpoints).to(a.dtype)
    return _BetaLogDensity.apply(c, a, b, endpoints)


def _beta_log_density_value(
    c: torch.Tensor, a: torch.Tensor, b: torch.Tensor, endpoints: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(log density, log x, log(1 - x)) in float64, without gradients."""
    log_x, log_1mx = _log_x_and_log_1mx(c)
    p, q, t = _ordered(a, b)
    split = _LbetaSplit(p, q, t)
    swap = a > b  # then p = b, whose variable is 1 - x
    log_xp = torch.where(swap, log_1mx, log_x)
    log_xq = torch.where(swap, log_x, log_1mx)
    both_large = (
        (split.p_big - 1.0) * (log_xp - split.log_rp)
        + (split.q_big - 1.0) * (log_xq - split.log_rq)
        - 0.5 * (split.log_rp + split.log_rq)
        + 0.5 * split.log_s
        - HALF_LOG_2PI
        - split.corr_both
    )
    if endpoints:
        powers = _power_term(a - 1.0, log_x) + _power_term(b - 1.0, log_1mx)
    else:
        powers = (a - 1.0) * log_x + (b - 1.0) * log_1mx
    one_large = powers - split.lgamma_p - split.lgamma_q_minus_lgamma_s
    return split.select(both_large, one_large, powers - split.small), log_x, log_1mx


class _BetaLogDensity(torch.autograd.Function):
    """The Beta log-density with its closed-form gradient:

    d/da = log x - (psi(a) - psi(a + b)), d/db = log(1 - x) - (psi(b) - psi(a + b)),
    d/dc = (a - 1)/(1 + c) - (b - 1)/(1 - c). The digamma differences are formed without
    a + b (which overflows at float max) and without cancellation; autograd through the
    branch-selected forward would instead meet inf * 0 in unselected branches and build a
    graph of ~60 nodes.
    """

    @staticmethod
    def forward(ctx, c, a, b, endpoints):  # type: ignore[override]
        value, log_x, log_1mx = _beta_log_density_value(c, a, b, endpoints)
        ctx.save_for_backward(c, a, b, log_x, log_1mx)
        ctx.endpoints = endpoints
        return value

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):  # type: ignore[override]
        c, a, b, log_x, log_1mx = ctx.saved_tensors
        grad_c = grad_a = grad_b = None
        if ctx.needs_input_grad[1]:
            grad_a = (grad * (log_x + digamma_difference(a, b))).sum_to_size(a.shape)
        if ctx.needs_input_grad[2]:
            grad_b = (grad * (log_1mx + digamma_difference(b, a))).sum_to_size(b.shape)
        if ctx.needs_input_grad[0]:
            rise, fall = (a - 1.0) / (1.0 + c), (b - 1.0) / (1.0 - c)
            if ctx.endpoints:  # x^0 = 1 has derivative 0, also at x = 0
                rise = torch.where(a == 1.0, 0.0, rise)
                fall = torch.where(b == 1.0, 0.0, fall)
            grad_c = (grad * (rise - fall)).sum_to_size(c.shape)
        return grad_c, grad_a, grad_b, None


# Stirling tail of the digamma function: psi(w) = log w - 1/(2w) - sum_k B_2k / (2k w^2k).
# Eight terms leave < B_18 / (18 w^18) ~ 3e-18 at w >= 10.
_PSI_TAIL = (
    1.0 / 12.0,
    -1.0 / 120.0,
    1.0 / 252.0,
    -1.0 / 240.0,
    1.0 / 132.0,
    -691.0 / 32760.0,
    1.0 / 12.0,
    -3617.0 / 8160.0,
)
_PSI_SHIFT = 10


def digamma_difference(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """psi(z + h) - psi(z) for z > 0, h >= 0, to a few ulps relative even when h << z.

    psi(z+h) - psi(z) = sum_{j<10} h/((z+j)(z+h+j)) + [psi(w+h) - psi(w)] at w = z + 10, and
    psi(w+h) - psi(w) = log1p(h/w) + h/(2w(w+h)) - (T(w+h) - T(w)), T the Stirling tail. Every
    piece is positive except T's difference; T(w) ~ 1/(12 w^2), so rounding it costs at most
    eps / (12 w h) of the total ~ h / w.
    """
    recurrence = torch.zeros_like(z)
    zj, zhj = z.clone(), z + h
    # h / (z + h) <= 1 first: the product zj * zhj overflows near float max.
    for _ in range(_PSI_SHIFT):
        recurrence.add_(h / zhj / zj)
        zj.add_(1.0)
        zhj.add_(1.0)
    w = zj
    tails = _stirling_tail(torch.cat((zhj, w))).chunk(2)
    return recurrence + torch.log1p(h / w) + 0.5 * (h / zhj) / w - (tails[0] - tails[1])


def _stirling_tail(w: torch.Tensor) -> torch.Tensor:
    """T(w) = sum_k B_2k / (2k w^2k), k = 1..8, by Horner in 1/w^2 (w >= 10)."""
    inv_sq = (w * w).reciprocal_()
    acc = torch.full_like(w, _PSI_TAIL[-1])
    for coeff in reversed(_PSI_TAIL[:-1]):
        acc.mul_(inv_sq).add_(coeff)
    return acc.mul_(inv_sq)


def beta_entropy(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Entropy of Beta(a, b): log B(a, b) + (a-1)(psi(a+b) - psi(a)) + (b-1)(psi(a+b) - psi(b)).

    The textbook log B - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b) cancels terms of size
    a log a: it gives 0.69 for -43.9 at a = 1e20, b = 1.69, and NaN once (a - 1) psi(a)
    overflows. The digamma differences here are small, positive and accurate, and the value
    never forms a + b (the gradient's trigamma does). float32 is computed in float64, rounded once.
    """
    if a.dtype != torch.float64:
        return beta_entropy(a.double(), b.double()).to(a.dtype)
    return _BetaEntropy.apply(a, b)


class _BetaEntropy(torch.autograd.Function):
    """The Beta entropy with its closed-form gradient, dH/da = (a - 1)(psi'(a + b) - psi'(a))
    + (b - 1) psi'(a + b) and symmetrically for b (digamma_difference's in-place recurrence is
    not differentiable by autograd). psi' is torch's trigamma, ~5e-10 relative on CPU."""

    @staticmethod
    def forward(ctx, a, b):  # type: ignore[override]
        ctx.save_for_backward(a, b)
        return (
            lbeta(a, b)
            + (a - 1.0) * digamma_difference(a, b)
            + (b - 1.0) * digamma_difference(b, a)
        )

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):  # type: ignore[override]
        a, b = ctx.saved_tensors
        trigamma_sum = torch.polygamma(1, a + b)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            slope = (a - 1.0) * (trigamma_sum - torch.polygamma(1, a)) + (b - 1.0) * trigamma_sum
            grad_a = (grad * slope).sum_to_size(a.shape)
        if ctx.needs_input_grad[1]:
            slope = (b - 1.0) * (trigamma_sum - torch.polygamma(1, b)) + (a - 1.0) * trigamma_sum
            grad_b = (grad * slope).sum_to_size(b.shape)
        return grad_a, grad_b
