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

import policy_dists_reference as reference
from golden.cases import NUMPY_DTYPES
from golden.expected import activation_parameter, reference_kwargs
from golden.fixture_format import Fixture, GoldenCase
from policy_dists_catalogue import module_kwargs

TORCH_DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}
DTYPE_NAMES: dict[torch.dtype, str] = {kind: name for name, kind in TORCH_DTYPES.items()}


def _impl_kwargs(impl: types.ModuleType, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Constructor keywords for `impl`: an activation named in the config is impl's function."""
    return module_kwargs(impl, reference_kwargs(kwargs))


def _values(result: torch.Tensor) -> list[float]:
    return [float(v) for v in result.detach().cpu().double().reshape(-1)]


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
    if output in ("Discrete", "DiscreteLikeContinuous"):
        discrete_kwargs = kwargs.get("discrete", kwargs)
        d = discrete_kwargs["d_action"]
        classes = torch.arange(d, device=device)
        if quantity == "log_prob_of_classes":
            classes = torch.tensor([int(k) for k in action], device=device)
        dist = impl.Discrete(**discrete_kwargs)(row.expand(len(classes), d))
        if output == "DiscreteLikeContinuous":
            dist = impl.DiscreteLikeContinuous(
                dist, gumbel_softmax_temperature=kwargs["gumbel_softmax_temperature"]
            )
            classes = torch.eye(d, dtype=torch_dtype, device=device)
        if quantity in ("log_prob", "log_prob_of_classes"):
            return _values(dist.log_prob(classes))
        if quantity == "entropy":
            return _values(dist.entropy()[:1])
        return _values(getattr(dist, quantity)[0])
    dist = getattr(impl, output)(**_impl_kwargs(impl, kwargs))(row[None])
    if quantity == "log_prob":
        return _values(dist.log_prob(torch.tensor([action], dtype=torch_dtype, device=device)))
    if quantity == "entropy":
        return _values(dist.entropy())
    return _values(dist.mean)


def _reference_discrete(
    discrete: reference.Discrete,
    quantity: str,
    row: np.ndarray,
    classes: Sequence[float] | None,
    np_dtype: type,
) -> np.ndarray:
    d = discrete.d_action
    if quantity in ("log_prob", "log_prob_of_classes"):
        index = np.arange(d) if classes is None else np.asarray(classes, np.int64)
        return discrete.log_prob(np.broadcast_to(row, (len(index), d)), index, np_dtype)
    if quantity == "entropy":
        return discrete.entropy(row, np_dtype)
    return getattr(discrete.params(row, np_dtype), quantity)


def _reference_one_hot(one_hot: reference.DiscreteLikeContinuous, quantity: str) -> np.ndarray:
    if quantity == "log_prob":
        return one_hot.log_prob(np.eye(one_hot.d))
    if quantity == "entropy":
        return one_hot.entropy()
    return getattr(one_hot.params(), quantity)


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
        result = activation_parameter(kwargs)(row, np_dtype)
    elif output == "Discrete":
        result = _reference_discrete(reference.Discrete(**kwargs), quantity, row, action, np_dtype)
    elif output == "DiscreteLikeContinuous":
        logits = reference.Discrete(**kwargs["discrete"]).params(row, np_dtype).logits
        one_hot = reference.DiscreteLikeContinuous(logits, kwargs["gumbel_softmax_temperature"])
        result = _reference_one_hot(one_hot, quantity)
    else:
        model = getattr(reference, output)(**reference_kwargs(kwargs))
        if quantity == "log_prob":
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
