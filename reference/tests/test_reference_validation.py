"""Every bad input raises ValueError naming the parameter; none returns a number."""

import math
from collections.abc import Callable

import numpy as np
import pytest

import policy_dists_reference as ref
from policy_dists_reference.arbiter import beta as beta_arbiter
from policy_dists_reference.arbiter import discrete as discrete_arbiter
from policy_dists_reference.arbiter import tanh_gaussian as tanh_gaussian_arbiter

F64 = np.float64
EPS64 = float(np.finfo(F64).eps)
TG = ref.TanhGaussian(2)
GMM = ref.GMM(1, gmm_modes=2)
BETA = ref.Beta(1)
DISCRETE = ref.Discrete(3)
MULTIBINARY = ref.Multibinary(2)
DLC = ref.DiscreteLikeContinuous(np.log([0.2, 0.3, 0.5]))
VEC4 = np.zeros(4)

CASES: dict[str, tuple[Callable[[], object], str]] = {
    # constructors (SPEC §5)
    "d_action zero": (lambda: ref.TanhGaussian(0), "d_action"),
    "d_action float": (lambda: ref.Beta(1.5), "d_action"),
    "d_action bool": (lambda: ref.Multibinary(True), "d_action"),
    "std_low zero": (lambda: ref.TanhGaussian(1, std_low=0.0), "std_low"),
    "std_low negative": (lambda: ref.GMM(1, std_low=-1.0), "std_low"),
    "std_high below low": (lambda: ref.TanhGaussian(1, std_low=1.0, std_high=0.5), "std_high"),
    "std_high infinite for tanh": (lambda: ref.TanhGaussian(1, std_high=math.inf), "std_high"),
    "std_high zero": (lambda: ref.GMM(1, std_high=0.0), "std_high"),
    "tanh needs std_high": (
        lambda: ref.GMM(1, std_activation="tanh_bounded_positive"),
        "std_high",
    ),
    "unknown activation": (lambda: ref.TanhGaussian(1, std_activation="relu"), "std_activation"),
    "foreign activation": (lambda: ref.TanhGaussian(1, std_activation=abs), "std_activation"),
    "clip above 1": (lambda: ref.TanhGaussian(1, clip_actions_on_log_prob=(-1, 1.5)), "clip"),
    "clip below -1": (lambda: ref.Beta(1, clip_actions_on_log_prob=(-2.0, 0.5)), "clip"),
    "clip reversed": (lambda: ref.GMM(1, clip_actions_on_log_prob=(0.5, -0.5)), "clip"),
    "clip empty": (lambda: ref.GMM(1, clip_actions_on_log_prob=(0.5, 0.5)), "clip"),
    "clip not a pair": (lambda: ref.Beta(1, clip_actions_on_log_prob=(0.5,)), "clip"),
    "clip NaN": (lambda: ref.Beta(1, clip_actions_on_log_prob=(math.nan, 0.5)), "clip"),
    "gmm_modes zero": (lambda: ref.GMM(1, gmm_modes=0), "gmm_modes"),
    "alpha_low zero": (lambda: ref.Beta(1, alpha_low=0.0), "alpha_low"),
    "alpha_low negative": (lambda: ref.Beta(1, alpha_low=-1.0), "alpha_low"),
    "beta_low zero": (lambda: ref.Beta(1, beta_low=0.0), "beta_low"),
    "alpha_high below low": (lambda: ref.Beta(1, alpha_high=0.5), "alpha_high"),
    "beta_high zero": (lambda: ref.Beta(1, beta_high=0.0), "beta_high"),
    "clip_prob_low negative": (lambda: ref.Discrete(2, clip_prob_low=-0.1), "clip_prob_low"),
    "clip_prob_high above 1": (lambda: ref.Discrete(2, clip_prob_high=1.5), "clip_prob_high"),
    "clip_prob_high below low": (
        lambda: ref.Discrete(2, clip_prob_low=0.5, clip_prob_high=0.4),
        "clip_prob_high",
    ),
    # q = clamp(p, 0, 0) = 0 has no normalization; 1e-50 is 0 in float32.
    "clip_prob_high zero": (
        lambda: ref.Discrete(2, clip_prob_low=0.0, clip_prob_high=0.0),
        "clip_prob_high",
    ),
    "clip_prob_high zero in float32": (
        lambda: ref.Discrete(2, clip_prob_low=0.0, clip_prob_high=1e-50),
        "clip_prob_high",
    ),
    "temperature zero": (
        lambda: ref.DiscreteLikeContinuous([0.0, 0.0], gumbel_softmax_temperature=0.0),
        "gumbel_softmax_temperature",
    ),
    "logits not finite": (lambda: ref.DiscreteLikeContinuous([0.0, np.inf]), "logits"),
    # activations (SPEC §3)
    "softplus high <= low": (lambda: ref.softplus_bounded_positive(0.0, 1.0, 0.5), "high"),
    "softplus high zero": (lambda: ref.softplus_bounded_positive(0.0, 0.1, 0.0), "high"),
    "softplus low negative": (lambda: ref.softplus_bounded_positive(0.0, -1.0), "low"),
    "tanh low zero": (lambda: ref.tanh_bounded_positive(0.0, 0.0, 1.0), "low"),
    "tanh high <= low": (lambda: ref.tanh_bounded_positive(0.0, 2.0, 1.0), "high"),
    "tanh high missing": (lambda: ref.tanh_bounded_positive(0.0, 1.0, None), "high"),
    "tanh high infinite": (lambda: ref.tanh_bounded_positive(0.0, 1.0, math.inf), "high"),
    # vec, dtype, actions
    "vec last dim": (lambda: TG.log_prob(np.zeros(3), np.zeros(2), F64), "vec"),
    "vec scalar": (lambda: MULTIBINARY.entropy(np.float64(0.0), F64), "vec"),
    "vec integer": (lambda: TG.mean(np.zeros(4, dtype=int), F64), "vec"),
    "vec NaN": (lambda: TG.mean(np.array([0.0, np.nan, 0.0, 0.0]), F64), "vec"),
    "vec inf": (lambda: BETA.mean(np.array([np.inf, 0.0]), F64), "vec"),
    "vec not float32": (lambda: TG.mean(np.full(4, 0.1), np.float32), "vec"),
    "dtype float16": (lambda: TG.mean(VEC4, np.float16), "dtype"),
    "dtype int": (lambda: TG.mean(VEC4, np.int64), "dtype"),
    "dtype nonsense": (lambda: TG.mean(VEC4, "no such dtype"), "dtype"),
    "action last dim": (lambda: TG.log_prob(VEC4, np.zeros(3), F64), "action"),
    "action above 1": (lambda: TG.log_prob(VEC4, np.array([0.0, 1.5]), F64), "action"),
    "action NaN": (lambda: BETA.log_prob(np.zeros(2), np.array([np.nan]), F64), "action"),
    "action batch": (lambda: TG.log_prob(np.zeros((3, 4)), np.zeros((2, 2)), F64), "action"),
    "action cdf": (lambda: GMM.cdf(np.zeros(6), np.array([-1.5]), F64), "action"),
    "u last dim": (lambda: TG.log_prob_presquash(VEC4, np.zeros(1), F64), "u"),
    "u inf": (lambda: GMM.log_prob_presquash(np.zeros(6), np.array([np.inf]), F64), "u"),
    "index out of range": (lambda: DISCRETE.log_prob(np.zeros(3), np.array(3), F64), "action"),
    "index negative": (lambda: DISCRETE.log_prob(np.zeros(3), np.array(-1), F64), "action"),
    "index float": (lambda: DISCRETE.log_prob(np.zeros(3), np.array(1.0), F64), "action"),
    "index batch": (lambda: DISCRETE.log_prob(np.zeros((2, 3)), np.zeros(3, int), F64), "action"),
    "buffer last dim": (lambda: DISCRETE.action_from_buffer(np.ones(2), F64), "action"),
    "outcome not binary": (lambda: MULTIBINARY.log_prob(np.zeros(2), [0, 2], F64), "action"),
    "outcome last dim": (lambda: MULTIBINARY.log_prob(np.zeros(2), [0], F64), "action"),
    "soft action last dim": (lambda: DLC.log_prob(np.ones(2)), "action"),
    "noise last dim": (lambda: DLC.straight_through_jacobian(np.zeros(4)), "gumbel_noise"),
    # Beta implicit reparameterization
    "implicit x at 0": (lambda: ref.Beta.implicit_dx_dparams(2.0, 2.0, 0.0), "x"),
    "implicit x above 1": (lambda: ref.Beta.implicit_dx_dparams(2.0, 2.0, 1.5), "x"),
    "implicit alpha zero": (lambda: ref.Beta.implicit_dx_dparams(0.0, 2.0, 0.5), "alpha"),
    "implicit beta negative": (lambda: ref.Beta.implicit_dx_dparams(2.0, -1.0, 0.5), "beta"),
    # the arbiter validates the same way, and takes one point at a time
    "arbiter vec last dim": (
        lambda: tanh_gaussian_arbiter.log_prob(TG, np.zeros(3), np.zeros(2), F64),
        "vec",
    ),
    "arbiter batch": (
        lambda: tanh_gaussian_arbiter.mean(TG, np.zeros((2, 4)), F64),
        "vec",
    ),
    "arbiter index": (lambda: discrete_arbiter.log_prob(DISCRETE, np.zeros(3), 5, F64), "action"),
    "arbiter implicit alpha": (lambda: beta_arbiter.implicit_dx_dparams(-1.0, 2.0, 0.5), "alpha"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_bad_input_raises_value_error_naming_it(case: str) -> None:
    call, parameter = CASES[case]
    with pytest.raises(ValueError, match=parameter):
        call()


# Configurations that give a valid distribution are accepted (SPEC §5: reject only those
# that give none), as upstream accepts them: a clip_prob_low above 1/d (q is clamped, r =
# q / sum q is still a categorical), equal bounds (a fixed parameter, or the uniform
# categorical).
ACCEPTED_DISCRETES = {
    "d * clip_prob_low > 1": ref.Discrete(4, clip_prob_low=0.3),
    "default clips at d = 2000": ref.Discrete(2000),
    "clip_prob_low == clip_prob_high": ref.Discrete(4, clip_prob_low=0.5, clip_prob_high=0.5),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED_DISCRETES))
def test_reference_accepts_a_discrete_that_gives_a_categorical(name: str) -> None:
    """Finite probabilities >= 0 summing to 1 within (d + 4 + ln d) u (u = eps64/2; the
    model of test_reference_discrete_accepts_a_floor_above_one_over_d), and finite logits."""
    output = ACCEPTED_DISCRETES[name]
    d = output.d_action
    vecs = np.random.default_rng(d).normal(0.0, 3.0, size=(5, d))
    params = output.params(vecs, F64)
    assert np.all(np.isfinite(params.probs)) and np.all(params.probs >= 0)
    assert np.all(np.isfinite(params.logits))
    for row in params.probs:
        assert abs(math.fsum(row) - 1.0) <= (d + 4 + math.log(d)) * EPS64 / 2


# Raw network outputs across the activations' range, saturated ends included.
RAW = np.array([-800.0, -30.0, -1.0, 0.0, 2.5, 40.0, 1e6])


def test_reference_accepts_equal_activation_bounds_as_a_fixed_parameter() -> None:
    """high == low: softplus_bounded_positive clamps to high = low exactly; tanh_bounded_positive
    is exp(log low + 0): log low is within 1 ulp (eps |log low| absolute), which exp turns into
    a relative error and adds its own ulp: <= eps (|log low| + 1) <= 2 eps for the bounds here
    (|log low| <= 1), checked at 4 eps."""
    np.testing.assert_array_equal(ref.softplus_bounded_positive(RAW, 0.7, 0.7), 0.7)
    np.testing.assert_allclose(ref.tanh_bounded_positive(RAW, 0.7, 0.7), 0.7, rtol=4 * EPS64)
    vec = np.concatenate([np.zeros(7), RAW])  # mu = 0, raw stds RAW
    sigma = ref.TanhGaussian(7, std_low=0.5, std_high=0.5).params(vec, F64).sigma
    np.testing.assert_allclose(sigma, 0.5, rtol=4 * EPS64)
    gmm = ref.GMM(7, gmm_modes=1, std_low=0.25, std_high=0.25)
    np.testing.assert_array_equal(gmm.params(np.concatenate([vec, [0.0]]), F64).stds, 0.25)
    beta = ref.Beta(7, alpha_low=2.0, alpha_high=2.0, beta_low=3.0, beta_high=3.0)
    params = beta.params(np.concatenate([RAW, RAW]), F64)
    np.testing.assert_array_equal(params.alpha, 2.0)
    np.testing.assert_array_equal(params.beta, 3.0)
    # A valid density: finite log_prob inside (-1, 1).
    assert np.all(np.isfinite(beta.log_prob(np.concatenate([RAW, RAW]), np.full(7, 0.3), F64)))


def test_reference_beta_accepts_a_one_point_clip() -> None:
    """clip (l, l): every action is scored at l, bit for bit the unclipped density there (the
    same operations on the same clamped value)."""
    vec = np.array([0.3, -1.2])
    pinned = ref.Beta(1, clip_actions_on_log_prob=(0.5, 0.5))
    unclipped = ref.Beta(1, clip_actions_on_log_prob=(-1.0, 1.0))
    actions = np.array([[-1.0], [0.0], [0.5], [0.9], [1.0]])
    np.testing.assert_array_equal(
        pinned.log_prob(vec, actions, F64),
        np.broadcast_to(unclipped.log_prob(vec, np.array([0.5]), F64), (5, 1)),
    )
