"""Approval before publication: every shipped scheme names its approving bodies from its source clause."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kaohe.errors import SchemeError
from kaohe.schemes import load_scheme_file
from kaohe.schemes.approval import DEFAULT_BODY, DEFAULT_OPEN_POINT
from kaohe.settings import PROJECT_ROOT

SCHEMES = PROJECT_ROOT / "schemes"
SEEDS = next((p / "shared" / "seeds" for p in (PROJECT_ROOT.parent, PROJECT_ROOT.parent.parent) if (p / "shared" / "seeds").is_dir()),
             PROJECT_ROOT / "seeds")


def _steps(scheme_id: str) -> list[tuple[str, str, str, str]]:
    scheme = load_scheme_file(SCHEMES / f"{scheme_id}.yaml")
    return [(s.body, s.action, s.role, s.clause) for s in scheme.approval.steps]


def test_mile_results_are_approved_by_the_leading_group_and_the_joint_meeting() -> None:
    # 第五条（五）“报市扶贫开发领导小组和市联席会议审定”
    assert _steps("mile") == [("市扶贫开发领导小组和市联席会议", "审定", "leader", "第五条（五）")]


def test_sichuan_results_are_reviewed_then_approved_by_the_party_committee_and_government() -> None:
    # 第七条（四）“经省脱贫攻坚领导小组审议后，报省委、省政府审定”
    assert _steps("sichuan") == [("省脱贫攻坚领导小组", "审议", "leader", "第七条（四）"),
                                 ("省委、省政府", "审定", "leader", "第七条（四）")]


def test_inner_mongolia_reports_to_the_leading_group_then_publishes_a_notice() -> None:
    # 六（一）向自治区扶贫开发领导小组汇报；六（二）根据审议结果反馈；四（七）“并在一定范围内公示”
    scheme = load_scheme_file(SCHEMES / "inner-mongolia-teams.yaml")
    assert [(s.body, s.action) for s in scheme.approval.steps] == [("自治区扶贫开发领导小组", "审议")]
    assert scheme.approval.publicity_days == 5 and scheme.approval.publicity_clause == "四（七）"
    assert any("公示" in p and "approval.publicity_days" in p for p in scheme.open_points)


def test_qujiang_and_ordos_take_their_approval_from_their_texts() -> None:
    # 曲江 第六条（四）“经区扶贫开发领导小组审议后，报区委、区政府审定”；鄂尔多斯 第九条“经领导小组审核后报送市委、市政府”
    assert [b for b, *_ in _steps("qujiang")] == ["区扶贫开发领导小组", "区委、区政府"]
    assert _steps("ordos") == [("市精准脱贫攻坚工作领导小组", "审核", "leader", "第九条")]


@pytest.mark.parametrize("scheme_id", ["mile", "sichuan", "inner-mongolia-teams", "qujiang", "ordos"])
def test_every_approving_body_and_action_is_written_in_the_source(scheme_id: str) -> None:
    if not SEEDS.is_dir():
        pytest.skip("source documents not present")
    scheme = load_scheme_file(SCHEMES / f"{scheme_id}.yaml")
    text = (SEEDS / scheme.source).read_text(encoding="utf-8")
    if scheme_id == "sichuan":  # the source is in traditional characters
        text = text.replace("脫貧攻堅領(lǐng)導小組", "脱贫攻坚领导小组").replace("審議", "审议").replace("審定", "审定").replace("黨委", "党委")
    assert not scheme.approval.default
    for step in scheme.approval.steps:
        assert step.body in text, step.body
        assert step.action in text, step.action


def _write(tmp_path: Path, approval: object) -> Path:
    raw = yaml.safe_load((SCHEMES / "mile.yaml").read_text(encoding="utf-8"))
    if approval is None:
        raw.pop("approval")
    else:
        raw["approval"] = approval
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_scheme_without_approval_gets_one_default_step_named_as_an_open_point(tmp_path: Path) -> None:
    scheme = load_scheme_file(_write(tmp_path, None))
    assert scheme.approval.default
    assert [(s.body, s.role) for s in scheme.approval.steps] == [(DEFAULT_BODY, "leader")]
    assert DEFAULT_OPEN_POINT in scheme.open_points


@pytest.mark.parametrize(
    ("approval", "field", "reason"),
    [
        ({"steps": []}, "approval.steps", "不能为空"),
        ({"steps": [{"id": "a", "body": "领导小组", "action": "审定", "role": "boss", "clause": "第一条"}]},
         "approval.steps[0](a).role", "leader"),
        ({"steps": [{"id": "a", "body": "领导小组", "action": "审定", "clause": "第一条"}], "publicity_days": 0},
         "approval.publicity_days", "1"),
        ({"steps": [{"id": "a", "body": "领导小组", "action": "审定", "clause": "第一条"}], "publicity_days": 5},
         "approval", "publicity_clause"),
        ({"steps": [{"id": "a", "body": "领导小组", "action": "审定", "clause": "第一条"}] * 2}, "approval", "重复"),
        ({"steps": [{"id": "a", "body": "领导小组", "clause": "第一条"}]}, "approval.steps[0](a).action", "缺少"),
        ({"steps": [{"id": "a", "body": "领导小组", "action": "审定", "clause": "第一条", "whom": "x"}]},
         "approval.steps[0](a).whom", "未知字段"),
    ],
)
def test_a_bad_approval_section_names_file_field_and_reason(tmp_path: Path, approval: object, field: str, reason: str) -> None:
    path = _write(tmp_path, approval)
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == (str(path), field)
    assert reason in problem.reason
