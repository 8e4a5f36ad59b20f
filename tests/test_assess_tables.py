"""The assessment request takes Arrow tables and a parsed rule set as well as paths, with the same result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from inputs import AREAS, CASE_LIST
from epizone.domain.cutoff import DataThrough
from epizone.domain.problems import InputError
from epizone.domain.rules import load_rule_set
from epizone.io import cases as case_file, counts as count_file
from epizone.services.assess import Request, assess_table
from epizone.services.demo import SERIES_END, SERIES_START, demo_file
from epizone.services.explain import explain

GERMAN_AREAS = "code,name,parent_code,kind,population\n09,Bayern,,province,\n11,Berlin,,province,\n" \
               "09162,München,09,county,1488202\n11000,Berlin,11,county,3664088\n"
US_AREAS = "code,name,parent_code,kind,population\nUS,United States,,province,\n01001,Autauga,US,county,100000\n" \
           "01003,Baldwin,US,county,\n"


def fujian_demo(tmp: Path) -> tuple[dict[str, Path], dict]:
    return ({"areas": demo_file("areas.csv"), "counts": demo_file("counts.csv")},
            dict(rules="cn-2020-02", start=SERIES_START, end=SERIES_END, data_through=DataThrough(lag=1)))


def case_list(tmp: Path) -> tuple[dict[str, Path], dict]:
    return ({"areas": write(tmp, "areas.csv", AREAS), "cases": write(tmp, "cases.csv", CASE_LIST)},
            dict(rules="fj-2020-02", start=dt.date(2020, 2, 1), end=dt.date(2020, 2, 20)))


def metrics_and_holidays(tmp: Path) -> tuple[dict[str, Path], dict]:
    start = dt.date(2021, 5, 24)
    values = [150] * 5 + [80] * 14
    metrics = "area_code,date,metric,value\n" + "".join(
        f"{code},{start + dt.timedelta(days=i)},incidence_7d,{v}\n" for code in ("09162", "11000")
        for i, v in enumerate(values))
    return ({"areas": write(tmp, "areas.csv", GERMAN_AREAS), "metrics": write(tmp, "metrics.csv", metrics),
             "holidays": write(tmp, "holidays.csv", "date,area_code\n2021-06-03,09\n")},
            dict(rules="de-ifsg-28b-2021", start=start, end=start + dt.timedelta(days=18)))


def metrics_of_groups(tmp: Path) -> tuple[dict[str, Path], dict]:
    day = dt.date(2021, 11, 10)
    metrics = (f"area_code,date,metric,value\nHSA7,{day},admissions_per_100k_7d,12.0\n01001,{day},case_rate_7d,50.0\n"
               f"01003,{day},case_rate_7d,250.0\n01003,{day},admissions_per_100k_7d,5.0\n")
    return ({"areas": write(tmp, "areas.csv", US_AREAS), "metrics": write(tmp, "metrics.csv", metrics),
             "groups": write(tmp, "groups.csv", "group_code,area_code\nHSA7,01001\nHSA7,01003\n")},
            dict(rules="us-cdc-community-levels-2022", start=day, end=day))


DATASETS: dict[str, Callable[[Path], tuple[dict[str, Path], dict]]] = {
    "fujian demo": fujian_demo, "case list": case_list, "metrics and holidays": metrics_and_holidays,
    "metrics of groups": metrics_of_groups}


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def text_table(path: Path) -> pa.Table:
    """Every column as text, as a file gives it."""
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())))


def typed_table(path: Path) -> pa.Table:
    """Dates, numbers and flags as Arrow infers them; codes as text (``01001`` is not a number)."""
    codes = ("code", "parent_code", "area_code", "group_code", "case_id", "cluster_id")
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(codes, pa.string())))


READERS = {"typed": typed_table, "text": text_table}


@pytest.mark.parametrize("validated", [False, True])
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", DATASETS)
def test_tables_and_a_parsed_rule_set_grade_as_the_files_do(tmp_path, name, reader, validated):
    files, options = DATASETS[name](tmp_path)
    by_files, summary = assess_table(Request(**files, **options))
    tables = {kind: READERS[reader](path) for kind, path in files.items()}
    by_tables, from_tables = assess_table(Request(**tables, **{**options, "rules": load_rule_set(options["rules"])},
                                                  validated=validated))
    assert by_tables.equals(by_files)
    assert replace(from_tables, seconds=0) == replace(summary, seconds=0)


def test_an_explanation_from_tables_is_the_one_from_files(tmp_path):
    files, options = case_list(tmp_path)
    tables = {kind: typed_table(path) for kind, path in files.items()}
    day = dt.date(2020, 2, 10)
    assert explain(Request(**tables, **options, validated=True), "350103", day) == \
        explain(Request(**files, **options), "350103", day)


def test_validated_tables_are_not_checked_again_but_files_always_are(tmp_path, monkeypatch):
    files, options = case_list(tmp_path)
    tables = {kind: typed_table(path) for kind, path in files.items()}
    expected, _ = assess_table(Request(**tables, **options))

    def never(*args: object) -> None:
        raise AssertionError("a validated table was checked again")

    for module, check in ((case_file, "_hashes"), (case_file, "_repeated_ids"), (case_file, "_empty_ids"),
                          (case_file, "_optional_columns"), (count_file, "_repeats")):
        monkeypatch.setattr(module, check, never)
    graded, _ = assess_table(Request(**tables, **options, validated=True))
    assert graded.equals(expected)
    with pytest.raises(AssertionError, match="checked again"):
        assess_table(Request(**files, **options, validated=True))


def test_a_validated_table_without_cluster_ids_is_read(tmp_path):
    files, options = case_list(tmp_path)
    cases = typed_table(files["cases"])
    no_clusters = cases.set_column(cases.column_names.index("cluster_id"), "cluster_id", pa.nulls(5, pa.string()))
    graded, _ = assess_table(Request(areas=files["areas"], cases=no_clusters, **options, validated=True))
    assert graded.num_rows == 2 * 20


def test_problems_in_a_table_name_the_input(tmp_path):
    files, options = case_list(tmp_path)
    cases = typed_table(files["cases"])
    with pytest.raises(InputError) as err:
        assess_table(Request(areas=files["areas"], cases=cases.drop_columns(["classification"]), **options))
    assert "cases (in memory):1: column 'classification'" in str(err.value)
    wrong = cases.set_column(2, "area_code", pa.array(["350102001", "nowhere", "350102001", "350103001", "x"]))
    with pytest.raises(InputError) as err:
        assess_table(Request(areas=files["areas"], cases=wrong, **options, validated=True))
    assert "cases (in memory):2: column 'area_code' (3): value 'nowhere'" in str(err.value)
