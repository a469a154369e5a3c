"""A fixture that is missing, truncated or edited by hand fails to load with a message naming
the file and the command that regenerates it; a written fixture loads back bit for bit."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policy_dists_suite.golden.fixture_format import (
    FIXTURES_DIR,
    REGENERATE,
    FixtureError,
    dumps,
    load_fixture,
    write_fixture,
)

SOURCE = FIXTURES_DIR / "multibinary.json"


def _edited(edit: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    """A corruption that edits the parsed document and writes it back as valid JSON."""

    def corrupt(text: str) -> str:
        document = json.loads(text)
        edit(document)
        return json.dumps(document, indent=1)

    return corrupt


def _set_first_expected(text: str) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        document["cases"][0]["expected"][0] = text

    return edit


def _miscount(document: dict[str, Any]) -> None:
    document["value_count"] += 1


def _drop_last_case(document: dict[str, Any]) -> None:
    document["cases"].pop()


# name -> (corruption of the file text, what the error message must say)
CORRUPTIONS: dict[str, tuple[Callable[[str], str], str]] = {
    "truncated": (lambda text: text[: len(text) // 2], "not valid JSON"),
    "invalid JSON": (lambda text: text.replace('"cases": [', '"cases": [,', 1), "not valid JSON"),
    "empty": (lambda text: "", "not valid JSON"),
    "not an object": (lambda text: "[]", "missing field 'schema'"),
    "missing header field": (
        _edited(lambda document: document.pop("checksum")),
        "missing field 'checksum'",
    ),
    "missing case field": (
        _edited(lambda document: document["cases"][0].pop("expected")),
        "missing field 'expected'",
    ),
    "value not a number": (_edited(_set_first_expected("minus one")), "is not a number"),
    "value NaN": (_edited(_set_first_expected("nan")), "NaN is never a golden value"),
    "wrong count": (_edited(_miscount), "value_count is"),
    "case removed": (_edited(_drop_last_case), "case_count is"),
    "value edited": (_edited(_set_first_expected("-0.5")), "checksum mismatch"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_fixture_names_file_and_command(name: str, tmp_path: Path) -> None:
    corrupt, says = CORRUPTIONS[name]
    path = tmp_path / SOURCE.name
    path.write_text(corrupt(SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(FixtureError) as error:
        load_fixture(path)
    message = str(error.value)
    assert says in message
    assert str(path) in message
    assert REGENERATE in message


def test_missing_fixture_names_file_and_command(tmp_path: Path) -> None:
    path = tmp_path / SOURCE.name
    with pytest.raises(FixtureError, match="the file is missing") as error:
        load_fixture(path)
    assert str(path) in str(error.value)
    assert REGENERATE in str(error.value)


def test_shipped_fixture_round_trips_to_the_same_text() -> None:
    assert dumps(load_fixture(SOURCE)) == SOURCE.read_text(encoding="utf-8")


def test_written_values_load_back_bit_for_bit(tmp_path: Path) -> None:
    """-inf, -0.0, the smallest subnormal, the largest float and 0.1 survive a round trip."""
    fixture = load_fixture(SOURCE)
    special = (-math.inf, -0.0, 5e-324, 1.7976931348623157e308, 0.1)
    first = dataclasses.replace(
        fixture.cases[0],
        expected=special,
        scale=(1.0,) * 5,
        tol=(0.0,) * 5,
        tol_reference=(0.0,) * 5,
    )
    fixture = dataclasses.replace(fixture, cases=(first, *fixture.cases[1:]))
    path = tmp_path / SOURCE.name
    write_fixture(path, fixture)
    loaded = load_fixture(path).cases[0]
    assert [repr(v) for v in loaded.expected] == [repr(v) for v in special]
    assert loaded == first
