"""``epizone ops ...``: imports, lists with CSV export, the officer's actions (approve, resolve, close, link),
the checklist, figures and the overview; exit codes; every command and option documented."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from opsdata import GULOU_MEDIUM, TAIJIANG_HIGH, publish_levels
from epizone.cli import app as main_app
from epizone.cli.ops import app
from epizone.store.imports import import_file
from epizone.store.users import add_user

runner = CliRunner()
ROOT = Path(__file__).parents[2]
FILES = {
    "enterprises.csv": "code,name,area_code,sector,size_class,workforce,plan_approved_on\n"
                       "E1,Gulou Shoes,350102001,textiles_footwear,small,50,\n"
                       "E2,Taijiang Garments,350103001,textiles_footwear,medium,300,2020-02-01\n",
    "reports.csv": "enterprise_code,date,status,employees_on_site,employees_total,labour\n"
                   "E1,2020-02-05,partial,20,50,30 workers in Jiangxi\nE2,2020-02-05,full,280,300,\n",
    "inspections.csv": "area_code,date,inspector,item,result,deadline,note\n"
                       "350102,2020-02-05,ana,D04.1,deficient,2020-02-07,no plan on file\n"
                       "350102,2020-02-05,ana,D01.1,compliant,,\n",
    "facilities.csv": "code,name,area_code,kind\nH1,Gulou Hospital,350102,designated_hospital\n",
    "supplies.csv": "facility_code,date,item,stock,consumed,received\n"
                    "H1,2020-02-04,n95,100,40,0\nH1,2020-02-05,n95,60,40,0\n",
}


def ops(store, *args: str, code: int = 0) -> str:  # noqa: ANN001
    result = runner.invoke(app, [*args, "--db", store.url])
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.stderr


def test_import_list_act_and_see_the_overview_from_the_command_line(store, tmp_path):
    import_file(store.engine, "areas", store.areas(), "setup")
    publish_levels(store, GULOU_MEDIUM + TAIJIANG_HIGH)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        kind = name.removesuffix(".csv")
        assert "0 changed" in ops(store, "import", kind, str(tmp_path / name), "--user", "ana"), name
    assert "1 row(s) read: 0 new, 0 changed, 1 unchanged" in ops(store, "import", "facilities",
                                                                   str(tmp_path / "facilities.csv"))
    flags = ops(store, "flags", "--date", "2020-02-05", "--csv", str(tmp_path / "flags.csv"))
    assert "E1" in flags and "E2" in flags and "wrote 2 row(s)" in flags
    with (tmp_path / "flags.csv").open(encoding="utf-8") as handle:
        assert [(r["enterprise_code"], r["flag"]) for r in csv.DictReader(handle)] == [
            ("E1", "plan_not_approved"), ("E2", "not_essential")]
    assert "approved on 2020-02-04" in ops(store, "enterprises", "approve", "E1", "--on", "2020-02-04")
    status = ops(store, "enterprises", "status", "E1", "--date", "2020-02-05")
    assert "level: medium (cn-2020-02@1" in status and "may operate: true" in status and "FLAGGED" not in status
    assert "open bottleneck 1 labour since 2020-02-05: 30 workers in Jiangxi" in status
    assert "resolved on 2020-02-06" in ops(store, "bottlenecks", "resolve", "1", "--date", "2020-02-06",
                                           "--note", "bus")
    assert "bottleneck 1 is resolved already" in ops(store, "bottlenecks", "resolve", "1", code=2)
    listed = ops(store, "bottlenecks", "list", "--state", "resolved", "--csv", str(tmp_path / "b.csv"))
    assert "resolved bottlenecks (1)" in listed
    assert "is open again" in ops(store, "bottlenecks", "reopen", "1", "--note", "bus cancelled")
    assert "closed on 2020-02-07" in ops(store, "deficiencies", "close", "1", "--date", "2020-02-07")
    assert "closed deficiencies (1)" in ops(store, "deficiencies", "list", "--date", "2020-02-08", "--state", "closed")
    assert "(0)" in ops(store, "deficiencies", "list", "--date", "2020-02-08", "--state", "overdue", "--area",
                        "350102")
    resumption = ops(store, "resumption", "--start", "2020-02-05", "--by", "county", "--size-class", "small")
    assert "350102" in resumption and "350103" not in resumption
    assert "D04" in ops(store, "compliance", "--start", "2020-02-01", "--end", "2020-02-29")
    assert "n95" in ops(store, "supplies", "alerts", "--date", "2020-02-05", "--days", "3", "--by", "facility")
    assert "n95" in ops(store, "supplies", "standing", "--date", "2020-02-05", "--area", "350102")
    overview = ops(store, "overview", "350103", "--date", "2020-02-05")
    assert "level: high under cn-2020-02@1" in overview and "Strict control" in overview
    assert "FLAGGED E2 Taijiang Garments: full under high (not_essential)" in overview
    assert '"level": "high"' in ops(store, "overview", "350103", "--date", "2020-02-05", "--json")
    assert "no area with code '999'" in ops(store, "overview", "999", code=2)
    assert "--area '999': expected the code of an area" in ops(store, "flags", "--area", "999", code=2)


def test_accounts_checklist_policy_and_bad_options(store, tmp_path):
    import_file(store.engine, "areas", store.areas(), "setup")
    (tmp_path / "e.csv").write_text(FILES["enterprises.csv"], encoding="utf-8")
    ops(store, "import", "enterprises", str(tmp_path / "e.csv"))
    add_user(store.engine, "eve", "reporter", "350102001", "setup")
    assert "eve acts for E1 Gulou Shoes" in ops(store, "accounts", "link", "eve", "E1")
    assert "eve\tE1" not in ops(store, "accounts", "list") and "E1" in ops(store, "accounts", "list")
    assert "outside the scope 350102001" in ops(store, "accounts", "link", "eve", "E2", code=2)
    assert "no longer acts for E1" in ops(store, "accounts", "unlink", "eve")
    assert "added item D04.5 to D04" in ops(store, "duties", "add", "--duty", "D04", "--zh", "设立防疫专员",
                                            "--en", "An epidemic officer is named")
    assert "(inactive)" in ops(store, "duties", "edit", "D04.5", "--inactive", "--en", "Epidemic officer")
    assert "D04.5" not in ops(store, "duties", "list", "--active")
    policy = runner.invoke(app, ["policy", "--rules", "fj-2020-02"])  # data shipped with the package: no store
    assert "many_cases" in policy.stdout and "plan_approved" in policy.stdout
    assert "essential sectors: medical_supplies" in policy.stdout
    refused = runner.invoke(app, ["policy", "--rules", "eu-2020-1475"])
    assert refused.exit_code == 2 and "no resumption policy" in refused.stderr
    assert "--date 'soon': expected a date" in ops(store, "flags", "--date", "soon", code=2)
    assert "--state 'shut'" in ops(store, "bottlenecks", "list", "--state", "shut", code=2)
    assert "an existing file" in ops(store, "import", "reports", str(tmp_path / "missing.csv"), code=2)
    main = runner.invoke(main_app, ["ops", "policy"])
    assert main.exit_code == 0 and "essential_only" in main.stdout


def _commands(group, prefix=""):  # noqa: ANN001, ANN202
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_ops_command_and_option_is_in_the_cli_reference_and_every_endpoint_in_operations_md(store):
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    ops_section = cli_doc[cli_doc.index("## `epizone ops ...`"):]
    for name, command in _commands(typer.main.get_command(app)):
        assert f"epizone ops {name}" in ops_section, f"`epizone ops {name}` is not documented in docs/cli.md"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    heading = ops_section[ops_section.index(f"epizone ops {name}"):]
                    section = heading[:heading.find("\n### ", 1) if "\n### " in heading[1:] else len(heading)]
                    assert f"`{opt}`" in section, f"{opt} of `epizone ops {name}` is not documented in docs/cli.md"
    from fastapi.testclient import TestClient
    from epizone.api.app import create_app
    from epizone.api.settings import ApiSettings
    operations = re.sub(r"\{[^}]*\}", "{}", (ROOT / "docs" / "operations.md").read_text(encoding="utf-8"))
    with TestClient(create_app(ApiSettings(store.url))) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        if path.startswith("/api/v1/ops"):
            for method in item:
                shown = re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1"))
                assert f"`{method.upper()} {shown}" in operations, f"{method} {path} is not in docs/operations.md"
