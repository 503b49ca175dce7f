"""The report as data: totals as fixed-precision strings, every setting and open-point choice included."""

from __future__ import annotations

import json

import pytest

from kaohe.errors import ScoreSheetError
from kaohe.scoring import ScoringSpec, UnitInput, score


def mile_unit(code: str, base: object, fund: object = None) -> UnitInput:
    """A unit paired with a poor township."""
    return UnitInput(unit=code, name=f"单位{code}", group="西一镇", kind="贫困乡镇", values={"base": base}, items={"fund_input": fund})


def test_to_json_shape(mile: ScoringSpec) -> None:
    data = json.loads(score(mile, [mile_unit("0101", "88.5", 3), mile_unit("0102", 70)]).to_json())
    assert data["scheme"] == "mile"
    first = data["results"][0]
    assert {k: first[k] for k in ("unit", "name", "total", "grade", "rank", "group")} == {
        "unit": "0101", "name": "单位0101", "total": "91.50", "grade": "优秀", "rank": 1, "group": "西一镇",
    }
    assert data["results"][1]["total"] == "70.00"
    explanation = first["explanation"]
    assert explanation["components"][0] == {
        "id": "base", "name": "基础分", "category": None, "raw": "88.5", "value": "88.5", "base_weight_percent": "100",
        "weight_percent": "100", "contribution": "88.5000", "missing": False, "note": "",
    }
    assert explanation["bonus"]["applied"] == "3.0000"
    assert explanation["grade_before_quota"] == explanation["grade_after_quota"] == "优秀"
    assert explanation["decisions"][0]["id"] == "advanced_collective"


def test_settings_used_carry_the_choices(mile: ScoringSpec) -> None:
    settings = score(mile, [mile_unit("0101", 80)]).settings_used
    assert settings["precision"] == 2 and settings["rounding"] == "ROUND_HALF_UP"
    assert settings["grades"]["gap_policy"] == "lower"
    assert settings["grades"]["gap_policy_text"] == "落入两个原文区间之间的分数取较低等次"
    poor = settings["grade_quotas"][0]["per_kind"]["poor_township"]
    assert poor == {"count": 2, "fraction": None, "rounding": "floor", "note": None}
    assert [a["id"] for a in settings["assumptions"]][0] == "mile.gap_policy"
    assert settings["tie_break_text"] == ["总分（保留2位小数后）高者在前", "计分公式第一个分项的得分贡献高者在前", "单位代码按字符顺序在前者在前"]
    assert "一次性保留2位小数" in settings["rounding_rule"]
    json.dumps(settings)


def test_group_summary_shows_places(sichuan: ScoringSpec) -> None:
    components = [c.id for c in sichuan.formulas[0].components]
    units = [
        UnitInput(unit=f"C{i}", name=f"市{i}", group="市（州）", values=dict.fromkeys(components, 80 - i)) for i in range(6)
    ]
    group = score(sichuan, units).groups[0]
    assert (group.name, group.size) == ("市（州）", 6)
    assert group.places == {"advanced": "6个 × 1/3 = 2，向下取整为2个", "bottom": "市（州）1个"}


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (UnitInput(unit="A", name="甲", group="西一镇", kind="贫困乡镇", values={"base": 80, "colour": 1}), "字段 colour：未知的计分分项"),
        (UnitInput(unit="A", name="甲", group="西一镇", kind="贫困乡镇", values={"base": 80}, items={"gift": 1}), "字段 gift：未知的加减分项"),
        (UnitInput(unit="A", name="甲", group="西一镇", kind="贫困乡镇", values={"base": 80}, flags={"odd": 1}), "字段 odd：未知的输入标记"),
        (UnitInput(unit="A", name="甲", group="西一镇", kind="镇", values={"base": 80}), "未知的分组类型“镇”"),
        (UnitInput(unit="A", name="甲", group="西一镇", kind="贫困乡镇", values={"base": True}), "应为数值，不是是/否"),
        (UnitInput(unit="A", name="甲", group="西一镇", kind="贫困乡镇", values={"base": "NaN"}), "不是有限数值"),
        (UnitInput(unit="A", name="甲", group="西一镇", kind="贫困乡镇", values={"base": "无任务"}), "该分项不允许填“无任务”"),
    ],
)
def test_api_inputs_are_validated_too(mile: ScoringSpec, unit: UnitInput, message: str) -> None:
    with pytest.raises(ScoreSheetError, match=message):
        score(mile, [unit])


def test_nothing_to_score(mile: ScoringSpec) -> None:
    with pytest.raises(ScoreSheetError, match="没有任何被考核单位"):
        score(mile, [])


def test_score_is_pure(mile: ScoringSpec) -> None:
    units = [mile_unit("0101", "88.5", 3), mile_unit("0102", 91)]
    assert score(mile, units).to_json() == score(mile, list(reversed(units))).to_json()
