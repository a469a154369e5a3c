"""The float64 reference against the mpmath arbiter, output by output, at points across [-1, 1]
including 1 - 1e-12 and the float32 and float64 neighbours of 1.

Error model (SPEC §7), written once and used for every log-density and entropy:
  |reference - exact| <= K_LOG * eps64 * S + TINY,
with S the arbiter's condition sum. K_LOG = 16: each term of every formula here is produced by
at most 8 rounded operations (numpy/scipy elementary functions are within 2 ULP), and each
rounding perturbs a quantity whose weight in the result is bounded by S, so 8 * 2 = 16.
TINY = 2^-1074, float64's smallest subnormal: an exact value below it rounds to 0 or TINY.
Other outputs state their own model beside their test, in the form error_cond <= k, i.e.
|reference - exact| <= k * eps64 * scale (+ TINY).
"""

import mpmath
import numpy as np
import pytest
from scipy.special import log_softmax, logsumexp, ndtr
from scipy.stats import norm

import policy_dists_reference as ref
from policy_dists_reference import arbiter
from policy_dists_reference.arbiter import beta as beta_arbiter
from policy_dists_reference.arbiter import discrete as discrete_arbiter
from policy_dists_reference.arbiter import discrete_like_continuous as dlc_arbiter
from policy_dists_reference.arbiter import gmm as gmm_arbiter
from policy_dists_reference.arbiter import multibinary as multibinary_arbiter
from policy_dists_reference.arbiter import tanh_gaussian as tanh_gaussian_arbiter

EPS64 = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).smallest_subnormal)
K_LOG = 16
DTYPES = [np.float32, np.float64]

BOUNDARY = np.array(
    [
        -1.0,
        -np.nextafter(1.0, 0.0),
        -(1 - 1e-12),
        -0.99999,
        -0.99,
        -0.5,
        -1e-30,
        0.0,
        1e-8,
        0.3,
        0.9,
        0.99,
        0.9999,
        1 - 1e-6,
        float(np.nextafter(np.float32(1), np.float32(0))),
        1 - 1e-12,
        np.nextafter(1.0, 0.0),
        1.0,
    ]
)


def boundary_actions(dtype: type) -> np.ndarray:
    """The boundary points that are `dtype` numbers, as a column of 1-d actions."""
    return BOUNDARY[BOUNDARY.astype(dtype) == BOUNDARY][:, None]


def assert_within(reference: np.ndarray, exact: object, scale: object, k: float) -> None:
    """|reference - exact| <= k eps64 scale + TINY: the model above with its underflow term."""
    errors = arbiter.error_cond(reference, exact, 1 / EPS64, np.float64)  # absolute errors
    allowed = k * EPS64 * np.asarray(scale, dtype=np.float64) + TINY
    excess = np.nan_to_num(errors - allowed, nan=np.inf)
    worst = np.unravel_index(np.argmax(excess), np.shape(excess))
    assert excess[worst] <= 0, f"error {errors[worst]:.3g} > {k} eps * {scale!r}[{worst}]"


def assert_within_cond(reference: np.ndarray, exact: arbiter.ExactArrays, k: float) -> None:
    assert_within(reference, exact.value, exact.cond, k)


# vec rows (float32 numbers, so valid for both dtypes): location/raw parameters from moderate to
# the activations' saturated ends.
TG_VECS = np.array([[0.25, 0.5], [-2.5, -3.0], [8.0, 4.0], [0.0, -20.0], [3.0, 20.0]], np.float32)
TANH_GAUSSIANS = {
    "default": ref.TanhGaussian(1),
    "unclipped": ref.TanhGaussian(1, clip_actions_on_log_prob=(-1.0, 1.0)),
    "softplus": ref.TanhGaussian(
        1, std_low=1e-3, std_high=3.0, std_activation="softplus_bounded_positive"
    ),
    # Stable-Baselines3's SAC: log std clamped to [-20, 2] (raw -20 is the clamp's edge), no clip.
    "clamped log std": ref.TanhGaussian(
        1,
        std_low=float(np.exp(-20.0)),
        std_high=float(np.exp(2.0)),
        std_activation="exp_clamped_log_std",
        clip_actions_on_log_prob=(-1.0, 1.0),
    ),
    # TorchRL's TanhNormal behind NormalParamExtractor: softplus(raw + c) + 0.01, unbounded.
    "biased softplus": ref.TanhGaussian(
        1,
        std_low=0.01,
        std_high=None,
        std_activation="biased_softplus",
        clip_actions_on_log_prob=(-1.0, 1.0),
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(TANH_GAUSSIANS))
def test_reference_tanh_gaussian_log_prob(name: str, dtype: type) -> None:
    output = TANH_GAUSSIANS[name]
    actions = boundary_actions(dtype)
    for vec in TG_VECS:
        exact = arbiter.sweep(tanh_gaussian_arbiter.log_prob, output, vec, actions, dtype=dtype)
        assert_within_cond(output.log_prob(vec, actions, dtype), exact, K_LOG)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reference_tanh_gaussian_log_prob_presquash(dtype: type) -> None:
    output = TANH_GAUSSIANS["default"]
    # Pre-squash values where tanh rounds to +-1 in both dtypes (|u| > 19) included.
    us = np.array(
        [[-40.0], [-19.5], [-3.0], [-1e-20], [0.0], [0.7], [9.0], [25.0], [300.0]], np.float32
    )
    for vec in TG_VECS:
        exact = arbiter.sweep(
            tanh_gaussian_arbiter.log_prob_presquash, output, vec, us, dtype=dtype
        )
        assert_within_cond(output.log_prob_presquash(vec, us, dtype), exact, K_LOG)


def test_reference_tanh_gaussian_mean_and_cdf() -> None:
    """mean: np.tanh is within 2 ULP (glibc's bound), so <= 2 ULP at the exact value.
    cdf: Phi(z) with z = (atanh a - mu)/sigma; rounding atanh a, mu's subtraction and sigma
    (relative condition C of its activation) moves z by eps (|x| + |mu|)/sigma + eps |z| C,
    scaled by Phi'(z); with ndtr's own relative rounding, the model is
    |err| <= K_LOG eps (|y| + phi(z) ((|x| + |mu|)/sigma + |z| (1 + C)))."""
    output = TANH_GAUSSIANS["default"]
    actions = boundary_actions(np.float64)
    for vec in TG_VECS:
        exact_mean = tanh_gaussian_arbiter.mean(output, vec, np.float64).value
        ulps = arbiter.error_ulps(output.mean(vec, np.float64), exact_mean, np.float64)
        assert ulps.max() <= 2
        p = output.params(vec, np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.arctanh(actions)
            z = (x - p.mu) / p.sigma
            spread = np.where(np.isinf(x), 0.0, norm.pdf(z) * ((abs(x) + abs(p.mu)) / p.sigma))
        log_low = np.log(output.std.low)
        log_sigma_condition = abs(log_low) + abs(np.log(p.sigma) - log_low)
        y = ndtr(z)
        scale = abs(y) + spread + norm.pdf(z) * abs(np.nan_to_num(z)) * (1 + log_sigma_condition)
        exact = arbiter.sweep(tanh_gaussian_arbiter.cdf, output, vec, actions, dtype=np.float64)
        assert_within(output.cdf(vec, actions, np.float64), exact.value, scale, K_LOG)


GMMS = {
    "default": ref.GMM(2, gmm_modes=3),
    "unclipped": ref.GMM(2, gmm_modes=3, clip_actions_on_log_prob=(-1.0, 1.0)),
    "one mode": ref.GMM(1, gmm_modes=1, std_low=1e-2, std_high=2.0),
}


def gmm_vecs(output: ref.GMM) -> np.ndarray:
    rng = np.random.default_rng(output.input_dimension)
    vecs = rng.normal(0.0, 2.0, size=(4, output.input_dimension)).astype(np.float32)
    vecs[1, : output.gmm_modes * output.d_action] = 6.0  # means deep in the tanh tail
    vecs[2] *= 10.0  # widely spread modes and weights
    return vecs


def paired_actions(dtype: type, d: int) -> np.ndarray:
    """Boundary points in the first dimension, paired with a reversed sweep in the others."""
    column = boundary_actions(dtype)
    return np.concatenate([column, *([column[::-1]] * (d - 1))], axis=1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(GMMS))
def test_reference_gmm_log_prob(name: str, dtype: type) -> None:
    output = GMMS[name]
    actions = paired_actions(dtype, output.d_action)
    for vec in gmm_vecs(output):
        exact = arbiter.sweep(gmm_arbiter.log_prob, output, vec, actions, dtype=dtype)
        assert_within_cond(output.log_prob(vec, actions, dtype), exact, K_LOG)


def test_reference_gmm_log_prob_presquash() -> None:
    output = GMMS["default"]
    us = np.array([[-40.0, 0.5], [-1e-20, 19.5], [0.0, 0.0], [3.0, -300.0], [25.0, 2.0]])
    for vec in gmm_vecs(output):
        exact = arbiter.sweep(gmm_arbiter.log_prob_presquash, output, vec, us, dtype=np.float64)
        assert_within_cond(output.log_prob_presquash(vec, us, np.float64), exact, K_LOG)


def test_reference_gmm_mean_and_cdf() -> None:
    """mean = tanh(s), s = sum_m w_m mu_m: rounding w_m (relative eps (1 + |log w_m|), from the
    softmax's subtraction and exp) and the sum moves s by eps sum_m w_m |mu_m| (2 + |log w_m|),
    scaled by 1 - y^2, plus tanh's own 2 ULP: |err| <= K_LOG eps (|y| + (1 - y^2) that sum).
    cdf: the mixture of the TanhGaussian cdf model, |err| <= K_LOG eps (|y| + sum_m w_m phi(z)
    ((|x| + |mu|)/sigma + 2 |z|)) (softplus stds: relative condition 1)."""
    output = GMMS["default"]
    actions = paired_actions(np.float64, output.d_action)
    for vec in gmm_vecs(output):
        p = output.params(vec, np.float64)
        w = np.exp(p.log_weights)[:, None]
        y = output.mean(vec, np.float64)
        scale = abs(y) + (1 - y**2) * (w * abs(p.means) * (2 + abs(p.log_weights)[:, None])).sum(0)
        exact_mean = gmm_arbiter.mean(output, vec, np.float64).value
        assert_within(y, exact_mean, scale, K_LOG)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.arctanh(actions)[:, None, :]
            z = (x - p.means) / p.stds
            spread = np.where(
                np.isinf(x), 0.0, norm.pdf(z) * ((abs(x) + abs(p.means)) / p.stds + 2 * abs(z))
            )
        cdf = output.cdf(vec, actions, np.float64)
        scale = abs(cdf) + (w * spread).sum(axis=1)
        exact = arbiter.sweep(gmm_arbiter.cdf, output, vec, actions, dtype=np.float64)
        assert_within(cdf, exact.value, scale, K_LOG)


BETAS = {
    "default": ref.Beta(1),
    "unclipped": ref.Beta(1, clip_actions_on_log_prob=(-1.0, 1.0)),
    "bounded": ref.Beta(1, alpha_low=0.5, alpha_high=50.0, beta_low=0.3, beta_high=50.0),
    "tanh": ref.Beta(
        1,
        alpha_low=1.0,
        alpha_high=1e4,
        beta_low=1.0,
        beta_high=1e4,
        std_activation="tanh_bounded_positive",
    ),
}
# (raw alpha, raw beta): near-uniform, symmetric peaked, skewed both ways, very concentrated.
BETA_VECS = np.array([[-20.0, -20.0], [49.0, 49.0], [1.0, 30.0], [300.0, 0.5], [3e4, 3e4]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BETAS))
def test_reference_beta_log_prob(name: str, dtype: type) -> None:
    output = BETAS[name]
    actions = boundary_actions(dtype)
    # x = 0 or 1 exactly with an exponent < 1 is +inf: a value, but no condition sum.
    finite = ~(np.isin(actions[:, 0], (-1.0, 1.0))) | (output.alpha.low >= 1)
    actions = actions[finite]
    for vec in BETA_VECS.astype(np.float32):
        exact = arbiter.sweep(beta_arbiter.log_prob, output, vec, actions, dtype=dtype)
        assert_within_cond(output.log_prob(vec, actions, dtype), exact, K_LOG)


@pytest.mark.parametrize("name", sorted(BETAS))
def test_reference_beta_entropy_and_mean(name: str) -> None:
    """entropy: K_LOG eps S. mean = (alpha - beta)/(alpha + beta): alpha and beta carry relative
    rounding eps C (C their activations' relative condition); dy/dlog alpha = 2 alpha beta /
    (alpha + beta)^2, so |err| <= K_LOG eps (|y| + 4 alpha beta C / (alpha + beta)^2)."""
    output = BETAS[name]
    for vec in BETA_VECS.astype(np.float32):
        exact = arbiter.sweep(beta_arbiter.entropy, output, vec, dtype=np.float64)
        assert_within_cond(output.entropy(vec, np.float64), exact, K_LOG)
        p = output.params(vec, np.float64)
        y = output.mean(vec, np.float64)
        condition = 1.0 + abs(np.log(p.alpha)) + abs(np.log(p.beta)) + abs(np.log(output.alpha.low))
        scale = abs(y) + 4 * p.alpha * p.beta * condition / (p.alpha + p.beta) ** 2
        exact_mean = beta_arbiter.mean(output, vec, np.float64).value
        assert_within(y, exact_mean, scale, K_LOG)


def test_reference_beta_cdf() -> None:
    """I_x(alpha, beta) by scipy's betainc (Boost ibeta, whose documented errors for these
    parameter sizes are below 50 eps) from alpha, beta with relative rounding <= 4 eps:
    |err| <= 64 eps (|y| + 4 |alpha dF/dalpha| + 4 |beta dF/dbeta|), with
    dF/dtheta = -f(x) dx/dtheta from the reference's implicit derivative."""
    output = BETAS["bounded"]
    actions = np.array([[-1.0], [-0.999], [-0.6], [0.0], [0.2], [0.75], [0.999], [1.0]])
    for vec in BETA_VECS[:4].astype(np.float32):
        p = output.params(vec, np.float64)
        cdf = output.cdf(vec, actions, np.float64)
        interior = np.abs(actions[:, 0]) < 1
        x = (actions[interior, 0] + 1) / 2
        dx_da, dx_db = ref.Beta.implicit_dx_dparams(p.alpha, p.beta, x)
        density = np.exp(output.log_prob(vec, actions[interior], np.float64)[:, 0] + np.log(2))
        scale = np.abs(cdf[:, 0])
        scale[interior] += 4 * density * (abs(p.alpha * dx_da) + abs(p.beta * dx_db))
        exact = arbiter.sweep(beta_arbiter.cdf, output, vec, actions, dtype=np.float64)
        assert_within(cdf, exact.value, scale[:, None], 64)


IMPLICIT_POINTS = [
    (2.0, 3.0, 0.3),
    (0.5, 0.7, 0.01),
    (0.5, 0.7, 0.99),
    (0.3, 0.3, 0.5),
    (1.0001, 1.0001, 1 - 1e-12),
    (1.0001, 1.0001, 1e-12),
    (50.0, 50.0, 0.5),
    (1.5, 40.0, 0.9),
    (1e4, 2.0, 0.9999),
    (1000.0, 1000.0, 0.52),
]


@pytest.mark.parametrize(("alpha", "beta", "x"), IMPLICIT_POINTS)
def test_reference_beta_implicit_derivative(alpha: float, beta: float, x: float) -> None:
    """Within the reference's own stated model: relative error <= implicit_relative_error."""
    exact = beta_arbiter.implicit_dx_dparams(alpha, beta, x).value
    values = ref.Beta.implicit_dx_dparams(alpha, beta, x)
    bound = float(ref.beta.implicit_relative_error(alpha, beta, x))
    for value, truth in zip(values, exact, strict=True):
        assert abs(float(value) - truth) <= bound * abs(truth)


DISCRETES = {
    "default": ref.Discrete(4),
    "no clip": ref.Discrete(4, clip_prob_low=0.0, clip_prob_high=1.0),
    "wide clip": ref.Discrete(3, clip_prob_low=0.2, clip_prob_high=0.5),
}


def discrete_vecs(d: int) -> np.ndarray:
    rng = np.random.default_rng(d)
    vecs = rng.normal(0.0, 3.0, size=(4, d)).astype(np.float32)
    vecs[1, 0] = 40.0  # one class takes almost all mass, the clamp is active
    vecs[2] = np.float32(800.0) * np.arange(d)  # log-probs far below float64's range
    vecs[3] = 0.0  # uniform
    return vecs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(DISCRETES))
def test_reference_discrete(name: str, dtype: type) -> None:
    """log_prob and entropy: K_LOG eps S. probs r_k = exp(log r_k) carries the same absolute
    error in the log: |r - r*| <= K_LOG eps S_k r*_k, S_k the condition sum of log r_k."""
    output = DISCRETES[name]
    d = output.d_action
    for vec in discrete_vecs(d):
        indices = np.arange(d)
        exact = arbiter.sweep(
            lambda o, v, k, t: discrete_arbiter.log_prob(o, v, k.astype(int), t),
            output,
            vec,
            indices[:, None],
            dtype=dtype,
        )
        log_probs = output.log_prob(np.broadcast_to(vec, (d, d)), indices, dtype)[:, None]
        assert_within_cond(log_probs, exact, K_LOG)
        entropy = arbiter.sweep(discrete_arbiter.entropy, output, vec, dtype=dtype)
        assert_within_cond(output.entropy(vec, dtype)[None], entropy, K_LOG)
        exact_probs = discrete_arbiter.probs(output, vec, dtype).value
        scale = exact.cond[:, 0] * np.array(exact_probs, dtype=object)
        assert_within(output.pmf(vec, dtype), exact_probs, scale, K_LOG)


# d_action * clip_prob_low > 1 is a valid configuration (SPEC §5): the default clips at
# d_action in the thousands, and a small d whose floor exceeds 1/d.
LARGE_DISCRETES = {
    "d1000": ref.Discrete(1000),
    "d2000": ref.Discrete(2000),
    "d4000": ref.Discrete(4000),
    "d4 low 0.3": ref.Discrete(4, clip_prob_low=0.3, clip_prob_high=0.9),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(LARGE_DISCRETES))
def test_reference_discrete_with_floor_above_one_over_d(name: str, dtype: type) -> None:
    """log r_k at the first, middle and last class, and every r_k, against the arbiter.

    Error model: K_LOG eps S as for test_reference_discrete, plus the two d-term sums of
    positive terms (log_softmax's normalizer and logsumexp's), which K_LOG counts as one
    rounding each. Summed in any order, such a sum is off by <= (d - 1) u relative (u =
    eps/2; numpy's pairwise summation does better, but the bound does not rely on it), an
    absolute (d - 1) u in its log: (d - 1) eps in all. r_k = exp(log r_k) carries that
    absolute error as a relative one."""
    output = LARGE_DISCRETES[name]
    d = output.d_action
    summation = (d - 1) / K_LOG  # (d - 1) eps, in assert_within's unit K_LOG eps
    indices = np.array(sorted({0, d // 2, d - 1}))
    for vec in discrete_vecs(d):
        exact = arbiter.sweep(
            lambda o, v, k, t: discrete_arbiter.log_prob(o, v, k.astype(int), t),
            output,
            vec,
            indices[:, None],
            dtype=dtype,
        )
        log_probs = output.log_prob(np.broadcast_to(vec, (len(indices), d)), indices, dtype)
        cond = np.array(exact.cond, dtype=object)
        assert_within(log_probs[:, None], exact.value, cond + summation, K_LOG)
        # Every class: S_k = |log q_k| + |log sum q| + 1 in float64 (an estimate of the
        # condition sum is enough for a bound whose unit is eps).
        low, high = output.clip_probs(dtype)
        log_q = np.clip(log_softmax(vec.astype(np.float64)), np.log(low), np.log(high))
        s = np.abs(log_q) + abs(logsumexp(log_q)) + 1
        exact_probs = np.array(discrete_arbiter.probs(output, vec, dtype).value, dtype=object)
        assert_within(output.pmf(vec, dtype), exact_probs, (s + summation) * exact_probs, K_LOG)


def test_reference_discrete_like_continuous() -> None:
    """log_prob and entropy: K_LOG eps S. Straight-through Jacobian (diag(y) - y y^T)/tau: y_i =
    softmax((l + g)/tau)_i has relative error eps (1 + 2 max_k |l_k + g_k| / tau) from rounding
    the scaled arguments, so |err_ij| <= K_LOG eps y_i (delta_ij + y_j)(1 + 2 m / tau) / tau."""
    rng = np.random.default_rng(7)
    for logits in (rng.normal(size=4), np.array([30.0, -30.0, 0.0]), np.zeros(2)):
        output = ref.DiscreteLikeContinuous(logits, gumbel_softmax_temperature=0.5)
        d = len(logits)
        for action in (*np.eye(d), rng.uniform(size=d)):
            exact = dlc_arbiter.log_prob(output, action)
            assert_within(output.log_prob(action), exact.value[0], exact.cond[0], K_LOG)
        exact = dlc_arbiter.entropy(output)
        assert_within(output.entropy(), exact.value[0], exact.cond[0], K_LOG)
        noise = rng.gumbel(size=d)
        tau = output.gumbel_softmax_temperature
        shifted = (logits + noise) / tau
        y = np.exp(shifted - np.logaddexp.reduce(shifted))
        scale = y[:, None] * (np.eye(d) + y[None, :]) * (1 + 2 * abs(shifted).max()) / tau
        jacobian = output.straight_through_jacobian(noise)
        exact = np.array(dlc_arbiter.straight_through_jacobian(output, noise).value, dtype=object)
        assert_within(jacobian, exact.reshape(d, d), scale, K_LOG)


def test_reference_multibinary() -> None:
    """log_prob and entropy: K_LOG eps S. probs: expit is within 2 ULP of sigmoid."""
    output = ref.Multibinary(6)
    logits = np.array([-3e38, -745.0, -30.0, -1e-30, 0.0, 40.0], np.float32)
    for outcomes in (np.zeros(6), np.ones(6), np.array([0, 1, 0, 1, 1, 0])):
        exact = multibinary_arbiter.log_prob(output, logits, outcomes, np.float64)
        assert_within(output.log_prob(logits, outcomes, np.float64), exact.value, exact.cond, K_LOG)
    exact = multibinary_arbiter.entropy(output, logits, np.float64)
    entropy = output.entropy(logits, np.float64)
    # Where the exact entropy underflows float64 (x = -3e38) both are 0: the error is 0.
    assert_within(entropy, exact.value, exact.cond, K_LOG)
    exact = multibinary_arbiter.probs(output, logits, np.float64).value
    assert arbiter.error_ulps(output.mean(logits, np.float64), exact, np.float64).max() <= 2


def test_reference_error_measures_are_calibrated() -> None:
    """error_ulps counts ULPs at the exact value; error_cond divides by eps * S."""
    one = mpmath.mpf(1)
    assert arbiter.error_ulps(np.nextafter(1.0, 2.0), one, np.float64) == 1
    assert arbiter.error_ulps(np.float32(1.0) + np.spacing(np.float32(1.0)), one, np.float32) == 1
    assert arbiter.error_cond(1.0 + 2 * EPS64, one, 2, np.float64) == 1
    assert arbiter.error_ulps(-np.inf, -mpmath.inf, np.float64) == 0
    assert arbiter.error_ulps(0.0, -mpmath.inf, np.float64) == np.inf
    swept = arbiter.sweep(
        tanh_gaussian_arbiter.mean, TANH_GAUSSIANS["default"], TG_VECS, dtype=np.float64
    )
    assert swept.float64().value.dtype == np.float64
    assert swept.float64().value.shape == (len(TG_VECS), 1)
    assert swept.grad_vec is None
