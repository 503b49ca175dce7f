"""``kaohe score --form``: 内蒙古 附件1 (indicator table → 指标考核) and 附件3 (democratic evaluation ballots → 总结测评)
read from real CSV/XLSX files; 附件4 (民意调查) is an open point: refused as a form, entered on the sheet, never guessed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.errors import ScoreSheetError
from kaohe.schemes import load_scheme_file
from kaohe.schemes.forms import EnteredForm, IndicatorForm
from kaohe.scoring.form_files import parse_form
from kaohe.settings import PROJECT_ROOT, get_settings

IM = load_scheme_file(PROJECT_ROOT / "schemes" / "inner-mongolia-teams.yaml")
TABLE = IM.forms["indicators"]
assert isinstance(TABLE, IndicatorForm)
ITEMS = ["目标任务完成", "基层组织建设", "为民服务事宜", "脱贫攻坚成效", "总体评价"]
SAMPLE = Path(__file__).parent / "data" / "inner-mongolia-teams-2018.csv"
SHEET_HEADER = next(csv.reader(SAMPLE.open(encoding="utf-8")))


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    """A UTF-8 CSV file of ``rows``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """An XLSX workbook whose first sheet holds ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def sheet(tmp: Path, *, t1_indicators: object = "", p1_opinion: object = 50) -> Path:
    """The score sheet: 指标考核 of T1 and every 总结测评 left to the forms."""
    rows = [
        {"单位代码": "T1", "单位名称": "驻某县工作总队", "分组": "工作总队", "指标考核": t1_indicators, "日常督查": 80, "第三方评估": 85,
         "查阅台账": 90, "考核组综合评价": "A2", "贫困人口识别精准": "是"},
        {"单位代码": "L1", "单位名称": "张某", "分组": "队长", "日常督查": 90, "考核组综合评价": "B1", "督导组考核": 90, "实地查访": 90,
         "民意调查": 90, "全年派驻超过240天": "是"},
        {"单位代码": "P1", "单位名称": "李某", "分组": "成员", "日常督查": 50, "考核组综合评价": "D3", "督导组考核": 50, "实地查访": 50,
         "民意调查": p1_opinion, "全年派驻少于240天": "是"},
    ]
    return write_csv(tmp / "评分表.csv", [SHEET_HEADER, *([row.get(label, "") for label in SHEET_HEADER] for row in rows)])


def indicators(tmp: Path, **changed: object) -> Path:
    """附件1 as an XLSX file: T1 full marks except 精准度 12.5 and 宣传推广 0 (92.5), with ``changed`` cells."""
    points = {item.name: float(item.max) for item in TABLE.items}
    points.update({"建档立卡贫困户识别、帮扶、退出精准度": 12.5, "总结和宣传推广好典型好经验好做法": 0})
    points.update({k: v for k, v in changed.items()})
    return write_xlsx(tmp / "附件1指标表.xlsx", [["驻旗县工作总队考核指标"], ["单位代码", "单位名称", *points],
                                                  ["T1", "驻某县工作总队", *points.values()]])


def ballots(tmp: Path, extra: list[list[object]] = ()) -> Path:  # type: ignore[assignment]
    """附件3 ballots as CSV: T1 100, 80, 80 and one spoiled ballot; L1 100 and 60; P1 40."""
    return write_csv(tmp / "民主测评票.csv", [
        ["票号", "单位代码", *ITEMS],
        [1, "T1", *["好"] * 5], [2, "T1", *["较好"] * 5], [3, "T1", "好", "好", "好", "一般", "差"],
        [4, "T1", "好", "", "好", "好", "好"],
        [5, "L1", *["好"] * 5], [6, "L1", *["一般"] * 5],
        [7, "P1", *["差"] * 5],
        *extra,
    ])


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; exit code, stdout, stderr."""
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_annex_1_and_annex_3_files_give_the_component_scores(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 附件1：十一项指标得分相加为指标考核（92.5）；附件3：好=100、较好=80、一般=60、差=40，五项平均为一票，各票平均（默认）。
    code, out, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)), "--json", "--explain",
                           "--form", f"指标考核={indicators(tmp_path)}", "--form", f"summary_evaluation={ballots(tmp_path)}")
    assert (code, err) == (0, "")
    report = json.loads(out)
    totals = {r["unit"]: (r["total"], r["grade"]) for r in report["results"]}
    # T1: 92.5×30% + 80×20% + 85×20% + 86.67×5% + 90×15% + 97×10% = 88.2835, +1 识别精准 → 89.28 (ballot 4 set aside).
    # L1: 90×30% + 90×15% + 80×5% + 90×15% + 90×20% + 90×15% = 89.5, +2 → 91.50; P1: 50×80% + 40×5% + 63×15% − 2 = 49.45.
    assert totals == {"T1": ("89.28", "称职"), "L1": ("91.50", "称职"), "P1": ("49.45", "不称职")}
    components = {c["id"]: c["value"] for c in report["results"][0]["explanation"]["components"]}
    assert (components["indicators"], components["summary_evaluation"]) == ("92.5", "86.67")
    notes = "\n".join(report["notes"])
    assert "11项指标得分相加" in notes and "6 张有效测评票" in notes and "好=100" in notes and "原文未规定折算办法" in notes
    assert "民主测评票.csv 第5行（单位 T1）作废：未填 基层组织建设" in notes
    assert "民意调查：民意调查表（附件4（未随来源公布）、四（三）5）为待定事项" in notes


def test_the_table_prints_the_notes_on_what_the_forms_gave(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)),
                           "--form", f"indicators={indicators(tmp_path)}", "--form", f"总结测评={ballots(tmp_path)}")
    assert (code, err) == (0, "")
    assert "89.28" in out and "说明：作废测评票 1 张" in out


def test_bad_indicator_files_name_file_row_and_field(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = indicators(tmp_path, **{"建档立卡贫困户识别、帮扶、退出精准度": 16, "扶贫资金整合、使用、监管、成效等": "十"})
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)),
                         "--form", f"指标考核={table}", "--form", f"总结测评={ballots(tmp_path)}")
    assert code == 3 and "Traceback" not in err
    assert f"{table}，第3行，字段 建档立卡贫困户识别、帮扶、退出精准度：“建档立卡贫困户识别、帮扶、退出精准度”的得分 16 超出 0–15" in err
    assert "第3行，字段 扶贫资金整合、使用、监管、成效等" in err and "不是数字" in err
    missing = write_csv(tmp_path / "缺列.csv", [["单位代码", "贫困人口减贫计划完成率", "备用列"], ["T1", 10, 1]])
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)), "--form", f"指标考核={missing}")
    assert code == 3 and f"{missing}，第1行，字段 备用列：未知的列“备用列”（第3列）" in err
    assert "缺少列“农牧民人均纯收入增长幅度”" in err and "缺少列“深入贫困村、贫困户宣传扶贫开发政策情况”" in err


def test_form_rows_must_match_the_sheet_and_a_score_is_given_in_one_place(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stranger = ballots(tmp_path, [[8, "X9", *["好"] * 5]])
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path, t1_indicators=88)),
                         "--form", f"指标考核={indicators(tmp_path)}", "--form", f"总结测评={stranger}")
    assert code == 3
    assert f"{stranger}，第9行，字段 单位代码：评分表" in err and "中没有单位 X9" in err
    assert "评分表.csv，第2行，字段 indicators：单位 T1 的“驻旗县工作总队考核指标”得分已由" in err and "评分表又填了 88" in err


def test_a_unit_without_a_valid_ballot_is_an_error_not_a_zero(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spoiled = ballots(tmp_path, [[8, "P1", "优", "好", "好", "好", "好"]])
    rows = [row for row in csv.reader(spoiled.open(encoding="utf-8")) if row[1] != "P1" or row[2] == "优"]
    spoiled = write_csv(tmp_path / "只有废票.csv", rows)
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)),
                         "--form", f"指标考核={indicators(tmp_path)}", "--form", f"总结测评={spoiled}")
    assert code == 3 and f"{spoiled}，第8行，字段 单位代码：单位 P1 的1张测评票均无效（第8行）" in err


def test_the_opinion_survey_of_annex_4_is_refused_as_a_form_and_never_guessed(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 附件4 民意调查表未随来源公布：不折算问卷；评分表中漏填民意调查分是错误，不是0分，也不分摊权重。
    survey = write_csv(tmp_path / "民意调查.csv", [["单位代码", "满意"], ["P1", "是"]])
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)), "--form", f"民意调查={survey}")
    assert code == 3 and "民意调查表（附件4（未随来源公布）、四（三）5）不能由文件折算：附件4 民意调查表未随来源公布" in err
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path, p1_opinion="")),
                         "--form", f"指标考核={indicators(tmp_path)}", "--form", f"总结测评={ballots(tmp_path)}")
    assert code == 3 and "第4行，字段 民意调查：缺少得分" in err
    assert any("附件4" in p and "forms.opinion_survey" in p and "不推定得分" in p for p in IM.open_points)


def test_form_options_and_oversized_files_are_refused_in_one_line(capsys, kaohe_env, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)), "--form", "查阅台账=x.csv",
                         "--form", "指标考核", "--form", f"指标考核={tmp_path / '没有.xlsx'}")
    assert code == 3
    assert "方案没有分项“查阅台账”的表单（可用：指标考核（indicators）、总结测评（summary_evaluation）、民意调查（opinion_survey））" in err
    assert "“指标考核”应写作 分项=文件" in err and "没有.xlsx：文件不存在" in err
    big = write_csv(tmp_path / "大表.csv", [["单位代码", *(i.name for i in TABLE.items), "备注"],
                                            ["T1", *(i.max for i in TABLE.items), "注" * 30_000]])
    monkeypatch.setenv("KAOHE_MAX_FILE_BYTES", "40000")  # the scheme file (about 17 kB) is read under the same limit
    get_settings.cache_clear()
    code, _, err = kaohe(capsys, "score", "inner-mongolia-teams", "--input", str(sheet(tmp_path)), "--form", f"指标考核={big}")
    assert code == 3 and f"{big}：文件过大" in err and "KAOHE_MAX_FILE_BYTES" in err


IM_ROSTER = """编码,名称,类别,角色,序列,上级,邮箱
IM-OFFICE,自治区脱贫攻坚工作队管理办公室,管理办公室,协调办公室,,,im-office@example.com
T1,驻某县工作总队,工作总队,被考核单位,工作总队,IM-OFFICE,t1@example.org
L1,张某,队员,被考核单位,队长,T1,l1@example.org
P1,李某,队员,被考核单位,成员,T1,p1@example.org
"""


def test_results_aggregate_reads_the_same_form_files(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The cycle's published results come from the same 附件1/附件3 files as the preview: the same totals and notes,
    # and the files are recorded with the version; a bad form file or --form without --input publishes nothing.
    roster = tmp_path / "花名册.csv"
    roster.write_text(IM_ROSTER, encoding="utf-8")
    assert kaohe(capsys, "cycle", "create", "inner-mongolia-teams", "--year", "2018", "--roster", str(roster))[0] == 0
    key = "inner-mongolia-teams-2018"
    table, votes = indicators(tmp_path), ballots(tmp_path)
    (tmp_path / "坏").mkdir()
    bad = indicators(tmp_path / "坏", **{"扶贫资金整合、使用、监管、成效等": "十"})
    code, _, err = kaohe(capsys, "results", "aggregate", key, "--input", str(sheet(tmp_path)), "--form", f"指标考核={bad}",
                         "--form", f"总结测评={votes}")
    assert code == 3 and "Traceback" not in err and "第3行，字段 扶贫资金整合、使用、监管、成效等" in err
    code, _, err = kaohe(capsys, "results", "aggregate", key, "--form", f"指标考核={table}")
    assert code != 0 and "须同时给出评分表（--input）" in err and "Traceback" not in err
    code, _, err = kaohe(capsys, "results", "aggregate", key, "--input", str(sheet(tmp_path)), "--form", "民意调查")
    assert code == 3 and "“民意调查”应写作 分项=文件" in err
    code, out, err = kaohe(capsys, "results", "list", key, "--json")
    assert (code, json.loads(out)) == (0, [])

    code, out, err = kaohe(capsys, "results", "aggregate", key, "--input", str(sheet(tmp_path)), "--json",
                           "--form", f"指标考核={table}", "--form", f"summary_evaluation={votes}")
    assert (code, err) == (0, "")
    assert json.loads(out)["version"] == 1
    code, out, _ = kaohe(capsys, "results", "show", key, "--json")
    shown = {r["unit"]: (r["total"], r["grade"]) for r in json.loads(out)["results"]}
    assert shown == {"T1": ("89.28", "称职"), "L1": ("91.50", "称职"), "P1": ("49.45", "不称职")}
    from kaohe.db import session_scope
    from kaohe.store.cycles import get_cycle
    from kaohe.store.results import latest_version

    with session_scope(get_settings().effective_database_url) as session:
        version = latest_version(session, get_cycle(session, key))
        assert version is not None
        notes = "\n".join(version.report["notes"])
        forms = {f["component"]: f["path"] for f in version.inputs["forms"]}
    assert "民主测评票.csv 第5行（单位 T1）作废：未填 基层组织建设" in notes and "11项指标得分相加" in notes
    assert forms == {"indicators": str(table), "summary_evaluation": str(votes)}
    # The same files again give the same report: nothing new is published.
    code, out, _ = kaohe(capsys, "results", "aggregate", key, "--input", str(sheet(tmp_path)), "--json",
                         "--form", f"指标考核={table}", "--form", f"总结测评={votes}")
    assert code == 0 and json.loads(out)["unchanged"] is True


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["单位代码", "T1", "好", "较好", "差", "", "1E9", "-1", "目标任务完成", "总体评价", "备注",
                                          "贫困人口减贫计划完成率", "10", "x"]), max_size=8), max_size=6))
def test_any_form_file_is_read_or_refused_with_problems(rows: list[list[str]]) -> None:
    data = "\n".join(",".join(row) for row in rows).encode()
    for component, form in (("indicators", TABLE), ("summary_evaluation", IM.forms["summary_evaluation"])):
        assert not isinstance(form, EnteredForm)
        try:
            read = parse_form(component, form, data, "表.csv")
        except ScoreSheetError as error:
            assert error.problems and all(p.file == "表.csv" for p in error.problems)
        else:
            assert all(0 <= score <= 100 for score, _ in read.scores.values())


IM_ROSTER = """编码,名称,类别,角色,序列,市州,县,上级,邮箱,手机
OFFICE,自治区脱贫攻坚工作队管理办公室,管理办公室,协调办公室,,,,,office@example.org,
T1,驻某县工作总队,工作总队,被考核单位,工作总队,乌兰察布市,化德县,OFFICE,t1@example.org,
L1,张某,队员,被考核单位,队长,乌兰察布市,化德县,T1,l1@example.org,13900000001
P1,李某,队员,被考核单位,成员,乌兰察布市,化德县,T1,p1@example.org,13900000002
"""


def im_cycle(capsys: pytest.CaptureFixture[str], tmp: Path) -> None:
    """Cycle im-2018 of inner-mongolia-teams on a roster of T1, L1 and P1 (the sheet's units)."""
    roster = tmp / "名册.csv"
    roster.write_text(IM_ROSTER, encoding="utf-8")
    code, _, err = kaohe(capsys, "cycle", "create", "inner-mongolia-teams", "--year", "2018", "--roster", str(roster),
                         "--key", "im-2018")
    assert code == 0, err


def test_results_aggregate_on_a_cycle_takes_the_form_files_as_score_does(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The published version's totals are those of ``kaohe score`` with the same sheet and forms, and its report says
    which component came from which form file."""
    im_cycle(capsys, tmp_path)
    forms = ["--form", f"指标考核={indicators(tmp_path)}", "--form", f"总结测评={ballots(tmp_path)}"]
    code, out, err = kaohe(capsys, "results", "aggregate", "im-2018", "--input", str(sheet(tmp_path)), *forms,
                           "--at", "2019-03-07T16:00:00+08:00", "--json")
    assert (code, err) == (0, "")
    code, shown, err = kaohe(capsys, "results", "show", "im-2018", "--json")
    assert (code, err) == (0, "")
    published = {r["unit"]: (r["total"], r["grade"]) for r in json.loads(shown)["results"]}
    assert published == {"T1": ("89.28", "称职"), "L1": ("91.50", "称职"), "P1": ("49.45", "不称职")}

    code, out, err = kaohe(capsys, "results", "aggregate", "im-2018", "--form", f"指标考核={indicators(tmp_path)}")
    assert code != 0 and out == "" and "--input" in err and len(err.strip().splitlines()) == 1


def test_the_aggregate_cycle_flow_takes_the_form_files_too(capsys, kaohe_env, tmp_path: Path, prefect_harness) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import datetime as dt

    from kaohe.clock import BEIJING
    from kaohe.flows.aggregation_stage import aggregate_cycle

    im_cycle(capsys, tmp_path)
    outcome = asyncio.run(aggregate_cycle("im-2018", as_of=dt.datetime(2019, 3, 7, 16, tzinfo=BEIJING), input=str(sheet(tmp_path)),
                                          forms={"指标考核": str(indicators(tmp_path)), "总结测评": str(ballots(tmp_path))}))
    assert outcome["version"] == 1 and outcome["units"] == 3
    code, shown, err = kaohe(capsys, "results", "show", "im-2018", "--json")
    assert (code, err) == (0, "")
    assert {r["unit"]: r["total"] for r in json.loads(shown)["results"]} == {"T1": "89.28", "L1": "91.50", "P1": "49.45"}
