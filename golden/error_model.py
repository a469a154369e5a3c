"""The error model every golden value is checked with (SPEC §7), and its tolerances.

A value y computed in dtype t (eps_t its machine epsilon, ulp_t its spacing) passes when

    |y - y*| <= K max(eps_t S, ulp_t(y*)) + ulp_64(y*) / 2,

with y* the exact value (the mpmath arbiter at >= 50 digits, at the dtype-rounded inputs),
S the value's condition scale (SCALES), and the last term the rounding of y* to the float64
stored in the fixture. The ulp floor is there because no result beats correct rounding,
which matters where S underflows. A non-finite y* (a log-density's -inf limit at |a| = 1) must
be matched exactly.

K = 16, the project's budget model (audit/policy_dists_audit/budget.json, "log_prob_cond"):
each value is at most 12 rounded operations, each off by <= eps/2 relative to a term counted
in S (6); the activation's output (std, alpha, beta) carries <= 3 eps relative error, which
moves the terms depending on it by <= 6 eps S; and up to 4 library calls (exp, log1p, lgamma,
tanh) add <= 1 ulp each (4). The numpy reference, evaluated in float64 at the same inputs, is
held to the same K with t = float64 (reference/tests/test_reference_vs_arbiter.py: at most 8
rounded operations per term, numpy/scipy within 2 ulp: 8 x 2 = 16).
"""

from __future__ import annotations

import math

import numpy as np

from golden.cases import NUMPY_DTYPES

K = 16

FORMULA = "|y - y*| <= K max(eps_t S, ulp_t(y*)) + ulp_64(y*)/2; non-finite y* exactly"

K_MODEL = (
    "K = 16 = 6 + 6 + 4: <= 12 rounded operations each within eps/2 of a term counted in S; "
    "the activation's <= 3 eps relative error moves the terms depending on it by <= 6 eps S; "
    "<= 4 library calls within 1 ulp (audit/policy_dists_audit/budget.json). The float64 "
    "reference: <= 8 roundings per term, numpy/scipy within 2 ulp: 16 "
    "(reference/tests/test_reference_vs_arbiter.py)."
)

_LOG_DENSITY = "the arbiter's condition sum of SPEC §7 (the magnitudes of the formula's terms)"

# A categorical's normalizers are sums of d positive terms: in any order each is off by
# <= (d - 1) u relative (u = eps/2), an absolute (d - 1) u in log r_k, where K's count of
# roundings allows one. S adds that for every normalizer a categorical may have (golden/
# expected.py): softmax's, the clip's renormalization, torch Categorical's own of probs
# (upstream builds one), and for DiscreteLikeContinuous its logits' renormalization.
_SUMS = (
    ", plus {n} (d - 1) / (2 K) for {n} normalizing d-term sums (K eps times it is {n} (d - 1) u)"
)
_ENTROPY_SUMS = (
    ", plus ({n} (1 + H) + H) (d - 1) / (2 K): log r_k's {n} (d - 1) u moves -sum r_k log r_k "
    "by <= (1 + H) times it, and the entropy's own d-term sum adds (d - 1) u H"
)

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
        "log_prob": _LOG_DENSITY + " of log r_k" + _SUMS.format(n=3),
        "log_prob_of_classes": "as log_prob",
        "entropy": _LOG_DENSITY + _ENTROPY_SUMS.format(n=3),
        "probs": "r_k S_k, S_k the condition scale of log r_k: exp turns log r_k's absolute "
        "error into relative error of r_k",
        "logits": "S_k, the condition scale of log r_k",
    },
    "DiscreteLikeContinuous": {
        "log_prob": _LOG_DENSITY + " of log r_k" + _SUMS.format(n=4),
        "entropy": _LOG_DENSITY + _ENTROPY_SUMS.format(n=4),
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
