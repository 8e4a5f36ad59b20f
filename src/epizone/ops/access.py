"""Who may do what in operations, on top of the service's roles (``epizone.store.access``).

An **enterprise account** is a user with the ``reporter`` role linked to one enterprise
(``enterprise_accounts``): it reads and reports for that enterprise only, and the service refuses it every
other reporter right (``epizone.api.ops_guard``). Reporters act inside their area subtree; inspections are
recorded by analysts (and admins); viewers read everything; admins link accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from epizone.domain.errors import Forbidden
from epizone.ops.models import Enterprise, EnterpriseAccount
from epizone.store.access import subtree
from epizone.store.models import User

OPS_ACTIONS: dict[str, tuple[str, ...]] = {
    "ops_read": ("admin", "analyst", "reporter", "viewer"),    # registry, reports, figures (reporter: own scope)
    "ops_register": ("admin", "analyst", "reporter"),          # enterprises and facilities
    "ops_report": ("admin", "analyst", "reporter"),            # daily resumption reports (enterprise: its own)
    "ops_resolve": ("admin", "analyst", "reporter"),           # mark bottlenecks resolved or open again
    "ops_inspect": ("admin", "analyst"),                       # inspections, follow-up, the checklist
    "ops_supplies": ("admin", "analyst", "reporter"),          # supply reports of hospitals
    "ops_accounts": ("admin",),                                # link users to enterprises
}
ENTERPRISE_ACTIONS = ("ops_read", "ops_report")


@dataclass(frozen=True)
class Actor:
    """Who acts: name, role, the areas they may touch (None: all) and, for an enterprise account, its enterprise."""

    name: str
    role: str
    areas: frozenset[str] | None = None
    enterprise_id: int | None = None
    enterprise_code: str | None = None

    @property
    def is_enterprise(self) -> bool:
        return self.enterprise_id is not None

    def sees_area(self, code: str) -> bool:
        return self.areas is None or code in self.areas


def operator(name: str) -> Actor:
    """The command line's actor: the store's operator, with every right (as for ``epizone db``)."""
    return Actor(name, "admin")


def actor_for(connection: Connection, name: str, role: str, scope_area_code: str | None) -> Actor:
    """The actor of a service user: scoped to their subtree (reporters) and to their enterprise (accounts)."""
    linked = connection.execute(
        select(Enterprise.id, Enterprise.code, Enterprise.area_code)
        .join(EnterpriseAccount, EnterpriseAccount.enterprise_id == Enterprise.id)
        .join(User, User.id == EnterpriseAccount.user_id).where(User.name == name)).first()
    if linked is not None:
        return Actor(name, role, frozenset({linked.area_code}), linked.id, linked.code)
    if role == "reporter":
        return Actor(name, role, frozenset(subtree(connection, scope_area_code)) if scope_area_code else frozenset())
    return Actor(name, role)


def may(actor: Actor, action: str) -> bool:
    if action not in OPS_ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    if actor.is_enterprise:
        return action in ENTERPRISE_ACTIONS
    return actor.role in OPS_ACTIONS[action]


def require(actor: Actor, action: str) -> None:
    if not may(actor, action):
        who = "an enterprise account" if actor.is_enterprise else f"the {actor.role} role"
        raise Forbidden(f"{who} may not {action.removeprefix('ops_').replace('_', ' ')}")
