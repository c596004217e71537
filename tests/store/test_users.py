"""Users: scrypt password hashes, staff-card login, roles."""

from __future__ import annotations

import pytest

from hudang.store.barcodes import default_scheme
from hudang.store.errors import AlreadyExists, AuthenticationFailed, ValidationError
from hudang.store.models import User
from hudang.store.services import users


def test_password_is_hashed_with_a_kdf_and_verified(db):
    users.add_user("lisi", "李四", "approver", "s3cret-密码")
    stored = User.get(User.username == "lisi").password_hash
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert users.authenticate("lisi", "s3cret-密码").role == "approver"
    with pytest.raises(AuthenticationFailed):
        users.authenticate("lisi", "wrong-password")
    with pytest.raises(AuthenticationFailed):
        users.authenticate("nobody", "whatever1")


def test_same_password_gets_different_salts():
    assert users.hash_password("abcdefgh") != users.hash_password("abcdefgh")
    assert users.verify_password("abcdefgh", users.hash_password("abcdefgh"))
    assert not users.verify_password("abcdefgh", "plain")


def test_staff_card_login_and_validation(db):
    u = users.add_user("wangwu", "王五", "keeper", "password1")
    assert users.authenticate_card(" ]C0" + u.staff_card.lower()).username == "wangwu"
    with pytest.raises(AuthenticationFailed):
        users.authenticate_card(default_scheme().make("staff_card", 999999))
    with pytest.raises(AlreadyExists):
        users.add_user("wangwu", "王五", "keeper", "password1")
    with pytest.raises(ValidationError):
        users.add_user("x", "x", "boss", "password1")
    with pytest.raises(ValidationError):
        users.add_user("y", "y", "keeper", "short")
