"""Plain helpers shared by the stage-work tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kaohe.clock import BEIJING, SimulatedClock
from kaohe.sampling import Exclusion, VerifyReport
from kaohe.services import Actor, AppContext, build_context, local_operator
from kaohe.services.sampling import DrawSample, VerifySample, draw_sample, verify_sample
from kaohe.services.submissions import Submit, SubmitResult
from kaohe.services.submissions import submit as submit_service
from kaohe.services.uploads import Upload
from kaohe.settings import Settings

TOKEN = "evidence-test-token"

MILE_ROSTER = """编码,名称,类别,角色,乡镇,上级,邮箱
A1,弥勒市甲局,市级部门,被考核单位,弥阳镇,V1,a1@example.org
A2,弥勒市乙局,市级部门,被考核单位,弥阳镇,V1,a2@example.org
A3,弥勒市丙公司,非公企业,被考核单位,虹溪镇,V2,a3@example.org
V1,弥阳镇扶贫工作站,乡镇,核查单位,弥阳镇,C1,v1@example.org
V2,虹溪镇扶贫工作站,乡镇,核查单位,虹溪镇,C1,v2@example.org
L1,市牵头考核单位,市级部门,牵头考核单位,,C1,l1@example.org
C1,市联席办,市级部门,协调办公室,,,c1@example.org
"""

SICHUAN = """编码,名称,类别,角色,市州,县,上级,邮箱,计划摘帽
OFFICE,省督查考核办,省级机关,牵头考核单位,,,,office@example.org,
GY,广元市,市州,被考核单位,广元市,,OFFICE,gy@example.org,
GY1,旺苍县,县,被考核单位,广元市,旺苍县,GY,gy1@example.org,否
GY2,青川县,县,被考核单位,广元市,青川县,GY,gy2@example.org,否
GY3,剑阁县,县,被考核单位,广元市,剑阁县,GY,gy3@example.org,否
BZ1,通江县,县,被考核单位,巴中市,通江县,OFFICE,bz1@example.org,否
BZ2,南江县,县,被考核单位,巴中市,南江县,OFFICE,bz2@example.org,是
BZ3,平昌县,县,被考核单位,巴中市,平昌县,OFFICE,,是
"""


def bj(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def context_at(url: str, home: Path, now: dt.datetime) -> AppContext:
    """An application context on ``url`` whose clock stands at ``now``."""
    return build_context(Settings(database_url=url, home=home), clock=SimulatedClock(now))


def submit(url: str, home: Path, key: str, unit: str, stage: str, *, report: Path, scores: Path | None, by: str,
           now: dt.datetime, actor: Actor | None = None) -> SubmitResult:
    """``kaohe submit`` through the service, as the local operator ``by`` (or ``actor``)."""
    command = Submit(actor or local_operator(by), key, unit, stage, Upload.read(report, "报告文件"),
                     Upload.read(scores, "自评表") if scores is not None else None)
    return submit_service(context_at(url, home, now), command)


def draw_stage(url: str, home: Path, key: str, stage: str, *, by: str, now: dt.datetime, seed_hash_only: bool = False,
               rule_override: Mapping[str, Any] | None = None, exclusions: Sequence[Exclusion] = (),
               seed: str | None = None) -> dict[str, Any]:
    """``kaohe sample draw`` through the service, as the local operator ``by``; its JSON."""
    command = DrawSample(local_operator(by), key, stage, seed_hash_only, rule_override, tuple(exclusions), seed, now)
    return draw_sample(context_at(url, home, now), command).to_json()


def verify_stage(url: str, key: str, stage: str) -> VerifyReport:
    """``kaohe sample verify CYCLE --stage S`` through the service."""
    return verify_sample(build_context(Settings(database_url=url)), VerifySample(local_operator("test"), key, stage))
