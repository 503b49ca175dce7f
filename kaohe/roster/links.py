"""Checks across rows: unique codes, supervisors that exist, are not the row itself and form no cycle."""

from __future__ import annotations

from kaohe.errors import Problem
from kaohe.roster.columns import FIELD_LABELS
from kaohe.roster.rows import ParsedRow


def link_problems(rows: list[ParsedRow], file: str) -> list[Problem]:
    """Duplicate codes and bad supervisor references among ``rows``, each at the row to fix."""
    problems: list[Problem] = []
    first: dict[str, ParsedRow] = {}
    folded: dict[str, ParsedRow] = {}
    for row in rows:
        if not row.code:
            continue
        other = folded.get(row.code.casefold())
        if other is not None and other.code != row.code:
            problems.append(
                Problem(
                    f"编码“{row.code}”与第{other.row}行“{other.code}”只有大小写不同，存档时无法区分，请改用不同的编码",
                    file=file,
                    row=row.row,
                    field=_label(row, "code"),
                )
            )
        folded.setdefault(row.code.casefold(), row)
        if row.code in first:
            earlier = first[row.code]
            problems.append(
                Problem(
                    f"编码“{row.code}”重复：第{earlier.row}行“{earlier.name}”与第{row.row}行“{row.name}”",
                    file=file,
                    row=row.row,
                    field=_label(row, "code"),
                )
            )
        else:
            first[row.code] = row

    graph: dict[str, str] = {}
    for row in rows:
        if row.supervisor is None:
            continue
        if row.supervisor == row.code:
            problems.append(Problem(f"上级不能是本单位自己（{row.code}）", file=file, row=row.row, field=_label(row, "supervisor")))
        elif row.supervisor not in first:
            problems.append(
                Problem(f"上级编码“{row.supervisor}”在名册中不存在", file=file, row=row.row, field=_label(row, "supervisor"))
            )
        elif row.code and first.get(row.code) is row:
            graph[row.code] = row.supervisor

    for cycle in _cycles(graph, [row.code for row in rows if row.code]):
        head = min(cycle, key=lambda code: first[code].row)
        start = cycle.index(head)
        ordered = cycle[start:] + cycle[:start] + [head]
        places = "、".join(f"第{first[code].row}行" for code in ordered[:-1])
        problems.append(
            Problem(
                f"上级关系成环：{' → '.join(ordered)}（{places}）",
                file=file,
                row=first[head].row,
                field=_label(first[head], "supervisor"),
            )
        )
    return problems


def _cycles(graph: dict[str, str], order: list[str]) -> list[list[str]]:
    """Every cycle of the functional graph ``graph`` (code -> supervisor), each once."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in order:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = graph.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return cycles


def _label(row: ParsedRow, field: str) -> str:
    return row.labels.get(field, FIELD_LABELS[field])
