"""The checkpoint key reads the units as it always has: the fast text equals str() of the (code, population) list."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from epizone.domain.model import Area
from epizone.services.resume import areas_text

CODES = st.text(st.sampled_from(["a", "1", "'", '"', "\\", "\n", " ", "名", "\x7f", "\u3000", "é"]), max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(CODES, st.one_of(st.none(), st.integers(0, 10**12))), max_size=8))
def test_areas_text_is_the_list_as_str(pairs: list[tuple[str, int | None]]) -> None:
    units = [Area(code, "name", None, "township", population) for code, population in pairs]
    assert areas_text(units) == str([(u.code, u.population) for u in units])
