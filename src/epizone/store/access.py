"""Who may do what: one table of actions by role, and a reporter's scope (the subtree of their area).

Every role reads announcements and measures whole (they are public documents). A reporter reads and
writes nothing outside their scope: areas, reports, run levels, published levels and explanations are
limited to the subtree of ``scope_area_code``. Anonymous callers get ``PUBLIC`` actions only, and only when
the service was started with public read access.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from epizone.store.models import ROLES, AreaRecord

EVERYONE = ROLES
ACTIONS: dict[str, tuple[str, ...]] = {
    "read_levels": EVERYONE,            # published levels (current, at a date, history, counts, GeoJSON)
    "read_announcements": EVERYONE,     # announcements and the measures catalogue
    "read_data": EVERYONE,              # areas, case and count reports, runs and their levels, explanations
    "submit_reports": ("admin", "analyst", "reporter"),  # case and count files (reporter: own scope)
    "import_areas": ("admin", "analyst"),
    "assess": ("admin", "analyst"),     # create assessment runs
    "publish": ("admin", "analyst"),    # publish a run's date, retract an announcement
    "edit_measures": ("admin", "analyst"),
    "manage_users": ("admin",),         # users, every user's tokens, the audit log
    "own_tokens": EVERYONE,             # create, list and revoke one's own tokens
}
PUBLIC = ("read_levels", "read_announcements")
SCOPED_ROLES = ("reporter",)


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` (None: anonymous, with public read on) may do ``action``."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    if role is None:
        return action in PUBLIC
    return role in ACTIONS[action]


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


def matrix() -> list[tuple[str, dict[str, bool]]]:
    """Action -> role -> allowed, with ``anonymous`` (public read on) as a last column: for the docs and tests."""
    return [(action, {**{role: role in roles for role in ROLES}, "anonymous": action in PUBLIC})
            for action, roles in ACTIONS.items()]
