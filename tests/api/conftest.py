"""The API in-process (Starlette's TestClient over httpx) on a store of each kind, with one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from databases import Store
from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.store import tokens
from epizone.store.imports import import_file
from epizone.store.users import add_user

USERS = {"admin": ("ada", None), "analyst": ("ana", None), "reporter": ("rita", "350102"), "viewer": ("vic", None)}


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, with the smallest parameters: the shipped ones cost ~0.15 s per hash by design."""
    monkeypatch.setattr(tokens, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass
class Api:
    client: TestClient
    store: Store
    tokens: dict[str, str]   # role -> a token of that role's user

    def data(self) -> dict[str, list[tuple]]:
        """Every table but the tokens (whose last_used_at a request may update)."""
        return {name: rows for name, rows in self.store.snapshot().items() if name != "api_tokens"}

    def auth(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path: str, role: str | None = "admin", **kwargs):  # noqa: ANN003, ANN201
        return self.client.get(path, headers={**self.auth(role), **kwargs.pop("headers", {})}, **kwargs)

    def post(self, path: str, role: str | None = "admin", **kwargs):  # noqa: ANN003, ANN201
        return self.client.post(path, headers={**self.auth(role), **kwargs.pop("headers", {})}, **kwargs)

    def patch(self, path: str, role: str | None = "admin", **kwargs):  # noqa: ANN003, ANN201
        return self.client.patch(path, headers=self.auth(role), **kwargs)

    def delete(self, path: str, role: str | None = "admin", **kwargs):  # noqa: ANN003, ANN201
        return self.client.delete(path, headers=self.auth(role), **kwargs)


def make_api(store: Store, public_read: bool = False) -> Iterator[Api]:
    import_file(store.engine, "areas", store.areas(), "setup")
    made = {}
    for role, (name, scope) in USERS.items():
        add_user(store.engine, name, role, scope, "setup")
        made[role] = tokens.create_token(store.engine, name, "setup").token
    with TestClient(create_app(ApiSettings(store.url, public_read))) as client:
        yield Api(client, store, made)


@pytest.fixture
def api(store: Store) -> Iterator[Api]:
    yield from make_api(store)


@pytest.fixture
def public_api(store: Store) -> Iterator[Api]:
    yield from make_api(store, public_read=True)
