"""Group 3 of issue #11, as properties: names derived from codes and keys never collide on disk."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kaohe.unitcodes import code_problem, key_part, letter_stem


@given(st.text(max_size=80), st.text(max_size=80))
def test_distinct_keys_never_share_a_path_component(first: str, second: str) -> None:
    if first != second:
        assert key_part(first) != key_part(second)
        assert letter_stem(first, "某局") != letter_stem(second, "某局")
    part = key_part(first)
    assert part not in {"", ".", ".."} and "/" not in part and "\\" not in part and len(part.encode()) <= 64


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True), st.text(max_size=40),
       st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True), st.text(max_size=40))
def test_letter_names_are_unique_per_code_whatever_the_unit_names(code1: str, name1: str, code2: str, name2: str) -> None:
    if code1 != code2:
        assert letter_stem(code1, name1) != letter_stem(code2, name2)


@given(st.text(max_size=100))
def test_a_code_accepted_at_import_is_its_own_path_component(code: str) -> None:
    if code_problem(code) is None:
        assert key_part(code) == code
