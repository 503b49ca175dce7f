"""Corrections from a clause-by-clause reading of the sources: each test cites the clause it checks."""

from __future__ import annotations

import datetime as dt

import pytest

from kaohe.evidence.candidates import UnitFacts, candidates_for
from kaohe.planning import plan_cycle
from kaohe.sampling import parse_rule
from kaohe.schemes import load_scheme_file
from kaohe.schemes.model import Scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.workdays import WorkdayCalendar

SCHEMES = PROJECT_ROOT / "schemes"
CALENDAR = WorkdayCalendar()


def scheme(scheme_id: str) -> Scheme:
    return load_scheme_file(SCHEMES / f"{scheme_id}.yaml")


# --- 内蒙古 四（三）1 “驻旗县工作总队工作总结和个人述职材料提前三天送参会人员参阅”

@pytest.mark.parametrize("policy", [None, "next", "keep", "previous"])
def test_im_meeting_materials_reach_attendees_at_least_three_days_before_the_meeting(policy: str | None) -> None:
    # 2020 cycle: meeting 2021-01-20 (Wednesday); three days before is Sunday 2021-01-17 → Friday 01-15, never Monday 01-18
    plan = plan_cycle(scheme("inner-mongolia-teams"), 2020, CALENDAR, policy_override=policy)  # type: ignore[arg-type]
    due = plan.stage("meeting_materials").due.date()
    assert due <= dt.date(2021, 1, 17)
    assert due == (dt.date(2021, 1, 17) if policy == "keep" else dt.date(2021, 1, 15))


def test_im_meeting_materials_move_with_the_meeting_the_coordinator_sets() -> None:
    plan = plan_cycle(scheme("inner-mongolia-teams"), 2018, CALENDAR, events={"summary_meeting": dt.date(2019, 1, 24)})
    assert plan.stage("meeting_materials").due.date() == dt.date(2019, 1, 21)  # Monday, a working day
    assert plan.warnings == ()


def test_a_meeting_on_a_non_working_day_gets_a_warning() -> None:
    # the default meeting date 20 January is a Sunday in 2019
    plan = plan_cycle(scheme("inner-mongolia-teams"), 2018, CALENDAR)
    assert plan.events["summary_meeting"] == dt.date(2019, 1, 20)
    assert any("总结测评会" in w and "2019-01-20" in w and "周末" in w for w in plan.warnings)


def test_im_daily_supervision_has_an_actor_and_a_reminder_plan() -> None:
    # 四（二）日常督查由自治区管理办公室根据全年工作情况确定
    stage = scheme("inner-mongolia-teams").stage("daily_supervision")
    assert stage.actor == "coordinator" and stage.reminders == "office"


def test_im_comprehensive_evaluation_produces_the_assessment_report() -> None:
    # 四（六）“并形成考核报告”
    assert "考核报告" in scheme("inner-mongolia-teams").stage("comprehensive_evaluation").submit


@pytest.mark.parametrize("scheme_id", ["mile", "sichuan", "inner-mongolia-teams", "qujiang", "ordos"])
def test_every_stage_with_a_deadline_and_someone_to_act_is_reminded(scheme_id: str) -> None:
    loaded = scheme(scheme_id)
    plan = plan_cycle(loaded, 2019, CALENDAR)
    reminded = {r.stage for r in plan.reminders}
    for stage in loaded.stages:
        if stage.actor is not None:
            assert stage.reminders is not None, stage.id
            assert stage.id in reminded, stage.id


# --- 曲江

def test_qujiang_roles_are_the_ones_the_source_names() -> None:
    # 第四条“具体工作由区扶贫办、区委组织部牵头”; no 区考核工作组 in the source
    roles = scheme("qujiang").roles
    assert roles["coordinator"] == "区扶贫办" and roles["organization_dept"] == "区委组织部"
    assert "区考核工作组" not in roles.values()


def test_qujiang_self_evaluation_includes_base_data_and_materials() -> None:
    # 第六条（一）“形成工作总结连同基础数据和资料报区扶贫开发领导小组”
    stage = scheme("qujiang").stage("self_evaluation")
    assert stage.submit == ["工作总结", "基础数据和资料"] and "区扶贫开发领导小组" in stage.description


def test_qujiang_data_aggregation_is_what_the_source_says() -> None:
    # 第六条（三）“对建档立卡动态监测数据、财政专项扶贫资金绩效考评情况等进行汇总整理”
    stage = scheme("qujiang").stage("data_aggregation")
    assert stage.clause == "第六条（三）"
    assert "建档立卡动态监测数据" in stage.description and "财政专项扶贫资金绩效考评情况" in stage.description


def test_qujiang_feedback_after_the_january_window_is_an_open_point() -> None:
    # 第六条“次年1月底前完成”, yet feedback follows the district's approval
    loaded = scheme("qujiang")
    assert plan_cycle(loaded, 2018, CALENDAR).stage("feedback").due.date() > dt.date(2019, 1, 31)
    assert any("1月底" in p and "stages.feedback" in p for p in loaded.open_points)


def test_qujiang_data_cut_off_is_a_dated_milestone() -> None:
    # 第六条“以当年度12月31日为考核指标数据统计截止日期” (2018-12-31 is a Monday; 2022-12-31 a Saturday: kept)
    loaded = scheme("qujiang")
    assert plan_cycle(loaded, 2018, CALENDAR).stage("data_cutoff").due.date() == dt.date(2018, 12, 31)
    cutoff = plan_cycle(loaded, 2022, CALENDAR).stage("data_cutoff")
    assert cutoff.due.date() == dt.date(2022, 12, 31) and cutoff.date_origin == "source"


def test_qujiang_spot_check_samples_villages_and_households() -> None:
    # 第六条（二）“按照一定比例入村入户抽查”: villages and households, not towns and departments
    stage = scheme("qujiang").stage("spot_check")
    assert stage.sampling is not None
    rule = parse_rule(stage.sampling)
    units = [
        UnitFacts("QJ-T01", "马坝镇", "assessed", "镇", township="马坝镇"),
        UnitFacts("QJ-D01", "区某局", "assessed", "区直部门"),
        UnitFacts("QJ-V01", "某村", "sampled", "村", township="马坝镇"),
        UnitFacts("QJ-H01", "某户", "sampled", "户", township="马坝镇"),
    ]
    assert [c.code for c in candidates_for(rule, units)] == ["QJ-H01", "QJ-V01"]


# --- 鄂尔多斯 第五条“领导小组办公室会同市委组织部负责考核工作的组织实施”

def test_ordos_coordinator_is_the_leading_group_office_with_the_organisation_department() -> None:
    loaded = scheme("ordos")
    assert loaded.roles["coordinator"] == "市精准脱贫攻坚工作领导小组办公室"
    assert loaded.roles["organization_dept"] == "市委组织部"
    assert "会同市委组织部" in (loaded.stage("annual_assessment").body or "")


# --- 弥勒

def test_mile_feedback_and_interview_are_led_by_the_organisation_department() -> None:
    # 第七条“由市委组织部牵头、市联席会议办等有关部门参加，进行通报并约谈”
    loaded = scheme("mile")
    stage = loaded.stage("feedback")
    assert stage.actor == "organization_dept" and loaded.roles["organization_dept"] == "市委组织部"


def test_mile_self_check_is_signed_by_the_party_branch_secretary() -> None:
    # 第五条（一）“经挂包村党支部书记、主任确认签字并加盖公章”
    description = scheme("mile").stage("self_check").description
    assert "党支部书记" in description and "党总支书记" not in description


def test_mile_verification_is_signed_and_stamped() -> None:
    # 第五条（二）“经乡镇党委书记、乡镇长确认签字并加盖公章后报市联席办”
    stage = scheme("mile").stage("verification")
    assert "加盖公章" in stage.description and stage.submit == ["核查评分表（签字盖章）"]


def test_mile_paper_materials_come_from_the_township_party_committee() -> None:
    # 第八条“各乡镇党委将各挂联单位自查报告纸质版和附件2纸质版于1月26日前送到联席办办公室”
    stage = scheme("mile").stage("paper_materials")
    assert stage.body == "乡镇党委" and stage.due.date == "Y+1-01-26"


# --- 鄂尔多斯：what the scheme left unmodelled

def test_ordos_special_verification_reports_to_the_leading_group_then_feeds_back_at_once() -> None:
    # 第八条（三）阶段性核查，“形成考核情况专报，报送领导小组”；第十条“即时反馈在专项考核即时打分后进行”
    loaded = scheme("ordos")
    plan = plan_cycle(loaded, 2019, CALENDAR)
    for phase in ("1", "2"):
        check, feedback = loaded.stage(f"special_verification_{phase}"), loaded.stage(f"special_feedback_{phase}")
        assert check.clause == "第八条（三）" and "考核情况专报" in check.submit and "领导小组" in check.description
        assert feedback.clause == "第十条" and feedback.kind == "immediate_feedback"
        verified, fed_back = plan.stage(check.id).due.date(), plan.stage(feedback.id).due.date()
        assert verified < fed_back == CALENDAR.add_working_days(verified, 3)
        assert plan.stage(feedback.id).opens.date() == verified  # type: ignore[union-attr]
    assert plan.stage("special_verification_2").due.date() < plan.stage("annual_assessment").due.date()
    assert any("专项核查" in p and "两期" in p for p in loaded.open_points)


def test_ordos_daily_evaluation_is_scored_over_the_year() -> None:
    # 第八条（四）“对精准脱贫内容、质量、时效等作出综合评价，进行量化赋分”
    stage = scheme("ordos").stage("daily_evaluation")
    plan = plan_cycle(scheme("ordos"), 2019, CALENDAR).stage("daily_evaluation")
    assert "量化赋分" in stage.description and stage.submit == ["日常评价赋分表"]
    assert (plan.opens.date(), plan.due.date()) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))  # type: ignore[union-attr]


def test_ordos_constraint_indicators_are_reported_and_their_scoring_is_an_open_point() -> None:
    # 第六条（六）约束指标：党风廉政建设责任制落实情况、资金使用违规违纪情况、扶贫领域作风建设情况
    loaded = scheme("ordos")
    assert "约束指标" in loaded.stage("result_report").description
    assert any("约束指标" in p and "第六条（六）" in p for p in loaded.open_points)
