"""The registry covers every output: the seed page's list and the implementation's classes."""

from __future__ import annotations

import inspect
import types

from policy_dists_catalogue import OUTPUTS
from policy_dists_suite.property_tests.registry import CASES, CASES_BY_NAME


def test_every_seed_page_output_is_registered() -> None:
    missing = set(OUTPUTS) - set(CASES_BY_NAME)
    assert not missing, f"outputs of the seed page without a registry case: {sorted(missing)}"


def test_every_case_has_its_reference_and_parameter_strategy() -> None:
    """The property tests need both slots: the reference counterpart, built from the same
    constructor kwargs, and the hypothesis strategy of those kwargs and vec."""
    for case in CASES:
        assert case.reference is not None, f"{case.name}: no reference counterpart"
        assert case.param_strategy is not None, f"{case.name}: no parameter strategy"
        ref = case.reference(case.output_kwargs)
        assert type(ref).__module__.startswith("policy_dists_reference"), (case.name, ref)
        assert ref.input_dimension == case.input_dimension(case.output_kwargs), case.name


def test_registry_names_are_unique() -> None:
    assert len(CASES_BY_NAME) == len(CASES)


def test_every_concrete_policy_output_of_the_implementation_is_registered(
    impl: types.ModuleType,
) -> None:
    concrete = {
        name
        for name, obj in vars(impl).items()
        if not name.startswith("_")
        and inspect.isclass(obj)
        and issubclass(obj, impl.PolicyOutput)
        and not inspect.isabstract(obj)
    }
    assert concrete, f"{impl.__name__} exports no concrete PolicyOutput"
    missing = concrete - set(CASES_BY_NAME)
    assert not missing, f"{impl.__name__} outputs without a registry case: {sorted(missing)}"


def test_every_registered_class_exists_in_the_implementation(impl: types.ModuleType) -> None:
    for case in CASES:
        assert inspect.isclass(getattr(impl, case.name, None)), case.name
        assert inspect.isclass(getattr(impl, case.output_class, None)), case.output_class
