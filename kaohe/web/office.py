"""The office's actions from the portal: extend a deadline, close a stage's submissions, issue a supervision
order, publish a sampling seed's hash and then draw, record a special verification's scores. Each builds the service command for the acting account
and calls the service (kaohe/services), with the portal's clock; routes only parse forms and present.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from fastapi import Request

from kaohe.errors import InputError, Problem
from kaohe.models import Account
from kaohe.sampling import Exclusion
from kaohe.sampling.units import parse_exclusions as parse_lines
from kaohe.services import AppContext
from kaohe.services.deadlines import DeadlineExtended, ExtendDeadline, extend_deadline
from kaohe.services.orders import IssueOrder, OrderResult, issue
from kaohe.services.special import ScoreSpecialVerification, SpecialScored, score_special_verification
from kaohe.services.submissions import CloseSubmissions, SubmissionsClosed, close_stage_submissions
from kaohe.services.uploads import Upload
from kaohe.web.actions import actor_of
from kaohe.web.deps import WebContext

CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def services(request: Request) -> AppContext:
    """The services' context of this portal: its settings and its clock (``WebContext.services``, built once per
    application and shared with the request sessions, so both see the same calendar)."""
    web: WebContext = request.app.state.web
    return web.services()


def parse_day(text: str, label: str, field: str) -> dt.date:
    """A date from an ``<input type=date>`` (YYYY-MM-DD); InputError naming the field otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(Problem(f"{label}应为日期，如 2019-01-30（收到“{text.strip()[:40]}”）", field=field)) from None


def parse_codes(text: str) -> tuple[str, ...]:
    """Unit codes typed in a box, separated by spaces, commas or 、 (duplicates dropped, order kept)."""
    return tuple(dict.fromkeys(code for code in CODE_SEPARATORS.split(text.strip()) if code))


def parse_exclusions(text: str) -> list[Exclusion]:
    """One ``编码:理由`` per line (a full-width colon too); InputError lists every malformed line."""
    return parse_lines(text.splitlines(), field="排除单位", numbered=True)


def extend(context: AppContext, account: Account, cycle: str, stage: str, *, to: dt.date, reason: str,
           units: tuple[str, ...] = ()) -> DeadlineExtended:
    """Move the stage's deadline (for ``units``, or everyone) and tell the units concerned."""
    if not reason.strip():
        raise InputError(Problem("请填写延期理由（记入审计日志并告知单位）", field="理由"))
    return extend_deadline(context, ExtendDeadline(actor_of(account), cycle, stage, to, reason.strip(), units, at=context.clock.now()))


def close_submissions(context: AppContext, account: Account, cycle: str, stage: str, *, reason: str) -> SubmissionsClosed:
    """End the stage's submissions: from then on every submission for it is refused."""
    return close_stage_submissions(context, CloseSubmissions(actor_of(account), cycle, stage, reason.strip()))


def issue_order(context: AppContext, account: Account, cycle: str, *, unit: str, issue_text: str, due: dt.date) -> OrderResult:
    """Issue a supervision order (督办单) to a unit; it is told at once and reminded like a stage."""
    if not unit.strip():
        raise InputError(Problem("请选择督办单位", field="单位"))
    return issue(context, IssueOrder(actor_of(account), cycle, unit.strip(), issue_text, due))


def sample(context: AppContext, account: Account, cycle: str, stage: str, *, step: str, exclusions: Sequence[Exclusion] = ()) -> dict[str, Any]:
    """``step`` "seed": commit to a fresh seed and publish its hash (with the inputs' hash); "draw": draw with
    the published seed. The portal never draws before the seed hash is published."""
    from kaohe.services.sampling import DrawSample, draw_sample

    if step not in ("seed", "draw"):
        raise InputError(Problem(f"未知的抽样步骤 {step[:20]}", field="step"))
    command = DrawSample(actor_of(account), cycle, stage, seed_hash_only=step == "seed",
                         exclusions=tuple(exclusions) if step == "seed" else (), require_published_seed=True)
    return draw_sample(context, command).to_json()


def score_special(context: AppContext, account: Account, cycle: str, stage: str, *, scores: Upload | None) -> SpecialScored:
    """Record special verification ``stage``'s scores from the uploaded sheet; each scored unit is told at once.
    A bad sheet records nothing (InputError naming file, row and field of every problem)."""
    if not stage.strip():
        raise InputError(Problem("请选择专项核查阶段", field="阶段"))
    if scores is None:
        raise InputError(Problem("请选择专项核查评分表文件（CSV 或 XLSX）", field="评分表"))
    return score_special_verification(context, ScoreSpecialVerification(actor_of(account), cycle, stage.strip(), scores))
