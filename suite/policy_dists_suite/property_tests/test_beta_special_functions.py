"""Beta's special functions at the Stirling threshold, against 30-digit mpmath, in float64.

The default implementation evaluates log B(alpha, beta) by the classical lbeta split: lgamma
sums below 10, Stirling corrections once an argument is >= 10, with a separate formula when
both are. These tests sit on and around that threshold (10 exactly, 10.5, 11, 12, against
small, equal and large partners, ties included), where a regime choice or a lost gradient
path shows first. Parameters enter through an identity std_activation, so alpha and beta are
exact floats and vec's gradient is the gradient in (alpha, beta).

Error models (tolerance = budget units x eps64 x S, S the sum of the magnitudes of the terms
of the formula, as in policy_dists_catalogue.error_model):
- log_prob, entropy: the LOG_PROB / ENTROPY budgets with the condition sums of error_model's
  beta_cond / beta_entropy_cond (their activation terms vanish for an exact identity).
- d log_prob / d alpha = log x + psi(alpha + beta) - psi(alpha): GRAD units of
  |log x| + |psi(alpha + beta) - psi(alpha)| (log x and the digamma difference are each
  computed to a few ulps of themselves, then added once).
- d entropy / d alpha = (alpha-1)(psi'(alpha+beta) - psi'(alpha)) + (beta-1) psi'(alpha+beta),
  the implementation's closed form: GRAD units of the magnitudes of its three terms, plus
  TRIGAMMA_RELATIVE of them, because torch's float64 CPU polygamma(1, .) is accurate to
  4.9e-10 relative, measured on 6000 points of [1e-3, 1e6].
- entropy at huge parameters (1e20 .. float max): against 700-digit mpmath of the textbook
  sum, the ENTROPY budget of S = |log B| + |(a-1)(psi(a+b) - psi(a))| + |(b-1)(psi(a+b) -
  psi(b))|, the terms the implementation adds (the textbook terms reach a log a ~ 1e311).
Measured on these points, the implementation uses at most 1/8 of each budget.
"""

from __future__ import annotations

import itertools
import math
import types

import mpmath as mp
import numpy as np
import pytest
import torch

from policy_dists_catalogue.error_model import ENTROPY, EPS64, GRAD, LOG_PROB
from policy_dists_suite.property_tests.verdict import assert_within

DIGITS = 30
THRESHOLD = (10.0, 10.5, 11.0, 12.0)
PARTNERS = (0.3, 1.0, 3.0, 10.0, 1e3)
# (alpha, beta): each threshold value against each partner in both orders, ties, and the
# largest float below the threshold against it.
PAIRS = tuple(
    sorted(
        {pair for t, p in itertools.product(THRESHOLD, PARTNERS) for pair in ((t, p), (p, t))}
        | {(t, t) for t in THRESHOLD}
        | {(math.nextafter(10.0, 0.0), 10.0), (10.0, math.nextafter(10.0, 0.0))}
    )
)
ACTIONS = (-0.9, -0.5, 0.0, 0.3, 0.9)
# 2 x the measured maximum relative error of torch.polygamma(1, x), float64 on CPU (module doc).
TRIGAMMA_RELATIVE = 1e-9


def _identity(x: torch.Tensor, low: float, high: float | None) -> torch.Tensor:
    """An exact std_activation: vec holds alpha and beta themselves."""
    del low, high
    return x


def _vec() -> torch.Tensor:
    return torch.tensor(PAIRS, dtype=torch.float64, requires_grad=True)


def _distribution(impl: types.ModuleType, vec: torch.Tensor) -> torch.distributions.Distribution:
    return impl.Beta(1, std_activation=_identity)(vec)


@mp.workdps(DIGITS)
def _entropy_reference(alpha: float, beta: float) -> tuple[float, float, float, float, float]:
    """(H, S_H, dH/dalpha, S_G, trigamma terms' magnitudes) for Beta(alpha, beta) on [-1, 1]."""
    a, b = mp.mpf(alpha), mp.mpf(beta)
    terms = (
        mp.log(mp.beta(a, b)),
        -(a - 1) * mp.digamma(a),
        -(b - 1) * mp.digamma(b),
        (a + b - 2) * mp.digamma(a + b),
        mp.log(2),
    )
    trigamma = (-(a - 1) * mp.psi(1, a), (a - 1) * mp.psi(1, a + b), (b - 1) * mp.psi(1, a + b))
    magnitude = float(sum(abs(t) for t in trigamma))
    return (
        float(sum(terms)),
        float(sum(abs(t) for t in terms)),
        float(sum(trigamma)),
        magnitude,
        magnitude,
    )


@mp.workdps(DIGITS)
def _log_prob_reference(alpha: float, beta: float, action: float) -> tuple[float, ...]:
    """(log p, S, d/dalpha, S_alpha, d/dbeta, S_beta) at action a = 2x - 1."""
    a, b, c = mp.mpf(alpha), mp.mpf(beta), mp.mpf(action)
    log_x, log_y = mp.log((1 + c) / 2), mp.log((1 - c) / 2)
    terms = ((a - 1) * log_x, (b - 1) * log_y, -mp.log(mp.beta(a, b)), -mp.log(2))
    diff_alpha = mp.digamma(a + b) - mp.digamma(a)
    diff_beta = mp.digamma(a + b) - mp.digamma(b)
    return tuple(
        float(v)
        for v in (
            sum(terms),
            sum(abs(t) for t in terms),
            log_x + diff_alpha,
            abs(log_x) + abs(diff_alpha),
            log_y + diff_beta,
            abs(log_y) + abs(diff_beta),
        )
    )


def _assert_within(name: str, got: np.ndarray, want: np.ndarray, tol: np.ndarray) -> None:
    """|got - want| <= tol for (len(PAIRS), k) arrays; the failures listed by (alpha, beta)."""
    assert_within("Beta", name, got, want, tol, {"(alpha, beta)": np.array(PAIRS)})


@pytest.mark.extension("beta_entropy")
def test_entropy_and_its_gradient_at_the_stirling_threshold(impl: types.ModuleType) -> None:
    """H = log B - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b) + log 2 and
    dH/da = (a+b-2) psi'(a+b) - (a-1) psi'(a), likewise in b, to their budgets (module doc)."""
    vec = _vec()
    entropy = _distribution(impl, vec).entropy().reshape(-1)
    (grad,) = torch.autograd.grad(entropy.sum(), vec)
    ref = np.array([_entropy_reference(a, b) for a, b in PAIRS])
    swapped = np.array([_entropy_reference(b, a) for a, b in PAIRS])
    _assert_within(
        "entropy",
        entropy.detach().numpy()[:, None],
        ref[:, :1],
        ENTROPY.units * EPS64 * ref[:, 1:2],
    )
    want = np.stack((ref[:, 2], swapped[:, 2]), axis=-1)
    scale = np.stack((ref[:, 3], swapped[:, 3]), axis=-1)
    trigamma = np.stack((ref[:, 4], swapped[:, 4]), axis=-1)
    tol = GRAD.units * EPS64 * scale + TRIGAMMA_RELATIVE * trigamma
    _assert_within("d entropy / d (alpha, beta)", grad.numpy(), want, tol)


@pytest.mark.parametrize("action", ACTIONS)
def test_log_prob_and_its_parameter_gradients_at_the_stirling_threshold(
    impl: types.ModuleType, action: float
) -> None:
    """log p = (a-1) log x + (b-1) log(1-x) - log B(a, b) - log 2 and its gradients
    log x + psi(a+b) - psi(a), log(1-x) + psi(a+b) - psi(b), to their budgets (module doc)."""
    vec = _vec()
    actions = torch.full((len(PAIRS), 1), action, dtype=torch.float64)
    log_prob = _distribution(impl, vec).log_prob(actions).reshape(-1)
    (grad,) = torch.autograd.grad(log_prob.sum(), vec)
    ref = np.array([_log_prob_reference(a, b, action) for a, b in PAIRS])
    _assert_within(
        "log_prob",
        log_prob.detach().numpy()[:, None],
        ref[:, :1],
        LOG_PROB.units * EPS64 * ref[:, 1:2],
    )
    _assert_within(
        "d log_prob / d (alpha, beta)",
        grad.numpy(),
        ref[:, [2, 4]],
        GRAD.units * EPS64 * ref[:, [3, 5]],
    )


# One parameter huge, the other moderate: there the terms the implementation adds are O(log a),
# so the budget is tight. (Both huge: those terms grow like min(a, b); see README, known limits.)
HUGE = ((1e20, 1.69), (1e300, 2.0), (2.0, 1e300), (1e8, 0.3), (1.7e308, 1.5))


@pytest.mark.extension("beta_entropy")
def test_entropy_for_huge_parameters(impl: types.ModuleType) -> None:
    """H stays accurate where the textbook sum cancels terms of size a log a (it gave 0.69 for
    -43.9 at (1e20, 1.69)) or overflows to NaN (a ~ float max); error model in the module doc."""
    vec = torch.tensor(HUGE, dtype=torch.float64)
    got = _distribution(impl, vec).entropy().reshape(-1, 1).numpy()
    want, scale = [], []
    with mp.workdps(700):
        for alpha, beta in HUGE:
            a, b = mp.mpf(alpha), mp.mpf(beta)
            textbook = (
                mp.log(mp.beta(a, b))
                - (a - 1) * mp.digamma(a)
                - (b - 1) * mp.digamma(b)
                + (a + b - 2) * mp.digamma(a + b)
                + mp.log(2)
            )
            added = (
                mp.log(mp.beta(a, b)),
                (a - 1) * (mp.digamma(a + b) - mp.digamma(a)),
                (b - 1) * (mp.digamma(a + b) - mp.digamma(b)),
                mp.log(2),
            )
            want.append(float(textbook))
            scale.append(float(sum(abs(t) for t in added)))
    tol = ENTROPY.units * EPS64 * np.array(scale)
    assert_within("Beta", "entropy", got[:, 0], np.array(want), tol, {"(alpha, beta)": HUGE})
