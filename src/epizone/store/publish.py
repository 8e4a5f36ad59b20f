"""Publishing a run's levels for a date, and retracting a publication, each with its announcement.

Publishing compares the run's levels on the date with the published levels in force on the effective
date, stores the publication (every area with the level it had before) and an announcement of the changes
with the measures now in force, in Chinese and English, as text and JSON. Announcements are never changed:
a publication is withdrawn by a new announcement of kind ``retraction``, and its areas go back to the
levels published before it. Only the latest publication in force can be retracted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select

from epizone.domain.errors import Conflict, InvalidInput, NotFound
from epizone.domain.rules import RuleSet
from epizone.store import announce
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.changes import change_line, listed, reverted, without
from epizone.store.levels import active, reads_current, require_kept
from epizone.store.measures import measures_in
from epizone.store.migrate import require_schema
from epizone.store.models import Announcement, AssessedLevel, CurrentLevel, Publication, PublishedLevel
from epizone.store.readmodel import restore_current, write_current
from epizone.store.runs import RunInfo, run_in, run_rule_set


class PublishError(InvalidInput):
    """The request cannot be satisfied as asked (a date outside the run, nothing to publish)."""


class PublishConflict(PublishError, Conflict):
    """It conflicts with what is published (a later publication is in force, already retracted, ...)."""


class AnnouncementNotFound(NotFound):
    pass


@dataclass(frozen=True)
class AnnouncementInfo:
    number: int
    kind: str
    publication_id: int
    retracts: int | None          # the number of the retracted announcement
    date: dt.date
    effective_date: dt.date
    rule_set: str
    text_zh: str
    text_en: str
    body: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    retracted_by: int | None = None  # the number of the retraction, if any


@dataclass(frozen=True)
class Published:
    announcement: AnnouncementInfo
    created: bool  # False when the same run, date and effective date was the latest publication already


def publish(engine: Engine, run_id: int, date: dt.date, by: str, effective_date: dt.date | None = None) -> Published:
    """Publish run ``run_id``'s levels on ``date``, in force from ``effective_date`` (default: ``date``)."""
    effective = effective_date or date
    with writing(engine) as connection:
        require_schema(connection)
        run = run_in(connection, run_id)
        if not run.start_date <= date <= run.end_date:
            raise PublishError(f"date {date}: run {run_id} graded {run.start_date} to {run.end_date}")
        latest = _latest(connection)
        if latest is not None and latest.effective_date > effective:
            raise PublishConflict(f"announcement No. {latest.number} is in force from {latest.effective_date}, "
                                  f"after {effective}: publish with an effective date on or after it")
        if latest is not None and (latest.run_id, latest.date, latest.effective_date) == (run_id, date, effective):
            return Published(_announcement(connection, latest.number), False)
        compared = _compared(connection, run, date, effective)
        changed = compared.changed
        rules = run_rule_set(connection, run_id)
        at = utc_now()
        publication_id = connection.scalar(insert(Publication).values(
            run_id=run_id, date=date, effective_date=effective, published_by=by, published_at=at)
            .returning(Publication.id))
        number = _next_number(connection)
        written = [{"publication_id": publication_id, "area_code": r.area_code, "area_name": r.area_name,
                    "level": r.level, "previous_level": r.previous_level, "reason_code": r.reason_code,
                    "reason_en": r.reason_en, "reason_zh": r.reason_zh} for r in changed]
        if written:
            connection.execute(insert(PublishedLevel), written)
        write_current(connection, ({**w, "run_id": run_id, "assessed_date": date, "effective_date": effective,
                                    "announcement": number} for w in written))
        body = _publish_body(connection, number, run, rules, date, effective, compared, written, by, at)
        info = _insert(connection, number, "publish", publication_id, None, date, effective, rules.ref, body, by, at)
        record_audit(connection, by, "publish", "announcement", str(number), None,
                     {"number": number, "run_id": run_id, "date": date.isoformat(),
                      "effective_date": effective.isoformat(), "changes": len(written)}, at)
    return Published(info, True)


def retract(engine: Engine, number: int, by: str, reason: str) -> AnnouncementInfo:
    """Withdraw the publication of announcement ``number`` with a new retraction announcement."""
    reason = (reason or "").strip()
    if not reason:
        raise PublishError("a retraction needs a reason")
    with writing(engine) as connection:
        require_schema(connection)
        target = _announcement(connection, number)
        if target.kind != "publish":
            raise PublishConflict(f"announcement No. {number} is a retraction: only a publication can be retracted")
        if target.retracted_by is not None:
            raise PublishConflict(f"announcement No. {number} was retracted by announcement No. {target.retracted_by}")
        latest = _latest(connection)
        if latest is None or latest.number != number:
            raise PublishConflict(f"announcement No. {latest.number if latest else '?'} is the latest publication in "
                                  f"force: retract it before No. {number}")
        run_id = connection.scalar(select(Publication.run_id).where(Publication.id == target.publication_id))
        rules = run_rule_set(connection, run_id)
        mine, before = without(connection, target.publication_id)
        reverts = reverted(mine, before)
        before_latest = _latest(connection, excluding=target.publication_id)
        restore_current(connection, mine, before)
        at = utc_now()
        new_number = _next_number(connection)
        body = {"number": new_number, "kind": "retraction", "reason": reason,
                "retracts": {"number": number, "date": target.date.isoformat(),
                             "effective_date": target.effective_date.isoformat()},
                "date": target.date.isoformat(), "effective_date": target.effective_date.isoformat(),
                "rule_set": _rule_set_body(rules), "labels": announce.labels(rules),
                "again_in_force": before_latest.number if before_latest else None,
                **listed(connection, new_number, "reverts", reverts), "created_by": by, "created_at": at.isoformat()}
        target_id = connection.scalar(select(Announcement.id).where(Announcement.number == number))
        info = _insert(connection, new_number, "retraction", target.publication_id, target_id, target.date,
                       target.effective_date, target.rule_set, body, by, at)
        record_audit(connection, by, "retract", "announcement", str(new_number), None,
                     {"number": new_number, "retracts": number, "reason": reason, "reverts": len(reverts)}, at)
    return info


def get_announcement(engine: Engine, number: int) -> AnnouncementInfo:
    with reading(engine) as connection:
        require_schema(connection)
        return _announcement(connection, number)


def list_announcements(engine: Engine, limit: int | None = None, offset: int = 0, kind: str | None = None,
                       ) -> tuple[int, list[AnnouncementInfo]]:
    """(how many, the newest first from ``offset``)."""
    with reading(engine) as connection:
        require_schema(connection)
        where = [] if kind is None else [Announcement.kind == kind]
        total = connection.scalar(select(func.count()).select_from(Announcement).where(*where))
        numbers = connection.scalars(select(Announcement.number).where(*where).order_by(Announcement.number.desc())
                                     .limit(limit).offset(offset)).all()
        return total, [_announcement(connection, n) for n in numbers]


@dataclass(frozen=True)
class _Latest:
    publication_id: int
    run_id: int
    date: dt.date
    effective_date: dt.date
    number: int


def _latest(connection: Connection, excluding: int | None = None) -> _Latest | None:
    """The publication in force last: the greatest effective date, then the greatest id."""
    query = (select(Publication.id, Publication.run_id, Publication.date, Publication.effective_date,
                    Announcement.number)
             .join(Announcement, (Announcement.publication_id == Publication.id) & (Announcement.kind == "publish"))
             .where(active()).order_by(Publication.effective_date.desc(), Publication.id.desc()).limit(1))
    if excluding is not None:
        query = query.where(Publication.id != excluding)
    row = connection.execute(query).first()
    return None if row is None else _Latest(*row)


def _next_number(connection: Connection) -> int:
    return (connection.scalar(select(func.max(Announcement.number))) or 0) + 1


def _rule_set_body(rules: RuleSet) -> dict[str, Any]:
    return {"ref": rules.ref, "id": rules.id, "title": {"zh": rules.title.zh, "en": rules.title.en}}


@dataclass(frozen=True)
class _Compared:
    """A run's kept day against the levels in force: the units whose level changes (with ``previous_level``),
    how many units are at each level, how many there are, and the latest data cutoff among them."""

    changed: list
    levels: dict[str, int]
    areas: int
    through: dt.date | None


def _compared(connection: Connection, run: RunInfo, date: dt.date, effective: dt.date) -> _Compared:
    """Compared in SQL with the read model, which holds the levels in force on ``effective`` (a publication
    takes effect on or after the latest one in force), so that only the changed units come to Python."""
    a, c = AssessedLevel, CurrentLevel
    require_kept(run, date)
    assert reads_current(connection, effective), "publications take effect on or after the latest in force"
    changed = connection.execute(
        select(a.area_code, a.area_name, a.level, a.reason_code, a.reason_en, a.reason_zh,
               c.level.label("previous_level"))
        .select_from(a).outerjoin(c, c.area_code == a.area_code)
        .where(a.run_id == run.id, a.date == date, or_(c.level.is_(None), c.level != a.level))
        .order_by(a.area_code)).all()
    counted = connection.execute(select(a.level, func.count(), func.max(a.data_through))
                                 .where(a.run_id == run.id, a.date == date).group_by(a.level)).all()
    through = max((t for _, _, t in counted if t is not None), default=None)
    return _Compared(changed, {level: n for level, n, _ in counted}, sum(n for _, n, _ in counted), through)


def _publish_body(connection: Connection, number: int, run: RunInfo, rules: RuleSet, date: dt.date,
                  effective: dt.date, compared: _Compared, written: list[dict], by: str, at: dt.datetime,
                  ) -> dict[str, Any]:
    changes = [change_line(w) for w in written]
    counts = announce.counts_by_level(rules, compared.levels)
    catalogue = measures_in(connection, rules.id)
    names = announce.labels(rules)
    measures = [{"level": c["level"], **names[c["level"]],
                 "items": [{"zh": m.text_zh, "en": m.text_en} for m in catalogue if m.level == c["level"]]}
                for c in counts]
    return {"number": number, "kind": "publish", "date": date.isoformat(), "effective_date": effective.isoformat(),
            "rule_set": _rule_set_body(rules), "labels": names,
            "run": {"id": run.id, "data_through": run.data_through, "data_as_of": run.data_as_of.isoformat()},
            "data_through": (compared.through or date).isoformat(),
            "areas": compared.areas, **listed(connection, number, "changes", changes),
            "unchanged": compared.areas - len(changes),
            "levels": counts,
            "measures": [m for m in measures if m["items"]], "published_by": by, "published_at": at.isoformat()}


def _insert(connection: Connection, number: int, kind: str, publication_id: int, retracts_id: int | None,
            date: dt.date, effective: dt.date, rule_set: str, body: dict[str, Any], by: str,
            at: dt.datetime) -> AnnouncementInfo:
    text_zh, text_en = announce.render(body)
    connection.execute(insert(Announcement).values(
        number=number, kind=kind, publication_id=publication_id, retracts_id=retracts_id, date=date,
        effective_date=effective, rule_set=rule_set, text_zh=text_zh, text_en=text_en, body=body, created_by=by,
        created_at=at))
    return _announcement(connection, number)


def _announcement(connection: Connection, number: int) -> AnnouncementInfo:
    a = Announcement
    row = connection.execute(select(a.id, a.number, a.kind, a.publication_id, a.retracts_id, a.date, a.effective_date,
                                    a.rule_set, a.text_zh, a.text_en, a.body, a.created_by, a.created_at)
                             .where(a.number == number)).first()
    if row is None:
        raise AnnouncementNotFound(f"no announcement No. {number}")
    retracts = None if row.retracts_id is None else connection.scalar(select(a.number).where(a.id == row.retracts_id))
    retracted_by = connection.scalar(select(a.number).where(a.retracts_id == row.id))
    return AnnouncementInfo(row.number, row.kind, row.publication_id, retracts, row.date, row.effective_date,
                            row.rule_set, row.text_zh, row.text_en, row.body, row.created_by, row.created_at,
                            retracted_by)
