"""The audit command end to end on a small sweep: exit codes, files, and a broken impl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from policy_dists_audit.budget import MEASURES, load_budget
from policy_dists_audit.cli import run
from policy_dists_audit.output_folder import MANIFEST
from policy_dists_audit.scenarios import SCENARIOS
from policy_dists_catalogue import OUTPUTS, STRESS_CONFIGS

SMALL = ["--outputs", "TanhGaussian,Discrete"]
# The suite's deliberately broken implementations (suite/tests/policy_dists_broken).
BROKEN_IMPLEMENTATIONS = Path(__file__).resolve().parents[2] / "suite" / "tests"


def test_clean_run_exits_0_and_writes_json_and_png(tmp_path: Path) -> None:
    assert run([*SMALL, "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "audit.json").read_text())
    assert {row["output"] for row in report["summary"]} == {"TanhGaussian", "Discrete"}
    assert {row["dtype"] for row in report["summary"]} == {"float32", "float64"}
    assert all(not row["over_budget"] for row in report["summary"])
    assert report["points"], "the audit compared no value"
    assert (tmp_path / "audit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_broken_implementation_exits_1_and_names_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(BROKEN_IMPLEMENTATIONS)
    broken = "policy_dists_broken.epsilon_tanh_jacobian"
    status = run([*SMALL, "--impl", broken, "--out", str(tmp_path)])
    assert status == 1
    over = [line for line in capsys.readouterr().out.splitlines() if "OVER BUDGET" in line]
    assert over and all("TanhGaussian" in line for line in over)


@pytest.mark.parametrize(
    "args",
    [
        ["--impl", "no_such_module_anywhere"],
        ["--dtype", "float16"],
        ["--device", "tpu"],
        ["--outputs", "Gamma"],
        ["--budget", "/nonexistent/budget.json"],
    ],
)
def test_usage_errors_exit_2_before_writing(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run([*args, "--out", str(out)]) == 2
    assert not out.exists()


def test_printed_budget_is_a_budget_file_equal_to_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--print-budget"]) == 0
    path = tmp_path / "budget.json"
    path.write_text(capsys.readouterr().out)
    assert load_budget(path) == load_budget(None)
    document = json.loads(path.read_text())
    assert all(document[f"_model_{measure}"] for measure in MEASURES)


def test_cuda_without_gpu_is_a_usage_error(tmp_path: Path) -> None:
    status = run([*SMALL, "--device", "cuda", "--out", str(tmp_path / "out")])
    assert status == (2 if not torch.cuda.is_available() else 0)


def test_never_overwrites_a_file_it_did_not_create(tmp_path: Path) -> None:
    foreign = tmp_path / "audit.json"
    foreign.write_text("someone else's notes")
    assert run([*SMALL, "--out", str(tmp_path)]) == 2
    assert foreign.read_text() == "someone else's notes"
    assert not (tmp_path / "audit.png").exists()


def test_rerun_overwrites_its_own_files_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*SMALL, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert run([*SMALL, "--out", str(tmp_path)]) == 0
    assert "overwriting" in capsys.readouterr().out
    assert set((tmp_path / MANIFEST).read_text().split()) == {"audit.json", "audit.png"}


def test_scenarios_sweep_every_stress_configuration_of_every_output() -> None:
    for output in OUTPUTS:
        swept = [s.kwargs for s in SCENARIOS if s.output == output]
        for config in STRESS_CONFIGS[output]:
            assert any(all(kw.get(k) == v for k, v in config.items()) for kw in swept), (
                output,
                config,
            )


def test_compare_writes_one_table_and_plot_with_every_implementation(tmp_path: Path) -> None:
    status = run(
        [
            "--compare",
            "policy_dists,cleanrl_sac",
            "--outputs",
            "TanhGaussian,GMM",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0  # the first, the gated one, is within budget; the formula is not
    document = json.loads((tmp_path / "compare.json").read_text())
    assert document["meta"]["implementations"] == ["policy_dists", "cleanrl_sac"]
    cells = {(e["output"], e["dtype"], e["measure"]): e["cells"] for e in document["table"]}
    f32 = cells[("TanhGaussian", "float32", "log_prob_cond")]
    assert f32["policy_dists"]["verdict"] == "ok" and f32["cleanrl_sac"]["verdict"] == "over"
    assert cells[("GMM", "float32", "log_prob_cond")]["cleanrl_sac"]["verdict"] == "not provided"
    assert set(document["step_seconds"]["cleanrl_sac"]) == {"TanhGaussian"}
    assert (tmp_path / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_exits_1_when_the_first_implementation_is_over_budget(tmp_path: Path) -> None:
    arguments = ["--compare", "cleanrl_sac,policy_dists", "--outputs", "TanhGaussian"]
    assert run([*arguments, "--dtype", "float64", "--out", str(tmp_path)]) == 1


def test_a_module_without_the_api_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--impl", "json", "--out", str(tmp_path / "a")]) == 2
    assert "--impl json does not expose the amago.nets.policy_dists API" in capsys.readouterr().out
    assert not (tmp_path / "a").exists()


def test_compare_needs_two_importable_implementations(tmp_path: Path) -> None:
    assert run(["--compare", "policy_dists", "--out", str(tmp_path / "a")]) == 2
    assert run(["--compare", "policy_dists,no_such_library", "--out", str(tmp_path / "b")]) == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
