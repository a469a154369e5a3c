"""Fixtures of the property tests on top of the root conftest's `impl`, `device`, `dtype`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from hypothesis import Phase, settings

from property_tests.extensions import requires_extension


@pytest.fixture(autouse=True)
def _gate_extension_tests(request: pytest.FixtureRequest) -> None:
    """Skip a test marked `extension(name)` on an implementation that lacks that extension."""
    for marker in request.node.iter_markers("extension"):
        (name,) = marker.args
        requires_extension(
            request.getfixturevalue("impl"), request.getfixturevalue("is_default_impl"), name
        )


# The meta-tests (test_property_meta.py) run the suite against broken implementations with
# `--hypothesis-profile=meta`: the ci profile's examples, without shrinking the failing one
# (only the failure matters there, not its smallest form).
settings.register_profile(
    "meta",
    parent=settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)


@pytest.fixture(autouse=True, params=[False, True], ids=["validate_args-off", "validate_args-on"])
def _pinned_torch_validation(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every contract and property test runs under torch's argument validation off (how
    training runs and torch.compile run: a NaN or an out-of-support value passes silently)
    and on (torch's documented default). Overrides the root conftest's pin to on."""
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(request.param)
    yield
    torch.distributions.Distribution.set_default_validate_args(before)
