"""Fixtures of the property tests on top of the root conftest's `impl`, `device`, `dtype`."""

from __future__ import annotations

import pytest
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
