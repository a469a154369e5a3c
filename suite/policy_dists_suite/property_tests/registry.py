"""The one table of policy outputs that every test in property_tests iterates over.

Each `OutputCase` says how to build an output from the implementation module under test, the
SPEC §4 contract of its shapes, dtypes and flags, and how to make valid actions for it. Add an
output here and every contract test covers it; `test_registry.py` fails when an output of the
seed page or a concrete PolicyOutput of the implementation is missing.

The property tests read two more slots: `reference`, which builds the numpy/scipy
counterpart in policy_dists_reference from the same constructor kwargs (std_activation by
name), and `param_strategy`, the hypothesis strategy of constructor kwargs and vec
(strategies.OUTPUT_STRATEGIES). `test_registry.py` fails when either is missing.
"""

from __future__ import annotations

import enum
import functools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
import torch.nn.functional as F

import policy_dists_reference as reference
from policy_dists_catalogue import input_dimension
from policy_dists_catalogue.adapters import ADAPTERS, OutputAdapter
from policy_dists_suite import peers
from policy_dists_suite.property_tests.strategies import OUTPUT_STRATEGIES, OutputStrategy, Params

Shape = tuple[int, ...]
Kwargs = Mapping[str, Any]

# SPEC §4: the statistics `forward` logs for each log_dict key.
LOG_STATS: tuple[str, ...] = ("max", "min", "std", "mean")

# Leading dims of vec the shape tests use. A 1-D vec (lead ()) and an empty batch (0, 5) have
# families of their own (test_contract_shapes), so that a module failing either fails there
# alone, not in every property that happens to draw it.
LEADS: tuple[Shape, ...] = ((3,), (2, 1, 4))
ONE_DIMENSIONAL: Shape = ()
EMPTY_BATCH: Shape = (0, 5)
SAMPLE_SHAPES: tuple[Shape, ...] = ((), (7,))


class Support(enum.Enum):
    """What SPEC §4 says about an optional method (rsample, entropy) of an output."""

    YES = "implemented"
    RAISES = "raises NotImplementedError"
    UNSPECIFIED = "not specified by SPEC"


@dataclass(frozen=True, repr=False)
class OutputCase:
    name: str
    # Constructor kwargs of the PolicyOutput class that consumes vec (the adapter's
    # output_class; for DiscreteLikeContinuous that is Discrete, which the wrapper wraps).
    output_kwargs: Kwargs
    # Keyword arguments of the wrapper class `name` when it is not the output class itself.
    wrapper_kwargs: Kwargs | None
    input_dimension: Callable[[Kwargs], int]
    # Shapes as functions of the leading dims of vec (`lead`) and the constructor kwargs.
    # batch_shape / event_shape are None for a case that is not a torch Distribution.
    batch_shape: Callable[[Shape, Kwargs], Shape] | None
    event_shape: Callable[[Kwargs], Shape] | None
    action_shape: Callable[[Shape, Kwargs], Shape]  # one sample(); prefix sample_shape
    log_prob_shape: Callable[[Shape, Kwargs], Shape]  # of make_actions(lead) actions
    integer_samples: bool  # int64 samples; otherwise the working float dtype
    box_actions: bool  # actions are floats in [-1, 1] (SPEC §6's "any action in [-1, 1]")
    is_discrete: bool | None  # None: not a PolicyOutput, no such property
    actions_differentiable: bool | None
    rsample: Support
    entropy: Support  # when YES, its shape is log_prob_shape
    has_mean: bool  # `mean` is specified, with shape action_shape
    has_probs: bool  # `probs` and `logits` are specified, shape lead + (d_action,)
    log_dict_keys: tuple[str, ...]  # the <Key> parts of activation-<Key>-<stat>
    # Valid actions for log_prob, of shape lead + event (Discrete: indices of shape lead).
    make_actions: Callable[[Shape, Kwargs, torch.dtype, torch.device], torch.Tensor]
    # Feature -> extension name, for the parts of this case's contract that are policy-dists
    # extensions: "batchless" (lead ()), "entropy", "rsample_sample_shape",
    # "distribution_shapes" (batch_shape, event_shape and support), "own_samples" (exact
    # scores of the distribution's own draws).
    extensions: Mapping[str, str] = field(default_factory=dict)
    # Draws constructor kwargs and vec for the property tests.
    param_strategy: OutputStrategy | None = None

    def __repr__(self) -> str:
        # Hypothesis prints the arguments of a failing example: the name says which case.
        return f"OutputCase({self.name!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis's pretty printer lists a dataclass's fields unless told otherwise.
        printer.text(repr(self))

    @property
    def adapter(self) -> OutputAdapter:
        """How the implementation, reference and arbiter objects of this output are built."""
        return ADAPTERS[self.name]

    @property
    def output_class(self) -> str:
        return self.adapter.output_class

    def reference(self, kwargs: Kwargs) -> Any:
        """The policy_dists_reference object for constructor kwargs (std_activation by name).
        For DiscreteLikeContinuous it is the reference Discrete whose logits the wrapper
        holds: `reference_wrapper` builds the reference DiscreteLikeContinuous from them.
        On a peer adapter the kwargs are its declared ones (policy_dists_suite.peers)."""
        return self.adapter.reference(peers.declared_kwargs(self.name, kwargs))

    @property
    def is_policy_output(self) -> bool:
        return not self.adapter.wrapped

    @property
    def d_action(self) -> int:
        return int(self.output_kwargs["d_action"])

    def policy_output(self, impl: types.ModuleType, **overrides: Any) -> Any:
        kwargs = peers.declared_kwargs(self.name, {**self.output_kwargs, **overrides})
        return getattr(impl, self.output_class)(**kwargs)

    def distribution(
        self, impl: types.ModuleType, vec: torch.Tensor, log_dict: dict | None = None
    ) -> Any:
        kwargs = peers.declared_kwargs(self.name, self.output_kwargs)
        return self.adapter.distribution(impl, kwargs, vec, self.wrapper_kwargs, log_dict)

    def vec_shape(self, lead: Shape) -> Shape:
        return (*lead, self.input_dimension(self.output_kwargs))

    def drawn_distribution(self, impl: types.ModuleType, params: Params, vec: torch.Tensor) -> Any:
        """The implementation's distribution for drawn `params` at vec (params.vec as a tensor)."""
        wrapper_kwargs = params.wrapper_kwargs or self.wrapper_kwargs
        kwargs = peers.declared_kwargs(self.name, params.kwargs)
        return self.adapter.distribution(impl, kwargs, vec, wrapper_kwargs)

    def drawn_reference(self, params: Params) -> Any:
        """The reference object for drawn `params` (DiscreteLikeContinuous: its Discrete)."""
        return self.reference(params.kwargs)


def reference_wrapper(
    discrete: reference.Discrete, params: Params, dtype: torch.dtype
) -> reference.DiscreteLikeContinuous:
    """The reference DiscreteLikeContinuous around the reference Discrete at params.vec."""
    wrapper = ADAPTERS["DiscreteLikeContinuous"]
    return wrapper.reference_wrapper(discrete, params.vec, dtype, params.wrapper_kwargs)


def draw_params(data: Any, case: OutputCase, dtype: torch.dtype, regimes: Any) -> Params:
    """One hypothesis draw of `case`'s parameters in `regimes`, over batches of one or more
    rows (a 1-D vec and an empty batch are families of their own: test_contract_shapes)."""
    return data.draw(case.param_strategy.params(dtype, regimes), label="params")


def _per_dim(lead: Shape, kw: Kwargs) -> Shape:
    return (*lead, kw["d_action"])


def _lead(lead: Shape, kw: Kwargs) -> Shape:
    return lead


def _one_column(lead: Shape, kw: Kwargs) -> Shape:
    return (*lead, 1)


def _uniform_actions(
    lead: Shape, kw: Kwargs, dtype: torch.dtype, dev: torch.device
) -> torch.Tensor:
    return torch.rand((*lead, kw["d_action"]), dtype=dtype, device=dev) * 2 - 1


def _index_actions(lead: Shape, kw: Kwargs, dtype: torch.dtype, dev: torch.device) -> torch.Tensor:
    return torch.randint(0, kw["d_action"], lead, device=dev)


def _one_hot_actions(
    lead: Shape, kw: Kwargs, dtype: torch.dtype, dev: torch.device
) -> torch.Tensor:
    return F.one_hot(_index_actions(lead, kw, dtype, dev), kw["d_action"]).to(dtype)


def _binary_actions(lead: Shape, kw: Kwargs, dtype: torch.dtype, dev: torch.device) -> torch.Tensor:
    return torch.randint(0, 2, (*lead, kw["d_action"]), device=dev).to(dtype)


_DISCRETE_KWARGS: Kwargs = {"d_action": 4}

CASES: tuple[OutputCase, ...] = (
    OutputCase(
        name="TanhGaussian",
        output_kwargs={"d_action": 3},
        wrapper_kwargs=None,
        input_dimension=functools.partial(input_dimension, "TanhGaussian"),
        batch_shape=_per_dim,
        event_shape=lambda kw: (),
        action_shape=_per_dim,
        log_prob_shape=_per_dim,
        integer_samples=False,
        box_actions=True,
        is_discrete=False,
        actions_differentiable=True,
        rsample=Support.YES,
        entropy=Support.RAISES,
        has_mean=True,
        has_probs=False,
        log_dict_keys=("TanhGaussian-mu", "TanhGaussian-std", "TanhGaussian-raw_std"),
        make_actions=_uniform_actions,
        param_strategy=OUTPUT_STRATEGIES["TanhGaussian"],
    ),
    OutputCase(
        name="GMM",
        # d != M so that a formula mixing them up gives another input_dimension.
        output_kwargs={"d_action": 2, "gmm_modes": 3},
        wrapper_kwargs=None,
        input_dimension=functools.partial(input_dimension, "GMM"),
        batch_shape=_lead,
        event_shape=lambda kw: (kw["d_action"],),
        action_shape=_per_dim,
        log_prob_shape=_one_column,
        integer_samples=False,
        box_actions=True,
        is_discrete=False,
        actions_differentiable=False,
        rsample=Support.RAISES,
        entropy=Support.UNSPECIFIED,
        has_mean=True,
        has_probs=False,
        log_dict_keys=("GMM-means", "GMM-raw_std", "GMM-stds", "GMM-logits"),
        make_actions=_uniform_actions,
        param_strategy=OUTPUT_STRATEGIES["GMM"],
        extensions={
            "batchless": "gmm_batchless",
            "distribution_shapes": "gmm_distribution_shapes",
            "own_samples": "gmm_own_samples",
        },
    ),
    OutputCase(
        name="Beta",
        output_kwargs={"d_action": 3},
        wrapper_kwargs=None,
        input_dimension=functools.partial(input_dimension, "Beta"),
        batch_shape=_per_dim,
        event_shape=lambda kw: (),
        action_shape=_per_dim,
        log_prob_shape=_per_dim,
        integer_samples=False,
        box_actions=True,
        is_discrete=False,
        actions_differentiable=True,
        rsample=Support.YES,
        entropy=Support.YES,
        has_mean=True,
        has_probs=False,
        log_dict_keys=("Beta-alpha", "Beta-beta"),
        make_actions=_uniform_actions,
        param_strategy=OUTPUT_STRATEGIES["Beta"],
        extensions={"entropy": "beta_entropy"},
    ),
    OutputCase(
        name="Discrete",
        output_kwargs=_DISCRETE_KWARGS,
        wrapper_kwargs=None,
        input_dimension=functools.partial(input_dimension, "Discrete"),
        batch_shape=_lead,
        event_shape=lambda kw: (),
        action_shape=_one_column,
        log_prob_shape=_lead,
        integer_samples=True,
        box_actions=False,
        is_discrete=True,
        actions_differentiable=True,
        rsample=Support.RAISES,
        entropy=Support.YES,
        has_mean=False,
        has_probs=True,
        log_dict_keys=("Discrete-probs",),
        make_actions=_index_actions,
        param_strategy=OUTPUT_STRATEGIES["Discrete"],
    ),
    OutputCase(
        name="DiscreteLikeContinuous",
        output_kwargs=_DISCRETE_KWARGS,
        wrapper_kwargs={"gumbel_softmax_temperature": 0.5},
        input_dimension=functools.partial(input_dimension, "DiscreteLikeContinuous"),
        batch_shape=None,
        event_shape=None,
        action_shape=_per_dim,
        # SPEC is silent; log r[argmax a] is one value per row, as upstream's OneHotCategorical.
        log_prob_shape=_lead,
        integer_samples=False,
        box_actions=False,
        is_discrete=None,
        actions_differentiable=None,
        rsample=Support.YES,
        entropy=Support.YES,
        has_mean=False,
        has_probs=True,
        log_dict_keys=("Discrete-probs",),
        make_actions=_one_hot_actions,
        param_strategy=OUTPUT_STRATEGIES["DiscreteLikeContinuous"],
        extensions={"rsample_sample_shape": "dlc_rsample_sample_shape"},
    ),
    OutputCase(
        name="Multibinary",
        output_kwargs={"d_action": 5},
        wrapper_kwargs=None,
        input_dimension=functools.partial(input_dimension, "Multibinary"),
        batch_shape=_per_dim,
        event_shape=lambda kw: (),
        action_shape=_per_dim,
        log_prob_shape=_per_dim,
        integer_samples=False,
        box_actions=False,
        is_discrete=False,
        actions_differentiable=False,
        rsample=Support.UNSPECIFIED,
        entropy=Support.YES,
        has_mean=True,
        has_probs=True,
        log_dict_keys=(),
        make_actions=_binary_actions,
        param_strategy=OUTPUT_STRATEGIES["Multibinary"],
    ),
)

CASES_BY_NAME: dict[str, OutputCase] = {case.name: case for case in CASES}
POLICY_OUTPUT_CASES: tuple[OutputCase, ...] = tuple(c for c in CASES if c.is_policy_output)


def log_dict_names(case: OutputCase) -> set[str]:
    return {f"activation-{key}-{stat}" for key in case.log_dict_keys for stat in LOG_STATS}


def case_param(case: OutputCase, *values: object, features: tuple[str, ...] = ()) -> Any:
    """A pytest.param of (case, *values), marked with the extensions `features` need."""
    marks = [pytest.mark.extension(case.extensions[f]) for f in features if f in case.extensions]
    ident = "-".join([case.name, *(str(v) for v in values)])
    return pytest.param(case, *values, marks=marks, id=ident)


def case_params(cases: tuple[OutputCase, ...] = CASES, features: tuple[str, ...] = ()) -> list[Any]:
    return [case_param(case, features=features) for case in cases]


def case_lead_params(
    cases: tuple[OutputCase, ...] = CASES, features: tuple[str, ...] = ()
) -> list[Any]:
    """(case, lead) for every lead of LEADS."""
    return [case_param(case, lead, features=features) for case in cases for lead in LEADS]
