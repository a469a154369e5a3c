"""Exact golden values from the mpmath arbiter: each case's values y* and condition scales S.

Continuous log_prob cases take the action as given when it lies in [-1, 1]; an action beyond
±1 is scored at ±1, whose clamp to the clip bound gives the log-density at the bound (SPEC
§4: beyond the clip bound log_prob equals the log_prob at the bound).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

import policy_dists_reference as reference
from policy_dists_catalogue import gmm_blocks
from policy_dists_catalogue.adapters import ADAPTERS, OutputAdapter
from policy_dists_catalogue.error_model import NORMALIZING_SUMS
from policy_dists_reference import arbiter
from policy_dists_reference.activations import PositiveParameter
from policy_dists_reference.arbiter.activations import positive_parameter
from policy_dists_reference.arbiter.elementary import logsumexp
from policy_dists_suite.golden.cases import NUMPY_DTYPES, Case, OutputSpec, split_config
from policy_dists_suite.golden.error_model import K

# (value y*, scale S) for each value of a case.
Exact = list[tuple[mpmath.mpf, mpmath.mpf]]


def activation_parameter(kwargs: Mapping[str, Any]) -> PositiveParameter:
    """The reference's configured activation of an activations config."""
    return PositiveParameter.configured(
        kwargs["activation"], kwargs["low"], kwargs["high"], ("activation", "low", "high")
    )


def _with_cond(result: arbiter.Exact) -> Exact:
    return list(zip(result.value, result.cond, strict=True))


def _relative(result: arbiter.Exact) -> Exact:
    return [(v, abs(v)) for v in result.value]


def _inside(action: tuple[float, ...]) -> np.ndarray:
    return np.clip(np.asarray(action, np.float64), -1.0, 1.0)


def _gmm_mean_scales(output: reference.GMM, vec: np.ndarray, dtype: type) -> Exact:
    means, _, mode_logits = gmm_blocks(vec, output.gmm_modes, output.d_action)
    logits = [mpmath.mpf(float(v)) for v in mode_logits]
    log_weights = [logit - logsumexp(logits) for logit in logits]
    exact = []
    for j, y in enumerate(arbiter.gmm.mean(output, vec, dtype).value):
        spread = mp.fsum(
            mp.exp(lw) * abs(mpmath.mpf(float(means[m, j]))) * (2 + abs(lw))
            for m, lw in enumerate(log_weights)
        )
        exact.append((y, abs(y) + (1 - y * y) * spread))
    return exact


def _beta_mean_scales(output: reference.Beta, vec: np.ndarray, dtype: type) -> Exact:
    d = output.d_action
    exact = []
    for j, y in enumerate(arbiter.beta.mean(output, vec, dtype).value):
        alpha, _, c_alpha = positive_parameter(output.alpha, mpmath.mpf(float(vec[j])), dtype)
        beta, _, c_beta = positive_parameter(output.beta, mpmath.mpf(float(vec[d + j])), dtype)
        total = alpha + beta
        scale = 2 * alpha / total + 1 + 2 * alpha * beta * (c_alpha + c_beta) / total**2
        exact.append((y, scale))
    return exact


# The means whose S is not |y*| (error_model.SCALES says why).
_MEAN_SCALES: dict[str, Callable[[Any, np.ndarray, type], Exact]] = {
    "GMM": _gmm_mean_scales,
    "Beta": _beta_mean_scales,
}


def _continuous(
    adapter: OutputAdapter, kwargs: Mapping[str, Any], case: Case, vec: np.ndarray, dtype: type
) -> Exact:
    output = adapter.reference(kwargs)
    if case.quantity == "log_prob":
        return _with_cond(adapter.arbiter.log_prob(output, vec, _inside(case.action), dtype))
    if case.quantity == "entropy":
        return _with_cond(adapter.arbiter.entropy(output, vec, dtype))
    if adapter.name in _MEAN_SCALES:
        return _MEAN_SCALES[adapter.name](output, vec, dtype)
    return _relative(adapter.arbiter.mean(output, vec, dtype))


def _categorical(
    adapter: OutputAdapter, kwargs: Mapping[str, Any], case: Case, vec: np.ndarray, dtype: type
) -> Exact:
    """Discrete's categorical r; DiscreteLikeContinuous configs wrap a Discrete config.

    S is the arbiter's condition sum plus the normalizers' d-term sums (error_model.SCALES):
    each sum of d positive terms is off by <= (d - 1) u relative in any order (u = eps/2), an
    absolute (d - 1) u in log r_k, where K's count allows one rounding; with `sums` of them
    (NORMALIZING_SUMS), S_k += sums (d - 1) / (2 K) makes K eps S_k grow by sums (d - 1) u.
    The entropy -sum r_k log r_k moves by <= sum_k r_k |1 + log r_k| times that (<= (1 + H)
    of it), and its own d-term sum of positive terms adds (d - 1) u H.
    """
    output_kwargs, _ = split_config(adapter, kwargs)
    output = adapter.reference(output_kwargs)
    per_sum = mpmath.mpf(output.d_action - 1) / (2 * K)
    sums = NORMALIZING_SUMS[adapter.name]
    if case.quantity == "entropy":
        result = arbiter.discrete.entropy(output, vec, dtype)
        entropy, cond = result.value[0], result.cond[0]
        return [(entropy, cond + per_sum * (sums * (1 + abs(entropy)) + abs(entropy)))]
    classes = range(output.d_action) if case.action is None else [int(k) for k in case.action]
    per_class = [arbiter.discrete.log_prob(output, vec, np.array(k), dtype) for k in classes]
    log_r = [(result.value[0], result.cond[0] + sums * per_sum) for result in per_class]
    if case.quantity == "probs":
        return [(mp.exp(value), mp.exp(value) * cond) for value, cond in log_r]
    return log_r  # log_prob of each class, and logits = log r


def _binary(
    adapter: OutputAdapter, kwargs: Mapping[str, Any], case: Case, vec: np.ndarray, dtype: type
) -> Exact:
    output = adapter.reference(kwargs)
    module = adapter.arbiter
    if case.quantity == "log_prob":
        return _with_cond(module.log_prob(output, vec, np.asarray(case.action, int), dtype))
    if case.quantity == "entropy":
        return _with_cond(module.entropy(output, vec, dtype))
    return _relative(module.probs(output, vec, dtype))


def _activations(kwargs: Mapping[str, Any], vec: np.ndarray, dtype: type) -> Exact:
    parameter = activation_parameter(kwargs)
    exact = []
    for x in vec:
        value, _, condition = positive_parameter(parameter, mpmath.mpf(float(x)), dtype)
        exact.append((value, abs(value) * condition))
    return exact


# How each kind of output's exact values are found.
_BY_KIND: dict[str, Callable[[OutputAdapter, Mapping[str, Any], Case, np.ndarray, type], Exact]] = {
    "continuous": _continuous,
    "discrete": _categorical,
    "one_hot": _categorical,
    "binary": _binary,
}


def exact_values(spec: OutputSpec, case: Case) -> Exact:
    """(y*, S) for every value of `case`, at its dtype-rounded inputs, to >= 50 digits."""
    vec = np.asarray(spec.vecs(case.dtype)[case.vec], np.float64)
    kwargs, dtype = spec.configs[case.config], NUMPY_DTYPES[case.dtype]
    with mp.workdps(arbiter.DIGITS):
        if spec.name == "activations":
            return _activations(kwargs, vec, dtype)
        adapter = ADAPTERS[spec.name]
        return _BY_KIND[adapter.kind](adapter, kwargs, case, vec, dtype)
