"""A cycle's scheme snapshot as a Scheme value, validated once per distinct snapshot in a process.

Every submission, verification and advance needs the cycle's scheme (and its scoring specification);
validating the stored snapshot each time costs more than the work itself. The value is cached under
the hash of the snapshot's content, so an edited scheme (another cycle) is never confused with it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from kaohe.schemes.model import Scheme

_LIMIT = 64
_CACHE: OrderedDict[str, Scheme] = OrderedDict()
_LOCK = threading.Lock()


def snapshot_key(snapshot: Mapping[str, Any]) -> str:
    """The content hash of a snapshot (key order does not matter)."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"{snapshot.get('id')}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def scheme_from_snapshot(snapshot: Mapping[str, Any]) -> Scheme:
    """The Scheme of a stored snapshot (``Cycle.scheme_snapshot``), with its scoring specification parsed."""
    key = snapshot_key(snapshot)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    scheme = Scheme.model_validate(dict(snapshot))
    scheme.scoring_spec  # noqa: B018 - parse the scoring section now, once, while validating
    with _LOCK:
        _CACHE[key] = scheme
        while len(_CACHE) > _LIMIT:
            _CACHE.popitem(last=False)
    return scheme
