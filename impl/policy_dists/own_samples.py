"""Memory of the pre-squash values behind the samples a squashed distribution returned."""

from __future__ import annotations

import weakref

import torch


class OwnSamples:
    """Maps each sample tensor a distribution returned (by identity) to its pre-squash value.

    A sample modified in place no longer matches (its version counter moved), and an equal
    but distinct tensor never matches: those are scored from their value, with clipping.
    Entries die with their sample tensor, so sampling in a loop does not accumulate memory.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[tuple[weakref.ref, torch.Tensor, int]] = []

    def remember(self, sample: torch.Tensor, presquash: torch.Tensor) -> None:
        self._entries = [entry for entry in self._entries if entry[0]() is not None]
        self._entries.append((weakref.ref(sample), presquash, sample._version))

    def presquash_of(self, value: torch.Tensor) -> torch.Tensor | None:
        for ref, presquash, version in self._entries:
            if ref() is value:
                # Under torch.compile the version counter is not traceable; in-place edits
                # of a sample inside one compiled region are not detected there.
                if not torch.compiler.is_compiling() and value._version != version:
                    return None
                return presquash
        return None
