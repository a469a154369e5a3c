"""Memory of the pre-squash values behind the samples a squashed distribution returned."""

from __future__ import annotations

import weakref
from typing import NamedTuple

import torch


class Draw(NamedTuple):
    """How a returned sample was drawn: its pre-squash value, and for a reparameterized
    sample (gradients flow to the parameters) the standard-normal noise behind it."""

    presquash: torch.Tensor
    noise: torch.Tensor | None = None


class OwnSamples:
    """Maps each sample tensor a distribution returned (by identity) to its Draw.

    A sample modified in place no longer matches (its version counter moved), and an equal
    but distinct tensor never matches: those are scored from their value, with clipping.
    Entries die with their sample tensor, so sampling in a loop does not accumulate memory.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[tuple[weakref.ref, Draw, int]] = []

    def remember(self, sample: torch.Tensor, draw: Draw) -> None:
        self._entries = [entry for entry in self._entries if entry[0]() is not None]
        self._entries.append((weakref.ref(sample), draw, sample._version))

    def draw_of(self, value: torch.Tensor) -> Draw | None:
        for ref, draw, version in self._entries:
            if ref() is value:
                # Under torch.compile the version counter is not traceable; in-place edits
                # of a sample inside one compiled region are not detected there.
                if not torch.compiler.is_compiling() and value._version != version:
                    return None
                return draw
        return None
