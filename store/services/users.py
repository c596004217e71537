"""Staff accounts with roles; passwords hashed with scrypt (a memory-hard KDF)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import ROLES
from hudang.store.errors import AlreadyExists, AuthenticationFailed, NotFound, ValidationError
from hudang.store.i18n import t
from hudang.store.models import User
from hudang.store.services import serials
from hudang.store.services.convert import user_info
from hudang.store.services.dto import UserInfo

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, base64 parts; a fresh salt every time."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${_N}${_R}${_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=32)
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def add_user(username: str, display_name: str, role: str, password: str, *,
             staff_card: str | None = None, department: str = "",
             actor: Actor = audit.SYSTEM, issue_card: bool = True) -> UserInfo:
    """A new staff account; a staff-card barcode is issued unless one is given."""
    username = username.strip()
    if role not in ROLES:
        raise ValidationError(t("角色必须是 {r} 之一", "role must be one of {r}", r=", ".join(ROLES)))
    if not username or len(username) > 64:
        raise ValidationError(t("用户名不能为空且不超过 64 个字符",
                                "username must be 1-64 characters"))
    if len(password) < 8:
        raise ValidationError(t("密码至少 8 个字符", "password must be at least 8 characters"))
    with write_tx():
        if User.select().where(User.username == username).exists():
            raise AlreadyExists(t("用户 {u} 已存在", "user {u} already exists", u=username))
        card = None
        if staff_card:
            scan = default_scheme().parse(staff_card)
            if scan.kind != "staff_card":
                raise ValidationError(t("{c} 不是工作证条码", "{c} is not a staff card", c=scan.code))
            serials.reserve_through("staff_card", scan.serial or 0)
            card = scan.code
        elif issue_card:
            card = serials.new_barcodes("staff_card")[0]
        user = User.create(username=username, display_name=display_name or username, role=role,
                           department=department, password_hash=hash_password(password),
                           staff_card=card)
        audit.record(actor, "user.add", "user", username, None,
                     {"display_name": user.display_name, "role": role, "staff_card": card,
                      "department": department})
    return user_info(user)


def authenticate(username: str, password: str) -> UserInfo:
    """Check a username and password; one message for every failure (no user enumeration)."""
    with read_tx():
        user = User.get_or_none(User.username == username.strip())
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise AuthenticationFailed(t("用户名或密码不正确", "wrong username or password"))
    return user_info(user)


def authenticate_card(code: str) -> UserInfo:
    """Log in by scanning a staff card."""
    scan = default_scheme().parse(code)
    with read_tx():
        user = (User.get_or_none(User.staff_card == scan.code)
                if scan.kind == "staff_card" else None)
    if user is None or not user.active:
        raise AuthenticationFailed(t("工作证 {c} 无效", "staff card {c} is not valid", c=scan.code))
    return user_info(user)


def get_user(username: str) -> UserInfo:
    with read_tx():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise NotFound(t("没有用户 {u}", "no user {u}", u=username))
        return user_info(user)


def list_users() -> list[UserInfo]:
    with read_tx():
        return [user_info(u) for u in User.select().order_by(User.username)]


def can_see_personal_data(role: str) -> bool:
    """Whether a role may see full ID and phone numbers (others see them masked)."""
    return role in ("admin", "approver", "auditor")
