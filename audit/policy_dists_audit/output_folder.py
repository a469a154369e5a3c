"""The audit's output folder: it writes only there, and never overwrites what it did not make.

A manifest (``.policy-dists-audit``) lists the files earlier runs wrote; any other existing
file of the same name is left alone and the run stops before measuring anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

MANIFEST = ".policy-dists-audit"


class OutputFolderError(ValueError):
    """The folder cannot be written without destroying something the audit did not create."""


class OutputFolder:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _ours(self) -> set[str]:
        manifest = self.path / MANIFEST
        return set(manifest.read_text().split()) if manifest.is_file() else set()

    def check_writable(self, names: Iterable[str]) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise OutputFolderError(f"--out {self.path} exists and is not a folder")
        ours = self._ours()
        for name in names:
            target = self.path / name
            if target.exists() and name not in ours:
                raise OutputFolderError(
                    f"{target} exists and was not written by policy-dists-audit; "
                    "move it away or choose another --out"
                )

    def _claim(self, name: str) -> list[str]:
        self.path.mkdir(parents=True, exist_ok=True)
        ours = self._ours()
        messages = (
            [f"overwriting {self.path / name} from an earlier audit"]
            if ((self.path / name).exists() and name in ours)
            else []
        )
        (self.path / MANIFEST).write_text("\n".join(sorted(ours | {name})) + "\n")
        return messages

    def write_text(self, name: str, text: str) -> list[str]:
        messages = self._claim(name)
        (self.path / name).write_text(text)
        return messages

    def write_with(self, name: str, writer: Callable[[Path], None]) -> list[str]:
        messages = self._claim(name)
        writer(self.path / name)
        return messages
