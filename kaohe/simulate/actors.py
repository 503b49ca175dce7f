"""The simulated units, verifiers and coordinator doing their acts through the functions the CLI commands call.

Each act writes the file a person would hand in under the simulation's ``files/`` folder and passes it
to the same function as ``kaohe submit``, ``kaohe verify --sign-off``, ``kaohe order issue|close``,
``kaohe sample draw --seed-hash-only``, ``kaohe results aggregate`` (the aggregation flow) and ``kaohe rectify``. What the real code refuses is
recorded as refused, like a person seeing the error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaohe.clock import BEIJING, SimulatedClock
from kaohe.db import session_scope
from kaohe.errors import KaoheError, StateError
from kaohe.evidence.files import safe_part
from kaohe.evidence.indicators import indicators_for
from kaohe.roster import RosterEntry
from kaohe.schemes.model import Scheme
from kaohe.scoring.inputs import UnitInput
from kaohe.services import Actor, AppContext, Role, orders, rectification
from kaohe.services.approval import ApproveResults, approve_results
from kaohe.services.sampling import DrawSample, draw_sample
from kaohe.services.submissions import Submit, submit
from kaohe.services.uploads import Upload
from kaohe.services.verification import VerifyScores, verify_scores
from kaohe.simulate.acts import (
    Act,
    Aggregate,
    CloseOrder,
    CommitSeed,
    HandIn,
    IssueOrder,
    Rectify,
    Verify,
    plan_rectifications,
)
from kaohe.simulate.documents import (
    ScoredItem,
    order_paragraphs,
    rectification_paragraphs,
    report_text,
    report_title,
    score_table,
    scored_items,
    stage_paragraphs,
)
from kaohe.store.cycles import get_cycle
from kaohe.store.orders import ORDER_DELIVERABLES
from kaohe.store.results import (
    RECTIFICATION_KIND,
    list_rectifications,
    rectification_of,
    stage_of_kind,
)
from kaohe.workdays import WorkdayCalendar

ACT_NAMES = {HandIn: "submit", Verify: "verify", IssueOrder: "order_issue", CloseOrder: "order_close", CommitSeed: "sample_seed",
             Aggregate: "aggregate", Rectify: "rectify"}


@dataclass(frozen=True)
class IssuedOrder:
    """An order the simulation issued: its number in the cycle and its unit."""

    number: int
    unit: str
    issue: str


class Participants:
    """Everyone who acts in a simulated cycle; ``perform`` does one act and says what came of it."""

    def __init__(self, *, context: AppContext, clock: SimulatedClock, cycle_key: str, year: int, scheme: Scheme,
                 roster: Sequence[RosterEntry], truths: Sequence[UnitInput], sheet: Path | None, calendar: WorkdayCalendar,
                 seed: str) -> None:
        self.context, self.clock = context, clock
        self.url, self.home, self.key, self.year, self.scheme = context.database_url, context.settings.home, cycle_key, year, scheme
        self.entries = {e.code: e for e in roster}
        self.truths = {t.unit: t for t in truths}
        self.sheet, self.calendar, self.seed = sheet, calendar, seed
        self.files = self.home / "files"
        self.coordinator = next((e.code for e in roster if str(e.role) == "coordinator"), "coordinator")
        self.orders: dict[str, IssuedOrder] = {}

    async def perform(self, act: Act) -> tuple[dict[str, Any], list[Act]]:
        """Do ``act``; return its record for the report and the acts it leads to (rectification after results)."""
        record: dict[str, Any] = {"at": act.at.astimezone(BEIJING).isoformat(), "act": ACT_NAMES[type(act)]}
        record.update({k: getattr(act, k) for k in ("unit", "stage", "verifier", "label") if hasattr(act, k)})
        follow: list[Act] = []
        if act.at > self.clock.now():
            self.clock.advance_to(act.at)
        try:
            if isinstance(act, HandIn):
                record.update(self._hand_in(act))
            elif isinstance(act, Verify):
                record.update(self._verify(act))
            elif isinstance(act, IssueOrder):
                record.update(self._issue(act))
            elif isinstance(act, CloseOrder):
                record.update(self._close(act))
            elif isinstance(act, CommitSeed):
                record.update(self._commit_seed(act))
            elif isinstance(act, Aggregate):
                summary, follow = await self._aggregate(act)
                record.update(summary)
            else:
                record.update(self._rectify(act))
        except KaoheError as error:
            return {**record, "status": "refused", "error": str(error)}, []
        return {**record, "status": "done"}, follow

    def _coordinator(self) -> Actor:
        return Actor(self.coordinator, Role.COORDINATOR)

    def _write(self, who: str, folder: str, name: str, data: bytes) -> Path:
        path = self.files / safe_part(who) / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def _report(self, who: str, folder: str, title: str, stage: str, at: dt.datetime, paragraphs: list[str]) -> Path:
        name = self.entries[who].name if who in self.entries else who
        body = report_text(title=title, unit=name, cycle=f"{self.scheme.name}（{self.year}年度）", stage=stage, at=at,
                           paragraphs=paragraphs)
        return self._write(who, folder, f"{title}.md", body)

    def _items(self, code: str) -> list[ScoredItem]:
        truth, entry = self.truths.get(code), self.entries[code]
        if truth is None:
            return []
        indicators = indicators_for(self.scheme.scoring_spec, sequence=str(entry.sequence) if entry.sequence else None,
                                    kind=entry.kind)
        return scored_items(indicators, truth, self.seed) if indicators.closed else []

    def _hand_in(self, act: HandIn) -> dict[str, Any]:
        stage = self.scheme.stage(act.stage)
        title = report_title(stage.submit, stage.name)
        report = self._report(act.unit, act.stage, title, stage.name, act.at, stage_paragraphs(stage.name, stage.submit))
        items = self._items(act.unit) if act.scores else []
        scores = self._write(act.unit, act.stage, "自评表.csv", score_table(items, verified=False)) if items else None
        command = Submit(_unit(act.unit), self.key, act.unit, act.stage, Upload.read(report, "报告文件"),
                         Upload.read(scores, "自评表") if scores is not None else None, at=act.at)
        result = submit(self.context, command)
        return {"version": result.version, "late_by_seconds": result.late_by_seconds, "scores": result.scores,
                "completed": result.completed}

    def _verify(self, act: Verify) -> dict[str, Any]:
        sheet = self._write(act.verifier, "verification", f"{safe_part(act.unit)}-核查评分表.csv",
                            score_table(self._items(act.unit), verified=True))
        verifier = Actor(act.verifier, Role.VERIFIER, unit=act.verifier)
        result = verify_scores(self.context, VerifyScores(verifier, self.key, act.unit, Upload.read(sheet, "核查评分表"), sign_off=True))
        return {"changed": len(result.comparison.changed), "verified_total": format(result.comparison.verified_total, "f"),
                "completed_stages": list(result.completed_stages)}

    def _issue(self, act: IssueOrder) -> dict[str, Any]:
        made = orders.issue(self.context, orders.IssueOrder(self._coordinator(), self.key, act.unit, act.issue, act.due))
        self.orders[act.label] = IssuedOrder(made.number, act.unit, made.payload["issue"])
        return {"order": made.number, "due": act.due.isoformat(), "messages": made.payload["messages"]}

    def _close(self, act: CloseOrder) -> dict[str, Any]:
        issued = self.orders.get(act.label)
        if issued is None:
            raise StateError(f"模拟督办单 {act.label} 未能下达，无法办结")
        title = ORDER_DELIVERABLES[0]
        evidence = self._report(issued.unit, f"order-{issued.number}", title, "督办事项办结", act.at, order_paragraphs(issued.issue))
        result = orders.close(self.context, orders.CloseOrder(self._coordinator(), self.key, issued.number,
                                                              Upload.read(evidence, "佐证材料"))).to_json()
        return {"unit": issued.unit, "order": issued.number, "late_by_seconds": result["late_by_seconds"],
                "sha256": result["evidence"]["sha256"]}

    def _commit_seed(self, act: CommitSeed) -> dict[str, Any]:
        actor = self.scheme.stage(act.stage).actor
        by = next((code for code, e in self.entries.items() if str(e.role) == actor), self.coordinator)
        seed = hashlib.sha256(f"{self.seed}:sample:{act.stage}".encode()).hexdigest()
        result = draw_sample(self.context, DrawSample(Actor(by, Role.COORDINATOR), self.key, act.stage, seed_hash_only=True, seed=seed, at=act.at))
        return {"by": by, "seed_hash": result.seed_hash, "inputs_hash": result.inputs_hash}

    async def _aggregate(self, act: Aggregate) -> tuple[dict[str, Any], list[Act]]:
        from kaohe.flows.aggregation_stage import aggregate_cycle

        outcome = await aggregate_cycle(self.key, as_of=act.at, input=str(self.sheet) if self.sheet else None, by=self.coordinator)
        if not outcome.get("unchanged"):
            for step in self.scheme.approval.steps:
                approve_results(self.context, ApproveResults(Actor(f"{step.role}:{step.id}", Role(step.role)), self.key, step.id))
        with session_scope(self.url) as session:
            cycle = get_cycle(session, self.key)
            stage = stage_of_kind(cycle, RECTIFICATION_KIND)
            owing = [u.code for u, o, _ in list_rectifications(session, cycle) if o.status in ("pending", "overdue")]
            window = (stage.opens_at, stage.due_at) if stage is not None else None
        follow: list[Act] = []
        if window is not None:
            follow = [r for r in plan_rectifications(owing, *window, self.calendar, seed=self.seed) if r.at > act.at]
        return {"version": outcome["version"], "grades": outcome.get("grades", {}), "must_rectify": outcome.get("must_rectify", [])}, follow

    def _rectify(self, act: Rectify) -> dict[str, Any]:
        with session_scope(self.url) as session:
            cycle = get_cycle(session, self.key)
            _, items = rectification_of(session, cycle, act.unit)
            problems = [i.text for i in items]
            stage = stage_of_kind(cycle, RECTIFICATION_KIND)
            stage_key, stage_name = (stage.key, stage.name) if stage else ("rectification", "整改")
        report = self._report(act.unit, stage_key, "整改报告", stage_name, act.at, rectification_paragraphs(problems))
        outcome = rectification.submit_report(self.context, rectification.SubmitRectification(
            _unit(act.unit), self.key, act.unit, Upload.read(report, "整改报告"), at=act.at))
        return {"stage": outcome["stage"], "version": outcome["version"], "late_by_seconds": outcome["late_by_seconds"],
                "items": outcome["items"]}


def _unit(code: str) -> Actor:
    """A unit's own account."""
    return Actor(code, Role.UNIT, unit=code)
