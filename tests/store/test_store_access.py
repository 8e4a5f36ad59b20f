"""Tokens (hashed, revocable, expiring), users' roles and scopes, the access table, the measures catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import Type, extract_parameters
from sqlalchemy import select, update

from epizone.domain.access import ACTIONS, allowed
from epizone.store.access import subtree
from epizone.store.db import reading, writing
from epizone.store.imports import import_file
from epizone.store.measures import MeasureError, add_measure, edit_measure, list_measures, remove_measure
from epizone.store.models import ApiToken, AuditEntry
from epizone.store.tokens import TokenError, create_token, list_tokens, revoke_token, verify_token
from epizone.store.users import UserError, add_user, get_user, update_user


def audit(store):
    with store.engine.connect() as connection:
        return connection.execute(select(AuditEntry.user_name, AuditEntry.action, AuditEntry.before, AuditEntry.after)
                                  .order_by(AuditEntry.id)).all()


def test_a_token_is_shown_once_stored_as_argon2id_and_refused_once_revoked(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    add_user(store.engine, "rita", "reporter", "350102", "admin")
    new = create_token(store.engine, "rita", "admin", "phone")
    assert new.token.startswith(f"ezt_{new.info.prefix}_") and len(new.token) > 50
    with store.engine.connect() as connection:
        stored = connection.scalar(select(ApiToken.hash))
    secret = new.token[len(f"ezt_{new.info.prefix}_"):]  # may itself contain "_"
    assert len(secret) >= 40 and new.token not in stored and secret not in stored
    parameters = extract_parameters(stored)
    assert (parameters.type, parameters.time_cost, parameters.memory_cost) == (Type.ID, 3, 65536)
    assert verify_token(store.engine, new.token).__dict__ == {
        "name": "rita", "role": "reporter", "scope_area_code": "350102", "token_id": new.info.id}
    forged = new.token[:-4] + ("AAAA" if not new.token.endswith("AAAA") else "BBBB")
    for bad in (forged, "ezt_nothere_x", "Bearer x", ""):
        with pytest.raises(TokenError, match="unknown token|not an epizone token"):
            verify_token(store.engine, bad)
    revoke_token(store.engine, new.info.id, "admin")
    with pytest.raises(TokenError, match="revoked"):
        verify_token(store.engine, new.token)
    assert [t.state for t in list_tokens(store.engine, "rita")] == ["revoked"]
    actions = [(user, action) for user, action, *_ in audit(store)]
    assert actions[-2:] == [("admin", "token.create"), ("admin", "token.revoke")]


def test_expired_tokens_and_disabled_users_are_refused(store):
    add_user(store.engine, "vic", "viewer", None, "admin")
    soon = create_token(store.engine, "vic", "admin", expires_at=dt.datetime(2999, 1, 1))
    other = create_token(store.engine, "vic", "admin")
    assert verify_token(store.engine, soon.token).name == "vic"
    with writing(store.engine) as connection:  # time passes
        connection.execute(update(ApiToken).where(ApiToken.id == soon.info.id)
                           .values(expires_at=dt.datetime(2020, 1, 1)))
    with pytest.raises(TokenError, match="expired"):
        verify_token(store.engine, soon.token)
    with pytest.raises(TokenError, match="in the future"):
        create_token(store.engine, "vic", "admin", expires_at=dt.datetime(2020, 1, 1))
    update_user(store.engine, "vic", "admin", disabled=True)
    with pytest.raises(TokenError, match="disabled"):
        verify_token(store.engine, other.token)
    update_user(store.engine, "vic", "admin", disabled=False)
    assert verify_token(store.engine, other.token).role == "viewer"


def test_user_updates_are_checked_and_audited(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    add_user(store.engine, "rita", "reporter", "350102", "admin")
    with pytest.raises(UserError, match="expected the code of an area"):
        update_user(store.engine, "rita", "admin", scope_area_code="nowhere")
    with pytest.raises(UserError, match="expected one of"):
        update_user(store.engine, "rita", "admin", role="emperor")
    changed = update_user(store.engine, "rita", "admin", role="analyst")
    assert (changed.role, changed.scope_area_code) == ("analyst", None)
    with pytest.raises(UserError, match="needs a scope"):
        update_user(store.engine, "rita", "admin", role="reporter")
    assert get_user(store.engine, "rita").role == "analyst"
    user, action, before, after = audit(store)[-1]
    assert (user, action, before["role"], after["role"]) == ("admin", "user.update", "reporter", "analyst")


def test_the_access_table_and_a_reporters_subtree(store):
    assert allowed("admin", "manage_users") and not allowed("analyst", "manage_users")
    assert allowed("reporter", "submit_reports") and not allowed("viewer", "submit_reports")
    assert not allowed("reporter", "import_areas") and not allowed("reporter", "publish")
    public = [a for a in ACTIONS if allowed(None, a)]
    assert public == [a.name for a in ACTIONS.values() if a.public] == ["read_levels", "read_announcements"]
    assert all(allowed(role, "own_tokens") for role in ("admin", "analyst", "reporter", "viewer"))
    with pytest.raises(KeyError):
        allowed("admin", "fly")
    import_file(store.engine, "areas", store.areas(), "ann")
    with reading(store.engine) as connection:
        assert subtree(connection, "350102") == {"350102", "350102001", "350102002"}
        assert subtree(connection, "3501") == {"3501", "350102", "350103", "350102001", "350102002", "350103001"}


def test_measures_are_shipped_and_editable_with_audit(store):
    shipped = list_measures(store.engine, "cn-2020-02")
    assert [(m.level, m.position) for m in shipped] == [("high", 1), ("high", 2), ("low", 1), ("low", 2),
                                                        ("medium", 1), ("medium", 2)]
    assert shipped[2].text_zh.startswith("实施“外防输入”策略") and "restore production" in shipped[3].text_en
    assert {m.level for m in list_measures(store.engine, "cn-2020-09")} == {"low", "medium", "high"}
    added = add_measure(store.engine, "fj-2020-02", "none", "恢复正常生产生活秩序", "Normal life", "ann")
    assert (added.position, added.updated_by) == (1, "ann")
    edited = edit_measure(store.engine, added.id, "bo", text_en="Restore normal life", position=2)
    assert (edited.text_zh, edited.text_en, edited.position) == ("恢复正常生产生活秩序", "Restore normal life", 2)
    remove_measure(store.engine, added.id, "cy")
    assert list_measures(store.engine, "fj-2020-02") == []
    entries = audit(store)
    assert [(u, a) for u, a, *_ in entries] == [("ann", "measure.add"), ("bo", "measure.edit"), ("cy", "measure.remove")]
    assert entries[1].before["text_en"] == "Normal life" and entries[1].after["text_en"] == "Restore normal life"
    for bad in (dict(rule_set_id="nope", level="low"), dict(rule_set_id="cn-2020-02", level="purple"),
                dict(rule_set_id="cn-2020-02", level="low", text_en=" ")):
        with pytest.raises(MeasureError):
            add_measure(store.engine, **{"text_zh": "措施", "text_en": "measure", **bad}, by="ann")
