"""API tokens: created for a user and shown once, stored only as an argon2id hash, revocable, expirable.

A token reads ``ezt_<prefix>_<secret>``: the 12-character prefix finds its row (unique index), the whole
token is checked against the stored argon2 hash. Verifying argon2 costs tens of milliseconds by design,
so a successful check is remembered in this process (keyed by the row, its hash and a SHA-256 of the
presented token); revocation, expiry and a disabled user are still read from the database on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from epizone.domain.errors import InvalidInput, NotFound
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.store.models import ApiToken, User

SCHEME = "ezt"
LAST_USED_EVERY = dt.timedelta(minutes=1)  # how stale last_used_at may get (it costs a write)
HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (argon2-cffi's default); tests use cheaper parameters


class TokenError(InvalidInput):
    """The token is not accepted; the message says why (unknown, revoked, expired, user disabled)."""


class TokenNotFound(NotFound):
    pass


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the token's user, their role and (for a reporter) the root of their scope."""

    name: str
    role: str
    scope_area_code: str | None
    token_id: int | None = None


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    prefix: str
    label: str
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utc_now():
            return "expired"
        return "active"


@dataclass(frozen=True)
class NewToken:
    info: TokenInfo
    token: str  # the only time the secret is seen


def create_token(engine: Engine, user: str, by: str, label: str = "", expires_at: dt.datetime | None = None,
                 ) -> NewToken:
    """A new token for ``user``; ``by`` is who asked (audited). Only the hash is stored."""
    if expires_at is not None and expires_at <= utc_now():
        raise TokenError(f"expires_at {expires_at:%Y-%m-%d %H:%M:%S}: expected a moment in the future")
    prefix = secrets.token_hex(6)
    token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    hashed = HASHER.hash(token)
    with writing(engine) as connection:
        require_schema(connection)
        user_id = connection.scalar(select(User.id).where(User.name == user))
        if user_id is None:
            raise TokenNotFound(f"no user named {user!r}")
        at = utc_now()
        token_id = connection.scalar(insert(ApiToken).values(
            user_id=user_id, prefix=prefix, hash=hashed, label=label, created_at=at, created_by=by,
            expires_at=expires_at).returning(ApiToken.id))
        info = _get(connection, token_id)
        record_audit(connection, by, "token.create", "api_token", str(token_id), None, _audited(info), at)
    return NewToken(info, token)


def verify_token(engine: Engine, token: str) -> Principal:
    """The principal a token acts as; TokenError when it is unknown, wrong, revoked, expired or its user disabled."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1]:
        raise TokenError("not an epizone token")
    with reading(engine) as connection:
        row = connection.execute(
            select(ApiToken.id, ApiToken.hash, ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at,
                   User.name, User.role, User.scope_area_code, User.disabled_at)
            .join(User, User.id == ApiToken.user_id).where(ApiToken.prefix == parts[1])).first()
    if row is None or not _matches(row.id, row.hash, token):
        raise TokenError("unknown token")
    now = utc_now()
    if row.revoked_at is not None:
        raise TokenError("this token was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenError("this token has expired")
    if row.disabled_at is not None:
        raise TokenError("this token's user is disabled")
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY:
        with writing(engine) as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return Principal(row.name, row.role, row.scope_area_code, row.id)


def revoke_token(engine: Engine, token_id: int, by: str) -> TokenInfo:
    """Revoke a token (from now on it is refused); revoking a revoked token changes nothing."""
    with writing(engine) as connection:
        require_schema(connection)
        before = _get(connection, token_id)
        if before.revoked_at is not None:
            return before
        at = utc_now()
        connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=at))
        after = _get(connection, token_id)
        record_audit(connection, by, "token.revoke", "api_token", str(token_id), _audited(before), _audited(after), at)
    return after


def get_token(engine: Engine, token_id: int) -> TokenInfo:
    with reading(engine) as connection:
        return _get(connection, token_id)


def list_tokens(engine: Engine, user: str | None = None) -> list[TokenInfo]:
    with reading(engine) as connection:
        require_schema(connection)
        query = _select().order_by(ApiToken.id)
        if user is not None:
            query = query.where(User.name == user)
        return [TokenInfo(**row._asdict()) for row in connection.execute(query)]


def _select():  # noqa: ANN202
    return (select(ApiToken.id, User.name.label("user"), ApiToken.prefix, ApiToken.label, ApiToken.created_at,
                   ApiToken.created_by, ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at)
            .join(User, User.id == ApiToken.user_id))


def _get(connection, token_id: int) -> TokenInfo:  # noqa: ANN001
    row = connection.execute(_select().where(ApiToken.id == token_id)).first()
    if row is None:
        raise TokenNotFound(f"no token with id {token_id}")
    return TokenInfo(**row._asdict())


def _audited(info: TokenInfo) -> dict:
    return {"user": info.user, "prefix": info.prefix, "label": info.label,
            **{k: (None if v is None else v.isoformat()) for k, v in
               (("expires_at", info.expires_at), ("revoked_at", info.revoked_at))}}


_verified: OrderedDict[tuple[int, str, str], None] = OrderedDict()
_verified_lock = threading.Lock()
_VERIFIED_MAX = 4096


def _matches(token_id: int, hashed: str, token: str) -> bool:
    key = (token_id, hashed, hashlib.sha256(token.encode()).hexdigest())
    with _verified_lock:
        if key in _verified:
            _verified.move_to_end(key)
            return True
    try:
        HASHER.verify(hashed, token)
    except (VerificationError, InvalidHashError):
        return False
    with _verified_lock:
        _verified[key] = None
        if len(_verified) > _VERIFIED_MAX:
            _verified.popitem(last=False)
    return True
