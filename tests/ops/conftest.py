"""Operations tests: the service in-process on a store of each kind (SQLite, PostgreSQL), with one user per role
and an enterprise account (helpers and data in ``opsdata``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from databases import Store
from epizone.store import tokens
from opsdata import GULOU_MEDIUM, TAIJIANG_HIGH, OpsApi, make_api, publish_levels


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with the smallest parameters (the shipped ones cost ~0.15 s per hash by design)."""
    monkeypatch.setattr(tokens, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def api(store: Store) -> Iterator[OpsApi]:
    yield from make_api(store)


@pytest.fixture
def leveled(api: OpsApi) -> OpsApi:
    """Published on 5 Feb 2020: Gulou medium, Taijiang high."""
    publish_levels(api.store, GULOU_MEDIUM + TAIJIANG_HIGH)
    return api
