"""The reference's value of log_prob, mean and entropy for drawn parameters, with the condition
sum S (or the tolerance) of error_model that goes with it; shared by the agreement and the
device tests."""

from __future__ import annotations

import numpy as np
import torch

from policy_dists_catalogue import error_model
from property_tests.registry import OutputCase, reference_wrapper
from property_tests.strategies import Params, numpy_dtype


def reference_log_prob(
    case: OutputCase, params: Params, actions: np.ndarray, dtype: torch.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """(the reference's log_prob, its condition sum S)."""
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    vec = params.vec
    if case.name == "TanhGaussian":
        return ref.log_prob(vec, actions, np_dtype), error_model.tanh_gaussian_cond(
            ref, vec, actions, dtype
        )
    if case.name == "GMM":
        return ref.log_prob(vec, actions, np_dtype), error_model.gmm_cond(ref, vec, actions, dtype)
    if case.name == "Beta":
        return ref.log_prob(vec, actions, np_dtype), error_model.beta_cond(ref, vec, actions, dtype)
    if case.name == "Discrete":
        return ref.log_prob(vec, actions, np_dtype), error_model.discrete_cond(
            ref, vec, actions, dtype
        )
    if case.name == "DiscreteLikeContinuous":
        index = np.argmax(actions, axis=-1)
        # log r_k of the wrapped Discrete: its condition sum is the Discrete's.
        want = reference_wrapper(ref, params, dtype).log_prob(actions)
        return want, error_model.discrete_cond(ref, vec, index, dtype)
    want = ref.log_prob(vec, actions, np_dtype)  # Multibinary: one term, S = |value|
    return want, np.abs(want)


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
    np_dtype = numpy_dtype(dtype)
    ref = case.drawn_reference(params)
    if case.name == "Beta":
        return ref.entropy(params.vec, np_dtype), error_model.beta_entropy_cond(
            ref, params.vec, dtype
        )
    if case.name == "Multibinary":
        want = ref.entropy(params.vec, np_dtype)
        return want, error_model.multibinary_entropy_cond(params.vec, want, dtype)
    # Discrete, and DiscreteLikeContinuous whose entropy is its Discrete's
    return ref.entropy(params.vec, np_dtype), error_model.discrete_entropy_cond(
        ref, params.vec, dtype
    )
