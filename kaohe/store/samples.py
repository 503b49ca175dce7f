"""Recording a sampling stage's draw: the seed committed by its hash, the draw, and who was drawn.

A draw is made once per stage and never redrawn. ``publish_seed`` commits to a fresh seed (and to
the inputs: rule, candidates and exclusions) before anyone knows the result; ``make_draw`` then draws
with that seed (committing first when nothing was published) and tells the drawn units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.db import calendar_of
from kaohe.engine.state import Delivery
from kaohe.errors import Problem, SchemeError, StateError
from kaohe.evidence.candidates import UnitFacts, candidates_for, normalise_rule
from kaohe.models import Cycle, CycleStage, SampleDraw
from kaohe.sampling import (
    DrawRecord,
    Exclusion,
    Rule,
    VerifyReport,
    draw,
    inputs_hash,
    new_seed,
    parse_rule,
    seed_hash,
    verify,
)
from kaohe.store.advance import render_deliveries, scheme_of
from kaohe.store.audit import record
from kaohe.store.outbox import deliver_at, enqueue

SAMPLING_KIND = "sampling"
SAMPLE_DELIVERABLES = ["抽查所需的资金文件、凭证、台账和项目资料"]


def unit_facts(cycle: Cycle) -> list[UnitFacts]:
    """The cycle's units as sampling needs them."""
    return [UnitFacts(u.code, u.name, u.role, u.kind or "", u.township, u.county, u.city, u.region, u.sequence,
                      u.poor_township, dict(u.attributes)) for u in cycle.units]


def sampling_rule(cycle: Cycle, stage: CycleStage, override: Mapping[str, Any] | None = None) -> Rule:
    """The stage's sampling rule: ``override`` when given, else the scheme's (SchemeError when it has none)."""
    if stage.kind != SAMPLING_KIND:
        raise StateError(f"阶段 {stage.key}（{stage.name}）不是抽样阶段")
    data = override
    if data is None:
        data = next((s.sampling for s in scheme_of(cycle).stages if s.id == stage.key), None)
    if data is None:
        raise SchemeError(Problem(f"方案未给阶段 {stage.key}（{stage.name}）规定抽样规则：请用 --rule 指定，"
                                  '如 --rule \'{"rule": "proportion_stratified", "proportion": "0.2", "stratify_by": ["township"]}\'',
                                  field="sampling"))
    return parse_rule(normalise_rule(data))


def get_draw(session: Session, stage: CycleStage) -> SampleDraw | None:
    """The stage's draw (published or made), if any."""
    return session.scalar(select(SampleDraw).where(SampleDraw.stage_id == stage.id))


def publish_seed(session: Session, cycle: Cycle, stage: CycleStage, *, rule_override: Mapping[str, Any] | None,
                 exclusions: Sequence[Exclusion], by: str, now: dt.datetime, seed: str | None = None) -> SampleDraw:
    """Commit to a new seed and to the draw's inputs; only their hashes are to be shown until the draw."""
    existing = get_draw(session, stage)
    if existing is not None:
        raise StateError(f"阶段 {stage.key} 已于 {existing.published_at.isoformat()} 公布种子哈希 {existing.seed_hash}")
    rule = sampling_rule(cycle, stage, rule_override)
    committed = inputs_hash(rule, candidates_for(rule, unit_facts(cycle)), exclusions)
    chosen = seed or new_seed()
    row = SampleDraw(cycle_id=cycle.id, stage_id=stage.id, seed=chosen, seed_hash=seed_hash(chosen), inputs_hash=committed,
                     rule=rule.to_dict(), exclusions=[e.to_dict() for e in exclusions], published_at=now, published_by=by)
    session.add(row)
    session.flush()
    record(session, actor=by, action="sample.seed_published", cycle_id=cycle.id, subject=stage.key, at=now,
           detail={"seed_hash": row.seed_hash, "inputs_hash": committed, "rule": row.rule, "exclusions": row.exclusions})
    return row


def make_draw(session: Session, cycle: Cycle, stage: CycleStage, *, rule_override: Mapping[str, Any] | None,
              exclusions: Sequence[Exclusion], by: str, now: dt.datetime, seed: str | None = None) -> tuple[SampleDraw, int]:
    """Draw the stage's sample with its committed seed; return the row and how many notifications were queued."""
    row = get_draw(session, stage)
    if row is not None and row.record is not None:
        raise StateError(f"阶段 {stage.key} 已于 {row.drawn_at.isoformat() if row.drawn_at else ''} 抽取，结果不可重抽；"
                         f"可用 kaohe sample verify {cycle.key} --stage {stage.key} 复核")
    if row is None:
        row = publish_seed(session, cycle, stage, rule_override=rule_override, exclusions=exclusions, by=by, now=now, seed=seed)
    elif rule_override is not None or exclusions:
        raise StateError("种子哈希公布后不能再改变抽样规则或排除名单（它们已计入公布的输入哈希）")
    rule = parse_rule(row.rule)
    made = draw(rule, candidates_for(rule, unit_facts(cycle)), row.seed,
                [Exclusion(e["code"], e["reason"]) for e in row.exclusions], expected_seed_hash=row.seed_hash)
    if made.inputs_hash != row.inputs_hash:
        raise StateError("公布种子哈希后，候选名单或规则已发生变化（输入哈希不符），不能按公布的承诺抽取")
    row.record, row.record_hash = made.to_dict(), made.record_hash
    row.drawn_units, row.drawn_at, row.drawn_by = list(made.selected()), now, by
    record(session, actor=by, action="sample.drawn", cycle_id=cycle.id, subject=stage.key, at=now,
           detail={"seed_hash": made.seed_hash, "record_hash": made.record_hash, "selected": list(made.selected()),
                   "shortfalls": [s.reason for s in made.shortfalls]})
    return row, notify_drawn(session, cycle, stage, made, now)


def notify_drawn(session: Session, cycle: Cycle, stage: CycleStage, made: DrawRecord, now: dt.datetime) -> int:
    """Enqueue a ``sample_drawn`` message to every drawn unit that has a channel; return how many were new."""
    units = {u.code: u for u in cycle.units}
    wave = f"sample_drawn@{made.seed_hash[:12]}"
    drawn = [code for code in made.selected() if code in units]
    send_at = deliver_at(now, cycle.office_hours, calendar_of(session))
    deliveries = [Delivery(stage.key, code, code, "sample_drawn", wave, send_at, stage.due_at) for code in drawn]
    extra: dict[str, dict[str, object]] = {
        code: {"sample": [f"{units[code].name}（{code}）"], "deliverables": SAMPLE_DELIVERABLES} for code in drawn
    }
    return enqueue(session, render_deliveries(cycle, deliveries, extra), now)


def verify_stored(session: Session, cycle: Cycle, stage: CycleStage) -> VerifyReport:
    """Re-run the stage's stored draw against the hashes published before it."""
    row = get_draw(session, stage)
    if row is None or row.record is None:
        raise StateError(f"阶段 {stage.key} 尚未抽取，无可复核的抽样记录")
    report = verify(row.record, expected_seed_hash=row.seed_hash, expected_inputs_hash=row.inputs_hash)
    if list(report.selected) != list(row.drawn_units):
        found = (*report.discrepancies, f"登记的抽中单位 {'、'.join(row.drawn_units)} 与记录不符")
        return VerifyReport(False, found, report.selected)
    return report


def drawn_stages(session: Session, cycle: Cycle) -> list[tuple[CycleStage, SampleDraw]]:
    """The cycle's sampling stages that have been drawn, with their draws, in stage order."""
    rows = session.execute(
        select(CycleStage, SampleDraw).join(SampleDraw, SampleDraw.stage_id == CycleStage.id)
        .where(CycleStage.cycle_id == cycle.id, SampleDraw.drawn_at.is_not(None)).order_by(CycleStage.position)
    ).all()
    return [(stage, row) for stage, row in rows]
