"""The reference's value of log_prob, mean and entropy for drawn parameters, with the condition
sum S (or the tolerance) of error_model that goes with it; shared by the agreement and the
device tests."""

from __future__ import annotations

import numpy as np
import torch

from policy_dists_catalogue import error_model
from policy_dists_suite.property_tests.registry import OutputCase, reference_wrapper
from policy_dists_suite.property_tests.strategies import Params, numpy_dtype


def reference_log_prob(
    case: OutputCase, params: Params, actions: np.ndarray, dtype: torch.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """(the reference's log_prob, its condition sum S)."""
    ref = case.drawn_reference(params)
    cond = case.adapter.log_prob_cond(ref, params.vec, actions, dtype)
    if case.adapter.wrapped:
        return reference_wrapper(ref, params, dtype).log_prob(actions), cond
    return ref.log_prob(params.vec, actions, numpy_dtype(dtype)), cond


def reference_mean(
    case: OutputCase, params: Params, dtype: torch.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """(the reference's mean, the tolerance of error_model's mean budget for this output)."""
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    want = ref.mean(params.vec, np_dtype)
    units = error_model.budget(case.name, "mean", dtype).units
    e = error_model.eps(dtype)
    ulps = units * error_model.ulp(want, dtype) + error_model.REFERENCE.units * error_model.ulp(
        want, torch.float64
    )
    if case.name == "GMM":
        p = ref.params(params.vec, np_dtype)
        spread = (np.exp(p.log_weights)[..., None] * np.abs(p.means)).sum(-2)
        tanh_ulps = error_model.TANH_ULPS.units * error_model.ulp(want, dtype)
        reference_part = error_model.REFERENCE.units * error_model.EPS64 * (1 + spread)
        return want, units * e * (1 - want**2) * spread + tanh_ulps + reference_part
    if case.name == "Beta":
        return want, units * (e + error_model.EPS64)
    return want, ulps


def reference_entropy(
    case: OutputCase, params: Params, dtype: torch.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """(the reference's entropy, its condition sum S); DiscreteLikeContinuous's entropy is
    its Discrete's."""
    ref = case.drawn_reference(params)
    want = ref.entropy(params.vec, numpy_dtype(dtype))
    return want, case.adapter.entropy_cond(ref, params.vec, dtype)


CATEGORICAL = ("Discrete", "DiscreteLikeContinuous")


def logits_rounding(
    case: OutputCase, params: Params, actions: np.ndarray | None, exact: bool
) -> np.ndarray | float:
    """The part of S that the rounding of the logits themselves adds
    (error_model.categorical_input_cond): 0 for a non-categorical output or an implementation
    with the exact_categorical_normalization extension; else at the scored classes (indices,
    or the argmax of one-hot / soft actions), every class when `actions` is None."""
    if exact or case.name not in CATEGORICAL:
        return 0.0
    if actions is None:
        return error_model.categorical_input_cond(params.vec)
    index = actions.argmax(-1) if case.name == "DiscreteLikeContinuous" else actions
    vec = np.broadcast_to(params.vec, (*np.shape(index), params.vec.shape[-1]))
    return error_model.categorical_input_cond(vec, np.asarray(index, dtype=np.int64))


def entropy_logits_rounding(case: OutputCase, params: Params, exact: bool) -> np.ndarray | float:
    """logits_rounding for the entropy (error_model.categorical_entropy_input_cond)."""
    if exact or case.name not in CATEGORICAL:
        return 0.0
    return error_model.categorical_entropy_input_cond(params.vec)
