"""CPU/CUDA agreement: the same vec and actions give the same log_prob, mean, entropy and
probs on both devices, within twice each budget (each device is within its budget of the exact
value). Needs a CUDA device: skipped otherwise, the only skip allowed on the default
implementation (the other property families also run on CUDA through the `device` fixture).
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from policy_dists_catalogue import error_model
from policy_dists_suite.property_tests.reference_values import (
    reference_entropy,
    reference_log_prob,
    reference_mean,
)
from policy_dists_suite.property_tests.registry import (
    CASES,
    OutputCase,
    Support,
    case_params,
    draw_params,
)
from policy_dists_suite.property_tests.strategies import (
    FIXTURE_SAFE,
    Params,
    Regime,
    action_array,
    box_actions,
)
from policy_dists_suite.property_tests.verdict import assert_within

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
REGIMES = (Regime.ORDINARY, Regime.EXTREME, Regime.BOUNDS)


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().double().numpy()


def _actions(
    case: OutputCase, params: Params, dtype: torch.dtype, data: st.DataObject
) -> np.ndarray:
    shape = case.action_shape(params.lead, params.kwargs)
    d = int(params.kwargs["d_action"])
    if case.box_actions:
        return data.draw(action_array(shape, box_actions(dtype)), label="actions")
    if case.name == "Discrete":
        return data.draw(action_array(params.lead, st.integers(0, d - 1))).astype(np.int64)
    if case.name == "Multibinary":
        return data.draw(action_array(shape, st.sampled_from([0.0, 1.0])), label="outcomes")
    index = data.draw(action_array(params.lead, st.integers(0, d - 1)), label="classes")
    return np.eye(d)[index.astype(np.int64)]


@pytest.mark.cuda
@CUDA
@FIXTURE_SAFE
@given(data=st.data())
@pytest.mark.parametrize("case", case_params(CASES, features=("entropy",)))
def test_cpu_and_cuda_agree(
    impl: types.ModuleType,
    case: OutputCase,
    dtype: torch.dtype,
    data: st.DataObject,
) -> None:
    params = draw_params(data, case, dtype, REGIMES)
    actions = _actions(case, params, dtype, data)
    on = {
        device: case.drawn_distribution(impl, params, params.tensor(dtype, torch.device(device)))
        for device in ("cpu", "cuda")
    }

    def log_prob(device: str) -> np.ndarray:
        if case.name == "Discrete":
            value = torch.tensor(actions, device=device)
        else:
            value = torch.tensor(actions, dtype=dtype, device=device)
        return _numpy(on[device].log_prob(value))

    want, cond = reference_log_prob(case, params, actions, dtype)
    tolerance = error_model.cond_tolerance(case.name, "log_prob", want, cond, dtype, False)
    _assert_close(case.name, log_prob("cpu"), log_prob("cuda"), 2 * tolerance, "log_prob")
    if case.has_mean:
        _, tolerance = reference_mean(case, params, dtype)
        _assert_close(
            case.name, _numpy(on["cpu"].mean), _numpy(on["cuda"].mean), 2 * tolerance, "mean"
        )
    if case.has_probs:
        units = error_model.probs_ulps(case.name, case.drawn_reference(params), params.vec, dtype)
        probs = _numpy(on["cpu"].probs)
        tolerance = 2 * units * error_model.ulp(probs, dtype)
        _assert_close(case.name, probs, _numpy(on["cuda"].probs), tolerance, "probs")
    if case.entropy is Support.YES:
        want, cond = reference_entropy(case, params, dtype)
        tolerance = error_model.cond_tolerance(case.name, "entropy", want, cond, dtype, False)
        entropy = {device: _numpy(on[device].entropy()) for device in on}
        _assert_close(case.name, entropy["cpu"], entropy["cuda"], 2 * tolerance, "entropy")


def _assert_close(
    output: str, cpu: np.ndarray, cuda: np.ndarray, tolerance: np.ndarray, what: str
) -> None:
    """CUDA's values (got) against the CPU's (expected)."""
    assert_within(output, f"{what} on CUDA vs CPU", cuda, cpu, tolerance)
