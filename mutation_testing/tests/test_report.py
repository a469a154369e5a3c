"""The mutation report's arithmetic and its equivalent-entry matching, on a fake mutmut folder."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mutation_testing.report import report

DIFFS = {
    "policy_dists.numerics.x_softplus__mutmut_1": "--- a\n+++ b\n-    t = 20.0\n+    t = 21.0",
    "policy_dists.numerics.x_softplus__mutmut_2": "--- a\n+++ b\n-    y = x\n+    y = None",
    "policy_dists.numerics.x_softplus__mutmut_3": "--- a\n+++ b\n-    return y\n+    return -y",
    "policy_dists.beta.xǁBetaǁforward__mutmut_1": "--- a\n+++ b\n-    k = 1\n+    k = 2",
}


def _work(tmp_path: Path, exit_codes: dict[str, int | None]) -> Path:
    folder = tmp_path / "mutants" / "src" / "policy_dists"
    folder.mkdir(parents=True)
    by_file: dict[str, dict[str, int | None]] = {}
    for name, code in exit_codes.items():
        module = name.split(".")[1]
        by_file.setdefault(module, {})[name] = code
    for module, codes in by_file.items():
        (folder / f"{module}.py.meta").write_text(json.dumps({"exit_code_by_key": codes}))
    return tmp_path


def _equivalents(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "equivalent.toml"
    path.write_text(text)
    return path


ONE_EQUIVALENT = """
[[equivalent]]
function = "policy_dists.numerics.x_softplus"
mutated = "t = 21.0"
reason = "above the threshold both branches agree"
"""


def _run(tmp_path: Path, codes: dict[str, int | None], equivalents: str) -> tuple[int, str]:
    out = io.StringIO()
    status = report(
        _work(tmp_path, codes), _equivalents(tmp_path, equivalents), diff=DIFFS.get, out=out
    )
    return status, out.getvalue()


def test_counts_and_kill_rate_exclude_the_equivalent_mutant(tmp_path: Path) -> None:
    codes = {
        "policy_dists.numerics.x_softplus__mutmut_1": 0,
        "policy_dists.numerics.x_softplus__mutmut_2": 1,
        "policy_dists.numerics.x_softplus__mutmut_3": -24,
        "policy_dists.beta.xǁBetaǁforward__mutmut_1": 1,
    }
    status, text = _run(tmp_path, codes, ONE_EQUIVALENT)
    assert status == 0
    assert "mutants:    4" in text
    assert "killed:     3 (2 by a failing test, 1 by timeout, 0 crashed)" in text
    assert "equivalent: 1" in text
    assert "kill rate:  100.0% of 3 non-equivalent" in text
    assert "survivors:" not in text


def test_a_survivor_below_the_target_fails_and_is_listed_with_its_diff(tmp_path: Path) -> None:
    codes = {name: 0 for name in DIFFS}
    codes["policy_dists.numerics.x_softplus__mutmut_2"] = 1
    status, text = _run(tmp_path, codes, ONE_EQUIVALENT)
    assert status == 1
    assert "kill rate:  33.3% of 3 non-equivalent" in text
    assert "# policy_dists.numerics.x_softplus__mutmut_3 (survived)\n" in text
    assert "+    return -y" in text


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        # the entry's change is no longer among the function's mutants
        ({"policy_dists.numerics.x_softplus__mutmut_2": 1}, "stale equivalent entry"),
        # the suite kills a mutant judged equivalent: the judgement was wrong
        ({"policy_dists.numerics.x_softplus__mutmut_1": 1}, "judged equivalent but detected"),
        # a mutant mutmut never ran cannot count either way
        ({"policy_dists.numerics.x_softplus__mutmut_2": None}, "1 not checked"),
    ],
)
def test_inconsistent_results_fail_the_report(
    tmp_path: Path, codes: dict[str, int | None], message: str
) -> None:
    status, text = _run(tmp_path, codes, ONE_EQUIVALENT)
    assert status == 1
    assert message in text


def test_an_entry_without_a_reason_is_rejected(tmp_path: Path) -> None:
    entry = ONE_EQUIVALENT.replace('"above the threshold both branches agree"', '" "')
    with pytest.raises(ValueError, match="has no reason"):
        _run(tmp_path, {"policy_dists.numerics.x_softplus__mutmut_1": 0}, entry)
