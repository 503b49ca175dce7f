"""The deterministic randomness of a draw: seeds, commitments and SHA-256 ranks.

A unit's rank in a stratum is the hex SHA-256 of the UTF-8 bytes of::

    f"{ALGORITHM_VERSION}|{seed}|{stratum_key}|{code}"

where ``stratum_key`` is the canonical JSON of the stratum's list of values (e.g. ``["成都市"]``,
``["c1","township"]``, ``[]``). Units are taken smallest rank first (ties, never seen in practice,
by code). Nothing here depends on Python's ``random``, so the same inputs give the same draw on
every machine and every Python version.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

ALGORITHM_VERSION = "kaohe-sampling/1"


def new_seed() -> str:
    """A fresh random seed (128 bits, hex); record and commit to it before drawing."""
    return secrets.token_hex(16)


def sha256_hex(text: str) -> str:
    """Hex SHA-256 of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seed_hash(seed: str) -> str:
    """The commitment to a seed that can be published before the draw."""
    return sha256_hex(seed)


def canonical_json(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def stratum_key(stratum: Sequence[str]) -> str:
    """The text that names a stratum inside rank hashes."""
    return canonical_json(list(stratum))


def rank_key(seed: str, stratum: Sequence[str], code: str) -> str:
    """The SHA-256 rank of one unit in one stratum for one seed."""
    return sha256_hex(f"{ALGORITHM_VERSION}|{seed}|{stratum_key(stratum)}|{code}")


def ranked(codes: Iterable[str], seed: str, stratum: Sequence[str]) -> list[str]:
    """The codes in draw order: smallest rank first."""
    return sorted(codes, key=lambda code: (rank_key(seed, stratum, code), code))
