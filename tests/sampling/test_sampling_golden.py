"""Pinned draws: the same seed and population give exactly these units on any machine and Python version.

The ranks can be checked without kaohe, e.g.::

    printf '%s' 'kaohe-sampling/1|0123456789abcdef0123456789abcdef|["广元市"]|510821' | sha256sum
    5600cd9c44aedf194fc1cb96dc86c56783df37609c8911cb4e780679a80dd359

If one of these tests fails, the algorithm changed: old records no longer verify. Bump
ALGORITHM_VERSION instead of editing the pinned values.
"""

from __future__ import annotations

import pytest

from kaohe.sampling import (
    ALGORITHM_VERSION,
    Candidate,
    Exclusion,
    draw,
    rank_key,
    seed_hash,
    verify,
)

SEED = "0123456789abcdef0123456789abcdef"

SICHUAN = [
    Candidate("510821", "旺苍县", None, {"city": "广元市", "planned_exit": "false"}),
    Candidate("510822", "青川县", None, {"city": "广元市", "planned_exit": "false"}),
    Candidate("510823", "剑阁县", None, {"city": "广元市", "planned_exit": "false"}),
    Candidate("510824", "苍溪县", None, {"city": "广元市", "planned_exit": "false"}),
    Candidate("510722", "三台县", None, {"city": "绵阳市", "planned_exit": "true"}),
    Candidate("510725", "梓潼县", None, {"city": "绵阳市", "planned_exit": "false"}),
]
BANNER = [Candidate(f"T{i}", f"苏木{i}", "150722", {"kind": "township"}) for i in range(1, 7)] + [
    Candidate(f"V{i:02}", f"嘎查{i}", "150722", {"kind": "village", "township": f"T{(i - 1) // 2 + 1}"}) for i in range(1, 13)
]
VILLAGES = [Candidate(f"MB{i:02}", f"村{i}", None, {"township": "马坝镇"}) for i in range(10)] + [
    Candidate(f"DT{i}", f"村{i}", None, {"township": "大塘镇"}) for i in range(3)
]


def test_algorithm_version_and_hashes_are_pinned() -> None:
    assert ALGORITHM_VERSION == "kaohe-sampling/1"
    assert seed_hash(SEED) == "3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9"
    assert [rank_key(SEED, ["广元市"], code) for code in ("510821", "510822", "510824")] == [
        "5600cd9c44aedf194fc1cb96dc86c56783df37609c8911cb4e780679a80dd359",
        "311e982ea28ea8c96cb4f4cc4263b76b7c7b67ccebe7a719a175dfa2ab1d0331",
        "21a8bf0bbbd4c382fbcf1c9c81255f011ccd2a167a5a88b5958e9bfc1ea5cd1c",
    ]


def test_sichuan_draw_is_pinned() -> None:
    record = draw({"rule": "sichuan_exit_counties"}, SICHUAN, SEED, [Exclusion("510823", "本年度已接受国家抽查")])
    assert [s.selected for s in record.strata] == [("510824", "510822"), ("510722",)]
    assert record.inputs_hash == "554d65bb183f9882571cb3f5f03c0584760ef9232d5024a8e6a60be1e0a96f66"
    assert record.record_hash == "782c4fa7643cff5ff364930e6ed72908470089adf295f46f3f009ad539bd5de9"
    assert verify(record.to_dict()).ok


@pytest.mark.parametrize(
    ("rule", "selected", "record_hash"),
    [
        (
            {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}},
            [("T5", "T2", "T3", "T6"), ("V03", "V12", "V10", "V02", "V01", "V09", "V06", "V04")],
            "c3bb6a2879de65c4b2c05a935ed481fa484ac17a561559795506a9d2f21d00be",
        ),
        (
            {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}, "within_drawn": {"village": "township"}},
            [("T5", "T2", "T3", "T6"), ("V03", "V12", "V10", "V09", "V06", "V04", "V05", "V11")],
            "b05c2f67e00edd2a07ba38db62d349f72b6d7de8fe0e86f5e19210732f6363de",
        ),
    ],
)
def test_inner_mongolia_draw_is_pinned(rule: dict, selected: list, record_hash: str) -> None:
    record = draw(rule, BANNER, SEED)
    assert [s.selected for s in record.strata] == selected
    assert record.record_hash == record_hash


def test_proportion_draw_is_pinned() -> None:
    record = draw({"rule": "proportion_stratified", "proportion": "0.2", "stratify_by": ["township"]}, VILLAGES, SEED)
    assert [s.selected for s in record.strata] == [("DT0",), ("MB02", "MB05")]
    assert record.record_hash == "d4c93739d8354c0d87b0336499bd7bb12d0f6f3446b7ce1bf236ec8fa2e05913"
