"""Hypothesis strategies and settings shared by the property tests.

The example budget comes from the profile the suite plugin loads (ci / dev / thorough);
tests only add `FIXTURE_SAFE`, which lets a @given test use the function-scoped `device` and
`dtype` fixtures (their values do not change between examples, which is what the health
check guards against).

Parameters (`OutputStrategy.params`, one per output in OUTPUT_STRATEGIES, the registry's
`param_strategy`): constructor kwargs (std_activation by name, bounds and clip bounds moved)
and vec, every row from a Regime: moderate (|x| <= 3), ordinary network outputs (|x| <= 10),
extreme finite values (|x| <= 1e4), any finite value of the dtype, or parameters at the
activation bounds (raw -40 / +30 saturate; alpha, beta at their lows and large; flat and
near-one-hot logits; separated and identical mixture modes); batch shapes from NONEMPTY_LEADS
(a 1-D vec and an empty batch have their own tests). Actions: [-1, 1] biased toward the
boundary (1 - 10^-k, nextafter(1, 0), exactly ±1) and outside it; the tests add the
implementation's own samples.
"""

from __future__ import annotations

import enum
import functools
import math
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from policy_dists_catalogue import (
    CLIP_CONFIGS,
    DEFAULT_GMM_MODES,
    EXTREME,
    SATURATE_HIGH,
    SATURATE_LOW,
    STRESS_CONFIGS,
    TEMPERATURES,
    input_dimension,
    module_kwargs,
    signed_boundary_actions,
)
from policy_dists_suite import peers

FIXTURE_SAFE = settings(
    suppress_health_check=[
        *settings.default.suppress_health_check,
        HealthCheck.function_scoped_fixture,
    ]
)


def _width(dtype: torch.dtype) -> int:
    return torch.finfo(dtype).bits


def finite_floats(dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Every finite value of `dtype` (SPEC §6: "for any finite vec"), extremes included."""
    return st.floats(allow_nan=False, allow_infinity=False, width=_width(dtype))


def closed_unit_actions(dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Actions in [-1, 1] of `dtype`, with the boundary and its float neighbours emphasized."""
    below_one = float(
        torch.nextafter(torch.tensor(1.0, dtype=dtype), torch.tensor(0.0, dtype=dtype))
    )
    edges = [1.0, below_one, 0.99, 1 - 1e-6, 0.0]
    return st.one_of(
        st.sampled_from([s * e for e in edges for s in (1.0, -1.0)]),
        st.floats(-1.0, 1.0, width=_width(dtype)),
    ).filter(math.isfinite)


# ---- parameters of every output: constructor kwargs and vec ----

MODERATE_LIMIT = 3.0
ORDINARY_LIMIT = 10.0  # the magnitude of ordinary network outputs


class Regime(enum.Enum):
    """Where the entries of vec come from."""

    MODERATE = "moderate"  # |x| <= 3: a smooth region for finite differences
    ORDINARY = "ordinary"  # |x| <= 10
    EXTREME = "extreme"  # |x| <= 1e4, the ends emphasized
    LARGEST = "largest"  # any finite value of the dtype
    BOUNDS = "bounds"  # parameters at the activation bounds, one-hot/flat logits, mode layouts


def magnitude_families(
    ordinary: tuple[Regime, ...] = (Regime.ORDINARY, Regime.BOUNDS),
    extreme: tuple[Regime, ...] = (Regime.EXTREME,),
) -> list[Any]:
    """The `regimes` parameter of a property: ordinary network outputs (with parameters at the
    activation bounds), and extreme magnitudes as a family of its own, so that a module that
    fails only on extreme inputs fails there alone."""
    return [pytest.param(ordinary, id="ordinary"), pytest.param(extreme, id="extreme")]


@dataclass(frozen=True)
class Params:
    """One drawn output: constructor kwargs (std_activation by name, as the reference takes
    it), the wrapper's kwargs (DiscreteLikeContinuous), and vec as float64 holding numbers of
    the dtype it was drawn for."""

    kwargs: Mapping[str, Any]
    vec: np.ndarray
    wrapper_kwargs: Mapping[str, Any] | None = None

    @property
    def lead(self) -> tuple[int, ...]:
        return self.vec.shape[:-1]

    def tensor(
        self, dtype: torch.dtype, device: torch.device, requires_grad: bool = False
    ) -> torch.Tensor:
        vec = torch.tensor(self.vec, dtype=dtype, device=device)
        return vec.requires_grad_() if requires_grad else vec

    def impl_kwargs(self, impl: types.ModuleType) -> dict[str, Any]:
        """The kwargs with std_activation resolved to the implementation's function."""
        return module_kwargs(impl, self.kwargs)


Row = Callable[[Mapping[str, Any], torch.dtype], st.SearchStrategy[list[float]]]

# Batch shapes of vec the properties draw: one row, a few rows, two batch axes. A 1-D vec and
# an empty batch are families of their own (test_contract_shapes).
NONEMPTY_LEADS: tuple[tuple[int, ...], ...] = ((1,), (3,), (2, 2))


def numpy_dtype(dtype: torch.dtype) -> type[np.floating]:
    return {torch.float32: np.float32, torch.float64: np.float64}[dtype]


def in_dtype(values: object, dtype: torch.dtype) -> np.ndarray:
    """`values` rounded to `dtype`, held as float64 (the exact numbers the implementation gets)."""
    return np.asarray(values, dtype=np.float64).astype(numpy_dtype(dtype)).astype(np.float64)


def ordinary(dtype: torch.dtype) -> st.SearchStrategy[float]:
    return st.floats(-ORDINARY_LIMIT, ORDINARY_LIMIT, width=_width(dtype))


def extreme(dtype: torch.dtype) -> st.SearchStrategy[float]:
    ends = [s * m for s in (1.0, -1.0) for m in (EXTREME, 1e3, 100.0)]
    return st.one_of(st.sampled_from(ends), st.floats(-EXTREME, EXTREME, width=_width(dtype)))


def _entries(regime: Regime, dtype: torch.dtype) -> st.SearchStrategy[float]:
    if regime is Regime.MODERATE:
        return st.floats(-MODERATE_LIMIT, MODERATE_LIMIT, width=_width(dtype))
    if regime is Regime.ORDINARY:
        return ordinary(dtype)
    if regime is Regime.EXTREME:
        return extreme(dtype)
    return finite_floats(dtype)


def _flat_or_one_hot(n: int, dtype: torch.dtype) -> st.SearchStrategy[list[float]]:
    """Logits that are all equal, or one at +30 and the rest 0 (probability ~1 - n e^-30)."""
    flat = ordinary(dtype).map(lambda c: [c] * n)
    one_hot = st.integers(0, n - 1).map(lambda k: [30.0 if i == k else 0.0 for i in range(n)])
    return st.one_of(flat, one_hot)


def _tanh_gaussian_bounds(kw: Mapping[str, Any], dtype: torch.dtype) -> st.SearchStrategy:
    d = kw["d_action"]
    mu = st.one_of(st.sampled_from([0.0, 3.0, -3.0, 10.0, -10.0]), ordinary(dtype))
    raw = st.one_of(st.sampled_from([SATURATE_LOW, SATURATE_HIGH]), ordinary(dtype))
    return st.tuples(
        st.lists(mu, min_size=d, max_size=d), st.lists(raw, min_size=d, max_size=d)
    ).map(lambda pair: pair[0] + pair[1])


@st.composite
def _gmm_bounds(draw: st.DrawFn, kw: Mapping[str, Any], dtype: torch.dtype) -> list[float]:
    """Separated modes (spread over [-3, 3]) or identical ones; stds at a bound or mid;
    flat or near-one-hot mixture logits."""
    d, modes = kw["d_action"], kw.get("gmm_modes", DEFAULT_GMM_MODES)
    if draw(st.booleans()) and modes > 1:
        means = [-3.0 + 6.0 * m / (modes - 1) for m in range(modes) for _ in range(d)]
    else:
        shared = draw(st.lists(ordinary(dtype), min_size=d, max_size=d))
        means = shared * modes
    raw_choice = st.sampled_from([SATURATE_LOW, SATURATE_HIGH, 0.0])
    if draw(st.booleans()):
        raws = [draw(raw_choice)] * (modes * d)
    else:
        raws = draw(st.lists(raw_choice, min_size=modes * d, max_size=modes * d))
    return means + raws + draw(_flat_or_one_hot(modes, dtype))


def _beta_bounds(kw: Mapping[str, Any], dtype: torch.dtype) -> st.SearchStrategy:
    # raw -40: alpha/beta at their lows; 50 and 1e3: large; 0.6: softplus ~ 1 (alpha ~ 2).
    raw = st.sampled_from([SATURATE_LOW, 50.0, 1e3, 0.6, 5.0])
    n = 2 * kw["d_action"]
    return st.lists(raw, min_size=n, max_size=n)


def _categorical_bounds(kw: Mapping[str, Any], dtype: torch.dtype) -> st.SearchStrategy:
    d = kw["d_action"]
    spread = [5.0, 2.0, 0.0, -2.0, -5.0, -20.0, 8.0]
    return st.one_of(_flat_or_one_hot(d, dtype), st.permutations(spread).map(lambda p: p[:d]))


def _multibinary_bounds(kw: Mapping[str, Any], dtype: torch.dtype) -> st.SearchStrategy:
    values = [s * m for s in (1.0, -1.0) for m in (0.0, 1.0, 30.0, 80.0, EXTREME)]
    d = kw["d_action"]
    return st.lists(st.sampled_from(values), min_size=d, max_size=d)


def _configs(
    d_actions: st.SearchStrategy[int], *choices: tuple[Mapping[str, Any], ...], **fixed: Any
) -> st.SearchStrategy[dict[str, Any]]:
    def merge(d: int, *parts: Mapping[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {"d_action": d, **fixed}
        for part in parts:
            merged.update(part)
        return merged

    return st.builds(merge, d_actions, *(st.sampled_from(c) for c in choices))


@dataclass(frozen=True)
class OutputStrategy:
    """How to draw an output's kwargs and the rows of its vec."""

    output: str
    configs: st.SearchStrategy[dict[str, Any]]
    input_dimension: Callable[[Mapping[str, Any]], int]
    bounds_row: Row
    wrapper: st.SearchStrategy[dict[str, Any]] | None = None

    def row(
        self, kw: Mapping[str, Any], dtype: torch.dtype, regime: Regime
    ) -> st.SearchStrategy[list[float]]:
        if regime is Regime.BOUNDS:
            return self.bounds_row(kw, dtype)
        n = self.input_dimension(kw)
        return st.lists(_entries(regime, dtype), min_size=n, max_size=n)

    def params(
        self,
        dtype: torch.dtype,
        regimes: tuple[Regime, ...] = (Regime.ORDINARY, Regime.EXTREME, Regime.BOUNDS),
        leads: tuple[tuple[int, ...], ...] = NONEMPTY_LEADS,
    ) -> st.SearchStrategy[Params]:
        """Params for `dtype`: every row of vec from one of `regimes`, the batch from `leads`."""

        @st.composite
        def draw_params(draw: st.DrawFn) -> Params:
            kw = peers.declared_kwargs(self.output, draw(self.configs))
            lead = draw(st.sampled_from(leads))
            regime = draw(st.sampled_from(regimes))
            n_rows = math.prod(lead)
            rows = [draw(self.row(kw, dtype, regime)) for _ in range(n_rows)]
            vec = in_dtype(rows, dtype).reshape((*lead, self.input_dimension(kw)))
            wrapper = None if self.wrapper is None else draw(self.wrapper)
            return Params(kw, vec, wrapper)

        return draw_params()


def _dimension(output: str) -> Callable[[Mapping[str, Any]], int]:
    return functools.partial(input_dimension, output)


OUTPUT_STRATEGIES: dict[str, OutputStrategy] = {
    "TanhGaussian": OutputStrategy(
        "TanhGaussian",
        _configs(st.integers(1, 3), STRESS_CONFIGS["TanhGaussian"], CLIP_CONFIGS["TanhGaussian"]),
        _dimension("TanhGaussian"),
        _tanh_gaussian_bounds,
    ),
    "GMM": OutputStrategy(
        "GMM",
        _configs(
            st.integers(1, 2),
            STRESS_CONFIGS["GMM"],
            ({"gmm_modes": 1}, {"gmm_modes": 2}, {"gmm_modes": 3}),
        ),
        _dimension("GMM"),
        _gmm_bounds,
    ),
    "Beta": OutputStrategy(
        "Beta",
        _configs(st.integers(1, 3), STRESS_CONFIGS["Beta"], CLIP_CONFIGS["Beta"]),
        _dimension("Beta"),
        _beta_bounds,
    ),
    "Discrete": OutputStrategy(
        "Discrete",
        _configs(st.integers(2, 6), STRESS_CONFIGS["Discrete"]),
        _dimension("Discrete"),
        _categorical_bounds,
    ),
    # d >= 3: the straight-through Jacobian determines the softmax value y only from 3 classes.
    "DiscreteLikeContinuous": OutputStrategy(
        "DiscreteLikeContinuous",
        _configs(st.integers(3, 6), STRESS_CONFIGS["DiscreteLikeContinuous"]),
        _dimension("DiscreteLikeContinuous"),
        _categorical_bounds,
        wrapper=st.sampled_from(TEMPERATURES).map(lambda t: {"gumbel_softmax_temperature": t}),
    ),
    "Multibinary": OutputStrategy(
        "Multibinary", _configs(st.integers(1, 5)), _dimension("Multibinary"), _multibinary_bounds
    ),
}


# ---- actions ----


def boundary_values(dtype: torch.dtype) -> list[float]:
    """1 - 10^-k while distinct from 1 in dtype, nextafter(1, 0) and 1, with both signs, and 0."""
    return signed_boundary_actions(numpy_dtype(dtype), outside=False)


def box_actions(dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Actions in [-1, 1] of dtype, half of them at the boundary points of boundary_values."""
    return st.one_of(
        st.sampled_from(boundary_values(dtype)), st.floats(-1.0, 1.0, width=_width(dtype))
    )


def beyond_box_actions(dtype: torch.dtype) -> st.SearchStrategy[float]:
    """Actions outside [-1, 1]: just past it, and far."""
    past_one = float(np.nextafter(numpy_dtype(dtype)(1.0), numpy_dtype(dtype)(2.0)))
    magnitudes = st.one_of(
        st.sampled_from([past_one, 1.001, 1.5, 10.0, 1e30]),
        st.floats(1.0, 100.0, exclude_min=True, width=_width(dtype)),
    )
    return st.tuples(st.sampled_from([1.0, -1.0]), magnitudes).map(lambda p: p[0] * p[1])


def action_array(
    shape: tuple[int, ...], elements: st.SearchStrategy[float]
) -> st.SearchStrategy[np.ndarray]:
    return st.lists(elements, min_size=math.prod(shape), max_size=math.prod(shape)).map(
        lambda values: np.asarray(values, dtype=np.float64).reshape(shape)
    )


def draw_seed(data: st.DataObject) -> int:
    """A torch seed drawn by hypothesis: an example that samples then draws the same samples
    when hypothesis replays it (the per-test seed of the suite plugin is consumed by the
    earlier examples), and the failure report names it."""
    return data.draw(st.integers(0, 2**32 - 1), label="torch seed")


def seed_torch(data: st.DataObject) -> None:
    """Seed torch's generator from draw_seed."""
    torch.manual_seed(draw_seed(data))
