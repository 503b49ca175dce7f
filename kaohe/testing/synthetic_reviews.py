"""Deterministic synthetic review results, derived from a hash of the unit code."""

from __future__ import annotations

import hashlib

from kaohe.evaluator.contract import SEVERITIES, Finding, UnitResult

FINDING_ITEMS: tuple[tuple[str, str], ...] = (
    ("精准识别", "抽查户中有建档立卡信息与实际不符的情况"),
    ("精准退出", "个别退出户收入核算未计入生产经营性支出"),
    ("精准帮扶", "帮扶措施与致贫原因对应不够紧密"),
    ("扶贫资金", "部分项目资金拨付滞后，形成结余"),
    ("工作责任", "帮扶干部入户频次未达要求"),
    ("群众满意度", "部分群众对帮扶政策知晓率不高"),
)


def synthetic_result(code: str) -> UnitResult:
    """The same plausible result for the same unit code, every time."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    picked = [FINDING_ITEMS[(digest[4] + i) % len(FINDING_ITEMS)] for i in range(digest[3] % 3)]
    findings = tuple(
        Finding(item=item, severity=SEVERITIES[digest[8 + i] % len(SEVERITIES)], description=description)
        for i, (item, description) in enumerate(picked)
    )
    return UnitResult(
        unit=code,
        identification_accuracy=_share(digest[0], low=0.85),
        exit_accuracy=_share(digest[1], low=0.88),
        satisfaction=_share(digest[2], low=0.80),
        findings=findings,
    )


def _share(byte: int, *, low: float) -> float:
    return round(low + (1 - low) * byte / 255, 4)
