"""Checksums and the layout of stored evidence files under ``settings.home``."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath

from kaohe.unitcodes import key_part

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of the bytes."""
    return hashlib.sha256(data).hexdigest()


def safe_part(text: str) -> str:
    """One path component made safe: NFC, no separators or control characters, never ``.`` or ``..``."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip()
    if cleaned in {"", ".", ".."}:
        return "_" if not cleaned else cleaned.replace(".", "_")
    return cleaned


def submission_dir(cycle_key: str, unit_code: str, stage_key: str, version: int) -> PurePosixPath:
    """``submissions/<cycle>/<unit>/<stage>/v<N>``, relative to ``settings.home``."""
    return PurePosixPath("submissions", key_part(cycle_key), key_part(unit_code), key_part(stage_key), f"v{version}")


def order_dir(cycle_key: str, number: int) -> PurePosixPath:
    """``orders/<cycle>/<N>``, relative to ``settings.home``: where a supervision order's evidence goes."""
    return PurePosixPath("orders", key_part(cycle_key), str(number))


def sample_record_path(cycle_key: str, stage_key: str) -> PurePosixPath:
    """``samples/<cycle>/<stage>.json``, relative to ``settings.home``: the published draw record."""
    return PurePosixPath("samples", key_part(cycle_key), f"{key_part(stage_key)}.json")
