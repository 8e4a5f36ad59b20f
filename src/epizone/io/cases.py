"""The case line list: ``case_id,report_date,area_code,classification,cluster_id`` (+ ``onset_date``, ``imported``)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.problems import Problem
from epizone.io.columns import BAD, Coded, coded, days, listed, one_of, rejected
from epizone.io.tables import Table
from epizone.io.units import UNKNOWN_AREA, UnitIndex, area_units

COLUMNS = ["case_id", "report_date", "area_code", "classification", "cluster_id"]
OPTIONAL = ("onset_date", "imported")
CODED = ("report_date", "area_code", "classification", "cluster_id", "onset_date", "imported")
CLASSIFICATIONS = ("confirmed", "asymptomatic")
BOOLEAN_TEXT = ("", "true", "false", "1", "0", "yes", "no", "y", "n", "t", "f")
TRUE_TEXT = ("true", "1", "yes", "y", "t")


@dataclass
class CaseArrays:
    """One entry per distinct case. ``unit`` is -1 where the area has no ancestor-or-self of the unit kind."""

    unit: np.ndarray            # int32
    day: np.ndarray             # int32, days since 1970-01-01
    classification: np.ndarray  # int8, index into CLASSIFICATIONS
    cluster: np.ndarray         # int32, -1 when in no known cluster
    area: np.ndarray            # int64, index into area_codes
    area_codes: list[str]
    imported: np.ndarray | None = None  # bool, True where ``imported`` says true (None: no such column)

    def kept(self, keep: np.ndarray) -> "CaseArrays":
        """The cases where ``keep`` is true."""
        return CaseArrays(self.unit[keep], self.day[keep], self.classification[keep], self.cluster[keep],
                          self.area[keep], self.area_codes, None if self.imported is None else self.imported[keep])


def load_cases(table: Table, unit_of: Mapping[str, int] | UnitIndex) -> tuple[CaseArrays, list[Problem]]:
    """Validate the line list against the areas (code -> unit index, -1 for none) and encode it.

    A validated table (one row per case id, as the store keeps them) is encoded without the checks a
    file needs (ids, repeated ids, optional columns); its area codes, dates and classifications are
    still mapped, so a value the engine cannot use is still reported."""
    if table.validated:
        cases, _, problems = _encode(table, unit_of)
        return cases, problems
    ids = table.data.column("case_id").cast(pa.string())
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing runs in DuckDB while the rest decodes
        hashes = pool.submit(_hashes, ids)
        cases, parts, problems = _encode(table, unit_of)
        problems += _optional_columns(table) + _empty_ids(table, ids)
        extra = [coded(table, c) for c in OPTIONAL if table.has(c)]
        keep, repeated = _repeated_ids(table, ids, hashes.result(), [*parts, *extra])
    return cases.kept(keep), problems + repeated


def _encode(table: Table, unit_of: Mapping[str, int] | UnitIndex) -> tuple[CaseArrays, list, list[Problem]]:
    """Every row encoded, the columns that make a case's content, and the problems of mapping them."""
    area, unit, problems = area_units(table, "area_code", unit_of)
    report, bad_dates = days(table, "report_date")
    kinds, classification, bad_kinds = one_of(table, "classification", CLASSIFICATIONS)
    clusters = coded(table, "cluster_id")
    cases = CaseArrays(unit.astype(np.int32, copy=False), report, classification.astype(np.int8),
                       clusters.numbered().astype(np.int32, copy=False), area.codes, area.values, _imported(table))
    return cases, [area, report, kinds, clusters], problems + bad_dates + bad_kinds


def _empty_ids(table: Table, ids: pa.ChunkedArray) -> list[Problem]:
    filled = ids.fill_null("")
    empty = pc.or_(pc.equal(pc.utf8_length(filled), 0), pc.utf8_is_space(filled)).to_numpy(zero_copy_only=False)
    return listed(table, "case_id", np.flatnonzero(empty), lambda rows: [""] * rows.size, "a non-empty case id")


def _optional_columns(table: Table) -> list[Problem]:
    problems: list[Problem] = []
    if table.has("onset_date"):
        problems += days(table, "onset_date", optional=True)[1]
    if table.has("imported"):
        flags = coded(table, "imported")
        bad = flags.mapped(lambda v: 0 if v.lower() in BOOLEAN_TEXT else BAD) == BAD
        problems += rejected(table, "imported", flags, bad, "true or false (or 1/0, yes/no), or empty")
    return problems


def _imported(table: Table) -> np.ndarray | None:
    if not table.has("imported"):
        return None
    return coded(table, "imported").mapped(lambda v: int(v.lower() in TRUE_TEXT)) == 1


def _hashes(ids: pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of every case id, computed by DuckDB on all cores."""
    import duckdb  # only here: a cold import costs a noticeable share of a small run

    con = duckdb.connect()
    try:
        con.register("ids", pa.table({"id": ids}))
        return con.execute("SELECT hash(id) AS h FROM ids").fetchnumpy()["h"]
    finally:
        con.close()


def _repeated_ids(table: Table, ids: pa.ChunkedArray, hashes: np.ndarray,
                  content: list) -> tuple[np.ndarray, list[Problem]]:
    """Find case ids used more than once: identical repeats are dropped, differing ones are errors.

    Candidates come from a 64-bit hash of every id (DuckDB) and one NumPy sort; only the few rows
    whose hash repeats are compared as text, so a hash collision can never merge two cases.
    """
    keep = np.ones(len(ids), dtype=bool)
    rows = _repeated_hashes(hashes)
    if rows.size == 0:
        return keep, []
    texts = ids.take(pa.array(rows)).to_pylist()
    signature = list(zip(*[_row_values(part, rows) for part in content]))
    first: dict[str, tuple[int, tuple]] = {}
    conflicts: list[int] = []
    for row, text, sig in zip(rows.tolist(), texts, signature):
        if text not in first:
            first[text] = (row, sig)
            continue
        keep[row] = False
        if sig != first[text][1]:
            conflicts.append(row)
    first_line = {row: first[text][0] + table.first_line for row, text in zip(rows.tolist(), texts)}
    problems = [Problem(p.file, p.line, p.column, p.column_number, p.value,
                        f"the case id is already used on line {first_line[p.line - table.first_line]} "
                        f"with different content", p.more)
                for p in listed(table, "case_id", np.array(conflicts, dtype=np.int64),
                                lambda r: ids.take(pa.array(r, pa.int64())).to_pylist(), "")]
    return keep, problems


def _repeated_hashes(hashes: np.ndarray) -> np.ndarray:
    """The rows (ascending) whose 64-bit hash is also another row's.

    Sorting the hashes' upper 32 bits is three times faster than sorting the whole hashes; the rows whose
    upper half repeats (the true repeats and a few thousand chance pairs in 5 million) are then compared
    on all 64 bits."""
    high = (hashes >> np.uint64(32)).astype(np.uint32)
    candidates = _rows_with(high, _repeats(np.sort(high)))
    exact = hashes[candidates]
    return candidates[np.isin(exact, _repeats(np.sort(exact)))]


def _repeats(ordered: np.ndarray) -> np.ndarray:
    """The values found more than once in a sorted array, once each."""
    return np.unique(ordered[1:][ordered[1:] == ordered[:-1]])


def _rows_with(keys: np.ndarray, repeated: np.ndarray) -> np.ndarray:
    """Rows whose key is one of the (few, sorted) repeated keys: a bit-table pre-filter, then exact."""
    if repeated.size == 0:
        return np.zeros(0, dtype=np.int64)
    bits = keys.dtype.type((1 << 22) - 1)
    table = np.zeros(1 << 22, dtype=bool)
    table[(repeated & bits).astype(np.int64)] = True
    candidates = np.flatnonzero(table[(keys & bits).astype(np.int64)])
    slot = np.minimum(np.searchsorted(repeated, keys[candidates]), repeated.size - 1)
    return candidates[repeated[slot] == keys[candidates]]


def _row_values(part, rows: np.ndarray) -> list:  # noqa: ANN001
    return part.value_of(rows) if isinstance(part, Coded) else part[rows].tolist()
