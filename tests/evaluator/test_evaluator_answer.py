"""Reading evaluator answers: every problem named by unit and field, every valid result kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import ExternalServiceError
from kaohe.evaluator import UnitResult, read_ack, read_review_answer
from kaohe.testing.synthetic_reviews import synthetic_result

SAMPLE = ("U1", "U2", "U3")


def good(code: str) -> dict[str, Any]:
    """A valid result for ``code``, as the evaluator sends it."""
    return synthetic_result(code).model_dump(mode="json")


def answer(results: list[Any], *, status: str = "complete", review_id: str = "R1") -> str:
    """A whole answer body."""
    return json.dumps({"review_id": review_id, "status": status, "results": results}, ensure_ascii=False)


@pytest.mark.parametrize(
    ("body", "expected_problem"),
    [
        ("", "答复不是合法的 JSON：（空）"),
        ("<html>502 Bad Gateway</html>", "答复不是合法的 JSON：<html>502 Bad Gateway</html>"),
        ("[1, 2]", "答复应为 JSON 对象，实际为 [1, 2]"),
        (json.dumps({"status": "complete", "results": []}), "字段 review_id：缺少该字段"),
        (answer([], review_id="R2"), '字段 review_id：应为 R1，实际为 "R2"'),
        (json.dumps({"review_id": "R1", "results": []}), "字段 status：缺少该字段"),
        (answer([], status="done"), '字段 status：应为 pending、partial、complete 之一，实际为 "done"'),
        (json.dumps({"review_id": "R1", "status": "complete", "results": {}}), "字段 results：应为列表，实际为 {}"),
    ],
    ids=["empty", "html", "array", "no-review-id", "other-review", "no-status", "bad-status", "results-not-list"],
)
def test_unusable_answers_keep_nothing(body: str, expected_problem: str) -> None:
    result = read_review_answer(body, review_id="R1", sample=SAMPLE)

    assert result.problems[0] == expected_problem
    assert result.results == () and result.missing_units == SAMPLE and not result.complete


@pytest.mark.parametrize(
    ("results", "kept", "expected_problems"),
    [
        ([good("U1"), "U2", good("U3")], ["U1", "U3"], ['第 2 条结果：应为 JSON 对象，实际为 "U2"']),
        ([good("U1"), {**good("U2"), "unit": None}], ["U1"], ["第 2 条结果，字段 unit：缺少该字段"]),
        ([good("U1"), {**good("U2"), "unit": 2}], ["U1"], ["第 2 条结果，字段 unit：应为单位代码，实际为 2"]),
        ([good("U1"), {**good("U2"), "satisfaction": "0.9"}], ["U1"], ['单位 U2，字段 satisfaction：应为 0 到 1 之间的数，实际为 "0.9"']),
        ([good("U1"), {**good("U2"), "exit_accuracy": True}], ["U1"], ["单位 U2，字段 exit_accuracy：应为 0 到 1 之间的数，实际为 true"]),
        ([{**good("U1"), "findings": "无"}], [], ['单位 U1，字段 findings：应为列表，实际为 "无"']),
        ([{**good("U1"), "findings": [{"item": "精准识别", "severity": "严重"}]}], [], ["单位 U1，字段 findings[0].description：缺少该字段"]),
        (
            [{**good("U1"), "identification_accuracy": 2, "satisfaction": -1}],
            [],
            ["单位 U1，字段 identification_accuracy：应为 0 到 1 之间的数，实际为 2", "单位 U1，字段 satisfaction：应为 0 到 1 之间的数，实际为 -1"],
        ),
        ([good("U1"), {**good("U1"), "satisfaction": 9}], [], ["单位 U1，字段 satisfaction：应为 0 到 1 之间的数，实际为 9", "单位 U1：答复中有 2 条结果，均不予采用"]),
    ],
    ids=["not-object", "no-unit", "unit-not-text", "share-as-text", "share-as-bool", "findings-not-list", "finding-incomplete", "two-fields", "duplicate-one-bad"],
)
def test_bad_entries_are_named_and_the_rest_kept(
    results: list[Any], kept: list[str], expected_problems: list[str]
) -> None:
    result = read_review_answer(answer(results, status="partial"), review_id="R1", sample=SAMPLE)

    assert list(result.problems) == expected_problems
    assert [item.unit for item in result.results] == kept
    assert list(result.missing_units) == [code for code in SAMPLE if code not in kept]


def test_complete_status_with_units_left_out_is_a_problem() -> None:
    result = read_review_answer(answer([good("U1")]), review_id="R1", sample=SAMPLE)

    assert result.problems == ("字段 status：答复标为 complete，但以下单位没有结果：U2、U3",)
    assert [item.unit for item in result.results] == ["U1"] and not result.complete


def test_unknown_fields_are_ignored() -> None:
    body = {"review_id": "R1", "status": "complete", "version": 2, "results": [{**good(code), "remark": "备注"} for code in SAMPLE]}

    result = read_review_answer(json.dumps(body, ensure_ascii=False), review_id="R1", sample=SAMPLE)

    assert result.complete and result.problems == ()


@given(
    answered=st.sets(st.sampled_from(SAMPLE)),
    status=st.sampled_from(["pending", "partial", "complete"]),
)
def test_valid_results_and_missing_units_split_the_sample(answered: set[str], status: str) -> None:
    if status == "complete":
        answered = set(SAMPLE)

    body = answer([good(code) for code in sorted(answered, reverse=True)], status=status)
    result = read_review_answer(body, review_id="R1", sample=SAMPLE)

    assert result.problems == ()
    assert [item.unit for item in result.results] == [code for code in SAMPLE if code in answered]
    assert set(result.missing_units) == set(SAMPLE) - answered
    assert result.complete == (status == "complete")


@given(st.text(min_size=1, max_size=40))
def test_synthetic_results_are_reproducible_and_within_the_contract(code: str) -> None:
    result = synthetic_result(code)

    assert result == synthetic_result(code)
    assert UnitResult.model_validate(result.model_dump(mode="json")) == result
    shares = (result.identification_accuracy, result.exit_accuracy, result.satisfaction)
    assert all(0.8 <= share <= 1 for share in shares)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "提交评审 R1 的答复不是合法的 JSON：not json"),
        ('{"review_id": "R1", "status": "queued"}', '提交评审 R1 的答复有误：字段 status：应为 accepted，实际为 "queued"'),
        ('{"status": "accepted"}', "提交评审 R1 的答复有误：字段 review_id：缺少该字段"),
        ('{"review_id": "R9", "status": "accepted"}', '提交评审 R1 的答复有误：字段 review_id：应为 R1，实际为 "R9"'),
    ],
)
def test_bad_acknowledgements_raise(body: str, message: str) -> None:
    with pytest.raises(ExternalServiceError) as caught:
        read_ack(body, review_id="R1")

    assert str(caught.value) == message


def test_good_acknowledgement() -> None:
    assert read_ack('{"review_id": "R1", "status": "accepted"}', review_id="R1").status == "accepted"
