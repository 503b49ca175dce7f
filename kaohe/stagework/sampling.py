"""``kaohe sample`` behind the command: commit or draw, then publish the record as a JSON file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kaohe.db import session_scope
from kaohe.evidence.files import sample_record_path
from kaohe.sampling import Exclusion, VerifyReport, verify
from kaohe.store.cycles import get_cycle
from kaohe.store.samples import make_draw, publish_seed, verify_stored
from kaohe.store.submissions import get_stage


def draw_stage(url: str, home: Path, cycle_key: str, stage_key: str, *, seed_hash_only: bool = False,
               rule_override: Mapping[str, Any] | None = None, exclusions: Sequence[Exclusion] = (), by: str,
               now: dt.datetime, seed: str | None = None) -> dict[str, Any]:
    """Publish the seed hash only, or draw; a made draw's record is also written to ``home/samples/``."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        stage = get_stage(session, cycle, stage_key)
        if seed_hash_only:
            row = publish_seed(session, cycle, stage, rule_override=rule_override, exclusions=exclusions, by=by, now=now, seed=seed)
            return {"cycle": cycle.key, "stage": stage.key, "drawn": False, "seed_hash": row.seed_hash,
                    "inputs_hash": row.inputs_hash, "published_at": row.published_at.isoformat(), "rule": row.rule,
                    "exclusions": row.exclusions}
        row, queued = make_draw(session, cycle, stage, rule_override=rule_override, exclusions=exclusions, by=by, now=now, seed=seed)
        record = dict(row.record or {})
        summary = {"cycle": cycle.key, "stage": stage.key, "drawn": True, "seed_hash": row.seed_hash,
                   "inputs_hash": row.inputs_hash, "record_hash": row.record_hash, "published_at": row.published_at.isoformat(),
                   "drawn_at": now.isoformat(), "selected": list(row.drawn_units), "strata": record.get("strata", []),
                   "shortfalls": record.get("shortfalls", []), "notifications": queued}
    path = home / sample_record_path(cycle_key, stage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {**summary, "record_file": str(path)}


def verify_stage(url: str, cycle_key: str, stage_key: str) -> VerifyReport:
    """Re-run the stored draw of a stage against the hashes published before it."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        return verify_stored(session, cycle, get_stage(session, cycle, stage_key))


def verify_file(data: Mapping[str, Any]) -> VerifyReport:
    """Re-run a draw record read from a file (e.g. the published one)."""
    return verify(data)
