"""SPEC §4 API contract: flags, unsupported methods, action_from_buffer, `mean`, log_dict."""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
from scipy import special
from torch.utils._python_dispatch import TorchDispatchMode

from policy_dists_suite.property_tests.numerics import (
    eps,
    softplus_bounded_positive64,
    tanh_bounded_positive64,
)
from policy_dists_suite.property_tests.registry import (
    CASES,
    POLICY_OUTPUT_CASES,
    OutputCase,
    Support,
    case_params,
    log_dict_names,
)

aten = torch.ops.aten
LEAD = (3,)


@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_flags(impl: types.ModuleType, case: OutputCase) -> None:
    output = case.policy_output(impl)
    assert isinstance(output, impl.PolicyOutput)
    assert not isinstance(output, torch.nn.Module)
    assert output.is_discrete is case.is_discrete
    assert output.actions_differentiable is case.actions_differentiable


@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_call_is_forward(impl: types.ModuleType, case: OutputCase) -> None:
    output = case.policy_output(impl)
    vec = torch.randn(case.vec_shape(LEAD), dtype=torch.float64)
    actions = case.make_actions(LEAD, case.output_kwargs, torch.float64, vec.device)
    # Same code, same inputs: identical bits.
    assert torch.equal(output(vec).log_prob(actions), output.forward(vec).log_prob(actions))


@pytest.mark.parametrize(
    "case", case_params(tuple(c for c in CASES if c.rsample is Support.RAISES))
)
def test_rsample_raises_not_implemented(impl: types.ModuleType, case: OutputCase) -> None:
    dist = case.distribution(impl, torch.randn(case.vec_shape(LEAD)))
    with pytest.raises(NotImplementedError):
        dist.rsample()


@pytest.mark.parametrize(
    "case", case_params(tuple(c for c in CASES if c.entropy is Support.RAISES))
)
def test_entropy_raises_not_implemented(impl: types.ModuleType, case: OutputCase) -> None:
    dist = case.distribution(impl, torch.randn(case.vec_shape(LEAD)))
    with pytest.raises(NotImplementedError):
        dist.entropy()


# A method SPEC leaves open that policy-dists refuses: the entropy has no closed form.
_UNSUPPORTED_HERE = {("GMM", "entropy")}


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(
    ("case", "method"),
    [
        pytest.param(case, method, id=f"{case.name}-{method}")
        for case in CASES
        for method in ("rsample", "entropy")
        if getattr(case, method) is Support.RAISES or (case.name, method) in _UNSUPPORTED_HERE
    ],
)
def test_an_unsupported_method_names_the_class(
    impl: types.ModuleType, case: OutputCase, method: str
) -> None:
    dist = case.distribution(impl, torch.randn(case.vec_shape(LEAD)))
    with pytest.raises(NotImplementedError, match=rf"\b{case.name}\b"):
        getattr(dist, method)()


@pytest.mark.parametrize(
    "case", case_params(tuple(c for c in POLICY_OUTPUT_CASES if c.name != "Discrete"))
)
def test_action_from_buffer_defaults_to_identity(impl: types.ModuleType, case: OutputCase) -> None:
    actions = case.make_actions(LEAD, case.output_kwargs, torch.float32, torch.device("cpu"))
    assert torch.equal(case.policy_output(impl).action_from_buffer(actions), actions)


# ---- mean: the upstream meaning (the squashed location / the Beta mean), SPEC §4 ----


def test_tanh_gaussian_mean_is_tanh_of_mu(impl: types.ModuleType, dtype: torch.dtype) -> None:
    vec = 3 * torch.randn(4, 6, dtype=dtype)
    mean = impl.TanhGaussian(3)(vec).mean
    # tanh is correctly rounded to within 2 ulps in torch; values are in [-1, 1].
    torch.testing.assert_close(mean, torch.tanh(vec[:, :3]), rtol=0, atol=2 * eps(dtype))


def test_gmm_mean_is_tanh_of_the_weighted_location(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    d, modes = 2, 3
    vec = torch.randn(5, 2 * modes * d + modes, dtype=dtype)
    means = vec[:, : modes * d].double().reshape(5, modes, d)  # mode-major layout
    weights = torch.softmax(vec[:, 2 * modes * d :].double(), -1)
    location = (weights.unsqueeze(-1) * means).sum(-2)
    # The weighted sum of M terms carries <= M + 8 roundings (softmax included) of
    # sum_m w_m |mu_m|; tanh is 1-Lipschitz and adds 2 ulps of a value in [-1, 1].
    scale = (weights.unsqueeze(-1) * means.abs()).sum(-2)
    tol = (modes + 8) * eps(dtype) * scale + 2 * eps(dtype)
    error = (impl.GMM(d, gmm_modes=modes)(vec).mean.double() - torch.tanh(location)).abs()
    assert bool((error <= tol).all()), (error, tol)


def test_beta_mean(impl: types.ModuleType, dtype: torch.dtype) -> None:
    vec = 2 * torch.randn(4, 6, dtype=dtype)
    alpha = softplus_bounded_positive64(vec[:, :3], 1.0001, None)
    beta = softplus_bounded_positive64(vec[:, 3:], 1.0001, None)
    expected = 2 * alpha / (alpha + beta) - 1
    # alpha, beta carry <= 4 roundings each (softplus, + low); 2a/(a+b) - 1 adds 4 more; the
    # map's condition number in (alpha, beta) is <= 2 for values in [-1, 1].
    mean = impl.Beta(3)(vec).mean.double()
    torch.testing.assert_close(mean, expected, rtol=0, atol=24 * eps(dtype))


@pytest.mark.extension("beta_entropy")
def test_beta_entropy_is_the_beta_entropy_plus_log_2(
    impl: types.ModuleType, dtype: torch.dtype
) -> None:
    vec = 2 * torch.randn(4, 6, dtype=dtype)
    alpha = softplus_bounded_positive64(vec[:, :3], 1.0001, None).numpy()
    beta = softplus_bounded_positive64(vec[:, 3:], 1.0001, None).numpy()
    # H = log B(a, b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b), plus log 2 for the
    # affine map x -> 2x - 1; scipy in float64 as the independent reference.
    terms = [
        special.betaln(alpha, beta),
        (alpha - 1) * special.digamma(alpha),
        (beta - 1) * special.digamma(beta),
        (alpha + beta - 2) * special.digamma(alpha + beta),
    ]
    expected = terms[0] - terms[1] - terms[2] + terms[3] + math.log(2)
    # Error model: <= 32 roundings of S, the sum of the terms' magnitudes (this covers the
    # 4-ulp rounding of alpha and beta in the working dtype, whose effect is <= 4 eps S).
    tol = 32 * eps(dtype) * (sum(np.abs(t) for t in terms) + math.log(2))
    entropy = impl.Beta(3)(vec).entropy()
    assert entropy.dtype == dtype
    got = entropy.double().numpy()
    assert bool((np.abs(got - expected) <= tol).all()), (got, expected)


# ---- log_dict (SPEC §4 PolicyOutput) ----


def _activations(case: OutputCase, vec: torch.Tensor) -> dict[str, torch.Tensor]:
    """The tensor behind each log_dict key, in float64, with the default constructor args."""
    d = case.d_action
    v = vec.double()
    if case.name == "TanhGaussian":
        return {
            "TanhGaussian-mu": v[..., :d],
            "TanhGaussian-raw_std": v[..., d:],
            "TanhGaussian-std": tanh_bounded_positive64(v[..., d:], math.exp(-5), math.exp(2)),
        }
    if case.name == "GMM":
        md = case.output_kwargs["gmm_modes"] * d
        return {
            "GMM-means": v[..., :md],
            "GMM-raw_std": v[..., md : 2 * md],
            "GMM-stds": softplus_bounded_positive64(v[..., md : 2 * md], 1e-4, None),
            "GMM-logits": v[..., 2 * md :],
        }
    if case.name == "Beta":
        return {
            "Beta-alpha": softplus_bounded_positive64(v[..., :d], 1.0001, None),
            "Beta-beta": softplus_bounded_positive64(v[..., d:], 1.0001, None),
        }
    if case.name == "Discrete":
        return {"Discrete-probs": torch.softmax(v, -1)}
    return {}


def _logging_vec(case: OutputCase, dtype: torch.dtype) -> torch.Tensor:
    vec = 3 * torch.randn(case.vec_shape(LEAD), dtype=dtype)
    # A logit far below the others: its softmax probability (~1e-9) lies below Discrete's
    # clip_prob_low, so logging the clipped probabilities instead would move the min.
    vec[..., 0] = -20
    return vec.requires_grad_()


@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_log_dict_keys_and_values(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype
) -> None:
    vec = _logging_vec(case, dtype)
    log_dict: dict = {}
    case.policy_output(impl)(vec, log_dict)
    assert set(log_dict) == log_dict_names(case)
    for name, value in log_dict.items():
        assert isinstance(value, torch.Tensor), name
        assert value.dim() == 0, name
        assert not value.requires_grad, name
    for key, activation in _activations(case, vec.detach()).items():
        n = activation.numel()
        # Each activation value carries <= 8 roundings of max|x|; a mean or std of n values
        # adds <= n roundings of the running sum.
        tol = (n + 8) * eps(dtype) * float(activation.abs().max())
        got = {stat: float(log_dict[f"activation-{key}-{stat}"]) for stat in ("max", "min", "mean")}
        assert got["max"] == pytest.approx(float(activation.max()), abs=tol), key
        assert got["min"] == pytest.approx(float(activation.min()), abs=tol), key
        assert got["mean"] == pytest.approx(float(activation.mean()), abs=tol), key
        # SPEC does not fix std's correction: accept the population or the sample std.
        std = float(log_dict[f"activation-{key}-std"])
        candidates = (float(activation.std(correction=0)), float(activation.std(correction=1)))
        assert min(abs(std - c) for c in candidates) <= tol, (key, std, candidates)


@pytest.mark.extension("nan_statistics")
@pytest.mark.parametrize("batch", [0, 1, 2])
@pytest.mark.parametrize(
    "case", case_params(tuple(c for c in POLICY_OUTPUT_CASES if log_dict_names(c)))
)
def test_log_dict_of_a_tiny_batch(impl: types.ModuleType, case: OutputCase, batch: int) -> None:
    """One value per row (d_action = 1, one mode) and 0, 1 or 2 rows: the statistics of no
    values are NaN, the std of one value is NaN, and neither warns; two values define all four
    statistics."""
    one_per_row = {"d_action": 1, **({"gmm_modes": 1} if "gmm_modes" in case.output_kwargs else {})}
    output = case.policy_output(impl, **one_per_row)
    vec = torch.randn((batch, output.input_dimension), dtype=torch.float64)
    log_dict: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        output(vec, log_dict)
    assert set(log_dict) == log_dict_names(case)
    for name, value in log_dict.items():
        defined = batch > 1 if name.endswith("-std") else batch > 0
        assert bool(value.isnan()) is not defined, (name, value)


class _StatisticRecorder(TorchDispatchMode):
    """Records every aten op that computes a logged statistic: std/var of any kind, and
    max/min/mean/amax/amin/aminmax reduced over the whole tensor (the forward pass of a
    distribution reduces, if at all, over a given dim)."""

    _ALWAYS: frozenset = frozenset({aten.std, aten.var, aten.std_mean, aten.var_mean})
    _FULL_WHEN_NO_DIM: frozenset = frozenset({aten.amax, aten.amin, aten.aminmax, aten.mean})
    _FULL: frozenset = frozenset({aten.max.default, aten.min.default, aten.mean.default})

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __torch_dispatch__(
        self, func: Callable, types: tuple, args: tuple = (), kwargs: dict | None = None
    ) -> object:
        kwargs = kwargs or {}
        packet = func.overloadpacket
        dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
        if (
            packet in self._ALWAYS
            or func in self._FULL
            or (packet in self._FULL_WHEN_NO_DIM and dim in (None, [], ()))
        ):
            self.calls.append(str(func))
        return func(*args, **kwargs)


@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_no_statistic_is_computed_without_log_dict(
    impl: types.ModuleType, case: OutputCase
) -> None:
    output = case.policy_output(impl)
    vec = _logging_vec(case, torch.float32)
    with _StatisticRecorder() as without_log:
        output(vec)
    assert without_log.calls == []
    with _StatisticRecorder() as with_log:
        output(vec, {})
    # The recorder sees the statistics when they are asked for, so it could see them above:
    # at least one op per two statistics (aminmax and std_mean compute two at once).
    assert len(with_log.calls) >= len(log_dict_names(case)) // 2
