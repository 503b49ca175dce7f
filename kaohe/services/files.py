"""The file store: evidence files under ``settings.home``, a fresh directory per version, written aside and moved into place."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kaohe.errors import InputError, Problem, StateError, StorageError
from kaohe.evidence.files import safe_part, sha256_hex
from kaohe.inputfiles import copy_hashed, hash_file, open_input, read_bounded, storage_error


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
    """The bytes of a (small) file a person handed in: a regular file within ``KAOHE_MAX_FILE_BYTES``, not empty."""
    return read_bounded(path, what)


def check_input(path: Path, what: str) -> Path:
    """``path`` if it is a regular, non-empty file within ``KAOHE_MAX_FILE_BYTES`` (it is streamed when stored)."""
    with open_input(path, what) as (_, size):
        if size == 0:
            raise InputError(Problem(f"{what}为空", file=str(path)))
    return path


@dataclass(frozen=True)
class Received:
    """A file already received for this one command (a web upload streamed to disk, hashed, synced while it
    arrived): the store moves it into place instead of copying it, and records the hash taken on arrival."""

    path: Path
    sha256: str
    size: int


Content = bytes | Path | Received


def write_files(home: Path, relative_dir: PurePosixPath, files: list[tuple[str, str, Content]]) -> tuple[Path, list[StoredFile]]:
    """Write ``(kind, name, bytes, source path or received file)`` files into the new directory ``home/relative_dir``, atomically.

    Everything is written into a hidden directory beside the target (sources streamed and hashed while
    copied, then read back and checked; a received file is moved there when it is on the same file
    system, its size checked, else copied like a source path and checked against the hash taken on
    arrival), and that directory is renamed into place only when complete; on any failure it is removed,
    so the target either holds every file or does not exist. A full disk is a StorageError.
    """
    target = home / relative_dir
    if target.exists():
        raise StateError(f"存放目录 {target} 已存在：可能另有一次报送正在进行；如确认没有，请移走该目录后重试")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    except OSError as error:
        raise storage_error(target, error) from None
    stored = []
    try:
        for kind, name, content in files:
            clean = safe_part(name)
            if (aside / clean).exists():
                clean = f"{kind}-{clean}"
            path = aside / clean
            if isinstance(content, Received) and _move(content, path):
                digest, size = content.sha256, content.size
            else:
                if isinstance(content, Received | Path):
                    source = content.path if isinstance(content, Received) else content
                    digest, size = copy_hashed(source, path, name)
                    if isinstance(content, Received) and digest != content.sha256:
                        raise StorageError(f"文件 {name} 与上传时的校验值不符：上传后被改动，请重新上传")
                else:
                    digest, size = _write_bytes(path, content), len(content)
                if hash_file(path, name)[0] != digest:
                    raise StorageError(f"文件 {target / clean} 写入后校验不符，请检查磁盘后重试")
            stored.append(StoredFile(kind, name, digest, size, str(relative_dir / clean)))
        try:
            os.rename(aside, target)
        except OSError as error:
            if target.exists():
                raise StateError(f"存放目录 {target} 已存在：可能另有一次报送正在进行；请稍后重试") from None
            raise storage_error(target, error) from None
    except BaseException:
        remove_dir(aside)
        raise
    return target, stored


def _move(received: Received, path: Path) -> bool:
    """Move a received file to ``path`` (False when it lives on another file system: copy it then); StorageError
    when it is gone or its size changed since it arrived."""
    try:
        os.rename(received.path, path)
    except OSError as error:
        if error.errno == errno.EXDEV:
            return False
        raise StorageError(f"无法移入上传的文件 {received.path}：{error.strerror or error}；未保存任何内容，请重新上传") from None
    if path.stat().st_size != received.size:
        raise StorageError(f"上传的文件 {path.name} 大小与接收时不符，请重新上传")
    return True


def _write_bytes(path: Path, data: bytes) -> str:
    try:
        with open(path, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        raise storage_error(path, error) from None
    return sha256_hex(data)


def remove_dir(path: Path) -> None:
    """Remove a directory this process created (nothing is kept of a failed submission)."""
    shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class FileStore:
    """Files kaohe keeps, under one root (``KAOHE_HOME``)."""

    root: Path

    def write(self, relative_dir: PurePosixPath, files: list[tuple[str, str, Content]]) -> tuple[Path, list[StoredFile]]:
        """Write ``(kind, name, bytes, source path or received file)`` files into the new directory ``relative_dir``; see ``write_files``."""
        return write_files(self.root, relative_dir, files)

    def path(self, relative: PurePosixPath | str) -> Path:
        """The absolute path of a stored file."""
        return self.root / relative
