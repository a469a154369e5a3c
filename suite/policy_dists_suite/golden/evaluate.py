"""The values of a golden case as computed by an implementation of the API (torch, in the
case's dtype) and by the numpy reference (float64 at the same dtype-rounded inputs).

Both receive exactly the fixture's inputs: vec and the action row as stored (actions beyond ±1
included: the implementation clamps them; the reference, whose actions must lie in [-1, 1],
gets them clamped to ±1 first, which its clamp to the clip bound leaves at the bound).
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from policy_dists_catalogue.adapters import ADAPTERS
from policy_dists_suite.golden.cases import NUMPY_DTYPES, split_config
from policy_dists_suite.golden.expected import activation_parameter
from policy_dists_suite.golden.fixture_format import Fixture, GoldenCase

TORCH_DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}
DTYPE_NAMES: dict[torch.dtype, str] = {kind: name for name, kind in TORCH_DTYPES.items()}


def _values(result: torch.Tensor) -> list[float]:
    return [float(v) for v in result.detach().cpu().double().reshape(-1)]


def _classes(output_kwargs: Mapping[str, Any], action: Sequence[float] | None) -> list[int]:
    """Every class, or those a log_prob_of_classes case lists in `action`."""
    return list(range(output_kwargs["d_action"])) if action is None else [int(k) for k in action]


def impl_values(
    impl: types.ModuleType,
    output: str,
    kwargs: Mapping[str, Any],
    quantity: str,
    vec: Sequence[float],
    action: Sequence[float] | None,
    dtype: str,
    device: torch.device,
) -> list[float]:
    """The case's values from `impl`: vec is one row, given a batch dimension of 1 (of d for the
    per-class log_prob of Discrete and DiscreteLikeContinuous, or of the number of classes a
    Discrete log_prob_of_classes case lists in `action`)."""
    torch_dtype = TORCH_DTYPES[dtype]
    row = torch.tensor(vec, dtype=torch_dtype, device=device)
    if output == "activations":
        function = getattr(impl, kwargs["activation"])
        return _values(function(row, kwargs["low"], kwargs["high"]))
    adapter = ADAPTERS[output]
    output_kwargs, wrapper_kwargs = split_config(adapter, kwargs)
    if adapter.kind in ("discrete", "one_hot"):
        classes = _classes(output_kwargs, action if quantity == "log_prob_of_classes" else None)
        batch = row.expand(len(classes), row.numel())
        dist = adapter.distribution(impl, output_kwargs, batch, wrapper_kwargs)
        if quantity in ("log_prob", "log_prob_of_classes"):
            if adapter.kind == "one_hot":
                actions = torch.eye(len(classes), dtype=torch_dtype, device=device)
            else:
                actions = torch.tensor(classes, device=device)
            return _values(dist.log_prob(actions))
        if quantity == "entropy":
            return _values(dist.entropy()[:1])
        return _values(getattr(dist, quantity)[0])
    dist = adapter.distribution(impl, output_kwargs, row[None])
    if quantity == "log_prob":
        return _values(dist.log_prob(torch.tensor([action], dtype=torch_dtype, device=device)))
    if quantity == "entropy":
        return _values(dist.entropy())
    return _values(dist.mean)


def reference_values(
    output: str,
    kwargs: Mapping[str, Any],
    quantity: str,
    vec: Sequence[float],
    action: Sequence[float] | None,
    dtype: str,
) -> list[float]:
    """The case's values from policy_dists_reference, in float64 at the same inputs;
    DiscreteLikeContinuous wraps the logits of the reference Discrete."""
    np_dtype = NUMPY_DTYPES[dtype]
    row = np.asarray(vec, np.float64)
    if output == "activations":
        return [float(v) for v in np.ravel(activation_parameter(kwargs)(row, np_dtype))]
    adapter = ADAPTERS[output]
    output_kwargs, wrapper_kwargs = split_config(adapter, kwargs)
    model = adapter.reference(output_kwargs)
    if adapter.kind == "one_hot":
        one_hot = adapter.reference_wrapper(model, row, np_dtype, wrapper_kwargs)
        if quantity == "log_prob":
            result = one_hot.log_prob(np.eye(one_hot.d))
        elif quantity == "entropy":
            result = one_hot.entropy()
        else:
            result = getattr(one_hot.params(), quantity)
    elif adapter.kind == "discrete":
        if quantity in ("log_prob", "log_prob_of_classes"):
            index = np.asarray(_classes(output_kwargs, action), np.int64)
            result = model.log_prob(np.broadcast_to(row, (len(index), row.size)), index, np_dtype)
        elif quantity == "entropy":
            result = model.entropy(row, np_dtype)
        else:
            result = getattr(model.params(row, np_dtype), quantity)
    elif quantity == "log_prob":
        inside = np.clip(np.asarray(action, np.float64), -1.0, 1.0)
        result = model.log_prob(row, inside, np_dtype)
    elif quantity == "entropy":
        result = model.entropy(row, np_dtype)
    else:
        result = model.mean(row, np_dtype)
    return [float(v) for v in np.ravel(result)]


def impl_case_values(
    impl: types.ModuleType, fixture: Fixture, golden: GoldenCase, device: torch.device
) -> list[float]:
    """impl_values at a fixture case's stored inputs."""
    c = golden.case
    return impl_values(
        impl,
        fixture.output,
        fixture.configs[c.config],
        c.quantity,
        fixture.vecs[c.dtype][c.vec],
        c.action,
        c.dtype,
        device,
    )


def reference_case_values(fixture: Fixture, golden: GoldenCase) -> list[float]:
    """reference_values at a fixture case's stored inputs."""
    c = golden.case
    return reference_values(
        fixture.output,
        fixture.configs[c.config],
        c.quantity,
        fixture.vecs[c.dtype][c.vec],
        c.action,
        c.dtype,
    )
