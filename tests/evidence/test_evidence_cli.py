"""The stage-work commands as a person runs them: Chinese output, --json, one-line errors, nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from evidence_support import MILE_ROSTER, TOKEN

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.clock import BEIJING
from kaohe.settings import PROJECT_ROOT, get_settings
from kaohe.testing.evaluator_server import ReferenceServer

Kaohe = Callable[..., tuple[int, str, str]]


@pytest.fixture
def kaohe(kaohe_env: Path, capsys: pytest.CaptureFixture[str]) -> Kaohe:
    """Run ``kaohe ARGS`` in a private home; return exit code, stdout and stderr."""

    def call(*args: str) -> tuple[int, str, str]:
        code = run(cli, list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def _cycle(kaohe: Kaohe, tmp_path: Path, scheme: str, year: int, roster: str | Path) -> str:
    path = roster if isinstance(roster, Path) else tmp_path / "roster.csv"
    if not isinstance(roster, Path):
        path.write_text(roster, encoding="utf-8")
    code, out, err = kaohe("cycle", "create", scheme, "--year", str(year), "--roster", str(path), "--json")
    assert code == 0, err
    return json.loads(out)["cycle"]


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_submit_verify_and_close_submissions(kaohe: Kaohe, kaohe_env: Path, tmp_path: Path) -> None:
    key = _cycle(kaohe, tmp_path, "mile", 2018, MILE_ROSTER)
    report, scores = _file(tmp_path, "自查报告.txt", "报告"), _file(tmp_path, "自评表.csv", "指标,自评分\n基础分,92\n资金投入加分,12\n")
    code, out, _ = kaohe("submit", key, "--unit", "A1", "--stage", "self_check", "--report", report, "--scores", scores,
                         "--at", "2019-01-10T10:00")
    assert code == 0 and out.startswith("已收到 A1 在阶段 self_check 的第 1 版报送（按时）")
    code, out, _ = kaohe("submit", key, "--unit", "A1", "--stage", "self_check", "--report", report, "--json")
    data = json.loads(out)
    assert code == 0 and data["version"] == 2 and data["late"] and data["lateness"].startswith("逾期")
    assert len(list((kaohe_env / "submissions" / key / "A1" / "self_check").iterdir())) == 2

    code, out, _ = kaohe("verify", key, "--unit", "A1", "--scores", _file(tmp_path, "核查.csv", "指标,核查分\n基础分,85\n资金投入加分,12\n"),
                         "--by", "V1", "--sign-off")
    assert code == 0
    assert "自评合计 104，核查合计 97，1 项不一致" in out and "已由 V1 签字确认" in out

    code, out, _ = kaohe("submissions", "list", key, "--unit", "A1", "--json")
    assert [(r["version"], r["kind"]) for r in json.loads(out)] == [(1, "report"), (1, "score_table"), (2, "report")]
    assert kaohe("submissions", "close", key, "--stage", "self_check", "--by", "C1")[0] == 0
    code, _, err = kaohe("submit", key, "--unit", "A2", "--stage", "self_check", "--report", report)
    assert code == 5 and err.count("\n") == 1 and "截止收件" in err


def test_rejected_submissions_print_one_line_per_problem_and_store_nothing(kaohe: Kaohe, kaohe_env: Path, tmp_path: Path) -> None:
    key = _cycle(kaohe, tmp_path, "mile", 2018, MILE_ROSTER)
    report = _file(tmp_path, "r.txt", "报告")
    code, _, err = kaohe("submit", key, "--unit", "V1", "--stage", "self_check", "--report", report)
    assert code == 3 and err == "错误：单位 V1（弥阳镇扶贫工作站）无须在阶段 self_check（自查自评）报送：该阶段的报送单位为被考核单位\n"
    code, _, err = kaohe("submit", key, "--unit", "A1", "--stage", "self_check", "--report", report,
                         "--scores", _file(tmp_path, "bad.csv", "指标,自评分\n基础分,abc\n未知项,3\n"))
    assert code == 3 and err.splitlines() == [
        "错误：bad.csv，第2行，字段 分数：“基础分”的分数应为数字，实为“abc”",
        "错误：bad.csv，第3行，字段 指标：未知指标“未知项”（应为：基础分、资金投入加分）",
    ]
    assert not (kaohe_env / "submissions").exists()


def test_sample_draw_and_verify_and_a_tampered_record(kaohe: Kaohe, tmp_path: Path) -> None:
    key = _cycle(kaohe, tmp_path, "sichuan", 2019, PROJECT_ROOT / "samples" / "sichuan-roster.csv")
    code, out, _ = kaohe("sample", "draw", key, "--stage", "provincial_spot_check", "--seed-hash-only", "--json")
    published = json.loads(out)
    assert code == 0 and not published["drawn"]
    code, out, _ = kaohe("sample", "draw", key, "--stage", "provincial_spot_check")
    assert code == 0 and "共抽中" in out and "短缺：「达州市」应抽取 2 个，可抽单位只有 1 个" in out
    code, out, _ = kaohe("sample", "verify", key, "--stage", "provincial_spot_check")
    assert code == 0 and "复核通过" in out

    record_path = get_settings().home / "samples" / key / "provincial_spot_check.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["seed_hash"] == published["seed_hash"]
    assert kaohe("sample", "verify", "--record", str(record_path))[0] == 0
    record["seed"] = "another-seed"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code, out, err = kaohe("sample", "verify", "--record", str(tampered), "--json")
    assert code == 3 and json.loads(out)["ok"] is False
    assert "种子与种子哈希（seed_hash）不符" in err

    code, _, err = kaohe("sample", "draw", key, "--stage", "provincial_spot_check")
    assert code == 5 and "不可重抽" in err
    code, _, err = kaohe("sample", "draw", key, "--stage", "self_check", "--exclude", "bad")
    assert code == 3 and "应写成 单位编码:排除理由" in err


def test_review_send_and_collect(kaohe: Kaohe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _cycle(kaohe, tmp_path, "sichuan", 2019, PROJECT_ROOT / "samples" / "sichuan-roster.csv")
    assert kaohe("sample", "draw", key, "--stage", "provincial_spot_check")[0] == 0
    code, _, err = kaohe("review", "send", key, "--stage", "third_party_evaluation")
    assert code == 2 and "KAOHE_EVALUATOR_URL" in err
    with ReferenceServer(token=TOKEN) as server:
        monkeypatch.setenv("KAOHE_EVALUATOR_URL", server.url)
        monkeypatch.setenv("KAOHE_EVALUATOR_TOKEN", TOKEN)
        get_settings.cache_clear()
        code, out, _ = kaohe("review", "send", key, "--stage", "third_party_evaluation")
        assert code == 0 and out.startswith("已将 ") and f"评审编号 {key}-third_party_evaluation" in out
        code, out, _ = kaohe("review", "send", key, "--stage", "third_party_evaluation")
        assert code == 0 and "重复发送" in out
        code, out, _ = kaohe("review", "collect", key, "--stage", "third_party_evaluation", "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "complete" and data["missing"] == []


def reply_as_unit(key: str, unit: str, text: str) -> None:
    """The unit's portal account replies to order 1 (signing for it), through the service as the portal does."""
    from kaohe.cli.app import app_context
    from kaohe.services import Actor, Role, orders

    actor = Actor(account=f"{unit.lower()}-account", role=Role.UNIT, unit=unit)
    orders.reply(app_context(), orders.ReplyOrder(actor, key, unit, 1, text))


def test_order_lifecycle(kaohe: Kaohe, tmp_path: Path) -> None:
    roster = "编码,名称,角色,上级,邮箱\nDS,东胜区,被考核单位,OFFICE,ds@example.org\nOFFICE,市扶贫办,协调办公室,,office@example.org\n"
    key = _cycle(kaohe, tmp_path, "ordos", 2018, roster)
    due = (dt.datetime.now(BEIJING) + dt.timedelta(days=20)).date().isoformat()
    code, out, _ = kaohe("order", "issue", key, "--unit", "DS", "--issue", "易地搬迁项目进度滞后", "--due", due, "--json")
    issued = json.loads(out)
    assert code == 0 and issued["order"] == 1 and issued["messages"] >= 2
    code, out, _ = kaohe("order", "list", key)
    assert code == 0 and "未签收" in out
    reply_as_unit(key, "DS", "已收到，<b>正在整改</b>")
    code, out, _ = kaohe("order", "list", key, "--json")
    [row] = json.loads(out)
    assert row["acknowledged_by"] == "ds-account" and row["acknowledged_at"].endswith("+08:00")
    assert [(r["by"], r["text"]) for r in row["replies"]] == [("ds-account", "已收到，<b>正在整改</b>")]
    code, out, _ = kaohe("order", "list", key)
    assert code == 0 and "未签收" not in out and "1 条" in out
    code, out, _ = kaohe("order", "score", key, "--order", "1", "--score", "整改落实=18", "--by", "核查组")
    assert code == 0 and "合计 18 分，已即时反馈（1 条消息）" in out
    code, _, err = kaohe("order", "score", key, "--order", "1", "--score", "整改落实", "--by", "核查组")
    assert code == 3 and "项目=分数" in err
    code, out, _ = kaohe("order", "close", key, "--order", "1", "--evidence", _file(tmp_path, "佐证.txt", "已整改"), "--by", "OFFICE")
    assert code == 0 and "已办结（按时）" in out
    code, out, _ = kaohe("order", "list", key, "--json")
    [row] = json.loads(out)
    assert (row["status"], row["evidence"], row["scores"][0]["total"]) == ("closed", "佐证.txt", "18")
    code, out, _ = kaohe("status", key, "--json")
    assert next(s for s in json.loads(out)["stages"] if s["stage"] == "order_1")["done"] == 1
    code, _, err = kaohe("order", "close", key, "--order", "9", "--evidence", _file(tmp_path, "x.txt", "x"), "--by", "OFFICE")
    assert code == 4 and "没有第 9 号督办单" in err
