"""Files people hand to kaohe, read safely: regular files only, bounded, streamed and hashed while streaming.

A FIFO, a device (``/dev/zero``), a directory or a socket is refused before a byte is read (opening a FIFO
does not wait for a writer); a file larger than ``KAOHE_MAX_FILE_BYTES`` is refused by its size and, should
it grow while being read, by what was read. Nothing reads a whole file into memory unless the caller asks
for its bytes (``read_bounded``), and then never more than the limit.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from kaohe.errors import InputError, Problem, StorageError
from kaohe.limits import limits

CHUNK = 1024 * 1024
_KINDS = {stat.S_IFIFO: "命名管道（FIFO）", stat.S_IFCHR: "字符设备", stat.S_IFBLK: "块设备", stat.S_IFSOCK: "套接字",
          stat.S_IFDIR: "目录"}


def _error(error_class: type[InputError], path: Path, reason: str) -> InputError:
    return error_class(Problem(reason, file=str(path)))


@contextmanager
def open_input(path: Path, what: str, error_class: type[InputError] = InputError) -> Iterator[tuple[BinaryIO, int]]:
    """Open ``path`` for reading if it is a regular file within the size limit: ``(stream, size)``."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        reason = "不存在" if error.errno == errno.ENOENT else f"无法读取：{error.strerror or error}"
        raise _error(error_class, path, f"{what}{reason}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "特殊文件")
            raise _error(error_class, path, f"{what}不是普通文件（是{kind}），不能读取")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        bound = limits().max_file_bytes
        if info.st_size > bound:
            raise _error(error_class, path, f"{what}过大：{info.st_size} 字节，超过上限 {bound} 字节（设置 KAOHE_MAX_FILE_BYTES）")
        stream = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with stream:
        yield stream, info.st_size


def chunks(stream: BinaryIO, path: Path, what: str, error_class: type[InputError] = InputError) -> Iterator[bytes]:
    """The stream's bytes in chunks, refusing to go past ``KAOHE_MAX_FILE_BYTES``."""
    bound = limits().max_file_bytes
    seen = 0
    while block := stream.read(CHUNK):
        seen += len(block)
        if seen > bound:
            raise _error(error_class, path, f"{what}过大：超过上限 {bound} 字节（设置 KAOHE_MAX_FILE_BYTES）")
        yield block


def read_bounded(path: Path, what: str, error_class: type[InputError] = InputError, *, allow_empty: bool = False) -> bytes:
    """The bytes of a regular file within the size limit; empty is an error unless ``allow_empty``."""
    with open_input(path, what, error_class) as (stream, _):
        data = b"".join(chunks(stream, path, what, error_class))
    if not data and not allow_empty:
        raise _error(error_class, path, f"{what}为空")
    return data


def hash_file(path: Path, what: str, error_class: type[InputError] = InputError) -> tuple[str, int]:
    """SHA-256 (hex) and size of a regular file, streamed."""
    digest = hashlib.sha256()
    size = 0
    with open_input(path, what, error_class) as (stream, _):
        for block in chunks(stream, path, what, error_class):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def copy_hashed(source: Path, target: Path, what: str) -> tuple[str, int]:
    """Stream ``source`` into the new file ``target``, hashing on the way; (SHA-256 hex, size).

    Reading problems are InputError; writing problems (disk full) are StorageError, and ``target`` is removed.
    """
    digest = hashlib.sha256()
    size = 0
    with open_input(source, what) as (stream, _):
        try:
            with open(target, "xb") as out:
                for block in chunks(stream, source, what):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
        except OSError as error:
            target.unlink(missing_ok=True)
            raise storage_error(target, error) from None
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    if size == 0:
        target.unlink(missing_ok=True)
        raise InputError(Problem(f"{what}为空", file=str(source)))
    return digest.hexdigest(), size


def storage_error(path: Path, error: OSError) -> StorageError:
    """A StorageError naming the path and the system's reason (disk full, no permission …)."""
    reasons = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.EFBIG: "文件超过系统允许的大小",
               errno.EACCES: "没有写入权限", errno.EROFS: "文件系统只读", errno.ENAMETOOLONG: "文件名过长"}
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    return StorageError(f"无法写入 {path}：{reason}；未保存任何内容，请处理后重试")
