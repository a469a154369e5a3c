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
    "std_high equal low": (lambda: ref.GMM(1, std_low=0.1, std_high=0.1), "std_high"),
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
    "d * clip_prob_low > 1": (lambda: ref.Discrete(4, clip_prob_low=0.3), "clip_prob_low"),
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
