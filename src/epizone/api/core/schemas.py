"""Request and response bodies (pydantic): what the OpenAPI schema at /openapi.json describes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from epizone.api.models import Moment, Out, out_model
from epizone.services.explain import ClauseCheck, Explanation
from epizone.store.measures import MeasureInfo
from epizone.store.publish import AnnouncementInfo
from epizone.store.runs import RunInfo

Role = Literal["admin", "analyst", "reporter", "viewer"]

class Alias(Out):
    kind: str
    alias: str


class AreaOut(Out):
    code: str
    name: str
    parent_code: str | None
    kind: str
    population: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    aliases: list[Alias] = []


class ImportOut(Out):
    kind: str
    file: str
    sha256: str
    rows_read: int
    new: int
    revised: int
    unchanged: int
    aliases_new: int
    batch_id: int | None = Field(description="The batch written; null when nothing changed")
    same_file_as: int | None = Field(description="The earlier batch with the same content, if that is why")
    changed: bool


class CaseReportOut(Out):
    case_id: str
    report_date: dt.date
    area_code: str
    classification: str
    cluster_id: str | None
    onset_date: dt.date | None
    imported: bool | None
    revision: int
    recorded_at: Moment
    batch_id: int


class CountReportOut(Out):
    area_code: str
    date: dt.date
    metric: str
    value: int
    revision: int
    recorded_at: Moment
    batch_id: int


class RunIn(BaseModel):
    rule_set: str = Field("cn-2020-02", min_length=1, max_length=100, description="A built-in rule-set id")
    start: dt.date
    end: dt.date | None = Field(None, description="Default: start")
    data_through: str = Field("lag:0", max_length=20, description="lag:N or a date YYYY-MM-DD")
    unit: str | None = Field(None, max_length=64)
    as_of: dt.datetime | None = Field(None, description="The store as known then (default: the latest import)")
    data_end: dt.date | None = Field(None, description="Last date the data are complete for")
    full: bool = Field(False, description="Replay from the first data date even when a checkpoint of an "
                                          "earlier run fits")
    keep: str | list[dt.date] | None = Field(
        None, description="The days whose values the run keeps for every unit (its levels are kept as periods): "
                          "\"all\", \"last\" or a list of dates; default: all when the run has at most "
                          "200,000 unit-days, else the last day")


RunOut = out_model("RunOut", RunInfo)


class RunLevelOut(Out):
    area_code: str
    area_name: str
    date: dt.date
    level: str
    reason_code: str
    reason_en: str
    reason_zh: str
    data_through: dt.date
    indicators: dict[str, Any]
    event: str | None


class RunPeriodOut(Out):
    area_code: str
    area_name: str
    start: dt.date
    end: dt.date
    level: str
    reason_code: str
    reason_en: str
    reason_zh: str
    data_through: dt.date
    indicators: dict[str, Any]
    event: str | None


class Published(Out):
    """What a published level says, wherever it is shown."""

    level: str
    previous_level: str | None
    reason_code: str
    reason_en: str
    reason_zh: str
    publication_id: int
    run_id: int
    assessed_date: dt.date
    effective_date: dt.date
    announcement: int | None


class LevelOut(Published):
    """An area's published level in force on the date asked for."""

    area_code: str
    area_name: str


class HistoryOut(Published):
    published_at: Moment


class LevelCountsOut(Out):
    date: dt.date
    levels: dict[str, int]


class IndicatorOut(Out):
    name: str
    value: Any
    description: str


class WindowOut(Out):
    first: dt.date
    last: dt.date


ClauseOut = out_model("ClauseOut", ClauseCheck)
ExplanationOut = out_model("ExplanationOut", Explanation, {"run_id": int}, indicators=list[IndicatorOut],
                           windows=dict[str, WindowOut], clauses=list[ClauseOut])


class PublishIn(BaseModel):
    date: dt.date = Field(description="A day the run graded")
    effective_date: dt.date | None = Field(None, description="In force from (default: date)")


class RetractIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S")


class ChangeOut(Out):
    """One line of an announcement's full list: an area with its level before (``from``) and after (``to``); a
    publication's lines also give the reason of the new level."""

    area_code: str
    area_name: str
    area_name_en: str | None
    from_: str | None = Field(alias="from")
    to: str | None
    reason_code: str | None = None
    reason: dict[str, str] | None = None


AnnouncementOut = out_model("AnnouncementOut", AnnouncementInfo, kind=Literal["publish", "retraction"])


class MeasureIn(BaseModel):
    rule_set_id: str = Field(min_length=1, max_length=100)
    level: str = Field(min_length=1, max_length=64)
    text_zh: str = Field(min_length=1, max_length=2000)
    text_en: str = Field(min_length=1, max_length=2000)
    position: int | None = Field(None, ge=1, le=10_000)
    source: str | None = Field(None, max_length=2000)


class MeasurePatch(BaseModel):
    text_zh: str | None = Field(None, min_length=1, max_length=2000)
    text_en: str | None = Field(None, min_length=1, max_length=2000)
    position: int | None = Field(None, ge=1, le=10_000)
    source: str | None = Field(None, max_length=2000)


MeasureOut = out_model("MeasureOut", MeasureInfo)


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    role: Role
    scope_area_code: str | None = Field(None, max_length=64)


class UserPatch(BaseModel):
    role: Role | None = None
    scope_area_code: str | None = Field(None, min_length=1, max_length=64)
    disabled: bool | None = None


class UserOut(Out):
    name: str
    role: str
    scope_area_code: str | None
    disabled: bool


class TokenIn(BaseModel):
    user: str | None = Field(None, min_length=1, max_length=100, description="Default: yourself (admins: anyone)")
    label: str = Field("", max_length=200)
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Default: never expires")


class TokenOut(Out):
    id: int
    user: str
    prefix: str
    label: str
    created_at: Moment
    created_by: str
    expires_at: Moment | None
    revoked_at: Moment | None
    last_used_at: Moment | None
    state: Literal["active", "expired", "revoked"]


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, stored only as a hash")


class AuditOut(Out):
    id: int
    recorded_at: Moment
    user_name: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
