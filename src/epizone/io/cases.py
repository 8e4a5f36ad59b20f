"""The case line list: ``case_id,report_date,area_code,classification,cluster_id`` (+ ``onset_date``, ``imported``)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
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


def load_cases(table: Table, unit_of: dict[str, int]) -> tuple[CaseArrays, list[Problem]]:
    """Validate the line list against the areas (code -> unit index, -1 for none) and encode it."""
    problems: list[Problem] = []
    ids = table.data.column("case_id").cast(pa.string())
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing runs in DuckDB while the rest decodes
        hashes = pool.submit(_hashes, ids)
        found, cases = _decode(table, unit_of, ids, hashes)
    return cases, problems + found


def _decode(table: Table, unit_of: dict[str, int], ids: pa.ChunkedArray, hashes: Future) -> tuple:
    area, unit, problems = checked(table, "area_code", lambda v: unit_of.get(v, BAD), UNKNOWN_AREA)
    report, bad_dates = days(table, "report_date")
    kinds, classification, bad_kinds = one_of(table, "classification", CLASSIFICATIONS)
    problems += bad_dates + bad_kinds
    clusters = coded(table, "cluster_id")
    cluster = clusters.numbered()
    problems += _optional_columns(table)
    filled = ids.fill_null("")
    empty = pc.or_(pc.equal(pc.utf8_length(filled), 0), pc.utf8_is_space(filled)).to_numpy(zero_copy_only=False)
    problems += listed(table, "case_id", np.flatnonzero(empty), lambda rows: [""] * rows.size, "a non-empty case id")
    extra = [coded(table, c) for c in OPTIONAL if table.has(c)]
    keep, dup_problems = _repeated_ids(table, ids, hashes.result(), [area, report, kinds, clusters, *extra])
    problems += dup_problems
    imported = _imported(table)
    cases = CaseArrays(unit[keep].astype(np.int32), report[keep], classification[keep].astype(np.int8),
                       cluster[keep].astype(np.int32), area.codes[keep], area.values,
                       None if imported is None else imported[keep])
    return problems, cases


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
