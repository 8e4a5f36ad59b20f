from pathlib import Path

import pytest

from epizone.domain.rules import RuleSetError, builtin_ids, load_rule_set


def test_builtin_cn_2020_02_loads_with_source():
    rules = load_rule_set("cn-2020-02")
    assert rules.ref == "cn-2020-02@1"
    assert rules.unit == "county"
    assert rules.level_ids == ["low", "medium", "high", "unknown"]
    assert rules.document.urls and rules.document.date.isoformat() == "2020-02-17"
    assert "cn-2020-02" in builtin_ids()


SOURCE = (Path(__file__).parents[1] / "src/epizone/rulesets/cn-2020-02.yaml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_loads(tmp_path):
    path = _write(tmp_path, SOURCE.replace("id: cn-2020-02", "id: own-rules"), "own.yaml")
    assert load_rule_set(path).id == "own-rules"


def test_unknown_indicator_names_the_clause(tmp_path):
    path = _write(tmp_path, SOURCE.replace("when: cumulative_confirmed <= 50", "when: cumulative_cases <= 50"))
    with pytest.raises(RuleSetError) as err:
        load_rule_set(path)
    assert "bad.yaml" in str(err.value) and "clauses[3]" in str(err.value) and "cumulative_cases" in str(err.value)


def test_unknown_key(tmp_path):
    path = _write(tmp_path, SOURCE.replace("unit: county", "unit: county\nthreshold: 50"))
    with pytest.raises(RuleSetError) as err:
        load_rule_set(path)
    assert "threshold" in str(err.value)


def test_level_must_be_declared(tmp_path):
    path = _write(tmp_path, SOURCE.replace("level: high", "level: severe"))
    with pytest.raises(RuleSetError, match="level 'severe' is not one of"):
        load_rule_set(path)


def test_last_clause_must_catch_all(tmp_path):
    path = _write(tmp_path, SOURCE.replace('when: "true"', "when: cumulative_confirmed > 50"))
    with pytest.raises(RuleSetError, match="catch-all"):
        load_rule_set(path)


def test_unknown_builtin_and_missing_file(tmp_path):
    with pytest.raises(RuleSetError, match="unknown rule set 'cn-1999'"):
        load_rule_set("cn-1999")
    with pytest.raises(RuleSetError, match="no such rule-set file"):
        load_rule_set(tmp_path / "missing.yaml")
    (tmp_path / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(RuleSetError, match="not valid YAML"):
        load_rule_set(tmp_path / "broken.yaml")
