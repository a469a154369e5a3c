"""Special functions of the Beta distribution: log B, its log-density, digamma differences
and the entropy, accurate where the textbook lgamma/digamma sums cancel or overflow."""

from __future__ import annotations

from typing import NamedTuple, TypeVar

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


_DEVICE_COPIES: dict[tuple[int, torch.device], tuple[torch.Tensor, ...]] = {}

_Table = TypeVar("_Table", bound=tuple)


def on_device(table: _Table, device: torch.device) -> _Table:
    """A NamedTuple of float64 constant tensors, on ``device``.

    On CPU (and while torch.compile traces, where they become graph constants) the tensors
    themselves; elsewhere a copy made once per device and kept: copying from the host on every
    call would be a dispatched operator and, on CUDA, a host-device synchronization.
    """
    if device.type == "cpu" or torch.compiler.is_compiling():
        return type(table)(*(t.to(device) for t in table))
    key = (id(table), device)
    copy = _DEVICE_COPIES.get(key)
    if copy is None:
        with torch.inference_mode(False), torch.no_grad():
            copy = _DEVICE_COPIES[key] = tuple(t.to(device) for t in table)
    return type(table)(*copy)


def pass_size(device: torch.device) -> int:
    """Elements per pass of the functions that evaluate series terms along a trailing axis
    (up to ~1.6 kB per element at once: 106 MB at 65536, measured); smaller batches take one
    pass. On CPU, larger passes are slower, not faster: their intermediates are mapped afresh
    instead of reused (a training step at 24576 elements took 10-30% longer in one pass,
    measured). Elsewhere the size only bounds memory."""
    return 8192 if device.type == "cpu" else 65536


def _stirling_corrections(x: torch.Tensor) -> torch.Tensor:
    """lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2) for x >= 10: x times the sum of the
    8 series terms c_k x^-2k, by Horner's rule in x^-2 (each term is below 1% of the one
    before it: 1.9 eps relative to the correction at most, measured against 40-digit mpmath
    on 3500 points of [10, 1e8]). Elementwise steps, not a term axis: a cumulative product
    along a last axis of 8 runs element by element on CPU, 6x slower at 65536 x 6 elements
    (measured)."""
    inv_sq = x.pow(-2.0)
    total = inv_sq * _STIRLING[-1]
    for coefficient in reversed(_STIRLING[:-1]):
        total = total.add_(coefficient).mul_(inv_sq)
    return total.mul_(x)


def _ordered(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(p, q) = (min, max).

    Selected with ``where`` on a > b, not minimum/maximum: on ties those split the gradient
    half and half, which is wrong wherever p and q are then used asymmetrically.
    """
    swap = a > b
    return torch.where(swap, b, a), torch.where(swap, a, b)


class _LbetaSplit:
    """log B(p, q), p <= q, in the three regimes of the classical lbeta split.

    Every regime is evaluated everywhere (torch.where selects afterwards), so each gets
    arguments where its derivatives are finite: gradients of unselected regimes must not be
    inf * 0 (lgamma's, digamma, is finite wherever lgamma is, also where lgamma overflows).
    log(p + q) is formed from t = p/q, without forming p + q, which overflows at p = q =
    float max.
    """

    def __init__(self, p: torch.Tensor, q: torch.Tensor) -> None:
        self.both_large = p >= _STIRLING_MIN
        self.one_large = q >= _STIRLING_MIN
        # p (resp. q) where it is >= 10, else 10: clamp_min's gradient is that of the select.
        self.p_big = p.clamp_min(_STIRLING_MIN)
        self.q_big = q.clamp_min(_STIRLING_MIN)
        t_big = p / self.q_big  # p/q where one_large
        self.log1p_t = torch.log1p(t_big)  # -log(q / (p + q))
        self.log_rp = torch.log(t_big) - self.log1p_t  # log(p / (p + q))
        self.log_s = torch.log(self.q_big) + self.log1p_t
        # p + q, kept finite where it overflows: its correction is 0 there, as it rounds to.
        s_big = (self.q_big + p).clamp_max(torch.finfo(p.dtype).max)
        corr_p, corr_q, corr_s = _stirling_corrections(
            torch.stack((self.p_big, self.q_big, s_big), -1)
        ).unbind(-1)
        corr_q_minus_s = corr_q - corr_s
        # lgamma(p) + lgamma(q) - lgamma(p + q) = these + the Stirling main terms.
        self.corr_both = corr_p + corr_q_minus_s
        self.q_big_half = self.q_big - 0.5
        # lgamma(q) - lgamma(p + q) for q >= 10 > p, without cancellation.
        lgamma_q_minus_lgamma_s = torch.addcmul(corr_q_minus_s + p, p, self.log_s, value=-1.0)
        lgamma_q_minus_lgamma_s.addcmul_(self.q_big_half, self.log1p_t, value=-1.0)
        self.lgamma_p = torch.lgamma(p)
        self.lgamma_p_q = self.lgamma_p + lgamma_q_minus_lgamma_s
        q_small = q.masked_fill(self.one_large, 1.0)
        self.small = self.lgamma_p + torch.lgamma(q_small) - torch.lgamma(p + q_small)

    def select(
        self, both_large: torch.Tensor, one_large: torch.Tensor, small: torch.Tensor
    ) -> torch.Tensor:
        return torch.where(
            self.both_large, both_large, torch.where(self.one_large, one_large, small)
        )

    def lbeta(self) -> torch.Tensor:
        both_large = torch.addcmul(
            (self.p_big - 0.5) * self.log_rp, self.q_big_half, self.log1p_t, value=-1.0
        )
        both_large = both_large.add_(self.log_s, alpha=-0.5).add_(HALF_LOG_2PI).add_(self.corr_both)
        return self.select(both_large, self.lgamma_p_q, self.small)


def lbeta(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """log B(a, b) for float64 a, b > 0, accurate to a few ulps where lgamma sums cancel.

    Stirling corrections replace the cancelling lgamma terms when an argument is >= 10 (the
    classical lbeta split): lgamma(a) + lgamma(b) - lgamma(a + b) loses ~200 float32 ulps
    at a = b = 50 and everything at a = 1e30, b = 1. Callers widen float32 to float64 first.
    """
    return _LbetaSplit(*_ordered(a, b)).lbeta()


def beta_log_density(
    c: torch.Tensor,
    a: torch.Tensor,
    b: torch.Tensor,
    endpoints: bool,
    shifts: torch.Tensor | None = None,
) -> torch.Tensor:
    """log of the Beta(a, b) density at x = (c + 1)/2, in x (no Jacobian), for c in [-1, 1].

    (a - 1) log x + (b - 1) log(1 - x) - log B(a, b), with log x and log(1 - x) accurate at
    both ends and each multiplied whole (splitting off log 2 would cancel at large b). When
    a, b >= 10 the terms are grouped around the mode, (a - 1) log(x (a + b)/a) + ..., so
    nothing overflows even at a = b = float max. ``endpoints``: c may be exactly ±1, where
    an exponent of exactly 0 must give x^0 = 1. float32 is computed in float64, rounded once.
    The gradient is the closed form (see _BetaLogDensity), not autograd through the branches;
    ``shifts`` = digamma_shifts(a, b), when the caller has them, saves their evaluation there.
    """
    if a.dtype != torch.float64:
        value = beta_log_density(c.double(), a.double(), b.double(), endpoints, shifts)
        return value.to(a.dtype)
    return _BetaLogDensity.apply(c, a, b, endpoints, shifts)


def _beta_log_density_value(
    c: torch.Tensor, a: torch.Tensor, b: torch.Tensor, endpoints: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """(log density, (log x, log(1 - x)) stacked along a first axis) in float64, without
    gradients.

    The smaller of x and 1 - x, (1 - |c|)/2, is exact in floating point (Sterbenz), so each
    log is taken of it directly, or as log1p(-small).
    """
    small = (1.0 - c.abs()) * 0.5
    upper = c > 0  # x > 1/2: the small one is 1 - x
    log_small, log_large = torch.log(small), torch.log1p(-small)
    swap = a > b  # then p = b, whose variable is 1 - x
    p, q = torch.where(swap, b, a), torch.where(swap, a, b)
    split = _LbetaSplit(p, q)
    p_large = upper != swap  # p's variable is the larger of x and 1 - x
    log_xp = torch.where(p_large, log_large, log_small)
    log_xq = torch.where(p_large, log_small, log_large)
    both_large = torch.addcmul(
        (split.p_big - 1.0) * (log_xp - split.log_rp), split.q_big - 1.0, log_xq + split.log1p_t
    )
    both_large = (
        both_large.add_(split.log_rp - split.log1p_t, alpha=-0.5)
        .add_(split.log_s, alpha=0.5)
        .sub_(HALF_LOG_2PI)
        .sub_(split.corr_both)
    )
    exponent_p, exponent_q = p - 1.0, q - 1.0
    term_p, term_q = exponent_p * log_xp, exponent_q * log_xq
    if endpoints:  # x^0 = 1, also at x = 0 (where the product is 0 * -inf)
        term_p = term_p.masked_fill_(exponent_p == 0, 0.0)
        term_q = term_q.masked_fill_(exponent_q == 0, 0.0)
    powers = term_p + term_q
    value = split.select(both_large, powers - split.lgamma_p_q, powers - split.small)
    logs = torch.stack(
        (torch.where(upper, log_large, log_small), torch.where(upper, log_small, log_large))
    )
    return value, logs


class _BetaLogDensity(torch.autograd.Function):
    """The Beta log-density with its closed-form gradient:

    d/da = log x - (psi(a) - psi(a + b)), d/db = log(1 - x) - (psi(b) - psi(a + b)),
    d/dc = (a - 1)/(1 + c) - (b - 1)/(1 - c). The digamma differences are formed without
    a + b (which overflows at float max) and without cancellation; autograd through the
    branch-selected forward would instead meet inf * 0 in unselected branches and build a
    graph of ~60 nodes.
    """

    @staticmethod
    def forward(ctx, c, a, b, endpoints, shifts):  # type: ignore[override]
        value, logs = _beta_log_density_value(c, a, b, endpoints)
        ctx.save_for_backward(c, a, b, logs, shifts)
        ctx.endpoints = endpoints
        return value

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):  # type: ignore[override]
        c, a, b, logs, shifts = ctx.saved_tensors
        grad_c = grad_a = grad_b = None
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            if shifts is None:
                shifts = digamma_shifts(a, b)
            # Pairs broadcast from the right of their first axis: c may have more dimensions.
            extra = logs.dim() - shifts.dim()
            if extra > 0:
                shifts = shifts.reshape(2, *(1,) * extra, *shifts.shape[1:])
            grad_a, grad_b = (grad * (logs + shifts)).unbind(0)
            grad_a, grad_b = grad_a.sum_to_size(a.shape), grad_b.sum_to_size(b.shape)
        if ctx.needs_input_grad[0]:
            rise, fall = (a - 1.0) / (1.0 + c), (b - 1.0) / (1.0 - c)
            if ctx.endpoints:  # x^0 = 1 has derivative 0, also at x = 0
                rise = rise.masked_fill_(a == 1.0, 0.0)
                fall = fall.masked_fill_(b == 1.0, 0.0)
            grad_c = (grad * (rise - fall)).sum_to_size(c.shape)
        return grad_c, grad_a, grad_b, None, None


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


class _Psi(NamedTuple):
    shifts: torch.Tensor  # j = 0 .. 10
    # 1 for the terms j < 10; 1/2 for j = 10, the h/(2 w (w + h)) of psi(w + h) - psi(w).
    head: torch.Tensor
    tail: torch.Tensor  # the Stirling coefficients B_2k / (2k) of the tail differences
    exponents: torch.Tensor  # -2k, k = 1..8


_PSI_TABLE = _Psi(
    torch.arange(_PSI_SHIFT + 1.0, dtype=torch.float64),
    torch.tensor((1.0,) * _PSI_SHIFT + (0.5,), dtype=torch.float64),
    torch.tensor(_PSI_TAIL, dtype=torch.float64),
    -2.0 * torch.arange(1.0, len(_PSI_TAIL) + 1.0, dtype=torch.float64),
)


def digamma_difference(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """psi(z + h) - psi(z) for z > 0, h >= 0, to a few ulps relative even when h << z.

    psi(z+h) - psi(z) = sum_{j<10} h/((z+j)(z+h+j)) + [psi(w+h) - psi(w)] at w = z + 10, and
    psi(w+h) - psi(w) = log1p(h/w) + h/(2w(w+h)) - (T(w+h) - T(w)), T the Stirling tail
    sum_k B_2k / (2k w^2k), k = 1..8. Every piece is positive except T's difference, which is
    sum_k B_2k / (2k) w^-2k expm1(-2k log1p(h/w)): each term to a few ulps of itself, also
    where w + h rounds to w (a difference of the two tails would be 0 there, though it is
    ~h / (6 w^3), 2e-4 of the total at z = 7, h = 1e-20), and below 1/(6 w^2) <= 1/600 of
    the total. The 11 terms h/((z+j)(z+h+j)) (the last weighted 1/2) and the 8 tail terms lie
    along trailing axes, each weighted sum a matrix-vector product.
    """
    z, h = torch.broadcast_tensors(z, h)
    shape, z, h = z.shape, z.reshape(-1), h.reshape(-1)
    size = pass_size(z.device)
    if z.numel() <= size:
        return _digamma_difference(z, h).reshape(shape)
    chunks = zip(z.split(size), h.split(size), strict=True)
    return torch.cat([_digamma_difference(*chunk) for chunk in chunks]).reshape(shape)


def _digamma_difference(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """digamma_difference of N elements (1-D z, h)."""
    table = on_device(_PSI_TABLE, z.device)
    # (2, N, 11): z + j and z + h + j.
    zj, zhj = (torch.stack((z, z + h)).unsqueeze(-1) + table.shifts).unbind(0)
    # h / (z + h + j) <= 1 first: the product (z + j)(z + h + j) overflows near float max.
    head = (h.unsqueeze(-1) / zhj).div_(zj)
    w = zj[..., _PSI_SHIFT]
    log_ratio = torch.log1p(h / w)  # log((w + h) / w)
    # (N, 8): w^-2k, underflowing to 0 where negligible (w >= 10), times expm1(-2k log_ratio).
    powers = w.pow(-2.0).unsqueeze(-1).expand(-1, len(_PSI_TAIL)).cumprod(-1)
    tail = torch.expm1(log_ratio.unsqueeze(-1) * table.exponents).mul_(powers)
    total = torch.addmv(log_ratio, head, table.head)
    return total.addmv_(tail, table.tail, alpha=-1.0)


def digamma_shifts(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(psi(a + b) - psi(a), psi(a + b) - psi(b)) in float64, stacked along a new first axis,
    by one call of digamma_difference: the score shifts of d log f / d(a, b), which the
    gradients of the log-density and of a sample share."""
    pair = torch.stack(torch.broadcast_tensors(a, b)).double()
    return digamma_difference(pair, pair.flip(0))


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
    + (b - 1) psi'(a + b) and symmetrically for b (rather than autograd through
    digamma_difference's term axes). psi' is torch's trigamma, ~5e-10 relative on CPU."""

    @staticmethod
    def forward(ctx, a, b):  # type: ignore[override]
        ctx.save_for_backward(a, b)
        shift_a, shift_b = digamma_shifts(a, b).unbind(0)
        return lbeta(a, b) + (a - 1.0) * shift_a + (b - 1.0) * shift_b

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
