"""A rectification report handed in: stored, recorded and its items marked reported, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kaohe.clock import parse_instant
from kaohe.db import session_scope
from kaohe.errors import NotFoundError
from kaohe.evidence.files import submission_dir
from kaohe.evidence.lateness import late_by_seconds
from kaohe.stagework.files import check_input, remove_dir, write_files
from kaohe.store.audit import record
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import complete
from kaohe.store.results import RECTIFICATION_KIND, mark_reported, stage_of_kind
from kaohe.store.submissions import add_submission, next_version, obligation_to_submit


def submit_report(url: str, home: Path, cycle_key: str, unit_code: str, report: Path, *, by: str, at: str | None) -> dict[str, Any]:
    """Store the report file and record it, all or nothing; the obligation is completed if it was owed."""
    now = parse_instant(at)
    data = check_input(report, "整改报告")
    created: Path | None = None
    try:
        with session_scope(url) as session:
            cycle = get_cycle(session, cycle_key)
            stage = stage_of_kind(cycle, RECTIFICATION_KIND)
            if stage is None:
                raise NotFoundError(f"周期 {cycle.key} 的方案没有整改阶段")
            obligation, _, unit = obligation_to_submit(session, cycle, unit_code, stage.key, now=now, with_scores=False)
            version = next_version(session, obligation)
            late = late_by_seconds(now, obligation.due_at)
            created, stored = write_files(home, submission_dir(cycle.key, unit.code, stage.key, version), [("report", report.name, data)])
            for item in stored:
                add_submission(session, obligation, version=version, kind=item.kind, file_name=item.file_name, sha256=item.sha256,
                               size=item.size, stored_path=item.stored_path, submitted_at=now, late_by_seconds=late, submitted_by=by)
            completed = obligation.status in ("pending", "overdue")
            if completed:
                complete(session, cycle, unit.code, stage.key, at=now, actor=by)
            items = mark_reported(session, cycle, unit.code, version=version, by=by, now=now)
            record(session, actor=by, action="submission.received", cycle_id=cycle.id, subject=f"{stage.key}:{unit.code}", at=now,
                   detail={"version": version, "late_by_seconds": late, "files": [f.to_json() for f in stored]})
            return {"cycle": cycle.key, "unit": unit.code, "stage": stage.key, "version": version, "late_by_seconds": late,
                    "completed_obligation": completed, "items": items, "files": [f.to_json() for f in stored]}
    except BaseException:
        if created is not None:
            remove_dir(created)
        raise
