"""Coded columns: every row's text, and the numbers of distinct texts, whatever the chunks and dictionaries."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings, strategies as st

from epizone.io.columns import Coded, coded, days
from epizone.io.tables import Table

TEXTS = ["a", " a", "a ", "b", "", " ", "\u3000c", "c", "名"]


@st.composite
def chunked(draw) -> pa.ChunkedArray:  # noqa: ANN001
    """Dictionary chunks: some sharing one dictionary (as a Parquet row group's do), nulls, empty dictionaries."""
    shared = pa.array(draw(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=6, unique=True)), pa.string())
    chunks = []
    for _ in range(draw(st.integers(0, 4))):
        own = draw(st.booleans())
        dictionary = shared if not own else pa.array(
            draw(st.lists(st.sampled_from(TEXTS), max_size=6, unique=True)), pa.string())
        n = draw(st.integers(0, 8))
        if len(dictionary) == 0:
            indices = pa.array([None] * n, pa.int32())
        else:
            indices = pa.array([draw(st.one_of(st.none(), st.integers(0, len(dictionary) - 1))) for _ in range(n)],
                               pa.int32())
        chunks.append(pa.DictionaryArray.from_arrays(indices, dictionary))
    return pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))


def _table(column: pa.ChunkedArray) -> Table:
    return Table("t", ["x"], pa.table({"x": column}), 2)


@settings(max_examples=300, deadline=None)
@given(chunked(), st.booleans())
def test_codes_numbers_and_distinct_texts_agree_with_plain_python(column: pa.ChunkedArray, plain: bool) -> None:
    if plain:  # the same column as plain text (an Arrow table from a store)
        column = column.cast(pa.string())
    texts = ["" if v is None else v.strip() for v in column.to_pylist()]
    found = coded(_table(column), "x")
    assert [found.values[c] for c in found.codes.tolist()] == texts
    numbers = found.numbered()
    slow = Coded(found.codes, found.dictionary, unique=False).numbered()  # re-encoding the dictionary
    assert numbers.tolist() == slow.tolist()
    distinct = found.distinct()
    for number, text in zip(numbers.tolist(), texts):
        assert (number == -1) == (text == "")
        if text:
            assert distinct[number] == text
    assert len({n for n in numbers.tolist() if n >= 0}) == len({t for t in texts if t})


def test_native_dates_are_day_numbers_across_chunks() -> None:
    column = pa.chunked_array([pa.array([0, 18262], pa.date32()), pa.array([19000], pa.date32())])
    found, problems = days(_table(column), "x")
    assert found.tolist() == [0, 18262, 19000] and found.dtype == np.int32 and problems == []
