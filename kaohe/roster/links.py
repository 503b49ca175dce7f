"""Checks across rows: unique codes, supervisors that exist, are not the row itself and form no cycle."""

from __future__ import annotations

from collections.abc import Sequence

from kaohe.errors import Problem
from kaohe.roster.columns import FIELD_LABELS


def link_problems(numbers: Sequence[int], codes: Sequence[str], names: Sequence[str], supervisors: Sequence[str | None],
                  labels: dict[str, str], file: str) -> list[Problem]:
    """Duplicate codes and bad supervisor references among rows (row numbers, clean codes, names and supervisors
    side by side), each at the row to fix; ``labels`` are the headers as written.

    The codes are gone through one by one only when counting them shows a repeat or a case clash.
    """
    code_label = labels.get("code", FIELD_LABELS["code"])
    supervisor_label = labels.get("supervisor", FIELD_LABELS["supervisor"])
    first = dict(zip(reversed(codes), range(len(codes) - 1, -1, -1)))
    first.pop("", None)
    clash = len(first) < len(codes) - codes.count("") or len(set(map(str.casefold, first))) < len(first)
    problems = _code_problems(numbers, codes, names, file, code_label) if clash else []

    graph: dict[str, str] = {}
    for position, supervisor in enumerate(supervisors):
        if supervisor is None:
            continue
        code = codes[position]
        if supervisor == code:
            problems.append(Problem(f"上级不能是本单位自己（{code}）", file=file, row=numbers[position], field=supervisor_label))
        elif supervisor not in first:
            problems.append(Problem(f"上级编码“{supervisor}”在名册中不存在", file=file, row=numbers[position], field=supervisor_label))
        elif code and first.get(code) == position:
            graph[code] = supervisor

    for cycle in _cycles(graph):
        head = min(cycle, key=lambda code: first[code])
        start = cycle.index(head)
        ordered = cycle[start:] + cycle[:start] + [head]
        places = "、".join(f"第{numbers[first[code]]}行" for code in ordered[:-1])
        problems.append(
            Problem(
                f"上级关系成环：{' → '.join(ordered)}（{places}）",
                file=file,
                row=numbers[first[head]],
                field=supervisor_label,
            )
        )
    return problems


def _code_problems(numbers: Sequence[int], codes: Sequence[str], names: Sequence[str], file: str, label: str) -> list[Problem]:
    """Codes repeated, or differing only in letter case, each at the later row."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    folded: dict[str, int] = {}
    for position, code in enumerate(codes):
        if not code:
            continue
        other = folded.setdefault(code.casefold(), position)
        if codes[other] != code:
            problems.append(
                Problem(
                    f"编码“{code}”与第{numbers[other]}行“{codes[other]}”只有大小写不同，存档时无法区分，请改用不同的编码",
                    file=file,
                    row=numbers[position],
                    field=label,
                )
            )
        earlier = first.setdefault(code, position)
        if earlier != position:
            problems.append(
                Problem(
                    f"编码“{code}”重复：第{numbers[earlier]}行“{names[earlier]}”与第{numbers[position]}行“{names[position]}”",
                    file=file,
                    row=numbers[position],
                    field=label,
                )
            )
    return problems


def _cycles(graph: dict[str, str]) -> list[list[str]]:
    """Every cycle of the functional graph ``graph`` (code -> supervisor), each once; a code without a
    supervisor in ``graph`` is on no cycle, so walks start only from the codes that have one."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in graph:
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

