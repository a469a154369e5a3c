"""The (output, property) group of a test: how the verdict, the JSON report and the JUnit XML
properties name what failed, and a test's id relative to the suite package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def verdict_key(nodeid: str) -> tuple[str, str]:
    """(output, property) of a test id: the seed page output named in its parameters (or
    "-"), and the test function's name without its `test_` prefix (the extreme-magnitude
    family of a property apart from its ordinary one)."""
    from policy_dists_catalogue import OUTPUTS

    path, _, name = nodeid.partition("::")
    function, _, parameters = name.partition("[")
    tokens = set(re.split(r"[-\[\]]", parameters))
    output = next((o for o in (*OUTPUTS, "activations") if o in tokens), None)
    if output is None:  # an output-specific test says which in its name
        words = f"_{Path(path).stem.lower()}_{function.lower()}_"
        named = {
            "dlc": "DiscreteLikeContinuous",
            "discrete_like_continuous": "DiscreteLikeContinuous",
            "tanh_gaussian": "TanhGaussian",
        }
        named |= {o.lower(): o for o in OUTPUTS}
        named |= {a: "activations" for a in ("softplus", "tanh_bounded", "activation")}
        output = next((o for w, o in named.items() if f"_{w}" in words), "-")
    family = " [extreme magnitudes]" if "extreme" in tokens else ""
    return output, f"{Path(path).stem}::{function.removeprefix('test_')}{family}"


def package_test_id(nodeid: str) -> str:
    """A test's id relative to this package, the same whether pytest runs it from a checkout
    (rootdir the repository) or installed (rootdir the package): its seed and its name in the
    reports."""
    _, marker, inside = nodeid.partition(f"{__package__}/")
    return inside if marker else nodeid


def first_line(report: pytest.TestReport) -> str:
    """The first line of a report's failure message (or of a skip's reason)."""
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message.splitlines()[0] if crash is not None and crash.message else ""
