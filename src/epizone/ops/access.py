"""Who may do what in operations: the operations' actions (registered in ``epizone.domain.access``) and the
actor of a service user.

An **enterprise account** is a user with the ``reporter`` role linked to one enterprise
(``enterprise_accounts``): it reads and reports for that enterprise only, and every action not open to
enterprises is refused to it, on operations and on the rest of the service alike. Reporters act inside their
area subtree; inspections are recorded by analysts (and admins); viewers read everything; admins link accounts.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from epizone.domain.access import Action, Actor, register, require
from epizone.ops.models import Enterprise, EnterpriseAccount
from epizone.store.access import EVERYONE, SCOPED_ROLES, subtree
from epizone.store.models import User

__all__ = ["Actor", "actor_for", "operator", "require"]

OFFICERS = ("admin", "analyst", "reporter")
register(
    Action("ops_read", EVERYONE, enterprise=True),  # registry, reports, figures (reporter: own scope)
    Action("ops_read_area_data", EVERYONE),  # inspections, supplies, overviews: area-wide data
    Action("ops_register", OFFICERS),  # enterprises and facilities
    Action("ops_report", OFFICERS, enterprise=True),  # daily resumption reports (enterprise: its own)
    Action("ops_resolve", OFFICERS),  # mark bottlenecks resolved or open again
    Action("ops_inspect", ("admin", "analyst")),  # inspections, follow-up, the checklist
    Action("ops_supplies", OFFICERS),  # supply reports of hospitals
    Action("ops_accounts", ("admin",)),  # link users to enterprises
)


def operator(name: str) -> Actor:
    """The command line's actor: the store's operator, with every right (as for ``epizone db``)."""
    return Actor(name, "admin")


def actor_for(connection: Connection, name: str, role: str, scope_area_code: str | None) -> Actor:
    """The actor of a service user: scoped to their subtree (reporters) and to their enterprise (accounts)."""
    if role not in SCOPED_ROLES:
        return Actor(name, role)
    linked = connection.execute(
        select(Enterprise.id, Enterprise.code, Enterprise.area_code)
        .join(EnterpriseAccount, EnterpriseAccount.enterprise_id == Enterprise.id)
        .join(User, User.id == EnterpriseAccount.user_id).where(User.name == name)).first()
    if linked is not None:
        return Actor(name, role, frozenset({linked.area_code}), linked.id, linked.code)
    return Actor(name, role, frozenset(subtree(connection, scope_area_code)) if scope_area_code else frozenset())
