"""Re-run a recorded draw and say, in Chinese, whether the record holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kaohe.errors import InputError
from kaohe.sampling.draw import draw
from kaohe.sampling.hashing import ALGORITHM_VERSION, seed_hash
from kaohe.sampling.record import DrawRecord, StratumResult, record_hash, stratum_label


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of checking a draw record: ok, or every discrepancy found."""

    ok: bool
    discrepancies: tuple[str, ...]
    selected: tuple[str, ...] = ()

    def text(self) -> str:
        """The report as people read it."""
        if self.ok:
            return f"复核通过：种子、抽中名单与记录哈希均一致，共抽中 {len(self.selected)} 个单位"
        return f"复核未通过（{len(self.discrepancies)} 处不符）：" + "；".join(self.discrepancies)


def _codes(codes: tuple[str, ...]) -> str:
    return "、".join(codes) if codes else "（无）"


def _compare_strata(recorded: tuple[StratumResult, ...], rerun: tuple[StratumResult, ...]) -> list[str]:
    found = []
    expected = {result.stratum: result for result in rerun}
    given = {result.stratum: result for result in recorded}
    for stratum in sorted(given.keys() - expected.keys()):
        found.append(f"记录中多出层「{stratum_label(stratum)}」，复算时不存在")
    for stratum in sorted(expected.keys() - given.keys()):
        found.append(f"记录中缺少层「{stratum_label(stratum)}」")
    for stratum in sorted(given.keys() & expected.keys()):
        mine, theirs = given[stratum], expected[stratum]
        label = stratum_label(stratum)
        if mine.selected != theirs.selected:
            found.append(f"抽中名单不符：「{label}」记录为 {_codes(mine.selected)}，复算为 {_codes(theirs.selected)}")
        for name in ("method", "wanted", "population", "excluded", "ineligible", "available"):
            if getattr(mine, name) != getattr(theirs, name):
                found.append(f"「{label}」的 {name} 不符：记录为 {getattr(mine, name)!r}，复算为 {getattr(theirs, name)!r}")
    if [r.stratum for r in recorded] != sorted(given) and not found:
        found.append("各层的顺序与复算结果不同")
    return found


def verify(
    record: Mapping[str, Any], *, expected_seed_hash: str | None = None, expected_inputs_hash: str | None = None
) -> VerifyReport:
    """Check a record's hashes and re-run its draw; the expected hashes are the ones published before the draw."""
    try:
        parsed = DrawRecord.from_dict(record)
    except InputError as error:
        return VerifyReport(False, tuple(f"记录格式有误：{line}" for line in error.details()))
    found: list[str] = []
    if parsed.algorithm_version != ALGORITHM_VERSION:
        return VerifyReport(False, (f"记录的算法版本 {parsed.algorithm_version} 与本程序（{ALGORITHM_VERSION}）不同，无法复算",))
    if seed_hash(parsed.seed) != parsed.seed_hash:
        found.append("种子与种子哈希（seed_hash）不符：记录中的种子不是事先承诺的种子")
    if expected_seed_hash is not None and parsed.seed_hash != expected_seed_hash.strip().lower():
        found.append("种子哈希与事先公布的值不符")
    if expected_inputs_hash is not None and parsed.inputs_hash != expected_inputs_hash.strip().lower():
        found.append("输入哈希（inputs_hash）与事先公布的值不符：规则、总体或排除名单与公布时不同")
    try:
        intact = record_hash({key: value for key, value in record.items() if key != "record_hash"}) == parsed.record_hash
    except (TypeError, ValueError):
        intact = False
    if not intact:
        found.append("记录哈希（record_hash）不符：记录在生成后被改动过")
    try:
        rerun = draw(parsed.rule, [entry.to_candidate() for entry in parsed.population], parsed.seed, parsed.exclusions)
    except InputError as error:
        found += [f"无法按记录复算：{line}" for line in error.details()]
        return VerifyReport(False, tuple(found))
    if rerun.inputs_hash != parsed.inputs_hash:
        found.append("输入哈希（inputs_hash）不符：规则、总体或排除名单在生成后被改动过")
    for name, label in (("rule", "规则"), ("population", "总体"), ("exclusions", "排除名单")):
        if rerun.body()[name] != parsed.body()[name]:
            found.append(f"记录中的{label}不是规范形式，与复算时整理的结果不同")
    found += _compare_strata(parsed.strata, rerun.strata)
    if parsed.shortfalls != rerun.shortfalls:
        found.append("短缺记录不符：记录为 " + (_codes(tuple(s.reason for s in parsed.shortfalls)))
                     + "，复算为 " + _codes(tuple(s.reason for s in rerun.shortfalls)))
    return VerifyReport(not found, tuple(found), parsed.selected())
