"""The error model every golden value is checked with (SPEC §7), and its tolerances.

A value y computed in dtype t (eps_t its machine epsilon, ulp_t its spacing) passes when

    |y - y*| <= K max(eps_t S, ulp_t(y*)) + ulp_64(y*) / 2,

with y* the exact value (the mpmath arbiter at >= 50 digits, at the dtype-rounded inputs),
S the value's condition scale (SCALES), and the last term the rounding of y* to the float64
stored in the fixture. The ulp floor is there because no result beats correct rounding,
which matters where S underflows. A non-finite y* (a log-density's -inf limit at |a| = 1) must
be matched exactly.

K is the project's log-density budget (policy_dists_catalogue.error_model.LOG_PROB, which
states its derivation); the numpy reference, evaluated in float64 at the same inputs, is held
to the REFERENCE budget with t = float64, the same number.
"""

from __future__ import annotations

import math

import numpy as np

from policy_dists_catalogue.error_model import LOG_PROB, NORMALIZING_SUMS, REFERENCE
from policy_dists_suite.golden.cases import NUMPY_DTYPES

K = LOG_PROB.units

FORMULA = "|y - y*| <= K max(eps_t S, ulp_t(y*)) + ulp_64(y*)/2; non-finite y* exactly"

K_MODEL = f"K = {LOG_PROB.model} The float64 reference: {REFERENCE.model}"

_LOG_DENSITY = "the arbiter's condition sum of SPEC §7 (the magnitudes of the formula's terms)"

# Each of a categorical's normalizing d-term sums (NORMALIZING_SUMS) is off by <= (d - 1) u
# relative (u = eps/2), an absolute (d - 1) u in log r_k, where K's count of roundings allows
# one: S adds the difference (golden/expected.py).
_SUMS = (
    ", plus {n} (d - 1) / (2 K) for {n} normalizing d-term sums (K eps times it is {n} (d - 1) u)"
)
_ENTROPY_SUMS = (
    ", plus ({n} (1 + H) + H) (d - 1) / (2 K): log r_k's {n} (d - 1) u moves -sum r_k log r_k "
    "by <= (1 + H) times it, and the entropy's own d-term sum adds (d - 1) u H"
)

_DISCRETE_SUMS = NORMALIZING_SUMS["Discrete"]
_WRAPPED_SUMS = NORMALIZING_SUMS["DiscreteLikeContinuous"]

# S, per output and quantity: what rounding of the inputs to each operation can move.
SCALES: dict[str, dict[str, str]] = {
    "TanhGaussian": {
        "log_prob": _LOG_DENSITY,
        "mean": "|y*|: one tanh of the exact input mu",
    },
    "GMM": {
        "log_prob": _LOG_DENSITY,
        "mean": "|y*| + (1 - y*^2) sum_m w_m |mu_m| (2 + |log w_m|): the weights carry relative "
        "error eps (1 + |log w_m|) from the softmax, the weighted sum one more eps, and tanh "
        "scales the argument's error by 1 - y^2",
    },
    "Beta": {
        "log_prob": _LOG_DENSITY,
        "entropy": _LOG_DENSITY,
        "mean": "2 alpha/(alpha+beta) + 1 + 2 alpha beta (C_alpha + C_beta)/(alpha+beta)^2: the "
        "terms of 2 alpha/(alpha+beta) - 1, plus its sensitivity to log alpha and log beta "
        "times the activations' relative conditions C (arbiter: 1 for softplus, |log low| + "
        "|interpolated part| for tanh_bounded_positive)",
    },
    "Discrete": {
        "log_prob": _LOG_DENSITY + " of log r_k" + _SUMS.format(n=_DISCRETE_SUMS),
        "log_prob_of_classes": "as log_prob",
        "entropy": _LOG_DENSITY + _ENTROPY_SUMS.format(n=_DISCRETE_SUMS),
        "probs": "r_k S_k, S_k the condition scale of log r_k: exp turns log r_k's absolute "
        "error into relative error of r_k",
        "logits": "S_k, the condition scale of log r_k",
    },
    "DiscreteLikeContinuous": {
        "log_prob": _LOG_DENSITY + " of log r_k" + _SUMS.format(n=_WRAPPED_SUMS),
        "entropy": _LOG_DENSITY + _ENTROPY_SUMS.format(n=_WRAPPED_SUMS),
        "probs": "r_k S_k, S_k the condition scale of log r_k",
        "logits": "S_k, the condition scale of log r_k",
    },
    "Multibinary": {
        "log_prob": _LOG_DENSITY + " (one term: |y*|)",
        "entropy": _LOG_DENSITY + " (positive terms: y*)",
        "mean": "|y*|: sigmoid of the exact input, exp, one sum and one division",
    },
    "activations": {
        "value": "|y*| C, C the activation's relative condition (arbiter): 1 for softplus "
        "(positive terms), |log low| + |interpolated part| for tanh_bounded_positive (exp "
        "turns the log-space terms' absolute error into relative error)",
    },
}


def ulp(value: float, dtype: str) -> float:
    """The spacing of `dtype` numbers at |value| (the smallest subnormal at 0)."""
    return float(np.spacing(NUMPY_DTYPES[dtype](abs(value))))


def tolerance(expected: float, scale: float, dtype: str) -> float:
    """K max(eps_t S, ulp_t(y*)) + ulp_64(y*)/2 for y* = expected; 0 for a non-finite y*."""
    if not math.isfinite(expected):
        return 0.0
    eps = float(np.finfo(NUMPY_DTYPES[dtype]).eps)
    return K * max(eps * scale, ulp(expected, dtype)) + ulp(expected, "float64") / 2


def describe(output: str) -> dict[str, object]:
    """The error model as written into `output`'s fixture file."""
    return {
        "formula": FORMULA,
        "K": K,
        "K_model": K_MODEL,
        "eps": {dtype: float(np.finfo(kind).eps) for dtype, kind in NUMPY_DTYPES.items()},
        "tol": "K max(eps_t S, ulp_t(y*)) + ulp_64(y*)/2 with t the case's dtype (the "
        "implementation under test)",
        "tol_reference": "the same with t = float64 (the numpy reference, evaluated in "
        "float64 at the case's dtype-rounded inputs)",
        "scale": SCALES[output],
    }
