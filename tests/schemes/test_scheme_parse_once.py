"""A scheme is parsed once into a value that carries its scoring specification (#9 item 4)."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest

import kaohe.schemes.model as scheme_model
from kaohe.errors import SchemeError
from kaohe.schemes import load_scheme, load_spec, scheme_from_snapshot
from kaohe.scoring.spec import ScoringSpec
from kaohe.settings import PROJECT_ROOT

SCHEMES = PROJECT_ROOT / "schemes"


def test_scoring_does_not_import_schemes() -> None:
    """The dependency runs one way: schemes → scoring (the old loaders imported each other)."""
    code = ("import sys, kaohe.scoring.loader, kaohe.scoring.spec; "
            "print(sorted(m for m in sys.modules if m.startswith('kaohe.schemes')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(("scheme", "has_formula"), [("mile", True), ("sichuan", True), ("ordos", False)])
def test_a_loaded_scheme_carries_its_spec(scheme: str, has_formula: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_scheme(scheme, SCHEMES)
    calls: list[str] = []
    monkeypatch.setattr(scheme_model, "spec_from_mapping", lambda *a, **k: calls.append("parsed"))
    spec = loaded.scoring_spec
    assert (spec is not None) is has_formula
    assert spec is None or (isinstance(spec, ScoringSpec) and spec.scheme == scheme)
    assert loaded.scoring_spec is spec
    assert calls == [], "the loader parsed the scoring section; using it parses nothing again"
    assert (load_spec(scheme, SCHEMES) is not None) is has_formula


def test_a_snapshot_is_validated_once_per_content(monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = load_scheme("mile", SCHEMES).model_dump(mode="json")
    first = scheme_from_snapshot(snapshot)
    calls: list[str] = []
    monkeypatch.setattr(scheme_model, "spec_from_mapping", lambda *a, **k: calls.append("parsed"))
    again = scheme_from_snapshot(copy.deepcopy(snapshot))
    assert again is first and again.scoring_spec is first.scoring_spec
    assert calls == []
    edited = copy.deepcopy(snapshot)
    edited["name"] = edited["name"] + "（修订）"
    monkeypatch.undo()
    other = scheme_from_snapshot(edited)
    assert other is not first and other.name.endswith("（修订）")
    assert other.scoring_spec == first.scoring_spec


def test_a_snapshot_whose_scoring_is_broken_says_so() -> None:
    snapshot = load_scheme("mile", SCHEMES).model_dump(mode="json")
    snapshot["scoring"] = {"formulas": "not a list"}
    with pytest.raises(SchemeError, match="scoring"):
        scheme_from_snapshot(snapshot)
