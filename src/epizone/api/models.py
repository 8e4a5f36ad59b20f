"""What every feature of the API shares: response models built from the dataclasses the store, the services
and the domain answer with, so that a field is declared once (``out_model("MeasureOut", MeasureInfo)`` is a
pydantic model, read ``from_attributes``, with the dataclass's fields, every one required in the answer, moments
answered in UTC); the one page model; rows given as JSON; the answer of an error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from epizone.domain.problems import Problem as ProblemInfo

T = TypeVar("T")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


Moment = Annotated[dt.datetime, AfterValidator(_utc)]  # the store keeps UTC without a zone: answered with +00:00


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Out, Generic[T]):
    """One page of a list: ``total`` items in all, ``limit`` per page from ``offset``."""

    total: int
    limit: int
    offset: int
    items: list[T]


def out_model(name: str, source: type, first: dict[str, Any] | None = None, **overrides: Any) -> type[BaseModel]:
    """A model called ``name`` with the fields of dataclass ``source`` (after the fields ``first``); ``overrides``
    give a field another type (or ``(type, default)``) or add one."""
    hints = typing.get_type_hints(source)
    fields: dict[str, Any] = {name: _field(kind) for name, kind in (first or {}).items()}
    for field in dataclasses.fields(source):
        fields[field.name] = _field(overrides.pop(field.name, hints[field.name]))
    fields.update({name: _field(kind) for name, kind in overrides.items()})
    return create_model(name, __base__=Out, **fields)


def _field(kind: Any) -> tuple[Any, Any]:
    if isinstance(kind, tuple):
        return kind
    if kind is dt.datetime:
        return Moment, ...
    if kind == dt.datetime | None:
        return Moment | None, ...
    return kind, ...


Cell = str | int | float | bool | None


class RowsIn(BaseModel):
    """Records as JSON objects with the columns of the file they stand for."""

    rows: list[dict[str, Cell]] = Field(min_length=1, max_length=100_000)
    name: str = Field("rows", min_length=1, max_length=200, description="What to call them in the batch and errors")


Problem = out_model("Problem", ProblemInfo)


class ErrorOut(Out):
    detail: str
    problems: list[Problem] = []


IMPORT_ERRORS = {422: {"model": ErrorOut, "description": "Bad rows, each with file, line, column, value and what "
                                                         "was expected; nothing was written"},
                 403: {"model": ErrorOut, "description": "Not allowed, or rows outside your scope; nothing was written"}}
