"""The small pure pieces: lateness, per-item comparison, sampling candidates, order waves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from evidence_support import bj
from hypothesis import given
from hypothesis import strategies as st

from kaohe.evidence.candidates import UnitFacts, candidates_for, normalise_rule
from kaohe.evidence.differences import compare_scores
from kaohe.evidence.files import safe_part, submission_dir
from kaohe.evidence.lateness import describe_lateness, late_by_seconds
from kaohe.evidence.orders import (
    order_no,
    order_waves,
    parse_scores,
    unit_reminder_plan,
)
from kaohe.sampling import parse_rule
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.workdays import load_calendar


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "按时"), (-5, "按时"), (30, "逾期不足1分钟"), (61, "逾期1分钟"), (3600, "逾期1小时"), (90061, "逾期1天1小时1分钟"),
])
def test_lateness_in_words(seconds: int, text: str) -> None:
    assert describe_lateness(seconds) == text


def test_late_by_counts_from_the_obligations_due_instant() -> None:
    due = bj(2019, 1, 23, 23, 59).replace(second=59)
    assert late_by_seconds(bj(2019, 1, 23, 23, 0), due) == 0
    assert late_by_seconds(due + dt.timedelta(seconds=1), due) == 1
    with pytest.raises(ValueError):
        late_by_seconds(dt.datetime(2019, 1, 24), due)


scores = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.decimals(0, 100, places=2), min_size=1)


@given(scores, scores)
def test_differences_add_up_to_the_difference_of_totals(mine: dict[str, Decimal], theirs: dict[str, Decimal]) -> None:
    items = [(key, key) for key in sorted(mine.keys() & theirs.keys())]
    result = compare_scores(items, mine, theirs)
    if items:
        assert result.verified_total - (result.self_total or 0) == sum(d.difference for d in result.items)  # type: ignore[misc]
    assert all(d.changed == (mine[d.item_id] != theirs[d.item_id]) for d in result.items)


def test_scheme_sampling_rules_in_their_older_forms_are_read() -> None:
    assert parse_rule(normalise_rule({"rule": "per_group_fixed", "group_by": "county", "quotas": {"township": 4, "village": 8}})).to_dict() == {
        "rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}, "kind_attribute": "kind",
        "group_attribute": "county", "within_drawn": {}}
    assert parse_rule(normalise_rule({"rule": "proportion_stratified", "proportion": 0.2, "stratify_by": "township"})).stratify_by == ("township",)


def test_candidates_follow_the_rule() -> None:
    units = [
        UnitFacts("C1", "广元市", "assessed", "市州", city="广元市"),
        UnitFacts("X1", "旺苍县", "assessed", "县", city="广元市", county="旺苍县", attributes={"计划摘帽": "否"}),
        UnitFacts("T1", "某苏木", "assessed", "苏木乡镇", county="化德县"),
        UnitFacts("G1", "某嘎查", "assessed", "嘎查村", county="化德县", township="T1"),
        UnitFacts("O1", "办公室", "coordinator", "机关"),
    ]
    sichuan = candidates_for(parse_rule({"rule": "sichuan_exit_counties"}), units[:2] + units[4:])
    assert [(c.code, c.attributes["city"], c.attributes["planned_exit"]) for c in sichuan] == [("X1", "广元市", "否")]
    im = candidates_for(parse_rule(normalise_rule({"rule": "per_group_fixed", "group_by": "county", "quotas": {"township": 4, "village": 8}})), units)
    assert [(c.code, c.attributes["kind"]) for c in im] == [("G1", "village"), ("T1", "township")]
    proportion = candidates_for(parse_rule({"rule": "proportion_stratified", "proportion": "0.5"}), units)
    assert [c.code for c in proportion] == ["C1", "G1", "T1", "X1"]


@pytest.mark.parametrize("text", ["", ".", "..", "a/b", "a\\b", "x:y*z"])
def test_path_parts_never_escape(text: str) -> None:
    part = safe_part(text)
    assert part not in {"", ".", ".."} and "/" not in part and "\\" not in part
    unit = submission_dir("c", text, "s", 1).parts[2]
    assert unit not in {"", ".", ".."} and "/" not in unit and "\\" not in unit


def test_order_waves_follow_the_unit_plan_without_a_stage_opened_wave() -> None:
    scheme = load_scheme("ordos", PROJECT_ROOT / "schemes")
    plan = unit_reminder_plan(scheme)
    assert plan is not None and plan.escalate_after == [2]
    waves = order_waves("order_1", dt.date(2019, 3, 4), dt.date(2019, 3, 15), plan, load_calendar(), "09:00")
    assert [(w.kind, w.at.date().isoformat()) for w in waves] == [
        ("upcoming", "2019-03-12"), ("upcoming", "2019-03-14"), ("due_today", "2019-03-15"),
        ("overdue", "2019-03-18"), ("escalation", "2019-03-19")]
    assert order_no(2018, 3) == "督办〔2018〕3号"


@pytest.mark.parametrize(("pairs", "error"), [
    (["整改=abc"], "应为数字"), (["=5"], "项目=分数"), (["整改5"], "项目=分数"), (["a=1", "a=2"], "重复"), (["a=-1"], "不能为负"),
])
def test_order_scores_are_checked(pairs: list[str], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_scores(pairs)
    assert parse_scores(["整改落实=18", "群众满意=9.5"]) == {"整改落实": Decimal("18"), "群众满意": Decimal("9.5")}
