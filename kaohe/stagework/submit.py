"""``kaohe submit`` behind the command: files and rows in one go, nothing stored when anything fails."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kaohe.db import session_scope
from kaohe.evidence.files import submission_dir
from kaohe.evidence.indicators import indicators_for
from kaohe.evidence.lateness import describe_lateness, late_by_seconds
from kaohe.evidence.score_table import parse_score_table
from kaohe.stagework.files import StoredFile, check_input, read_input, remove_dir, write_files
from kaohe.store.audit import record
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import complete
from kaohe.store.submissions import (
    add_submission,
    next_version,
    obligation_to_submit,
    record_self_scores,
)


@dataclass(frozen=True)
class SubmitResult:
    """What one submission stored."""

    cycle: str
    unit: str
    stage: str
    version: int
    submitted_at: dt.datetime
    late_by_seconds: int
    completed: bool
    scores: int
    files: list[StoredFile] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"cycle": self.cycle, "unit": self.unit, "stage": self.stage, "version": self.version,
                "submitted_at": self.submitted_at.isoformat(), "late": self.late_by_seconds > 0,
                "late_by_seconds": self.late_by_seconds, "lateness": describe_lateness(self.late_by_seconds),
                "completed_obligation": self.completed, "scores": self.scores, "files": [f.to_json() for f in self.files]}


def submit(url: str, home: Path, cycle_key: str, unit_code: str, stage_key: str, *, report: Path, scores: Path | None,
           by: str, now: dt.datetime) -> SubmitResult:
    """Check, store the files under ``home`` and record them with the self-scores, all or nothing."""
    report_path = check_input(report, "报告文件")
    score_bytes = read_input(scores, "自评表") if scores is not None else None
    created: Path | None = None
    try:
        with session_scope(url) as session:
            cycle = get_cycle(session, cycle_key)
            obligation, stage, unit = obligation_to_submit(session, cycle, unit_code, stage_key, now=now, with_scores=scores is not None)
            rows = []
            if scores is not None and score_bytes is not None:
                indicators = indicators_for(cycle.scheme_snapshot.get("scoring"), cycle.scheme_id, sequence=unit.sequence, kind=unit.kind)
                rows = parse_score_table(score_bytes, scores.name, indicators)
            version = next_version(session, obligation)
            late = late_by_seconds(now, obligation.due_at)
            files: list[tuple[str, str, bytes | Path]] = [("report", report.name, report_path)]
            if scores is not None and score_bytes is not None:
                files.append(("score_table", scores.name, score_bytes))
            created, stored = write_files(home, submission_dir(cycle.key, unit.code, stage.key, version), files)
            rows_by_kind = {}
            for item in stored:
                rows_by_kind[item.kind] = add_submission(
                    session, obligation, version=version, kind=item.kind, file_name=item.file_name, sha256=item.sha256,
                    size=item.size, stored_path=item.stored_path, submitted_at=now, late_by_seconds=late, submitted_by=by)
            if rows:
                record_self_scores(session, unit, rows, rows_by_kind["score_table"])
            first = obligation.status in ("pending", "overdue")
            if first:
                complete(session, cycle, unit.code, stage.key, at=now, actor=by)
            record(session, actor=by, action="submission.received", cycle_id=cycle.id, subject=f"{stage.key}:{unit.code}", at=now,
                   detail={"version": version, "late_by_seconds": late, "files": [f.to_json() for f in stored], "scores": len(rows)})
            result = SubmitResult(cycle.key, unit.code, stage.key, version, now, late, first, len(rows), stored)
    except BaseException:
        if created is not None:
            remove_dir(created)
        raise
    return result
