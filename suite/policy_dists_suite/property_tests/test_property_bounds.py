"""Bounds: samples lie in the support; stds, alphas and betas within their activation bounds;
probabilities in [0, 1] summing to 1. For every finite vec, the extremes of the dtype included.
"""

from __future__ import annotations

import math
import types

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import policy_dists_reference as reference
from policy_dists_catalogue import error_model
from policy_dists_reference.activations import PositiveParameter
from policy_dists_suite.property_tests.registry import (
    CASES,
    CASES_BY_NAME,
    OutputCase,
    Support,
    case_params,
    draw_params,
)
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    NONEMPTY_LEADS,
    Params,
    Regime,
    finite_floats,
    in_dtype,
    magnitude_families,
    seed_torch,
)
from policy_dists_suite.property_tests.verdict import assert_every, assert_within

SAMPLES = 5


def _assert_in_support(case: OutputCase, sample: torch.Tensor, d: int, how: str) -> None:
    got = sample.detach().cpu().double().numpy()
    if case.integer_samples:  # Discrete: class indices
        assert sample.dtype == torch.int64, (
            f"{case.name} {how}: got dtype {sample.dtype} expected torch.int64 class indices"
        )
        assert_every(case.name, how, (got >= 0) & (got < d), got, f"a class index in [0, {d})")
    elif case.box_actions:  # a in [-1, 1]; NaN fails both comparisons
        assert_every(case.name, how, (got >= -1) & (got <= 1), got, "an action in [-1, 1]")
    elif case.name == "Multibinary":
        assert_every(case.name, how, (got == 0) | (got == 1), got, "0 or 1")
    else:  # DiscreteLikeContinuous: one-hot to the bit, straight-through rsample included
        assert_every(case.name, how, (got == 0) | (got == 1), got, "0 or 1 (one-hot)")
        total = got.sum(-1)
        assert_every(case.name, f"{how} row sum", total == 1, total, "exactly 1 (one-hot)")


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CASES))
@pytest.mark.parametrize(
    "regimes",
    magnitude_families(
        (Regime.MODERATE, Regime.ORDINARY, Regime.BOUNDS), (Regime.EXTREME, Regime.LARGEST)
    ),
)
def test_samples_lie_in_the_support(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, regimes)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    d = int(params.kwargs["d_action"])
    shape = case.action_shape((SAMPLES, *params.lead), params.kwargs)
    seed_torch(data)
    sample = dist.sample((SAMPLES,))
    assert sample.shape == shape, f"{case.name} sample: got shape {sample.shape} expected {shape}"
    _assert_in_support(case, sample, d, "sample")
    if case.rsample is Support.YES:
        if case.name == "DiscreteLikeContinuous":  # the seed page's rsample takes no shape
            rsample, shape = dist.rsample(), case.action_shape(params.lead, params.kwargs)
        else:
            rsample = dist.rsample((SAMPLES,))
        assert rsample.shape == shape, (
            f"{case.name} rsample: got shape {rsample.shape} expected {shape}"
        )
        _assert_in_support(case, rsample, d, "rsample")


# ---- positive parameters within their bounds ----

# The log_dict keys of activated parameters, and the reference parameter each one is.
ACTIVATED = {
    "TanhGaussian": {"TanhGaussian-std": "std"},
    "GMM": {"GMM-stds": "std"},
    "Beta": {"Beta-alpha": "alpha", "Beta-beta": "beta"},
}


def _slack(parameter: PositiveParameter, dtype: torch.dtype) -> float:
    """Relative slack of the ACTIVATION budget at the activation's largest relative condition
    (at raw -> inf): |log low| + |log high - log low| for tanh_bounded_positive, 1 for
    softplus_bounded_positive (whose low + softplus >= low holds only up to rounding low)."""
    worst = float(error_model.activation_condition(parameter, np.array(math.inf)))
    return error_model.ACTIVATION.units * error_model.eps(dtype) * worst


def _assert_within(
    values: torch.Tensor | float,
    parameter: PositiveParameter,
    dtype: torch.dtype,
    output: str,
    what: str,
) -> None:
    values = torch.as_tensor(values, dtype=torch.float64).reshape(-1).numpy()
    slack = _slack(parameter, dtype)
    high = np.inf if parameter.high is None else parameter.high * (1 + slack)
    ok = (values >= parameter.low * (1 - slack)) & (values <= high) & np.isfinite(values)
    bounds = f"[{parameter.low!r}, {parameter.high!r}] (relative slack {slack:.3g}), finite"
    assert_every(output, what, ok, values, f"within {bounds}")


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.amago_api("the log_dict statistics forward writes (SPEC §4)")
@pytest.mark.parametrize("case", case_params(tuple(CASES_BY_NAME[n] for n in ACTIVATED)))
@pytest.mark.parametrize(
    "regimes",
    magnitude_families(
        (Regime.MODERATE, Regime.ORDINARY, Regime.BOUNDS), (Regime.EXTREME, Regime.LARGEST)
    ),
)
def test_activated_parameters_lie_within_their_bounds(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    """The extremes forward logs (log_dict, SPEC §4) of every std, alpha and beta."""
    params = data.draw(case.param_strategy.params(dtype, regimes, NONEMPTY_LEADS), label="params")
    ref = case.drawn_reference(params)
    output = getattr(impl, case.output_class)(**params.impl_kwargs(impl))
    log_dict: dict = {}
    output(params.tensor(dtype, device), log_dict)
    for key, attribute in ACTIVATED[case.name].items():
        parameter = getattr(ref, attribute)
        for stat in ("min", "max"):
            value = float(log_dict[f"activation-{key}-{stat}"])
            _assert_within(value, parameter, dtype, case.name, f"log_dict {key}-{stat}")


ACTIVATIONS = {
    "softplus_bounded_positive": st.sampled_from([(1e-4, None), (1e-3, 2.0), (1.0001, None)]),
    "tanh_bounded_positive": st.sampled_from([(math.exp(-5), math.exp(2)), (0.01, 1.0)]),
}


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_stay_within_their_bounds_for_any_finite_input(
    impl: types.ModuleType,
    name: str,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    low, high = data.draw(ACTIVATIONS[name], label="(low, high)")
    x = data.draw(st.lists(finite_floats(dtype), min_size=1, max_size=8), label="x")
    got = getattr(impl, name)(torch.tensor(x, dtype=dtype, device=device), low, high)
    parameter = PositiveParameter(getattr(reference, name), low, high)
    _assert_within(got.cpu(), parameter, dtype, name, f"(x, {low}, {high})")


# (low, high) whose exp(log(bound)) rounds outside [low, high] in the dtype (found by a search
# over random bounds): at saturation the activation must still land within the bounds.
_ROUNDING_BOUNDS = {
    torch.float32: (
        (0.6855734302822466, 6.855734302822466),
        (0.6369979911527222, 6.369979911527222),
    ),
    torch.float64: (
        (0.3466862365156221, 3.466862365156221),
        (0.9772833381124408, 9.772833381124408),
    ),
}


@pytest.mark.extension("bounds_exact_in_dtype")
def test_tanh_bounded_positive_saturates_within_bounds_that_round_outward(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    x = torch.tensor([-1e4, 1e4], dtype=dtype)
    for low, high in _ROUNDING_BOUNDS[dtype]:
        y = impl.tanh_bounded_positive(x, low, high)
        bounds = torch.tensor([low, high], dtype=dtype)
        got = y.double().numpy()
        ok = np.array([bool(y[0] >= bounds[0]), bool(y[1] <= bounds[1])])
        assert_every(
            "tanh_bounded_positive",
            f"(x = -+1e4, {low!r}, {high!r})",
            ok,
            got,
            f"within [{bounds[0].item()!r}, {bounds[1].item()!r}] rounded to {dtype}",
        )


# ---- probabilities ----

PROBABILITY_CASES = tuple(
    CASES_BY_NAME[n] for n in ("Discrete", "DiscreteLikeContinuous", "Multibinary")
)


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(PROBABILITY_CASES))
@pytest.mark.parametrize(
    "regimes",
    magnitude_families(
        (Regime.MODERATE, Regime.ORDINARY, Regime.BOUNDS), (Regime.EXTREME, Regime.LARGEST)
    ),
)
def test_probabilities_lie_in_the_unit_interval_and_sum_to_one(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, regimes)
    _check_probabilities(impl, case, params, dtype, device)


@pytest.mark.parametrize("kwargs", [{}, {"clip_prob_low": 0.0, "clip_prob_high": 1.0}])
@pytest.mark.parametrize("case", case_params(PROBABILITY_CASES))
def test_probabilities_at_the_ends_of_the_float_range_sum_to_one(
    impl: types.ModuleType, case: OutputCase, kwargs: dict, dtype: torch.dtype
) -> None:
    """Logits at +-max of the dtype, whose differences overflow even float64 (found by the
    soak: the probs error model gave NaN where Delta = inf meets p = 0)."""
    if case.name == "Multibinary":
        kwargs = {}
    big = float(torch.finfo(dtype).max)
    params = Params({"d_action": 3, **kwargs}, in_dtype([[big, -big, 0.0]], dtype))
    _check_probabilities(impl, case, params, dtype, torch.device("cpu"))


def _check_probabilities(
    impl: types.ModuleType,
    case: OutputCase,
    params: Params,
    dtype: torch.dtype,
    device: torch.device,
) -> None:
    """Categorical probs sum to 1 within their budget: each r_k is within
    error_model.probs_ulps of the exact r*_k, which sum to exactly 1; the float64 sum of the
    d values adds d eps64."""
    probs = case.drawn_distribution(impl, params, params.tensor(dtype, device)).probs
    shape = (*params.lead, int(params.kwargs["d_action"]))
    assert probs.shape == shape, f"{case.name} probs: got shape {probs.shape} expected {shape}"
    p = probs.detach().cpu().double().numpy()
    inputs = {"vec": params.vec}
    assert_every(case.name, "probs", (p >= 0) & (p <= 1), p, "in [0, 1]", inputs)
    if case.name != "Multibinary":
        ref = case.drawn_reference(params)
        units = error_model.probs_ulps(case.name, ref, params.vec, dtype)
        tolerance = (units * error_model.ulp(p, dtype)).sum(-1) + p.shape[-1] * error_model.EPS64
        assert_within(
            case.name, "probs row sum", p.sum(-1), np.ones(p.shape[:-1]), tolerance, inputs
        )
