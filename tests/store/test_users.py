"""Users: argon2id hashes (old scrypt ones upgraded), lockout, card + PIN, sessions, admin-only."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.errors import (
    AlreadyExists,
    AuthenticationFailed,
    PermissionDenied,
    ValidationError,
)
from hudang.store.models import AuditEvent, User
from hudang.store.models_security import CliSession, UserCredential
from hudang.store.services import users

FAST = users.SignInPolicy(max_failures=3, lock_minutes=10, failure_delay_seconds=0)
KEEPER = Actor("k", "desk-1", "keeper")


def _actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


def test_password_is_hashed_with_argon2id_and_verified(db):
    users.add_user("lisi", "李四", "approver", "s3cret-密码")
    stored = User.get(User.username == "lisi").password_hash
    assert stored.startswith("$argon2id$") and "m=19456" in stored and "s3cret" not in stored
    assert users.authenticate("lisi", "s3cret-密码", policy=FAST).role == "approver"
    with pytest.raises(AuthenticationFailed):
        users.authenticate("lisi", "wrong-password", policy=FAST)
    with pytest.raises(AuthenticationFailed):
        users.authenticate("nobody", "whatever1", policy=FAST)
    failed = _actions("auth.failed")
    assert [e.entity_id for e in failed] == ["lisi", "nobody"]
    assert len(_actions("auth.signin")) == 1


def test_same_password_gets_different_salts():
    assert users.hash_password("abcdefgh") != users.hash_password("abcdefgh")
    assert users.verify_password("abcdefgh", users.hash_password("abcdefgh"))
    assert not users.verify_password("abcdefgh", "plain")


def test_old_scrypt_hash_is_upgraded_at_next_sign_in(db):
    users.add_user("old", "老用户", "keeper", "old-password")
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"old-password", salt=salt, n=2**14, r=8, p=1, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    User.update(password_hash=f"scrypt${2**14}$8$1${b64(salt)}${b64(digest)}").execute()
    users.authenticate("old", "old-password", policy=FAST)
    assert User.get(User.username == "old").password_hash.startswith("$argon2id$")
    assert users.authenticate("old", "old-password", policy=FAST).username == "old"


def test_failed_sign_ins_lock_the_account_then_it_opens_again(db):
    users.add_user("wang", "王", "keeper", "right-password")
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            users.authenticate("wang", "guess-guess", policy=FAST)
    with pytest.raises(users.AccountLocked):  # even the right password is refused now
        users.authenticate("wang", "right-password", policy=FAST)
    assert len(_actions("auth.locked")) == 1 and len(_actions("auth.failed")) == 4
    cred = UserCredential.get(UserCredential.user == User.get(User.username == "wang"))
    cred.locked_until = dt.datetime(2000, 1, 1)  # the lock has run out
    cred.save()
    assert users.authenticate("wang", "right-password", policy=FAST).username == "wang"


def test_staff_card_needs_a_pin_unless_the_site_allows_card_only_keepers(db):
    keeper = users.add_user("wangwu", "王五", "keeper", "password1", pin="2468")
    admin = users.add_user("boss", "老板", "admin", "password1", pin="1357")
    card_only = users.SignInPolicy(card_only_roles=frozenset({"keeper"}), failure_delay_seconds=0)
    with pytest.raises(users.PinRequired):
        users.authenticate_card(keeper.staff_card, policy=FAST)
    assert users.authenticate_card(" ]C0" + keeper.staff_card.lower(),
                                   policy=card_only).username == "wangwu"
    with pytest.raises(users.PinRequired):  # an administrator always needs the second factor
        users.authenticate_card(admin.staff_card, policy=card_only)
    assert users.authenticate_card(admin.staff_card, "1357", policy=card_only).role == "admin"
    assert users.authenticate_card(admin.staff_card, "password1", policy=FAST).role == "admin"
    with pytest.raises(AuthenticationFailed):
        users.authenticate_card(admin.staff_card, "0000", policy=FAST)
    with pytest.raises(AuthenticationFailed):
        users.authenticate_card(default_scheme().make("staff_card", 999999), "1234", policy=FAST)
    assert {e.after for e in _actions("auth.failed")} >= {
        '{"method":"card+pin","reason":"wrong PIN"}', '{"method":"card","reason":"unknown card"}'}


def test_validation_and_only_an_administrator_manages_accounts(db):
    users.add_user("wangwu", "王五", "keeper", "password1")
    with pytest.raises(AlreadyExists):
        users.add_user("wangwu", "王五", "keeper", "password1")
    with pytest.raises(ValidationError):
        users.add_user("x", "x", "boss", "password1")
    with pytest.raises(ValidationError):
        users.add_user("y", "y", "keeper", "short")
    with pytest.raises(ValidationError):
        users.add_user("z", "z", "keeper", "password1", pin="12a4")
    with pytest.raises(PermissionDenied):
        users.add_user("mallory", "m", "admin", "password1", actor=KEEPER)
    with pytest.raises(PermissionDenied):
        users.set_role("wangwu", "admin", KEEPER)
    with pytest.raises(PermissionDenied):
        users.set_password("admin2", "password2", KEEPER)


def test_deactivated_users_cannot_sign_in_and_keep_their_history(db):
    admin = Actor("root", "cli", "admin")
    users.add_user("root", "root", "admin", "password1")
    users.add_user("zhao", "赵", "keeper", "password1")
    token = users.open_session(users.authenticate("zhao", "password1", policy=FAST), "cli@x")
    users.set_active("zhao", False, admin)
    with pytest.raises(AuthenticationFailed):
        users.authenticate("zhao", "password1", policy=FAST)
    with pytest.raises(users.NotSignedIn):
        users.resume_session(token, FAST)
    assert [e.entity_id for e in _actions("auth.signin")] == ["zhao"]  # history kept
    with pytest.raises(ValidationError):
        users.set_active("root", False, admin)  # never the last administrator
    users.set_active("zhao", True, admin)
    users.set_role("zhao", "approver", admin)
    users.set_password("zhao", "password2", admin)
    assert users.authenticate("zhao", "password2", policy=FAST).role == "approver"
    assert [e.action for e in AuditEvent.select().where(AuditEvent.entity_id == "zhao")
            .order_by(AuditEvent.seq)][-4:] == ["user.activate", "user.role", "user.password",
                                                "auth.signin"]


def test_sessions_expire_when_idle_and_end_at_sign_out(db):
    users.add_user("qian", "钱", "keeper", "password1")
    user = users.authenticate("qian", "password1", policy=FAST)
    token = users.open_session(user, "cli@x")
    assert CliSession.get().token_hash != token  # only the hash is stored
    assert users.resume_session(token, FAST).username == "qian"
    CliSession.update(last_seen_at=dt.datetime(2000, 1, 1)).execute()
    with pytest.raises(users.NotSignedIn):
        users.resume_session(token, FAST)
    token = users.open_session(user, "cli@x")
    assert users.close_session(token).username == "qian"
    with pytest.raises(users.NotSignedIn):
        users.resume_session(token, FAST)
    assert len(_actions("auth.signout")) == 1
