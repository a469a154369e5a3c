"""`python -m policy_dists_suite.golden.generate`: prints what moved (in ULPs), what is new and
what was removed, writes nothing without --update, and with it rewrites only the fixtures that
changed."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from policy_dists_suite.golden import fixture_format
from policy_dists_suite.golden.fixture_format import (
    FIXTURES_DIR,
    load_fixture,
    load_shipped,
    write_fixture,
)
from policy_dists_suite.golden.generate import main, ulps_between


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def _edited_copy(folder: Path) -> tuple[str, str, str]:
    """Write multibinary.json with its first value moved by 3 float64 ulps, its last case
    dropped and a made-up case added; return (moved id, dropped id, made-up id)."""
    fixture = load_shipped("multibinary")
    first, *middle, last = fixture.cases
    moved = float(np.nextafter(np.nextafter(np.nextafter(first.expected[0], 0), 0), 0))
    first = dataclasses.replace(first, expected=(moved, *first.expected[1:]))
    made_up = dataclasses.replace(
        middle[0], case=dataclasses.replace(middle[0].case, id="default/float32/made-up/mean")
    )
    write_fixture(
        folder / "multibinary.json",
        dataclasses.replace(fixture, cases=(first, *middle, made_up)),
    )
    return first.case.id, last.case.id, made_up.case.id


def test_diff_summary_and_nothing_written_without_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved, dropped, made_up = _edited_copy(tmp_path)
    (tmp_path / "notes.txt").write_text("not a fixture")
    before = _snapshot(tmp_path)
    assert main(["--only", "multibinary", "activations", "--fixtures", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert _snapshot(tmp_path) == before
    assert "1 values moved (largest move 3 float64 ulps), 1 new cases, 1 removed cases" in out
    assert f"moved {moved}[0]: " in out
    assert "(3 ulps, " in out
    assert f"new case {dropped}" in out
    assert f"removed case {made_up}" in out
    assert "activations.json:\n  missing: would create it" in out
    assert "Nothing written" in out


def test_update_writes_only_changed_fixtures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edited_copy(tmp_path)
    shutil.copy(FIXTURES_DIR / "activations.json", tmp_path / "activations.json")
    (tmp_path / "notes.txt").write_text("not a fixture")
    before = _snapshot(tmp_path)
    args = ["--update", "--only", "multibinary", "activations", "--fixtures", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    after = _snapshot(tmp_path)
    assert f"wrote {tmp_path / 'multibinary.json'}" in out
    assert "activations.json:\n  unchanged" in out
    assert "wrote" not in out.replace(f"wrote {tmp_path / 'multibinary.json'}", "")
    assert after["activations.json"] == before["activations.json"]
    assert after["notes.txt"] == before["notes.txt"]
    assert set(after) == {"multibinary.json", "activations.json", "notes.txt"}
    regenerated = load_fixture(tmp_path / "multibinary.json")
    assert regenerated.content() == load_shipped("multibinary").content()


def test_update_creates_a_missing_fixture(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    assert main(["--update", "--only", "activations", "--fixtures", str(folder)]) == 0
    assert [p.name for p in folder.iterdir()] == ["activations.json"]
    assert load_fixture(folder / "activations.json").content() == (
        load_shipped("activations").content()
    )


@pytest.mark.parametrize(
    ("a", "b", "ulps"),
    [
        (1.0, 1.0, 0.0),
        (1.0, float(np.nextafter(1.0, 2.0)), 1.0),
        (-0.0, 0.0, 0.0),
        (-5e-324, 5e-324, 2.0),
        (-1.0, float(np.nextafter(-1.0, -2.0)), 1.0),
        (1.0, float("inf"), float("inf")),
    ],
)
def test_ulps_between_counts_float64_numbers(a: float, b: float, ulps: float) -> None:
    assert ulps_between(a, b) == ulps


def test_a_stale_regenerate_command_is_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same values, but the header names a command that no longer exists (the package was
    renamed): the file is reported and, with --update, rewritten."""
    monkeypatch.setattr(fixture_format, "REGENERATE", "python -m golden.generate --update")
    write_fixture(tmp_path / "activations.json", load_shipped("activations"))
    monkeypatch.undo()
    args = ["--only", "activations", "--fixtures", str(tmp_path)]
    assert main(args) == 0
    assert "the file's header text changed" in capsys.readouterr().out
    assert main(["--update", *args]) == 0
    assert f"wrote {tmp_path / 'activations.json'}" in capsys.readouterr().out
    rewritten = (tmp_path / "activations.json").read_text(encoding="utf-8")
    assert f'"regenerate": "{fixture_format.REGENERATE}"' in rewritten
