"""docs/report-schema.md lists every field of audit.json, compare.json and check.json, and
nothing else: the fields of real reports are compared with the document's tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

from user_modules import run_check, write_user_modules

from policy_dists_audit import report
from policy_dists_audit.cli import run
from policy_dists_suite.check_report import CHECK_SCHEMA

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "report-schema.md"
# Keys that are names (of a measure, an implementation) are documented by a placeholder.
NAMED_CHILDREN = {"findings": "<measure>", "cells": "<implementation>"}
# Under a finding, both inputs have the same fields.
FINDING_INPUTS = {"worst", "mildest_over"}
# compare.json's per-implementation maps are documented as a whole.
WHOLE = {"not_applicable", "step_seconds", "summary"}


def _fields(value: object, path: str, out: set[str], top: bool = False) -> None:
    if isinstance(value, list):
        rows = [v for v in value if isinstance(v, dict)]
        if rows:
            out.add(f"{path}[]")
            for row in rows:
                _fields(row, f"{path}[]", out)
        return
    if not isinstance(value, dict):
        return
    parent = path.rsplit(".", 1)[-1].removesuffix("[]")
    for key, child in value.items():
        name = NAMED_CHILDREN.get(parent, key)
        here = f"{path}.{name}" if path else name
        if not (isinstance(child, list) and any(isinstance(v, dict) for v in child)):
            out.add(here)
        if top and key in WHOLE:
            continue
        if key in FINDING_INPUTS:
            out.add(here)
            _fields(child, here.rsplit(".", 1)[0] + ".<which>", out)
            continue
        _fields(child, here, out)


def _documented(section: str) -> set[str]:
    text = SCHEMA_DOC.read_text()
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", body, flags=re.MULTILINE))


def _report_fields(document: dict, whole: bool) -> set[str]:
    fields: set[str] = set()
    _fields(document, "", fields, top=whole)
    return fields - {"<measure>.<which>"}


def test_audit_json_fields_are_the_documented_ones(tmp_path: Path) -> None:
    fields: set[str] = set()
    for impl, outputs in (
        ("policy_dists", "TanhGaussian,Discrete"),
        ("cleanrl_sac", "TanhGaussian"),
    ):
        out = tmp_path / impl
        run(["--impl", impl, "--outputs", outputs, "--dtype", "float32", "--out", str(out)])
        document = json.loads((out / "audit.json").read_text())
        assert document["meta"]["schema"] == report.AUDIT_SCHEMA
        fields |= _report_fields(document, whole=False)
    assert fields == _documented(f"audit.json (`{report.AUDIT_SCHEMA}`)")


def test_compare_json_fields_are_the_documented_ones(tmp_path: Path) -> None:
    arguments = ["--compare", "policy_dists,cleanrl_sac", "--outputs", "TanhGaussian"]
    run([*arguments, "--dtype", "float32", "--out", str(tmp_path)])
    document = json.loads((tmp_path / "compare.json").read_text())
    assert document["meta"]["schema"] == report.COMPARE_SCHEMA
    fields = _report_fields(document, whole=True)
    assert fields == _documented(f"compare.json (`{report.COMPARE_SCHEMA}`)")


def test_check_json_fields_are_the_documented_ones(tmp_path: Path) -> None:
    """A run with passes, skips and failures: the offset log_prob module on the reference
    agreement of TanhGaussian (fails) and of the extension-gated categorical tests (skip)."""
    write_user_modules(tmp_path)
    selection = "log_prob_agrees and not extreme and (TanhGaussian or Discrete)"
    family = "property_tests/test_property_reference_agreement.py"
    run_ = run_check(tmp_path, "offset_dists", family, "-n", "0", "--", "-k", selection)
    assert run_.returncode == 1, run_.stdout[-3000:] + run_.stderr[-3000:]
    document = json.loads((tmp_path / "check-out" / "check.json").read_text())
    assert document["meta"]["schema"] == CHECK_SCHEMA
    outcomes = {t["outcome"] for t in document["tests"]}
    assert {"passed", "skipped", "failed"} <= outcomes, outcomes
    fields = _report_fields(document, whole=False)
    assert fields == _documented(f"check.json (`{CHECK_SCHEMA}`)")
