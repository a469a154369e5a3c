"""The golden fixture file format: reading, validating and writing golden/fixtures/<stem>.json.

One JSON object per output. Every float is a string holding Python's repr of a float64
(shortest round-trip: exact), "inf"/"-inf" included. The header holds the output's name,
the command that regenerates the file, provenance, the error model, the constructor
configs and the dtype-rounded vec rows; then one case per line. `case_count`, `value_count`
and `checksum` (sha256 of the canonical JSON of everything else) make any truncation or hand
edit a load error that names the file and the regenerating command.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_dists_suite.golden.cases import DTYPES, Case

SCHEMA = "policy-dists-golden/1"
REGENERATE = "python -m policy_dists_suite.golden.generate --update"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

_HEADER_FIELDS = (
    "schema",
    "output",
    "regenerate",
    "provenance",
    "error_model",
    "quantities",
    "configs",
    "vecs",
    "case_count",
    "value_count",
    "checksum",
    "cases",
)
_NONE = type(None)
_CASE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "config": str,
    "dtype": str,
    "vec": str,
    "quantity": str,
    "action": (list, _NONE),
    "extension": (str, _NONE),
}
_VALUE_FIELDS = ("expected", "scale", "tol", "tol_reference")


class FixtureError(ValueError):
    """A fixture file that is missing, unreadable, or not what the generator wrote."""


@dataclass(frozen=True)
class GoldenCase:
    """A case with its golden values y*, condition scales S and tolerances (error_model.py):
    `tol` for the implementation in the case's dtype, `tol_reference` for the float64
    reference."""

    case: Case
    expected: tuple[float, ...]
    scale: tuple[float, ...]
    tol: tuple[float, ...]
    tol_reference: tuple[float, ...]


@dataclass(frozen=True)
class Fixture:
    output: str
    provenance: Mapping[str, Any]
    error_model: Mapping[str, Any]
    quantities: Mapping[str, str]  # what the values of each quantity are
    configs: Mapping[str, Mapping[str, Any]]
    vecs: Mapping[str, Mapping[str, tuple[float, ...]]]  # dtype -> name -> row
    cases: tuple[GoldenCase, ...]

    @property
    def value_count(self) -> int:
        return sum(len(c.expected) for c in self.cases)

    def content(self) -> dict[str, Any]:
        """Everything but the provenance: what decides whether a regenerated file differs."""
        document = _document(self)
        del document["provenance"]
        return document


def _number_text(value: float) -> str:
    return repr(float(value))


def _numbers_text(values: tuple[float, ...] | None) -> list[str] | None:
    return None if values is None else [_number_text(v) for v in values]


def _case_document(golden: GoldenCase) -> dict[str, Any]:
    c = golden.case
    return {
        "id": c.id,
        "config": c.config,
        "dtype": c.dtype,
        "vec": c.vec,
        "quantity": c.quantity,
        "action": _numbers_text(c.action),
        "extension": c.extension,
        **{name: _numbers_text(getattr(golden, name)) for name in _VALUE_FIELDS},
    }


def _document(fixture: Fixture) -> dict[str, Any]:
    """The file's JSON object without `checksum`."""
    return {
        "schema": SCHEMA,
        "output": fixture.output,
        "regenerate": REGENERATE,
        "provenance": dict(fixture.provenance),
        "error_model": dict(fixture.error_model),
        "quantities": dict(fixture.quantities),
        "configs": {name: dict(kwargs) for name, kwargs in fixture.configs.items()},
        "vecs": {
            dtype: {name: _numbers_text(row) for name, row in rows.items()}
            for dtype, rows in fixture.vecs.items()
        },
        "case_count": len(fixture.cases),
        "value_count": fixture.value_count,
        "cases": [_case_document(c) for c in fixture.cases],
    }


def _checksum(document: Mapping[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def dumps(fixture: Fixture) -> str:
    """The file text: an indented header, then one case per line (reviewable diffs)."""
    document = _document(fixture)
    document["checksum"] = _checksum(document)
    cases = document.pop("cases")
    header = json.dumps(document, indent=1, ensure_ascii=False)
    lines = ",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in cases)
    return header[: -len("\n}")] + ',\n "cases": [\n' + lines + "\n ]\n}\n"


def write_fixture(path: Path, fixture: Fixture) -> None:
    path.write_text(dumps(fixture), encoding="utf-8")


class _Reader:
    """Parses one file's JSON object, raising FixtureError that names the file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, problem: str) -> FixtureError:
        return FixtureError(
            f"golden fixture {self.path}: {problem}. Regenerate it with `{REGENERATE}` "
            "(run from the repository root)"
        )

    def field(self, obj: Any, name: str, kind: type | tuple[type, ...], where: str) -> Any:
        if not isinstance(obj, dict) or name not in obj:
            raise self.fail(f"{where}: missing field {name!r}")
        value = obj[name]
        if not isinstance(value, kind):
            raise self.fail(f"{where}: field {name!r} has the wrong type {type(value).__name__}")
        return value

    def number(self, text: Any, where: str) -> float:
        if not isinstance(text, str):
            raise self.fail(f"{where}: {text!r} is not a number written as a string")
        try:
            value = float(text)
        except ValueError:
            raise self.fail(f"{where}: {text!r} is not a number") from None
        if math.isnan(value):
            raise self.fail(f"{where}: NaN is never a golden value")
        return value

    def numbers(self, texts: Any, where: str) -> tuple[float, ...]:
        if not isinstance(texts, list):
            raise self.fail(f"{where}: expected a list of numbers, got {type(texts).__name__}")
        return tuple(self.number(t, f"{where}[{i}]") for i, t in enumerate(texts))

    def golden_case(self, obj: Any, index: int) -> GoldenCase:
        where = f"case {index}"
        ident = self.field(obj, "id", str, where)
        where = f"case {index} ({ident})"
        fields = {name: self.field(obj, name, kind, where) for name, kind in _CASE_FIELDS.items()}
        if fields["dtype"] not in DTYPES:
            raise self.fail(f"{where}: dtype {fields['dtype']!r} is not one of {DTYPES}")
        action = fields["action"]
        case = Case(
            id=ident,
            config=fields["config"],
            dtype=fields["dtype"],
            vec=fields["vec"],
            quantity=fields["quantity"],
            action=None if action is None else self.numbers(action, f"{where} action"),
            extension=fields["extension"],
        )
        values = {
            name: self.numbers(self.field(obj, name, list, where), f"{where} {name}")
            for name in _VALUE_FIELDS
        }
        if len({len(v) for v in values.values()}) != 1 or not values["expected"]:
            raise self.fail(f"{where}: {', '.join(_VALUE_FIELDS)} must be equally long, non-empty")
        for name in ("scale", "tol", "tol_reference"):
            if any(v < 0 for v in values[name]):
                raise self.fail(f"{where}: negative {name}")
        return GoldenCase(case, **values)

    def fixture(self, document: Any) -> Fixture:
        for name in _HEADER_FIELDS:
            self.field(document, name, object, "header")
        if document["schema"] != SCHEMA:
            raise self.fail(f"schema {document['schema']!r} is not {SCHEMA!r}")
        raw_cases = self.field(document, "cases", list, "header")
        cases = tuple(self.golden_case(obj, i) for i, obj in enumerate(raw_cases))
        tables = self.field(document, "vecs", dict, "header")
        vecs = {}
        for dtype in DTYPES:
            rows = self.field(tables, dtype, dict, "vecs")
            vecs[dtype] = {
                name: self.numbers(row, f"vecs {dtype} {name}") for name, row in rows.items()
            }
        fixture = Fixture(
            output=self.field(document, "output", str, "header"),
            provenance=self.field(document, "provenance", dict, "header"),
            error_model=self.field(document, "error_model", dict, "header"),
            quantities=self.field(document, "quantities", dict, "header"),
            configs=self.field(document, "configs", dict, "header"),
            vecs=vecs,
            cases=cases,
        )
        counts = {"case_count": len(cases), "value_count": fixture.value_count}
        for name, actual in counts.items():
            stored = self.field(document, name, int, "header")
            if stored != actual:
                raise self.fail(f"{name} is {stored} but the file holds {actual} (truncated?)")
        stored_sum = document["checksum"]
        unchecked = {k: v for k, v in document.items() if k != "checksum"}
        if stored_sum != _checksum(unchecked):
            raise self.fail("checksum mismatch: the file was edited by hand or corrupted")
        for golden in cases:
            c = golden.case
            if c.config not in fixture.configs or c.vec not in vecs[c.dtype]:
                raise self.fail(f"case {c.id}: unknown config {c.config!r} or vec {c.vec!r}")
        return fixture


def load_fixture(path: Path) -> Fixture:
    """The validated fixture at `path`; FixtureError naming the file and REGENERATE otherwise."""
    reader = _Reader(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise reader.fail("the file is missing") from None
    except (OSError, UnicodeDecodeError) as err:
        raise reader.fail(f"cannot read it ({err})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise reader.fail(f"not valid JSON, truncated or corrupted ({err})") from None
    return reader.fixture(document)


@functools.cache
def load_shipped(stem: str) -> Fixture:
    """The validated fixture golden/fixtures/<stem>.json, loaded once per process."""
    return load_fixture(FIXTURES_DIR / f"{stem}.json")
