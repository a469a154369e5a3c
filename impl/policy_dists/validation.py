"""The opt-in runtime validation switch (SPEC §6).

Off by default, because every check below reads tensor values and so synchronizes a CUDA
device. On (``set_validation(True)`` or env ``POLICY_DISTS_VALIDATE=1``), non-finite network
outputs and out-of-range actions raise ValueError naming the class.
"""

from __future__ import annotations

import os

import torch

_enabled = os.environ.get("POLICY_DISTS_VALIDATE", "0").strip().lower() not in ("", "0", "false")


def set_validation(enabled: bool) -> None:
    """Turn the value checks on network outputs and actions on or off, process-wide."""
    global _enabled
    _enabled = bool(enabled)


def validation_enabled() -> bool:
    """Whether value checks are on."""
    return _enabled


def check_finite(owner: str, name: str, value: torch.Tensor) -> None:
    """Raise ValueError when validation is on and ``value`` holds NaN or ±inf."""
    if _enabled and not bool(torch.isfinite(value).all()):
        raise ValueError(f"{owner}: {name} contains non-finite values (NaN or inf)")


def check_interval(owner: str, name: str, value: torch.Tensor, low: float, high: float) -> None:
    """Raise ValueError when validation is on and ``value`` leaves [low, high] or is NaN."""
    if _enabled and not bool(((value >= low) & (value <= high)).all()):
        raise ValueError(f"{owner}: {name} must lie in [{low}, {high}] (or be NaN-free)")
