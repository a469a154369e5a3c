"""SPEC §4 Discrete and DiscreteLikeContinuous."""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import binom, chi2

import policy_dists_reference as reference
from policy_dists_catalogue import error_model
from policy_dists_suite.property_tests.error_messages import first_line_names
from policy_dists_suite.property_tests.numerics import (
    dlc_rsample_gradient,
    eps,
    gumbel_softmax_jacobian,
    recover_gumbel_softmax,
)
from policy_dists_suite.property_tests.registry import CASES, OutputCase, Support, case_params
from policy_dists_suite.property_tests.strategies import numpy_dtype

D = 4
LOW, HIGH = 0.001, 0.99  # Discrete's default clip_prob_low / clip_prob_high


def _logits(dtype: torch.dtype, rows: int = 6) -> torch.Tensor:
    vec = 3 * torch.randn(rows, D, dtype=dtype)
    vec[0, 0] = -20.0  # softmax ~ 1e-9 < clip_prob_low: the low clamp is active
    vec[1, 1] = 20.0  # softmax ~ 1 > clip_prob_high: the high clamp is active
    return vec


def _reference_probs(vec: torch.Tensor, low: float = LOW, high: float = HIGH) -> torch.Tensor:
    """r = clamp(softmax(vec), low, high) / sum, float64 from the same vec, gradient through
    the normalizer; the bounds are the dtype's floats (SPEC §2)."""
    dtype = vec.dtype
    lo, hi = float(torch.tensor(low, dtype=dtype)), float(torch.tensor(high, dtype=dtype))
    q = torch.softmax(vec.double(), -1).clamp(lo, hi)
    return q / q.sum(-1, keepdim=True)


# Error model for r: softmax carries <= D + 4 roundings relative to each probability; the
# clamp is 1-Lipschitz; the renormalization adds D + 1. So |r - r*| <= (2D + 10) eps r.
def _rtol(dtype: torch.dtype) -> float:
    return (2 * D + 10) * eps(dtype)


def test_probs_logits_entropy_are_the_clipped_renormalized_softmax(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    vec = _logits(dtype)
    dist = impl.Discrete(D)(vec)
    want = _reference_probs(vec)
    torch.testing.assert_close(dist.probs.double(), want, rtol=_rtol(dtype), atol=0)
    # log r: an absolute error of the relative error of r, plus the log's own rounding.
    torch.testing.assert_close(
        dist.logits.double(), want.log(), rtol=0, atol=_rtol(dtype) + 2 * eps(dtype)
    )
    # -sum r log r: each term moves by |1 + log r| * dr with dr <= rtol * r.
    entropy = -(want * want.log()).sum(-1)
    tol = _rtol(dtype) * (want * (1 + want.log().abs())).sum(-1) + D * eps(dtype)
    assert bool(((dist.entropy().double() - entropy).abs() <= tol).all())
    # The renormalization can push r out of [low, high]; row 1's clipped mass is
    # 0.99 + 3 * 0.001 (softmax of the others is < 1e-8 each), so r_1 = 0.99 / 0.993 > 0.99.
    assert float(dist.probs[1, 1]) > HIGH


# Clip configurations whose log-probabilities underflow (a low bound that is 0, or below the
# smallest normal number in float32), and so need the log-space clamp: (low, high, vec row).
# A dominant class held at high < 1 with low = 0; a class 200 nats down held at a low of 1e-40.
_UNDERFLOWING_CLIPS = (
    (0.0, 0.5, (30.0, 0.0, 0.0, 0.0)),
    (1e-40, 1.0, (0.0, -200.0, 0.0, 0.0)),
)


@pytest.mark.parametrize(("low", "high", "row"), _UNDERFLOWING_CLIPS)
def test_clip_bounds_hold_where_probabilities_underflow(
    impl: types.ModuleType, dtype: torch.dtype, low: float, high: float, row: tuple
) -> None:
    """log r_k = log clamp(p_k, low, high) - log sum_j clamp(p_j, low, high) with the bounds
    in the dtype (SPEC §2), also where p_k underflows: the reference's log r, within the
    LOG_PROB budget of its condition sum (error_model.discrete_cond) plus the reference's."""
    vec = torch.tensor([row], dtype=dtype)
    dist = impl.Discrete(D, clip_prob_low=low, clip_prob_high=high)(vec)
    ref = reference.Discrete(d_action=D, clip_prob_low=low, clip_prob_high=high)
    vec64 = vec.double().numpy()
    want = ref.params(vec64, numpy_dtype(dtype)).logits
    index = np.arange(D).reshape(1, D)
    cond = np.stack(
        [error_model.discrete_cond(ref, vec64, index[:, k], dtype) for k in range(D)], -1
    )
    tolerance = error_model.cond_tolerance("Discrete", "log_prob", want, cond, dtype, True)
    for name, got in (
        ("logits", dist.logits),
        ("log_prob", dist.log_prob(torch.arange(D).reshape(D, 1)).reshape(1, D)),
    ):
        error = np.abs(got.double().numpy() - want)
        assert bool((error <= tolerance).all()), (
            f"Discrete(clip_prob_low={low}, clip_prob_high={high}) {name} at vec {row}: "
            f"got {got.tolist()}, expected {want.tolist()} within {tolerance.tolist()}"
        )


def test_enumerate_support_expands_by_default(impl: types.ModuleType) -> None:
    """torch's default: enumerate_support() is enumerate_support(expand=True)."""
    dist = impl.Discrete(D)(torch.randn(2, 3, D))
    assert torch.equal(dist.enumerate_support(), dist.enumerate_support(expand=True))


def test_entropy_takes_0_log_0_as_0_when_a_logit_overflows(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    """clip_prob_low = 0 lets a probability underflow to 0, and a vec that spans the float range
    overflows its log to -inf. The entropy still counts 0 log 0 as 0: -sum r log r of the
    exact r, with gradient -r_j (log r_j + H) = 0 for both rows here."""
    big = torch.finfo(dtype).max
    vec = torch.tensor([[-big, big, 0.0, 0.0], [-big, 0.0, 0.0, 0.0]], dtype=dtype)
    vec.requires_grad_()
    entropy = impl.Discrete(D, clip_prob_low=0.0, clip_prob_high=1.0)(vec).entropy()
    # The exact r: one-hot (H = 0) and (0, 1/3, 1/3, 1/3) (H = log 3). As in
    # test_probs_logits_entropy_are_the_clipped_renormalized_softmax: each term moves by
    # |1 + log r| rtol r, plus the sum's roundings.
    want = torch.tensor([0.0, math.log(3)], dtype=torch.float64)
    tol = _rtol(dtype) * (1 + math.log(3)) + D * eps(dtype)
    assert bool(((entropy.double() - want).abs() <= tol).all()), entropy
    (grad,) = torch.autograd.grad(entropy.sum(), vec)
    # Each entry sums <= D products of size <= r (|log r| + H) <= 1, each within rtol.
    assert bool((grad.abs() <= D * _rtol(dtype)).all()), grad


def test_probs_gradient_flows_through_the_normalizer(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    vec = _logits(dtype).requires_grad_()
    weights = torch.randn(vec.shape, dtype=dtype)
    (got,) = torch.autograd.grad((impl.Discrete(D)(vec).probs * weights).sum(), vec)
    vec64 = vec.detach().double().requires_grad_()
    (want,) = torch.autograd.grad((_reference_probs(vec64) * weights.double()).sum(), vec64)
    # The gradient is a sum of <= 2D products of factors each within (2D + 10) eps of
    # exact, scaled by sum |w| per row. A detached normalizer changes it by O(|w| r), far more.
    tol = 2 * _rtol(dtype) * weights.abs().sum(-1, keepdim=True).double()
    assert bool(((got.double() - want).abs() <= tol).all()), (got, want)


def test_log_prob_of_indices(impl: types.ModuleType, dtype: torch.dtype) -> None:
    vec = _logits(dtype, rows=6).reshape(2, 3, D)
    dist = impl.Discrete(D)(vec)
    want = _reference_probs(vec).log()
    tol = _rtol(dtype) + 2 * eps(dtype)
    index = torch.randint(0, D, (2, 3))
    log_prob = dist.log_prob(index)
    assert log_prob.shape == (2, 3)
    torch.testing.assert_close(
        log_prob.double(), want.gather(-1, index[..., None])[..., 0], rtol=0, atol=tol
    )
    # Indices broadcast against the batch shape.
    row = torch.randint(0, D, (3,))
    broadcast = dist.log_prob(row)
    assert broadcast.shape == (2, 3)
    torch.testing.assert_close(broadcast, dist.log_prob(row.expand(2, 3)), rtol=0, atol=0)


@pytest.mark.extension("discrete_log_prob_of_sample")
@pytest.mark.parametrize("sample_shape", [(), (7,)])
def test_log_prob_of_sample_has_the_batch_shape(
    impl: types.ModuleType, sample_shape: tuple[int, ...]
) -> None:
    dist = impl.Discrete(D)(torch.randn(2, 3, D))
    sample = dist.sample(sample_shape)
    assert sample.shape == (*sample_shape, 2, 3, 1)
    log_prob = dist.log_prob(sample)
    assert log_prob.shape == (*sample_shape, 2, 3)
    assert torch.equal(log_prob, dist.log_prob(sample[..., 0]))


def test_rsample_raises(impl: types.ModuleType) -> None:
    """A categorical draw is not reparameterizable: rsample must not return one silently."""
    with pytest.raises(NotImplementedError):
        impl.Discrete(D)(torch.randn(3, D)).rsample()


@pytest.mark.extension("rsample_hint")
def test_rsample_raises_pointing_to_discrete_like_continuous(impl: types.ModuleType) -> None:
    with pytest.raises(NotImplementedError, match="DiscreteLikeContinuous"):
        impl.Discrete(D)(torch.randn(3, D)).rsample()


@pytest.mark.parametrize("kind", ["one_hot", "soft"])
def test_action_from_buffer_clips_and_renormalizes(
    impl: types.ModuleType, dtype: torch.dtype, kind: str
) -> None:
    # Two batch axes: the normalization runs over the action axis only.
    if kind == "one_hot":
        action = F.one_hot(torch.randint(0, D, (2, 5)), D).to(dtype)
    else:
        action = torch.softmax(4 * torch.randn(2, 5, D, dtype=dtype), -1)
    got = impl.Discrete(D).action_from_buffer(action)
    lo, hi = float(torch.tensor(LOW, dtype=dtype)), float(torch.tensor(HIGH, dtype=dtype))
    q = action.double().clamp(lo, hi)
    # Clamp exact, then a sum of D terms and a division: <= D + 2 roundings.
    torch.testing.assert_close(
        got.double(), q / q.sum(-1, keepdim=True), rtol=(D + 2) * eps(dtype), atol=0
    )


# ---- DiscreteLikeContinuous ----


def _is_one_hot(x: torch.Tensor) -> bool:
    return bool(((x == 0) | (x == 1)).all()) and bool((x.sum(-1) == 1).all())


def test_dlc_sample_and_rsample_are_exactly_one_hot(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    # The straight-through value must be the hard sample to the bit (every entry 0 or 1, one
    # 1 per row), not hard + soft - soft rounded. Equal logits make every category likely.
    vec = torch.cat([torch.zeros(128, D, dtype=dtype), _logits(dtype, rows=128)])
    dlc = impl.DiscreteLikeContinuous(impl.Discrete(D)(vec))
    assert _is_one_hot(dlc.sample())
    assert _is_one_hot(dlc.sample((3,)))
    assert _is_one_hot(dlc.rsample())


@pytest.mark.extension("dlc_rsample_sample_shape")
def test_dlc_rsample_takes_a_sample_shape(impl: types.ModuleType) -> None:
    logits = torch.randn(3, D, requires_grad=True)
    sample = impl.DiscreteLikeContinuous(torch.distributions.Categorical(logits=logits)).rsample(
        (7,)
    )
    assert sample.shape == (7, 3, D)
    assert _is_one_hot(sample)
    (grad,) = torch.autograd.grad((sample * torch.randn(7, 3, D)).sum(), logits)
    assert bool((grad != 0).any())


def _rsample_jacobian(dlc: object, logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(one rsample() of `dlc`, d sample[r, k] / d logits[r, j] as [r, k, j])."""
    sample = dlc.rsample()
    jac = torch.stack(
        [
            torch.autograd.grad(sample[:, k].sum(), logits, retain_graph=True)[0]
            for k in range(sample.shape[-1])
        ],
        dim=-2,
    )
    return sample, jac


def test_dlc_rsample_backward_is_the_gumbel_softmax_jacobian(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    # tau = 4 keeps softmax((logits + g) / tau) away from the simplex's corners, where
    # recovering (y, tau) from the Jacobian would be ill-conditioned.
    tau_set = 4.0
    logits = torch.randn(16, D, dtype=dtype, requires_grad=True)
    categorical = torch.distributions.Categorical(logits=logits)
    dlc = impl.DiscreteLikeContinuous(categorical, gumbel_softmax_temperature=tau_set)
    sample, jac = _rsample_jacobian(dlc, logits)
    assert _is_one_hot(sample)
    y, tau = recover_gumbel_softmax(jac)
    # y must be a point of the simplex whose argmax is the hard sample, and the whole
    # Jacobian (D^2 entries from D unknowns) must be (diag(y) - y y^T) / tau.
    assert bool((y > 0).all())
    assert torch.equal(y.argmax(-1), sample.argmax(-1))
    # Error model, with kappa = 1 / min_j y_j per row: an off-diagonal entry carries ~4
    # roundings of its own plus, from the categorical's logit normalization (whose Jacobian
    # is I - 1 p^T and annihilates J only in exact arithmetic), 2 eps p_j / y_j <= 2 kappa
    # eps relative; y is a ratio of 3 entries plus a normalization and tau a ratio of 5:
    # <= (16 kappa + 32) eps relative. A diagonal entry's 1 - y_k carries an absolute eps.
    e = eps(dtype)
    kappa = 1 / y.min(-1).values
    rel = (16 * kappa + 32) * e
    assert bool(((tau - tau_set).abs() <= rel * tau_set).all()), (tau, rel)
    model = gumbel_softmax_jacobian(y, tau)
    big = torch.maximum(y.unsqueeze(-1), y.unsqueeze(-2))
    tol = 4 * rel[:, None, None] * model.abs() + 8 * e * big / tau[:, None, None]
    error = (jac.double() - model).abs()
    assert bool((error <= tol).all()), float((error / tol).max())


def test_dlc_default_temperature_is_one_half(impl: types.ModuleType) -> None:
    # Same noise (same seed), so the gradients match exactly iff the temperatures do.
    default = dlc_rsample_gradient(impl.DiscreteLikeContinuous, seed=5)
    half = dlc_rsample_gradient(
        lambda c: impl.DiscreteLikeContinuous(c, gumbel_softmax_temperature=0.5), seed=5
    )
    one = dlc_rsample_gradient(
        lambda c: impl.DiscreteLikeContinuous(c, gumbel_softmax_temperature=1.0), seed=5
    )
    assert torch.equal(default, half)
    assert not torch.equal(default, one)


@pytest.mark.extension("dlc_soft_actions")
def test_dlc_log_prob_of_soft_and_one_hot_actions(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    """Never raises for soft actions: the validate_args-on instance is where torch's
    OneHotCategorical would."""
    vec = _logits(dtype)
    categorical = impl.Discrete(D)(vec)
    dlc = impl.DiscreteLikeContinuous(categorical)
    soft = torch.softmax(torch.randn(vec.shape, dtype=dtype), -1)
    for action in (soft, F.one_hot(soft.argmax(-1), D).to(dtype)):
        log_prob = dlc.log_prob(action)
        assert log_prob.shape == vec.shape[:-1]
        # log r[argmax a]: the categorical's log-probability of that index, within the
        # rounding of a recomputed log-softmax (4 ulps of log r, |log r| <= 7 here).
        want = categorical.log_prob(action.argmax(-1))
        torch.testing.assert_close(log_prob, want, rtol=4 * eps(dtype), atol=4 * 7 * eps(dtype))


def test_dlc_probs_logits_entropy_are_the_categoricals(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    categorical = impl.Discrete(D)(_logits(dtype))
    dlc = impl.DiscreteLikeContinuous(categorical)
    # Equal up to a re-normalization of the logits: 4 ulps (|log r| <= 7 here).
    e = eps(dtype)
    torch.testing.assert_close(dlc.probs, categorical.probs, rtol=4 * e, atol=0)
    torch.testing.assert_close(dlc.logits, categorical.logits, rtol=4 * e, atol=4 * 7 * e)
    torch.testing.assert_close(dlc.entropy(), categorical.entropy(), rtol=8 * D * e, atol=8 * D * e)


def test_dlc_wraps_a_torch_categorical(impl: types.ModuleType) -> None:
    categorical = torch.distributions.Categorical(logits=torch.randn(3, D))
    dlc = impl.DiscreteLikeContinuous(categorical)
    assert _is_one_hot(dlc.sample())
    index = torch.randint(0, D, (3,))
    torch.testing.assert_close(
        dlc.log_prob(F.one_hot(index, D).float()),
        categorical.log_prob(index),
        rtol=4e-7,
        atol=4 * 7 * 1.2e-7,
    )


@pytest.mark.parametrize("lead", [(), (3,), (2, 3)], ids=["1-D", "3", "2x3"])
@pytest.mark.extension("dlc_distribution")
def test_dlc_is_a_distribution_over_one_hot_vectors(
    impl: types.ModuleType, lead: tuple[int, ...]
) -> None:
    """batch_shape is the categorical's, event_shape (d,): a sample is sample_shape +
    batch_shape + event_shape."""
    dlc = impl.DiscreteLikeContinuous(impl.Discrete(D)(torch.randn(*lead, D)))
    assert isinstance(dlc, torch.distributions.Distribution)
    assert dlc.batch_shape == lead
    assert dlc.event_shape == (D,)
    assert dlc.sample((7,)).shape == (7, *dlc.batch_shape, *dlc.event_shape)


def test_dlc_log_prob_broadcasts_actions_over_the_batch(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    """One one-hot action (d,), or a row (3, d) of them, scored against batch (2, 3): the
    categorical's log-probability of that index at every batch entry."""
    categorical = impl.Discrete(D)(_logits(dtype).reshape(2, 3, D))
    dlc = impl.DiscreteLikeContinuous(categorical)
    for index in (torch.tensor(2), torch.randint(0, D, (3,))):
        log_prob = dlc.log_prob(F.one_hot(index, D).to(dtype))
        assert log_prob.shape == (2, 3)
        # As in test_dlc_log_prob_of_soft_and_one_hot_actions: 4 ulps of log r, |log r| <= 7.
        want = categorical.log_prob(index.expand(2, 3))
        torch.testing.assert_close(log_prob, want, rtol=4 * eps(dtype), atol=4 * 7 * eps(dtype))


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(
    "temperature",
    [0.0, -0.5, float("nan"), "0.5", True, None],
    ids=["zero", "negative", "nan", "str", "bool", "none"],
)
def test_dlc_rejects_a_bad_temperature_naming_class_and_parameter(
    impl: types.ModuleType, temperature: object
) -> None:
    """SPEC §5: temperature > 0 (a real number), else a ValueError naming the class and the
    parameter."""
    categorical = impl.Discrete(D)(torch.zeros(D))
    with pytest.raises(ValueError) as err:
        impl.DiscreteLikeContinuous(categorical, gumbel_softmax_temperature=temperature)
    parameter = "gumbel_softmax_temperature"
    assert first_line_names(err.value, "DiscreteLikeContinuous", parameter), err.value


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.distributions.Normal(0.0, 1.0),
        lambda: torch.zeros(D),
        object,
    ],
    ids=["Normal", "Tensor", "object"],
)
def test_dlc_rejects_a_non_categorical_naming_class_parameter_and_type(
    impl: types.ModuleType, make: Callable[[], object]
) -> None:
    """A categorical without `.logits` is a TypeError naming the class, the parameter and
    the type it received."""
    not_categorical = make()
    with pytest.raises(TypeError) as err:
        impl.DiscreteLikeContinuous(not_categorical)
    received = type(not_categorical).__name__
    assert first_line_names(err.value, "DiscreteLikeContinuous", "categorical", received), err.value


# 2e6 draws: see the power statement of the test below.
HALF_DRAWS = 2_000_000
FALSE_FAILURE = 1e-6


@pytest.mark.extension("half_in_float32")
@pytest.mark.parametrize("half", [torch.float16, torch.bfloat16], ids=["float16", "bfloat16"])
def test_dlc_samples_a_half_precision_categorical_in_float32(
    impl: types.ModuleType, half: torch.dtype
) -> None:
    """A float16/bfloat16 torch Categorical: sample() is float32 one-hot (SPEC §6: half
    precision is computed in float32), drawn with the categorical's probs.

    probs = (1/2, 3s/2, 1/2 - 3s/2), s the dtype's spacing in [1/2, 1): every value and the
    sum 1 are exact, but 1/2 + 3s/2 is a tie that the dtype rounds to 1/2 + 2s, so a CDF
    accumulated in the half dtype draws class 1 with 4/3 of its probability. Pearson's
    chi-square over n = 2e6 draws (all expected counts >= 1400), df 2, at 1e-6: false
    failure <= 1e-6. Power: that error has non-centrality n p_1 / 9 (+ class 2's share) =
    163 in float16 (1318 in bfloat16), detected with probability > 1 - 1e-12.
    """
    s = torch.finfo(half).eps / 2
    categorical = torch.distributions.Categorical(
        probs=torch.tensor([[0.5, 1.5 * s, 0.5 - 1.5 * s]], dtype=half)
    )
    dlc = impl.DiscreteLikeContinuous(categorical)
    sample = dlc.sample((HALF_DRAWS,))
    assert sample.dtype == torch.float32
    assert _is_one_hot(sample)
    counts = np.bincount(sample.argmax(-1).flatten().numpy(), minlength=3)
    pmf = categorical.probs.double()[0]
    expected = HALF_DRAWS * (pmf / pmf.sum()).numpy()
    statistic = float(((counts - expected) ** 2 / expected).sum())
    assert statistic <= chi2.isf(FALSE_FAILURE, 2), (counts, expected, statistic)


# Rows with classes of probability 0 (first, middle, last) and of probability 1.
MASKED_PROBS = [
    [0.0, 0.25, 0.75],
    [0.25, 0.0, 0.75],
    [0.25, 0.75, 0.0],
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
]


def _constant_rand(value: Callable[[torch.dtype], float]) -> Callable[..., torch.Tensor]:
    """A stand-in for torch.rand whose every draw is value(dtype)."""

    def rand(
        *size: Any, dtype: torch.dtype | None = None, device: Any = None, **_: Any
    ) -> torch.Tensor:
        shape = size[0] if len(size) == 1 and not isinstance(size[0], int) else size
        dtype = dtype or torch.get_default_dtype()
        return torch.full(tuple(shape), value(dtype), dtype=dtype, device=device)

    return rand


def test_a_class_of_probability_zero_is_never_drawn(
    impl: types.ModuleType, dtype: torch.dtype, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A masked action (logit -inf, or a softmax that underflows under clip_prob_low = 0) is
    never drawn, and a class of probability 1 always is: by Discrete.sample and by the
    wrapper's sample and rsample.

    torch.rand returns its range's ends 0 and 1 - eps/2 once in 2^24 float32 draws, too
    rarely to meet at random, so they are also forced: each draw is then that end.
    """
    probs = torch.tensor(MASKED_PROBS, dtype=dtype)
    allowed = probs > 0
    masked_logits = torch.distributions.Categorical(logits=probs.log())
    # exp(-1e4) is 0 in float32 and float64: softmax gives exact zeros, which clip_prob_low
    # = 0 keeps.
    discrete = impl.Discrete(3, clip_prob_low=0.0, clip_prob_high=1.0)(
        torch.where(allowed, probs.log(), -1e4)
    )
    assert bool((discrete.probs[~allowed] == 0).all())
    ends = {"0": lambda dt: 0.0, "1 - eps/2": lambda dt: 1.0 - torch.finfo(dt).eps / 2}
    for uniform in (None, *ends):
        with monkeypatch.context() as patch:
            if uniform is not None:
                patch.setattr(torch, "rand", _constant_rand(ends[uniform]))
            draws = 1000 if uniform is None else 2
            indices = [discrete.sample((draws,))[..., 0]]
            for categorical in (discrete, masked_logits):
                dlc = impl.DiscreteLikeContinuous(categorical)
                for one_hot in (dlc.sample((draws,)), dlc.rsample()):
                    assert _is_one_hot(one_hot), uniform
                    indices.append(one_hot.argmax(-1))
        for index in indices:
            drawn = allowed.expand(*index.shape, 3).gather(-1, index.unsqueeze(-1))
            assert bool(drawn.all()), (uniform, index)


@pytest.mark.extension("nan_samples")
def test_a_nan_vec_row_gives_nan_samples_and_log_probs(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    """NaN in vec: Discrete's integer samples cannot hold NaN, so they are valid indices whose
    log_prob is NaN; the wrapper's rsample row is NaN, never a plausible one-hot (its sample:
    test_one_nan_entry_of_vec_makes_every_draw_of_its_row_nan). Other rows are unaffected."""
    vec = _logits(dtype, rows=3)
    vec[0] = float("nan")
    discrete = impl.Discrete(D)(vec)
    index = discrete.sample((5,))
    assert bool(((index >= 0) & (index < D)).all()), index
    log_prob = discrete.log_prob(index)
    assert bool(log_prob[:, 0].isnan().all()), log_prob
    assert bool(log_prob[:, 1:].isfinite().all()), log_prob
    dlc = impl.DiscreteLikeContinuous(discrete)
    one_hot = dlc.rsample()
    assert bool(one_hot[0].isnan().all()), one_hot
    assert _is_one_hot(one_hot[1:])


@pytest.mark.parametrize("expand", [True, False], ids=["expand", "unexpanded"])
def test_enumerate_support_lists_the_classes_in_order(impl: types.ModuleType, expand: bool) -> None:
    """torch's enumerate_support: the classes 0..d-1 along the first axis, then batch_shape
    (or, as sample() returns them, batch_shape + (1,): SPEC §4), 1s when unexpanded; its
    log_prob is each class's, shape (d,) + batch_shape."""
    lead = (2, 3)
    dist = impl.Discrete(D)(torch.randn(*lead, D))
    support = dist.enumerate_support(expand=expand)
    batch = lead if expand else (1,) * len(lead)
    shapes = ((D, *batch), (D, *batch, 1))
    assert tuple(support.shape) in shapes, (
        f"Discrete enumerate_support(expand={expand}): got shape {tuple(support.shape)} "
        f"expected one of {shapes}"
    )
    classes = torch.arange(D).reshape(D, *(1,) * (support.dim() - 1))
    assert torch.equal(support, classes.expand_as(support)), (
        f"Discrete enumerate_support(expand={expand}): got {support.flatten().tolist()} "
        f"expected the classes 0..{D - 1} in order"
    )
    every = torch.arange(D).reshape(D, 1, 1).expand(D, *lead)
    got, want = dist.log_prob(support), dist.log_prob(every)
    assert tuple(got.shape) == (D, *lead) and torch.equal(got, want), (
        f"Discrete log_prob(enumerate_support(expand={expand})): got shape "
        f"{tuple(got.shape)}, expected each class's log_prob, shape {(D, *lead)}"
    )


def test_outputs_follow_vec_not_the_default_device(impl: types.ModuleType) -> None:
    """Every tensor Discrete and the wrapper return is on vec's device, whatever torch's
    default device (torch.set_default_device) is: a tensor made without vec's device would
    land on the default one. The meta device stands in for an accelerator, so this needs no
    CUDA."""
    vec = torch.randn(2, 3, D)
    with torch.device("meta"):
        discrete = impl.Discrete(D)(vec)
        dlc = impl.DiscreteLikeContinuous(discrete)
        index = discrete.sample((5,))
        outputs = {
            "sample": index,
            "log_prob": discrete.log_prob(index.squeeze(-1)),  # the seed page's index shape
            "enumerate_support": discrete.enumerate_support(),
            "enumerate_support(expand=False)": discrete.enumerate_support(expand=False),
            "wrapper sample": dlc.sample((5,)),
            "wrapper rsample": dlc.rsample(),
            "wrapper log_prob": dlc.log_prob(dlc.sample()),
        }
    for name, value in outputs.items():
        assert value.device == vec.device, name


def test_dlc_draws_follow_the_logits_dtype_not_the_default_dtype(impl: types.ModuleType) -> None:
    """The wrapper's one-hot draws have the logits' working dtype whatever torch's default
    dtype (torch.set_default_dtype) is: a one-hot made without a dtype takes the default."""
    vec = torch.randn(2, 3, D, dtype=torch.float32)
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        dlc = impl.DiscreteLikeContinuous(impl.Discrete(D)(vec))
        draws = {"sample": dlc.sample((5,)), "rsample": dlc.rsample()}
    finally:
        torch.set_default_dtype(before)
    for name, value in draws.items():
        assert value.dtype == torch.float32, (
            f"DiscreteLikeContinuous {name}: dtype {value.dtype} under a float64 default dtype, "
            "expected the float32 of its logits"
        )


@pytest.mark.parametrize("case", case_params(tuple(c for c in CASES if c.name != "Discrete")))
def test_continuous_and_binary_draws_follow_vec_not_the_default_device(
    impl: types.ModuleType, case: OutputCase
) -> None:
    """As above for the other outputs' draws and their scores (meta device, no CUDA needed)."""
    vec = torch.randn(case.vec_shape((2,)))
    with torch.device("meta"):
        dist = case.distribution(impl, vec)
        sample = dist.sample((3,))
        outputs = {"sample": sample, "log_prob": dist.log_prob(sample)}
        if case.rsample is Support.YES:
            outputs["rsample"] = dist.rsample()
    for name, value in outputs.items():
        assert value.device == vec.device, name


# ---- d_action * clip_prob_low > 1 (SPEC §5): action spaces in the thousands at the default
# clips, as upstream accepts them ----

# (d, clip_prob_low, clip_prob_high): d in the thousands at the default clips, and a small
# d whose floor 0.3 is above 1/d.
FLOOR_ABOVE_ONE_OVER_D = [(1000, LOW, HIGH), (2000, LOW, HIGH), (4000, LOW, HIGH), (4, 0.3, 0.9)]
FLOOR_IDS = ["d1000", "d2000", "d4000", "d4-low0.3"]


def _large_d_logits(d: int, dtype: torch.dtype) -> torch.Tensor:
    """Four rows of (4, d): random; uniform (every p = 1/d <= low clamps up, r = 1/d); one
    class at 50 (p_0 ~ 1 clamps down to high, the rest up to low); min(500, d/2) classes at 0
    and the rest at -30 (each of those classes has p = 1/500 or 1/2, inside [low, high]: that
    mass is unclipped, the other classes clamp up)."""
    vec = 3 * torch.randn(4, d, dtype=dtype)
    vec[1] = 0.0
    vec[2] = 0.0
    vec[2, 0] = 50.0
    vec[3] = -30.0
    vec[3, : min(500, d // 2)] = 0.0
    return vec


def _sum_to_one_ulps(d: int) -> float:
    """|sum_k r_k - 1| in units of u = eps/2, for any implementation of r = q / sum q.

    However r is formed, its normalizer is a d-term sum of positive terms, which in any order
    is off by <= (d - 1) u relative and scales every r_k by the same factor. Each r_k adds
    its own roundings: a division (u), or, forming r as exp(log q_k - log sum q), the
    argument's rounding u |log r_k| and exp's <= 2 ulps (<= 4u). Summed with weights r_k:
    <= (d - 1 + 4) u + u sum_k r_k |log r_k| <= (d + 3 + ln d) u. The test sums with
    math.fsum (exact, then one rounding in float64)."""
    return d + 3 + math.log(d)


@pytest.mark.parametrize(("d", "low", "high"), FLOOR_ABOVE_ONE_OVER_D, ids=FLOOR_IDS)
def test_floor_above_one_over_d_gives_a_categorical(
    impl: types.ModuleType, dtype: torch.dtype, d: int, low: float, high: float
) -> None:
    """Discrete with d * clip_prob_low >= 1: probs are finite, >= 0, sum to 1 within
    _sum_to_one_ulps, and the floor bounds q, not r (row 2: r_k = low / (high + (d-1) low)
    < low for k >= 1)."""
    vec = _large_d_logits(d, dtype)
    dist = impl.Discrete(d, clip_prob_low=low, clip_prob_high=high)(vec)
    probs = dist.probs
    assert probs.shape == (4, d)
    assert probs.dtype == dtype
    assert bool(probs.isfinite().all()) and bool((probs >= 0).all())
    u = eps(dtype) / 2
    for row in probs.double().tolist():
        assert abs(math.fsum(row) - 1.0) <= _sum_to_one_ulps(d) * u + eps(torch.float64), d
    assert bool((probs[2, 1:] < float(torch.tensor(low, dtype=dtype))).all())
    assert bool(dist.logits.isfinite().all())


def _within(got: np.ndarray, want: np.ndarray, tol: np.ndarray, what: str) -> None:
    error = np.abs(got - want)
    worst = np.unravel_index(np.argmax(error - tol), error.shape)
    assert bool((error <= tol).all()), (
        f"Discrete {what}, index {worst}: got {got[worst]!r}, expected {want[worst]!r}, "
        f"tolerance {tol[worst]:.3g}"
    )


@pytest.mark.parametrize(("d", "low", "high"), FLOOR_ABOVE_ONE_OVER_D, ids=FLOOR_IDS)
def test_floor_above_one_over_d_agrees_with_the_reference(
    impl: types.ModuleType, dtype: torch.dtype, d: int, low: float, high: float
) -> None:
    """probs, logits and log_prob against policy_dists_reference.Discrete, same arguments.

    Error model: the suite's budgets (error_model: categorical_probs_ulps for probs, which
    counts the three normalizing d-term sums an implementation may hold; LOG_PROB with
    discrete_cond's S for log r, REFERENCE for the float64 reference). discrete_cond counts a
    normalizing sum as one rounding: each is off by <= (d - 1) u relative in any order
    (u = eps/2), 3 (d - 1) u = 1.5 (d - 1) eps absolute on each log r_k. The reference's two
    float64 sums are within the same terms in float64 units."""
    vec = _large_d_logits(d, dtype)
    dist = impl.Discrete(d, clip_prob_low=low, clip_prob_high=high)(vec)
    ref = reference.Discrete(d, clip_prob_low=low, clip_prob_high=high)
    vec_np = vec.double().numpy()
    want = ref.params(vec_np, numpy_dtype(dtype))
    sums = error_model.NORMALIZING_SUMS["Discrete"] * (d - 1)
    units = error_model.categorical_probs_ulps(
        ref, vec_np, dtype, error_model.NORMALIZING_SUMS["Discrete"]
    )
    tol = units * error_model.ulp(want.probs, dtype) + (
        error_model.REFERENCE.units + sums
    ) * error_model.ulp(want.probs, torch.float64)
    _within(dist.probs.double().numpy(), want.probs, tol, "probs")
    # S of every log r_k: discrete_cond with vec as (4, 1, d) broadcasts each row against
    # the (4, d) class indices.
    every_class = np.broadcast_to(np.arange(d), (4, d))
    cond = error_model.discrete_cond(ref, vec_np[:, None, :], every_class, dtype)
    log_tol = error_model.cond_tolerance("Discrete", "log_prob", want.logits, cond, dtype, True)
    log_tol = log_tol + 1.5 * (d - 1) * (eps(dtype) + eps(torch.float64))
    _within(dist.logits.double().numpy(), want.logits, log_tol, "logits")
    # log_prob at the distribution's own samples and at fixed classes, shape batch_shape.
    for index in (dist.sample()[..., 0], torch.tensor([0, d // 2, d - 1, 1])):
        log_prob = dist.log_prob(index)
        assert log_prob.shape == (4,)
        column = index.numpy()[:, None]
        _within(
            log_prob.double().numpy(),
            np.take_along_axis(want.logits, column, -1)[:, 0],
            np.take_along_axis(log_tol, column, -1)[:, 0],
            "log_prob",
        )


# Draws for the frequency check below; see its power statement.
LARGE_D_DRAWS = 20_000


@pytest.mark.parametrize(("d", "low", "high"), FLOOR_ABOVE_ONE_OVER_D, ids=FLOOR_IDS)
def test_floor_above_one_over_d_samples_indices_with_r(
    impl: types.ModuleType, d: int, low: float, high: float
) -> None:
    """sample() is int64 indices in [0, d) of shape sample_shape + batch_shape + (1,), and
    class 0 of row 2 is drawn with r_0 = high / (high + (d - 1) low) (0.50, 0.33, 0.20, 0.50
    for the four configurations), not with q_0 = high or softmax's ~1.

    The count of class 0 in n = 2e4 draws is Binomial(n, r_0); it is accepted between the
    binomial's 5e-7 and 1 - 5e-7 quantiles: false failure <= 1e-6. Power: the acceptance
    half-width is <= 4.9 sd, sd <= sqrt(0.25 / n) = 0.0035, so a sampling probability off by
    >= 0.035 (2 x 4.9 sd) is detected with probability >= 1 - 1e-6 (normal approximation)."""
    vec = _large_d_logits(d, torch.float64)
    dist = impl.Discrete(d, clip_prob_low=low, clip_prob_high=high)(vec)
    one = dist.sample()
    assert one.shape == (4, 1) and one.dtype == torch.int64
    draws = dist.sample((LARGE_D_DRAWS,))
    assert draws.shape == (LARGE_D_DRAWS, 4, 1) and draws.dtype == torch.int64
    assert bool(((draws >= 0) & (draws < d)).all()) and bool(((one >= 0) & (one < d)).all())
    r_0 = high / (high + (d - 1) * low)
    count = int((draws[:, 2, 0] == 0).sum())
    lo, hi = (
        binom.ppf(FALSE_FAILURE / 2, LARGE_D_DRAWS, r_0),
        binom.isf(FALSE_FAILURE / 2, LARGE_D_DRAWS, r_0),
    )
    assert lo <= count <= hi, (d, count, LARGE_D_DRAWS * r_0)
