"""rsample gradients: with the noise held fixed, autograd's gradient of a sample with respect
to vec is the reparameterization's derivative, computed independently by the reference:

- TanhGaussian, explicit: da/dmu = 1 - a^2, da/dsigma = e (1 - a^2) with e = (u - mu)/sigma,
  times the activation's derivative; e is recovered from the sample as (atanh a - mu)/sigma.
- Beta, implicit: dx/dtheta = -(dF/dtheta)/f at the sample x = (a + 1)/2
  (reference Beta.implicit_dx_dparams), times 2 and the activation's derivative.
- DiscreteLikeContinuous, straight-through: the backward is the Jacobian of
  softmax((logits + g)/tau) for the noise g of the forward value; the softmax value is
  recovered from the Jacobian's diagonal and the whole matrix checked against the reference.

Then torch.autograd.gradcheck of log_prob (every output) and of the seeded rsample
(TanhGaussian, the one rsample that is a smooth function of vec for a fixed seed), and the
Monte-Carlo unbiasedness of d/dtheta E[f(a)] against the reference's quadrature.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.special import digamma, ndtri
from scipy.stats import norm
from torch.autograd.gradcheck import GradcheckError

import policy_dists_reference as reference
from policy_dists_catalogue import SATURATE_HIGH, SATURATE_LOW, error_model
from policy_dists_reference import arbiter
from policy_dists_reference.beta import implicit_error_scale, implicit_relative_error
from policy_dists_suite.property_tests.numerics import softmax_from_straight_through_jacobian
from policy_dists_suite.property_tests.quadrature import (
    gauss_legendre,
    geometric_cuts,
    location_scale_cuts,
    panels,
)
from policy_dists_suite.property_tests.registry import CASES, CASES_BY_NAME, OutputCase, case_params
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    NONEMPTY_LEADS,
    Params,
    Regime,
    action_array,
    draw_seed,
    in_dtype,
    magnitude_families,
    numpy_dtype,
    seed_torch,
)
from policy_dists_suite.property_tests.verdict import assert_every, assert_within


def _sample_and_grad(
    case: OutputCase,
    impl: types.ModuleType,
    params: Params,
    dtype: torch.dtype,
    device: torch.device,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One rsample per batch element, with torch seeded by `seed`, and d(sum of samples)/d vec:
    each sample depends on its own entries of vec only, so the gradient holds every
    da_j/dvec_i that is not 0."""
    vec = params.tensor(dtype, device, requires_grad=True)
    torch.manual_seed(seed)
    a = case.drawn_distribution(impl, params, vec).rsample()
    (grad,) = torch.autograd.grad(a.sum(), vec)
    return a.detach().cpu().double().numpy(), grad.cpu().double().numpy()


# ---- TanhGaussian ----


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("regimes", magnitude_families())
def test_tanh_gaussian_rsample_gradient_is_the_explicit_reparameterization(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    case = CASES_BY_NAME["TanhGaussian"]
    params = data.draw(case.param_strategy.params(dtype, regimes), label="params")
    _check_tanh_gaussian_rsample_gradient(impl, params, dtype, device, draw_seed(data))


# Found by fresh-seed runs: the tanh activation half saturated (sigmoid(2 raw) = 1 - 7.4e-6),
# where the slope formed from the rounded sigmoid is off by 1.5e-11 relative (float64).
SATURATING_STD = {"std_low": 0.05, "std_high": 3.0, "std_activation": "tanh_bounded_positive"}


@pytest.mark.amago_api("its tanh_bounded_positive activation (a regression row of it)")
@pytest.mark.parametrize(
    ("row", "seed"),
    [pytest.param([9.437517581096575, 5.905152946423406], 5469, id="raw-5.9")],
)
def test_tanh_gaussian_rsample_gradient_where_the_std_activation_saturates(
    impl: types.ModuleType, dtype: torch.dtype, device: torch.device, row: list, seed: int
) -> None:
    params = Params({"d_action": 1, **SATURATING_STD}, in_dtype([row], dtype))
    _check_tanh_gaussian_rsample_gradient(impl, params, dtype, device, seed)


def _check_tanh_gaussian_rsample_gradient(
    impl: types.ModuleType, params: Params, dtype: torch.dtype, device: torch.device, seed: int
) -> None:
    """Error model, with eps of the dtype and the GRAD budget 32 eps max(1, |g*|):
    - d/dmu: g* = 1 - a^2 from the returned a, which is tanh(u) within TANH_ULPS ulps, so
      1 - a^2 is within 2 TANH_ULPS ulp(a) of 1 - tanh(u)^2.
    - d/draw: g* = e' (1 - a^2) sigma'(raw), e' = (atanh a - mu)/sigma. The implementation
      multiplies its own e; e' differs by |atanh a - u| / sigma <= (2 TANH_ULPS ulp(a)/(1-a^2)
      + eps (|u| + |u - mu|)) / sigma (the rounding of a, and of u = mu + sigma e), and by the
      relative error of the implementation's sigma (ACTIVATION budget, 16 eps cond), so
      |g - g*| <= GRAD + |sigma'| / sigma (2 TANH_ULPS ulp(a) + eps (|u| + |u - mu|)
      (1 - a^2)) + |e'| |sigma'| (1 - a^2) 16 eps cond + |e'| |sigma'| 2 TANH_ULPS ulp(a).
      The implementation's own sigma' is off by dsigma' (error_model.activation_slope_error:
      the activation's value, and for the tanh activation the rounding of sigmoid(2 raw),
      whose 1 - y loses relative accuracy as raw saturates), adding |e'| (1 - a^2) dsigma'.
    - Where a rounds to ±1: |u| >= log(1/eps)/2, so 1 - tanh(u)^2 <= 4 eps; with |e| <= 10
      (P(|e| > 10) = 1.5e-23), |g_mu| <= GRAD + 4 eps and
      |g_raw| <= GRAD + 40 eps (|sigma'| + dsigma').
    """
    case = CASES_BY_NAME["TanhGaussian"]
    ref = case.drawn_reference(params)
    a, grad = _sample_and_grad(case, impl, params, dtype, device, seed)
    d = ref.d_action
    p = ref.params(params.vec, numpy_dtype(dtype))
    raw = params.vec[..., d:]
    slope = error_model.activation_derivative(ref.std, raw, dtype)
    e = error_model.eps(dtype)
    ulp_a = error_model.ulp(a, dtype)
    tanh_ulps = error_model.TANH_ULPS.units
    one_minus = 1 - a * a
    saturated = np.abs(a) == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(saturated, p.mu, np.arctanh(np.where(saturated, 0.0, a)))
    noise = (u - p.mu) / p.sigma
    want_mu = one_minus
    want_raw = noise * one_minus * slope
    sigma_cond = error_model.activation_condition(ref.std, raw)
    slope_error = error_model.activation_slope_error(ref.std, raw, dtype)
    grad_budget = error_model.GRAD.units * e
    tol_mu = grad_budget + 2 * tanh_ulps * ulp_a
    tol_raw = (
        grad_budget * np.maximum(1, np.abs(want_raw))
        + np.abs(slope)
        / p.sigma
        * (2 * tanh_ulps * ulp_a + e * (np.abs(u) + np.abs(u - p.mu)) * one_minus)
        + np.abs(noise * slope)
        * (one_minus * error_model.ACTIVATION.units * e * sigma_cond + 2 * tanh_ulps * ulp_a)
        + np.abs(noise) * one_minus * slope_error
    )
    tol_mu = np.where(saturated, grad_budget + 4 * e, tol_mu)
    tol_raw = np.where(saturated, grad_budget + 40 * e * (np.abs(slope) + slope_error), tol_raw)
    want_mu = np.where(saturated, 0.0, want_mu)
    want_raw = np.where(saturated, 0.0, want_raw)
    inputs = {"vec": params.vec, "a": a}
    assert_within(
        "TanhGaussian", "d rsample/d mu (expected 1 - a^2)", grad[..., :d], want_mu, tol_mu, inputs
    )
    assert_within(
        "TanhGaussian",
        "d rsample/d raw std (expected e (1 - a^2) sigma')",
        grad[..., d:],
        want_raw,
        tol_raw,
        inputs,
    )


# ---- Beta ----


def _implicit(alpha: np.ndarray, beta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(dx/dalpha, dx/dbeta) stacked on a new last axis, by the reference."""
    return np.stack(reference.Beta.implicit_dx_dparams(alpha, beta, x), axis=-1)


def _implicit_slope_in_x(
    alpha: np.ndarray, beta: np.ndarray, x: np.ndarray, g: np.ndarray
) -> np.ndarray:
    """d(dx/dtheta)/dx = -d log f(x)/dtheta - (dx/dtheta) d log f(x)/dx (differentiating
    -F_theta(x)/f(x)), with d log f/dalpha = log x - psi(alpha) + psi(alpha + beta), likewise
    for beta with log(1 - x), and d log f/dx = (alpha - 1)/x - (beta - 1)/(1 - x)."""
    psi_sum = digamma(alpha + beta)
    scores = np.stack(
        [np.log(x) - digamma(alpha) + psi_sum, np.log1p(-x) - digamma(beta) + psi_sum], -1
    )
    return -scores - g * ((alpha - 1) / x - (beta - 1) / (1 - x))[..., None]


# Relative step of the one-sided differences that measure d(dx/dtheta)/dalpha and /dbeta:
# large enough that the reference's 1e-12 relative error stays below 1e-6 of the slope.
SLOPE_STEP = 1e-6


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("regimes", magnitude_families())
def test_beta_rsample_gradient_is_the_implicit_reparameterization(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    """Error model of g = da/draw = 2 (dx/dtheta) theta'(raw), theta = alpha or beta:
    - the implementation: GRAD budget relative to the terms of log f, which reach
      K = implicit_error_scale(alpha, beta, x): 32 eps K max(1, |g*|);
    - the reference: implicit_relative_error(alpha, beta, x) |g*| (quadrature + rounding);
      where it disagrees with the implementation, the mpmath arbiter replaces it (no term);
    - the inputs: the implementation's x, alpha, beta are known only to within dx = ulp(a)
      (a = 2x - 1 rounded, with margin) and 16 eps cond of alpha and beta (ACTIVATION); each
      moves g* by its slope times that (the x-slope in closed form, _implicit_slope_in_x; the
      alpha- and beta-slopes by one-sided differences), counted twice for the curvature;
    - the chain factor theta'(raw) of the implementation: error_model.activation_slope_error.
    Samples where a does not determine x to half its size (|a| within a few ulps of 1) are
    checked only for a finite gradient.
    """
    case = CASES_BY_NAME["Beta"]
    params = data.draw(case.param_strategy.params(dtype, regimes), label="params")
    ref = case.drawn_reference(params)
    a, grad = _sample_and_grad(case, impl, params, dtype, device, draw_seed(data))
    shown = {"vec": params.vec, "a": a}
    assert_every("Beta", "d rsample/d vec", np.isfinite(grad), grad, "finite", shown)
    d = ref.d_action
    p = ref.params(params.vec, numpy_dtype(dtype))
    raws = (params.vec[..., :d], params.vec[..., d:])
    x = (a + 1) / 2
    dx = error_model.ulp(a, dtype)
    known = (dx < x / 2) & (dx < (1 - x) / 2)
    if not known.any():
        return
    alpha, beta, x, dx = p.alpha[known], p.beta[known], x[known], dx[known]
    e = error_model.eps(dtype)
    moved_alpha = 16 * e * error_model.activation_condition(ref.alpha, raws[0][known]) * alpha
    moved_beta = 16 * e * error_model.activation_condition(ref.beta, raws[1][known]) * beta
    g = _implicit(alpha, beta, x)
    slope_alpha = (_implicit(alpha * (1 + SLOPE_STEP), beta, x) - g) / (SLOPE_STEP * alpha)[
        ..., None
    ]
    slope_beta = (_implicit(alpha, beta * (1 + SLOPE_STEP), x) - g) / (SLOPE_STEP * beta)[..., None]
    spread = 2 * (
        np.abs(slope_alpha) * moved_alpha[..., None]
        + np.abs(slope_beta) * moved_beta[..., None]
        + np.abs(_implicit_slope_in_x(alpha, beta, x, g)) * dx[..., None]
    )
    chain = 2 * np.stack(
        [
            error_model.activation_derivative(ref.alpha, raws[0], dtype)[known],
            error_model.activation_derivative(ref.beta, raws[1], dtype)[known],
        ],
        axis=-1,
    )  # da/dtheta = 2 dx/dtheta, times dtheta/draw
    want = g * chain
    # The implementation's dtheta/draw is itself off by error_model.activation_slope_error.
    chain_error = 2 * np.stack(
        [
            error_model.activation_slope_error(ref.alpha, raws[0], dtype)[known],
            error_model.activation_slope_error(ref.beta, raws[1], dtype)[known],
        ],
        axis=-1,
    )
    scale = np.vectorize(implicit_error_scale)(alpha, beta, x)[..., None]
    tolerance = (
        error_model.GRAD.units * e * scale * np.maximum(1, np.abs(want))
        + implicit_relative_error(alpha, beta, x)[..., None] * np.abs(want)
        + spread * np.abs(chain)
        + np.abs(g) * chain_error
    )
    got = np.stack([grad[..., :d][known], grad[..., d:][known]], axis=-1)
    error = np.abs(got - want)
    # Where the float64 reference and the implementation disagree, the mpmath arbiter (the
    # exact value, SPEC §7) decides, without the reference's error term: the reference's
    # quadrature can miss its own error bound (alpha ~ 1e4, beta ~ 1.7, x ~ 0.9998).
    for i in np.flatnonzero((error > tolerance).any(-1)):
        exact = arbiter.beta.implicit_dx_dparams(alpha[i], beta[i], x[i]).value
        want[i] = np.array([float(v) for v in exact]) * chain[i]
        tolerance[i] -= implicit_relative_error(alpha[i], beta[i], x[i]) * np.abs(g[i] * chain[i])
    assert_within(
        "Beta",
        "d rsample/d raw (alpha, beta) (implicit reparameterization)",
        got,
        want,
        tolerance,
        {"alpha": alpha, "beta": beta, "x": x},
    )


def _gradcheck(
    output: str,
    quantity: str,
    function: Callable[..., torch.Tensor],
    inputs: tuple[torch.Tensor, ...],
    step: float = 1e-6,
) -> None:
    """torch.autograd.gradcheck with central differences of `step` (its default 1e-6), its
    failure led by the output and the quantity."""
    try:
        torch.autograd.gradcheck(function, inputs, eps=step)
    except GradcheckError as error:
        first, _, rest = str(error).partition("\n")
        vec = inputs[0].detach().cpu().numpy()
        raise AssertionError(
            f"{output} {quantity}: autograd's gradient disagrees with finite differences "
            f"(gradcheck: {first}) at vec={np.array2string(vec, precision=17, threshold=8)}"
            f"\n{rest}"
        ) from None


# ---- DiscreteLikeContinuous ----


@FIXTURE_SAFE
@given(data=st.data())
def test_dlc_rsample_is_straight_through_gumbel_softmax(
    impl: types.ModuleType, dtype: torch.dtype, device: torch.device, data: st.DataObject
) -> None:
    """Forward one-hot of argmax(logits + g); backward J = (diag y - y y^T)/tau, y =
    softmax((logits + g)/tau) for the same g, against reference.straight_through_jacobian.

    J is taken with respect to the logits of a torch Categorical (the seed page's wrapper
    input). y is recovered from J's diagonal given tau and the forward's class
    (softmax_from_straight_through_jacobian), g = tau log y - logits up to a constant per
    row (which changes neither the softmax nor its argmax).
    Error model: J carries the GRAD budget dJ = 32 eps max(1, max |J*|), eps of the noise's
    dtype (>= float32); the recovered y_k moves by <= min(tau dJ / |1 - 2 y_k|, sqrt(tau dJ))
    (the root's derivative, and its square-root behaviour at a tie), y_winner by their sum,
    and J*_ij = (delta_ij y_i - y_i y_j)/tau by (delta_ij dy_i + dy_i y_j + y_i dy_j +
    dy_i dy_j)/tau; the tolerance is dJ plus that. The forward's class must hold the largest
    recovered y_k up to dy (a near tie of two classes).
    """
    case = CASES_BY_NAME["DiscreteLikeContinuous"]
    regimes = (Regime.MODERATE, Regime.ORDINARY)
    params = data.draw(case.param_strategy.params(dtype, regimes), label="params")
    tau = float(params.wrapper_kwargs["gumbel_softmax_temperature"])
    logits = params.tensor(dtype, device, requires_grad=True)
    dlc = impl.DiscreteLikeContinuous(
        torch.distributions.Categorical(logits=logits), gumbel_softmax_temperature=tau
    )
    seed_torch(data)
    sample = dlc.rsample()
    d = sample.shape[-1]
    rows = [
        torch.autograd.grad(sample[..., i].sum(), logits, retain_graph=True)[0] for i in range(d)
    ]
    jacobian = torch.stack(rows, dim=-2).cpu().double().numpy()  # [..., i, j] = dy_i/dlogit_j
    forward = sample.detach().cpu().double().numpy()
    one_hot = ((forward == 0) | (forward == 1)).all(-1) & (forward.sum(-1) == 1)
    one_hot = np.broadcast_to(one_hot[..., None], forward.shape)
    output = "DiscreteLikeContinuous"
    shown = {"logits": params.vec}
    assert_every(output, "rsample forward value", one_hot, forward, "one-hot rows", shown)
    winner = forward.argmax(-1)
    y = softmax_from_straight_through_jacobian(jacobian, tau, winner)
    noise_eps = error_model.eps(torch.promote_types(dtype, torch.float32))
    assert_every(
        output, "softmax recovered from the rsample Jacobian's diagonal", y >= 0, y, ">= 0", shown
    )
    noise = tau * np.log(np.maximum(y, np.finfo(np.float64).tiny)) - params.vec
    want = reference.DiscreteLikeContinuous(params.vec, tau).straight_through_jacobian(noise)
    d_jac = error_model.GRAD.units * noise_eps * np.maximum(1, np.abs(want).max((-2, -1)))
    d_jac = d_jac[..., None, None]
    d_y = np.minimum(
        tau * d_jac[..., 0] / np.maximum(np.abs(1 - 2 * y), 1e-300), np.sqrt(tau * d_jac[..., 0])
    )
    is_winner = np.arange(d) == winner[..., None]
    d_y = np.where(is_winner, np.where(is_winner, 0.0, d_y).sum(-1, keepdims=True), d_y)
    # The forward's class is the softmax's largest, up to the recovery's error (near ties).
    y_winner = np.take_along_axis(y + d_y, winner[..., None], -1)
    assert_every(
        output,
        "rsample backward softmax",
        y_winner >= y - d_y,
        y,
        "its peak at the forward value's class (the same Gumbel noise)",
        shown,
    )
    moved = (
        np.eye(d) * d_y[..., None]
        + d_y[..., :, None] * y[..., None, :]
        + y[..., :, None] * d_y[..., None, :]
        + d_y[..., :, None] * d_y[..., None, :]
    ) / tau
    tolerance = d_jac + moved + 8 * error_model.EPS64 / tau
    assert_within(
        output, "d rsample/d logits (straight-through Jacobian)", jacobian, want, tolerance, shown
    )


# ---- gradcheck ----

# torch.autograd.gradcheck's central differences in float64 (h = 1e-6): truncation
# h^2 |f'''| / 6 and rounding eps64 |f| / h ~ 2e-10 |f|, within its atol + rtol |g| =
# 1e-5 + 1e-3 |g| at moderate parameters (|x| <= 3, |a| <= 0.9) away from the kinks of the
# clamps (activation highs, clip bounds, Discrete's probability clips), which are excluded.
KINK_MARGIN = 1e-4


def _away_from_kinks(case: OutputCase, params: Params) -> bool:
    ref = case.drawn_reference(params)
    if case.name in ("Discrete", "DiscreteLikeContinuous"):
        low, high = ref.clip_probs(np.float64)
        p = np.exp(params.vec - np.logaddexp.reduce(params.vec, axis=-1, keepdims=True))
        return bool(
            (np.abs(p - low) > KINK_MARGIN * max(low, 1e-300)).all()
            and (np.abs(p - high) > KINK_MARGIN * high).all()
        )
    for name in ("std", "alpha", "beta"):
        parameter = getattr(ref, name, None)
        if (
            parameter is None
            or parameter.high is None
            or parameter.activation is reference.tanh_bounded_positive
        ):
            continue
        unclamped = np.logaddexp(0.0, params.vec) + parameter.low
        if (np.abs(unclamped - parameter.high) <= KINK_MARGIN * parameter.high).any():
            return False
    return True


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CASES))
def test_log_prob_passes_gradcheck(
    impl: types.ModuleType, case: OutputCase, device: torch.device, data: st.DataObject
) -> None:
    dtype = torch.float64
    params = data.draw(
        case.param_strategy.params(dtype, (Regime.MODERATE,), NONEMPTY_LEADS), label="params"
    )
    assume(_away_from_kinks(case, params))
    vec = params.tensor(dtype, device, requires_grad=True)
    shape = case.action_shape(params.lead, params.kwargs)
    d = int(params.kwargs["d_action"])
    if case.box_actions:
        low, high = case.drawn_reference(params).clip_bounds(np.float64)
        inner = st.floats(max(low, -0.9) + KINK_MARGIN, min(high, 0.9) - KINK_MARGIN)
        actions = torch.tensor(
            data.draw(action_array(shape, inner)), device=device, requires_grad=True
        )
        inputs: tuple[torch.Tensor, ...] = (vec, actions)

        def function(v: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
            return case.drawn_distribution(impl, params, v).log_prob(a)

    else:
        seed_torch(data)
        if case.name == "Discrete":
            fixed = torch.randint(0, d, params.lead, device=device)
        elif case.name == "Multibinary":
            fixed = torch.randint(0, 2, shape, device=device).double()
        else:
            fixed = (
                torch.nn.functional.one_hot(torch.randint(0, d, params.lead), d).double().to(device)
            )
        inputs = (vec,)

        def function(v: torch.Tensor) -> torch.Tensor:
            return case.drawn_distribution(impl, params, v).log_prob(fixed)

    _gradcheck(case.name, "log_prob", function, inputs)


def _seeded_tanh_gaussian(data: st.DataObject) -> tuple[OutputCase, Params, int]:
    """TanhGaussian float64 parameters of moderate magnitude away from the activation's
    kinks, and a generator seed that makes each draw a smooth function of vec."""
    case = CASES_BY_NAME["TanhGaussian"]
    params = data.draw(
        case.param_strategy.params(torch.float64, (Regime.MODERATE,), NONEMPTY_LEADS),
        label="params",
    )
    assume(_away_from_kinks(case, params))
    return case, params, draw_seed(data)


@FIXTURE_SAFE
@given(data=st.data())
def test_seeded_tanh_gaussian_rsample_passes_gradcheck(
    impl: types.ModuleType, device: torch.device, data: st.DataObject
) -> None:
    """With the generator reseeded before every draw, rsample is a smooth function of vec
    (u = mu + sigma e for the same e): gradcheck's tolerances as for log_prob."""
    case, params, seed = _seeded_tanh_gaussian(data)

    def function(v: torch.Tensor) -> torch.Tensor:
        torch.manual_seed(seed)
        return case.drawn_distribution(impl, params, v).rsample()

    inputs = (params.tensor(torch.float64, device, True),)
    _gradcheck(case.name, f"rsample under torch.manual_seed({seed})", function, inputs)


DRAW_STEP = 1e-4


@FIXTURE_SAFE
@given(data=st.data())
def test_seeded_tanh_gaussian_log_prob_of_rsample_passes_gradcheck(
    impl: types.ModuleType, device: torch.device, data: st.DataObject
) -> None:
    """The SAC entropy term: log p(a) of a = rsample(), differentiated along the draw (a moves
    with vec, u = mu + sigma e for the same e). Under a reseeded generator it is a smooth
    function of vec, so finite differences check its total derivative; scoring the sample as
    a constant (the partial derivative only) or any wrong factor in it fails. Tolerances as
    for log_prob; the own-sample log p is unclipped, so the clip's kinks play no part.

    The difference step is DRAW_STEP, not 1e-6: a central difference errs by h^2 |f'''| / 6
    plus the value's rounding / h, and a log-density formed as log(1 - tanh(u)^2 + 1e-6)
    (CleanRL, SB3) carries 1.1e-10 nats of rounding where tanh(u)^2 = 1 - 2e-9 (1 - t^2
    cancels: an ulp of 1, 1.1e-16, over 1e-6 in the log), which h = 1e-6 turns into 5.5e-5,
    past gradcheck's atol 1e-5 with autograd's gradient right; h = 1e-4 makes it 1.1e-6, and
    h^2 |f'''| / 6 stays below 2e-9 |f'''| (along the draw e is fixed: the terms are log sigma
    and log sech^2 u, whose third derivatives are O(1) per unit of raw)."""
    case, params, seed = _seeded_tanh_gaussian(data)

    def function(v: torch.Tensor) -> torch.Tensor:
        torch.manual_seed(seed)
        dist = case.drawn_distribution(impl, params, v)
        return dist.log_prob(dist.rsample())

    inputs = (params.tensor(torch.float64, device, True),)
    quantity = f"log_prob(rsample()) under torch.manual_seed({seed})"
    _gradcheck(case.name, quantity, function, inputs, step=DRAW_STEP)


# ---- Monte-Carlo unbiasedness of d/dtheta E[f(a)] ----

FALSE_FAILURE = 1e-6
MC_SAMPLES = 100_000
FD_STEP = 1e-5


def smooth_f(a: np.ndarray | torch.Tensor) -> np.ndarray | torch.Tensor:
    """A smooth test function with |f'| <= 5 on [-1, 1]."""
    sin = torch.sin if isinstance(a, torch.Tensor) else np.sin
    return sin(3 * a) + a * a


def _tanh_gaussian_expectation(ref: reference.TanhGaussian, vec: np.ndarray) -> np.ndarray:
    """E f(tanh u), u ~ N(mu, sigma), by the composite Gauss-Legendre rule over mu +- 12 sigma
    (and beyond, to +-40 sigma: the tails beyond 12 sigma hold 4e-33)."""
    p = ref.params(vec, np.float64)
    ends = panels(p.mu - 40 * p.sigma, p.mu + 40 * p.sigma, location_scale_cuts(p.mu, p.sigma))
    u, w = gauss_legendre(ends, 24)
    return (w * norm.pdf(u, p.mu[..., None], p.sigma[..., None]) * smooth_f(np.tanh(u))).sum(-1)


def _beta_expectation(ref: reference.Beta, vec: np.ndarray) -> np.ndarray:
    """E f(2x - 1), x ~ Beta(alpha, beta), by the composite rule on (0, 1), cut at the bulk
    and geometrically toward both ends (alpha, beta >= 1 here: the density is bounded)."""
    unclipped = reference.Beta(
        ref.d_action, **_beta_bounds(ref), clip_actions_on_log_prob=(-1.0, 1.0)
    )
    p = ref.params(vec, np.float64)
    total = p.alpha + p.beta
    mean, spread = p.alpha / total, np.sqrt(p.alpha * p.beta / (total**2 * (total + 1)))
    zero, one = np.zeros_like(mean), np.ones_like(mean)
    cuts = np.concatenate(
        [location_scale_cuts(mean, spread), geometric_cuts(zero + 1e-12, one - 1e-12, 0.0, 1.0)], -1
    )
    x, w = gauss_legendre(panels(zero, one, cuts), 24)
    a = np.moveaxis(2 * x - 1, -1, 0)
    density = np.moveaxis(np.exp(unclipped.log_prob(vec, a, np.float64)), 0, -1) * 2
    return (w * density * smooth_f(2 * x - 1)).sum(-1)


def _beta_bounds(ref: reference.Beta) -> dict:
    return {
        "alpha_low": ref.alpha.low,
        "alpha_high": ref.alpha.high,
        "beta_low": ref.beta.low,
        "beta_high": ref.beta.high,
    }


MC_SETTINGS = {
    # One row per setting, d = 1: (mu, raw std) and (raw alpha, raw beta).
    "TanhGaussian": np.array(
        [[0.0, 0.0], [1.5, -1.0], [-0.5, 1.0], [2.5, SATURATE_HIGH], [0.3, SATURATE_LOW]]
    ),
    "Beta": np.array([[0.6, 0.6], [3.0, -1.0], [SATURATE_LOW, 2.0], [5.0, 5.0]]),
}
EXPECTATIONS = {"TanhGaussian": _tanh_gaussian_expectation, "Beta": _beta_expectation}


def _reference_gradient(name: str, ref: object, vec: np.ndarray) -> np.ndarray:
    """d E f / d vec by central differences of the quadrature (step 1e-5: truncation
    ~1e-10 |E'''|, rounding ~1e-16 / 1e-5 = 1e-11; FD_ERROR bounds both)."""
    grad = np.zeros_like(vec)
    for i in range(vec.shape[-1]):
        step = np.zeros_like(vec)
        step[..., i] = FD_STEP
        difference = EXPECTATIONS[name](ref, vec + step) - EXPECTATIONS[name](ref, vec - step)
        grad[..., i] = difference.sum(-1) / (2 * FD_STEP)  # over the d = 1 action dimension
    return grad


FD_ERROR = 1e-7


@pytest.mark.parametrize("case", case_params(tuple(CASES_BY_NAME[n] for n in MC_SETTINGS)))
def test_rsample_gradient_of_an_expectation_is_unbiased(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype, device: torch.device
) -> None:
    """mean over N = 1e5 draws of d f(a)/d vec against d E[f(a)]/d vec of the reference.

    Statistical model: each component's per-draw gradient has variance s^2, estimated by the
    sample variance (N = 1e5 makes its relative error ~ sqrt(2/N) = 0.4%, covered by the
    z-quantile's margin); by the CLT the mean is N(g*, s^2/N). With k = 2 x settings
    components, the test fails when any |mean - g*| > z s/sqrt(N) + FD_ERROR + GRAD bias,
    z = Phi^-1(1 - 1e-6/(2k)) (Bonferroni): false-failure probability <= 1e-6 for the
    fixed seed's stream taken as random. Power: a bias b in a component is detected with
    probability >= 1/2 once |b| >= z s/sqrt(N), and ~1 - 1e-6 at (z + 4.75) s/sqrt(N); with
    s <= 1.4 (measured: per-draw gradients' standard deviations 0 to 1.34 here) and z = 5.3
    (k = 10 TanhGaussian, 8 Beta) that is |b| >= 0.024 at worst and 0.002 at s = 0.1.
    """
    settings = MC_SETTINGS[case.name]
    ref = case.reference({"d_action": 1})
    want = _reference_gradient(case.name, ref, settings)
    torch.manual_seed(20240613)
    vec = torch.tensor(settings, dtype=dtype, device=device).repeat(MC_SAMPLES, 1).requires_grad_()
    dist = case.policy_output(impl, d_action=1)(vec)
    a = dist.rsample()
    (grad,) = torch.autograd.grad(smooth_f(a).sum(), vec)
    per_draw = grad.double().cpu().numpy().reshape(MC_SAMPLES, *settings.shape)
    mean, std = per_draw.mean(0), per_draw.std(0, ddof=1)
    k = settings.size
    z = float(-ndtri(FALSE_FAILURE / (2 * k)))
    bias = error_model.GRAD.units * error_model.eps(dtype) * 5  # per draw, |g| <= 5
    tolerance = z * std / math.sqrt(MC_SAMPLES) + FD_ERROR + bias
    assert_within(
        case.name,
        f"Monte-Carlo mean of d f(rsample)/d vec over {MC_SAMPLES} draws",
        mean,
        want,
        tolerance,
        {"vec": settings},
    )
