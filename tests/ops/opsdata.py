"""Shared data and helpers of the operations tests (a module of its own, so that no test imports a conftest):
the users per role, a small registry, report rows, published levels, and the service in-process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from databases import Store
from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.domain.cutoff import DataThrough
from epizone.ops.access import operator
from epizone.ops.enterprises import link_account
from epizone.ops.imports import import_ops
from epizone.store import tokens
from epizone.store.imports import import_file
from epizone.store.publish import publish
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.users import add_user

V1 = "/api/v1"
DAY = dt.date(2020, 2, 5)
ROLES = ("admin", "analyst", "reporter", "viewer", "enterprise")
# role -> (user, scope); the enterprise account is a reporter of E1's township, linked to E1
USERS = {"admin": ("ada", None), "analyst": ("ana", None), "reporter": ("rita", "350102"), "viewer": ("vic", None),
         "enterprise": ("eve", "350102001")}
ENTERPRISES = [  # E1, E2 in Gulou (350102), E3 in Taijiang (350103)
    {"code": "E1", "name": "Gulou Shoes", "area_code": "350102001", "sector": "textiles_footwear",
     "size_class": "small", "workforce": 50},
    {"code": "E2", "name": "Gulou Pharma", "area_code": "350102002", "sector": "medical_supplies",
     "size_class": "medium", "workforce": 200, "plan_approved_on": "2020-02-01", "key_enterprise": True},
    {"code": "E3", "name": "Taijiang Foods", "area_code": "350103001", "sector": "food", "size_class": "large",
     "workforce": 500},
]


def report(code: str, date: str = "2020-02-05", status: str = "partial", on_site: int = 10, total: int = 50,
           **more: Any) -> dict[str, Any]:
    return {"enterprise_code": code, "date": date, "status": status, "employees_on_site": on_site,
            "employees_total": total, **more}


@dataclass
class OpsApi:
    client: TestClient
    store: Store
    tokens: dict[str, str]

    def auth(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    def call(self, method: str, path: str, role: str | None = "admin", **kwargs: Any):  # noqa: ANN201
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return self.client.request(method, V1 + path, headers=headers, **kwargs)

    def get(self, path: str, role: str | None = "admin", **kwargs: Any):  # noqa: ANN201
        return self.call("GET", path, role, **kwargs)

    def post(self, path: str, role: str | None = "admin", **kwargs: Any):  # noqa: ANN201
        return self.call("POST", path, role, **kwargs)

    def rows(self, kind: str, rows: list[dict[str, Any]], role: str | None = "admin",  # noqa: ANN201
             name: str = "rows"):
        return self.post(f"/ops/imports/{kind}/rows", role, json={"rows": rows, "name": name})

    def data(self) -> dict[str, list[tuple]]:
        """Every table but the tokens (whose last_used_at a request may update)."""
        return {name: rows for name, rows in self.store.snapshot().items() if name != "api_tokens"}

    def items(self, path: str, role: str | None = "admin", **params: Any) -> list[dict[str, Any]]:
        answer = self.get(path, role, params={"limit": 10_000, **params})
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]


def publish_levels(store: Store, cases: list[str], day: dt.date = DAY, rules: str = "cn-2020-02") -> int:
    """Import case rows, grade ``day`` and publish it; the run's id."""
    import_file(store.engine, "cases", store.cases(*cases, name=f"cases-{day}-{len(cases)}.csv"), "setup")
    run = run_assessment(store.engine, RunRequest(rules, day, day, DataThrough(), data_end=day), "setup")
    publish(store.engine, run.id, day, "setup")
    return run.id


# Gulou (350102): 1 case -> medium; Taijiang (350103): 51 cases of one cluster -> high (cn-2020-02, 5 Feb 2020)
GULOU_MEDIUM = ["c1,2020-02-01,350102001,confirmed,"]
TAIJIANG_HIGH = [f"t{i},2020-02-0{1 + i % 3},350103001,confirmed,K1" for i in range(51)]


def make_api(store: Store) -> Iterator[OpsApi]:
    import_file(store.engine, "areas", store.areas(), "setup")
    import_ops(store.engine, "enterprises", ENTERPRISES, operator("setup"))
    made = {}
    for role, (name, scope) in USERS.items():
        add_user(store.engine, name, "reporter" if role == "enterprise" else role, scope, "setup")
        made[role] = tokens.create_token(store.engine, name, "setup").token
    link_account(store.engine, operator("setup"), "eve", "E1")
    with TestClient(create_app(ApiSettings(store.url))) as client:
        yield OpsApi(client, store, made)
