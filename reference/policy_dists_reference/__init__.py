"""policy_dists_reference: independent numpy/scipy reference densities for the policy outputs
of policy_dists (SPEC §3-§4), and an mpmath arbiter (`policy_dists_reference.arbiter`).
It never imports torch.

Inputs are the exact float values the implementation received: `vec` of shape (..., n) holding
float32 or float64 numbers, and `dtype` (np.float32 or np.float64), the implementation's working
dtype. dtype matters only where SPEC §2 clamps in it: the action clip bounds, softplus's `high`,
and Discrete's clip_prob bounds are rounded to dtype; all else is float64 math from those values.
vec (and continuous actions) must be finite `dtype` numbers, actions in [-1, 1]; bad input raises
ValueError naming the parameter.

Classes (constructors as in SPEC; std_activation by name or reference function):
  TanhGaussian(d_action, std_low, std_high, std_activation, clip_actions_on_log_prob)
  GMM(d_action, gmm_modes, std_low, std_high, std_activation, clip_actions_on_log_prob)
  Beta(d_action, alpha_low, alpha_high, beta_low, beta_high, std_activation,
       clip_actions_on_log_prob)
  Discrete(d_action, clip_prob_low, clip_prob_high)
  Multibinary(d_action)
  DiscreteLikeContinuous(logits, gumbel_softmax_temperature)  -- holds the logits (..., d)
Methods (numpy, vectorized; batch shapes of vec and action broadcast):
  params(vec, dtype)                      dataclass of float64 arrays: TanhGaussianParams(mu,
                                          sigma), GMMParams(means, stds, log_weights),
                                          BetaParams(alpha, beta), CategoricalParams(probs,
                                          logits), BernoulliParams(probs, logits)
  log_prob(vec, action, dtype)            TanhGaussian/Beta/Multibinary (..., d); GMM (..., 1);
                                          Discrete (...) for indices of shape (...) or (..., 1)
  log_prob_presquash(vec, u, dtype)       TanhGaussian, GMM: own-sample scoring from u
  mean(vec, dtype)                        TanhGaussian, GMM, Beta, Multibinary
  entropy(vec, dtype)                     Beta, Discrete, Multibinary
  cdf(vec, action, dtype)                 TanhGaussian, GMM, Beta: marginal CDF, unclipped
  pmf(vec, dtype)                         Discrete (..., d); Multibinary (..., d, 2)
  clip_bounds(dtype)                      the clip bounds as the implementation holds them
  Beta.implicit_dx_dparams(alpha, beta, x)    (dx/dalpha, dx/dbeta) of implicit reparam.
  Discrete.action_from_buffer(action, dtype), Discrete.clip_probs(dtype), Multibinary.mode
  DiscreteLikeContinuous: params(), pmf(), entropy(), log_prob(action),
                          straight_through_sample(g), straight_through_jacobian(g)
Activations: softplus_bounded_positive(x, low, high=None), tanh_bounded_positive(x, low, high),
exp_clamped_log_std(x, low, high), biased_softplus(x, low).
"""

from .activations import (
    biased_softplus,
    exp_clamped_log_std,
    softplus_bounded_positive,
    tanh_bounded_positive,
)
from .beta import Beta, BetaParams
from .categorical import CategoricalParams
from .discrete import Discrete
from .discrete_like_continuous import DiscreteLikeContinuous
from .gmm import GMM, GMMParams
from .multibinary import BernoulliParams, Multibinary
from .tanh_gaussian import TanhGaussian, TanhGaussianParams

__all__ = [
    "GMM",
    "BernoulliParams",
    "Beta",
    "BetaParams",
    "CategoricalParams",
    "Discrete",
    "DiscreteLikeContinuous",
    "GMMParams",
    "Multibinary",
    "TanhGaussian",
    "TanhGaussianParams",
    "biased_softplus",
    "exp_clamped_log_std",
    "softplus_bounded_positive",
    "tanh_bounded_positive",
]
