"""Plain message text made safe for HTML e-mail and robot markdown (pure).

Everything in a message may contain what users typed (unit names, issues, notes), so it is escaped;
only the links kaohe itself put in (``Message.links``) become clickable; a URL a user typed stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from kaohe.notifications.message import Message

_MARKDOWN_LOOKALIKES = str.maketrans({"*": "＊", "[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "#": "＃", "|": "｜",
                                      "~": "～", "\\": "＼"})


def link_split(text: str, known: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_link) runs, a link being an occurrence of one of the ``known`` URLs."""
    if not known:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(url) for url in sorted(set(known), key=len, reverse=True)))
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append((text[position:match.start()], False))
        pieces.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def html_body(message: Message) -> str:
    """The HTML part of an e-mail: the subject as heading, one paragraph per blank-line block, links clickable."""
    blocks = [b for b in re.split(r"\n\s*\n", message.body.strip()) if b.strip()]
    paragraphs = []
    for block in blocks:
        lines = []
        for line in block.split("\n"):
            lines.append("".join(
                f'<a href="{html.escape(piece, quote=True)}">{html.escape(piece)}</a>' if is_url else html.escape(piece)
                for piece, is_url in link_split(line, message.links)
            ))
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(message.subject)}</title></head>\n"
        f'<body style="font-family: sans-serif; line-height: 1.6">\n<h3>{html.escape(message.subject)}</h3>\n'
        + "\n".join(paragraphs) + "\n</body></html>\n"
    )


def markdown_escape(text: str) -> str:
    """``text`` with the characters that start markdown or HTML markup (``* [ ] < > ` # | ~ \\``) replaced by
    their full-width forms: robot renderers differ in which backslash escapes they honour, full-width
    characters read the same in Chinese text and are never markup."""
    return text.translate(_MARKDOWN_LOOKALIKES)


def markdown_line(line: str, known: Sequence[str]) -> str:
    """One line of message text as robot markdown: escaped, kaohe's ``known`` links as ``[url](url)``."""
    return "".join(f"[{piece}]({piece})" if is_url else markdown_escape(piece) for piece, is_url in link_split(line, known))
