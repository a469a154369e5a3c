"""Agreement with the reference: log_prob, mean, entropy, probs and the activations, within
the SPEC §7 error model (the budgets of error_model, restating the boundary audit's).

Hypothesis draws parameters and actions and compares against the numpy/scipy reference, whose
own float64 error (REFERENCE) is added to the implementation's budget; where the two disagree
the mpmath arbiter's exact value decides, with the implementation's budget alone. At fixed boundary
points (actions 1 - 10^-k, nextafter(1, 0), ±1 under parameters that stress them) the
mpmath arbiter judges the values and their gradients in both dtypes, with no reference term.

Tolerance table (units of the dtype's eps unless stated; the same for float32 and float64,
since every model counts roundings; error_model.OVERRIDES holds the per-output exceptions):

| quantity            | budget                    | model                                  |
| ------------------- | ------------------------- | -------------------------------------- |
| log_prob            | 16 max(eps S, ulp)        | LOG_PROB: 6 + 6 + 4 roundings of S     |
| entropy             | 16 max(eps S, ulp)        | ENTROPY: as log_prob                   |
| gradients           | 32 eps max(1, max|g*|)    | GRAD: reverse mode doubles the count   |
| probs (categorical) | 8 + |Delta_k| + ... ulps  | categorical_probs_ulps: + the logit    |
|                     |                           | differences' rounding, after exp       |
| probs, mean (Bern.) | 8 ulps                    | SIGMOID_ULPS (override)                |
| TanhGaussian mean   | 4 ulps                    | TANH_ULPS (override): one tanh         |
| GMM mean            | 16 eps (1-y^2) sum w|mu|  | MIXTURE_MEAN (override) + TANH_ULPS    |
| Beta mean           | 16 eps absolute           | RATIO_MEAN (override)                  |
| activations         | 16 eps cond, relative     | ACTIVATION                             |
| vs numpy reference  | + 16 max(eps64 S, ulp64)  | REFERENCE: the same count in float64   |
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import policy_dists_reference as reference
from policy_dists_catalogue import SATURATE_HIGH, SATURATE_LOW, error_model
from policy_dists_catalogue.boundary_settings import BOUNDARY_KWARGS, BOUNDARY_SETTINGS
from policy_dists_reference import arbiter
from policy_dists_reference.activations import PositiveParameter
from policy_dists_suite.property_tests.extensions import has_extension
from policy_dists_suite.property_tests.reference_values import (
    entropy_logits_rounding,
    logits_rounding,
    reference_entropy,
    reference_log_prob,
    reference_mean,
)
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
    Params,
    Regime,
    action_array,
    boundary_values,
    box_actions,
    finite_floats,
    in_dtype,
    magnitude_families,
    numpy_dtype,
    seed_torch,
)
from policy_dists_suite.property_tests.verdict import assert_within


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().double().numpy()


# The mpmath arbiter's point function for each (quantity, output): it decides wherever the
# implementation and the float64 numpy reference disagree, so that a reference evaluated past
# its own error model (e.g. the Multibinary entropy at |logit| ~ 300, whose exp(log p +
# log(-log p)) carries ~|logit|/3 eps) cannot fail an exact implementation.
ARBITER_POINTS: dict[str, dict[str, Callable]] = {
    "log_prob": {
        "TanhGaussian": arbiter.tanh_gaussian.log_prob,
        "GMM": arbiter.gmm.log_prob,
        "Beta": arbiter.beta.log_prob,
        "Discrete": arbiter.discrete.log_prob,
        "DiscreteLikeContinuous": arbiter.discrete.log_prob,  # log r_k of its Discrete
        "Multibinary": arbiter.multibinary.log_prob,
    },
    "entropy": {
        "Beta": arbiter.beta.entropy,
        "Discrete": arbiter.discrete.entropy,
        "DiscreteLikeContinuous": arbiter.discrete.entropy,
        "Multibinary": arbiter.multibinary.entropy,
    },
    "mean": {
        "TanhGaussian": arbiter.tanh_gaussian.mean,
        "GMM": arbiter.gmm.mean,
        "Beta": arbiter.beta.mean,
        "Multibinary": arbiter.multibinary.probs,
    },
    "probs": {
        "Discrete": arbiter.discrete.probs,
        "DiscreteLikeContinuous": arbiter.discrete.probs,
        "Multibinary": arbiter.multibinary.probs,
    },
}


def _arbiter(
    case: OutputCase,
    quantity: str,
    params: Params,
    dtype: torch.dtype,
    shape: tuple[int, ...],
    actions: np.ndarray | None = None,
) -> arbiter.ExactArrays:
    """The arbiter's exact values (float64) over the batch, shaped like the output (`shape`)."""
    per_point: list[np.ndarray] = []
    if actions is not None:
        if case.name == "Discrete":
            per_point = [actions[..., None]]
        elif case.name == "DiscreteLikeContinuous":
            per_point = [np.argmax(actions, axis=-1)[..., None]]
        else:
            per_point = [actions]
    point = ARBITER_POINTS[quantity][case.name]
    exact = arbiter.sweep(
        point, case.drawn_reference(params), params.vec, *per_point, dtype=numpy_dtype(dtype)
    ).float64()
    if exact.value.shape[:-1] == shape:  # one value per batch element: no trailing axis
        return arbiter.ExactArrays(
            exact.value[..., 0], None, None, None if exact.cond is None else exact.cond[..., 0]
        )
    return exact


def _judge(
    case: OutputCase,
    quantity: str,
    got: np.ndarray,
    screen: tuple[np.ndarray, np.ndarray],
    decide: Callable[[arbiter.ExactArrays], np.ndarray],
    params: Params,
    dtype: torch.dtype,
    actions: np.ndarray | None = None,
) -> None:
    """Pass where got is within tolerance of the numpy reference's value (`screen`: value,
    tolerance); otherwise the arbiter's exact value decides, with the tolerance `decide`
    gives for it (the implementation's budget alone)."""
    want, tolerance = screen
    assert got.shape == want.shape, (quantity, "shape", got.shape, want.shape)
    if bool(((got == want) | (np.abs(got - want) <= tolerance)).all()):
        return
    exact = _arbiter(case, quantity, params, dtype, got.shape, actions)
    assert_within(
        case.name,
        quantity,
        got,
        exact.value,
        decide(exact),
        {"vec": params.vec, "actions": actions, "numpy reference": want},
    )


# ---- log_prob ----


def _draw_actions(
    case: OutputCase, params: Params, dist: object, dtype: torch.dtype, data: st.DataObject
) -> np.ndarray:
    """Actions for log_prob: box actions biased toward ±1 (TanhGaussian, GMM, Beta); class
    indices; one-hot or soft vectors; 0/1 outcomes; or the distribution's own samples
    (except for TanhGaussian and GMM, which score their own samples exactly from the
    pre-squash value: test_property_clipping)."""
    shape = case.action_shape(params.lead, params.kwargs)
    d = int(params.kwargs["d_action"])
    if case.name not in ("TanhGaussian", "GMM") and data.draw(st.booleans(), label="own sample"):
        seed_torch(data)
        sample = _numpy(dist.sample())
        return sample[..., 0].astype(np.int64) if case.name == "Discrete" else sample
    if case.box_actions:
        return data.draw(action_array(shape, box_actions(dtype)), label="actions")
    if case.name == "Discrete":
        return data.draw(action_array(params.lead, st.integers(0, d - 1)), label="classes").astype(
            np.int64
        )
    if case.name == "Multibinary":
        return data.draw(action_array(shape, st.sampled_from([0.0, 1.0])), label="outcomes")
    one_hot = st.integers(0, d - 1).map(lambda k: [float(i == k) for i in range(d)])
    soft = st.lists(st.floats(0.0, 1.0, width=torch.finfo(dtype).bits), min_size=d, max_size=d)
    rows = st.lists(
        st.one_of(one_hot, soft),
        min_size=int(np.prod(params.lead)),
        max_size=int(np.prod(params.lead)),
    )
    return np.asarray(data.draw(rows, label="one-hot or soft"), dtype=np.float64).reshape(shape)


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CASES))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_log_prob_agrees_with_the_reference(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, regimes)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    actions = _draw_actions(case, params, dist, dtype, data)
    as_tensor = (
        torch.tensor(actions, device=device)
        if case.name == "Discrete"
        else torch.tensor(actions, dtype=dtype, device=device)
    )
    got = _numpy(dist.log_prob(as_tensor))
    exact_normalization = has_extension(impl, is_default_impl, "exact_categorical_normalization")
    extra = logits_rounding(case, params, actions, exact_normalization)
    want, cond = reference_log_prob(case, params, actions, dtype)
    tolerance = error_model.cond_tolerance(case.name, "log_prob", want, cond + extra, dtype, True)

    def decide(exact: arbiter.ExactArrays) -> np.ndarray:
        return error_model.cond_tolerance(
            case.name, "log_prob", exact.value, exact.cond + extra, dtype, False
        )

    _judge(case, "log_prob", got, (want, tolerance), decide, params, dtype, actions)


# ---- mean ----


MEAN_CASES = tuple(c for c in CASES if c.has_mean)


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(MEAN_CASES))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_mean_agrees_with_the_reference(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, regimes)
    got = _numpy(case.drawn_distribution(impl, params, params.tensor(dtype, device)).mean)
    want, tolerance = reference_mean(case, params, dtype)
    # The budget depends on the value only through ulps and 1 - y^2: the screen's stands.
    _judge(case, "mean", got, (want, tolerance), lambda exact: tolerance, params, dtype)


# ---- entropy ----


ENTROPY_CASES = tuple(c for c in CASES if c.entropy is Support.YES)


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(ENTROPY_CASES, features=("entropy",)))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_entropy_agrees_with_the_reference(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, regimes)
    got = _numpy(case.drawn_distribution(impl, params, params.tensor(dtype, device)).entropy())
    exact_normalization = has_extension(impl, is_default_impl, "exact_categorical_normalization")
    extra = entropy_logits_rounding(case, params, exact_normalization)
    want, cond = reference_entropy(case, params, dtype)
    tolerance = error_model.cond_tolerance(case.name, "entropy", want, cond + extra, dtype, True)

    def decide(exact: arbiter.ExactArrays) -> np.ndarray:
        return error_model.cond_tolerance(
            case.name, "entropy", exact.value, exact.cond + extra, dtype, False
        )

    _judge(case, "entropy", got, (want, tolerance), decide, params, dtype)


# ---- probs and logits ----

PROBS_CASES = tuple(c for c in CASES if c.has_probs)


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(PROBS_CASES))
@pytest.mark.parametrize("regimes", magnitude_families())
def test_probs_and_logits_agree_with_the_reference(
    regimes: tuple[Regime, ...],
    impl: types.ModuleType,
    is_default_impl: bool,
    case: OutputCase,
    dtype: torch.dtype,
    device: torch.device,
    data: st.DataObject,
) -> None:
    """probs within their ulps (error_model.probs_ulps; and the reference's float64 rounding, or the
    arbiter's exact value where they disagree); logits = log probs within the same relative
    error, an absolute error in the log, plus 2 ulps for the log's rounding (Multibinary's
    logits are vec itself: exact)."""
    params = draw_params(data, case, dtype, regimes)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    ref = case.drawn_reference(params)
    want = ref.params(params.vec, numpy_dtype(dtype))
    # A relative error eps T is at most 2 T ulps (an ulp is >= eps |p| / 2).
    exact_normalization = has_extension(impl, is_default_impl, "exact_categorical_normalization")
    units = error_model.probs_ulps(case.name, ref, params.vec, dtype) + 2 * logits_rounding(
        case, params, None, exact_normalization
    )
    tolerance = units * error_model.ulp(want.probs, dtype) + error_model.REFERENCE.units * (
        error_model.ulp(want.probs, torch.float64)
    )

    def decide(exact: arbiter.ExactArrays) -> np.ndarray:
        return units * error_model.ulp(exact.value, dtype)

    _judge(case, "probs", _numpy(dist.probs), (want.probs, tolerance), decide, params, dtype)
    if case.name == "Multibinary":
        logits = _numpy(dist.logits)
        assert_within(case.name, "logits", logits, want.logits, 0.0, {"vec": params.vec})
        return
    # A relative error of units eps in r is an absolute one in log r; rounding log r adds
    # <= 2 ulps of it; the reference's float64 log r carries REFERENCE max(eps64 |log r|, ulp).
    log_tolerance = (
        units * error_model.eps(dtype)
        + 2 * error_model.ulp(want.logits, dtype)
        + error_model.REFERENCE.units * error_model.EPS64 * np.maximum(1, np.abs(want.logits))
    )
    assert_within(
        case.name, "logits", _numpy(dist.logits), want.logits, log_tolerance, {"vec": params.vec}
    )


@pytest.mark.parametrize("name", ["Discrete", "DiscreteLikeContinuous"])
def test_probs_where_the_logit_difference_rounds(
    impl: types.ModuleType, name: str, device: torch.device
) -> None:
    """float32 logits whose difference -16.64 rounds: p_1 = 5.9e-8 is 17 ulps off in a
    correct softmax, beyond the 8 roundings that do not depend on the logits (a false failure
    before error_model.categorical_probs_ulps counted the difference's rounding)."""
    case = CASES_BY_NAME[name]
    kwargs = {"d_action": 2, "clip_prob_low": 0.0, "clip_prob_high": 1.0}
    params = Params(kwargs, in_dtype([[7.736527442932129, -8.899738311767578]], torch.float32))
    dist = case.drawn_distribution(impl, params, params.tensor(torch.float32, device))
    ref = case.drawn_reference(params)
    want = ref.params(params.vec, np.float32).probs
    ulps = error_model.probs_ulps(name, ref, params.vec, torch.float32)
    tolerance = ulps * error_model.ulp(want, torch.float32)
    assert_within(name, "probs", _numpy(dist.probs), want, tolerance, {"vec": params.vec})


# ---- the activations ----

ACTIVATION_BOUNDS = {
    "softplus_bounded_positive": [(1e-4, None), (1e-3, 2.0), (1.0001, None)],
    "tanh_bounded_positive": [(float(np.exp(-5.0)), float(np.exp(2.0))), (0.01, 1.0)],
}


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("name", sorted(ACTIVATION_BOUNDS))
def test_activations_agree_with_the_reference(
    impl: types.ModuleType, name: str, dtype: torch.dtype, device: torch.device, data: st.DataObject
) -> None:
    """Relative error <= 16 eps cond (ACTIVATION) + the reference's 16 eps64 cond. The
    clamp at `high` happens in the dtype (SPEC §2), as the reference's PositiveParameter."""
    low, high = data.draw(st.sampled_from(ACTIVATION_BOUNDS[name]), label="(low, high)")
    x = np.asarray(
        data.draw(st.lists(finite_floats(dtype), min_size=1, max_size=8), label="x"),
        dtype=np.float64,
    )
    got = _numpy(getattr(impl, name)(torch.tensor(x, dtype=dtype, device=device), low, high))
    parameter = PositiveParameter(getattr(reference, name), low, high)
    with np.errstate(over="ignore"):  # 2x overflows to inf for x near float64's max: tanh = 1
        want = parameter(x, numpy_dtype(dtype))
    cond = error_model.activation_condition(parameter, x)
    units = error_model.ACTIVATION.units
    tolerance = units * cond * (error_model.eps(dtype) + error_model.EPS64) * np.abs(want)
    assert_within(name, "value", got, want, tolerance, {"x": x})


# ---- the arbiter at the boundary ----

# The catalogue's boundary settings (the audit's), plus clip bounds next to ±1, where
# log(1 - c^2) must not be formed from 1 - c*c.
NEAR_ONE = {"clip_actions_on_log_prob": (-(1 - 1e-6), 1 - 1e-6)}
CLIPPED_SETTINGS: dict[str, list[tuple[dict, tuple[float, ...]]]] = {
    "TanhGaussian": [(NEAR_ONE, (5.0, SATURATE_LOW)), (NEAR_ONE, (0.0, SATURATE_HIGH))],
    "Beta": [({"clip_actions_on_log_prob": (-0.999, 0.999)}, (1e3, SATURATE_LOW))],
}
CONTINUOUS_SETTINGS: dict[str, list[tuple[dict, tuple[float, ...]]]] = {
    name: [(dict(BOUNDARY_KWARGS[name]), s.vec) for s in BOUNDARY_SETTINGS[name]]
    + [({**BOUNDARY_KWARGS[name], **clip}, row) for clip, row in CLIPPED_SETTINGS.get(name, [])]
    for name in ("TanhGaussian", "GMM", "Beta")
}


def _gradient_rounding(
    name: str, ref: object, vec: np.ndarray, actions: np.ndarray, dtype: torch.dtype
) -> np.ndarray:
    """The part of the gradient's error that the rounding of the pre-squash x = atanh c causes
    (error_model.GRADIENT_ROUNDING); Beta's x = (c + 1)/2 is exact."""
    bound = error_model.GRADIENT_ROUNDING.get(name)
    if bound is None:
        return np.zeros((len(actions), vec.shape[-1] + actions.shape[-1]))
    return bound(ref, vec, actions, dtype)


def _assert_gradients(
    output: str,
    got: np.ndarray,
    want: np.ndarray,
    rounding: np.ndarray,
    dtype: torch.dtype,
    context: dict[str, object],
) -> None:
    """Per row: |g_i - g*_i| <= GRAD (32 eps max(1, max |g*|), the audit's mixed normwise
    budget) + rounding_i."""
    scale = np.maximum(1, np.abs(want).max(-1, keepdims=True))
    tolerance = error_model.GRAD.units * error_model.eps(dtype) * scale + rounding
    assert_within(output, "gradient", got, want, tolerance, context)


def _setting_params(kwargs: Mapping, row: Sequence[float], dtype: torch.dtype) -> Params:
    return Params(dict(kwargs), in_dtype([row], dtype))


def _setting_ids(settings: dict[str, list]) -> list:
    return [
        pytest.param(name, kwargs, row, id=f"{name}-{i}")
        for name, rows in settings.items()
        for i, (kwargs, row) in enumerate(rows)
    ]


@pytest.mark.parametrize(("name", "kwargs", "row"), _setting_ids(CONTINUOUS_SETTINGS))
def test_log_prob_and_gradients_at_the_boundary_agree_with_the_arbiter(
    impl: types.ModuleType,
    name: str,
    kwargs: Mapping,
    row: Sequence[float],
    dtype: torch.dtype,
    device: torch.device,
) -> None:
    """Every action of boundary_values (1 - 10^-k while distinct from 1 in the dtype,
    nextafter(1, 0), ±1, 0): the value within LOG_PROB (16 max(eps S, ulp)) of the arbiter's
    exact value at the same float inputs, the gradient in vec and the action within GRAD
    (32 eps max(1, max |g*|), mixed normwise) of the exact one."""
    case = CASES_BY_NAME[name]
    params = _setting_params(kwargs, row, dtype)
    actions = np.asarray(boundary_values(dtype)).reshape(-1, 1)
    vec = np.broadcast_to(params.vec, (len(actions), params.vec.shape[-1])).copy()
    vec_t = torch.tensor(vec, dtype=dtype, device=device, requires_grad=True)
    act_t = torch.tensor(actions, dtype=dtype, device=device, requires_grad=True)
    log_prob = case.drawn_distribution(impl, params, vec_t).log_prob(act_t).reshape(len(actions), 1)
    grad_vec, grad_act = torch.autograd.grad(log_prob.sum(), (vec_t, act_t))
    ref = case.drawn_reference(params)
    exact = arbiter.sweep(
        case.adapter.arbiter.log_prob, ref, vec, actions, dtype=numpy_dtype(dtype)
    )
    values = exact.float64()
    tolerance = error_model.cond_tolerance(
        name, "log_prob", values.value, values.cond, dtype, False
    )
    assert_within(
        name,
        "log_prob",
        _numpy(log_prob),
        values.value,
        tolerance,
        {"vec": vec, "actions": actions},
    )
    # No gradient is owed where the exact log-density is -inf (a = ±1 under a whole-box clip,
    # a peer library's; the exact_ends extension asks for zeros there).
    owed = np.isfinite(values.value[:, 0])
    got = np.concatenate([_numpy(grad_vec), _numpy(grad_act)], axis=-1)[owed]
    want = np.concatenate([values.grad_vec, values.grad_action], axis=-1)[owed]
    rounding = _gradient_rounding(name, ref, vec, actions, dtype)[owed]
    shown = {"vec": vec[owed], "actions": actions[owed]}
    _assert_gradients(name, got, want, rounding, dtype, shown)
    # With vec frozen (no gradient recorded for the parameters) the action's gradient is the
    # same arithmetic, so the same floats: a backward that skips it there is caught.
    frozen_act = act_t.detach().requires_grad_()
    frozen = case.drawn_distribution(impl, params, vec_t.detach()).log_prob(frozen_act)
    (frozen_grad,) = torch.autograd.grad(frozen.sum(), frozen_act)
    assert_within(
        name,
        "d log_prob/d action with vec frozen, against it with vec differentiated",
        _numpy(frozen_grad),
        _numpy(grad_act),
        0.0,
        {"vec": vec, "actions": actions},
    )


CATEGORICAL_ROWS = {s.name: s.vec for s in BOUNDARY_SETTINGS["Discrete"]}
BINARY_ROWS = {s.name: s.vec for s in BOUNDARY_SETTINGS["Multibinary"]}


@pytest.mark.parametrize("row", list(CATEGORICAL_ROWS.values()), ids=list(CATEGORICAL_ROWS))
@pytest.mark.parametrize("name", ["Discrete", "DiscreteLikeContinuous"])
def test_categorical_outputs_agree_with_the_arbiter(
    impl: types.ModuleType,
    name: str,
    row: Sequence[float],
    dtype: torch.dtype,
    device: torch.device,
) -> None:
    """log_prob of every class (one-hot actions for the wrapper) and the entropy within their
    16 max(eps S, ulp) budgets, the log_prob gradient within GRAD, probs within 8 ulps; the
    wrapper's exact values are the wrapped Discrete's (arbiter.discrete)."""
    case = CASES_BY_NAME[name]
    params = _setting_params(BOUNDARY_KWARGS[name], row, dtype)
    d = len(row)
    vec = np.broadcast_to(params.vec, (d, d)).copy()
    vec_t = torch.tensor(vec, dtype=dtype, device=device, requires_grad=True)
    dist = case.drawn_distribution(impl, params, vec_t)
    index = np.arange(d)
    actions = (
        torch.tensor(index, device=device)
        if name == "Discrete"
        else torch.eye(d, dtype=dtype, device=device)
    )
    log_prob = dist.log_prob(actions)
    (grad,) = torch.autograd.grad(log_prob.sum(), vec_t, retain_graph=True)
    ref = case.drawn_reference(params)
    np_dtype = numpy_dtype(dtype)
    exact = arbiter.sweep(
        arbiter.discrete.log_prob, ref, vec, index.reshape(-1, 1), dtype=np_dtype
    ).float64()
    tolerance = error_model.cond_tolerance(name, "log_prob", exact.value, exact.cond, dtype, False)
    got = _numpy(log_prob).reshape(d, 1)
    assert_within(name, "log_prob", got, exact.value, tolerance, {"vec": vec, "class": index})
    no_rounding = np.zeros_like(exact.grad_vec)
    _assert_gradients(name, _numpy(grad), exact.grad_vec, no_rounding, dtype, {"vec": vec})
    entropy = arbiter.sweep(arbiter.discrete.entropy, ref, vec[:1], dtype=np_dtype).float64()
    tolerance = error_model.cond_tolerance(
        name, "entropy", entropy.value, entropy.cond, dtype, False
    )
    got = _numpy(dist.entropy())[:1].reshape(1, 1)
    assert_within(name, "entropy", got, entropy.value, tolerance, {"vec": vec[:1]})
    probs = arbiter.sweep(arbiter.discrete.probs, ref, vec[:1], dtype=np_dtype).float64().value
    units = error_model.probs_ulps(name, ref, vec[:1], dtype)
    tolerance = units * error_model.ulp(probs, dtype)
    assert_within(name, "probs", _numpy(dist.probs)[:1], probs, tolerance, {"vec": vec[:1]})


@pytest.mark.parametrize("row", list(BINARY_ROWS.values()), ids=list(BINARY_ROWS))
def test_multibinary_agrees_with_the_arbiter(
    impl: types.ModuleType, row: Sequence[float], dtype: torch.dtype, device: torch.device
) -> None:
    """log_prob of 0 and 1 and the entropy within 16 max(eps S, ulp), S = |value| (one term);
    the gradient within GRAD; probs within SIGMOID_ULPS."""
    case = CASES_BY_NAME["Multibinary"]
    params = _setting_params(BOUNDARY_KWARGS["Multibinary"], row, dtype)
    vec = np.broadcast_to(params.vec, (2, 5)).copy()
    vec_t = torch.tensor(vec, dtype=dtype, device=device, requires_grad=True)
    dist = case.drawn_distribution(impl, params, vec_t)
    outcomes = np.stack([np.zeros(5), np.ones(5)])
    log_prob = dist.log_prob(torch.tensor(outcomes, dtype=dtype, device=device))
    (grad,) = torch.autograd.grad(log_prob.sum(), vec_t)
    ref = case.drawn_reference(params)
    np_dtype = numpy_dtype(dtype)
    exact = arbiter.sweep(
        arbiter.multibinary.log_prob, ref, vec, outcomes, dtype=np_dtype
    ).float64()
    tolerance = error_model.cond_tolerance(
        "Multibinary", "log_prob", exact.value, exact.cond, dtype, False
    )
    inputs = {"vec": vec, "outcomes": outcomes}
    assert_within("Multibinary", "log_prob", _numpy(log_prob), exact.value, tolerance, inputs)
    no_rounding = np.zeros_like(exact.grad_vec)
    inputs = {"vec": vec, "outcomes": outcomes}
    _assert_gradients("Multibinary", _numpy(grad), exact.grad_vec, no_rounding, dtype, inputs)
    entropy = arbiter.sweep(arbiter.multibinary.entropy, ref, vec[:1], dtype=np_dtype).float64()
    tolerance = error_model.cond_tolerance(
        "Multibinary", "entropy", entropy.value, entropy.cond, dtype, False
    )
    got = _numpy(dist.entropy())[:1]
    assert_within("Multibinary", "entropy", got, entropy.value, tolerance, {"vec": vec[:1]})
    probs = arbiter.sweep(arbiter.multibinary.probs, ref, vec[:1], dtype=np_dtype).float64().value
    units = error_model.budget("Multibinary", "probs", dtype).units
    tolerance = units * error_model.ulp(probs, dtype)
    got = _numpy(dist.probs)[:1]
    assert_within("Multibinary", "probs", got, probs, tolerance, {"vec": vec[:1]})


@pytest.mark.extension("beta_entropy")
@pytest.mark.parametrize(
    ("kwargs", "row"),
    [pytest.param(BOUNDARY_KWARGS["Beta"], s.vec, id=s.name) for s in BOUNDARY_SETTINGS["Beta"]],
)
def test_beta_entropy_agrees_with_the_arbiter(
    impl: types.ModuleType,
    kwargs: Mapping,
    row: Sequence[float],
    dtype: torch.dtype,
    device: torch.device,
) -> None:
    case = CASES_BY_NAME["Beta"]
    params = _setting_params(kwargs, row, dtype)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    exact = arbiter.sweep(
        arbiter.beta.entropy, case.drawn_reference(params), params.vec, dtype=numpy_dtype(dtype)
    ).float64()
    tolerance = error_model.cond_tolerance("Beta", "entropy", exact.value, exact.cond, dtype, False)
    inputs = {"vec": params.vec}
    assert_within("Beta", "entropy", _numpy(dist.entropy()), exact.value, tolerance, inputs)


# ---- the condition sums used above are the arbiter's ----

ARBITER_COND = {
    "TanhGaussian": (arbiter.tanh_gaussian.log_prob, error_model.tanh_gaussian_cond),
    "GMM": (arbiter.gmm.log_prob, error_model.gmm_cond),
    "Beta": (arbiter.beta.log_prob, error_model.beta_cond),
}


@pytest.mark.parametrize("name", sorted(ARBITER_COND))
def test_condition_sums_match_the_arbiters(name: str, dtype: torch.dtype) -> None:
    """error_model's float64 condition sums against the arbiter's exact ones at random
    points: relative 1e-9 (a float64 evaluation of a sum of positive magnitudes; the digamma
    differences inside a Beta slope lose at most a few digits where that slope is small
    relative to the other terms)."""
    case = CASES_BY_NAME[name]
    rng = np.random.default_rng(7)
    kwargs = {"d_action": 1, "gmm_modes": 2} if name == "GMM" else {"d_action": 1}
    n = case.reference(kwargs).input_dimension
    vec = np.asarray(rng.normal(0, 3, (8, n)), dtype=numpy_dtype(dtype)).astype(np.float64)
    actions = np.asarray(rng.uniform(-1, 1, (8, 1)), dtype=numpy_dtype(dtype)).astype(np.float64)
    point, ours = ARBITER_COND[name]
    ref = case.reference(kwargs)
    exact = arbiter.sweep(point, ref, vec, actions, dtype=numpy_dtype(dtype)).float64()
    np.testing.assert_allclose(ours(ref, vec, actions, dtype), exact.cond, rtol=1e-9)


def test_discrete_condition_sums_match_the_arbiters(dtype: torch.dtype) -> None:
    ref = reference.Discrete(6)
    rng = np.random.default_rng(8)
    vec = np.asarray(rng.normal(0, 5, (8, 6)), dtype=numpy_dtype(dtype)).astype(np.float64)
    index = rng.integers(0, 6, 8)
    exact = arbiter.sweep(
        arbiter.discrete.log_prob, ref, vec, index.reshape(-1, 1), dtype=numpy_dtype(dtype)
    )
    np.testing.assert_allclose(
        error_model.discrete_cond(ref, vec, index, dtype), exact.float64().cond[:, 0], rtol=1e-9
    )
    entropy = arbiter.sweep(arbiter.discrete.entropy, ref, vec, dtype=numpy_dtype(dtype))
    np.testing.assert_allclose(
        error_model.discrete_entropy_cond(ref, vec, dtype), entropy.float64().cond[:, 0], rtol=1e-9
    )
    beta = reference.Beta(2)
    entropy = arbiter.sweep(arbiter.beta.entropy, beta, vec[:, :4], dtype=numpy_dtype(dtype))
    np.testing.assert_allclose(
        error_model.beta_entropy_cond(beta, vec[:, :4], dtype), entropy.float64().cond, rtol=1e-9
    )
