"""SPEC §4 own-sample scoring: TanhGaussian and GMM score a tensor they returned from
sample/rsample from its exact pre-squash value u, unclipped, even where tanh(u) rounds to ±1;
any other tensor (a clone, a tensor modified in place) gets the clipped formula. Beta always
clips, own samples included.

The checks are independent of the implementation's cache: either an independent float64
evaluation of the exact formula at u' = atanh(a) (where a does not saturate, so u' is u to a
known accuracy), or, where a saturates to ±1 and u is invisible, bounds of the exact formula
over u = mu + sigma e for |e| <= 10 (P(|e| > 10) ~ 1.5e-23 per draw). The clipped formula at
these parameters lies thousands of nats away from both.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass

import pytest
import torch

from policy_dists_suite.property_tests.numerics import (
    HALF_LOG_2PI,
    atanh64,
    clamp_in,
    eps,
    log1m_tanh_sq64,
    normal_log_pdf64,
    softplus64,
    tanh_bounded_positive64,
)
from policy_dists_suite.property_tests.registry import CASES_BY_NAME
from policy_dists_suite.property_tests.verdict import assert_every, assert_within

SQUASHED = ("TanhGaussian", "GMM")
LEAD = (3,)
N_SAMPLES = 64
E_BOUND = 10.0  # |e| <= 10 standard deviations for every draw (see module docstring)
_DEFAULT_CLIP = {"TanhGaussian": (-0.99, 0.99), "GMM": (-(1 - 1e-6), 1 - 1e-6)}


@dataclass(frozen=True)
class Squashed:
    """A TanhGaussian, or a GMM whose M modes are identical (so the mixture is one Gaussian
    per dimension), with every location mu and scale sigma equal."""

    dist: object
    mu: float
    sigma: float  # float64 value of the scale the implementation computes
    dtype: torch.dtype
    d_action: int
    summed: bool  # GMM: log_prob sums the dimensions, with a trailing singleton axis

    @property
    def name(self) -> str:
        return "GMM" if self.summed else "TanhGaussian"

    def combine(self, per_dim: torch.Tensor) -> torch.Tensor:
        return per_dim.sum(-1, keepdim=True) if self.summed else per_dim

    def exact_log_prob(self, u: torch.Tensor) -> torch.Tensor:
        """log N(u; mu, sigma) - log(1 - tanh(u)^2), float64, in the log_prob's shape."""
        mu = torch.full_like(u, self.mu, dtype=torch.float64)
        sigma = torch.full_like(mu, self.sigma)
        return self.combine(normal_log_pdf64(u, mu, sigma) - log1m_tanh_sq64(u))

    def tolerance_at_unsaturated(self, a: torch.Tensor) -> torch.Tensor:
        """Error model for log_prob(a) vs exact_log_prob(atanh64(a)) where |a| < 1 clearly.

        a is tanh(u) rounded, so |atanh(a) - u| <= eps |a| / (1 - a^2) (with a factor 2 of
        margin); through dlp/du = -(u - mu)/sigma^2 + 2a that moves the value. On top, the
        implementation's own evaluation: <= 16 roundings of S, the sum of the magnitudes of
        the formula's terms.
        """
        e = eps(self.dtype)
        a64 = a.double()
        u = atanh64(a64)
        z = (u - self.mu) / self.sigma
        du = e * a64.abs() / (1 - a64 * a64)
        slope = (z / self.sigma).abs() + 2 * a64.abs()
        terms = 0.5 * z * z + abs(math.log(self.sigma)) + HALF_LOG_2PI + log1m_tanh_sq64(u).abs()
        return self.combine(slope * du + 16 * e * terms)

    def saturated_bounds(self) -> tuple[float, float]:
        """Bounds of the exact log_prob over u = mu + sigma e, |e| <= E_BOUND, for a
        saturated sample (every dimension alike), widened by 16 roundings of S."""
        # The density is even under (u, mu) -> (-u, -mu): bound it for |mu|.
        u = abs(self.mu) + self.sigma * torch.tensor([-E_BOUND, E_BOUND], dtype=torch.float64)
        # -log(1 - tanh^2 u) increases with u (> 0 here) and -e^2/2 lies in [-E^2/2, 0].
        jac = -log1m_tanh_sq64(u)
        base = -math.log(self.sigma) - HALF_LOG_2PI
        low = base - 0.5 * E_BOUND**2 + float(jac[0])
        high = base + float(jac[1])
        scale = self.d_action if self.summed else 1
        slack = 16 * eps(self.dtype) * scale * (abs(low) + abs(high))
        return scale * low - slack, scale * high + slack


def _squashed(
    impl: types.ModuleType, name: str, mu: float, raw_std: float, dtype: torch.dtype
) -> Squashed:
    case = CASES_BY_NAME[name]
    n_loc = case.input_dimension(case.output_kwargs) - (
        case.output_kwargs["gmm_modes"] if name == "GMM" else 0
    )
    half = n_loc // 2
    values = [mu] * half + [raw_std] * half
    if name == "GMM":
        values += [0.0] * case.output_kwargs["gmm_modes"]  # equal mixture weights
        sigma = float(softplus64(torch.tensor(raw_std, dtype=dtype)) + 1e-4)
    else:
        sigma = float(
            tanh_bounded_positive64(torch.tensor(raw_std, dtype=dtype), math.exp(-5), math.exp(2))
        )
    vec = torch.tensor(values, dtype=dtype).expand(*LEAD, len(values))
    dist = case.policy_output(impl)(vec)
    return Squashed(dist, mu, sigma, dtype, case.d_action, summed=name == "GMM")


def _unsaturated(impl: types.ModuleType, name: str, dtype: torch.dtype) -> Squashed:
    """Draws that do not saturate in `dtype` but pass the default clip about 1 time in 3 or
    more, so the clipped formula would differ from the exact one."""
    if name == "TanhGaussian":
        # mu = 2.5, sigma = e^-1.5 ~ 0.22: a in ~(0.97, 0.9985); clip 0.99.
        return _squashed(impl, name, 2.5, 0.0, dtype)
    # GMM, float64 only: mu = 8, sigma ~ 0.51: 1 - a in ~(1e-9, 1e-5); clip 1 - 1e-6. In
    # float32 every action past that clip rounds to within 16 ulps of 1, so u is only
    # visible through the saturated tests.
    assert dtype == torch.float64
    return _squashed(impl, name, 8.0, -0.4, dtype)


# (output, dtype) pairs whose draws reach past the clip without saturating.
UNSATURATED = [
    ("TanhGaussian", torch.float32),
    ("TanhGaussian", torch.float64),
    ("GMM", torch.float64),
]
SAMPLERS = {"TanhGaussian": ["sample", "rsample"], "GMM": ["sample"]}
PAIR_SAMPLERS = {
    "TanhGaussian": ["rsample_and_log_prob", "sample_and_log_prob"],
    "GMM": ["sample_and_log_prob"],
}


def _own(name: str, *values: object, id: str) -> object:
    """A pytest.param of (name, *values); GMM's exact own samples are an extension (the seed
    page's GMM scores a pre-squash value only when it is passed explicitly)."""
    marks = [pytest.mark.extension("gmm_own_samples")] if name == "GMM" else []
    return pytest.param(name, *values, id=id, marks=marks)


def _with_methods(
    methods: dict[str, list[str]], pairs: list[tuple[str, torch.dtype]]
) -> list[object]:
    return [
        _own(name, dtype, method, id=f"{name}-{str(dtype)[6:]}-{method}")
        for name, dtype in pairs
        for method in methods[name]
    ]


def _saturated(impl: types.ModuleType, name: str, sign: float) -> Squashed:
    # float32, mu = 12 sign and the smallest sigma: tanh(u) rounds to exactly sign.
    return _squashed(impl, name, 12.0 * sign, -1e3, torch.float32)


SIGNS = pytest.mark.parametrize("sign", [1.0, -1.0], ids=["+1", "-1"])


def _draws(sq: Squashed, method: str) -> torch.Tensor:
    return getattr(sq.dist, method)((N_SAMPLES,))


def _assert_exact(
    sq: Squashed, a: torch.Tensor, log_prob: torch.Tensor, quantity: str = "sample"
) -> None:
    clip = _DEFAULT_CLIP[sq.name][1]
    assert bool((a.abs() > clip).any()), "no draw beyond the clip: the test could not fail"
    expected = sq.exact_log_prob(atanh64(a))
    tol = sq.tolerance_at_unsaturated(a)
    assert_within(
        sq.name,
        f"log_prob of its own {quantity} (exact at the pre-squash u)",
        log_prob.detach().double().numpy(),
        expected.numpy(),
        tol.numpy(),
        {"own sample": a.double().numpy()},
    )


@pytest.mark.parametrize(("name", "dtype", "method"), _with_methods(SAMPLERS, UNSATURATED))
def test_own_sample_is_scored_exactly(
    impl: types.ModuleType, name: str, dtype: torch.dtype, method: str
) -> None:
    sq = _unsaturated(impl, name, dtype)
    a = _draws(sq, method)
    _assert_exact(sq, a, sq.dist.log_prob(a))


@pytest.mark.parametrize(
    ("name", "dtype"), [_own(n, d, id=f"{n}-{str(d)[6:]}") for n, d in UNSATURATED]
)
def test_own_samples_stay_exact_after_mean_other_samples_and_other_scores(
    impl: types.ModuleType, name: str, dtype: torch.dtype
) -> None:
    sq = _unsaturated(impl, name, dtype)
    first = _draws(sq, "sample")
    second = _draws(sq, SAMPLERS[name][-1])
    assert sq.dist.mean.shape[-1] == first.shape[-1]
    sq.dist.log_prob(first.clone())  # score another tensor in between
    _assert_exact(sq, second, sq.dist.log_prob(second), "latest sample, after reading mean")
    _assert_exact(sq, first, sq.dist.log_prob(first), "earlier sample, after reading mean")


@SIGNS
@pytest.mark.parametrize(
    ("name", "method"), [_own(n, m, id=f"{n}-{m}") for n in SQUASHED for m in SAMPLERS[n]]
)
def test_saturated_own_sample_is_finite_and_exact(
    impl: types.ModuleType, name: str, method: str, sign: float
) -> None:
    sq = _saturated(impl, name, sign)
    a = _draws(sq, method)
    assert bool((a == sign).all()), "the draws should round to exactly +-1 in float32"
    low, high = sq.saturated_bounds()
    for when in ("fresh", "after reading mean"):
        if when == "after reading mean":
            assert bool((sq.dist.mean == sign).all())
        got = sq.dist.log_prob(a).detach().double().numpy()
        assert_every(
            sq.name,
            f"log_prob of its own sample at {sign:+g} ({when})",
            (got >= low) & (got <= high),
            got,
            f"within [{low:.8g}, {high:.8g}] (any pre-squash u within 10 sigma)",
        )


def _clipped_log_prob(sq: Squashed, a: torch.Tensor, clip: tuple[float, float]) -> torch.Tensor:
    c = clamp_in(a, *clip, sq.dtype)
    return sq.exact_log_prob(atanh64(c))


def _clipped_tolerance(sq: Squashed, a: torch.Tensor, clip: tuple[float, float]) -> torch.Tensor:
    # The clamped action is exact; the value then carries <= 16 roundings of S (the
    # atanh of an exact input is accurate to a few ulps, so no conditioning term).
    u = atanh64(clamp_in(a, *clip, sq.dtype))
    z = (u - sq.mu) / sq.sigma
    terms = 0.5 * z * z + abs(math.log(sq.sigma)) + HALF_LOG_2PI + log1m_tanh_sq64(u).abs()
    return sq.combine(16 * eps(sq.dtype) * terms)


def _assert_clipped(sq: Squashed, a: torch.Tensor, clip: tuple[float, float], what: str) -> None:
    assert_within(
        sq.name,
        f"log_prob of {what} (the clipped formula, clip {clip})",
        sq.dist.log_prob(a).detach().double().numpy(),
        _clipped_log_prob(sq, a, clip).numpy(),
        _clipped_tolerance(sq, a, clip).numpy(),
        {"action": a.double().numpy()},
    )


@SIGNS
@pytest.mark.parametrize("name", SQUASHED)
def test_clone_of_own_sample_gets_the_clipped_formula(
    impl: types.ModuleType, name: str, sign: float
) -> None:
    sq = _saturated(impl, name, sign)
    a = sq.dist.sample((8,))
    clone = a.clone()
    _assert_clipped(sq, clone, _DEFAULT_CLIP[name], "a clone of its own sample")


@SIGNS
@pytest.mark.parametrize("name", SQUASHED)
def test_own_sample_modified_in_place_gets_the_clipped_formula(
    impl: types.ModuleType, name: str, sign: float
) -> None:
    sq = _saturated(impl, name, sign)
    a = sq.dist.sample((8,))
    sq.dist.log_prob(a)  # scored once as an own sample
    a.mul_(0.75)  # now +-0.75: an ordinary action
    _assert_clipped(sq, a, _DEFAULT_CLIP[name], "its own sample modified in place")


# ---- the new methods returning (action, log_prob) ----


@pytest.mark.extension("sample_and_log_prob")
@pytest.mark.parametrize(("name", "dtype", "method"), _with_methods(PAIR_SAMPLERS, UNSATURATED))
def test_sample_and_log_prob_is_exact(
    impl: types.ModuleType, name: str, dtype: torch.dtype, method: str
) -> None:
    sq = _unsaturated(impl, name, dtype)
    a, log_prob = getattr(sq.dist, method)((N_SAMPLES,))
    _assert_exact(sq, a, log_prob)


@SIGNS
@pytest.mark.extension("sample_and_log_prob")
@pytest.mark.parametrize(("name", "method"), [(n, m) for n in SQUASHED for m in PAIR_SAMPLERS[n]])
def test_sample_and_log_prob_is_finite_and_exact_when_saturated(
    impl: types.ModuleType, name: str, method: str, sign: float
) -> None:
    sq = _saturated(impl, name, sign)
    a, log_prob = getattr(sq.dist, method)((N_SAMPLES,))
    assert bool((a == sign).all())
    low, high = sq.saturated_bounds()
    assert bool(((log_prob >= low) & (log_prob <= high)).all()), (log_prob, low, high)


# ---- clipping of ordinary actions; Beta clips own samples too ----


def _clip_params() -> list[object]:
    return [
        pytest.param("TanhGaussian", id="TanhGaussian"),
        pytest.param("GMM", id="GMM", marks=pytest.mark.extension("gmm_clip_kwarg")),
        pytest.param("Beta", id="Beta"),
    ]


@pytest.mark.parametrize("name", _clip_params())
def test_log_prob_clamps_actions_to_the_clip_bounds(
    impl: types.ModuleType, name: str, dtype: torch.dtype
) -> None:
    case = CASES_BY_NAME[name]
    output = getattr(impl, name)(**case.output_kwargs, clip_actions_on_log_prob=(-0.5, 0.9))
    dist = output(torch.randn(case.vec_shape(LEAD), dtype=dtype))
    shape = case.action_shape(LEAD, case.output_kwargs)
    for value, clamped in ((0.95, 0.9), (1.0, 0.9), (-0.7, -0.5), (-1.0, -0.5)):
        got = dist.log_prob(torch.full(shape, value, dtype=dtype))
        # The clamp is the first operation on the action: identical inputs, identical bits.
        assert torch.equal(got, dist.log_prob(torch.full(shape, clamped, dtype=dtype))), value


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("TanhGaussian", id="TanhGaussian", marks=pytest.mark.extension("exact_ends")),
        pytest.param(
            "GMM",
            id="GMM",
            marks=[pytest.mark.extension("gmm_clip_kwarg"), pytest.mark.extension("exact_ends")],
        ),
    ],
)
@pytest.mark.parametrize("clip", [(-1.0, 1.0), (-1.0, 0.9), (-0.9, 1.0)], ids=str)
def test_full_clip_scores_the_ends_minus_inf_with_zero_gradients(
    impl: types.ModuleType, name: str, clip: tuple[float, float], dtype: torch.dtype
) -> None:
    """A clip bound of exactly -1 or 1: at an action on that end the squashed density vanishes,
    so log_prob is -inf (not NaN) and constant there, its gradients 0 (not NaN); an action on
    an end the clip excludes is clamped into it and finite, like every other action."""
    case = CASES_BY_NAME[name]
    output = getattr(impl, name)(**case.output_kwargs, clip_actions_on_log_prob=clip)
    lead = (2, 3)  # two batch axes: the event axis is the last, not the second
    vec = torch.randn(case.vec_shape(lead), dtype=dtype, requires_grad=True)
    shape = case.action_shape(lead, case.output_kwargs)
    actions = 1.8 * torch.rand(shape, dtype=dtype) - 0.9
    actions[0, 0, 0] = 1.0  # one end among interior actions
    actions[1, 1] = -1.0  # every dimension at the other end
    actions.requires_grad_()
    log_prob = output(vec).log_prob(actions)
    a = actions.detach()
    at_end = ((a == 1.0) & (clip[1] == 1.0)) | ((a == -1.0) & (clip[0] == -1.0))
    if name == "GMM":  # the joint density of the event vanishes with any of its dimensions
        at_end = at_end.any(-1, keepdim=True)
    assert bool((log_prob[at_end] == -math.inf).all()), log_prob
    assert bool(log_prob[~at_end].isfinite().all()), log_prob
    # Each group backpropagated alone: a -inf entry's gradient must be exactly 0 by itself.
    for entries, exactly_zero in ((at_end, True), (~at_end, False)):
        grads = torch.autograd.grad(
            log_prob, (vec, actions), grad_outputs=entries.to(dtype), retain_graph=True
        )
        for grad in grads:
            assert bool(grad.isfinite().all()), (entries, grad)
            assert not exactly_zero or bool((grad == 0).all()), grad


@pytest.mark.parametrize("method", ["sample", "rsample"])
def test_beta_clips_its_own_samples(
    impl: types.ModuleType, method: str, dtype: torch.dtype
) -> None:
    # alpha ~ 50, beta ~ 1: x = (a + 1)/2 beyond the 0.995 clip with probability ~0.22.
    vec = torch.tensor([49.0] * 3 + [-30.0] * 3, dtype=dtype).expand(*LEAD, 6)
    dist = impl.Beta(3)(vec)
    a = getattr(dist, method)((N_SAMPLES,))
    assert bool((a > 0.99).any()), "no draw beyond the clip: the test could not fail"
    fresh = a.detach().clamp(-0.99, 0.99)
    assert torch.equal(dist.log_prob(a).detach(), dist.log_prob(fresh))


def test_rsample_drawn_without_gradient_is_scored_as_a_constant(impl: types.ModuleType) -> None:
    """An rsample() drawn under no_grad is a constant. log_prob's gradient in mu is then the
    partial derivative sum_n (u_n - mu)/sigma^2, not the reparameterized total derivative
    sum_n 2 a_n, which differs by O(N) here (a ~ 0.99, z ~ N(0, 1)).

    Error model (float64): u_n' = atanh(a_n) is u_n within 2 eps |a| / (1 - a^2) (see
    tolerance_at_unsaturated), moving each term by that over sigma^2; the implementation's
    term carries <= 4 roundings, and the sum over N draws <= N more, of sum_n |u_n - mu|/sigma^2.
    """
    case = CASES_BY_NAME["TanhGaussian"]
    d, mu = case.d_action, 2.5
    dtype = torch.float64
    vec = torch.tensor([mu] * d + [0.0] * d, dtype=dtype, requires_grad=True)
    sigma = float(tanh_bounded_positive64(torch.zeros((), dtype=dtype), math.exp(-5), math.exp(2)))
    dist = case.policy_output(impl)(vec)
    with torch.no_grad():
        a = dist.rsample((N_SAMPLES,))
    (grad,) = torch.autograd.grad(dist.log_prob(a).sum(), vec)
    u = atanh64(a.double())
    expected = ((u - mu) / sigma**2).sum(0)
    e = eps(dtype)
    moved = (2 * e * a.abs() / (1 - a * a)).sum(0) / sigma**2
    rounding = (4 + N_SAMPLES) * e * ((u - mu).abs() / sigma**2).sum(0)
    assert_within(
        "TanhGaussian",
        "d log_prob/d mu of an rsample() drawn under no_grad (a constant sample)",
        grad[:d].numpy(),
        expected.numpy(),
        (moved + rounding).numpy(),
        {"mu": mu, "sigma": sigma},
    )
