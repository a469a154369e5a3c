"""Stochastic policy output distributions: a drop-in, exact and robust ``amago.nets.policy_dists``.

Every output maps an actor network's output ``vec`` of shape ``(..., input_dimension)`` to a
``torch.distributions.Distribution`` over actions.
"""

from policy_dists.activations import softplus_bounded_positive, tanh_bounded_positive
from policy_dists.base import PolicyOutput
from policy_dists.beta import Beta, ShiftedBeta
from policy_dists.discrete import ClippedCategorical, Discrete
from policy_dists.discrete_like_continuous import DiscreteLikeContinuous
from policy_dists.gmm import GMM, TanhGaussianMixture
from policy_dists.multibinary import IndependentBernoulli, Multibinary
from policy_dists.tanh_gaussian import SquashedNormal, TanhGaussian
from policy_dists.validation import set_validation, validation_enabled

__all__ = [
    "GMM",
    "Beta",
    "ClippedCategorical",
    "Discrete",
    "DiscreteLikeContinuous",
    "IndependentBernoulli",
    "Multibinary",
    "PolicyOutput",
    "ShiftedBeta",
    "SquashedNormal",
    "TanhGaussian",
    "TanhGaussianMixture",
    "set_validation",
    "softplus_bounded_positive",
    "tanh_bounded_positive",
    "validation_enabled",
]
