"""Sampling stages: commit to a seed (its hash published first), draw the units, and verify a draw again."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaohe.errors import StateError
from kaohe.evidence.files import sample_record_path
from kaohe.sampling import Exclusion, VerifyReport, verify
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.cycles import get_cycle
from kaohe.store.samples import get_draw, make_draw, publish_seed, verify_stored
from kaohe.store.submissions import get_stage


@dataclass(frozen=True)
class DrawSample:
    """Draw ``stage``'s sample (or, with ``seed_hash_only``, only commit to a seed and publish its hash).

    ``rule`` replaces a sampling rule the scheme lacks; ``exclusions`` are units left out, with reasons; ``seed``
    is a chosen seed (the simulation's), else a fresh one; ``at`` the instant acted for (default: the clock's).
    """

    actor: Actor
    cycle: str
    stage: str
    seed_hash_only: bool = False
    rule: Mapping[str, Any] | None = None
    exclusions: tuple[Exclusion, ...] = ()
    seed: str | None = None
    at: dt.datetime | None = None
    require_published_seed: bool = False
    """Refuse to draw unless the seed hash was published first (the portal's rule: the draw must be checkable
    against a hash shown before it)."""


@dataclass(frozen=True)
class SampleDrawn:
    """The published hashes; once drawn also the units, each stratum, the shortfalls and the record file."""

    cycle: str
    stage: str
    drawn: bool
    seed_hash: str
    inputs_hash: str
    published_at: dt.datetime
    rule: Any = None
    exclusions: Any = None
    record_hash: str | None = None
    drawn_at: dt.datetime | None = None
    selected: tuple[str, ...] = ()
    strata: tuple[dict[str, Any], ...] = ()
    shortfalls: tuple[dict[str, Any], ...] = ()
    notifications: int = 0
    record_file: str | None = None
    record: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        """As ``kaohe sample draw --json`` prints it."""
        head = {"cycle": self.cycle, "stage": self.stage, "drawn": self.drawn, "seed_hash": self.seed_hash,
                "inputs_hash": self.inputs_hash}
        if not self.drawn:
            return {**head, "published_at": self.published_at.isoformat(), "rule": self.rule, "exclusions": self.exclusions}
        assert self.drawn_at is not None
        return {**head, "record_hash": self.record_hash, "published_at": self.published_at.isoformat(),
                "drawn_at": self.drawn_at.isoformat(), "selected": list(self.selected), "strata": list(self.strata),
                "shortfalls": list(self.shortfalls), "notifications": self.notifications, "record_file": self.record_file}


def draw_sample(context: AppContext, command: DrawSample) -> SampleDrawn:
    """Publish the seed hash, or draw (once: a drawn sample is never drawn again) and write the record to
    ``samples/<cycle>/<stage>.json`` under ``KAOHE_HOME``; the selected units are told."""
    authorize(command.actor, Action.DRAW_SAMPLE, Scope(cycle=command.cycle))
    by = command.actor.account
    with context.unit_of_work(command.actor) as uow:
        now = command.at or uow.now
        cycle = get_cycle(uow.session, command.cycle)
        stage = get_stage(uow.session, cycle, command.stage)
        if command.seed_hash_only:
            row = publish_seed(uow.session, cycle, stage, rule_override=command.rule, exclusions=command.exclusions, by=by, now=now,
                               seed=command.seed)
            return SampleDrawn(cycle.key, stage.key, False, row.seed_hash, row.inputs_hash, row.published_at, row.rule,
                               row.exclusions)
        if command.require_published_seed and get_draw(uow.session, stage) is None:
            raise StateError("请先公布种子哈希，再抽取（抽取结果须能以事先公布的哈希复核）")
        row, queued = make_draw(uow.session, cycle, stage, rule_override=command.rule, exclusions=command.exclusions, by=by, now=now,
                                seed=command.seed)
        record = dict(row.record or {})
        drawn = SampleDrawn(cycle.key, stage.key, True, row.seed_hash, row.inputs_hash, row.published_at, row.rule, row.exclusions,
                            row.record_hash, now, tuple(row.drawn_units), tuple(record.get("strata", [])),
                            tuple(record.get("shortfalls", [])), queued, record=record)
    path = context.files.path(sample_record_path(drawn.cycle, drawn.stage))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return SampleDrawn(**{**drawn.__dict__, "record_file": str(path)})


@dataclass(frozen=True)
class VerifySample:
    """Re-run a draw: the stored one of ``stage`` in ``cycle``, or the record given (e.g. the published file)."""

    actor: Actor
    cycle: str | None = None
    stage: str | None = None
    record: Mapping[str, Any] | None = None


def verify_sample(context: AppContext, command: VerifySample) -> VerifyReport:
    """Check the seed, the selection and the record hash against what was published (anyone may; nothing is written)."""
    authorize(command.actor, Action.VERIFY_SAMPLE, Scope(cycle=command.cycle))
    if command.record is not None:
        return verify(command.record)
    if command.cycle is None or command.stage is None:
        raise ValueError("VerifySample needs a record, or a cycle and a stage")
    with context.reading() as session:
        cycle = get_cycle(session, command.cycle)
        return verify_stored(session, cycle, get_stage(session, cycle, command.stage))
