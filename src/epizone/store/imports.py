"""Import an areas, cases or counts file into the store: one transaction per file, idempotent.

1. A file whose content (SHA-256) was already imported as the same kind is a no-op.
2. The file is validated as a whole (``records``); any problem raises ``InputError`` listing every bad row,
   and nothing is written.
3. The records are applied as revisions (``revisions.apply``): new keys get revision 1, changed ones
   the next revision (the old version is kept, superseded), unchanged ones are left alone. If nothing
   changed (e.g. the same data exported again), the transaction is rolled back: still a no-op.
4. Otherwise the batch (file, hash, who, when, row counts) and an audit entry are written, and the
   transaction commits. A failure or a kill before the commit leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import Connection, Engine, String, any_, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from epizone.domain.errors import OutsideScope
from epizone.domain.problems import InputError, Problem
from epizone.store import records as readers
from epizone.store import revisions
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import writing
from epizone.store.migrate import require_schema
from epizone.store.models import AreaAlias, AreaRecord, ImportBatch
from epizone.store.revisions import KINDS, Progress

KIND_NAMES = tuple(KINDS)
LOOKUP_CODES = 1_000  # area codes looked up per SQLite query (well within its limit on parameters)


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file: str
    sha256: str
    rows_read: int = 0
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    aliases_new: int = 0
    batch_id: int | None = None         # the batch written, None when nothing changed
    same_file_as: int | None = None     # the earlier batch with the same content, if that is why

    @property
    def changed(self) -> bool:
        return self.batch_id is not None


class _NothingChanged(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def import_file(engine: Engine, kind: str, path: str | Path, user: str, progress: Progress | None = None,
                name: str | None = None, allowed_areas: Collection[str] | None = None) -> ImportResult:
    """Import one file of ``kind`` (areas, cases or counts) as ``user``; raise InputError when it is bad.

    ``name``: what to call the file in the batch and in problems (default: its path), e.g. an upload's name.
    ``allowed_areas``: the only area codes the file may hold (a reporter's scope); OutsideScope otherwise."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of file {kind!r}: expected one of {', '.join(KIND_NAMES)}")
    path = Path(path)
    try:
        digest = _sha256(path)
        with writing(engine) as connection:
            return _import(connection, kind, path, digest, user, progress, allowed_areas, name)
    except _NothingChanged as nothing:
        return replace(nothing.result, file=name or nothing.result.file)
    except InputError as exc:
        if name is None:
            raise
        raise InputError([replace(p, file=name) if p.file == str(path) else p for p in exc.problems]) from None


def _import(connection: Connection, kind: str, path: Path, digest: str, user: str, progress: Progress | None,
            allowed_areas: Collection[str] | None, name: str | None) -> ImportResult:
    require_schema(connection)
    earlier = connection.scalar(select(ImportBatch.id).where(ImportBatch.kind == kind, ImportBatch.sha256 == digest))
    if earlier is not None:
        raise _NothingChanged(ImportResult(kind, str(path), digest, same_file_as=earlier))
    found = _read(connection, kind, path)
    if allowed_areas is not None:
        _check_scope(found, kind, name or str(path), allowed_areas)
    path = Path(name) if name else path
    at = _batch_time(connection)
    batch_id = connection.scalar(insert(ImportBatch).values(
        kind=kind, file_name=str(path), sha256=digest, user_name=user, recorded_at=at, rows_read=found.rows_read,
        rows_new=0, rows_revised=0, rows_unchanged=0).returning(ImportBatch.id))
    applied = revisions.apply(connection, KINDS[kind], found.table, batch_id, at, progress)
    aliases = _add_aliases(connection, found.aliases, batch_id, at)
    unchanged = found.table.num_rows - applied.new - applied.revised
    result = ImportResult(kind, str(path), digest, found.rows_read, applied.new, applied.revised, unchanged,
                          aliases, batch_id)
    if applied.new + applied.revised + aliases == 0:
        raise _NothingChanged(ImportResult(kind, str(path), digest, found.rows_read, unchanged=unchanged))
    connection.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
        rows_new=applied.new, rows_revised=applied.revised, rows_unchanged=unchanged))
    summary = {k: v for k, v in asdict(result).items() if k not in ("kind", "same_file_as")}
    record_audit(connection, user, f"import.{kind}", "import_batch", str(batch_id), None, summary, at)
    return result


def _check_scope(found: readers.Records, kind: str, file: str, allowed: Collection[str]) -> None:
    column = "code" if kind == "areas" else "area_code"
    codes = set(found.table.column(column).to_pylist()) | {code for code, _, _ in found.aliases}
    outside = sorted(codes - set(allowed))
    if outside:
        raise OutsideScope(file, "area code(s)", outside, "nothing was imported")


def _sha256(path: Path) -> str:
    if not path.is_file():
        raise InputError([Problem(str(path), 0, "", 0, "", "an existing file")])
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(connection: Connection, kind: str, path: Path) -> readers.Records:
    if kind == "areas":
        return readers.area_records(path)
    reader = readers.case_records if kind == "cases" else readers.count_records
    return reader(path, lambda codes: _known_areas(connection, codes))


def _known_areas(connection: Connection, codes: list[str]) -> list[str]:
    """Those of ``codes`` that name a current area, looked up through the current-code index: on PostgreSQL
    with one array parameter, on SQLite ``LOOKUP_CODES`` at a time."""
    current = select(AreaRecord.code).where(AreaRecord.superseded_at.is_(None))
    if connection.dialect.name == "postgresql":
        return list(connection.scalars(current.where(AreaRecord.code == any_(literal(codes, ARRAY(String))))))
    return [code for start in range(0, len(codes), LOOKUP_CODES)
            for code in connection.scalars(current.where(AreaRecord.code.in_(codes[start:start + LOOKUP_CODES])))]


def _batch_time(connection: Connection) -> dt.datetime:
    """Now (UTC), but always after the previous batch, so revisions of one record never share a moment."""
    now = utc_now()
    last = connection.scalar(select(func.max(ImportBatch.recorded_at)))
    return max(now, last + dt.timedelta(microseconds=1)) if last is not None else now


def _add_aliases(connection: Connection, aliases: list[tuple[str, str, str]], batch_id: int, at: dt.datetime) -> int:
    if not aliases:
        return 0
    known = set(connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)))
    added = [{"area_code": code, "kind": kind, "alias": alias, "recorded_at": at, "batch_id": batch_id}
             for code, kind, alias in aliases if (code, kind, alias) not in known]
    if added:
        connection.execute(insert(AreaAlias), added)
    return len(added)
