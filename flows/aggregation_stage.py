"""The aggregation flow (score, write documents, publish, rectification obligations) and the hook that
starts results work when the advancing engine closes an aggregation stage or opens a feedback stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from kaohe.errors import KaoheError
from kaohe.tasks.results import (
    aggregate_results,
    problem_lines,
    record_results_failure,
    results_triggers,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@flow(name="aggregate-cycle", flow_run_name="aggregate {cycle}")
async def aggregate_cycle(cycle: str, as_of: dt.datetime | None = None, input: str | None = None,
                          previous: str | None = None, reason: str | None = None,
                          by: str = "flow:aggregate-cycle", forms: dict[str, str] | None = None) -> dict[str, Any]:
    """Score ``cycle`` and publish its results as the next version, with letters, report and ranking.

    ``input`` is a score sheet (CSV/XLSX) whose rows replace the cycle's verified scores for the units it
    lists; units it does not list are scored from their signed-off verified scores. ``previous`` is last
    year's results file (default: the results of the same scheme's cycle for the year before, if any).
    A correction of a published version needs ``reason``. ``forms`` maps a component (its id or name) to a form
    file that fills it in for the sheet's rows (内蒙古 附件1 indicator table, 附件3 ballots), as ``--form`` does;
    it needs ``input``.
    """
    instant = as_of or _now()
    if instant.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (a naive time would be read as UTC)")
    return aggregate_results(cycle, instant, input, previous, reason, by, forms)


async def start_results_work(cycle_key: str, opened: list[str], closed: list[str], as_of: dt.datetime) -> list[str]:
    """What the advance flow starts after recording an advance; one line per thing done or left, in Chinese.

    An aggregation stage that closed → aggregate, unless a version exists already (the office published it
    before the deadline); then, or when a feedback stage opens, send the results once the feedback stage
    has begun. A failed aggregation (e.g. units without verified scores) does not stop the advance: every
    problem goes to the audit log (``results.aggregation_failed``) for the office to fix with
    ``kaohe results aggregate``.
    """
    from kaohe.flows.feedback_stage import send_feedback

    if not opened and not closed:  # nothing closed or opened: nothing to aggregate or send (and no task run to find that out)
        return []
    state = results_triggers(cycle_key, opened, closed)
    done: list[str] = []
    version = state["version"]
    if state["aggregation_closed"]:
        if version is not None:
            done.append(f"汇总阶段已截止：已有第{version}版考核结果，不重新汇总")
        elif not state["has_formula"]:
            done.append("汇总阶段已截止：方案未规定计分公式，考核结果须由考核组评定后用 kaohe results aggregate --input 发布")
        else:
            try:
                outcome = await aggregate_cycle(cycle_key, as_of=as_of)
            except KaoheError as error:
                record_results_failure(cycle_key, "results.aggregation_failed", type(error).__name__, problem_lines(error), as_of)
                done.append(f"自动汇总未完成：{error}（详见审计日志 results.aggregation_failed）")
            else:
                version = outcome["version"]
                done.append(f"已汇总并发布第{version}版考核结果（{outcome['units']}个单位，"
                            f"{len(outcome['must_rectify'])}个单位须整改）")
    wants_feedback = state["feedback_opened"] or (state["aggregation_closed"] and state["feedback_started"])
    if wants_feedback:
        if version is None:
            done.append("结果通报阶段已开始，尚无考核结果，待汇总后发送")
        else:
            sent = await send_feedback(cycle_key, as_of=as_of)
            if sent.get("sent"):
                done.append(f"已发送第{sent['version']}版考核结果通知（{sent['messages']}条）")
            else:
                done.append(str(sent.get("reason")))
    return done
