"""Finding, reading and validating scheme files; every problem names the file, the field and why."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kaohe.errors import Problem, SchemeError
from kaohe.fieldpaths import PYDANTIC_MESSAGES, field_path
from kaohe.inputfiles import read_bounded
from kaohe.schemecache import cached_summary, find_scheme, scheme_files, store_clean
from kaohe.schemecompiled import compile_scheme, scheme_data
from kaohe.schemes.model import Scheme
from kaohe.scoring.loader import spec_from_mapping
from kaohe.scoring.spec import ScoringSpec

__all__ = ["PYDANTIC_MESSAGES", "field_path", "find_scheme", "load_lineage", "load_scheme", "load_scheme_chain",
           "load_scheme_file", "load_spec", "scheme_files"]


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, whose dates that do not exist (``2017-02-30``) are errors at their line."""


def _timestamp(loader: Any, node: Any) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as error:
        raise yaml.constructor.ConstructorError(None, None, f"日期 {node.value} 不存在（{error}）", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_scheme_file(path: Path, *, search: Sequence[Path] = ()) -> Scheme:
    """Read and validate one scheme file; raise SchemeError listing every problem found.

    A file that names a ``parent`` is merged onto it (kaohe.cascade.inherit); the parent is looked for
    beside the file, then in ``search``.
    """
    return load_scheme_chain(path, search=search)[0]


def load_scheme_chain(path: Path, *, search: Sequence[Path] = (), _seen: tuple[str, ...] = (),
                      trail: list[tuple[tuple[str, ...], str]] | None = None,
                      cache_dir: Path | None = None) -> tuple[Scheme, ...]:
    """The scheme of ``path`` followed by its parent, grandparent …, each validated (see load_scheme_file).

    ``trail``, when given, receives for each parent looked up the candidate paths tried and the one found
    (``kaohe.schemecache`` checks them again before it trusts a cached summary). With ``cache_dir`` (the
    caller's scheme cache) a file that ``kaohe.schemecache`` knows as clean, with the same bytes and parents,
    is still validated but not planned again for the sample-year checks; a file checked now is recorded."""
    name = str(path)
    data = read_bounded(path, "方案文件", SchemeError)
    raw = _parse_raw(name, data)
    parents: tuple[Scheme, ...] = ()
    lookups: list[tuple[tuple[str, ...], str]] = []
    if raw.get("parent") is not None:
        raw, parents = _with_parent(path, raw, search, _seen, lookups, cache_dir)
    if trail is not None:
        trail.extend(lookups)
    try:
        scheme = Scheme.model_validate(raw)
    except ValidationError as error:
        raise SchemeError([_problem(name, raw, e) for e in error.errors()]) from None
    checked = cache_dir is not None and cached_summary(path, search, cache_dir, data=data) is not None
    if not checked:
        from kaohe.schemes.checks import (
            check_scheme,  # late: checks needs planning, which needs the model
        )

        problems = check_scheme(scheme, parents)
        if problems:
            raise SchemeError([Problem(p, file=name) for p in problems])
    scheme.attach_scoring_spec(spec_from_mapping(raw.get("scoring"), scheme.id, file=name))
    if cache_dir is not None and not checked:
        lineage = [scheme_data(compile_scheme(s)) for s in (scheme, *parents)]
        store_clean(path, search, cache_dir, summary_of(scheme), lineage, lookups, data=data)
    return (scheme, *parents)


def summary_of(scheme: Scheme) -> dict[str, Any]:
    """What ``kaohe schemes`` lists of a scheme (and ``kaohe.schemecache`` keeps)."""
    return {"id": scheme.id, "name": scheme.name, "document": scheme.document, "stages": len(scheme.stages)}


def _parse_raw(name: str, data: bytes) -> dict[str, Any]:
    try:
        raw = yaml.load(data.decode("utf-8"), Loader=_Loader)
    except UnicodeDecodeError:
        raise SchemeError(Problem("不是 UTF-8 编码的文本", file=name)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise SchemeError(Problem(f"YAML 语法错误：{getattr(error, 'problem', error)}", file=name, row=row)) from None
    except (ValueError, OverflowError) as error:
        raise SchemeError(Problem(f"无效的值（{_yaml_value_reason(error)}）", file=name)) from None
    except RecursionError:
        raise SchemeError(Problem("YAML 嵌套层数过深", file=name)) from None
    if not isinstance(raw, dict):
        raise SchemeError(Problem("顶层应为映射（id、name、stages …）", file=name))
    return raw


def _yaml_value_reason(error: Exception) -> str:
    """A YAML scalar that is not a real value: ``issued: 2017-02-30`` says ``day is out of range for month``."""
    text = str(error)
    if "day is out of range" in text or "month must be" in text:
        return f"日期不存在：{text}；请检查 issued 等日期字段"
    return text


def _with_parent(path: Path, raw: dict[str, Any], search: Sequence[Path], seen: tuple[str, ...],
                 trail: list[tuple[tuple[str, ...], str]], cache_dir: Path | None
                 ) -> tuple[dict[str, Any], tuple[Scheme, ...]]:
    from kaohe.cascade.inherit import InheritError, merge_child

    name, parent_id = str(path), str(raw["parent"])
    chain = (*seen, str(raw.get("id")))
    if parent_id in chain:
        raise SchemeError(Problem(f"上级方案循环：{' → '.join((*chain, parent_id))}", file=name, field="parent"))
    candidates = [directory / f"{parent_id}.yaml" for directory in (path.parent, *search)]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise SchemeError(Problem(f"找不到上级方案 {parent_id!r}（查找了 {', '.join(str(c) for c in candidates)}）", file=name, field="parent"))
    trail.append((tuple(str(c) for c in candidates), str(found)))
    parents = load_scheme_chain(found, search=search, _seen=chain, trail=trail, cache_dir=cache_dir)
    try:
        merged = merge_child(parents[0].model_dump(mode="json", exclude_none=True), raw)
    except InheritError as error:
        raise SchemeError(Problem(error.reason, file=name, field=error.field)) from None
    return merged, parents


def _problem(name: str, raw: dict[str, Any], error: Any) -> Problem:
    location = error["loc"]
    field = field_path(raw, location)
    reason = PYDANTIC_MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
    return Problem(reason, file=name, field=field or None)


def load_scheme(ref: str, directory: Path) -> Scheme:
    """Load a scheme by id or path."""
    return load_scheme_file(find_scheme(ref, directory), search=(directory,))


def load_lineage(ref: str, directory: Path, *, cache_dir: Path | None = None) -> tuple[Scheme, ...]:
    """A scheme by id or path, followed by its parent, grandparent … (a scheme without a parent: itself only);
    ``cache_dir``: see load_scheme_chain."""
    return load_scheme_chain(find_scheme(ref, directory), search=(directory,), cache_dir=cache_dir)


def load_spec(ref: str, directory: Path) -> ScoringSpec | None:
    """The scoring specification of a scheme by id or path (None when its ``scoring:`` is null)."""
    return load_scheme(ref, directory).scoring_spec
