"""Who may do what: one registry of actions, the actor who acts, and one check with one wording.

The store registers its actions (``epizone.store.access``) and operations theirs (``epizone.ops.access``). An
action names the roles allowed, whether anonymous readers may use it when the service has public read on, and
whether enterprise accounts (reporters linked to one enterprise) may use it: an enterprise account may use the
actions open to enterprises only, whatever its role would otherwise allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from epizone.domain.errors import Forbidden


@dataclass(frozen=True)
class Action:
    """Something a caller may be allowed to do."""

    name: str
    roles: tuple[str, ...]
    public: bool = False       # anonymous readers may, when public read is on
    enterprise: bool = False   # enterprise accounts may

    @property
    def text(self) -> str:
        """The action in words: ``ops_read_area_data`` -> ``read area data``."""
        return self.name.removeprefix("ops_").replace("_", " ")


ACTIONS: dict[str, Action] = {}


def register(*actions: Action) -> None:
    """Add actions to the registry (registering the same action again changes nothing)."""
    for action in actions:
        if ACTIONS.setdefault(action.name, action) != action:
            raise ValueError(f"action {action.name!r} is registered twice, differently")


def action(name: str) -> Action:
    """The registered action called ``name`` (KeyError for an unknown one)."""
    if name not in ACTIONS:
        raise KeyError(f"unknown action {name!r}")
    return ACTIONS[name]


@dataclass(frozen=True)
class Actor:
    """Who acts: name, role (None: an anonymous reader), the areas they may touch (None: all) and, for an
    enterprise account, its enterprise."""

    name: str
    role: str | None
    areas: frozenset[str] | None = None
    enterprise_id: int | None = None
    enterprise_code: str | None = None

    @property
    def is_enterprise(self) -> bool:
        return self.enterprise_id is not None

    def sees_area(self, code: str) -> bool:
        return self.areas is None or code in self.areas

    def __str__(self) -> str:
        if self.is_enterprise:
            return f"an enterprise account (enterprise {self.enterprise_code})"
        return "an anonymous reader" if self.role is None else f"the {self.role} role"


ANONYMOUS = Actor("anonymous", None)


def allowed(role: str | None, name: str) -> bool:
    """Whether ``role`` (None: an anonymous reader, with public read on) may do action ``name``."""
    found = action(name)
    return found.public if role is None else role in found.roles


def may(actor: Actor, name: str) -> bool:
    """Whether ``actor`` may do action ``name``."""
    return allowed(actor.role, name) and (action(name).enterprise or not actor.is_enterprise)


def require(actor: Actor, name: str) -> None:
    """Raise Forbidden unless ``actor`` may do action ``name``."""
    if not may(actor, name):
        raise Forbidden(f"{actor} may not {action(name).text}")


def require_areas(actor: Actor, *codes: str) -> None:
    """Raise Forbidden unless every area in ``codes`` is inside ``actor``'s scope."""
    outside = [code for code in codes if not actor.sees_area(code)]
    if outside:
        raise Forbidden(f"area {', '.join(outside)} is outside your scope")
