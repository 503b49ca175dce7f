"""A cache of the summary ``kaohe schemes`` lists (id, name, document, number of stages) per scheme file.

Listing the schemes validated every file on each run (pydantic models, YAML, planning three sample years
for the checks): most of the command's start-up. A file that loaded cleanly leaves a small JSON entry,
keyed by the kaohe version, the file's path, the parent search path and the SHA-256 of its bytes; the
entry also names every parent file the loader looked up (the candidates it tried, the one it found and
that file's SHA-256), and is trusted only while those still resolve to the same bytes. Files that fail are
never cached, so their warnings are always the loader's own. An entry that cannot be read, parsed or
written is ignored (the file is then loaded as before). The directory is given by the caller (the CLI
passes ``KAOHE_HOME/cache/schemes``); this module reads no settings and imports neither pydantic nor
YAML, so a listing served from the cache does not load them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMAT = 1


def scheme_files(directory: Path) -> list[Path]:
    """The scheme files of a directory, sorted by name."""
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kaohe")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        return "unknown"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_path(cache_dir: Path, path: Path, search: Sequence[Path], data: bytes) -> Path:
    key = json.dumps([FORMAT, _version(), str(path), [str(s) for s in search], _digest(data)])
    return cache_dir / f"{_digest(key.encode())}.json"


def _read(path: Path) -> bytes:
    from kaohe.errors import SchemeError
    from kaohe.inputfiles import read_bounded

    return read_bounded(path, "方案文件", SchemeError)


def cached_summary(path: Path, search: Sequence[Path], cache_dir: Path, *, data: bytes | None = None) -> dict[str, Any] | None:
    """The summary stored for ``path`` (whose bytes are ``data`` when the caller has read them) when its bytes and
    every parent it was merged with are unchanged; else None."""
    try:
        entry = json.loads(_entry_path(cache_dir, path, search, _read(path) if data is None else data).read_bytes())
        for candidates, found, digest in entry["parents"]:
            first = next((c for c in candidates if Path(c).is_file()), None)
            if first != found or _digest(_read(Path(found))) != digest:
                return None
        summary = entry["summary"]
        if not isinstance(summary, dict) or set(summary) != {"id", "name", "document", "stages"}:
            return None
        return summary
    except Exception:  # noqa: BLE001 - an unusable entry is a miss; the loader then speaks for the file
        return None


def store_summary(path: Path, search: Sequence[Path], cache_dir: Path, summary: dict[str, Any],
                  trail: Sequence[tuple[tuple[str, ...], str]], *, data: bytes | None = None) -> None:
    """Remember the summary of a file that loaded cleanly from ``data`` (``trail``: the parents the loader looked
    up); errors ignored."""
    try:
        entry = {"summary": summary, "parents": [[list(c), f, _digest(_read(Path(f)))] for c, f in trail]}
        target = _entry_path(cache_dir, path, search, _read(path) if data is None else data)
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs the next run its time
        return
