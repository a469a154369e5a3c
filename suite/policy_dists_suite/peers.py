"""The suite on a peer library's adapter: a module with DECLARED_CONFIGS (the
policy_dists_adapters modules), whose one configuration per output is the library's own.

Its property families (test_property_*) measure the library's numerics at that configuration
against the reference of the same parameterization (declare, below). What does not apply
skips, with the reason: the contract families (test_contract_*: the amago API's names, flags,
constructor options, extensions and error behaviour, which another library's API does not
promise), the golden fixtures (values at the amago API's own configurations), the tests of an
output the library lacks, and the property tests marked
`amago_api(needs)`, which need a part of the amago API beyond the distribution (log_dict
statistics, the activations by name, configurations other than the library's).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

Declared = Mapping[str, Mapping[str, Any]]

# The declared configurations of the peer adapter under test (set at collection by the suite
# plugin; empty for an implementation of the amago API itself).
_DECLARED: dict[str, Mapping[str, Any]] = {}
# What a drawn or listed configuration keeps under a declared one: its shape.
_SHAPE_KWARGS = ("d_action", "gmm_modes")


def declare(configs: Declared) -> None:
    """Build every output in `configs` at that configuration from now on."""
    _DECLARED.clear()
    _DECLARED.update(configs)


def declared_kwargs(output: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """`kwargs` as the module under test takes them: unchanged, or for a peer adapter its
    declared configuration of `output` with the shape (d_action, gmm_modes) of `kwargs`."""
    declared = _DECLARED.get(output)
    if declared is None:
        return dict(kwargs)
    return {**{k: kwargs[k] for k in _SHAPE_KWARGS if k in kwargs}, **declared}


def declared_configs(impl_name: str) -> Declared | None:
    """The DECLARED_CONFIGS of module `impl_name`, or None (not a peer adapter, or not
    importable: the `impl` fixture reports that)."""
    try:
        module = importlib.import_module(impl_name)
    except ImportError:
        return None
    return getattr(module, "DECLARED_CONFIGS", None)


def skip_reason(item: pytest.Item, output: str, declared: Declared, impl_name: str) -> str | None:
    """Why `item` (a test of `output`, "-" for none) does not apply to the peer adapter, or
    None when it measures the library."""
    library = f"{impl_name} adapts another library"
    path = Path(str(item.path))
    if "golden" in path.parts:
        return (
            f"{library}: the golden fixtures hold exact values at the amago API's own "
            "configurations, which it does not present (its numerics are measured by the "
            "property tests and the audit)"
        )
    stem = path.stem
    if stem.startswith("test_contract_") or stem == "test_registry":
        return (
            f"{library}: the contract tests check the amago API's names, flags, options and "
            "error behaviour, which its API does not promise (its numerics are measured by the "
            "property tests and the audit)"
        )
    if output not in declared:
        return f"{library}, which has no {output}"
    marker = item.get_closest_marker("amago_api")
    if marker is not None:
        return f"{library}, whose {output} lacks what this test needs: {marker.args[0]}"
    return None
