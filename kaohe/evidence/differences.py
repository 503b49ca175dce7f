"""Self-score against verified score, item by item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ItemDifference:
    """One item: the unit's self-score, the verifier's score and verified − self (None where either is missing)."""

    item_id: str
    item_name: str
    self_score: Decimal | None
    verified_score: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        """Verified minus self; None unless both are known."""
        if self.self_score is None or self.verified_score is None:
            return None
        return self.verified_score - self.self_score

    @property
    def changed(self) -> bool:
        """Whether the verifier's score differs from the unit's (or only one of them exists)."""
        return self.self_score != self.verified_score

    def to_json(self) -> dict[str, Any]:
        """As JSON, decimals as text."""
        return {"item": self.item_id, "name": self.item_name, "self": _text(self.self_score),
                "verified": _text(self.verified_score), "difference": _text(self.difference), "changed": self.changed}


@dataclass(frozen=True)
class ScoreComparison:
    """Every item's difference and the totals."""

    items: tuple[ItemDifference, ...]

    @property
    def self_total(self) -> Decimal | None:
        """Sum of the self-scores (None when there are none)."""
        scores = [i.self_score for i in self.items if i.self_score is not None]
        return sum(scores, Decimal(0)) if scores else None

    @property
    def verified_total(self) -> Decimal:
        """Sum of the verified scores."""
        return sum((i.verified_score for i in self.items if i.verified_score is not None), Decimal(0))

    @property
    def changed(self) -> tuple[ItemDifference, ...]:
        """The items where the verifier and the unit disagree."""
        return tuple(i for i in self.items if i.changed)

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {"items": [i.to_json() for i in self.items], "self_total": _text(self.self_total),
                "verified_total": _text(self.verified_total), "changed": len(self.changed)}


def compare_scores(order: Sequence[tuple[str, str]], self_scores: Mapping[str, Decimal | None],
                   verified: Mapping[str, Decimal | None]) -> ScoreComparison:
    """Pair self and verified scores for each ``(item_id, item_name)`` in ``order``."""
    return ScoreComparison(tuple(
        ItemDifference(item_id, name, self_scores.get(item_id), verified.get(item_id)) for item_id, name in order
    ))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
