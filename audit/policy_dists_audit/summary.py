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
        }


def _max(values: list[float]) -> float | None:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    return max(finite) if finite else None


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
        for measure, limit in budget.get(output, {}).get(dtype, {}).items():
            value = row.maxima.get(measure)
            if value is not None and not value <= limit:
                row.over_budget.append(f"{measure} {value:.3g} > {limit:g}")
        rows.append(row)
    return rows
