"""Parametrization of the kernel benchmarks: every case on every device (CUDA skipped with a
reason when absent, by the suite plugin's ``device`` fixture), under one timing budget;
only the small sizes when timing is disabled (the smoke run)."""

from __future__ import annotations

import os
import types
from collections.abc import Iterator

import pytest

from benchmarks.cases import BATCH_SIZES, COMPILED, SMOKE_BATCH_SIZES, all_cases
from benchmarks.kernels import CompiledTrainSteps

# pytest-benchmark's per-test budget: rounds = max(MIN_ROUNDS, MAX_TIME / time of one
# round), so the slow 65536-row calls run fewer rounds. The 348 CPU benchmarks at this
# budget, with calibration, warm-up and compilation, took 3.5-5.5 minutes on 2 cores.
MAX_TIME_SECONDS = 0.3
MIN_ROUNDS = 5


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "compile: a torch.compile benchmark (deselect with -m 'not compile')"
    )


def timing_disabled(config: pytest.Config) -> bool:
    """Whether pytest-benchmark runs each benchmarked function once, untimed: under
    --benchmark-disable (unless --benchmark-enable), and under xdist, as pytest-benchmark
    decides it."""
    disabled = config.getoption("benchmark_disable") and not config.getoption("benchmark_enable")
    xdist = config.getoption("dist", "no") != "no" or "PYTEST_XDIST_WORKER" in os.environ
    return bool(disabled or xdist)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    smoke = timing_disabled(metafunc.config)
    sizes = SMOKE_BATCH_SIZES if smoke else BATCH_SIZES
    compiled_sizes = SMOKE_BATCH_SIZES[-1:] if smoke else BATCH_SIZES
    budget = pytest.mark.benchmark(max_time=MAX_TIME_SECONDS, min_rounds=MIN_ROUNDS)
    params = [
        pytest.param(
            case,
            id=case.id,
            marks=[budget, pytest.mark.compile] if case.variant == COMPILED else [budget],
        )
        for case in all_cases(sizes, compiled_sizes)
    ]
    metafunc.parametrize("case", params)


@pytest.fixture(autouse=True)
def _implementation_validation_off(impl: types.ModuleType) -> Iterator[None]:
    """Time the hot path: the implementation's opt-in value checks (which synchronize a
    CUDA device) are off during benchmarks, whatever POLICY_DISTS_VALIDATE says."""
    set_validation = getattr(impl, "set_validation", None)
    if set_validation is None:
        yield
        return
    before = impl.validation_enabled()
    set_validation(False)
    yield
    set_validation(before)


@pytest.fixture(scope="session")
def compiled_steps(impl: types.ModuleType, pytestconfig: pytest.Config) -> CompiledTrainSteps:
    """The compiled training steps. The smoke run only checks that compilation works: it
    uses the 'aot_eager' backend (tracing and AOTAutograd, no code generation)."""
    backend = "aot_eager" if timing_disabled(pytestconfig) else "inductor"
    return CompiledTrainSteps(impl, backend)
