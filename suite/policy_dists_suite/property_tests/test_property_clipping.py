"""Clipping stability: log_prob clamps actions to its clip bounds [l, h], is finite with finite
gradients for every action in [-1, 1] and every vec with |x| <= 1e4, and scores the
implementation's own samples from their pre-squash value (TanhGaussian, GMM), even where
they round to ±1. (test_contract_bad_input covers "no NaN" at the dtype's extremes.)
"""

from __future__ import annotations

import math
import types

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from policy_dists_catalogue import error_model
from policy_dists_suite.property_tests.registry import (
    CASES,
    CASES_BY_NAME,
    OutputCase,
    case_params,
    draw_params,
)
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    NONEMPTY_LEADS,
    Params,
    Regime,
    action_array,
    beyond_box_actions,
    box_actions,
    in_dtype,
    magnitude_families,
    numpy_dtype,
    seed_torch,
)
from policy_dists_suite.property_tests.verdict import assert_every, assert_within

CLIPPED = tuple(c for c in CASES if c.box_actions)  # TanhGaussian, GMM, Beta


def _action_shape(case: OutputCase, params: Params) -> tuple[int, ...]:
    return case.action_shape(params.lead, params.kwargs)


def _past_the_clip(low: float, high: float, dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Actions in [-1, l) or (h, 1] (±1 emphasized), or in [l, h]. A peer library's clip
    can be the whole box: a bound at ±1 has nothing past it, and the density is 0 at ±1
    itself (owed only by the exact_ends extension), so [l, h] stops one float inside."""
    width = torch.finfo(dtype).bits
    np_dtype = numpy_dtype(dtype)
    inside = float(np.nextafter(np_dtype(1), np_dtype(0)))
    parts = []
    ends = [end for end, past in ((1.0, high < 1.0), (-1.0, low > -1.0)) if past]
    if ends:
        parts.append(st.sampled_from(ends))
    if high < 1.0:
        parts.append(st.floats(high, 1.0, exclude_min=True, width=width))
    if low > -1.0:
        parts.append(st.floats(-1.0, low, exclude_max=True, width=width))
    parts.append(st.floats(max(low, -inside), min(high, inside), width=width))
    return st.one_of(*parts)


def _assert_clamped(
    case: OutputCase,
    dist: object,
    actions: np.ndarray,
    bounds: tuple[float, float],
    dtype: torch.dtype,
    device: torch.device,
) -> None:
    """log_prob(a) equals log_prob(clamp(a, l, h)) to the bit (the clamp is the first
    operation on the action: identical inputs, identical arithmetic); the gradient with
    respect to an action strictly past a bound is 0 (the clamp is flat there) and finite
    everywhere."""
    a = torch.tensor(actions, dtype=dtype, device=device, requires_grad=True)
    clamped = torch.tensor(np.clip(actions, *bounds), dtype=dtype, device=device)
    log_prob = dist.log_prob(a)
    at_bound = dist.log_prob(clamped)
    inputs = {"action": actions}
    got, want = (t.detach().cpu().double().numpy() for t in (log_prob, at_bound))
    assert_within(case.name, f"log_prob past the clip {bounds}", got, want, 0.0, inputs)
    (grad,) = torch.autograd.grad(log_prob.sum(), a)
    grad = grad.cpu().double().numpy()
    past = (actions < bounds[0]) | (actions > bounds[1])
    assert_every(case.name, "d log_prob/d action", np.isfinite(grad), grad, "finite", inputs)
    assert_every(
        case.name,
        f"d log_prob/d action past the clip {bounds}",
        (grad == 0) | ~past,
        grad,
        "0 (the clamp is flat there)",
        inputs,
    )


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CLIPPED))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_past_the_clip_bound_equals_the_value_at_the_bound(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, regimes)
    bounds = case.drawn_reference(params).clip_bounds(numpy_dtype(dtype))
    shape = _action_shape(case, params)
    actions = data.draw(action_array(shape, _past_the_clip(*bounds, dtype)), label="actions")
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    _assert_clamped(case, dist, actions, bounds, dtype, device)


@pytest.mark.extension("clamps_actions_outside_the_box")
@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CLIPPED))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_outside_the_box_equals_the_value_at_the_bound(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = data.draw(case.param_strategy.params(dtype, regimes, NONEMPTY_LEADS), label="params")
    bounds = case.drawn_reference(params).clip_bounds(numpy_dtype(dtype))
    shape = _action_shape(case, params)
    actions = data.draw(
        action_array(shape, st.one_of(beyond_box_actions(dtype), box_actions(dtype))),
        label="actions",
    )
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    _assert_clamped(case, dist, actions, bounds, dtype, device)


# ---- finite everywhere on the closed box ----


def _valid_actions(
    case: OutputCase, params: Params, dtype: torch.dtype, data: st.DataObject
) -> np.ndarray:
    """Box actions for the box outputs; class indices, one-hot or soft vectors, 0/1 outcomes
    for the others."""
    shape = _action_shape(case, params)
    d = int(params.kwargs["d_action"])
    if case.box_actions:
        return data.draw(action_array(shape, box_actions(dtype)), label="actions")
    if case.name == "Discrete":
        return data.draw(action_array(params.lead, st.integers(0, d - 1)), label="classes")
    if case.name == "Multibinary":
        return data.draw(action_array(shape, st.sampled_from([0.0, 1.0])), label="outcomes")
    soft = st.floats(0.0, 1.0, width=torch.finfo(dtype).bits)
    return data.draw(action_array(shape, soft), label="soft one-hot")


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CASES))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_log_prob_and_its_gradients_are_finite_on_the_closed_box(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    """SPEC §6: -inf only where the exact value is below the dtype's lowest number, which for
    |vec| <= 1e4 never happens (the lowest exact log-density here, GMM at std 1e-4 and
    |mean| = 1e4, is about -5e15); every clip bound of the drawn configurations lies strictly
    inside (-1, 1). A peer library's whole-box clip leaves the density 0 at ±1 itself (what
    an implementation owes there is the exact_ends extension's): its actions at ±1 move to
    the nearest float inside."""
    params = draw_params(data, case, dtype, regimes)
    vec = params.tensor(dtype, device, requires_grad=True)
    dist = case.drawn_distribution(impl, params, vec)
    raw = _valid_actions(case, params, dtype, data)
    if case.box_actions:
        low, high = case.drawn_reference(params).clip_bounds(numpy_dtype(dtype))
        inside = float(np.nextafter(numpy_dtype(dtype)(1), numpy_dtype(dtype)(0)))
        raw = np.where(
            (raw >= 1) & (high >= 1), inside, np.where((raw <= -1) & (low <= -1), -inside, raw)
        )
    if case.name == "Discrete":
        actions = torch.tensor(raw, dtype=torch.int64, device=device)
    else:
        actions = torch.tensor(raw, dtype=dtype, device=device, requires_grad=case.box_actions)
    log_prob = dist.log_prob(actions)
    shown = {"vec": params.vec, "action": raw}
    got = log_prob.detach().cpu().double().numpy()
    assert_every(case.name, "log_prob on the box", np.isfinite(got), got, "finite", shown)
    inputs = (vec, actions) if case.box_actions else (vec,)
    grads = torch.autograd.grad(log_prob.sum(), inputs)
    for name, grad in zip(("vec", "action"), grads, strict=False):
        g = grad.cpu().double().numpy()
        assert_every(case.name, f"d log_prob/d {name}", np.isfinite(g), g, "finite", shown)


@pytest.mark.parametrize("clip", [(-1.0, 1.0), (-1.0, 0.9), (-0.9, 1.0)], ids=str)
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (1.0, 3.0), (3.0, 1.0)])
def test_beta_exponent_zero_at_the_ends_of_a_full_clip(
    impl: types.ModuleType,
    dtype: torch.dtype,
    alpha: float,
    beta: float,
    clip: tuple[float, float],
) -> None:
    """With a clip end at -1 or 1, alpha or beta exactly 1 makes x^0 = 1 at the end x = 0 or 1,
    so the density there is its other factor's: Beta(1, 1) is uniform, log_prob = -log 2 on all of
    [-1, 1] with action gradient 0, and Beta(1, b) has log b - log 2 at a = -1 (-inf at 1).

    Error model: the float64 evaluation carries <= 8 roundings of S <= 4 (|log B|, the power
    terms and log 2 for these parameters); float32 adds the final rounding: 32 eps(dtype)."""
    identity = lambda x, low, high: x  # noqa: E731 - alpha and beta straight from vec
    output = impl.Beta(1, std_activation=identity, clip_actions_on_log_prob=clip)
    c_values = np.clip([-1.0, -0.5, 0.0, 0.5, 1.0], *clip)  # a clip end inside (-1, 1) is finite
    vec = torch.tensor([[alpha, beta]] * c_values.size, dtype=dtype)
    c = torch.tensor(c_values[:, None], dtype=dtype, requires_grad=True)
    log_prob = output(vec).log_prob(c)
    (grad,) = torch.autograd.grad(log_prob.sum(), c)
    log_prob, grad = log_prob.detach().double().numpy().ravel(), grad.double().numpy().ravel()

    expected = stats.beta.logpdf((c_values + 1) / 2, alpha, beta) - math.log(2)
    finite = np.isfinite(expected)
    tol = 32 * float(torch.finfo(dtype).eps)
    output = f"Beta(alpha={alpha}, beta={beta}, clip {clip})"
    inputs = {"action": c_values}
    assert_within(output, "log_prob", log_prob, expected, tol, inputs)
    # d/dc of (a - 1) log(1 + c) + (b - 1) log(1 - c), a term with exponent 0 being constant.
    rise = 0.0 if alpha == 1 else (alpha - 1) / (1 + c_values[finite])
    fall = 0.0 if beta == 1 else (beta - 1) / (1 - c_values[finite])
    want = np.broadcast_to(rise - fall, grad[finite].shape)
    grad_tol = tol * (1 + np.abs(want))
    assert_within(output, "d log_prob/d action", grad[finite], want, grad_tol, inputs)


# ---- own samples ----

OWN = ("TanhGaussian", "GMM")
DRAWS = 16
# |e| <= 10 standard deviations for every draw: P(|e| > 10) = 1.5e-23 per draw.
E_BOUND = 10.0


def _atanh(a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.arctanh(a)


def _presquash_slope_bound(
    ref: object, params: Params, u: np.ndarray, du: np.ndarray, dtype: torch.dtype, name: str
) -> np.ndarray:
    """Bound of |d log p / d u_j| over [u - du, u + du]: |u - mu| / sigma^2 + du / sigma^2 + 2
    (the Gaussian's slope plus 2 tanh u; GMM: the largest over the modes, since the
    posterior-weighted slope is a convex combination)."""
    p = ref.params(params.vec, numpy_dtype(dtype))
    if name == "TanhGaussian":
        return (np.abs(u - p.mu) + du) / p.sigma**2 + 2
    spread = (np.abs(u[..., None, :] - p.means) + du[..., None, :]) / p.stds**2
    return spread.max(-2) + 2


def _own_sample_tolerance(
    ref: object, params: Params, a: np.ndarray, dtype: torch.dtype, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """(u' = atanh(a) in float64, tolerance of log_prob(a) against the exact value at u').

    a is tanh(u) rounded: |a - tanh u| <= TANH_ULPS ulps, so |u' - u| <= du = TANH_ULPS
    ulp(a) / (1 - a^2) (to first order; a factor 2 of margin for the second) + ulp(u')/2
    (u' rounded to the dtype), which moves the value by at most slope * du. On top: the
    implementation's LOG_PROB budget of the pre-squash formula and the reference's.
    """
    # The reference takes u as a number of the dtype: rounding atanh(a) to it moves u by
    # <= ulp(u)/2 more.
    u = in_dtype(_atanh(a), dtype)
    ulps = error_model.TANH_ULPS.units * error_model.ulp(a, dtype)
    du = 2 * ulps / (1 - a * a) + error_model.ulp(u, dtype) / 2
    slope = _presquash_slope_bound(ref, params, u, du, dtype, name)
    exact = ref.log_prob_presquash(params.vec, u, numpy_dtype(dtype))
    if name == "TanhGaussian":
        moved = slope * du
        cond = error_model.tanh_gaussian_presquash_cond(ref, params.vec, u, dtype)
    else:  # one joint value: the dimensions' moves add up
        moved = (slope * du).sum(-1, keepdims=True)
        cond = error_model.gmm_presquash_cond(ref, params.vec, u, dtype)
    budget = error_model.cond_tolerance(name, "log_prob", exact, cond, dtype, True)
    return exact, moved + budget


def _saturated_bounds(
    ref: object, params: Params, sign: np.ndarray, dtype: torch.dtype
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lowest, highest, reachable): bounds of the exact TanhGaussian own-sample value where
    tanh(u) rounded to sign = ±1, and whether that is reachable within 10 standard deviations.

    Then |u| >= u_sat = log(1/eps)/2 (1 - tanh u ~ 2 e^-2|u| must be below a few eps for
    the rounded tanh to reach ±1), and |u| <= |mu| + 10 sigma for the draw within 10
    standard deviations; f(u) = log N(u; mu, sigma) + 2 log cosh u, even under (u, mu) ->
    (-u, -mu). On [u_sat, u_max] log N is concave (its minimum at an end, its maximum at mu
    clamped to the interval) and log cosh increasing, which bounds f.
    """
    p = ref.params(params.vec, numpy_dtype(dtype))
    mu, sigma = sign * p.mu, p.sigma  # mirrored so that the saturation is at +1
    u_low = 0.5 * math.log(1 / error_model.eps(dtype))
    u_high = np.maximum(mu + E_BOUND * sigma, u_low) * (1 + 2 * error_model.eps(dtype))

    def log_normal(u: np.ndarray) -> np.ndarray:
        return -0.5 * ((u - mu) / sigma) ** 2 - np.log(sigma) - error_model.HALF_LOG_2PI

    def log_cosh2(u: np.ndarray) -> np.ndarray:
        return 2 * (np.abs(u) - math.log(2) + np.log1p(np.exp(-2 * np.abs(u))))

    lowest = np.minimum(log_normal(u_low), log_normal(u_high)) + log_cosh2(u_low)
    highest = log_normal(np.clip(mu, u_low, u_high)) + log_cosh2(u_high)
    slack = error_model.LOG_PROB.units * error_model.eps(dtype) * (np.abs(lowest) + np.abs(highest))
    return lowest - slack, highest + slack, mu + E_BOUND * sigma >= u_low


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize(
    "case", case_params(tuple(CASES_BY_NAME[n] for n in OWN), features=("own_samples",))
)
@pytest.mark.parametrize("regimes", magnitude_families())
def test_own_samples_are_scored_from_their_presquash_value(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    """Unclipped, exact scoring of a tensor the distribution returned (SPEC §4). Where the
    sample is below 1 in magnitude, against the reference's log_prob_presquash at atanh(a)
    with the error model of _own_sample_tolerance; where tanh(u) rounded to ±1 (TanhGaussian),
    finite and within the bounds of _saturated_bounds; GMM's saturated rows only finite."""
    params = data.draw(case.param_strategy.params(dtype, regimes, NONEMPTY_LEADS), label="params")
    ref = case.drawn_reference(params)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    seed_torch(data)
    sample = dist.sample((DRAWS,))
    got = dist.log_prob(sample).cpu().double().numpy()
    a = sample.cpu().double().numpy()
    inputs = {"vec": params.vec, "own sample": a}
    assert_every(case.name, "log_prob of its own sample", np.isfinite(got), got, "finite", inputs)
    saturated = np.abs(a) == 1
    if case.name == "GMM":
        saturated = saturated.any(-1, keepdims=True)
    exact, tolerance = _own_sample_tolerance(
        ref, params, np.where(saturated, 0.0, a), dtype, case.name
    )
    assert_within(
        case.name,
        "log_prob of its own sample (exact at atanh(a))",
        np.where(saturated, exact, got),
        exact,
        tolerance,
        inputs,
    )
    if case.name == "TanhGaussian" and saturated.any():
        lowest, highest, reachable = _saturated_bounds(ref, params, np.sign(a), dtype)
        assert_every(
            case.name,
            "own sample at +-1",
            reachable | ~saturated,
            a,
            "a draw within 10 standard deviations",
            inputs,
        )
        within = (got >= lowest) & (got <= highest)
        assert_every(
            case.name,
            "log_prob of its own sample at +-1",
            within | ~saturated,
            got,
            f"within the bounds of any u with tanh(u) = +-1 ({lowest.min():.6g} to "
            f"{highest.max():.6g})",
            inputs,
        )
