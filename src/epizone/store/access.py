"""The store's actions (registered in ``epizone.domain.access``) and a reporter's scope (the subtree of their area).

Every role reads announcements and measures whole (they are public documents). A reporter reads and
writes nothing outside their scope: areas, reports, run levels, published levels and explanations are
limited to the subtree of ``scope_area_code``. Anonymous callers get the public actions only, and only when
the service was started with public read access. Enterprise accounts read published levels, announcements
and measures and keep their own tokens; nothing else of the store is open to them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from epizone.domain.access import Action, register
from epizone.store.models import ROLES, AreaRecord

EVERYONE = ROLES
OFFICERS = ("admin", "analyst")
register(
    Action("read_levels", EVERYONE, public=True, enterprise=True),  # published levels, their map and reasons
    Action("read_announcements", EVERYONE, public=True, enterprise=True),  # announcements and measures
    Action("read_data", EVERYONE),  # areas, case and count reports, runs and their levels, explanations
    Action("submit_reports", (*OFFICERS, "reporter")),  # case and count files (reporter: own scope)
    Action("import_areas", OFFICERS),
    Action("assess", OFFICERS),  # create assessment runs
    Action("publish", OFFICERS),  # publish a run's date, retract an announcement
    Action("edit_measures", OFFICERS),
    Action("manage_users", ("admin",)),  # users, every user's tokens, the audit log
    Action("own_tokens", EVERYONE, enterprise=True),  # who one is; create, list and revoke one's own tokens
)
SCOPED_ROLES = ("reporter",)


def subtree(connection: Connection, root: str) -> set[str]:
    """The codes of ``root`` and every current area below it."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for code, parent in connection.execute(select(AreaRecord.code, AreaRecord.parent_code)
                                           .where(AreaRecord.superseded_at.is_(None))):
        children[parent].append(code)
    found, stack = set(), [root]
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(children.get(code, ()))
    return found
