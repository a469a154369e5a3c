"""The error model of SPEC §7, in one place: every budget with its derivation, the units
(eps, ulp), and the condition sums S of every log-density and entropy, evaluated in float64
numpy from the reference's parameters.

A value y computed in dtype t is within budget B when |y - y*| <= B max(eps_t S, ulp_t(y*)):
eps_t is the machine epsilon of t, S the sum of the magnitudes of the terms of the formula
(plus, for a parameter an activation computes, the value's sensitivity to its log times the
activation's relative condition), and the ulp floor because no result can beat correct
rounding. The property suite's tolerances, the golden fixtures' K and the audit's default
budget all read their numbers from here.

The mpmath arbiter (policy_dists_reference.arbiter) evaluates the same S at high precision for
the golden values and the audit; `property_tests/test_property_reference_agreement` checks
that these float64 sums match it. Dtypes are numpy dtype-likes or torch dtypes (by name: this
module does not import torch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import digamma, expit, log_softmax, logsumexp, polygamma, softmax

import policy_dists_reference as reference
from policy_dists_catalogue.outputs import gmm_blocks
from policy_dists_reference.activations import PositiveParameter, biased_softplus_shift
from policy_dists_reference.special import log_beta
from policy_dists_reference.tanh_squash import log_cosh, log_one_minus_square

EPS64 = float(np.finfo(np.float64).eps)
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
LOG_2 = math.log(2.0)


@dataclass(frozen=True)
class Budget:
    """A tolerance in units of eps (or of ulps) and the error model it comes from."""

    units: float
    model: str


# ---- the budget table (TFP style: defaults per quantity, overrides per output and dtype) ----

LOG_PROB = Budget(
    16,
    "16 = 6 + 6 + 4. A log-density here is at most 12 rounded operations, each off by "
    "<= eps/2 relative to a term counted in S (6); the activation's output (std, alpha, beta) "
    "carries <= 3 eps relative error, which moves the terms that depend on it by <= 6 eps S "
    "(through z^2 = 2 x 3 eps, or (alpha - 1) log x); and up to 4 library calls (log1p, "
    "lgamma, exp, tanh) add <= 1 ulp each (4).",
)
ENTROPY = Budget(
    16,
    "16, by the same count as LOG_PROB: entropies are sums of at most 12 rounded terms of the "
    "same kinds.",
)
GRAD = Budget(
    32,
    "32 = 2 x 16: reverse mode adds one rounded product per forward operation (incoming "
    "gradient times local derivative), so the forward budget's operation count doubles. "
    "Mixed normwise: max_i |g_i - g*_i| / (eps max(1, max_i |g*_i|)) over the gradient with "
    "respect to vec and the action.",
)
PROBS_ULPS = Budget(
    8,
    "8 ulps of each probability. Discrete forms r = q / sum(q), q = clamp(softmax(vec), low, "
    "high): the 8 are the roundings that depend neither on the logits nor on d: exp (1 ulp), "
    "softmax's division and the renormalizing one (1/2 ulp each) and the final rounding, with "
    "margin; the clamp is exact. categorical_probs_ulps adds the roundings of the normalizing "
    "sums ((d - 1) ulps each, NORMALIZING_SUMS) and of the logit differences (|vec_k - max "
    "vec| ulps, and their weighted means inherited through the normalizers); the audit's "
    "flat budget leaves those out (measured maximum at its settings: 1.6 ulps).",
)
SIGMOID_ULPS = Budget(
    8,
    "ulps: sigmoid(x) = 1/(1 + e^-x) is exp, add, divide (<= 3 roundings + 1 ulp of exp); "
    "kept at PROBS_ULPS for one probability budget across outputs.",
)
TANH_ULPS = Budget(
    4,
    "ulps: tanh of an exact input, one library call (<= 2 ulps on CPU and CUDA) plus the "
    "rounding of its result; TanhGaussian's mean tanh(mu) has no other operation.",
)
MIXTURE_MEAN = Budget(
    16,
    "in eps * (1 - y^2) * sum_m w_m |mu_m| + TANH_ULPS: GMM's mean tanh(sum_m w_m mu_m); "
    "each weight carries <= 3 roundings (softmax) and the M-term sum <= M more, relative to "
    "sum_m w_m |mu_m| (M <= 3 here: <= 6 + 3 + margin for the product, 16), and tanh scales "
    "an input error by 1 - y^2.",
)
RATIO_MEAN = Budget(
    16,
    "in eps, absolute: Beta's mean (alpha - beta)/(alpha + beta) lies in [-1, 1]; alpha and "
    "beta carry <= 3 eps relative error each (activation), which moves the mean by <= "
    "2 alpha beta (6 eps)/(alpha + beta)^2 <= 3 eps; the subtraction, sum and division add "
    "<= 3 eps/2 relative to |terms|/(alpha+beta) <= 1 (16 keeps the audit's margin).",
)
ACTIVATION = Budget(
    16,
    "in eps * the activation's relative condition, relative: softplus(x) + low is a sum of "
    "two positive terms (condition 1; softplus is log1p(exp) or the identity switch, whose "
    "float32 error e^-20 = 2e-9 < eps32 x 20); tanh_bounded_positive is exp(L) with L's "
    "terms |log low| + |(log high - log low)(tanh x + 1)/2| (the arbiter's condition).",
)

# A comparison against the numpy reference (float64) adds REFERENCE.units * max(eps64 S,
# ulp64(y*)); the arbiter's comparisons add nothing.
REFERENCE = Budget(
    16,
    "16 in float64 units for the numpy reference: at most 8 rounded operations per term, "
    "numpy/scipy within 2 ulp: 8 x 2 (reference/tests/test_reference_vs_arbiter.py).",
)

# A categorical's normalizers are sums of d positive terms; in any order each is off by
# <= (d - 1) eps/2 relative. How many an implementation of the API may hold: softmax's, the
# clip's renormalization, torch Categorical(probs=...)'s own; DiscreteLikeContinuous
# renormalizes its logits once more.
NORMALIZING_SUMS: dict[str, int] = {"Discrete": 3, "DiscreteLikeContinuous": 4}

DEFAULTS: dict[str, Budget] = {
    "log_prob": LOG_PROB,
    "entropy": ENTROPY,
    "grad": GRAD,
    "probs": PROBS_ULPS,
    "activation": ACTIVATION,
}
# (output, quantity) -> budget, where the output's formula is not the quantity's default.
OVERRIDES: dict[tuple[str, str], Budget] = {
    ("Multibinary", "probs"): SIGMOID_ULPS,  # sigmoid, not a clipped softmax
    ("TanhGaussian", "mean"): TANH_ULPS,
    ("GMM", "mean"): MIXTURE_MEAN,
    ("Beta", "mean"): RATIO_MEAN,
    ("Multibinary", "mean"): SIGMOID_ULPS,  # the mean is the probability
}


def budget(output: str, quantity: str, dtype: DTypeLike) -> Budget:
    """The budget of `quantity` of `output` in `dtype`. The models count roundings, so the
    same number of eps (of that dtype) applies to float32 and float64; a dtype-specific
    override would be keyed here."""
    del dtype  # no dtype-specific override: every model above is in units of the dtype's eps
    return OVERRIDES.get((output, quantity), DEFAULTS.get(quantity))


# ---- units ----


def float_dtype(dtype: DTypeLike) -> type[np.floating]:
    """The numpy floating type of `dtype`: a numpy dtype-like, or a torch dtype read by its
    name (torch.float32 is "torch.float32")."""
    try:
        kind = np.dtype(dtype)
    except TypeError:
        kind = np.dtype(str(dtype).removeprefix("torch."))
    if kind.kind != "f":
        raise TypeError(f"error model: {dtype} is not a floating dtype")
    return kind.type


def eps(dtype: DTypeLike) -> float:
    return float(np.finfo(float_dtype(dtype)).eps)


def ulp(values: ArrayLike, dtype: DTypeLike) -> np.ndarray:
    """The spacing of `dtype` at |values| (float64 array); the largest spacing past max, and
    the smallest normal number `tiny` below it.

    Below tiny the unit is tiny, not the subnormal spacing: gradual underflow is optional
    (flush-to-zero hardware modes, and formulas whose intermediate overflows, such as
    1/(1 + exp(-x)) at x = -100 in float32, return 0 for 3.7e-44), so a correct result
    there is only known to within tiny; relative accuracy is undefined in that range."""
    np_dtype = float_dtype(dtype)
    info = np.finfo(np_dtype)
    magnitude = np.minimum(np.abs(np.asarray(values, dtype=np.float64)), info.max)
    spacing = np.spacing(magnitude.astype(np_dtype)).astype(np.float64)
    return np.where(magnitude < info.tiny, float(info.tiny), spacing)


def cond_tolerance(
    output: str,
    quantity: str,
    exact: ArrayLike,
    cond: ArrayLike,
    dtype: DTypeLike,
    against_reference: bool,
) -> np.ndarray:
    """B max(eps S, ulp(y*)) for the implementation in `dtype`, plus the numpy reference's own
    REFERENCE budget in float64 when the comparison is against it rather than the arbiter."""
    units = budget(output, quantity, dtype).units
    exact = np.asarray(exact, dtype=np.float64)
    cond = np.asarray(cond, dtype=np.float64)
    tol = units * np.maximum(eps(dtype) * cond, ulp(exact, dtype))
    if against_reference:
        tol = tol + REFERENCE.units * np.maximum(EPS64 * cond, ulp(exact, np.float64))
    return tol


def categorical_probs_ulps(
    ref: reference.Discrete, vec: np.ndarray, dtype: DTypeLike, sums: int
) -> np.ndarray:
    """Ulps of each probability r_k of a clipped softmax (Discrete, DiscreteLikeContinuous).

    Any softmax forms the differences Delta_j = vec_j - max(vec) in the dtype, each off by
    eps/2 |Delta_j| (absolute), which exp turns into the same relative error of e^Delta_j:
    eps/2 |Delta_k| for p_k, eps/2 sum_j p_j |Delta_j| for softmax's normalizer and
    eps/2 sum_j r_j |Delta_j| for the renormalizing one (its terms carry p_j's error and weigh
    r_j). Hence r_k is off by eps/2 (|Delta_k| + 2 sum_j p_j |Delta_j| + sum_j r_j |Delta_j|)
    relative, plus the PROBS_ULPS roundings. Each normalizer is a sum of d positive terms,
    off by (d - 1) eps/2 relative in any order, and an implementation may hold `sums` of them
    (NORMALIZING_SUMS): sums (d - 1) eps/2 more. A relative error of eps/2 is at most 1 ulp (an
    ulp of y is above eps |y| / 2), so that sum counts in ulps directly. It grows with
    |log p_k|: p_k = 7.7e-8 (Delta = -16.4) is 9.5 ulps off in float32. A class held at a
    clip bound, or whose p is 0, is exact and carries no Delta term.
    """
    vec = np.asarray(vec, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        delta = np.abs(vec - vec.max(-1, keepdims=True))  # inf past float64's range: p = 0
        p = softmax(vec, axis=-1)
        # A class the clamp holds at low or high (even after p moves by its whole error
        # budget) is exact, and so is one whose p is 0: neither carries Delta's rounding.
        drift = eps(dtype) / 2 * delta + PROBS_ULPS.units * eps(dtype)
        low, high = ref.clip_probs(float_dtype(dtype))
        settled = (p == 0) | (p * np.exp(drift) < low) | (p * np.exp(-drift) > high)
        r = ref.params(vec, float_dtype(dtype)).probs
    delta = np.where(settled, 0.0, delta)
    inherited = 2 * (p * delta).sum(-1, keepdims=True) + (r * delta).sum(-1, keepdims=True)
    return PROBS_ULPS.units + sums * (vec.shape[-1] - 1) + delta + inherited


def probs_ulps(output: str, ref: object, vec: np.ndarray, dtype: DTypeLike) -> np.ndarray:
    """Ulps of each probability of `output` (..., d): categorical_probs_ulps for a clipped
    softmax; the budget alone for Multibinary, whose sigmoid takes each logit exactly."""
    if output == "Multibinary":
        return np.full(np.shape(vec), budget(output, "probs", dtype).units)
    return categorical_probs_ulps(ref, vec, dtype, NORMALIZING_SUMS[output])


# ---- condition sums, restating the arbiter's, in float64 ----


def activation_condition(parameter: PositiveParameter, raw: np.ndarray) -> np.ndarray:
    """The relative condition of an activation's output: 1 for softplus_bounded_positive (two
    positive terms), |log low| + |(log high - log low)(tanh x + 1)/2| for
    tanh_bounded_positive (the terms of the exponent), 1 + sigmoid(t)|t| / value for
    biased_softplus (t = raw + c is rounded before softplus takes it)."""
    raw = np.asarray(raw, dtype=np.float64)
    if parameter.activation is reference.biased_softplus:
        shifted = raw + biased_softplus_shift(parameter.low)
        value = np.logaddexp(0.0, shifted) + parameter.low
        return 1 + expit(shifted) * np.abs(shifted) / value
    if parameter.activation is not reference.tanh_bounded_positive:
        return np.ones_like(raw)
    log_low, log_high = math.log(parameter.low), math.log(parameter.high)
    # 2 raw overflows to inf for |raw| near float max, where expit is exactly its limit 0 or 1.
    with np.errstate(over="ignore"):
        fraction = expit(2.0 * raw)
    return abs(log_low) + np.abs((log_high - log_low) * fraction)


def activation_derivative(
    parameter: PositiveParameter, raw: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """d activation / d raw in float64 for a reference PositiveParameter (SPEC §3):
    tanh_bounded_positive: value (log high - log low) sech^2(x)/2, with sech^2(x)/2 =
    2 sigmoid(2x) sigmoid(-2x); softplus_bounded_positive: sigmoid(x), 0 where the clamp at
    `high` (rounded to the dtype, as the implementation holds it) is active;
    exp_clamped_log_std: the value inside the clamp, 0 outside; biased_softplus:
    sigmoid(raw + c)."""
    raw = np.asarray(raw, dtype=np.float64)
    value = parameter(raw, float_dtype(dtype))
    if parameter.activation is reference.tanh_bounded_positive:
        spread = math.log(parameter.high) - math.log(parameter.low)
        return value * spread * 2 * expit(2 * raw) * expit(-2 * raw)
    if parameter.activation is reference.biased_softplus:
        return expit(raw + biased_softplus_shift(parameter.low))
    if parameter.activation is reference.exp_clamped_log_std:
        inside = (raw >= math.log(parameter.low)) & (raw <= math.log(parameter.high))
        return np.where(inside, value, 0.0)
    slope = expit(raw)
    if parameter.high is None:
        return slope
    unclamped = np.logaddexp(0.0, raw) + parameter.low
    return np.where(unclamped > value, 0.0, slope)


def activation_slope_error(
    parameter: PositiveParameter, raw: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """Absolute error bound of the implementation's d activation / d raw (autograd's), float64.

    tanh_bounded_positive: autograd forms value (log high - log low) 2 y (1 - y) from the
    rounded y = sigmoid(2 raw) (torch's sigmoid backward). The value carries the ACTIVATION
    budget (16 eps cond, relative). y carries SIGMOID_ULPS ulps, and 1 - y is formed exactly
    from it (Sterbenz for y >= 1/2), so y (1 - y) is off by SIGMOID_ULPS ulp(y) absolutely:
    relative to the slope that is ulp(y)/(1 - y), which grows like e^{2 raw} as the activation
    saturates (at raw = 5.9 in float64, 1.5e-11 relative: a flake of the rsample gradient test).
    softplus_bounded_positive: sigmoid(raw) from exp, add, divide of the exact input,
    SIGMOID_ULPS eps relative; 0 where the clamp at `high` is active (both slopes are 0).
    biased_softplus: sigmoid(t) as above, t = raw + c rounded by eps|t|/2 before it, which
    moves the slope by sigmoid(t)(1 - sigmoid(t)) eps|t|/2.
    """
    raw = np.asarray(raw, dtype=np.float64)
    slope = np.abs(activation_derivative(parameter, raw, dtype))
    if parameter.activation is reference.biased_softplus:
        shifted = raw + biased_softplus_shift(parameter.low)
        rounding = slope * (1 - slope) * eps(dtype) / 2 * np.abs(shifted)
        return SIGMOID_ULPS.units * eps(dtype) * slope + rounding
    if parameter.activation is not reference.tanh_bounded_positive:
        return SIGMOID_ULPS.units * eps(dtype) * slope
    with np.errstate(over="ignore"):  # 2 raw overflows where expit is exactly its limit
        y = expit(2.0 * raw)
    value = parameter(raw, float_dtype(dtype))
    spread = math.log(parameter.high) - math.log(parameter.low)
    value_error = ACTIVATION.units * eps(dtype) * activation_condition(parameter, raw) * slope
    return value_error + value * spread * 2 * SIGMOID_ULPS.units * ulp(y, dtype)


def _gaussian_cond(
    x: np.ndarray, mu: np.ndarray, sigma: np.ndarray, sigma_cond: np.ndarray
) -> np.ndarray:
    """|log sigma| + log(2 pi)/2 + z^2/2 + |z| (|x| + |mu|)/sigma + |z^2 - 1| sigma_cond."""
    z = (x - mu) / sigma
    return (
        np.abs(np.log(sigma))
        + HALF_LOG_2PI
        + z * z / 2
        + np.abs(z) * (np.abs(x) + np.abs(mu)) / sigma
        + np.abs(z * z - 1) * sigma_cond
    )


def tanh_gaussian_cond(
    ref: reference.TanhGaussian, vec: np.ndarray, action: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of log_prob per dimension: the Gaussian's terms at x = atanh c plus |log(1 - c^2)|."""
    p = ref.params(vec, float_dtype(dtype))
    c = np.clip(action, *ref.clip_bounds(float_dtype(dtype)))
    sigma_cond = activation_condition(ref.std, vec[..., ref.d_action :])
    with np.errstate(divide="ignore"):
        x = np.arctanh(c)
    return _gaussian_cond(x, p.mu, p.sigma, sigma_cond) + np.abs(log_one_minus_square(c))


def tanh_gaussian_presquash_cond(
    ref: reference.TanhGaussian, vec: np.ndarray, u: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of own-sample scoring from u: the Gaussian's terms plus 2 log cosh u."""
    p = ref.params(vec, float_dtype(dtype))
    sigma_cond = activation_condition(ref.std, vec[..., ref.d_action :])
    return _gaussian_cond(u, p.mu, p.sigma, sigma_cond) + 2 * log_cosh(u)


def _gmm_cond_at(
    ref: reference.GMM,
    vec: np.ndarray,
    x: np.ndarray,
    log_jacobian: np.ndarray,
    dtype: DTypeLike,
) -> np.ndarray:
    """sum_m pi_m (|log w_m| + sum_j S_mj) + |log_jacobian| at pre-squash x (..., d), pi the
    posterior of the modes at x (rounding inside mode m reaches the logsumexp weighted by
    pi_m); shape (..., 1)."""
    p = ref.params(vec, float_dtype(dtype))
    modes, d = ref.gmm_modes, ref.d_action
    _, raw, _ = gmm_blocks(vec, modes, d)
    sigma_cond = activation_condition(ref.std, raw)
    x = x[..., None, :]
    z = (x - p.means) / p.stds
    per_mode = p.log_weights + (-0.5 * z * z - np.log(p.stds) - HALF_LOG_2PI).sum(-1)
    posterior = np.exp(per_mode - logsumexp(per_mode, axis=-1, keepdims=True))
    cells = _gaussian_cond(x, p.means, p.stds, sigma_cond).sum(-1)
    mixture = (posterior * (np.abs(p.log_weights) + cells)).sum(-1)
    return (mixture + np.abs(log_jacobian))[..., None]


def gmm_cond(
    ref: reference.GMM, vec: np.ndarray, action: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of log_prob (..., 1), at x = atanh c with the Jacobian term sum_j log(1 - c_j^2)."""
    c = np.clip(action, *ref.clip_bounds(float_dtype(dtype)))
    return _gmm_cond_at(ref, vec, np.arctanh(c), log_one_minus_square(c).sum(-1), dtype)


def gmm_presquash_cond(
    ref: reference.GMM, vec: np.ndarray, u: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of own-sample scoring from u (..., 1): the Jacobian term is 2 sum_j log cosh u_j."""
    return _gmm_cond_at(ref, vec, u, 2 * log_cosh(u).sum(-1), dtype)


def _beta_slopes(
    alpha: np.ndarray, beta: np.ndarray, log_x: np.ndarray, log_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    psi_sum = digamma(alpha + beta)
    return log_x - digamma(alpha) + psi_sum, log_y - digamma(beta) + psi_sum


def beta_cond(
    ref: reference.Beta, vec: np.ndarray, action: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of log_prob per dimension: |(alpha-1) log x| + |(beta-1) log(1-x)| + |log B| + log 2
    + |alpha dl/dalpha| alpha_cond + |beta dl/dbeta| beta_cond."""
    p = ref.params(vec, float_dtype(dtype))
    d = ref.d_action
    c = np.clip(action, *ref.clip_bounds(float_dtype(dtype)))
    log_x, log_y = np.log1p(c) - LOG_2, np.log1p(-c) - LOG_2
    slope_alpha, slope_beta = _beta_slopes(p.alpha, p.beta, log_x, log_y)
    return (
        np.abs((p.alpha - 1) * log_x)
        + np.abs((p.beta - 1) * log_y)
        + np.abs(log_beta(p.alpha, p.beta))
        + LOG_2
        + np.abs(p.alpha * slope_alpha) * activation_condition(ref.alpha, vec[..., :d])
        + np.abs(p.beta * slope_beta) * activation_condition(ref.beta, vec[..., d:])
    )


def beta_entropy_cond(ref: reference.Beta, vec: np.ndarray, dtype: DTypeLike) -> np.ndarray:
    """S of the entropy: the magnitudes of log B, (alpha-1) psi(alpha), (beta-1) psi(beta),
    (alpha+beta-2) psi(alpha+beta), log 2, plus |alpha dH/dalpha| alpha_cond and likewise
    for beta, dH/dalpha = (alpha+beta-2) psi'(alpha+beta) - (alpha-1) psi'(alpha)."""
    p = ref.params(vec, float_dtype(dtype))
    a, b = p.alpha, p.beta
    d = ref.d_action
    trigamma_sum = (a + b - 2) * polygamma(1, a + b)
    slope_alpha = trigamma_sum - (a - 1) * polygamma(1, a)
    slope_beta = trigamma_sum - (b - 1) * polygamma(1, b)
    return (
        np.abs(log_beta(a, b))
        + np.abs((a - 1) * digamma(a))
        + np.abs((b - 1) * digamma(b))
        + np.abs((a + b - 2) * digamma(a + b))
        + LOG_2
        + np.abs(a * slope_alpha) * activation_condition(ref.alpha, vec[..., :d])
        + np.abs(b * slope_beta) * activation_condition(ref.beta, vec[..., d:])
    )


def multibinary_cond(
    ref: reference.Multibinary, vec: np.ndarray, action: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of the Bernoulli log_prob -softplus(-+x), one term: |log_prob|."""
    return np.abs(ref.log_prob(vec, action, float_dtype(dtype)))


def multibinary_entropy_cond(
    ref: reference.Multibinary, vec: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of the Bernoulli entropy p softplus(-x) + q softplus(x): H (two positive terms), plus
    tiny (softplus(x) + softplus(-x)) for a probability that underflows into the subnormals
    (the arbiter's S, policy_dists_reference.arbiter.multibinary.entropy)."""
    tiny = float(np.finfo(float_dtype(dtype)).tiny)
    x = np.asarray(vec, dtype=np.float64)
    entropy = ref.entropy(x, float_dtype(dtype))
    return entropy + tiny * (np.logaddexp(0.0, x) + np.logaddexp(0.0, -x))


def _clamped_log_q(
    ref: reference.Discrete, vec: np.ndarray, dtype: DTypeLike
) -> tuple[np.ndarray, np.ndarray]:
    """log q = log clamp(softmax(vec), low, high) and log sum q, in float64."""
    low, high = ref.clip_probs(float_dtype(dtype))
    with np.errstate(divide="ignore"):
        log_q = np.clip(log_softmax(vec, axis=-1), np.log(low), np.log(high))
    return log_q, logsumexp(log_q, axis=-1)


def discrete_cond(
    ref: reference.Discrete, vec: np.ndarray, index: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of log r_k: |log q_k| + |log sum q| + 1 (the 1: the probabilities' own rounding)."""
    log_q, log_total = _clamped_log_q(ref, vec, dtype)
    at_k = np.take_along_axis(log_q, index[..., None], axis=-1)[..., 0]
    return np.abs(at_k) + np.abs(log_total) + 1


def one_hot_cond(
    ref: reference.Discrete, vec: np.ndarray, one_hot: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """S of DiscreteLikeContinuous's log_prob of a one-hot action: log r_k of the Discrete it
    wraps, k the hot class (discrete_cond)."""
    return discrete_cond(ref, vec, np.argmax(one_hot, axis=-1), dtype)


def discrete_entropy_cond(ref: reference.Discrete, vec: np.ndarray, dtype: DTypeLike) -> np.ndarray:
    """S of the entropy: sum_i r_i (|log q_i| + |log sum q|) + 1."""
    log_q, log_total = _clamped_log_q(ref, vec, dtype)
    r = np.exp(log_q - log_total[..., None])
    return (r * (np.abs(log_q) + np.abs(log_total)[..., None])).sum(-1) + 1


def categorical_input_cond(vec: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
    """What rounding the logits themselves costs a categorical's log-probabilities, relative
    to eps: sum_j |d log p_k / d x_j| |x_j| <= |x_k| + sum_j s_j |x_j| (s = softmax(vec)),
    (..., d) for every class or (...) at `index`. The condition sums above hold a log-softmax
    formed after the max is subtracted (policy-dists'); torch's Categorical(logits=x) forms
    x - logsumexp(x) and carries this term instead (float32 logits [1e4, 1e4]: 2e-4 nats),
    which is backward stable: the exact result for logits one rounding away. The suite allows
    it to implementations without the exact_categorical_normalization extension."""
    x = np.asarray(vec, dtype=np.float64)
    spread = (softmax(x, axis=-1) * np.abs(x)).sum(-1, keepdims=True)
    per_class = np.abs(x) + spread
    if index is None:
        return per_class
    return np.take_along_axis(per_class, np.asarray(index)[..., None], axis=-1)[..., 0]


def categorical_entropy_input_cond(vec: np.ndarray) -> np.ndarray:
    """The same for the entropy -sum_j s_j log s_j formed from those log-probabilities: each
    carries its class's term, weighted by s_j: sum_j s_j (|x_j| + sum_i s_i |x_i|) =
    2 sum_j s_j |x_j|. (dH/dx vanishes at uniform logits, but the formula's terms do not:
    float32 [1e4, 1e4] gives 2e-4 nats.)"""
    x = np.asarray(vec, dtype=np.float64)
    return 2 * (softmax(x, axis=-1) * np.abs(x)).sum(-1)


# ---- gradients: the rounding of the pre-squash x ----

# atanh(c) carries <= 2 ulps (a library call and its rounding); see
# tanh_gaussian_gradient_rounding.
ATANH_ULPS = 2


def _pre_squash(ref: object, action: np.ndarray, dtype: DTypeLike) -> tuple[np.ndarray, ...]:
    c = np.clip(action, *ref.clip_bounds(float_dtype(dtype)))
    inside = action == c  # the clamp passes the gradient on the closed [l, h]
    # With clip bounds of ±1 (an output that clips nothing), c = ±1 gives x = ±inf: the
    # density is 0 there and no finite gradient is owed, so the bound is inf.
    with np.errstate(divide="ignore"):
        x = np.arctanh(c)
    return c, x, ATANH_ULPS * eps(dtype) * np.abs(x), inside


def tanh_gaussian_gradient_rounding(
    ref: reference.TanhGaussian, vec: np.ndarray, action: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """|dg/dx| dx per component of the gradient (d/dmu, d/draw, d/da: the arbiter's layout),
    dx = ATANH_ULPS eps |x| the rounding of x = atanh c, which no evaluation of the formula
    in the dtype avoids: where x - mu cancels, the GRAD budget alone (relative to the
    gradient's size) cannot hold it. dg/dx = (1/sigma^2, 2 z sigma'/sigma^2,
    -1/(sigma^2 (1 - c^2))). d/draw = (z^2 - 1) sigma'/sigma also carries the error of the
    implementation's sigma' (activation_slope_error)."""
    p = ref.params(vec, float_dtype(dtype))
    c, x, dx, inside = _pre_squash(ref, action, dtype)
    z = (x - p.mu) / p.sigma
    raw = vec[..., ref.d_action :]
    slope = activation_derivative(ref.std, raw, dtype)
    d_mu = dx / p.sigma**2
    # x = ±inf (c = ±1, see _pre_squash) makes inf * 0 terms: the bound there is NaN, where
    # no gradient is owed (the density is 0).
    with np.errstate(invalid="ignore", divide="ignore"):
        d_raw = 2 * np.abs(z * slope) * dx / p.sigma**2 + np.abs(z * z - 1) / p.sigma * (
            activation_slope_error(ref.std, raw, dtype)
        )
        d_c = np.where(inside, dx / (p.sigma**2 * (1 - c * c)), 0.0)
    return np.concatenate([d_mu, d_raw, d_c], axis=-1)


def gmm_gradient_rounding(
    ref: reference.GMM, vec: np.ndarray, action: np.ndarray, dtype: DTypeLike
) -> np.ndarray:
    """As tanh_gaussian_gradient_rounding for GMM's gradient (d/dmeans, d/draw stds,
    d/dlogits, d/da, the arbiter's layout): sum_j |dg/dx_j| dx_j with the posterior pi_m,
    s_mj = -z_mj/sigma_mj, dpi_m/dx_j = pi_m (s_mj - sbar_j), sbar_j = sum_m pi_m s_mj; and
    d/draw_mj = pi_m (z_mj^2 - 1) sigma'_mj/sigma_mj carries the error of the implementation's
    sigma' (activation_slope_error)."""
    p = ref.params(vec, float_dtype(dtype))
    modes, d = ref.gmm_modes, ref.d_action
    _, raw, _ = gmm_blocks(vec, modes, d)
    slope = activation_derivative(ref.std, raw, dtype)  # (..., M, d)
    c, x, dx, inside = _pre_squash(ref, action, dtype)  # (..., d)
    z = (x[..., None, :] - p.means) / p.stds
    per_mode = p.log_weights + (-0.5 * z * z - np.log(p.stds) - HALF_LOG_2PI).sum(-1)
    pi = np.exp(per_mode - logsumexp(per_mode, axis=-1, keepdims=True))[..., None]  # (..., M, 1)
    s = -z / p.stds  # (..., M, d)
    sbar = (pi * s).sum(-2)  # (..., d)
    dpi = pi * (s - sbar[..., None, :])  # dpi_m/dx_j: (..., M, d)
    eye = np.eye(d)
    # d/dx_j of pi_m z_mk / sigma_mk and pi_m (z_mk^2 - 1) sigma'_mk / sigma_mk: (..., M, k, j)
    g_mean = (
        dpi[..., None, :] * (z / p.stds)[..., :, None]
        + pi[..., None] * eye / (p.stds**2)[..., :, None]
    )
    g_raw = (
        dpi[..., None, :] * ((z * z - 1) * slope / p.stds)[..., :, None]
        + pi[..., None] * eye * (2 * z * slope / p.stds**2)[..., :, None]
    )
    g_logit = dpi  # (..., M, j)
    # d/dx_j of sbar_k: sum_m dpi_mj s_mk - [j = k] sum_m pi_m / sigma_mk^2
    d_sbar = (dpi[..., None, :] * s[..., :, None]).sum(-3) - eye * (pi / p.stds**2).sum(-2)[
        ..., :, None
    ]
    g_c = np.where(inside[..., :, None], d_sbar / (1 - c * c)[..., :, None], 0.0)
    lead = vec.shape[:-1]
    slope_error = pi * np.abs(z * z - 1) / p.stds * activation_slope_error(ref.std, raw, dtype)
    flat = [
        (np.abs(g_mean) * dx[..., None, None, :]).sum(-1).reshape((*lead, modes * d)),
        ((np.abs(g_raw) * dx[..., None, None, :]).sum(-1) + slope_error).reshape(
            (*lead, modes * d)
        ),
        (np.abs(g_logit) * dx[..., None, :]).sum(-1),
        (np.abs(g_c) * dx[..., None, :]).sum(-1),
    ]
    return np.concatenate(flat, axis=-1)


# The outputs whose gradient carries the rounding of the pre-squash x = atanh c, and its
# bound per component (arbiter layout); any other output's gradient has no such term.
GRADIENT_ROUNDING = {
    "TanhGaussian": tanh_gaussian_gradient_rounding,
    "GMM": gmm_gradient_rounding,
}
