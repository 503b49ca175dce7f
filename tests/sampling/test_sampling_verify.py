"""verify() confirms a genuine record and names, in Chinese, every way a tampered one differs."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from kaohe.sampling import Candidate, Exclusion, draw, verify
from kaohe.sampling.hashing import canonical_json, seed_hash, sha256_hex

SEED = "verify-seed"
RULE = {"rule": "proportion_stratified", "proportion": "0.3", "stratify_by": ["township"]}
UNITS = [Candidate(f"{town}{i:02}", f"{town}村{i}", None, {"township": town}) for town in ("甲镇", "乙镇") for i in range(10)]


def genuine() -> dict[str, Any]:
    return draw(RULE, UNITS, SEED, [Exclusion("甲镇03", "抽查人员亲属任村支书")]).to_dict()


def rehash(record: dict[str, Any]) -> dict[str, Any]:
    record["record_hash"] = sha256_hex(canonical_json({k: v for k, v in record.items() if k != "record_hash"}))
    return record


def swap_drawn_unit(record: dict[str, Any]) -> dict[str, Any]:
    stratum = record["strata"][0]
    spare = next(e["code"] for e in record["population"]
                 if e["attributes"]["township"] == stratum["stratum"][0] and e["code"] not in stratum["selected"]
                 and e["code"] not in stratum["excluded"])
    stratum["selected"][0] = spare
    return record


def change_seed(record: dict[str, Any]) -> dict[str, Any]:
    record["seed"] = "another-seed"
    return record


def change_seed_and_its_hash(record: dict[str, Any]) -> dict[str, Any]:
    record["seed"] = "another-seed"
    record["seed_hash"] = seed_hash("another-seed")
    return rehash(record)


def drop_population_unit(record: dict[str, Any]) -> dict[str, Any]:
    record["population"] = [e for e in record["population"] if e["code"] != "乙镇09"]
    return record


def move_population_unit_and_rehash(record: dict[str, Any]) -> dict[str, Any]:
    record["population"][-1]["attributes"]["township"] = "乙镇"
    return rehash(record)


def drop_exclusion_and_rehash(record: dict[str, Any]) -> dict[str, Any]:
    record["exclusions"] = []
    return rehash(record)


def rename_unit(record: dict[str, Any]) -> dict[str, Any]:
    record["population"][0]["name"] = "别的村"
    return record


def swap_drawn_unit_and_rehash(record: dict[str, Any]) -> dict[str, Any]:
    return rehash(swap_drawn_unit(record))


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (swap_drawn_unit, ["记录哈希（record_hash）不符", "抽中名单不符：「乙镇」"]),
        (swap_drawn_unit_and_rehash, ["抽中名单不符：「乙镇」"]),
        (change_seed, ["种子与种子哈希（seed_hash）不符", "记录哈希（record_hash）不符", "抽中名单不符"]),
        (change_seed_and_its_hash, ["抽中名单不符"]),
        (drop_population_unit, ["记录哈希（record_hash）不符", "输入哈希（inputs_hash）不符"]),
        (move_population_unit_and_rehash, ["输入哈希（inputs_hash）不符"]),
        (drop_exclusion_and_rehash, ["输入哈希（inputs_hash）不符"]),
        (rename_unit, ["记录哈希（record_hash）不符", "输入哈希（inputs_hash）不符"]),
    ],
)
def test_tampered_record_is_rejected(tamper: Callable[[dict[str, Any]], dict[str, Any]], expected: list[str]) -> None:
    report = verify(tamper(genuine()))
    assert not report.ok
    for words in expected:
        assert any(words in line for line in report.discrepancies), (words, report.discrepancies)
    assert report.text().startswith("复核未通过")


def test_genuine_record_is_confirmed_even_after_json_text() -> None:
    record = json.loads(json.dumps(genuine(), ensure_ascii=False))
    report = verify(record, expected_seed_hash=seed_hash(SEED), expected_inputs_hash=record["inputs_hash"])
    assert report.ok and report.discrepancies == ()
    assert report.text() == "复核通过：种子、抽中名单与记录哈希均一致，共抽中 6 个单位"


def test_changed_drawn_unit_is_named_with_both_lists() -> None:
    record = genuine()
    original = list(record["strata"][0]["selected"])
    tampered = swap_drawn_unit(copy.deepcopy(record))
    [line] = [line for line in verify(tampered).discrepancies if line.startswith("抽中名单不符")]
    assert line == (f"抽中名单不符：「乙镇」记录为 {'、'.join(tampered['strata'][0]['selected'])}，"
                    f"复算为 {'、'.join(original)}")


def test_regenerated_record_is_caught_by_the_published_commitments() -> None:
    published_seed_hash, published_inputs_hash = seed_hash(SEED), genuine()["inputs_hash"]
    forged = draw(RULE, UNITS, "forged-seed").to_dict()  # internally consistent, but not what was announced
    report = verify(forged, expected_seed_hash=published_seed_hash, expected_inputs_hash=published_inputs_hash)
    assert report.discrepancies == (
        "种子哈希与事先公布的值不符",
        "输入哈希（inputs_hash）与事先公布的值不符：规则、总体或排除名单与公布时不同",
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda r: r.pop("seed"), "记录格式有误：字段 seed"),
        (lambda r: r.update(strata="none"), "记录格式有误：字段 strata"),
        (lambda r: r.update(extra=1), "记录格式有误：字段 extra"),
        (lambda r: r["strata"][0].update(wanted="3"), "记录格式有误：字段 strata[0].wanted"),
        (lambda r: r.update(algorithm_version="kaohe-sampling/0"), "算法版本 kaohe-sampling/0"),
        (lambda r: r["rule"].update(rule="lottery"), "无法按记录复算"),
        (lambda r: r["strata"].pop(), "记录中缺少层「甲镇」"),
        (lambda r: r["shortfalls"].append({"stratum": ["甲镇"], "wanted": 3, "got": 2, "reason": "虚构"}), "短缺记录不符"),
        (lambda r: r["strata"][1].update(wanted=2), "「甲镇」的 wanted 不符"),
    ],
)
def test_malformed_or_inconsistent_record_is_reported_not_raised(change: Callable[[dict[str, Any]], Any], words: str) -> None:
    record = genuine()
    change(record)
    report = verify(record)
    assert not report.ok
    assert any(words in line for line in report.discrepancies), report.discrepancies
