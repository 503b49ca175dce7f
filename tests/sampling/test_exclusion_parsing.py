"""``编码:理由`` lines as exclusions, one parser for the CLI (--exclude) and the portal (a text area)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import InputError
from kaohe.sampling import Exclusion
from kaohe.sampling.units import parse_exclusions

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=":：\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
               min_size=1, max_size=20).filter(lambda t: t.strip() != "")


@given(st.lists(st.tuples(TEXT, TEXT, st.sampled_from([":", "："])), max_size=5))
def test_well_formed_lines_give_their_exclusions_in_order(pairs: list[tuple[str, str, str]]) -> None:
    lines = [f"{code}{colon}{reason}" for code, reason, colon in pairs]
    assert parse_exclusions(lines, field="--exclude") == [Exclusion(c.strip(), r.strip()) for c, r, _ in pairs]


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_every_line_without_a_reason_is_named_and_blank_lines_are_skipped(codes: list[str]) -> None:
    lines = ["", *codes, "  "]
    with pytest.raises(InputError) as raised:
        parse_exclusions(lines, field="排除单位", numbered=True)
    details = raised.value.details()
    assert len(details) == len(codes)
    assert all(f"第{n}行" in line and "应写成 单位编码:排除理由" in line for n, line in zip(range(2, len(codes) + 2), details, strict=True))
