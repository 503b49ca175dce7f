"""A cache of what kaohe knows about each clean scheme file: the summary ``kaohe schemes`` lists (id, name,
document, number of stages) and the compiled form ``kaohe plan`` plans from (``kaohe.schemecompiled``).

Listing the schemes validated every file on each run (pydantic models, YAML, planning three sample years
for the checks), and planning one built every model class: most of those commands' start-up. A file that
loaded cleanly leaves a small JSON entry, keyed by the file's path, the parent search path, the SHA-256 of
its bytes and the size and modification time of kaohe's scheme code (as Python's own bytecode cache is
keyed, so a changed loader or model never reads an old entry); the entry also names every parent file the
loader looked up (the candidates it tried, the one it found and that file's SHA-256), and is trusted only
while those still resolve to the same bytes. Files that fail are never cached, so their warnings are always
the loader's own. An entry that cannot be read, parsed or written is ignored (the file is then loaded as
before). The directory is given by the caller (the CLI passes ``KAOHE_HOME/cache/schemes``); this module
reads no settings and imports neither pydantic nor YAML, so what is served from the cache does not load them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaohe.schemecompiled import CompiledScheme

FORMAT = 2
KAOHE_DIR = Path(__file__).resolve().parent
CODE = (KAOHE_DIR / "schemes", KAOHE_DIR / "scoring", KAOHE_DIR / "cascade", KAOHE_DIR / "sampling", KAOHE_DIR / "schemeshape.py",
        KAOHE_DIR / "schemecompiled.py", KAOHE_DIR / "schemecache.py", KAOHE_DIR / "dateexpr.py", KAOHE_DIR / "planning.py",
        KAOHE_DIR / "workdays.py", KAOHE_DIR / "datechecks.py")
"""The code that decides whether a file is clean and what is kept of it."""


def scheme_files(directory: Path) -> list[Path]:
    """The scheme files of a directory, sorted by name."""
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def find_scheme(ref: str, directory: Path) -> Path:
    """A scheme id (``mile``) or a path to a scheme file, as a path; NotFoundError if neither."""
    from kaohe.errors import NotFoundError

    candidate = Path(ref)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        if not candidate.exists():
            raise NotFoundError(f"方案文件不存在：{ref}")
        return candidate
    path = directory / f"{ref}.yaml"
    if not path.exists():
        known = ", ".join(p.stem for p in scheme_files(directory))
        raise NotFoundError(f"没有 id 为 {ref!r} 的方案（已有：{known}）")
    return path


@lru_cache(maxsize=1)
def _code_stamp() -> tuple[tuple[str, int, int], ...]:
    stamp = []
    for place in CODE:
        for source in sorted(place.glob("*.py")) if place.is_dir() else [place]:
            try:
                status = source.stat()
            except OSError:
                stamp.append((str(source.relative_to(KAOHE_DIR)), -1, -1))
                continue
            stamp.append((str(source.relative_to(KAOHE_DIR)), status.st_size, status.st_mtime_ns))
    return tuple(stamp)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_path(cache_dir: Path, path: Path, search: Sequence[Path], data: bytes) -> Path:
    key = json.dumps([FORMAT, _code_stamp(), str(path), [str(s) for s in search], _digest(data)])
    return cache_dir / f"{_digest(key.encode())}.json"


def _read(path: Path) -> bytes:
    from kaohe.errors import SchemeError
    from kaohe.inputfiles import read_bounded

    return read_bounded(path, "方案文件", SchemeError)


def _entry(path: Path, search: Sequence[Path], cache_dir: Path, data: bytes | None) -> dict[str, Any]:
    """The entry of ``path`` if its bytes and every parent it was merged with are unchanged; raises otherwise."""
    entry = json.loads(_entry_path(cache_dir, path, search, _read(path) if data is None else data).read_bytes())
    if not isinstance(entry, dict):
        raise LookupError(path)
    for candidates, found, digest in entry["parents"]:
        first = next((c for c in candidates if Path(c).is_file()), None)
        if first != found or _digest(_read(Path(found))) != digest:
            raise LookupError(found)
    return entry


def cached_summary(path: Path, search: Sequence[Path], cache_dir: Path, *, data: bytes | None = None) -> dict[str, Any] | None:
    """The summary stored for ``path`` (whose bytes are ``data`` when the caller has read them) when its bytes and
    every parent it was merged with are unchanged; else None."""
    try:
        summary = _entry(path, search, cache_dir, data)["summary"]
        if not isinstance(summary, dict) or set(summary) != {"id", "name", "document", "stages"}:
            return None
        return summary
    except Exception:  # noqa: BLE001 - an unusable entry is a miss; the loader then speaks for the file
        return None


def cached_lineage(path: Path, search: Sequence[Path], cache_dir: Path) -> tuple[CompiledScheme, ...] | None:
    """The compiled scheme of ``path`` followed by its parent, grandparent … (as ``load_scheme_chain`` gives
    them validated) when the file and its parents are unchanged since they loaded cleanly; else None."""
    try:
        from kaohe.schemecompiled import compiled_from_data

        return tuple(compiled_from_data(data) for data in _entry(path, search, cache_dir, None)["lineage"]) or None
    except Exception:  # noqa: BLE001 - an unusable entry is a miss; the loader then speaks for the file
        return None


def store_clean(path: Path, search: Sequence[Path], cache_dir: Path, summary: dict[str, Any], lineage: Sequence[dict[str, Any]],
                trail: Sequence[tuple[tuple[str, ...], str]], *, data: bytes | None = None) -> None:
    """Remember a file that loaded cleanly from ``data``: its summary, its compiled ``lineage`` (the scheme, then
    its parents) and ``trail`` (the parents the loader looked up); errors ignored."""
    try:
        entry = {"summary": summary, "lineage": list(lineage), "parents": [[list(c), f, _digest(_read(Path(f)))] for c, f in trail]}
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
