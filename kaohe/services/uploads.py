"""A file handed in with a command: its name, and its bytes or the path it is streamed from when stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaohe.errors import InputError, Problem
from kaohe.services.files import Content, Received, check_input, read_input


@dataclass(frozen=True)
class Upload:
    """A file a person handed in: in memory (``data``) or on disk (``path``, never read whole to be stored)."""

    name: str
    data: bytes = b""
    path: Path | None = None
    received: Received | None = None

    @classmethod
    def streamed(cls, name: str, path: Path, *, sha256: str, size: int, what: str) -> Upload:
        """A file received for this command alone (a web upload, hashed as it arrived): checked like ``read``,
        then moved into the store rather than copied, its arrival hash recorded."""
        return cls(name, path=check_input(path, what), received=Received(path, sha256, size))

    @classmethod
    def read(cls, path: Path, what: str) -> Upload:
        """The file at ``path``, checked (regular, within the size limit, not empty) but not read; InputError naming ``what``."""
        return cls(path.name, path=check_input(path, what))

    def require(self, what: str) -> bytes:
        """The bytes (read from the path, bounded, when on disk); InputError when the file is empty."""
        if self.path is not None:
            return read_input(self.path, what)
        if not self.data:
            raise InputError(Problem(f"{what}为空文件", file=self.name))
        return self.data

    def content(self, what: str) -> Content:
        """What the file store writes: the received file to move, the path to stream from, or the bytes; InputError when empty."""
        if self.received is not None:
            return self.received
        return self.path if self.path is not None else self.require(what)
