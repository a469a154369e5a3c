"""SPEC §5 configuration: gin bindings by upstream names, pickling, constructor validation."""

from __future__ import annotations

import functools
import inspect
import math
import pickle
import re
import types
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import gin
import pytest
import torch
from torch.distributions import Categorical

from policy_dists_suite.property_tests.error_messages import first_line_names
from policy_dists_suite.property_tests.numerics import HALF_LOG_2PI, dlc_rsample_gradient, eps
from policy_dists_suite.property_tests.registry import (
    CASES_BY_NAME,
    POLICY_OUTPUT_CASES,
    OutputCase,
    case_params,
)

LEAD = (3,)


def gin_selector(impl: types.ModuleType, name: str) -> str:
    """The complete selector gin registered for `impl`'s object `name`, or `name` itself when
    gin knows no such object. Bindings by the bare name would be ambiguous (or bind another
    module's configurable) when two implementations are loaded in one process; gin has no
    public look-up by object, so its registry is read directly."""
    target = getattr(impl, name, None)
    for selector, configurable in gin.config._REGISTRY.items():
        if target is not None and target in (configurable.wrapper, configurable.wrapped):
            return selector
    return name


@pytest.fixture
def gin_config(impl: types.ModuleType) -> Iterator[Callable[[str], None]]:
    """gin.parse_config of bindings written with the upstream names (`TanhGaussian.std_low`,
    `@softplus_bounded_positive`), each name resolved to `impl`'s own registration; every
    binding is cleared afterwards."""

    def parse(config: str) -> None:
        binding = re.compile(r"^(\s*)(\w+)\.", flags=re.MULTILINE)  # Name.param = ...
        reference = re.compile(r"@(\w+)")  # = @name
        config = binding.sub(lambda m: f"{m[1]}{gin_selector(impl, m[2])}.", config)
        gin.parse_config(reference.sub(lambda m: f"@{gin_selector(impl, m[1])}", config))

    gin.clear_config()
    yield parse
    gin.clear_config()


def _tanh_gaussian_sigma(output: Any, raw_std: float) -> float:
    """sigma from the density at a = 0 with mu = 0: log_prob(0) = -log sigma - log(2 pi)/2."""
    vec = torch.tensor([0.0, raw_std], dtype=torch.float64)
    return math.exp(
        -float(output(vec).log_prob(torch.zeros(1, dtype=torch.float64))) - HALF_LOG_2PI
    )


def test_gin_binds_tanh_gaussian_std_low(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config("TanhGaussian.std_low = 0.01")
    # raw std -1e3: tanh = -1, so sigma = std_low. sigma is exp(log low) after ~8 roundings.
    sigma = _tanh_gaussian_sigma(impl.TanhGaussian(1), -1e3)
    assert sigma == pytest.approx(0.01, rel=16 * eps(torch.float64))


@pytest.mark.extension("gin_activations")
def test_gin_binds_an_activation_reference(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config("TanhGaussian.std_activation = @softplus_bounded_positive")
    # softplus(0) + std_low = log 2 + e^-5; ~8 roundings.
    sigma = _tanh_gaussian_sigma(impl.TanhGaussian(1), 0.0)
    assert sigma == pytest.approx(math.log(2) + math.exp(-5), rel=16 * eps(torch.float64))


@pytest.mark.extension("gin_activations")
def test_gin_binds_beta_std_activation(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config(
        """
        Beta.std_activation = @tanh_bounded_positive
        Beta.alpha_high = 5.0
        Beta.beta_high = 5.0
        """
    )
    vec = torch.tensor([1e3, -1e3], dtype=torch.float64)  # alpha = alpha_high, beta = beta_low
    alpha, beta = 5.0, 1.0001
    # mean = 2 alpha / (alpha + beta) - 1 with ~12 roundings (activation included). The
    # default softplus activation would give alpha = 1001.0001 and a mean near 0.998.
    mean = float(impl.Beta(1)(vec).mean)
    assert mean == pytest.approx(2 * alpha / (alpha + beta) - 1, abs=16 * eps(torch.float64))


def test_gin_binds_gmm_modes(impl: types.ModuleType, gin_config: Callable[[str], None]) -> None:
    gin_config("GMM.gmm_modes = 2")
    assert impl.GMM(3).input_dimension == 2 * 2 * 3 + 2


def test_gin_binds_discrete_clip_prob_high(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config("Discrete.clip_prob_high = 0.999")
    vec = torch.tensor([50.0, 0.0, 0.0, 0.0], dtype=torch.float64)  # softmax ~ (1, 0, 0, 0)
    probs = impl.Discrete(4)(vec).probs
    # q = (0.999, 0.001, 0.001, 0.001), r = q / 1.002; ~6 roundings. With the default 0.99
    # the first probability would be 0.99 / 0.993.
    assert float(probs[0]) == pytest.approx(0.999 / 1.002, rel=8 * eps(torch.float64))


def test_gin_binds_gumbel_softmax_temperature(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config("DiscreteLikeContinuous.gumbel_softmax_temperature = 1.0")
    # Same noise (same seed), so the straight-through gradients match exactly iff the
    # temperatures do.
    bound = dlc_rsample_gradient(impl.DiscreteLikeContinuous, seed=3)
    one = dlc_rsample_gradient(
        lambda c: impl.DiscreteLikeContinuous(c, gumbel_softmax_temperature=1.0), seed=3
    )
    half = dlc_rsample_gradient(
        lambda c: impl.DiscreteLikeContinuous(c, gumbel_softmax_temperature=0.5), seed=3
    )
    assert torch.equal(bound, one)
    assert not torch.equal(bound, half)


def test_gin_binds_multibinary_d_action(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config("Multibinary.d_action = 3")
    assert impl.Multibinary().input_dimension == 3


# ---- constructor defaults: a drop-in keeps the seed page's ----

# Transcribed from the seed page's signatures; a string names the module's activation function.
_SEED_DEFAULTS: dict[str, dict[str, Any]] = {
    "TanhGaussian": {
        "std_low": 0.006737946999085467,
        "std_high": 7.38905609893065,
        "std_activation": "tanh_bounded_positive",
        "clip_actions_on_log_prob": (-0.99, 0.99),
    },
    "GMM": {
        "gmm_modes": 5,
        "std_low": 0.0001,
        "std_high": None,
        "std_activation": "softplus_bounded_positive",
    },
    "Beta": {
        "alpha_low": 1.0001,
        "alpha_high": None,
        "beta_low": 1.0001,
        "beta_high": None,
        "std_activation": "softplus_bounded_positive",
        "clip_actions_on_log_prob": (-0.99, 0.99),
    },
    "Discrete": {"clip_prob_low": 0.001, "clip_prob_high": 0.99},
    "DiscreteLikeContinuous": {"gumbel_softmax_temperature": 0.5},
}


def _explicit_seed_defaults(impl: types.ModuleType, name: str) -> dict[str, Any]:
    return {
        argument: getattr(impl, value) if isinstance(value, str) else value
        for argument, value in _SEED_DEFAULTS[name].items()
    }


@pytest.mark.parametrize("name", sorted(_SEED_DEFAULTS))
def test_constructor_defaults_are_the_seed_pages(impl: types.ModuleType, name: str) -> None:
    """The signature shows the seed page's defaults, and omitting an argument behaves exactly
    as passing that default (identical bits: same code, same inputs)."""
    explicit = _explicit_seed_defaults(impl, name)
    parameters = inspect.signature(getattr(impl, name)).parameters
    for argument, value in explicit.items():
        assert parameters[argument].default == value, (argument, parameters[argument].default)
    if name == "DiscreteLikeContinuous":
        logits = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
        draws = []
        for kwargs in ({}, explicit):
            torch.manual_seed(0)
            draw = impl.DiscreteLikeContinuous(Categorical(logits=logits), **kwargs).rsample()
            draws.append((draw, torch.autograd.grad(draw[..., 0].sum(), logits)[0]))
        assert all(torch.equal(a, b) for a, b in zip(*draws, strict=True))
    else:
        case = CASES_BY_NAME[name]
        first = getattr(impl, name)(case.d_action)
        second = getattr(impl, name)(case.d_action, **explicit)
        _same_forward(case, case.d_action, first, second)


# ---- pickling (a PolicyOutput lives inside checkpoints) ----


def _same_forward(case: OutputCase, d_action: int, first: Any, second: Any) -> None:
    vec = torch.randn((*LEAD, first.input_dimension), dtype=torch.float64)
    kwargs = {**case.output_kwargs, "d_action": d_action}
    actions = case.make_actions(LEAD, kwargs, torch.float64, vec.device)
    assert first.input_dimension == second.input_dimension
    assert first.is_discrete == second.is_discrete
    assert first.actions_differentiable == second.actions_differentiable
    # Same code and constructor arguments on the same inputs: identical bits.
    assert torch.equal(first(vec).log_prob(actions), second(vec).log_prob(actions))
    if case.has_mean:
        assert torch.equal(first(vec).mean, second(vec).mean)


@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_pickle_round_trip(impl: types.ModuleType, case: OutputCase) -> None:
    output = case.policy_output(impl)
    _same_forward(case, case.d_action, output, pickle.loads(pickle.dumps(output)))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("TanhGaussian", {"d_action": 2, "std_activation": "softplus_bounded_positive"}),
        ("TanhGaussian", {"d_action": 2, "std_low": 0.1, "clip_actions_on_log_prob": (-0.5, 0.9)}),
        (
            "GMM",
            {
                "d_action": 2,
                "gmm_modes": 2,
                "std_activation": "tanh_bounded_positive",
                "std_high": 3.0,
            },
        ),
        ("Beta", {"d_action": 2, "alpha_high": 9.0, "beta_low": 2.0}),
        ("Discrete", {"d_action": 4, "clip_prob_low": 0.0, "clip_prob_high": 1.0}),
    ],
)
def test_pickle_round_trip_keeps_constructor_arguments(
    impl: types.ModuleType, name: str, kwargs: dict[str, Any]
) -> None:
    if isinstance(kwargs.get("std_activation"), str):
        kwargs = {**kwargs, "std_activation": getattr(impl, kwargs["std_activation"])}
    output = getattr(impl, name)(**kwargs)
    case = CASES_BY_NAME[name]
    _same_forward(case, kwargs["d_action"], output, pickle.loads(pickle.dumps(output)))


@pytest.mark.extension("gin_activations")
def test_pickle_round_trip_under_gin_bindings(
    impl: types.ModuleType, gin_config: Callable[[str], None]
) -> None:
    gin_config("TanhGaussian.std_activation = @softplus_bounded_positive")
    output = impl.TanhGaussian(3)
    case = CASES_BY_NAME["TanhGaussian"]
    _same_forward(case, 3, output, pickle.loads(pickle.dumps(output)))


def test_a_wrapper_of_a_builtin_activation_is_called_as_given(impl: types.ModuleType) -> None:
    """functools.wraps makes a user's wrapper look like the built-in (same name, `__wrapped__`);
    only gin's own wrapper may be swapped for the built-in, never one that changes the value."""

    @functools.wraps(impl.softplus_bounded_positive)
    def doubled(x: torch.Tensor, low: float, high: float | None = None) -> torch.Tensor:
        return 2.0 * impl.softplus_bounded_positive(x, low, high)

    plain = impl.TanhGaussian(1, std_activation=impl.softplus_bounded_positive)
    wrapped = impl.TanhGaussian(1, std_activation=doubled)
    raw_std = 0.3
    # Both sigmas come from the same float64 log-density at a = 0 (error ~1e-16 relative); the
    # factor 2 is exact in binary, so anything off by more than 1e-12 is a different sigma.
    ratio = _tanh_gaussian_sigma(wrapped, raw_std) / _tanh_gaussian_sigma(plain, raw_std)
    assert ratio == pytest.approx(2.0, rel=1e-12)


# ---- constructor validation (SPEC §5): ValueError naming the parameter ----

_INVALID: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("TanhGaussian", {"d_action": 0}, ("d_action",)),
    ("TanhGaussian", {"d_action": -2}, ("d_action",)),
    ("TanhGaussian", {"d_action": 2, "std_low": 0.0}, ("std_low",)),
    ("TanhGaussian", {"d_action": 2, "std_low": -0.1}, ("std_low",)),
    ("TanhGaussian", {"d_action": 2, "std_low": 1.0, "std_high": 0.5}, ("std_low", "std_high")),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": (-1.5, 0.9)},
        ("clip_actions_on_log_prob",),
    ),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": (-0.9, 1.01)},
        ("clip_actions_on_log_prob",),
    ),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": (0.5, 0.5)},
        ("clip_actions_on_log_prob",),
    ),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": (0.9, -0.9)},
        ("clip_actions_on_log_prob",),
    ),
    ("GMM", {"d_action": 0}, ("d_action",)),
    ("GMM", {"d_action": 2, "gmm_modes": 0}, ("gmm_modes",)),
    ("GMM", {"d_action": 2, "std_low": 0.0}, ("std_low",)),
    ("GMM", {"d_action": 2, "std_low": 1.0, "std_high": 0.5}, ("std_low", "std_high")),
    ("GMM", {"d_action": 2, "std_activation": "softplus"}, ("std_activation",)),
    ("TanhGaussian", {"d_action": 2, "std_activation": None}, ("std_activation",)),
    ("TanhGaussian", {"d_action": 2, "std_high": None}, ("std_high",)),
    ("TanhGaussian", {"d_action": True}, ("d_action",)),
    ("GMM", {"d_action": 2.0}, ("d_action",)),
    ("Discrete", {"d_action": 4, "clip_prob_low": "0.1"}, ("clip_prob_low",)),
    ("Discrete", {"d_action": 4, "clip_prob_high": None}, ("clip_prob_high",)),
    # Numbers only: not a bool, a string or NaN; a lower bound is finite.
    ("TanhGaussian", {"d_action": 2, "std_low": True}, ("std_low",)),
    ("TanhGaussian", {"d_action": 2, "std_low": "0.1"}, ("std_low",)),
    ("GMM", {"d_action": 2, "std_low": math.inf}, ("std_low",)),
    ("GMM", {"d_action": 2, "std_high": "big"}, ("std_high",)),
    ("Beta", {"d_action": 2, "beta_low": 2.0, "beta_high": math.nan}, ("beta_high",)),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": 0.9},
        ("clip_actions_on_log_prob",),
    ),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": (None, 0.9)},
        ("clip_actions_on_log_prob",),
    ),
    (
        "TanhGaussian",
        {"d_action": 2, "clip_actions_on_log_prob": (-0.9, "0.9")},
        ("clip_actions_on_log_prob",),
    ),
    ("Beta", {"d_action": 2, "std_activation": 1.0}, ("std_activation",)),
    ("Beta", {"d_action": 0}, ("d_action",)),
    (
        "Beta",
        {"d_action": 2, "clip_actions_on_log_prob": (0.2, 0.1)},
        ("clip_actions_on_log_prob",),
    ),
    # SPEC §5 states `0 < std_low < std_high`; Beta's alpha/beta bounds play that role.
    ("Beta", {"d_action": 2, "alpha_low": 0.0}, ("alpha_low",)),
    ("Beta", {"d_action": 2, "alpha_low": 2.0, "alpha_high": 1.5}, ("alpha_low", "alpha_high")),
    ("Beta", {"d_action": 2, "beta_low": -1.0}, ("beta_low",)),
    ("Discrete", {"d_action": 0}, ("d_action",)),
    ("Discrete", {"d_action": 4, "clip_prob_low": -0.1}, ("clip_prob_low",)),
    ("Discrete", {"d_action": 4, "clip_prob_high": 1.1}, ("clip_prob_high",)),
    # An empty range (low > high), or q = clamp(p, 0, 0) = 0 with nothing to normalize.
    (
        "Discrete",
        {"d_action": 4, "clip_prob_low": 0.5, "clip_prob_high": 0.4},
        ("clip_prob_low", "clip_prob_high"),
    ),
    (
        "Discrete",
        {"d_action": 4, "clip_prob_low": 0.0, "clip_prob_high": 0.0},
        ("clip_prob_low", "clip_prob_high"),
    ),
    # 1e-50 is 0 in float32: q = 0 there.
    (
        "Discrete",
        {"d_action": 4, "clip_prob_low": 0.0, "clip_prob_high": 1e-50},
        ("clip_prob_high",),
    ),
    # tanh_bounded_positive needs a finite log high: inf makes sigma inf, or NaN.
    ("TanhGaussian", {"d_action": 2, "std_high": math.inf}, ("std_high",)),
    ("Multibinary", {"d_action": 0}, ("d_action",)),
]


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(
    ("name", "kwargs", "params"), _INVALID, ids=[f"{n}-{k}" for n, k, _ in _INVALID]
)
def test_constructor_rejects_invalid_arguments(
    impl: types.ModuleType, name: str, kwargs: dict[str, Any], params: tuple[str, ...]
) -> None:
    """The error's first line names the class and the offending parameters."""
    with pytest.raises(ValueError) as err:
        getattr(impl, name)(**kwargs)
    assert first_line_names(err.value, name, *params), (params, str(err.value))


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize("missing", ["alpha_high", "beta_high"])
def test_beta_with_tanh_activation_requires_both_upper_bounds(
    impl: types.ModuleType, missing: str
) -> None:
    """tanh_bounded_positive maps into (low, high): Beta names the missing bound."""
    highs = {"alpha_high": 5.0, "beta_high": 5.0, missing: None}
    with pytest.raises(ValueError) as err:
        impl.Beta(2, std_activation=impl.tanh_bounded_positive, **highs)
    assert first_line_names(err.value, "Beta", missing), str(err.value)


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize("name", ["TanhGaussian", "GMM"])
def test_tanh_activation_requires_std_high_at_construction(
    impl: types.ModuleType, name: str
) -> None:
    """tanh_bounded_positive takes log std_high: None is named when the output is built, not
    at its first forward (upstream fails there with a TypeError from math.log)."""
    with pytest.raises(ValueError) as err:
        getattr(impl, name)(2, std_activation=impl.tanh_bounded_positive, std_high=None)
    assert first_line_names(err.value, name, "std_high"), str(err.value)


@pytest.mark.extension("strict_validation")
@pytest.mark.extension("gmm_clip_kwarg")
@pytest.mark.parametrize("clip", [(-1.5, 0.9), (0.3, 0.3), (0.5, -0.5)])
def test_gmm_rejects_invalid_clip(impl: types.ModuleType, clip: tuple[float, float]) -> None:
    with pytest.raises(ValueError) as err:
        impl.GMM(2, clip_actions_on_log_prob=clip)
    assert first_line_names(err.value, "GMM", "clip_actions_on_log_prob"), str(err.value)


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize("temperature", [0.0, -0.5])
def test_discrete_like_continuous_rejects_non_positive_temperature(
    impl: types.ModuleType, temperature: float
) -> None:
    categorical = impl.Discrete(4)(torch.zeros(4))
    with pytest.raises(ValueError, match="gumbel_softmax_temperature"):
        impl.DiscreteLikeContinuous(categorical, gumbel_softmax_temperature=temperature)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("TanhGaussian", {"d_action": 1, "clip_actions_on_log_prob": (-1.0, 1.0)}),
        ("Beta", {"d_action": 1, "clip_actions_on_log_prob": (-1.0, 1.0)}),
        ("Discrete", {"d_action": 4, "clip_prob_low": 0.0, "clip_prob_high": 1.0}),
        ("Discrete", {"d_action": 4, "clip_prob_low": 0.25, "clip_prob_high": 1.0}),
        ("Discrete", {"d_action": 4, "clip_prob_low": 0.3, "clip_prob_high": 0.9}),
        ("Discrete", {"d_action": 4, "clip_prob_low": 0.5, "clip_prob_high": 0.5}),
        ("Discrete", {"d_action": 2000}),
        ("GMM", {"d_action": 1, "gmm_modes": 1, "std_high": 2.0}),
        ("GMM", {"d_action": 1, "std_low": 0.5, "std_high": 0.5}),
        ("TanhGaussian", {"d_action": 1, "std_low": 0.5, "std_high": 0.5}),
        ("Beta", {"d_action": 1, "alpha_low": 2.0, "alpha_high": 2.0}),
        ("Beta", {"d_action": 1, "clip_actions_on_log_prob": (0.5, 0.5)}),
    ],
)
def test_constructor_accepts_boundary_arguments(
    impl: types.ModuleType, name: str, kwargs: dict[str, Any]
) -> None:
    # The closed ends of SPEC §5's ranges are valid: -1 <= l < h <= 1, 0 <= low <= high <= 1,
    # std_low <= std_high, and any d_action * clip_prob_low (upstream accepts them all).
    output = getattr(impl, name)(**kwargs)
    vec = torch.randn(2, output.input_dimension)
    assert output(vec).sample().shape[0] == 2


# ---- accepted configurations give valid distributions (SPEC §5: reject only those that
# give none; upstream accepts each of these) ----


def test_discrete_with_floor_above_one_over_d_is_a_categorical(impl: types.ModuleType) -> None:
    """d_action * clip_prob_low = 1.2 > 1: q = clamp(p, 0.3, 0.9), r = q / sum q. Both rows
    have exact q, the float64 numbers 0.3 and 0.9 (p = 1/4 clamps up; softmax of 50 vs 0 is
    1 - 6e-22 and 2e-22, clamped to 0.9 and 0.3), so r is the exact ratio q / sum q up to
    <= 2 renormalizations (the clip's, and a torch Categorical's own, as upstream builds one),
    each 3 roundings of the sum and 1 of the division, plus the rounding of the exact ratio
    to float64 here: rel 9 u = 4.5 eps. Every r_k of row 0 and
    r_1..3 of row 1 lie below the floor 0.3: it bounds q, not r."""
    output = impl.Discrete(4, clip_prob_low=0.3, clip_prob_high=0.9)
    vec = torch.tensor([[0.0, 0.0, 0.0, 0.0], [50.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
    probs = output(vec).probs
    rows = [[Fraction(0.3)] * 4, [Fraction(0.9), *[Fraction(0.3)] * 3]]
    want = torch.tensor([[float(q / sum(row)) for q in row] for row in rows], dtype=torch.float64)
    torch.testing.assert_close(probs, want, rtol=4.5 * eps(torch.float64), atol=0)
    assert bool((probs[0] < 0.3).all()) and bool((probs[1, 1:] < 0.3).all())


def test_discrete_with_equal_clip_bounds_is_uniform(impl: types.ModuleType) -> None:
    """clip_prob_low == clip_prob_high: q = low for every class, r = 1/d whatever vec; q is
    exact, the sum of d = 4 equal terms 0.5 is exact, and so is 0.5 / 2."""
    output = impl.Discrete(4, clip_prob_low=0.5, clip_prob_high=0.5)
    vec = 5 * torch.randn(3, 4, dtype=torch.float64)
    assert torch.equal(output(vec).probs, torch.full((3, 4), 0.25, dtype=torch.float64))


@pytest.mark.parametrize("activation", ["tanh_bounded_positive", "softplus_bounded_positive"])
def test_tanh_gaussian_with_equal_std_bounds_has_that_std(
    impl: types.ModuleType, activation: str
) -> None:
    """std_low == std_high fixes sigma for every raw std: tanh_bounded_positive is exp(log low),
    softplus_bounded_positive clamps to high = low. sigma read back from log_prob within ~8
    roundings, as test_gin_binds_tanh_gaussian_std_low."""
    output = impl.TanhGaussian(
        1, std_low=0.5, std_high=0.5, std_activation=getattr(impl, activation)
    )
    for raw_std in (-1e3, -3.0, 0.0, 2.0, 1e3):
        sigma = _tanh_gaussian_sigma(output, raw_std)
        assert sigma == pytest.approx(0.5, rel=16 * eps(torch.float64)), raw_std


def test_tanh_gaussian_with_softplus_and_no_std_high_is_unbounded(
    impl: types.ModuleType,
) -> None:
    """std_high=None is unbounded for softplus_bounded_positive: raw std 1e3 gives sigma =
    1e3 + std_low. sigma = exp(-log_prob(0) - log(2 pi)/2), log_prob within 16 eps S with
    S = |log sigma| + log(2 pi)/2 < 8 (LOG_PROB), which exp makes relative."""
    output = impl.TanhGaussian(
        1, std_low=0.01, std_high=None, std_activation=impl.softplus_bounded_positive
    )
    sigma = _tanh_gaussian_sigma(output, 1e3)
    assert sigma == pytest.approx(1e3 + 0.01, rel=16 * 8 * eps(torch.float64))


def test_gmm_with_equal_std_bounds_has_that_std(impl: types.ModuleType) -> None:
    """std_low == std_high = 0.5 gives sigma = 0.5 for every raw std: log_prob is, bit for bit,
    that of an unbounded GMM at raw std -1e3, whose softplus underflows to 0 so that its
    sigma is exactly std_low (same code on the same values)."""
    actions = torch.tensor([[0.0], [0.3], [-0.9]], dtype=torch.float64)
    unbounded = impl.GMM(1, gmm_modes=1, std_low=0.5, std_high=None)
    at_low = torch.tensor([[0.2, -1e3, 0.0]], dtype=torch.float64).expand(3, 3)
    want = unbounded(at_low).log_prob(actions)
    fixed = impl.GMM(1, gmm_modes=1, std_low=0.5, std_high=0.5)
    for raw_std in (-1e3, 0.0, 1e3):
        vec = torch.tensor([[0.2, raw_std, 0.0]], dtype=torch.float64).expand(3, 3)
        assert torch.equal(fixed(vec).log_prob(actions), want), raw_std


def test_beta_with_equal_alpha_bounds_has_that_alpha(impl: types.ModuleType) -> None:
    """alpha_low == alpha_high = 2, beta_low == beta_high = 3: the mean 2 alpha/(alpha + beta)
    - 1 = -0.2 for every raw input, within 16 eps absolute (as test_gin_binds_beta_std_activation:
    ~12 roundings)."""
    output = impl.Beta(1, alpha_low=2.0, alpha_high=2.0, beta_low=3.0, beta_high=3.0)
    vec = torch.tensor([[-1e3, 1e3], [0.0, 0.0], [1e3, -5.0]], dtype=torch.float64)
    mean = output(vec).mean
    assert bool(((mean + 0.2).abs() <= 16 * eps(torch.float64)).all()), mean


def test_beta_with_a_one_point_clip_scores_every_action_there(impl: types.ModuleType) -> None:
    """clip (0.5, 0.5): every action clamps to 0.5, so log_prob(a) is log_prob(0.5) to the
    bit (same operations on the same values at the same positions)."""
    output = impl.Beta(2, clip_actions_on_log_prob=(0.5, 0.5))
    dist = output(torch.randn(3, 4, dtype=torch.float64))
    actions = torch.tensor([[-1.0, 1.0], [0.0, 0.2], [0.5, 0.9]], dtype=torch.float64)
    log_prob = dist.log_prob(actions)
    assert bool(log_prob.isfinite().all())
    assert torch.equal(log_prob, dist.log_prob(torch.full_like(actions, 0.5)))
