"""Reduce the audit's points to maxima per output and dtype, and judge them against a budget."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from policy_dists_audit.measure import ClipReport, Point


@dataclass
class Row:
    """Maxima of one output in one dtype on one device; None where not measured."""

    output: str
    dtype: str
    device: str
    maxima: dict[str, float | None] = field(default_factory=dict)
    nonfinite: int = 0
    points: int = 0
    clip_distortion_nats: float | None = None
    mass_beyond_clip: float | None = None
    over_budget: list[str] = field(default_factory=list)
    # measure -> {"worst": point, "mildest_over": point}: the input of the worst value, and
    # the least extreme input (farthest from |a| = 1) already over budget, the smallest case
    # that reproduces the finding ("nonfinite": the least extreme NaN/inf).
    findings: dict[str, dict[str, dict]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "output": self.output,
            "dtype": self.dtype,
            "device": self.device,
            "points": self.points,
            "nonfinite": self.nonfinite,
            "maxima": self.maxima,
            "clip_distortion_nats": self.clip_distortion_nats,
            "mass_beyond_clip": self.mass_beyond_clip,
            "over_budget": self.over_budget,
            "findings": self.findings,
        }


def _max(values: list[float]) -> float | None:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    return max(finite) if finite else None


# Which points and which of their fields each measure reads.
MEASURES: dict[str, tuple[str, str]] = {
    "log_prob_cond": ("log_prob", "cond"),
    "log_prob_ulps": ("log_prob", "ulps"),
    "grad": ("log_prob", "grad"),
    "entropy_cond": ("entropy", "cond"),
    "probs_ulps": ("probs", "ulps"),
    "own_sample_cond": ("own_sample", "cond"),
}


def _where(point: Point) -> dict:
    """A point as a finding: its setting, input and values."""
    return {
        "setting": point.setting,
        "action": point.action,
        "distance": point.distance,
        "value": point.value,
        "exact": point.exact,
    }


def _mildest(points: list[Point]) -> Point:
    """The least extreme of `points`: the largest 1 - |a| (an action-free point first)."""
    return max(points, key=lambda p: math.inf if p.distance is None else p.distance)


def _findings(mine: list[Point], limits: dict[str, float]) -> dict[str, dict[str, dict]]:
    findings: dict[str, dict[str, dict]] = {}
    for measure, (quantity, attribute) in MEASURES.items():
        scored = [
            (getattr(p, attribute), p)
            for p in mine
            if p.quantity == quantity
            and getattr(p, attribute) is not None
            and not math.isnan(getattr(p, attribute))
        ]
        if not scored:
            continue
        found = {"worst": _where(max(scored, key=lambda vp: vp[0])[1])}
        limit = limits.get(measure)
        over = [p for v, p in scored if limit is not None and not v <= limit]
        if over:
            found["mildest_over"] = _where(_mildest(over))
        findings[measure] = found
    nonfinite = [p for p in mine if p.nonfinite]
    if nonfinite:
        findings["nonfinite"] = {"mildest_over": _where(_mildest(nonfinite))}
    return findings


def summarize(points: list[Point], clips: list[ClipReport], budget: dict) -> list[Row]:
    keys = sorted({(p.output, p.dtype, p.device) for p in points}, key=lambda k: k)
    rows = []
    for output, dtype, device in keys:
        mine = [p for p in points if (p.output, p.dtype, p.device) == (output, dtype, device)]
        by = {q: [p for p in mine if p.quantity == q] for q in {p.quantity for p in mine}}
        row = Row(output, dtype, device, points=len(mine))
        row.nonfinite = sum(p.nonfinite for p in mine)
        log_prob = by.get("log_prob", [])
        row.maxima = {
            "log_prob_cond": _max([p.cond for p in log_prob]),
            "log_prob_ulps": _max([p.ulps for p in log_prob]),
            "grad": _max([p.grad for p in log_prob]),
            "entropy_cond": _max([p.cond for p in by.get("entropy", [])]),
            "probs_ulps": _max([p.ulps for p in by.get("probs", [])]),
            "own_sample_cond": _max([p.cond for p in by.get("own_sample", [])]),
        }
        mine_clips = [c for c in clips if (c.output, c.dtype, c.device) == (output, dtype, device)]
        if mine_clips:
            row.clip_distortion_nats = max(c.max_distortion_nats for c in mine_clips)
            row.mass_beyond_clip = max(c.mass_beyond_clip for c in mine_clips)
        if row.nonfinite:
            row.over_budget.append(f"{row.nonfinite} NaN/inf values")
        limits = budget.get(output, {}).get(dtype, {})
        for measure, limit in limits.items():
            value = row.maxima.get(measure)
            if value is not None and not value <= limit:
                row.over_budget.append(f"{measure} {value:.3g} > {limit:g}")
        row.findings = _findings(mine, limits)
        rows.append(row)
    return rows
