"""Read and validate the areas file: ``code,name,parent_code,kind,population``."""

from __future__ import annotations

from epizone.domain.model import Area, Hierarchy
from epizone.domain.problems import InputError, Problem
from epizone.io.tables import Source, read_table

COLUMNS = ["code", "name", "parent_code", "kind", "population"]


def read_areas(source: Source) -> Hierarchy:
    """The hierarchy of a file or an Arrow table of areas, always checked as a whole (codes, kinds, parents,
    cycles): a store's areas come from several imports, each checked on its own."""
    table = read_table(source, COLUMNS, kind="areas")
    rows = table.data.to_pylist()
    problems: list[Problem] = []
    areas: list[Area] = []
    for index, row in enumerate(rows):
        line = index + table.first_line
        code = _text(row["code"])
        if not code:
            problems.append(Problem(table.file, line, "code", table.number("code"), "", "a non-empty area code"))
            continue
        population = _population(row["population"])
        if population is False:
            problems.append(Problem(table.file, line, "population", table.number("population"),
                                    str(row["population"]), "a whole number of people >= 0, or empty"))
            population = None
        areas.append(Area(code, _text(row["name"]), _text(row["parent_code"]) or None,
                          _text(row["kind"]), population, line))
    try:
        hierarchy = Hierarchy.build(areas, table.file, {c: table.number(c) for c in COLUMNS})
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return hierarchy


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _population(value: object) -> int | None | bool:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return False
    if number < 0 or number != int(number):
        return False
    return int(number)
