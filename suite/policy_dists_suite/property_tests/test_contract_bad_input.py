"""SPEC §6 bad input: wrong shapes and types, no NaN from finite input, NaN propagation, and
the opt-in validation switch."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from policy_dists_suite.property_tests.registry import (
    CASES,
    POLICY_OUTPUT_CASES,
    OutputCase,
    Support,
    case_params,
)
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    closed_unit_actions,
    finite_floats,
)
from policy_dists_suite.property_tests.verdict import assert_every

# ---- wrong last dimension and wrong types ----


@pytest.mark.parametrize("delta", [-1, 1, 2])
@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_a_wrong_last_dimension_is_never_silently_accepted(
    impl: types.ModuleType, case: OutputCase, delta: int
) -> None:
    """A vec with input_dimension + delta entries is not the output's input: the module must
    raise, when called or at the latest on the first sample/log_prob, rather than return a
    distribution of some other shape built from misassigned entries."""
    output = case.policy_output(impl)
    received = output.input_dimension + delta
    try:
        dist = output(torch.randn(2, received))
        action = dist.sample()
        dist.log_prob(action)
    except Exception:  # any error: the wrong input was refused
        return
    pytest.fail(
        f"{case.name} vec of {received} entries (input_dimension {output.input_dimension}): "
        f"got a distribution with samples of shape {tuple(action.shape)}, expected an error"
    )


# (policy-dists' stricter checking: the error's type and message)


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize("delta", [-1, 1])
@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_wrong_last_dimension_names_class_expected_and_received(
    impl: types.ModuleType, case: OutputCase, delta: int
) -> None:
    output = case.policy_output(impl)
    expected = output.input_dimension
    received = expected + delta
    with pytest.raises(ValueError) as err:
        output(torch.zeros(2, received))
    message = str(err.value)
    assert case.name in message, message
    assert re.search(rf"\b{expected}\b", message), message
    assert re.search(rf"\b{received}\b", message), message


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize(
    "make_vec",
    [
        lambda n: [0.0] * n,
        lambda n: np.zeros(n),
        lambda n: torch.zeros(n, dtype=torch.int64),
        lambda n: torch.zeros(n, dtype=torch.bool),
    ],
    ids=["list", "ndarray", "int64", "bool"],
)
@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_non_tensor_or_non_floating_vec_raises_type_error(
    impl: types.ModuleType, case: OutputCase, make_vec: object
) -> None:
    output = case.policy_output(impl)
    vec = make_vec(output.input_dimension)
    # The message names the class, vec, and what it got (the type, or the tensor's dtype).
    got = str(vec.dtype).removeprefix("torch.") if torch.is_tensor(vec) else type(vec).__name__
    with pytest.raises(TypeError, match=rf"\b{case.output_class}\b.*\bvec\b.*\b{got}\b"):
        output(vec)


@pytest.mark.extension("strict_validation")
@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_a_zero_dimensional_vec_names_class_and_vec(
    impl: types.ModuleType, case: OutputCase
) -> None:
    """A 0-d tensor has no last dimension: a ValueError naming the class and vec, not an
    IndexError from reading shape[-1]."""
    with pytest.raises(ValueError, match=rf"\b{case.output_class}\b.*\bvec\b"):
        case.policy_output(impl)(torch.tensor(0.5))


# ---- no NaN from finite input ----


def _action_grid(dtype: torch.dtype) -> torch.Tensor:
    below_one = torch.nextafter(torch.tensor(1.0, dtype=dtype), torch.tensor(0.0, dtype=dtype))
    edges = torch.stack([torch.tensor(v, dtype=dtype) for v in (1.0, 0.99, 0.5, 0.0)] + [below_one])
    return torch.cat([edges, -edges])


def _spot_vec(case: OutputCase, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """One row per spot value (every entry of the row equal), plus a row alternating +-1e4."""
    n = case.input_dimension(case.output_kwargs)
    rows = [torch.full((n,), v) for v in (0.0, 1.0, -1.0, 20.0, -20.0, 1e4, -1e4)]
    rows.append(1e4 * (-1.0) ** torch.arange(n))
    return torch.stack(rows).to(dtype=dtype, device=device)


def _spot_actions(
    case: OutputCase, lead: tuple[int, ...], dtype: torch.dtype, device: torch.device
) -> torch.Tensor:
    """Actions of shape (k,) + lead + event: the [-1, 1] grid where actions are a box."""
    if case.box_actions:
        grid = _action_grid(dtype).to(device)
        return grid.reshape(-1, *([1] * len(lead)), 1).expand(-1, *lead, case.d_action)
    return case.make_actions((4, *lead), case.output_kwargs, dtype, device)


def _assert_no_nan_anywhere(
    case: OutputCase, impl: types.ModuleType, vec: torch.Tensor, actions: torch.Tensor
) -> torch.Tensor:
    """log_prob, its gradient, samples and rsample gradients have no NaN, and log_prob is never
    +inf: with the registry's constructor arguments every density is bounded (std >= std_low,
    Beta exponents >= 1.0001 - 1 > 0, probabilities <= 1). Returns log_prob."""
    vec = vec.detach().requires_grad_()
    dist = case.distribution(impl, vec)
    log_prob = dist.log_prob(actions)
    shown = {"vec": vec.detach().double().cpu().numpy(), "action": actions.cpu().numpy()}

    def no_nan(quantity: str, values: torch.Tensor, expected: str = "not NaN") -> None:
        got = values.detach().double().cpu().numpy()
        ok = ~np.isnan(got) if expected == "not NaN" else ~np.isnan(got) & (got != math.inf)
        assert_every(case.name, quantity, ok, got, expected, shown)

    no_nan("log_prob", log_prob, "not NaN and not +inf (every density here is bounded)")
    # The rsample below shares the forward graph: keep it.
    (grad,) = torch.autograd.grad(log_prob.sum(), vec, retain_graph=True)
    no_nan("d log_prob/d vec", grad)
    if not case.integer_samples:
        no_nan("sample", dist.sample((3,)))
    if case.rsample is Support.YES:
        (grad,) = torch.autograd.grad(dist.rsample().sum(), vec)
        no_nan("d rsample/d vec", grad)
    return log_prob


@pytest.mark.parametrize("case", case_params())
def test_finite_vec_and_actions_in_range_give_no_nan(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype, device: torch.device
) -> None:
    vec = _spot_vec(case, dtype, device)
    log_prob = _assert_no_nan_anywhere(
        case, impl, vec, _spot_actions(case, vec.shape[:-1], dtype, device)
    )
    # At these spot values every exact log-density is far above the lowest finite float
    # (the worst, GMM at |vec| = 1e4 with std 1e-4, is about -5e15), so -inf is wrong too.
    assert bool(log_prob.isfinite().all()), log_prob


def _extreme_vec(case: OutputCase, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Rows at the ends of the finite range: all +-max, +-max alternating, the smallest
    subnormal, and one entry at a time set to max/2 (the rest 0), where a single mixture
    component, dimension or category overflows while the others stay ordinary."""
    n = case.input_dimension(case.output_kwargs)
    info = torch.finfo(dtype)
    rows = [torch.full((n,), v, dtype=torch.float64) for v in (info.max, -info.max)]
    rows.append(info.max * (-1.0) ** torch.arange(n, dtype=torch.float64))
    rows.append(torch.full((n,), info.smallest_normal * info.eps, dtype=torch.float64))
    rows.extend(torch.eye(n, dtype=torch.float64) * (info.max / 2))
    return torch.stack(rows).to(dtype=dtype, device=device)


@pytest.mark.parametrize("case", case_params())
def test_extreme_finite_vec_gives_no_nan(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype
) -> None:
    vec = _extreme_vec(case, dtype, torch.device("cpu"))
    # SPEC §6 allows -inf where the exact value underflows the dtype, so only NaN is checked.
    _assert_no_nan_anywhere(
        case, impl, vec, _spot_actions(case, vec.shape[:-1], dtype, torch.device("cpu"))
    )


@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params())
def test_any_finite_vec_gives_no_nan(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype, data: st.DataObject
) -> None:
    n = case.input_dimension(case.output_kwargs)
    vec = torch.tensor(
        [data.draw(st.lists(finite_floats(dtype), min_size=n, max_size=n))], dtype=dtype
    )
    if case.box_actions:
        values = st.lists(
            closed_unit_actions(dtype), min_size=case.d_action, max_size=case.d_action
        )
        actions = torch.tensor([data.draw(values)], dtype=dtype)
    else:
        actions = case.make_actions((1,), case.output_kwargs, dtype, vec.device)
    # SPEC §6 allows -inf where the exact value underflows the dtype, so only NaN is checked.
    _assert_no_nan_anywhere(case, impl, vec, actions)


@pytest.mark.parametrize("case", case_params())
def test_nan_in_vec_never_gives_a_plausible_number(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype
) -> None:
    """A NaN row of vec: the module may raise, or return NaN for that row (and finite values
    for the others); a finite log_prob, mean or probability for it would be a silent error."""
    vec = torch.randn(case.vec_shape((3,)), dtype=dtype)
    vec[0] = float("nan")
    actions = case.make_actions((3,), case.output_kwargs, dtype, vec.device)
    try:
        dist = case.distribution(impl, vec)
        values = {"log_prob": dist.log_prob(actions)}
        if case.has_mean:
            values["mean"] = dist.mean
        if case.has_probs:
            values["probs"] = dist.probs
    except Exception:  # refusing NaN input is as good as propagating it
        return
    for name, value in values.items():
        assert not bool(value[0].isfinite().any()), (
            f"{case.name} {name} of a NaN row: got {value[0]}, expected NaN or an error"
        )
    assert bool(values["log_prob"][1:].isfinite().all()), (
        f"{case.name} log_prob of the finite rows beside a NaN row: got {values['log_prob'][1:]}"
    )


@pytest.mark.extension("nan_propagates")
@pytest.mark.parametrize("case", case_params())
def test_nan_in_vec_propagates(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype
) -> None:
    vec = torch.randn(case.vec_shape((3,)), dtype=dtype)
    vec[0] = float("nan")
    dist = case.distribution(impl, vec)
    log_prob = dist.log_prob(case.make_actions((3,), case.output_kwargs, dtype, vec.device))
    assert bool(log_prob[0].isnan().all()), log_prob
    assert bool(log_prob[1:].isfinite().all()), log_prob
    if case.has_mean:
        assert bool(dist.mean[0].isnan().all()), dist.mean
    if case.has_probs:
        assert bool(dist.probs[0].isnan().all()), dist.probs


N_DRAWS = 32


@pytest.mark.extension("nan_samples")
@pytest.mark.parametrize("case", case_params(tuple(c for c in CASES if not c.integer_samples)))
def test_one_nan_entry_of_vec_makes_every_draw_of_its_row_nan(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype
) -> None:
    """One NaN entry of row 0 of vec (a location, a scale, a mixture or category logit) puts a
    NaN in every draw of row 0, whichever mixture component it drew; other rows stay finite."""
    for j in range(case.input_dimension(case.output_kwargs)):
        vec = torch.randn(case.vec_shape((3,)), dtype=dtype)
        vec[0, j] = float("nan")
        draws = case.distribution(impl, vec).sample((N_DRAWS,))
        row0 = draws[:, 0].reshape(N_DRAWS, -1)  # one draw's event per row
        assert bool(row0.isnan().any(-1).all()), (j, row0)
        assert bool(draws[:, 1:].isfinite().all()), j


# ---- the opt-in validation switch (SPEC §6) ----


@pytest.fixture
def validation_on(impl: types.ModuleType) -> Iterator[None]:
    impl.set_validation(True)
    yield
    # Back to the process default, which the environment variable sets.
    impl.set_validation(os.environ.get("POLICY_DISTS_VALIDATE") == "1")


@pytest.mark.extension("set_validation")
@pytest.mark.usefixtures("validation_on")
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_validation_rejects_non_finite_vec(
    impl: types.ModuleType, case: OutputCase, bad: float
) -> None:
    vec = torch.randn(case.vec_shape((3,)))
    vec[1, 0] = bad
    # The message names the class and the parameter, each as a word.
    with pytest.raises(ValueError, match=rf"\b{case.name}\b.*\bvec\b"):
        case.distribution(impl, vec)


def _out_of_range_actions(case: OutputCase) -> list[torch.Tensor]:
    lead = (3,)
    if case.name == "Discrete":
        return [torch.full(lead, case.d_action), torch.full(lead, -1)]
    bad_values = (2.0, -1.0) if case.name == "Multibinary" else (1.5, -1.0001, float("nan"))
    return [torch.full((*lead, case.d_action), v) for v in bad_values]


@pytest.mark.extension("set_validation")
@pytest.mark.usefixtures("validation_on")
@pytest.mark.parametrize("case", case_params(POLICY_OUTPUT_CASES))
def test_validation_rejects_out_of_range_actions(impl: types.ModuleType, case: OutputCase) -> None:
    dist = case.distribution(impl, torch.randn(case.vec_shape((3,))))
    valid = case.make_actions((3,), case.output_kwargs, torch.float32, torch.device("cpu"))
    if case.box_actions:  # the closed box: its ends -1 and 1 are valid actions too
        valid[0], valid[1] = -1.0, 1.0
    if case.name == "Discrete":  # so are the first and the last class
        valid[0], valid[1] = 0, case.d_action - 1
    assert bool(dist.log_prob(valid).isfinite().all())  # valid actions still pass
    for actions in _out_of_range_actions(case):
        with pytest.raises(ValueError, match=rf"\b{case.name}\b.*\bactions?\b"):
            dist.log_prob(actions)


@pytest.mark.extension("set_validation")
def test_validation_switch_from_the_environment(impl_name: str) -> None:
    script = textwrap.dedent(
        """
        import importlib, sys, torch
        impl = importlib.import_module(sys.argv[1])
        try:
            impl.TanhGaussian(2)(torch.full((4,), float("nan")))
        except ValueError as err:
            sys.exit(0 if "TanhGaussian" in str(err) else 2)
        sys.exit(3)
        """
    )
    env = {**os.environ, "POLICY_DISTS_VALIDATE": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", script, impl_name],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (result.returncode, result.stderr)
