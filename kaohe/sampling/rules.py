"""Sampling rules as data, parsed from the ``sampling`` mapping of a scheme file.

Formats (every key but ``rule`` and the required ones is optional; defaults shown)::

    {"rule": "sichuan_exit_counties", "random_when_none": 2,
     "group_attribute": "city", "exit_attribute": "planned_exit"}
    {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8},
     "kind_attribute": "kind", "group_attribute": null, "within_drawn": {}}
    {"rule": "proportion_stratified", "proportion": "0.2", "stratify_by": [],
     "rounding": "ceil", "minimum_per_stratum": 1, "kinds": []}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, ClassVar, Literal

from kaohe.errors import Problem, SchemeError

ROUNDINGS = ("ceil", "floor", "half_up")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _name_problem(value: object, field_name: str) -> list[Problem]:
    if isinstance(value, str) and value.strip():
        return []
    return [Problem(f"应为非空字符串，实为 {value!r}", field=field_name)]


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise SchemeError(problems)


@dataclass(frozen=True)
class SichuanExitCounties:
    """四川第七条(二): every county planned to exit is inspected; N counties drawn in a city with none."""

    name: ClassVar[str] = "sichuan_exit_counties"
    required: ClassVar[tuple[str, ...]] = ()

    random_when_none: int = 2
    group_attribute: str = "city"
    exit_attribute: str = "planned_exit"

    def __post_init__(self) -> None:
        problems = []
        if not _is_int(self.random_when_none) or not 1 <= self.random_when_none <= 2:
            problems.append(Problem(
                f"应为 1 或 2（来源第七条(二)：对无摘帽任务的市(州)随机抽查1至2个县），实为 {self.random_when_none!r}",
                field="random_when_none",
            ))
        problems += _name_problem(self.group_attribute, "group_attribute")
        problems += _name_problem(self.exit_attribute, "exit_attribute")
        if not problems and self.group_attribute == self.exit_attribute:
            problems.append(Problem("不能与 group_attribute 相同", field="exit_attribute"))
        _raise_if(problems)

    def to_dict(self) -> dict[str, Any]:
        """The rule with every parameter, as a scheme file would hold it."""
        return {"rule": self.name, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class PerGroupFixed:
    """内蒙古：per group (county) draw a fixed number of each kind, e.g. 4 townships and 8 villages."""

    name: ClassVar[str] = "per_group_fixed"
    required: ClassVar[tuple[str, ...]] = ("quotas",)

    quotas: Mapping[str, int]
    kind_attribute: str = "kind"
    group_attribute: str | None = None
    within_drawn: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.quotas, Mapping) or not self.quotas:
            problems.append(Problem("应为非空映射：类型 → 每组抽取数，如 {township: 4, village: 8}", field="quotas"))
        else:
            for kind, count in self.quotas.items():
                problems += _name_problem(kind, "quotas")
                if not _is_int(count) or count < 1:
                    problems.append(Problem(f"应为不小于 1 的整数，实为 {count!r}", field=f"quotas.{kind}"))
        problems += _name_problem(self.kind_attribute, "kind_attribute")
        if self.group_attribute is not None:
            problems += _name_problem(self.group_attribute, "group_attribute")
            if self.group_attribute == self.kind_attribute:
                problems.append(Problem("不能与 kind_attribute 相同", field="group_attribute"))
        problems += self._within_problems()
        _raise_if(problems)
        object.__setattr__(self, "quotas", dict(sorted(self.quotas.items())))
        object.__setattr__(self, "within_drawn", dict(sorted(self.within_drawn.items())))

    def _within_problems(self) -> list[Problem]:
        if not isinstance(self.within_drawn, Mapping):
            return [Problem("应为映射：子类型 → 父类型，如 {village: township}", field="within_drawn")]
        kinds = set(self.quotas) if isinstance(self.quotas, Mapping) else set()
        problems = []
        for child, parent in self.within_drawn.items():
            where = f"within_drawn.{child}"
            if child not in kinds:
                problems.append(Problem(f"子类型 {child!r} 不在 quotas 中", field=where))
            if parent not in kinds:
                problems.append(Problem(f"父类型 {parent!r} 不在 quotas 中", field=where))
            elif parent == child:
                problems.append(Problem("子类型不能限定在自身之内", field=where))
            elif parent in self.within_drawn:
                problems.append(Problem(f"父类型 {parent!r} 本身又受限定，不支持多级限定", field=where))
        return problems

    def kinds_in_draw_order(self) -> list[str]:
        """Kinds that constrain others first, then the constrained ones."""
        return [k for k in self.quotas if k not in self.within_drawn] + list(self.within_drawn)

    def to_dict(self) -> dict[str, Any]:
        """The rule with every parameter, as a scheme file would hold it."""
        return {
            "rule": self.name,
            "quotas": dict(self.quotas),
            "kind_attribute": self.kind_attribute,
            "group_attribute": self.group_attribute,
            "within_drawn": dict(self.within_drawn),
        }


def _to_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class ProportionStratified:
    """弥勒/曲江：a proportion of each stratum, rounded by a stated rule, at least a minimum."""

    name: ClassVar[str] = "proportion_stratified"
    required: ClassVar[tuple[str, ...]] = ("proportion",)

    proportion: Decimal | float | str
    stratify_by: Sequence[str] = ()
    rounding: Literal["ceil", "floor", "half_up"] = "ceil"
    minimum_per_stratum: int = 1
    kinds: Sequence[str] = ()

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.kinds, str) or not isinstance(self.kinds, Sequence):
            problems.append(Problem("应为类别列表，如 [village, household]", field="kinds"))
        else:
            for kind in self.kinds:
                problems += _name_problem(kind, "kinds")
        number = _to_decimal(self.proportion)
        if number is None or not 0 < number <= 1:
            problems.append(Problem(f"应为大于 0、不大于 1 的小数（如 0.2），实为 {self.proportion!r}", field="proportion"))
        if isinstance(self.stratify_by, str) or not isinstance(self.stratify_by, Sequence):
            problems.append(Problem("应为属性名列表，如 [township, kind]", field="stratify_by"))
        else:
            for name in self.stratify_by:
                problems += _name_problem(name, "stratify_by")
            if len(set(self.stratify_by)) != len(self.stratify_by):
                problems.append(Problem("属性名重复", field="stratify_by"))
        if self.rounding not in ROUNDINGS:
            problems.append(Problem(f"应为 {'、'.join(ROUNDINGS)} 之一，实为 {self.rounding!r}", field="rounding"))
        if not _is_int(self.minimum_per_stratum) or self.minimum_per_stratum < 0:
            problems.append(Problem(f"应为不小于 0 的整数，实为 {self.minimum_per_stratum!r}", field="minimum_per_stratum"))
        _raise_if(problems)
        object.__setattr__(self, "proportion", number)
        object.__setattr__(self, "stratify_by", tuple(self.stratify_by))
        object.__setattr__(self, "kinds", tuple(self.kinds))

    def target(self, size: int) -> int:
        """How many to draw from a stratum of ``size`` units: rounded proportion, at least the minimum, at most all."""
        exact = Fraction(Decimal(self.proportion)) * size
        if self.rounding == "ceil":
            rounded = -((-exact.numerator) // exact.denominator)
        elif self.rounding == "floor":
            rounded = exact.numerator // exact.denominator
        else:
            half_up = exact + Fraction(1, 2)
            rounded = half_up.numerator // half_up.denominator
        return min(size, max(self.minimum_per_stratum, rounded))

    def to_dict(self) -> dict[str, Any]:
        """The rule with every parameter; the proportion as an exact decimal string."""
        return {
            "rule": self.name,
            "proportion": format(Decimal(self.proportion).normalize(), "f"),
            "stratify_by": list(self.stratify_by),
            "rounding": self.rounding,
            "minimum_per_stratum": self.minimum_per_stratum,
            **({"kinds": list(self.kinds)} if self.kinds else {}),
        }


Rule = SichuanExitCounties | PerGroupFixed | ProportionStratified
RULE_TYPES: dict[str, type[SichuanExitCounties] | type[PerGroupFixed] | type[ProportionStratified]] = {
    cls.name: cls for cls in (SichuanExitCounties, PerGroupFixed, ProportionStratified)
}


def parse_rule(data: Mapping[str, Any] | Rule, *, file: str | None = None) -> Rule:
    """Build a rule from its dict form; raise SchemeError listing every problem at once."""
    if isinstance(data, SichuanExitCounties | PerGroupFixed | ProportionStratified):
        return data
    if not isinstance(data, Mapping):
        raise SchemeError(Problem(f"抽样规则应为映射（键值对），实为 {type(data).__name__}", file=file, field="rule"))
    name = data.get("rule")
    cls = RULE_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        reason = "缺少规则名" if name is None else f"未知的抽样规则 {name!r}"
        raise SchemeError(Problem(f"{reason}，可选：{'、'.join(RULE_TYPES)}", file=file, field="rule"))
    known = {f.name for f in dataclasses.fields(cls)}
    problems = [Problem(f"规则 {name} 没有这个参数（可用：{'、'.join(sorted(known))}）", file=file, field=str(key))
                for key in data if key != "rule" and key not in known]
    problems += [Problem("缺少必填参数", file=file, field=key) for key in cls.required if key not in data]
    if problems:
        raise SchemeError(problems)
    try:
        return cls(**{key: value for key, value in data.items() if key != "rule"})
    except SchemeError as error:
        raise SchemeError([dataclasses.replace(p, file=file) for p in error.problems]) from None
