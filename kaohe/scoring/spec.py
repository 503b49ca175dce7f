"""The ``scoring:`` section of a scheme file: formulas, items, grades, quotas and multi-year rules as data."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from kaohe.scoring.numbers import (
    CountRounding,
    RoundingMode,
    count_of,
    to_decimal,
    to_fraction,
)

Number = Annotated[Decimal, BeforeValidator(to_decimal), PlainSerializer(lambda d: format(d, "f"), return_type=str)]
Ratio = Annotated[Fraction, BeforeValidator(to_fraction), PlainSerializer(str, return_type=str)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]

TIE_KEYS_FIXED = ("total", "first_component", "unit")


def normalize_label(text: str) -> str:
    """A label as compared when matching user text: NFKC, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True)


class Assumption(_Spec):
    """A choice the source leaves open, the value taken and why (shown in every report)."""

    id: str
    text: str


class ScaleLevel(_Spec):
    """One level of a lookup scale, e.g. ``A1`` = 100."""

    code: str
    value: Number
    label: str | None = None


class Scale(_Spec):
    """A lookup scale that turns a letter code into a score (Inner Mongolia annex 2)."""

    id: Ident
    name: str
    levels: list[ScaleLevel] = Field(min_length=1)
    accept_values: bool = Field(default=True, description="a number equal to one level's value is accepted too")

    def lookup(self, text: str) -> ScaleLevel | None:
        """The level whose code matches ``text`` (full-width and case ignored)."""
        key = normalize_label(text)
        return next((level for level in self.levels if normalize_label(level.code) == key), None)


class Component(_Spec):
    """A weighted component: its input lies in [min, max] and counts ``weight`` percent."""

    id: Ident
    name: str
    weight: Number = Field(gt=0, description="percent, e.g. 30 for ×30%")
    min: Number = Decimal(0)
    max: Number = Decimal(100)
    category: str | None = None
    scale: str | None = None
    note: str | None = None


class Reallocation(_Spec):
    """Components that may be missing (no task this year); their weight goes pro rata to those present."""

    id: Ident
    name: str
    components: list[str] = Field(min_length=2)
    min_present: int = Field(default=1, ge=1)
    note: str | None = None


class Formula(_Spec):
    """How one kind of unit is scored: components, reallocation and caps."""

    id: Ident
    name: str
    components: list[Component] = Field(min_length=1)
    reallocations: list[Reallocation] = Field(default_factory=list)
    bonus_cap: Number | None = None
    penalty_cap: Number | None = None
    total_cap: Number | None = None
    total_floor: Number | None = None

    def component(self, component_id: str) -> Component | None:
        """The component with this id, if the formula has one."""
        return next((c for c in self.components if c.id == component_id), None)

    @model_validator(mode="after")
    def _consistent(self) -> Formula:
        ids = [c.id for c in self.components]
        if len(set(ids)) != len(ids):
            raise ValueError(f"计分公式 {self.id} 的分项 id 重复")
        total = sum((c.weight for c in self.components), Decimal(0))
        if total != 100:
            raise ValueError(f"计分公式 {self.id} 的权重合计为 {total}%，应为 100%")
        seen: set[str] = set()
        for group in self.reallocations:
            for component_id in group.components:
                if component_id not in ids:
                    raise ValueError(f"折算组 {group.id} 引用了不存在的分项 {component_id!r}")
                if component_id in seen:
                    raise ValueError(f"分项 {component_id} 属于多个折算组")
                seen.add(component_id)
            if group.min_present > len(group.components):
                raise ValueError(f"折算组 {group.id} 的 min_present 大于其分项数")
        for component in self.components:
            if component.min >= component.max:
                raise ValueError(f"分项 {component.id} 的 min 应小于 max")
        return self


class Item(_Spec):
    """A bonus or penalty item: a flag or a count worth ``points`` each, or an amount up to ``max``."""

    id: Ident
    name: str
    kind: Literal["flag", "count", "amount"] = "flag"
    points: Number | None = Field(default=None, gt=0)
    max_count: int = Field(default=1, ge=1)
    max: Number | None = Field(default=None, gt=0)
    applies_to: list[str] | None = Field(default=None, description="formula ids; default: every formula")
    exclusive: str | None = Field(default=None, description="items sharing this key cannot both apply to a unit")
    note: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Item:
        if self.kind == "amount":
            if self.max is None or self.points is not None:
                raise ValueError(f"加减分项 {self.id}：amount 类型须给 max，不给 points")
        elif self.points is None or self.max is not None:
            raise ValueError(f"加减分项 {self.id}：{self.kind} 类型须给 points，不给 max")
        if self.kind == "flag" and self.max_count != 1:
            raise ValueError(f"加减分项 {self.id}：flag 类型的 max_count 只能为 1")
        return self

    def applies(self, formula_id: str) -> bool:
        """Whether this item can apply to a unit scored by ``formula_id``."""
        return self.applies_to is None or formula_id in self.applies_to


class GroupKind(_Spec):
    """A kind of group (e.g. 贫困乡镇, 市州, 队长): its formula, and whether input may name new groups of it."""

    id: Ident
    name: str
    formula: str
    open: bool = Field(default=False, description="input rows may name groups of this kind not listed in fixed")
    aliases: list[str] = Field(default_factory=list)


class FixedGroup(_Spec):
    """A group known in advance (a region, a sequence)."""

    id: Ident
    name: str
    kind: str
    aliases: list[str] = Field(default_factory=list)


class Groups(_Spec):
    """The kinds of groups and the groups known in advance."""

    kinds: list[GroupKind] = Field(min_length=1)
    fixed: list[FixedGroup] = Field(default_factory=list)


class Band(_Spec):
    """A grade band as the source writes it; ``min`` and ``max`` are inclusive, either may be absent."""

    grade: str
    min: Number | None = None
    max: Number | None = None
    source_text: str | None = None

    def contains(self, total: Decimal) -> bool:
        """Whether ``total`` lies in this band."""
        return (self.min is None or total >= self.min) and (self.max is None or total <= self.max)

    def describe(self) -> str:
        """The band in words, e.g. ``80–89分（含两端）``."""
        if self.source_text:
            return self.source_text
        if self.min is not None and self.max is not None:
            return f"{self.min}–{self.max}分（含两端）"
        if self.min is not None:
            return f"{self.min}分及以上"
        return f"{self.max}分及以下"


GapPolicy = Literal["lower", "upper", "round", "error"]
GAP_POLICY_NAMES = {
    "lower": "落入两个原文区间之间的分数取较低等次",
    "upper": "落入两个原文区间之间的分数取较高等次",
    "round": "先将总分四舍五入到整数再套用原文区间",
    "error": "落入区间之间的分数不予评定，报错待人工认定",
}


class Grades(_Spec):
    """Grade bands from best to worst and what to do with a total between two bands."""

    bands: list[Band] = Field(min_length=2)
    gap_policy: GapPolicy = "lower"

    @model_validator(mode="after")
    def _ordered(self) -> Grades:
        names = [b.grade for b in self.bands]
        if len(set(names)) != len(names):
            raise ValueError("等次名称重复")
        previous_min: Decimal | None = None
        for index, band in enumerate(self.bands):
            if band.min is None and index != len(self.bands) - 1:
                raise ValueError(f"等次 {band.grade} 缺少 min：只有最低等次可以没有下限")
            if band.min is not None and band.max is not None and band.min > band.max:
                raise ValueError(f"等次 {band.grade} 的 min 大于 max")
            if previous_min is not None and band.max is not None and band.max >= previous_min:
                raise ValueError(f"等次 {band.grade} 与上一等次重叠")
            if previous_min is not None and band.min is not None and band.min >= previous_min:
                raise ValueError("等次应按分数从高到低排列")
            previous_min = band.min
        return self

    def names(self) -> list[str]:
        """The grades, best first."""
        return [b.grade for b in self.bands]


class CountRule(_Spec):
    """A number of places: a fixed count, or a fraction of the group's size rounded as stated."""

    count: int | None = Field(default=None, ge=0)
    fraction: Ratio | None = None
    rounding: CountRounding = "floor"
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> CountRule:
        if (self.count is None) == (self.fraction is None):
            raise ValueError("名额规则须给出 count 或 fraction 之一")
        if self.fraction is not None and not 0 <= self.fraction <= 1:
            raise ValueError("fraction 应在 0 与 1 之间")
        return self

    def places(self, size: int) -> int:
        """Places for a group of ``size`` units."""
        if self.count is not None:
            return self.count
        assert self.fraction is not None
        return count_of(size, self.fraction, self.rounding)


class GradeQuota(_Spec):
    """At most so many units of a group keep ``grade``; the others get ``over_quota_grade``."""

    grade: str
    over_quota_grade: str
    per_kind: dict[str, CountRule]


class Selection(_Spec):
    """Picking units by rank: advanced units, the bottom of a group, recommended collectives."""

    id: Ident
    name: str
    scope: Literal["group", "all"] = "group"
    direction: Literal["top", "bottom"] = Field(default="top", alias="from")
    count: CountRule | None = None
    per_kind: dict[str, CountRule] | None = None
    eligible_grades: list[str] | None = None
    exclude_flags: list[str] = Field(default_factory=list)
    refill: bool = Field(default=True, description="a place an ineligible unit cannot take passes to the next unit")
    negative: bool = Field(default=False, description="being picked is a problem (bottom of the ranking), not a distinction")
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Selection:
        if (self.count is None) == (self.per_kind is None):
            raise ValueError(f"选取规则 {self.id} 须给出 count 或 per_kind 之一")
        if self.scope == "all" and self.per_kind is not None:
            raise ValueError(f"选取规则 {self.id}：scope 为 all 时只能用 count")
        return self

    def rule_for(self, kind: str) -> CountRule | None:
        """The count rule for a group of ``kind`` (None: this selection does not apply to it)."""
        if self.count is not None:
            return self.count
        assert self.per_kind is not None
        return self.per_kind.get(kind)


class InputFlag(_Spec):
    """A yes/no fact about a unit given in the input, e.g. leadership under accountability."""

    id: Ident
    name: str
    note: str | None = None


class MultiYearRule(_Spec):
    """A consequence when a unit was in ``selection`` this year and the year before."""

    id: Ident
    name: str
    selection: str
    consecutive_years: Literal[2] = 2
    note: str | None = None


class Ranking(_Spec):
    """Order within a group: published total, then the tie-break keys, last the unit code."""

    tie_break: list[str] = Field(default_factory=lambda: ["total", "first_component", "unit"])
    overall: bool = Field(default=False, description="also rank all units together")

    @model_validator(mode="after")
    def _keys(self) -> Ranking:
        if not self.tie_break or self.tie_break[0] != "total" or self.tie_break[-1] != "unit":
            raise ValueError("tie_break 须以 total 开头、以 unit 结尾")
        for key in self.tie_break:
            if key not in TIE_KEYS_FIXED and not key.startswith(("component:", "category:")):
                raise ValueError(f"未知的 tie_break 键 {key!r}")
        return self


class ScoringSpec(_Spec):
    """A scheme's whole ``scoring:`` section."""

    scheme: str = ""
    precision: int = Field(default=2, ge=0, le=6)
    rounding: RoundingMode = "ROUND_HALF_UP"
    display_precision: int = Field(default=4, ge=0, le=8, description="decimals shown for contributions")
    formulas: list[Formula] = Field(min_length=1)
    scales: list[Scale] = Field(default_factory=list)
    bonus: list[Item] = Field(default_factory=list)
    penalty: list[Item] = Field(default_factory=list)
    input_flags: list[InputFlag] = Field(default_factory=list)
    groups: Groups
    grades: Grades | None = None
    grade_quotas: list[GradeQuota] = Field(default_factory=list)
    selections: list[Selection] = Field(default_factory=list)
    multi_year: list[MultiYearRule] = Field(default_factory=list)
    ranking: Ranking = Field(default_factory=Ranking)
    assumptions: list[Assumption] = Field(default_factory=list)

    def formula(self, formula_id: str) -> Formula:
        """The formula with this id."""
        return next(f for f in self.formulas if f.id == formula_id)

    def kind(self, kind_id: str) -> GroupKind:
        """The group kind with this id."""
        return next(k for k in self.groups.kinds if k.id == kind_id)

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id."""
        return next(s for s in self.scales if s.id == scale_id)

    def items(self) -> list[tuple[Literal["bonus", "penalty"], Item]]:
        """Every bonus and penalty item, bonus first."""
        return [("bonus", i) for i in self.bonus] + [("penalty", i) for i in self.penalty]

    def selection(self, selection_id: str) -> Selection:
        """The selection with this id."""
        return next(s for s in self.selections if s.id == selection_id)

    @model_validator(mode="after")
    def _references(self) -> ScoringSpec:
        formula_ids = _unique([f.id for f in self.formulas], "计分公式")
        scale_ids = _unique([s.id for s in self.scales], "评价对照表")
        kind_ids = _unique([k.id for k in self.groups.kinds], "分组类型")
        _unique([g.id for g in self.groups.fixed], "分组")
        item_ids = _unique([i.id for _, i in self.items()], "加减分项")
        flag_ids = _unique([f.id for f in self.input_flags], "输入标记")
        selection_ids = _unique([s.id for s in self.selections], "选取规则")
        _unique([m.id for m in self.multi_year], "连续年度规则")
        names: dict[str, str] = {}
        for formula in self.formulas:
            for component in formula.components:
                if names.setdefault(component.id, component.name) != component.name:
                    raise ValueError(f"分项 id {component.id} 在不同公式中名称不同")
                if component.scale is not None and component.scale not in scale_ids:
                    raise ValueError(f"分项 {component.id} 引用了不存在的对照表 {component.scale!r}")
        _no_clash(names, item_ids, flag_ids)
        for _, item in self.items():
            for formula_id in item.applies_to or []:
                if formula_id not in formula_ids:
                    raise ValueError(f"加减分项 {item.id} 的 applies_to 引用了不存在的公式 {formula_id!r}")
        for kind in self.groups.kinds:
            if kind.formula not in formula_ids:
                raise ValueError(f"分组类型 {kind.id} 引用了不存在的公式 {kind.formula!r}")
        for group in self.groups.fixed:
            if group.kind not in kind_ids:
                raise ValueError(f"分组 {group.id} 引用了不存在的分组类型 {group.kind!r}")
        grades = self.grades.names() if self.grades else []
        for quota in self.grade_quotas:
            for grade in (quota.grade, quota.over_quota_grade):
                if grade not in grades:
                    raise ValueError(f"名额规则引用了未定义的等次 {grade!r}")
            _known_kinds(quota.per_kind, kind_ids, f"等次名额（{quota.grade}）")
        for selection in self.selections:
            if selection.per_kind is not None:
                _known_kinds(selection.per_kind, kind_ids, f"选取规则 {selection.id}")
            for grade in selection.eligible_grades or []:
                if grade not in grades:
                    raise ValueError(f"选取规则 {selection.id} 引用了未定义的等次 {grade!r}")
            for flag in selection.exclude_flags:
                if flag not in flag_ids:
                    raise ValueError(f"选取规则 {selection.id} 引用了未定义的输入标记 {flag!r}")
        for rule in self.multi_year:
            if rule.selection not in selection_ids:
                raise ValueError(f"连续年度规则 {rule.id} 引用了不存在的选取规则 {rule.selection!r}")
        for key in self.ranking.tie_break:
            if key.startswith("component:") and key.removeprefix("component:") not in names:
                raise ValueError(f"tie_break 引用了不存在的分项 {key!r}")
            categories = {c.category for f in self.formulas for c in f.components}
            if key.startswith("category:") and key.removeprefix("category:") not in categories:
                raise ValueError(f"tie_break 引用了不存在的类别 {key!r}")
        return self


def _unique(ids: list[str], what: str) -> set[str]:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} id 重复：{', '.join(dupes)}")
    return set(ids)


def _no_clash(components: dict[str, str], items: set[str], flags: set[str]) -> None:
    clash = (set(components) & items) | (set(components) & flags) | (items & flags)
    if clash:
        raise ValueError(f"分项、加减分项与输入标记的 id 不能相同：{', '.join(sorted(clash))}")


def _known_kinds(per_kind: dict[str, CountRule], kind_ids: set[str], what: str) -> None:
    unknown = sorted(set(per_kind) - kind_ids)
    if unknown:
        raise ValueError(f"{what} 引用了不存在的分组类型：{', '.join(unknown)}")
