"""One adapter per output: how every tool builds it as the implementation's distribution, as
the reference object and as the arbiter's functions, and which condition sums go with it.

An output is a PolicyOutput class that consumes vec (its constructor kwargs: the catalogue's
configurations, activations by name), optionally wrapped: DiscreteLikeContinuous is built
around Discrete's output, with the wrapper's own kwargs. The implementation is any module
with the amago API, passed in; this module imports neither torch nor the implementation.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

import policy_dists_reference as reference
from policy_dists_catalogue import error_model
from policy_dists_catalogue.configurations import module_kwargs
from policy_dists_reference import arbiter

Kwargs = Mapping[str, Any]


def reference_kwargs(kwargs: Kwargs) -> dict[str, Any]:
    """Constructor kwargs for the reference: sequences (a clip bound read from JSON) as tuples;
    the reference takes an activation by its name."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}


@dataclass(frozen=True)
class OutputAdapter:
    """One output as every tool builds it.

    kind says how it is measured: "continuous" (a density on [-1, 1]^d), "discrete" (class
    indices), "one_hot" (one-hot actions), "binary" (d Bernoullis). arbiter is the module of
    policy_dists_reference.arbiter with its exact values. log_prob_cond(ref, vec, action,
    dtype) and entropy_cond(ref, vec, dtype) are the error model's float64 condition sums
    (ref the reference object of the output class; None where the API has no entropy).
    reparameterized: the API's rsample draws it (GMM, Discrete and Multibinary only sample)."""

    name: str
    output_class: str
    kind: str
    arbiter: types.ModuleType
    log_prob_cond: Callable[..., np.ndarray]
    entropy_cond: Callable[..., np.ndarray] | None
    reparameterized: bool = False

    @property
    def wrapped(self) -> bool:
        return self.output_class != self.name

    def distribution(
        self,
        module: types.ModuleType,
        kwargs: Kwargs,
        vec: Any,
        wrapper_kwargs: Kwargs | None = None,
        log_dict: dict | None = None,
    ) -> Any:
        """`module`'s distribution at `vec` for constructor `kwargs` (and the wrapper's)."""
        output = getattr(module, self.output_class)(
            **module_kwargs(module, reference_kwargs(kwargs))
        )
        dist = output(vec, log_dict)
        if not self.wrapped:
            return dist
        return getattr(module, self.name)(dist, **(wrapper_kwargs or {}))

    def reference(self, kwargs: Kwargs) -> Any:
        """The reference object of the output class (DiscreteLikeContinuous: its Discrete)."""
        return getattr(reference, self.output_class)(**reference_kwargs(kwargs))

    def reference_wrapper(
        self, inner: Any, vec: np.ndarray, dtype: DTypeLike, wrapper_kwargs: Kwargs | None
    ) -> Any:
        """The reference wrapper around `inner` at vec (the reference DiscreteLikeContinuous
        of the reference Discrete's logits), with the wrapper's kwargs (defaults if None)."""
        logits = inner.params(vec, error_model.float_dtype(dtype)).logits
        return getattr(reference, self.name)(logits, **(wrapper_kwargs or {}))


ADAPTERS: dict[str, OutputAdapter] = {
    adapter.name: adapter
    for adapter in (
        OutputAdapter(
            "TanhGaussian",
            "TanhGaussian",
            "continuous",
            arbiter.tanh_gaussian,
            error_model.tanh_gaussian_cond,
            None,
            reparameterized=True,
        ),
        OutputAdapter("GMM", "GMM", "continuous", arbiter.gmm, error_model.gmm_cond, None),
        OutputAdapter(
            "Beta",
            "Beta",
            "continuous",
            arbiter.beta,
            error_model.beta_cond,
            error_model.beta_entropy_cond,
            reparameterized=True,
        ),
        OutputAdapter(
            "Discrete",
            "Discrete",
            "discrete",
            arbiter.discrete,
            error_model.discrete_cond,
            error_model.discrete_entropy_cond,
        ),
        OutputAdapter(
            "DiscreteLikeContinuous",
            "Discrete",
            "one_hot",
            arbiter.discrete_like_continuous,
            error_model.one_hot_cond,
            error_model.discrete_entropy_cond,
            reparameterized=True,
        ),
        OutputAdapter(
            "Multibinary",
            "Multibinary",
            "binary",
            arbiter.multibinary,
            error_model.multibinary_cond,
            error_model.multibinary_entropy_cond,
        ),
    )
}
