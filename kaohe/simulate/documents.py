"""What simulated participants hand in: report texts and score tables, generated from the seed. Pure.

A unit's "true" item scores are those of the coordinator's simulated score sheet
(``kaohe.testing.simulated_scores``); the unit claims a little more on some items in its self-score table
(自评表), and the township verifier's sheet (核查评分表) gives the true score back with a note.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaohe.clock import BEIJING
from kaohe.evidence.indicators import IndicatorList
from kaohe.scoring.inputs import UnitInput
from kaohe.simulate.behaviour import fraction
from kaohe.store.submissions import SCORE_STAGE_KINDS

SELF_COLUMN = "自评分"
VERIFIED_COLUMN = "核查分"
OVERCLAIMS = (Decimal("0.5"), Decimal("1"), Decimal("2"), Decimal("3"))
OVERCLAIM_SHARE = 0.35
MARK = "（本材料为 kaohe simulate 生成的模拟数据）"


@dataclass(frozen=True)
class ScoredItem:
    """One indicator of a unit: the score it claims and the score the verifier finds."""

    item: str
    name: str
    claimed: Decimal
    verified: Decimal

    @property
    def verifier_note(self) -> str:
        """The verifier's note on the item (empty when the claim holds)."""
        if self.verified == self.claimed:
            return ""
        return f"核减{format(self.claimed - self.verified, 'f')}分：佐证材料不足"


def scored_items(indicators: IndicatorList, truth: UnitInput, seed: str) -> list[ScoredItem]:
    """The items a unit scores itself on, with claimed and verified scores (empty for an open indicator list)."""
    scored: list[ScoredItem] = []
    for indicator in indicators.items:
        value = truth.values.get(indicator.id, truth.items.get(indicator.id))
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
            continue
        verified = Decimal(str(value))
        claimed = verified
        if fraction(seed, "overclaim", truth.unit, indicator.id) < OVERCLAIM_SHARE:
            bump = OVERCLAIMS[int(fraction(seed, "bump", truth.unit, indicator.id) * len(OVERCLAIMS))]
            claimed = verified + bump if indicator.maximum is None else min(indicator.maximum, verified + bump)
        scored.append(ScoredItem(indicator.id, indicator.name, claimed, verified))
    return scored


def score_table(items: Sequence[ScoredItem], *, verified: bool) -> bytes:
    """A self-score table (``verified`` False) or a verification sheet as UTF-8 CSV, with its 合计 row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["序号", "指标", VERIFIED_COLUMN if verified else SELF_COLUMN, "说明"])
    total = Decimal(0)
    for number, item in enumerate(items, start=1):
        score = item.verified if verified else item.claimed
        total += score
        writer.writerow([number, item.name, format(score, "f"), item.verifier_note if verified else "对照评分表逐项自评"])
    writer.writerow(["", "合计", format(total, "f"), ""])
    return buffer.getvalue().encode("utf-8")


def report_text(*, title: str, unit: str, cycle: str, stage: str, at: dt.datetime, paragraphs: Sequence[str]) -> bytes:
    """A short Markdown report as a unit or office would hand it in."""
    when = at.astimezone(BEIJING)
    lines = [f"# {unit}{title}", "", f"- 考核周期：{cycle}", f"- 阶段：{stage}", f"- 报送单位：{unit}",
             f"- 日期：{when.year}年{when.month}月{when.day}日", "", *(f"{p}\n" for p in paragraphs), MARK, ""]
    return "\n".join(lines).encode("utf-8")


def stage_paragraphs(stage: str, deliverables: Sequence[str]) -> list[str]:
    """The body of a stage report: what was done and what is attached."""
    attached = "、".join(deliverables) or stage
    return [f"根据考核办法要求，本单位已完成“{stage}”各项工作，现将有关情况报告如下。",
            "一、工作开展情况：对照考核指标逐项梳理，资料齐全，数据与台账一致。",
            f"二、报送材料：{attached}。"]


def rectification_paragraphs(problems: Sequence[str]) -> list[str]:
    """The body of a rectification report: one measure per problem listed in the feedback."""
    items = [f"{n}. 针对“{text}”：已制定整改措施，明确责任人和完成时限，现已整改到位。" for n, text in enumerate(problems, start=1)]
    return ["根据考核结果反馈意见，本单位逐项制定整改方案，整改情况报告如下。", *(items or ["已对照反馈意见完成整改。"])]


def order_paragraphs(issue: str) -> list[str]:
    """The body of the evidence that closes a supervision order."""
    return [f"督办事项：{issue}", "办理情况：已按督办要求办理完毕，相关台账、凭证已补齐，附佐证材料。"]


def report_title(deliverables: Sequence[str], fallback: str) -> str:
    """The title of the report: the stage's first deliverable that is not a score table, without its remark."""
    name = next((d for d in deliverables if "评分表" not in d and "自评表" not in d), fallback)
    return name.split("（")[0]


def takes_self_scores(kind: str, deliverables: Sequence[str]) -> bool:
    """Whether a stage asks its units for a self-score table (a self-report/submission stage that lists 自评表)."""
    return kind in SCORE_STAGE_KINDS and any("自评表" in d for d in deliverables)
