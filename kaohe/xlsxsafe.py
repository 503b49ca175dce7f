"""Opening an XLSX file someone handed in, safely: checked before openpyxl parses a byte of it.

An XLSX file is a zip archive of XML parts. Refused, with the file and the reason:

* a total uncompressed size above ``KAOHE_MAX_XLSX_UNCOMPRESSED_BYTES`` (a "zip bomb": a few megabytes
  that inflate to gigabytes). The declared sizes are a real bound: Python's zip reader stops at them.
* any XML part with a document type declaration (``<!DOCTYPE`` / ``<!ENTITY``): Office never writes one,
  and entities are how "billion laughs" and external-entity attacks work.
* anything that is not a zip archive.

Rows are bounded by ``KAOHE_MAX_ROWS`` by the readers (``row_limit_problem``).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

from kaohe.errors import InputError, Problem
from kaohe.limits import limits

PROLOG_MAX_BYTES = 64 * 1024
_ROOT_START = re.compile(r"<[A-Za-z_]")


def check_xlsx(source: bytes | Path, file: str, error_class: type[InputError] = InputError) -> None:
    """Raise ``error_class`` (one problem naming the file) unless ``source`` is a zip of bounded size
    whose XML parts declare no document type."""
    bound = limits().max_xlsx_uncompressed_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > bound:
                raise error_class(Problem(
                    f"Excel 文件解压后共 {total} 字节，超过上限 {bound} 字节（设置 KAOHE_MAX_XLSX_UNCOMPRESSED_BYTES）；"
                    "可能是恶意构造的压缩文件", file=file))
            for info in infos:
                if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(info) as part:
                    head = part.read(PROLOG_MAX_BYTES)
                reason = _prolog_problem(head)
                if reason:
                    raise error_class(Problem(f"Excel 文件的 {info.filename} {reason}，拒绝读取", file=file))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
        raise error_class(Problem("无法读取 Excel 文件：不是有效的 XLSX 文件（无法按 zip 格式读取），请在 Excel 中另存为 .xlsx", file=file)) from None


def _prolog_problem(head: bytes) -> str | None:
    """Why the start of an XML part is refused: a DTD or entity, or a prolog too long to check."""
    text = _decode(head)
    root = _ROOT_START.search(_strip_comments(text))
    prolog = text if root is None else _strip_comments(text)[: root.start()]
    if "<!DOCTYPE" in prolog.upper() or "<!ENTITY" in prolog.upper():
        return "含文档类型声明（DOCTYPE/ENTITY）"
    if root is None and len(head) >= PROLOG_MAX_BYTES:
        return f"开头 {PROLOG_MAX_BYTES} 字节内没有内容"
    return None


def _strip_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def _decode(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    if head[:4] in (b"<\x00?\x00", b"<\x00!\x00"):
        return head.decode("utf-16-le", "replace")
    if head[:4] in (b"\x00<\x00?", b"\x00<\x00!"):
        return head.decode("utf-16-be", "replace")
    return head.decode("utf-8", "replace")


def row_limit_problem(rows: int) -> str | None:
    """Why a sheet with ``rows`` rows read so far must stop, or ``None``."""
    bound = limits().max_rows
    if rows > bound:
        return f"行数超过上限 {bound} 行（设置 KAOHE_MAX_ROWS）"
    return None
