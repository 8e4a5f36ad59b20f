"""Import an operations file or JSON rows: enterprises, reports, inspections, facilities or supplies.

One transaction per import: the rows are checked as a whole (every bad value reported, as ``InputError``;
rows outside the caller's scope refused as ``OutsideScope``) and nothing is written unless all are good.
Rows identical to what is stored change nothing; every row that changes something gets an audit entry with
the record before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from epizone.ops import enterprises, inspections, reports, supplies
from epizone.ops.access import Actor, require
from epizone.ops.rows import Sheet, read_sheet, sheet_from_rows
from epizone.ops.writes import AuditBuffer, ImportSummary
from epizone.store.audit import utc_now
from epizone.store.db import writing
from epizone.store.migrate import require_schema


@dataclass(frozen=True)
class Kind:
    action: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    check: Callable[[Connection, Sheet, Actor], list[dict[str, Any]]]
    apply: Callable[[Connection, list[dict[str, Any]], AuditBuffer], Any]


KINDS: dict[str, Kind] = {
    "enterprises": Kind("ops_register", enterprises.REQUIRED, enterprises.OPTIONAL, enterprises.check_rows,
                        enterprises.apply_rows),
    "reports": Kind("ops_report", reports.REQUIRED, reports.OPTIONAL, reports.check_rows, reports.apply_rows),
    "inspections": Kind("ops_inspect", inspections.REQUIRED, inspections.OPTIONAL, inspections.check_rows,
                        inspections.apply_rows),
    "facilities": Kind("ops_register", supplies.FACILITY_REQUIRED, supplies.FACILITY_OPTIONAL,
                       supplies.check_facilities, supplies.apply_facilities),
    "supplies": Kind("ops_supplies", supplies.REQUIRED, supplies.OPTIONAL, supplies.check_reports,
                     supplies.apply_reports),
}


def import_ops(engine: Engine, kind: str, source: str | Path | Sequence[Mapping[str, Any]], actor: Actor,
               name: str | None = None) -> ImportSummary:
    """Import a file (path) or JSON rows (a list of objects) of ``kind`` as ``actor``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    spec = KINDS[kind]
    require(actor, spec.action)
    if isinstance(source, (str, Path)):
        sheet = read_sheet(source, spec.required, name)
    else:
        sheet = sheet_from_rows(name or "rows", list(source), spec.required)
    with writing(engine) as connection:
        require_schema(connection)
        records = spec.check(connection, sheet, actor)
        audit = AuditBuffer(actor.name, utc_now())
        counts = spec.apply(connection, records, audit)
        audit.write(connection)
    if isinstance(counts, tuple):
        counts = dict(zip(("new", "changed", "unchanged"), counts))
    main = {k: counts.pop(k) for k in ("new", "changed", "unchanged")}
    return ImportSummary(kind, sheet.file, len(sheet.rows), **main, extra=counts)
