"""A file handed in with a command: its name and bytes (the edge reads it from disk or from a form)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaohe.errors import InputError, Problem
from kaohe.services.files import read_input


@dataclass(frozen=True)
class Upload:
    """A file a person handed in."""

    name: str
    data: bytes

    @classmethod
    def read(cls, path: Path, what: str) -> Upload:
        """The file at ``path``; InputError naming ``what`` when it cannot be read or is empty."""
        return cls(path.name, read_input(path, what))

    def require(self, what: str) -> bytes:
        """The bytes; InputError when the file is empty."""
        if not self.data:
            raise InputError(Problem(f"{what}为空文件", file=self.name))
        return self.data
