"""Draws are reproducible from the seed, keep exclusions out, and refuse unusable input."""

from __future__ import annotations

import json
import re

import pytest

from kaohe.errors import InputError
from kaohe.sampling import (
    Candidate,
    DrawRecord,
    Exclusion,
    draw,
    inputs_hash,
    new_seed,
    seed_hash,
)

RULE = {"rule": "per_group_fixed", "quotas": {"township": 2, "village": 3}}
UNITS = [
    Candidate(f"{county}-{kind[0]}{n:02}", f"{county}{kind}{n}", county, {"kind": kind})
    for county in ("A", "B")
    for kind, count in (("township", 8), ("village", 20))
    for n in range(count)
]


def test_same_seed_gives_the_same_record() -> None:
    first = draw(RULE, UNITS, "seed-1").to_dict()
    again = draw(RULE, list(reversed(UNITS)), "seed-1").to_dict()
    assert first == again


def test_different_seeds_almost_always_give_different_draws() -> None:
    draws = {draw(RULE, UNITS, f"seed-{n}").selected() for n in range(30)}
    assert len(draws) == 30


def test_new_seed_is_128_bit_hex_and_fresh() -> None:
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(re.fullmatch(r"[0-9a-f]{32}", seed) for seed in seeds)


def test_seed_hash_is_recorded_and_can_be_checked_against_the_published_one() -> None:
    seed = new_seed()
    published = seed_hash(seed)
    record = draw(RULE, UNITS, seed, expected_seed_hash=published)
    assert (record.seed, record.seed_hash) == (seed, published)
    with pytest.raises(InputError, match="种子与事先公布的种子哈希"):
        draw(RULE, UNITS, seed + "x", expected_seed_hash=published)


def test_inputs_hash_can_be_published_before_the_draw() -> None:
    exclusions = [Exclusion("A-t00", "本年度已检查")]
    assert inputs_hash(RULE, UNITS, exclusions) == draw(RULE, UNITS, "s", exclusions).inputs_hash
    assert inputs_hash(RULE, UNITS) != inputs_hash(RULE, UNITS, exclusions)


def test_excluded_units_are_never_drawn_and_are_recorded_with_reasons() -> None:
    everyone = draw(RULE, UNITS, "s").selected()
    exclusions = [Exclusion(code, "利益冲突：抽查人员原工作单位") for code in everyone[:3]] + [
        Exclusion(everyone[0], "本年度已被国家第三方评估抽中")
    ]
    record = draw(RULE, UNITS, "s", exclusions)
    assert not set(record.selected()) & set(everyone[:3])
    assert [(e.code, e.reason) for e in record.exclusions] == sorted(
        [(code, "利益冲突：抽查人员原工作单位") for code in everyone[:3]] + [(everyone[0], "本年度已被国家第三方评估抽中")]
    )
    untouched = [s.selected for s in record.strata if not s.excluded]
    assert untouched == [s.selected for s in draw(RULE, UNITS, "s").strata if not set(s.selected) & set(everyone[:3])]


def test_record_survives_json_text() -> None:
    record = draw(RULE, UNITS, "s", [Exclusion("B-v03", "已覆盖")])
    text = json.dumps(record.to_dict(), ensure_ascii=False)
    assert DrawRecord.from_dict(json.loads(text)) == record


@pytest.mark.parametrize(
    ("candidates", "exclusions", "seed", "field", "words"),
    [
        ([], [], "s", "candidates", "抽样总体为空"),
        (UNITS, [], "", "seed", "种子应为非空字符串"),
        (UNITS, [Exclusion("Z-999", "已覆盖")], "s", "exclusions", "不在抽样总体中"),
        (UNITS, [Exclusion("A-t00", "  ")], "s", "exclusions", "须写明理由"),
        ([Candidate("", "无代码", "A", {"kind": "village"})], [], "s", "code", "非空字符串"),
        ([Candidate("A-1", "甲", "A", {"kind": 3.5})], [], "s", "kind", "应为文字"),  # type: ignore[dict-item]
    ],
)
def test_unusable_input_is_refused(candidates, exclusions, seed, field, words) -> None:
    with pytest.raises(InputError) as caught:
        draw(RULE, candidates, seed, exclusions)
    assert caught.value.problems[0].field == field
    assert words in str(caught.value)


def test_rule_errors_come_before_population_errors() -> None:
    with pytest.raises(InputError) as caught:
        draw({"rule": "nope"}, [], "s")
    assert caught.value.problems[0].field == "rule"
