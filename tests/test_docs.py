"""The docs keep up with the code: every command and option is documented, every rule set has a source."""

from __future__ import annotations

from pathlib import Path

import typer.main

from epizone.cli import app
from epizone.domain.rules import builtin_ids, load_rule_set
from epizone.cli.db import app as store_app

ROOT = Path(__file__).parents[1]


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def _assert_documented(typer_app, prefix: str, page: str) -> None:
    doc = (ROOT / "docs" / page).read_text(encoding="utf-8")
    for name, command in _commands(typer.main.get_command(typer_app)):
        assert f"{prefix} {name}" in doc, f"`{prefix} {name}` is not documented in docs/{page}"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}`" in doc, f"{opt} of `{prefix} {name}` is not documented in docs/{page}"


def test_every_command_and_option_is_in_the_cli_reference():
    _assert_documented(app, "epizone", "cli.md")


def test_every_store_command_and_option_is_in_the_store_page():
    _assert_documented(store_app, "epizone db", "store.md")


def test_readme_opens_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1: lines.index("```sh") + 3]
    assert [line.split("#")[0].strip() for line in block] == ["make demo", "make test"]


def test_every_rule_set_cites_its_source():
    for rule_id in builtin_ids():
        rules = load_rule_set(rule_id)
        assert rules.document.urls and all(u.startswith("http") for u in rules.document.urls)
        assert rules.document.date <= rules.effective.from_


def test_every_rule_file_key_is_in_the_rule_file_reference():
    from pydantic import BaseModel

    from epizone.domain import rules

    doc = (ROOT / "docs" / "rule-files.md").read_text(encoding="utf-8")
    models = [m for m in vars(rules).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == rules.__name__]
    for model in models:
        for name, field in model.model_fields.items():
            key = field.alias or name
            assert f"`{key}`" in doc, f"rule-file key {key!r} ({model.__name__}) is not in docs/rule-files.md"
