"""Fixtures of the property tests on top of the root conftest's `impl`, `device`, `dtype`."""

from __future__ import annotations

import pytest

from property_tests.extensions import requires_extension


@pytest.fixture(autouse=True)
def _gate_extension_tests(request: pytest.FixtureRequest) -> None:
    """Skip a test marked `extension(name)` on an implementation that lacks that extension."""
    for marker in request.node.iter_markers("extension"):
        (name,) = marker.args
        requires_extension(
            request.getfixturevalue("impl"), request.getfixturevalue("is_default_impl"), name
        )
