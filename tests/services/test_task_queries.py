"""What the dispatch task reads before it sends: the robots of the cycle's roster and the secrets they sign with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kaohe.db import session_scope
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.services import AppContext
from kaohe.services.task_queries import roster_robots
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.workdays import load_calendar

ROSTER = ("编码,名称,角色,乡镇,上级,邮箱,钉钉,钉钉密钥\n"
          "A1,弥勒市甲局,被考核单位,弥阳镇,C1,a1@example.org,{robot},{secret}\n"
          "A2,弥勒市乙局,被考核单位,新哨镇,C1,a2@example.org,,\n"
          "C1,市联席办,协调办公室,,,c1@example.org,,\n")


def make_cycle(context: AppContext, tmp_path: Path, key: str, robot: str, secret: str) -> int:
    roster = tmp_path / f"{key}.csv"
    roster.write_text(ROSTER.format(robot=robot, secret=secret), encoding="utf-8")
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    with session_scope(context.database_url) as session:
        create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, 2018, load_calendar()), roster=read_roster(roster),
                     actor="test", now=dt.datetime(2018, 11, 1, tzinfo=dt.timezone.utc))
        return get_cycle(session, key).id


def test_each_cycle_signs_with_the_secrets_of_its_own_roster(context: AppContext, tmp_path: Path) -> None:
    first = make_cycle(context, tmp_path, f"robots-a-{tmp_path.name[-6:]}", "dt-token-a", "SEC-a")
    second = make_cycle(context, tmp_path, f"robots-b-{tmp_path.name[-6:]}", "dt-token-b", "SEC-b")
    assert roster_robots(context, first) == {"dingtalk": {"dt-token-a": "SEC-a"}, "feishu": {}}
    assert roster_robots(context, second) == {"dingtalk": {"dt-token-b": "SEC-b"}, "feishu": {}}
