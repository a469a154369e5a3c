"""Shared fixtures for every test folder: the implementation under test, devices, dtypes,
deterministic seeds, hypothesis profiles, and torch's pinned argument validation."""

from __future__ import annotations

import importlib
import os
import re
import types
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, settings

DEFAULT_IMPL = "policy_dists"

# The `ci` profile is the fast, reproducible one CI gates on; `thorough` explores 100x more.
_CI_EXAMPLES = 20
settings.register_profile(
    "ci",
    max_examples=_CI_EXAMPLES,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# `ci` without the shrink phase: the same derandomized examples and so the same pass/fail verdict,
# without minimizing a failure nobody will read (mutation testing, `make mutate`).
settings.register_profile(
    "mutation",
    parent=settings.get_profile("ci"),
    phases=[phase for phase in Phase if phase not in (Phase.shrink, Phase.explain)],
)
# Randomized exploration (`make soak`, or HYPOTHESIS_PROFILE=dev): fresh examples every run.
settings.register_profile("dev", max_examples=50, deadline=None, print_blob=True)
settings.register_profile(
    "thorough",
    max_examples=100 * _CI_EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# `ci` whether or not CI is set: the same code gets the same verdict on every run.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--impl",
        default=os.environ.get("POLICY_DISTS_IMPL", DEFAULT_IMPL),
        help="module implementing the amago.nets.policy_dists API to test "
        "(env POLICY_DISTS_IMPL; default policy_dists)",
    )


# Tests of the suite itself and white-box tests of the built-in implementation. They say
# nothing about another module, and importing them would load the built-in (and its gin
# registrations) beside it: on `--impl` other than the built-in they are not collected.
SELF_TESTS: tuple[str, ...] = (
    "audit/tests",
    "golden/test_fixture_format.py",
    "golden/test_generate.py",
    "golden/test_golden_power.py",
    "impl/tests",
    "mutation_testing/tests",
    "property_tests/test_impl_option.py",
    "property_tests/test_peer_mode.py",
    "property_tests/test_property_meta.py",
    "property_tests/test_soak.py",
    "reference/tests",
)


def _judges_another_module(config: pytest.Config) -> bool:
    return config.getoption("--impl") != DEFAULT_IMPL


def pytest_configure(config: pytest.Config) -> None:
    if _judges_another_module(config):
        _check_implementation(config.getoption("--impl"))


def _check_implementation(name: str) -> None:
    """One usage error, before anything is collected, for a module that cannot be imported
    or does not expose the API (a peer library's adapter, with DECLARED_CONFIGS, presents what
    it declares), instead of an error in every test."""
    from policy_dists_catalogue.adapters import missing_api

    try:
        module = importlib.import_module(name)
    except ImportError as err:
        raise pytest.UsageError(
            f"--impl {name}: cannot import it ({err}); it is imported from the Python path "
            "(the environment, or the working directory under `python -m pytest`)"
        ) from err
    missing = [] if hasattr(module, "DECLARED_CONFIGS") else missing_api(module)
    if missing:
        raise pytest.UsageError(
            f"--impl {name} does not expose the amago.nets.policy_dists API: it lacks "
            f"{', '.join(missing)} (a module presenting another library's outputs declares "
            "DECLARED_CONFIGS, as the policy_dists_adapters modules do)"
        )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not _judges_another_module(config):
        return None
    relative = collection_path.relative_to(config.rootpath).as_posix()
    if any(relative == path or relative.startswith(f"{path}/") for path in SELF_TESTS):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Label each test with its verdict group (JUnit XML <properties> verdict_output and
    verdict_property, the terminal summary's grouping); for another module, deselect the
    suite's tests of its own data (marker suite_self)."""
    for item in items:
        output, prop = verdict_key(item.nodeid)
        item.user_properties += [("verdict_output", output), ("verdict_property", prop)]
    if not _judges_another_module(config):
        return
    own = [item for item in items if item.get_closest_marker("suite_self")]
    if own:
        config.hook.pytest_deselected(items=own)
        items[:] = [item for item in items if not item.get_closest_marker("suite_self")]


def pytest_report_header(config: pytest.Config) -> str:
    impl_name = config.getoption("--impl")
    if _judges_another_module(config):
        return (
            f"policy-dists: judging {impl_name} (the suite's self-tests and the built-in's "
            "white-box tests are not collected)"
        )
    return f"policy-dists: judging the built-in {impl_name}"


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The verdict: failures grouped by output and property, one line each, with the first
    line of the first failure of the group."""
    failed = terminalreporter.stats.get("failed", [])
    if not failed:
        return
    groups: dict[tuple[str, str], list[pytest.TestReport]] = {}
    for report in failed:
        groups.setdefault(verdict_key(report.nodeid), []).append(report)
    terminalreporter.section(f"policy-dists verdict: {len(groups)} problems", sep="=")
    for (output, prop), reports in sorted(groups.items()):
        crash = getattr(reports[0].longrepr, "reprcrash", None)
        first = crash.message.splitlines()[0] if crash is not None and crash.message else ""
        terminalreporter.write_line(f"{len(reports):4} failed  {output} | {prop} | {first[:200]}")


@pytest.fixture(scope="session")
def impl_name(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("--impl")


@pytest.fixture(scope="session")
def impl(impl_name: str) -> types.ModuleType:
    try:
        return importlib.import_module(impl_name)
    except ImportError as err:
        raise pytest.UsageError(f"--impl {impl_name}: cannot import it ({err})") from err


@pytest.fixture(scope="session")
def is_default_impl(impl_name: str) -> bool:
    return impl_name == DEFAULT_IMPL


def _cuda_param() -> object:
    return pytest.param(
        "cuda",
        marks=[
            pytest.mark.cuda,
            pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available"),
        ],
    )


@pytest.fixture(params=["cpu", _cuda_param()])
def device(request: pytest.FixtureRequest) -> torch.device:
    return torch.device(request.param)


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def dtype(request: pytest.FixtureRequest) -> torch.dtype:
    return request.param


@pytest.fixture(autouse=True)
def _deterministic_seed(request: pytest.FixtureRequest) -> None:
    """Seed torch and numpy from the test's id, so every test is reproducible alone.

    Tests should draw numpy randomness from ``np.random.default_rng(seed)``; the legacy global
    state is seeded too, so that library code using it is reproducible as well.
    """
    seed = zlib.crc32(request.node.nodeid.encode())
    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the legacy global state, for code that uses it)


@pytest.fixture(autouse=True)
def _pinned_torch_validation() -> Iterator[None]:
    """Pin torch's global argument validation to its documented default (on) for each test.

    torch.compile flips this switch for the whole process; pinning it keeps one test's
    compilation from changing what another test observes.
    """
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(True)
    yield
    torch.distributions.Distribution.set_default_validate_args(before)
