"""The file store: evidence files under ``settings.home``, a fresh directory per version, checksummed, removable."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kaohe.errors import InputError, Problem, StateError
from kaohe.evidence.files import safe_part, sha256_hex


@dataclass(frozen=True)
class StoredFile:
    """A file as stored: its kind, original name, checksum, size and path relative to home."""

    kind: str
    file_name: str
    sha256: str
    size: int
    stored_path: str

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"kind": self.kind, "file": self.file_name, "sha256": self.sha256, "size": self.size, "path": self.stored_path}


def read_input(path: Path, what: str) -> bytes:
    """The bytes of a file a person handed in; InputError when it cannot be read or is empty."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(Problem(f"无法读取{what}：{error.strerror or error}", file=str(path))) from None
    if not data:
        raise InputError(Problem(f"{what}为空文件", file=str(path)))
    return data


def write_files(home: Path, relative_dir: PurePosixPath, files: list[tuple[str, str, bytes]]) -> tuple[Path, list[StoredFile]]:
    """Create ``home/relative_dir`` (it must not exist) and write ``(kind, name, bytes)`` files into it, read back and checked."""
    target = home / relative_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.mkdir()
    except FileExistsError:
        raise StateError(f"存放目录 {target} 已存在：可能另有一次报送正在进行；如确认没有，请移走该目录后重试") from None
    stored = []
    try:
        for kind, name, data in files:
            clean = safe_part(name)
            if (target / clean).exists():
                clean = f"{kind}-{clean}"
            path = target / clean
            path.write_bytes(data)
            digest = sha256_hex(data)
            if sha256_hex(path.read_bytes()) != digest:
                raise StateError(f"文件 {path} 写入后校验不符，请检查磁盘后重试")
            stored.append(StoredFile(kind, name, digest, len(data), str(relative_dir / clean)))
    except BaseException:
        remove_dir(target)
        raise
    return target, stored


def remove_dir(path: Path) -> None:
    """Remove a directory this process created (nothing is kept of a failed submission)."""
    shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class FileStore:
    """Files kaohe keeps, under one root (``KAOHE_HOME``)."""

    root: Path

    def write(self, relative_dir: PurePosixPath, files: list[tuple[str, str, bytes]]) -> tuple[Path, list[StoredFile]]:
        """Write ``(kind, name, bytes)`` files into the new directory ``relative_dir``; see ``write_files``."""
        return write_files(self.root, relative_dir, files)

    def path(self, relative: PurePosixPath | str) -> Path:
        """The absolute path of a stored file."""
        return self.root / relative
