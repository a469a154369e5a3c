"""The repository's test run: the suite's plugin (fixtures, --impl, hypothesis profiles, the
verdict) for every test folder, which folders say nothing about another module, and the
wheel test that only `make test-wheel` runs."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["policy_dists_suite.plugin"]

# Tests of the suite itself and white-box tests of the built-in implementation. They say
# nothing about another module, and importing them would load the built-in (and its gin
# registrations) beside it: on `--impl` other than the built-in they are not collected.
SELF_TESTS: tuple[str, ...] = (
    "audit/tests",
    "impl/tests",
    "mutation_testing/tests",
    "reference/tests",
    "suite/tests",
)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # Imported here, after pytest has registered (and assertion-rewritten) the plugin.
    from policy_dists_suite.plugin import judges_another_module

    if not judges_another_module(config):
        return None
    relative = collection_path.relative_to(config.rootpath).as_posix()
    if any(relative == path or relative.startswith(f"{path}/") for path in SELF_TESTS):
        return True
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wheel",
        action="store_true",
        help="also run the tests marked `wheel` (build and install the wheel in a fresh "
        "environment, several minutes: make test-wheel, which .ci/run runs)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wheel: builds and installs the wheel in a fresh environment (--wheel)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--wheel"):
        return
    wheel = [item for item in items if item.get_closest_marker("wheel")]
    if wheel:
        config.hook.pytest_deselected(items=wheel)
        items[:] = [item for item in items if not item.get_closest_marker("wheel")]
