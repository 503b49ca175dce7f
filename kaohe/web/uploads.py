"""Receiving a multipart upload as it streams in: each file written to disk and hashed chunk by chunk,
never held whole in memory, refused as soon as it passes the size limit (and nothing of it kept)."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from kaohe.errors import InputError, Problem
from kaohe.evidence.files import safe_part

MAX_FIELDS = 20
MAX_FIELD_BYTES = 4096


@dataclass(frozen=True)
class ReceivedFile:
    """One uploaded file as written: the form field, the name the browser gave, where, size, SHA-256."""

    field: str
    file_name: str
    path: Path
    size: int
    sha256: str


@dataclass
class ReceivedForm:
    """The text fields and the files of one upload."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)


class _Part:
    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.file_name: str | None = None
        self.data = bytearray()
        self.handle: IO[bytes] | None = None
        self.path: Path | None = None
        self.size = 0
        self.digest = hashlib.sha256()


async def receive_upload(request: Request, target: Path, *, max_bytes: int) -> ReceivedForm:
    """Stream the request's multipart body into ``target`` (created; removed again on any error).

    InputError when the body is not multipart, has too many fields, or its files together pass
    ``max_bytes``."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise InputError(Problem("请以 multipart/form-data 表单上传文件", field="Content-Type"))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + 1024 * 1024:
        raise InputError(Problem(f"文件超过大小上限 {_mb(max_bytes)}", field="file"))
    target.mkdir(parents=True, exist_ok=False)
    form = ReceivedForm()
    state: dict[str, object] = {"total": 0}
    current: list[_Part] = []
    header_field = bytearray()
    header_value = bytearray()

    def fail(message: str, where: str) -> None:
        raise InputError(Problem(message, field=where))

    def on_part_begin() -> None:
        current[:] = [_Part()]

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        current[0].headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        part = current[0]
        _, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            part.file_name = options[b"filename"].decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            if not part.file_name:
                return
            if len(form.files) >= MAX_FIELDS:
                fail("上传的文件过多", part.name)
            folder = target / str(len(form.files))
            folder.mkdir()
            part.path = folder / safe_part(part.file_name)
            part.handle = part.path.open("wb")
        elif len(form.fields) >= MAX_FIELDS:
            fail("表单字段过多", part.name)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part = current[0]
        chunk = data[start:end]
        if part.handle is not None:
            total = int(state["total"]) + len(chunk)  # type: ignore[call-overload]
            if total > max_bytes:
                fail(f"文件超过大小上限 {_mb(max_bytes)}", part.name)
            state["total"] = total
            part.handle.write(chunk)
            part.digest.update(chunk)
            part.size += len(chunk)
        elif part.file_name is None:
            if len(part.data) + len(chunk) > MAX_FIELD_BYTES:
                fail("表单字段过长", part.name)
            part.data.extend(chunk)

    def on_part_end() -> None:
        part = current[0]
        if part.handle is not None and part.path is not None and part.file_name:
            part.handle.flush()
            os.fsync(part.handle.fileno())  # the store moves this file into place: it is on disk before it is recorded
            part.handle.close()
            part.handle = None
            form.files.append(ReceivedFile(part.name, part.file_name, part.path, part.size, part.digest.hexdigest()))
        elif part.file_name is None:
            form.fields[part.name] = part.data.decode("utf-8", "replace")

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except BaseException:
        if current and current[0].handle is not None:
            current[0].handle.close()
        shutil.rmtree(target, ignore_errors=True)
        raise
    return form


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"
