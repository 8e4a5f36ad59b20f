"""Rule sets: official grading schemes as versioned data, validated on load.

A rule set names its unit, its indicators (each computed from the case series by one of a few
kinds), its levels and the ordered clauses that assign them. The first clause whose condition
holds gives the level and the reason. Files live in ``epizone/rulesets/<id>.yaml``; users may pass
a path to their own file.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from epizone.domain.errors import InvalidInput
from epizone.domain.expr import Condition, ExpressionError, parse_condition

UNKNOWN = "unknown"
SeriesName = Literal["confirmed", "asymptomatic", "infections"]  # infections = confirmed + asymptomatic


class RuleSetError(InvalidInput):
    """A rule-set file that cannot be used; the message names the file, key and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))


class _Conditional(_Strict):
    """Something decided by a condition (``when``), parsed once."""

    when: str

    @cached_property
    def condition(self) -> Condition:
        return parse_condition(self.when)


class Text(_Strict):
    zh: str
    en: str


class Document(_Strict):
    zh: str
    en: str
    date: dt.date
    urls: list[str] = Field(min_length=1)


class Effective(_Strict):
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None


class Level(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str
    en: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class _Indicator(_Strict):
    zh: str
    en: str


class _SeriesOrMetric(_Indicator):
    """Counts of a case series, or values of a reported metric (e.g. ``new_discharged``)."""

    series: SeriesName | None = None
    metric: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")

    @model_validator(mode="after")
    def _exactly_one(self) -> "_SeriesOrMetric":
        if (self.series is None) == (self.metric is None):
            raise ValueError("give exactly one of series (a case series) or metric (a reported metric)")
        return self


class Cumulative(_SeriesOrMetric):
    kind: Literal["cumulative"]


class WindowSum(_Indicator):
    kind: Literal["window_sum"]
    series: SeriesName
    days: int = Field(ge=1, le=366)
    mean: bool = False       # divide by ``days``: a daily average over the window
    per_100k: bool = False   # per 100,000 people of the unit (its population; unknown when missing)

    @property
    def is_rate(self) -> bool:
        return self.mean or self.per_100k


class DaysSince(_SeriesOrMetric):
    kind: Literal["days_since"]


class ClusterWindow(_Indicator):
    """True when one cluster has ``min_cases`` cases of the unit dated in the window. ``involving_local``:
    only clusters with a local case (``imported`` not true) dated up to that day count."""

    kind: Literal["cluster_window"]
    days: int = Field(ge=1, le=366)
    min_cases: int = Field(ge=2)
    classifications: list[Literal["confirmed", "asymptomatic"]] = Field(min_length=1)
    involving_local: bool = False


class ClusterCount(_Indicator):
    """Distinct clusters of the unit that had reached ``min_cases`` cases by the data cutoff (line list),
    plus the ``new_clusters`` reported up to the cutoff (counts)."""

    kind: Literal["cluster_count"]
    min_cases: int = Field(ge=2)
    classifications: list[Literal["confirmed", "asymptomatic"]] = Field(min_length=1)
    involving_local: bool = False  # count a cluster once it also has a local case (``imported`` not true)


class MetricSource(_Strict):
    """A reported metric, optionally divided by another (``per``, e.g. positives per test) as a percentage,
    or divided by the unit's population / 100,000 (``per_100k``). Each metric read is its latest value
    within the indicator's ``stale_days``; a zero denominator gives null."""

    metric: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    per_100k: bool = False
    per: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    percent: bool = False

    @model_validator(mode="after")
    def _one_scale(self) -> "MetricSource":
        if self.per and self.per_100k:
            raise ValueError("a source is either per another metric (per) or per 100,000 people, not both")
        if self.percent and not self.per:
            raise ValueError("percent needs a denominator metric (per)")
        return self


class Metric(_Indicator):
    """The latest value of a reported metric dated within ``stale_days`` up to the data cutoff.

    ``sources`` are tried in order: e.g. a rate supplied directly, else a count per 100,000 people.
    When no source has a value that recent, the indicator is unknown (null).
    """

    kind: Literal["metric"]
    sources: list[MetricSource] = Field(min_length=1)
    stale_days: int = Field(ge=1, le=366)


Indicator = Annotated[
    Union[Cumulative, WindowSum, DaysSince, ClusterWindow, ClusterCount, Metric], Field(discriminator="kind")
]


NONE = "none"  # the state outside every timed state: the clauses decide the level
Calendar = Literal["every_day", "working_days", "weekdays"]


class State(_Strict):
    """A timed state: while a unit is in it, its level is ``level`` whatever the clauses say.

    ``count_from``: the runs of the moves out of it count from the day after it took effect
    (``day_after``), or from that day itself (``same_day``; only a move with ``takes_effect`` >= 1
    enters a state before the day's runs are counted).
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: str
    count_from: Literal["day_after", "same_day"] = "day_after"
    zh: str
    en: str


class Move(_Conditional):
    """A timed move from one of the states ``from`` to the state ``to`` (``none``: back to the clauses).

    It completes on the day that ends a run of ``days`` consecutive counted days on which ``when`` holds
    and on which ``last_day`` holds too (when given): e.g. seven days without a new infection, the last
    with negative mass testing. Runs count from the day after the current state took effect. Calendars:
    ``every_day``; ``working_days`` (Monday to Saturday); ``weekdays`` (Monday to Friday); on the latter
    two a Sunday (weekend) or public holiday neither counts nor breaks a run. The move takes effect
    ``takes_effect`` days after the day that completes it. When several moves complete on one day, the
    first listed wins.
    """

    code: str = Field(pattern=r"^[a-z0-9_.]+$")
    from_: list[str] = Field(alias="from", min_length=1)
    to: str
    days: int = Field(ge=1, le=366)
    last_day: str | None = None
    calendar: Calendar = "every_day"
    takes_effect: int = Field(default=0, ge=0, le=30)
    zh: str
    en: str

    @cached_property
    def last_condition(self) -> Condition | None:
        return None if self.last_day is None else parse_condition(self.last_day)

    @property
    def names(self) -> set[str]:
        """Indicators the move reads."""
        return self.condition.names | (self.last_condition.names if self.last_condition else set())


class Clause(_Conditional):
    code: str = Field(pattern=r"^[a-z0-9_.]+$")
    level: str
    zh: str
    en: str

    def reason(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class RuleSet(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    version: int = Field(ge=1)
    title: Text
    authority: Text
    document: Document
    effective: Effective
    unit: str
    levels: list[Level] = Field(min_length=1)
    indicators: dict[str, Indicator] = Field(min_length=1)
    clauses: list[Clause] = Field(min_length=1)
    holidays: list[dt.date] = Field(default_factory=list)  # public holidays of every unit (working-day calendars)
    states: list[State] = Field(default_factory=list)
    moves: list[Move] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        """``id@version``, the name stamped on every assessed row."""
        return f"{self.id}@{self.version}"

    @property
    def level_ids(self) -> list[str]:
        """Declared levels in order, then ``unknown``: the codes of the level column."""
        return [level.id for level in self.levels] + [UNKNOWN]

    @model_validator(mode="after")
    def _consistent(self) -> "RuleSet":
        ids = [level.id for level in self.levels]
        if len(set(ids)) != len(ids) or UNKNOWN in ids:
            raise ValueError(f"levels must be distinct and must not declare {UNKNOWN!r} (it is implicit)")
        codes = [clause.code for clause in self.clauses]
        if len(set(codes)) != len(codes):
            raise ValueError("clause codes must be distinct")
        for i, clause in enumerate(self.clauses):
            if clause.level not in ids + [UNKNOWN]:
                raise ValueError(f"clauses[{i}] ({clause.code}): level {clause.level!r} is not one of {ids + [UNKNOWN]}")
            try:
                names = clause.condition.names
            except ExpressionError as exc:
                raise ValueError(f"clauses[{i}] ({clause.code}).when: {exc}") from None
            missing = sorted(names - set(self.indicators))
            if missing:
                raise ValueError(f"clauses[{i}] ({clause.code}).when uses unknown indicator(s) {missing}")
        self._check_machine(ids)
        if self.clauses[-1].when.strip().lower() != "true":
            raise ValueError("the last clause must be a catch-all with when: true, so every unit-day gets a level")
        return self

    def _check_machine(self, level_ids: list[str]) -> None:
        codes = [state.code for state in self.states]
        if len(set(codes)) != len(codes) or NONE in codes:
            raise ValueError(f"state codes must be distinct and must not be {NONE!r} (the state outside them)")
        if bool(self.states) != bool(self.moves):
            raise ValueError("timed states need moves into and out of them, and moves need states")
        for i, state in enumerate(self.states):
            if state.level not in level_ids:
                raise ValueError(f"states[{i}] ({state.code}): level {state.level!r} is not one of {level_ids}")
        known = codes + [NONE]
        for i, move in enumerate(self.moves):
            for code in [*move.from_, move.to]:
                if code not in known:
                    raise ValueError(f"moves[{i}] ({move.code}): state {code!r} is not one of {known}")
            for key in ("when", "last_day"):
                if key == "last_day" and move.last_day is None:
                    continue
                try:
                    names = (move.condition if key == "when" else move.last_condition).names
                except ExpressionError as exc:
                    raise ValueError(f"moves[{i}] ({move.code}).{key}: {exc}") from None
                missing = sorted(names - set(self.indicators))
                if missing:
                    raise ValueError(f"moves[{i}] ({move.code}).{key} uses unknown indicator(s) {missing}")
        entered = {move.to for move in self.moves}
        for state in codes:
            if state not in entered:
                raise ValueError(f"state {state!r}: no move leads into it")


def builtin_ids() -> list[str]:
    folder = resources.files("epizone.rulesets")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_rule_set(name_or_path: str | Path) -> RuleSet:
    """Load a built-in rule set by id (``cn-2020-02``) or a user's YAML file by path."""
    return parse_rule_set(*_read(str(name_or_path)))


@lru_cache(maxsize=64)
def parse_rule_set(text: str, origin: str = "rule set") -> RuleSet:
    """A rule set from the text of its YAML file (``origin`` names it in errors); parsed once per text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleSetError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RuleSetError(f"{origin}: expected a mapping of keys at the top level")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise RuleSetError(f"{origin}: {problems}") from None


def _read(name: str) -> tuple[str, str]:
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise RuleSetError(f"{name}: no such rule-set file")
        return path.read_text(encoding="utf-8"), str(path)
    if name not in builtin_ids():
        raise RuleSetError(f"unknown rule set {name!r}; built in: {', '.join(builtin_ids())}")
    res = resources.files("epizone.rulesets").joinpath(f"{name}.yaml")
    return res.read_text(encoding="utf-8"), f"{name}.yaml"
