"""A document as a list of blocks, read from the line markup the Jinja2 content templates produce.

Markup, one block per line: ``^ 发文机关标志``, ``= 文号``, ``# 标题``, ``## 一级标题``, ``### 二级标题``,
``~`` (space for the seal), ``> 落款（右对齐）``,
``| 单元格 | 单元格 |`` (consecutive rows form one table, the first row is its header), any other
non-blank line a paragraph. Templates pass data through the ``cell``/``line`` filters so that data never
starts a block or splits a cell (``lead`` for a value at the start of a line).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["header", "number", "title", "heading", "subheading", "paragraph", "seal", "signature", "table"]
_FULL_WIDTH = {"#": "＃", ">": "＞", "|": "｜", "^": "＾", "=": "＝", "~": "～"}
_PREFIXES: tuple[tuple[str, BlockKind], ...] = (
    ("^ ", "header"),
    ("= ", "number"),
    ("### ", "subheading"),
    ("## ", "heading"),
    ("# ", "title"),
    ("> ", "signature"),
)


@dataclass(frozen=True)
class Block:
    """One block of a document: a heading, a paragraph, a signature line or a table (``rows``, header first)."""

    kind: BlockKind
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


def parse_markup(markup: str) -> list[Block]:
    """The blocks of a rendered content template."""
    blocks: list[Block] = []
    table: list[tuple[str, ...]] = []
    for raw in markup.splitlines():
        line = raw.strip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            table.append(tuple(cell.strip() for cell in line[1:-1].split("|")))
            continue
        if table:
            blocks.append(Block("table", rows=tuple(table)))
            table = []
        if not line:
            continue
        if line == "~":
            blocks.append(Block("seal"))
            continue
        for prefix, kind in _PREFIXES:
            if line.startswith(prefix):
                blocks.append(Block(kind, line[len(prefix):].strip()))
                break
        else:
            blocks.append(Block("paragraph", line))
    if table:
        blocks.append(Block("table", rows=tuple(table)))
    return blocks


def cell(value: object) -> str:
    """A value made safe for a table cell: one line, no cell separator."""
    return line(value).replace("|", "｜")


def line(value: object) -> str:
    """A value on one line: line breaks and runs of spaces become one space, control characters go."""
    text = "" if value is None else str(value)
    return " ".join("".join(c for c in text if _printable(c)).split())


def _printable(char: str) -> bool:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return False
    return unicodedata.category(char) != "Cc" or char.isspace()


def lead(value: object) -> str:
    """A value that starts a markup line: one line, a leading ``#``, ``>`` or ``|`` made full-width."""
    text = line(value)
    if text[:1] in _FULL_WIDTH:
        text = _FULL_WIDTH[text[0]] + text[1:]
    return text
