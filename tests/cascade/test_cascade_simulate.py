"""``kaohe simulate sichuan --cascade``: a province and two cities on a simulated clock, through the real code."""

from __future__ import annotations

import json

import pytest

from kaohe.cli import cli
from kaohe.cli.app import run


def test_the_cascade_simulation_moves_tells_once_acknowledges_and_reports_up(capsys: pytest.CaptureFixture[str], kaohe_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = run(cli, ["simulate", "sichuan", "--year", "2019", "--cascade", "--workdir", str(tmp_path / "sim"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    dues = {(c["cycle"], s["stage"]): s["due"] for c in report["after"]["cycles"] for s in c["stages"]}
    assert dues[("sichuan-2019-sim", "self_check")] == "2020-01-23"  # 20 Jan + 3 working days
    for city in ("suining-2019-sim", "neijiang-2019-sim"):
        assert dues[(city, "county_self_check")] == "2020-01-20" and dues[(city, "self_check")] == "2020-01-23"
    notices = {(n["cycle"], n["kind"]): n["units"] for n in report["notices"]}
    assert notices == {("sichuan-2019-sim", "deadline_changed"): 39, ("suining-2019-sim", "dates_changed"): 3,
                       ("suining-2019-sim", "change_ack"): 1, ("neijiang-2019-sim", "dates_changed"): 3,
                       ("neijiang-2019-sim", "change_ack"): 1, ("neijiang-2019-sim", "change_ack_reminder"): 1}
    assert report["received"] == sum(notices.values())  # every unit has one e-mail address: one mail each, none twice
    assert [(a["cycle"], a["by"]) for a in report["acknowledgements"]] == [("neijiang-2019-sim", "NJ-OFFICE"), ("suining-2019-sim", "SN-OFFICE")]
    children = report["province_result"]["children"]
    assert [(c["cycle"], c["version"], c["published_by"], c["units"]) for c in children] == [
        ("neijiang-2019-sim", 1, "NJ-OFFICE", 3), ("suining-2019-sim", 1, "SN-OFFICE", 3)]
    assert report["province_result"]["units"] == 39
