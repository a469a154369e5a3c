"""Normalization: the implementation's own density integrates to the reference's probability
of the region it does not clip, and its probability mass functions sum to 1.

log_prob clips actions to [l, h], so only the unclipped region is integrated: the integral of
exp(log_prob) over [l, h] (over the box [l, h]^d for GMM's joint density) must equal the
reference CDF's mass of it. The quadrature runs in float64 on the pre-squash variable u (a =
tanh u, da = (1 - a^2) du) for the tanh outputs and on x = (a + 1)/2 for the Beta; the
implementation sees each node rounded to its dtype, and exp is taken in float64.

Error model of |Q_impl - M|, Q_impl = sum_i w_i exp(log_prob(a~_i)) J_i (a~_i the node a_i
rounded to the dtype, J_i the change of variables):
  E_quad    = |sum_i w_i p(a_i) J_i - M|, the rule's error on the exact (reference, unclipped,
              float64) density, measured; the harness requires it below QUADRATURE_LIMIT;
  E_node    = sum_i w_i |p(a~_i) - p(a_i)| J_i, what rounding the nodes moves the density by;
  E_density = sum_i w_i p(a~_i) J_i (exp(t_i) - 1), t_i the LOG_PROB budget of the
              implementation's log-density at a~_i (plus the float64 reference's own).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtr

from policy_dists_catalogue import error_model
from policy_dists_suite.property_tests.extensions import has_extension
from policy_dists_suite.property_tests.quadrature import (
    COARSE_SCALE_CUTS,
    gauss_legendre,
    geometric_cuts,
    location_scale_cuts,
    panels,
)
from policy_dists_suite.property_tests.reference_values import logits_rounding
from policy_dists_suite.property_tests.registry import (
    CASES_BY_NAME,
    OutputCase,
    case_params,
    draw_params,
    reference_wrapper,
)
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    NONEMPTY_LEADS,
    Params,
    Regime,
    in_dtype,
    magnitude_families,
    numpy_dtype,
)
from policy_dists_suite.property_tests.verdict import assert_within

# The rule must resolve the exact density's integral to 1e-9 (absolute: masses are <= 1):
# far below the float32 density tolerances (>= 1e-6 of the mass) and any bug worth finding.
QUADRATURE_LIMIT = 1e-9
REGIMES = (Regime.ORDINARY, Regime.BOUNDS)
ORDER = 16  # Gauss-Legendre points per panel (8 per panel and dimension for GMM's 2-D grid)


@dataclass(frozen=True)
class Integrals:
    """Per integrated density (arrays of one shape): the implementation's integral, the
    reference mass M of the unclipped region, and the error terms of the module docstring."""

    implementation: np.ndarray
    mass: np.ndarray
    quadrature: np.ndarray
    node: np.ndarray
    density: np.ndarray


def _unclipped(case: OutputCase, params: Params) -> object:
    return case.reference({**params.kwargs, "clip_actions_on_log_prob": (-1.0, 1.0)})


def _density_terms(
    output: str,
    weights: np.ndarray,
    log_prob: np.ndarray,
    exact_at_nodes: np.ndarray,
    exact_at_rounded: np.ndarray,
    cond: np.ndarray,
    dtype: torch.dtype,
    mass: np.ndarray,
    axes: tuple[int, ...],
) -> Integrals:
    """Sum the weighted integrands over `axes` (the node axes)."""
    rounded = np.exp(exact_at_rounded)
    exact = np.exp(exact_at_nodes)
    budget = error_model.cond_tolerance(
        output, "log_prob", exact_at_rounded, cond, dtype, against_reference=True
    )
    # p (e^t - 1) as exp(log p + log(e^t - 1)): far in a tail p underflows while t is huge.
    # A node that rounds to a = ±1 under a whole-box clip has p = 0 exactly (t = inf there):
    # it is owed nothing.
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_expm1 = np.where(
            budget > 1, budget + np.log1p(-np.exp(-budget)), np.log(np.expm1(budget))
        )
        owed = np.where(np.isneginf(exact_at_rounded), 0.0, np.exp(exact_at_rounded + log_expm1))
    return Integrals(
        implementation=(weights * np.exp(log_prob)).sum(axes),
        mass=mass,
        quadrature=np.abs((weights * exact).sum(axes) - mass),
        node=(weights * np.abs(rounded - exact)).sum(axes),
        density=(weights * owed).sum(axes),
    )


def _nodes_first(array: np.ndarray) -> np.ndarray:
    """(..., d, N) -> (N, ..., d): the node axis becomes the leading sample axis."""
    return np.moveaxis(array, -1, 0)


# Phi(-40) = 3.6e-350 (below the float64 range): no mass of the density lies beyond.
TAIL_SIGMAS = 40.0
# cosh(u)^-2 = 4e-261 at u = 300, still a normal float64, and the integrand p(tanh u) cosh^-2
# is the Gaussian's density of u, finite; beyond, cosh overflows and 0 * inf is NaN. The
# Gaussian mass past 300 is Phi(-(300 - |mu|)/sigma) < 1e-20 for sigma <= 30.5 (raw 30, the
# regimes' largest), |mu| <= 10.
U_MAX = 300.0


def _tanh_gaussian(
    case: OutputCase, dist: object, params: Params, dtype: torch.dtype, device: torch.device
) -> Integrals:
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    low, high = ref.clip_bounds(np_dtype)
    p = ref.params(params.vec, np_dtype)
    # A clip at ±1 (a peer library's whole-box clip) is u = ±inf: the integral stops at mu
    # ± TAIL_SIGMAS sigma instead, and at |u| = U_MAX (the quadrature check above catches a
    # density with mass beyond).
    with np.errstate(divide="ignore"):
        u_low = np.full(p.mu.shape, np.arctanh(low))
        u_high = np.full(p.mu.shape, np.arctanh(high))
    u_low = np.where(np.isinf(u_low), np.maximum(p.mu - TAIL_SIGMAS * p.sigma, -U_MAX), u_low)
    u_high = np.where(np.isinf(u_high), np.minimum(p.mu + TAIL_SIGMAS * p.sigma, U_MAX), u_high)
    u, w = gauss_legendre(panels(u_low, u_high, location_scale_cuts(p.mu, p.sigma)), ORDER)
    a, jac = np.tanh(u), np.cosh(u) ** -2.0
    rounded = in_dtype(a, dtype)
    got = dist.log_prob(torch.tensor(_nodes_first(rounded), dtype=dtype, device=device))
    exact = _unclipped(case, params)
    log_prob = np.moveaxis(got.detach().cpu().double().numpy(), 0, -1)
    # The exact nodes from u: float64 cannot hold a = tanh u to the resolution of a density
    # narrower than its ulp near |a| = 1; log_prob_presquash(u) is log p(tanh u) exactly.
    at_nodes = np.moveaxis(exact.log_prob_presquash(params.vec, _nodes_first(u), np.float64), 0, -1)
    at_rounded = np.moveaxis(exact.log_prob(params.vec, _nodes_first(rounded), np.float64), 0, -1)
    cond = np.moveaxis(
        error_model.tanh_gaussian_cond(ref, params.vec, _nodes_first(rounded), dtype), 0, -1
    )
    mass = ref.cdf(params.vec, np.full(p.mu.shape, high), np_dtype) - ref.cdf(
        params.vec, np.full(p.mu.shape, low), np_dtype
    )
    return _density_terms(
        case.name, w * jac, log_prob, at_nodes, at_rounded, cond, dtype, mass, (-1,)
    )


def _beta(
    case: OutputCase, dist: object, params: Params, dtype: torch.dtype, device: torch.device
) -> Integrals:
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    low, high = ref.clip_bounds(np_dtype)
    p = ref.params(params.vec, np_dtype)
    total = p.alpha + p.beta
    mean = p.alpha / total
    spread = np.sqrt(p.alpha * p.beta / (total**2 * (total + 1)))
    x_low = np.full(mean.shape, (1 + low) / 2)
    x_high = np.full(mean.shape, (1 + high) / 2)
    cuts = np.concatenate(
        [location_scale_cuts(mean, spread), geometric_cuts(x_low, x_high, 0.0, 1.0)], axis=-1
    )
    x, w = gauss_legendre(panels(x_low, x_high, cuts), ORDER)
    a = 2 * x - 1
    rounded = in_dtype(a, dtype)
    got = dist.log_prob(torch.tensor(_nodes_first(rounded), dtype=dtype, device=device))
    exact = _unclipped(case, params)
    log_prob = np.moveaxis(got.detach().cpu().double().numpy(), 0, -1)
    at_nodes = np.moveaxis(exact.log_prob(params.vec, _nodes_first(a), np.float64), 0, -1)
    at_rounded = np.moveaxis(exact.log_prob(params.vec, _nodes_first(rounded), np.float64), 0, -1)
    cond = np.moveaxis(error_model.beta_cond(ref, params.vec, _nodes_first(rounded), dtype), 0, -1)
    mass = ref.cdf(params.vec, np.full(mean.shape, high), np_dtype) - ref.cdf(
        params.vec, np.full(mean.shape, low), np_dtype
    )
    # da = 2 dx
    return _density_terms(
        case.name, 2 * w, log_prob, at_nodes, at_rounded, cond, dtype, mass, (-1,)
    )


def _gmm_box_mass(ref: object, params: Params, dtype: torch.dtype) -> np.ndarray:
    """P(a in [l, h]^d) = sum_m w_m prod_j [Phi((atanh h - mu_mj)/sigma_mj) - Phi((atanh l -
    mu_mj)/sigma_mj)], from the reference's parameters; shape lead."""
    np_dtype = numpy_dtype(dtype)
    low, high = ref.clip_bounds(np_dtype)
    p = ref.params(params.vec, np_dtype)
    inside = ndtr((np.arctanh(high) - p.means) / p.stds) - ndtr(
        (np.arctanh(low) - p.means) / p.stds
    )
    return (np.exp(p.log_weights) * inside.prod(-1)).sum(-1)


def _gmm(
    case: OutputCase, dist: object, params: Params, dtype: torch.dtype, device: torch.device
) -> Integrals:
    """The joint density over the box, on the tensor grid of per-dimension rules (d <= 2)."""
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    low, high = ref.clip_bounds(np_dtype)
    p = ref.params(params.vec, np_dtype)  # means, stds: (lead, M, d)
    d = ref.d_action
    per_dim_means = np.moveaxis(p.means, -1, -2)  # (lead, d, M)
    per_dim_stds = np.moveaxis(p.stds, -1, -2)
    cuts = location_scale_cuts(per_dim_means, per_dim_stds, COARSE_SCALE_CUTS)
    cuts = cuts.reshape((*cuts.shape[:-2], -1))  # (lead, d, M * steps)
    u_low = np.full(cuts.shape[:-1], np.arctanh(low))
    u_high = np.full(cuts.shape[:-1], np.arctanh(high))
    u, w = gauss_legendre(panels(u_low, u_high, cuts), ORDER // 2)  # (lead, d, N)
    w = w * np.cosh(u) ** -2.0
    # The tensor grid: (lead, N, ..., N, d) nodes and (lead, N, ..., N) weights.
    grids = np.meshgrid(*[np.arange(u.shape[-1])] * d, indexing="ij")
    u_grid = np.stack([u[..., j, :][..., grids[j]] for j in range(d)], axis=-1)
    w_grid = np.prod([w[..., j, :][..., grids[j]] for j in range(d)], axis=0)
    lead = params.lead
    n_nodes = u.shape[-1] ** d
    a = np.tanh(u_grid).reshape((*lead, n_nodes, d))
    a = np.moveaxis(a, -2, 0)  # (nodes, lead, d)
    rounded = in_dtype(a, dtype)
    got = dist.log_prob(torch.tensor(rounded, dtype=dtype, device=device))
    exact = _unclipped(case, params)
    weights = np.moveaxis(w_grid.reshape((*lead, n_nodes)), -1, 0)
    log_prob = got.detach().cpu().double().numpy()[..., 0]
    u_nodes = np.moveaxis(u_grid.reshape((*lead, n_nodes, d)), -2, 0)  # as for TanhGaussian
    at_nodes = exact.log_prob_presquash(params.vec, u_nodes, np.float64)[..., 0]
    at_rounded = exact.log_prob(params.vec, rounded, np.float64)[..., 0]
    cond = error_model.gmm_cond(ref, params.vec, rounded, dtype)[..., 0]
    mass = _gmm_box_mass(ref, params, dtype)
    return _density_terms(
        case.name, weights, log_prob, at_nodes, at_rounded, cond, dtype, mass, (0,)
    )


INTEGRATORS: dict[str, Callable[..., Integrals]] = {
    "TanhGaussian": _tanh_gaussian,
    "GMM": _gmm,
    "Beta": _beta,
}
CONTINUOUS = tuple(CASES_BY_NAME[name] for name in INTEGRATORS)
# GMM's joint grid has N^d nodes per row: keep its batches to one or two rows.
NORMALIZATION_LEADS = {"GMM": ((1,), (2,))}


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CONTINUOUS))
def test_density_integrates_to_the_reference_mass_of_the_unclipped_region(
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    leads = NORMALIZATION_LEADS.get(case.name, NONEMPTY_LEADS)
    params = data.draw(case.param_strategy.params(dtype, REGIMES, leads), label="params")
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    result = INTEGRATORS[case.name](case, dist, params, dtype, device)
    # A suite limit, not the implementation's: the reference density's own quadrature error.
    assert bool((result.quadrature <= QUADRATURE_LIMIT).all()), (
        f"suite error: the quadrature does not resolve the exact {case.name} density "
        f"(error bound {result.quadrature.max():.3g} > {QUADRATURE_LIMIT:.3g})"
    )
    tolerance = result.quadrature + result.node + result.density
    assert_within(
        case.name,
        "integral of exp(log_prob) over the unclipped region",
        result.implementation,
        result.mass,
        tolerance,
        {"vec": params.vec},
    )


# ---- probability mass functions ----


def _pmf_log_probs(
    case: OutputCase, dist: object, params: Params, dtype: torch.dtype, device: torch.device
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log_prob of every outcome, the reference's, S), each with the outcome axis first
    (Multibinary: (2, lead, d), one sum per dimension)."""
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    lead, d = params.lead, case_d(params)
    if case.name == "Multibinary":
        outcomes = np.stack([np.zeros((*lead, d)), np.ones((*lead, d))])
        got = dist.log_prob(torch.tensor(outcomes, dtype=dtype, device=device))
        want = ref.log_prob(params.vec, outcomes, np_dtype)
        return got.detach().cpu().double().numpy(), want, np.abs(want)
    index = np.broadcast_to(np.arange(d).reshape((d,) + (1,) * len(lead)), (d, *lead))
    vec = np.broadcast_to(params.vec, (d, *params.vec.shape))
    if case.name == "Discrete":
        got = dist.log_prob(torch.tensor(index, dtype=torch.int64, device=device))
        want = ref.log_prob(vec, index, np_dtype)
        cond = error_model.discrete_cond(ref, vec, index, dtype)
    else:
        one_hot = np.eye(d)[index]
        got = dist.log_prob(torch.tensor(one_hot, dtype=dtype, device=device))
        want = reference_wrapper(ref, params, dtype).log_prob(one_hot)
        # log r_k of the wrapped Discrete: its condition sum is the Discrete's.
        cond = error_model.discrete_cond(ref, vec, index, dtype)
    # Indices (d, ..., 1) may come back as (d, ...) (a trailing 1 read as sample()'s axis).
    return got.detach().cpu().double().numpy().reshape(want.shape), want, cond


def case_d(params: Params) -> int:
    return int(params.kwargs["d_action"])


PMF_CASES = tuple(CASES_BY_NAME[n] for n in ("Discrete", "DiscreteLikeContinuous", "Multibinary"))


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(PMF_CASES))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_pmf_sums_to_one(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    """sum_k exp(log_prob(k)) = 1 exactly; each term carries the LOG_PROB budget t_k, so the
    sum is within sum_k p_k (exp(t_k) - 1), plus d eps64 for the float64 summation."""
    params = draw_params(data, case, dtype, regimes)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    got, want, cond = _pmf_log_probs(case, dist, params, dtype, device)
    exact_normalization = has_extension(impl, is_default_impl, "exact_categorical_normalization")
    extra = logits_rounding(case, params, None, exact_normalization)  # (..., d), or 0
    if np.ndim(extra):
        cond = cond + np.moveaxis(extra, -1, 0)
    budget = error_model.cond_tolerance(case.name, "log_prob", want, cond, dtype, True)
    total = np.exp(got).sum(0)
    tolerance = (np.exp(want) * np.expm1(budget)).sum(0) + got.shape[0] * error_model.EPS64
    assert_within(
        case.name,
        "sum of exp(log_prob) over the outcomes",
        total,
        np.ones_like(total),
        tolerance,
        {"vec": params.vec},
    )
