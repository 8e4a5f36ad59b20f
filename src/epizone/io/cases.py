"""The case line list: ``case_id,report_date,area_code,classification,cluster_id`` (+ ``onset_date``, ``imported``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.problems import Problem
from epizone.io.columns import BAD, Coded, checked, coded, days, listed, one_of, rejected
from epizone.io.tables import Table

COLUMNS = ["case_id", "report_date", "area_code", "classification", "cluster_id"]
OPTIONAL = ("onset_date", "imported")
CODED = ("report_date", "area_code", "classification", "cluster_id", "onset_date", "imported")
CLASSIFICATIONS = ("confirmed", "asymptomatic")
BOOLEAN_TEXT = ("", "true", "false", "1", "0", "yes", "no", "y", "n", "t", "f")
TRUE_TEXT = ("true", "1", "yes", "y", "t")
UNKNOWN_AREA = "the code of an area in the areas file"


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


def load_cases(table: Table, unit_of: dict[str, int]) -> tuple[CaseArrays, list[Problem]]:
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


def _encode(table: Table, unit_of: dict[str, int]) -> tuple[CaseArrays, list, list[Problem]]:
    """Every row encoded, the columns that make a case's content, and the problems of mapping them."""
    area, unit, problems = checked(table, "area_code", lambda v: unit_of.get(v, BAD), UNKNOWN_AREA)
    report, bad_dates = days(table, "report_date")
    kinds, classification, bad_kinds = one_of(table, "classification", CLASSIFICATIONS)
    clusters = coded(table, "cluster_id")
    cases = CaseArrays(unit.astype(np.int32), report, classification.astype(np.int8),
                       clusters.numbered().astype(np.int32), area.codes, area.values, _imported(table))
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
    ordered = np.sort(hashes)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if repeated.size == 0:
        return keep, []
    rows = _rows_with(hashes, repeated)
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


def _rows_with(hashes: np.ndarray, repeated: np.ndarray) -> np.ndarray:
    """Rows whose hash is one of the (few, sorted) repeated hashes: a bit-table pre-filter, then exact."""
    bits = np.uint64((1 << 22) - 1)
    table = np.zeros(1 << 22, dtype=bool)
    table[(repeated & bits).astype(np.int64)] = True
    candidates = np.flatnonzero(table[(hashes & bits).astype(np.int64)])
    slot = np.minimum(np.searchsorted(repeated, hashes[candidates]), repeated.size - 1)
    return candidates[repeated[slot] == hashes[candidates]]


def _row_values(part, rows: np.ndarray) -> list:  # noqa: ANN001
    return part.value_of(rows) if isinstance(part, Coded) else part[rows].tolist()
