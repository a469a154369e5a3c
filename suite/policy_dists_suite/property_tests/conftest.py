"""Fixtures of the property tests on top of the suite plugin's `impl`, `device`, `dtype`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from policy_dists_suite.property_tests.extensions import requires_extension


@pytest.fixture(autouse=True)
def _gate_extension_tests(request: pytest.FixtureRequest) -> None:
    """Skip a test marked `extension(name)` on an implementation that lacks that extension."""
    for marker in request.node.iter_markers("extension"):
        (name,) = marker.args
        requires_extension(
            request.getfixturevalue("impl"), request.getfixturevalue("is_default_impl"), name
        )


VALIDATION_IDS = {False: "validate_args-off", True: "validate_args-on"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The contract (test_contract_*) runs under torch's argument validation off and on; the
    property families run with it off, as training and torch.compile run (a NaN or an
    out-of-support value then passes silently), at half the cost of both."""
    if metafunc.module.__name__.split(".")[-1].startswith("test_contract_"):
        metafunc.parametrize(
            "torch_validation",
            list(VALIDATION_IDS),
            ids=list(VALIDATION_IDS.values()),
            indirect=True,
        )


@pytest.fixture
def torch_validation(request: pytest.FixtureRequest) -> bool:
    return getattr(request, "param", False)


@pytest.fixture(autouse=True)
def _pinned_torch_validation(torch_validation: bool) -> Iterator[None]:
    """torch's global argument validation for the test (overrides the suite plugin's pin
    to on)."""
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(torch_validation)
    yield
    torch.distributions.Distribution.set_default_validate_args(before)
