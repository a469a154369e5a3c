"""The suite's pytest plugin: the implementation under test (--impl), hypothesis profiles,
markers, fixtures (devices, dtypes, deterministic seeds, torch's pinned argument validation),
the verdict (failures grouped by output and property) and the JSON report.

Loaded only where asked for, never by entry point, so that its autouse fixtures and global
hypothesis profile stay out of other test runs: `policy-dists-check` passes `-p
policy_dists_suite.plugin`, and this repository's root conftest lists it in `pytest_plugins`.
"""

from __future__ import annotations

import importlib
import os
import types
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, settings

from policy_dists_suite import check_report, peers
from policy_dists_suite.verdict_groups import first_line, package_test_id, verdict_key

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
# The meta-tests run the suite against broken implementations with the ci profile's examples,
# without shrinking the failing one (only the failure matters there, not its smallest form).
settings.register_profile(
    "meta",
    parent=settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)
# Randomized exploration (the soak, or HYPOTHESIS_PROFILE=dev): fresh examples every run.
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

MARKERS = (
    "cuda: needs a CUDA device",
    "extension: tests a policy-dists extension beyond the seed page's API",
    "suite_self: tests the suite's own data (reference, fixtures), not the module under test; "
    "not run for another module",
    "amago_api(needs): a property test that needs a part of the amago API a peer library's "
    "adapter does not present (skipped there, naming it)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("policy-dists")
    group.addoption(
        "--policy-dists-impl",
        "--impl",
        dest="policy_dists_impl",
        default=os.environ.get("POLICY_DISTS_IMPL", DEFAULT_IMPL),
        help="module implementing the amago.nets.policy_dists API (or a peer adapter) to test "
        "(env POLICY_DISTS_IMPL; default policy_dists, the built-in)",
    )
    group.addoption(
        "--policy-dists-json",
        dest="policy_dists_json",
        default=None,
        type=Path,
        help="write the verdict as JSON (schema policy-dists-check/1) to this file",
    )


def judges_another_module(config: pytest.Config) -> bool:
    return config.getoption("policy_dists_impl") != DEFAULT_IMPL


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if judges_another_module(config):
        _check_implementation(config.getoption("policy_dists_impl"))
    path = config.getoption("policy_dists_json")
    if path is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(check_report.Recorder(config, path), "policy-dists-json")


def _check_implementation(name: str) -> None:
    """One usage error, before anything is collected, for a module that cannot be imported
    or does not expose the API (a peer library's adapter, with DECLARED_CONFIGS, presents what
    it declares), instead of an error in every test."""
    from policy_dists_catalogue.implementations import missing_api

    try:
        module = importlib.import_module(name)
    except ImportError as err:
        raise pytest.UsageError(
            f"--impl {name}: cannot import it ({err}); it is imported from the Python path "
            "(the environment, or the working directory under `python -m pytest` and "
            "policy-dists-check)"
        ) from err
    missing = [] if hasattr(module, "DECLARED_CONFIGS") else missing_api(module)
    if missing:
        raise pytest.UsageError(
            f"--impl {name} does not expose the amago.nets.policy_dists API: it lacks "
            f"{', '.join(missing)} (a module presenting another library's outputs declares "
            "DECLARED_CONFIGS, as the policy_dists_adapters modules do)"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Label each test with its verdict group (JUnit XML <properties> verdict_output and
    verdict_property, the terminal summary's grouping); for another module, deselect the
    suite's tests of its own data (marker suite_self)."""
    for item in items:
        output, prop = verdict_key(item.nodeid)
        item.user_properties += [("verdict_output", output), ("verdict_property", prop)]
    if not judges_another_module(config):
        return
    own = [item for item in items if item.get_closest_marker("suite_self")]
    if own:
        config.hook.pytest_deselected(items=own)
        items[:] = [item for item in items if not item.get_closest_marker("suite_self")]
    _judge_a_peer_library(config, items)


def _judge_a_peer_library(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a peer library's adapter (policy_dists_suite.peers): draw at its declared
    configurations, and skip, with the reason, the suite's tests that do not apply."""
    impl_name = config.getoption("policy_dists_impl")
    declared = peers.declared_configs(impl_name)
    if declared is None:  # an implementation of the amago API: no skips
        return
    peers.declare(declared)
    here = Path(__file__).parent
    for item in items:
        if here not in Path(str(item.path)).parents:
            continue
        output = dict(item.user_properties)["verdict_output"]
        reason = peers.skip_reason(item, output, declared, impl_name)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config: pytest.Config) -> str:
    impl_name = config.getoption("policy_dists_impl")
    if judges_another_module(config):
        return (
            f"policy-dists: judging {impl_name} (the suite's tests of its own data are deselected)"
        )
    return f"policy-dists: judging the built-in {impl_name}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The verdict: failures (errors in setup or teardown too) grouped by output and property,
    one line each, with the first line of the first failure of the group."""
    failed = [*terminalreporter.stats.get("failed", []), *terminalreporter.stats.get("error", [])]
    if not failed:
        return
    groups: dict[tuple[str, str], list[pytest.TestReport]] = {}
    for report in failed:
        groups.setdefault(verdict_key(report.nodeid), []).append(report)
    terminalreporter.section(f"policy-dists verdict: {len(groups)} problems", sep="=")
    for (output, prop), reports in sorted(groups.items()):
        message = first_line(reports[0])
        terminalreporter.write_line(f"{len(reports):4} failed  {output} | {prop} | {message[:200]}")


@pytest.fixture(scope="session")
def impl_name(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("policy_dists_impl")


@pytest.fixture(scope="session")
def impl(impl_name: str) -> types.ModuleType:
    return importlib.import_module(impl_name)


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
    seed = zlib.crc32(package_test_id(request.node.nodeid).encode())
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
