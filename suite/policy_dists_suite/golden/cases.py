"""The fixed inputs of the golden fixtures: for every output, constructor configurations, vec
rows (ordinary, extreme ±1e4, parameters at their activations' bounds) and actions (interior,
1 - 10^-k, nextafter(1, 0), exactly ±1, outside), in float32 and float64.

Every input is rounded to the case's dtype before anything is computed from it, so a fixture
holds the exact value at the inputs the implementation receives (SPEC §2, §7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import policy_dists_catalogue as catalogue
from policy_dists_catalogue import EXTREME, SATURATE_HIGH, SATURATE_LOW, gmm_vec
from policy_dists_catalogue.adapters import OutputAdapter

DTYPES: tuple[str, ...] = ("float32", "float64")
# The exponents k of the boundary actions 1 - 10^-k the fixtures hold.
BOUNDARY_EXPONENTS: tuple[int, ...] = (1, 2, 3, 6, 9, 12)
NUMPY_DTYPES: dict[str, type[np.floating]] = {"float32": np.float32, "float64": np.float64}


@dataclass(frozen=True)
class Case:
    """One golden case: a quantity of one configured output at one vec row (and action).

    `action` holds the dtype-rounded action row of a continuous or Multibinary log_prob case;
    None for the other quantities and for Discrete and DiscreteLikeContinuous, whose log_prob
    values are one per class (see QUANTITIES); a Discrete "log_prob_of_classes" case lists
    there the class indices k (as floats) it scores (a d_action too large to store every class).
    `extension` names the policy-dists extension the case needs (property_tests/extensions.py),
    None for the seed page's API.
    """

    id: str
    config: str
    dtype: str
    vec: str
    quantity: str
    action: tuple[float, ...] | None
    extension: str | None


@dataclass(frozen=True)
class OutputSpec:
    """The golden cases of one output (or of the two activations): fixture `<stem>.json`."""

    name: str
    stem: str
    configs: Mapping[str, Mapping[str, Any]]
    vec_sources: Mapping[str, tuple[float, ...]]
    cases: tuple[Case, ...]
    label: str | None = None  # the test id, where `name` is shared by two fixture files

    @property
    def id(self) -> str:
        return self.label or self.name

    def vecs(self, dtype: str) -> dict[str, tuple[float, ...]]:
        """The vec rows rounded to `dtype`, as exact float64 numbers."""
        return {name: round_to(row, dtype) for name, row in self.vec_sources.items()}

    @property
    def quantities(self) -> dict[str, str]:
        """What the values of each quantity of this output's cases are (QUANTITIES)."""
        return {q: QUANTITIES[q] for q in dict.fromkeys(c.quantity for c in self.cases)}

    @property
    def extension_groups(self) -> tuple[str | None, ...]:
        """The distinct `extension` values of the cases, None (no extension) first."""
        names = {c.extension for c in self.cases}
        return (*((None,) if None in names else ()), *sorted(n for n in names if n is not None))


def round_to(values: tuple[float, ...], dtype: str) -> tuple[float, ...]:
    """Each value rounded to the nearest `dtype` number, returned as an exact float64."""
    return tuple(float(v) for v in np.asarray(values, np.float64).astype(NUMPY_DTYPES[dtype]))


def boundary_actions(dtype: str) -> tuple[tuple[str, float], ...]:
    """(label, a) for a = 0, 0.3, 0.75, then the catalogue's boundary actions at 1 - 10^-k for
    k = 1, 2, 3, 6, 9, 12, nextafter(1, 0), 1, nextafter(1, 2) and 1.5, rounded to dtype."""
    kind = NUMPY_DTYPES[dtype]
    interior = (("0", 0.0), ("0.3", 0.3), ("0.75", 0.75))
    rounded = tuple((label, float(kind(a))) for label, a in interior)
    return rounded + catalogue.boundary_actions(kind, BOUNDARY_EXPONENTS)


def _continuous_cases(
    configs: Mapping[str, Mapping[str, Any]],
    vec_names: tuple[str, ...],
    d_action: int,
    quantities: Mapping[str, str | None],
    config_extensions: Mapping[str, str],
    exact_ends: str | None = None,
) -> tuple[Case, ...]:
    """log_prob at every boundary action, paired as (a, -a, a, ...) over the d dimensions, and
    the other `quantities` (name -> extension or None), for every config, dtype and vec row.
    `exact_ends` is the extension log_prob at exactly ±1 needs under a clip reaching ±1."""
    cases = []
    for config in configs:
        extension = config_extensions.get(config)
        reaches_the_ends = tuple(configs[config].get("clip_actions_on_log_prob", ())) == (-1, 1)
        for dtype in DTYPES:
            for vec in vec_names:
                prefix = f"{config}/{dtype}/{vec}"
                for label, a in boundary_actions(dtype):
                    row = tuple(a if j % 2 == 0 else -a for j in range(d_action))
                    # Past ±1 the seed page promises nothing: clamping such an action like
                    # any other is a policy-dists extension, in a group of its own; so is the
                    # value at exactly ±1 when the clip reaches it (-inf, where NaN is common).
                    outside = None if abs(a) <= 1 else "clamps_actions_outside_the_box"
                    if abs(a) == 1 and reaches_the_ends:
                        outside = exact_ends
                    cases.append(
                        Case(
                            f"{prefix}/log_prob/a=±{label}",
                            config,
                            dtype,
                            vec,
                            "log_prob",
                            row,
                            extension or outside,
                        )
                    )
                for quantity, needs in quantities.items():
                    cases.append(
                        Case(
                            f"{prefix}/{quantity}",
                            config,
                            dtype,
                            vec,
                            quantity,
                            None,
                            needs or extension,
                        )
                    )
    return tuple(cases)


def _plain_cases(
    configs: Mapping[str, Mapping[str, Any]],
    vec_names: tuple[str, ...],
    quantities: tuple[str, ...],
) -> tuple[Case, ...]:
    """Every quantity for every config, dtype and vec row, none needing an extension."""
    return tuple(
        Case(f"{config}/{dtype}/{vec}/{quantity}", config, dtype, vec, quantity, None, None)
        for config in configs
        for dtype in DTYPES
        for vec in vec_names
        for quantity in quantities
    )


def _multibinary_cases(d_action: int, vec_names: tuple[str, ...]) -> tuple[Case, ...]:
    """log_prob of the all-zeros and the all-ones outcome rows, mean and entropy."""
    cases = []
    for dtype in DTYPES:
        for vec in vec_names:
            prefix = f"default/{dtype}/{vec}"
            for k in (0, 1):
                outcomes = (float(k),) * d_action
                cases.append(
                    Case(
                        f"{prefix}/log_prob/k={k}",
                        "default",
                        dtype,
                        vec,
                        "log_prob",
                        outcomes,
                        None,
                    )
                )
            for quantity in ("mean", "entropy"):
                cases.append(
                    Case(f"{prefix}/{quantity}", "default", dtype, vec, quantity, None, None)
                )
    return tuple(cases)


_TANH_GAUSSIAN_CONFIGS = {
    "default": {"d_action": 2},
    "softplus_unclipped": {
        "d_action": 2,
        "std_low": 1e-3,
        "std_high": 3.0,
        "std_activation": "softplus_bounded_positive",
        "clip_actions_on_log_prob": [-1.0, 1.0],
    },
}
# (mu_1, mu_2, raw_std_1, raw_std_2)
_TANH_GAUSSIAN_VECS = {
    "ordinary": (0.3, -1.2, 0.5, -0.7),
    "std_at_bounds": (3.0, -3.0, SATURATE_LOW, SATURATE_HIGH),
    "extreme": (EXTREME, -EXTREME, -EXTREME, EXTREME),
}

_GMM_CONFIGS = {
    "default": {"d_action": 2, "gmm_modes": 3},
    "tanh_std_unclipped": {
        "d_action": 2,
        "gmm_modes": 3,
        "std_low": 0.01,
        "std_high": 2.0,
        "std_activation": "tanh_bounded_positive",
        "clip_actions_on_log_prob": [-1.0, 1.0],
    },
}
# M = 3 modes of d = 2 (gmm_vec's layout)
_GMM_VECS = {
    "ordinary": gmm_vec(
        (0.3, -0.5, -1.1, 0.8, 2.0, 0.1), (0.2, -0.4, 1.3, -1.0, 0.0, 0.6), (0.5, -0.25, 1.0)
    ),
    "separated_std_low": gmm_vec(
        (-3.0, 3.0, 0.0, 0.0, 3.0, -3.0), (SATURATE_LOW,) * 6, (0.0, 0.0, 0.0)
    ),
    "extreme": gmm_vec(
        (EXTREME, -EXTREME, 0.0, 0.5, -EXTREME, EXTREME),
        (EXTREME, -EXTREME, -EXTREME, EXTREME, 0.0, 0.0),
        (EXTREME, -EXTREME, 0.0),
    ),
}

_BETA_CONFIGS = {
    "default": {"d_action": 2},
    "bounded_unclipped": {
        "d_action": 2,
        "alpha_low": 1.5,
        "alpha_high": 50.0,
        "beta_low": 1.25,
        "beta_high": 50.0,
        "clip_actions_on_log_prob": [-1.0, 1.0],
    },
    "tanh": {
        "d_action": 2,
        "alpha_low": 1.0,
        "alpha_high": 1e4,
        "beta_low": 1.0,
        "beta_high": 1e4,
        "std_activation": "tanh_bounded_positive",
    },
}
# (raw_alpha_1, raw_alpha_2, raw_beta_1, raw_beta_2)
_BETA_VECS = {
    "ordinary": (0.5, -1.0, 2.0, 0.1),
    "at_bounds": (SATURATE_LOW, 49.0, SATURATE_LOW, SATURATE_HIGH),
    "extreme": (EXTREME, -EXTREME, -EXTREME, EXTREME),
}

_DISCRETE_CONFIGS = {
    "default": {"d_action": 4},
    "wide_clip": {"d_action": 4, "clip_prob_low": 0.2, "clip_prob_high": 0.5},
    "no_clip": {"d_action": 4, "clip_prob_low": 0.0, "clip_prob_high": 1.0},
    # d_action * clip_prob_low = 1.2 > 1 (SPEC §5 accepts it): renormalizing moves r below
    # the floor.
    "floor_above_one_over_d": {"d_action": 4, "clip_prob_low": 0.3, "clip_prob_high": 0.9},
}
_DISCRETE_VECS = {
    "ordinary": (0.5, -1.25, 2.0, 0.1),
    "flat": (0.0, 0.0, 0.0, 0.0),
    "near_one_hot": (SATURATE_HIGH, 0.0, 0.0, -SATURATE_HIGH),
    "extreme": (EXTREME, -EXTREME, 0.0, -EXTREME),
}

# A large action space at the default clips: d_action * clip_prob_low = 1.5 > 1. Rows of
# small integers keep the fixture short: flat (every p = 1/1500 clamps up to low, r = 1/1500
# < low), one class far ahead (p_0 clamps down to high, the rest up to low) and a sawtooth
# k mod 10 (p = 0.0042 and 0.0015 at residues 9 and 8 stay inside [low, high], the rest
# clamp up). Its cases score a few classes (LARGE_DISCRETE_CLASSES), not all 1500.
LARGE_DISCRETE_D = 1500
_LARGE_DISCRETE_CONFIGS = {"default_d1500": {"d_action": LARGE_DISCRETE_D}}
_LARGE_DISCRETE_VECS = {
    "flat": (0.0,) * LARGE_DISCRETE_D,
    "near_one_hot": (SATURATE_HIGH,) + (0.0,) * (LARGE_DISCRETE_D - 1),
    "sawtooth": tuple(float(k % 10) for k in range(LARGE_DISCRETE_D)),
}
LARGE_DISCRETE_CLASSES = (0.0, 7.0, 8.0, 9.0, 750.0, 1499.0)


def _large_discrete_cases() -> tuple[Case, ...]:
    """log_prob_of_classes at LARGE_DISCRETE_CLASSES and the entropy, for every dtype and vec
    row."""
    classes = ",".join(str(int(k)) for k in LARGE_DISCRETE_CLASSES)
    cases = []
    for config in _LARGE_DISCRETE_CONFIGS:
        for dtype in DTYPES:
            for vec in _LARGE_DISCRETE_VECS:
                prefix = f"{config}/{dtype}/{vec}"
                cases.append(
                    Case(
                        f"{prefix}/log_prob_of_classes/k={classes}",
                        config,
                        dtype,
                        vec,
                        "log_prob_of_classes",
                        LARGE_DISCRETE_CLASSES,
                        None,
                    )
                )
                cases.append(Case(f"{prefix}/entropy", config, dtype, vec, "entropy", None, None))
    return tuple(cases)


_MULTIBINARY_VECS = {
    "ordinary": (0.3, -1.5, 2.0, 0.0, -0.01),
    "extreme": (EXTREME, -EXTREME, SATURATE_HIGH, -SATURATE_HIGH, 88.0),
}

_ACTIVATION_CONFIGS = {
    "softplus_unbounded": {"activation": "softplus_bounded_positive", "low": 1e-4, "high": None},
    "softplus_bounded": {"activation": "softplus_bounded_positive", "low": 1.0001, "high": 50.0},
    "tanh_default_std": {
        "activation": "tanh_bounded_positive",
        "low": float(np.exp(-5.0)),
        "high": float(np.exp(2.0)),
    },
    "tanh_wide": {"activation": "tanh_bounded_positive", "low": 1e-3, "high": 1e4},
}
# Ordinary values, the float32 and float64 softplus switch points (20, 37), the bounded
# softplus's clamp (softplus(x) + 1.0001 > 50 from x = 48.9999), saturation and ±1e4.
_ACTIVATION_XS = {
    "x": (
        0.0,
        0.3,
        -0.7,
        3.0,
        -3.0,
        20.0,
        20.5,
        37.5,
        48.5,
        49.5,
        SATURATE_HIGH,
        SATURATE_LOW,
        88.0,
        -88.0,
        EXTREME,
        -EXTREME,
    )
}

# What each quantity's values are, for the fixture files and the evaluators.
QUANTITIES: dict[str, str] = {
    "log_prob": "log-density (continuous: of the case's action row; Discrete: of each class "
    "index k; DiscreteLikeContinuous: of each one-hot e_k; Multibinary: of the outcome row "
    "in the id, k=0 all zeros, k=1 all ones), one value per value the output returns",
    "log_prob_of_classes": "Discrete's log-density of each class index k listed in the case's "
    "action (and id), for a d_action too large to store every class",
    "mean": "dist.mean",
    "entropy": "dist.entropy()",
    "probs": "dist.probs",
    "logits": "dist.logits",
    "value": "the activation at each x",
}

SPECS: tuple[OutputSpec, ...] = (
    OutputSpec(
        "TanhGaussian",
        "tanh_gaussian",
        _TANH_GAUSSIAN_CONFIGS,
        _TANH_GAUSSIAN_VECS,
        _continuous_cases(
            _TANH_GAUSSIAN_CONFIGS,
            tuple(_TANH_GAUSSIAN_VECS),
            2,
            {"mean": None},
            {},
            exact_ends="exact_ends",
        ),
    ),
    OutputSpec(
        "GMM",
        "gmm",
        _GMM_CONFIGS,
        _GMM_VECS,
        _continuous_cases(
            _GMM_CONFIGS,
            tuple(_GMM_VECS),
            2,
            {"mean": None},
            {"tanh_std_unclipped": "gmm_clip_kwarg"},
        ),
    ),
    OutputSpec(
        "Beta",
        "beta",
        _BETA_CONFIGS,
        _BETA_VECS,
        _continuous_cases(
            _BETA_CONFIGS, tuple(_BETA_VECS), 2, {"mean": None, "entropy": "beta_entropy"}, {}
        ),
    ),
    OutputSpec(
        "Discrete",
        "discrete",
        _DISCRETE_CONFIGS,
        _DISCRETE_VECS,
        _plain_cases(
            _DISCRETE_CONFIGS, tuple(_DISCRETE_VECS), ("log_prob", "probs", "logits", "entropy")
        ),
    ),
    OutputSpec(
        "Discrete",
        "discrete_large",
        _LARGE_DISCRETE_CONFIGS,
        _LARGE_DISCRETE_VECS,
        _large_discrete_cases(),
        label="Discrete-large",
    ),
    OutputSpec(
        "DiscreteLikeContinuous",
        "discrete_like_continuous",
        {
            name: {"discrete": kwargs, "gumbel_softmax_temperature": 0.5}
            for name, kwargs in _DISCRETE_CONFIGS.items()
        },
        _DISCRETE_VECS,
        _plain_cases(
            _DISCRETE_CONFIGS, tuple(_DISCRETE_VECS), ("log_prob", "probs", "logits", "entropy")
        ),
    ),
    OutputSpec(
        "Multibinary",
        "multibinary",
        {"default": {"d_action": 5}},
        _MULTIBINARY_VECS,
        _multibinary_cases(5, tuple(_MULTIBINARY_VECS)),
    ),
    OutputSpec(
        "activations",
        "activations",
        _ACTIVATION_CONFIGS,
        _ACTIVATION_XS,
        _plain_cases(_ACTIVATION_CONFIGS, ("x",), ("value",)),
    ),
)

SPECS_BY_STEM: dict[str, OutputSpec] = {spec.stem: spec for spec in SPECS}


def split_config(adapter: OutputAdapter, kwargs: Mapping[str, Any]) -> tuple[Any, Any]:
    """A fixture config as (the output class's kwargs, the wrapper's kwargs or None): a
    wrapped output's config holds its output class's under that class's name in lower case
    (DiscreteLikeContinuous: {"discrete": {...}, "gumbel_softmax_temperature": t})."""
    if not adapter.wrapped:
        return kwargs, None
    inner = adapter.output_class.lower()
    return kwargs[inner], {k: v for k, v in kwargs.items() if k != inner}
