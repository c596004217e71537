"""Staff accounts with roles; argon2id password and PIN hashes, lockout, CLI sessions."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from hudang.store import audit
from hudang.store.audit import Actor
from hudang.store.barcodes import default_scheme
from hudang.store.db import read_tx, write_tx
from hudang.store.domain import ROLES
from hudang.store.errors import (
    AlreadyExists,
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from hudang.store.i18n import t
from hudang.store.models import User, utcnow
from hudang.store.models_security import CliSession, UserCredential
from hudang.store.services import serials
from hudang.store.services.convert import user_info
from hudang.store.services.dto import UserInfo

# argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane); the parameters are part of
# every stored hash, so raising them here upgrades each account at its next sign-in.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32,
                         salt_len=16, type=Type.ID)
@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check an unknown user's password against: equal work, so no user probing.

    Made on first use, not at import: hashing costs ~40 ms, which the desk's cold start and
    every CLI command would otherwise pay.
    """
    return _HASHER.hash("hudang-dummy-password")


class AccountLocked(AuthenticationFailed):
    """Too many failed sign-ins: the account refuses every attempt for a while."""


class NotSignedIn(AuthenticationFailed):
    """No valid session: sign in first."""


class PinRequired(AuthenticationFailed):
    """A staff card alone is not enough for this account: a PIN or password must follow."""


@dataclass(frozen=True)
class SignInPolicy:
    """How sign-in defends itself; the shell and the desk build it from the settings."""

    max_failures: int = 5  # failed attempts in a row that lock the account
    lock_minutes: int = 15
    failure_delay_seconds: float = 1.0  # each failure waits this long (slows guessing)
    card_only_roles: frozenset[str] = frozenset()  # roles a staff card alone may sign in
    session_idle_minutes: int = 30  # a CLI session ends after this long unused


DEFAULT_POLICY = SignInPolicy()


def policy_from(settings: object) -> SignInPolicy:
    """The policy from anything with the sign-in settings as attributes (hudang's Settings)."""
    get = lambda name, default: getattr(settings, name, default)  # noqa: E731
    return SignInPolicy(
        max_failures=int(get("signin_max_failures", 5)),
        lock_minutes=int(get("signin_lock_minutes", 15)),
        failure_delay_seconds=int(get("signin_failure_delay_ms", 1000)) / 1000,
        card_only_roles=frozenset({"keeper"}) if get("card_only_signin", False) else frozenset(),
        session_idle_minutes=int(get("session_idle_minutes", 30)))


@dataclass(frozen=True)
class UserAccount:
    """A staff account as an administrator sees it."""

    username: str
    display_name: str
    role: str
    department: str
    staff_card: str | None
    active: bool
    service: bool
    has_pin: bool
    failed_count: int
    locked_until: dt.datetime | None


# ---------------------------------------------------------------- hashing

def hash_password(password: str) -> str:
    """An argon2id hash with its parameters and a fresh salt (`$argon2id$v=19$m=…`)."""
    return _HASHER.hash(password)


def _check(secret: str, stored: str) -> tuple[bool, bool]:
    """(matches, should be re-hashed with today's parameters)."""
    if stored.startswith("scrypt$"):
        return _verify_scrypt(secret, stored), True
    try:
        _HASHER.verify(stored, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, _HASHER.check_needs_rehash(stored)


def verify_password(password: str, stored: str) -> bool:
    return _check(password, stored)[0]


def _verify_scrypt(password: str, stored: str) -> bool:
    """Hashes of earlier versions: `scrypt$n$r$p$salt$hash`."""
    try:
        _algo, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=32, maxmem=2**30)
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


# ---------------------------------------------------------------- checks

def _validate_password(password: str) -> None:
    if len(password) < 8:
        raise ValidationError(t("密码至少 8 个字符", "password must be at least 8 characters"))
    if len(password) > 1024:
        raise ValidationError(t("密码过长", "password is too long"))


def _validate_pin(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValidationError(t("PIN 必须是 4 到 12 位数字", "a PIN is 4 to 12 digits"))


def _validate_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(t("角色必须是 {r} 之一", "role must be one of {r}", r=", ".join(ROLES)))


def _require_admin(actor: Actor) -> None:
    """Only an administrator adds or changes accounts (the first one is made by `init`)."""
    if actor.role != "admin":
        raise PermissionDenied(t("只有管理员可以管理用户", "only an administrator manages users"))


def _credential(user: User) -> UserCredential:
    cred = UserCredential.get_or_none(UserCredential.user == user)
    return cred or UserCredential.create(user=user)


def _user(username: str) -> User:
    user = User.get_or_none(User.username == username.strip())
    if user is None:
        raise NotFound(t("没有用户 {u}", "no user {u}", u=username))
    return user


# ---------------------------------------------------------------- accounts

def add_user(username: str, display_name: str, role: str, password: str, *,
             staff_card: str | None = None, department: str = "",
             actor: Actor = audit.SYSTEM, issue_card: bool = True, pin: str | None = None,
             service: bool = False) -> UserInfo:
    """A new staff account; a staff-card barcode is issued unless one is given (or a service)."""
    username = username.strip()
    _require_admin(actor)
    _validate_role(role)
    if not username or len(username) > 64 or not username.isprintable():
        raise ValidationError(t("用户名不能为空且不超过 64 个字符",
                                "username must be 1-64 characters"))
    _validate_password(password)
    if pin is not None:
        _validate_pin(pin)
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
        elif issue_card and not service:
            card = serials.new_barcodes("staff_card")[0]
        user = User.create(username=username, display_name=display_name or username, role=role,
                           department=department, password_hash=hash_password(password),
                           staff_card=card)
        UserCredential.create(user=user, service=service,
                              pin_hash=hash_password(pin) if pin else "")
        audit.record(actor, "user.add", "user", username, None,
                     {"display_name": user.display_name, "role": role, "staff_card": card,
                      "department": department, "service": service, "pin": bool(pin)})
    return user_info(user)


def bootstrap_admin(username: str, password: str, display_name: str = "",
                    terminal: str = "cli") -> UserInfo | None:
    """The first administrator of an archive with no accounts (None when it has some)."""
    with write_tx():
        if User.select().exists():
            return None
        return add_user(username, display_name or username, "admin", password,
                        actor=Actor("init", terminal, "admin"))


def set_password(username: str, password: str, actor: Actor) -> None:
    """A new password (an administrator's reset, or the user's own change)."""
    if actor.username != username.strip():
        _require_admin(actor)
    _validate_password(password)
    with write_tx():
        user = _user(username)
        user.password_hash = hash_password(password)
        user.save()
        cred = _credential(user)
        cred.password_changed_at, cred.failed_count, cred.locked_until = utcnow(), 0, None
        cred.save()
        _end_sessions(user)
        audit.record(actor, "user.password", "user", user.username, None, {"reset": True})


def set_pin(username: str, pin: str | None, actor: Actor) -> None:
    """The PIN that goes with the staff card (None removes it)."""
    if actor.username != username.strip():
        _require_admin(actor)
    if pin is not None:
        _validate_pin(pin)
    with write_tx():
        user = _user(username)
        cred = _credential(user)
        cred.pin_hash = hash_password(pin) if pin else ""
        cred.save()
        audit.record(actor, "user.pin", "user", user.username, None, {"pin": bool(pin)})


def set_role(username: str, role: str, actor: Actor) -> UserInfo:
    _require_admin(actor)
    _validate_role(role)
    with write_tx():
        user = _user(username)
        before = user.role
        if before == "admin" and role != "admin":
            _keep_an_admin(user)
        user.role = role
        user.save()
        _end_sessions(user)
        audit.record(actor, "user.role", "user", user.username, {"role": before}, {"role": role})
    return user_info(user)


def set_active(username: str, active: bool, actor: Actor) -> UserInfo:
    """Deactivate (cannot sign in; history kept) or activate an account; unlocks it too."""
    _require_admin(actor)
    with write_tx():
        user = _user(username)
        if not active and user.role == "admin":
            _keep_an_admin(user)
        before = bool(user.active)
        user.active = active
        user.save()
        cred = _credential(user)
        cred.failed_count, cred.locked_until = 0, None
        cred.save()
        if not active:
            _end_sessions(user)
        audit.record(actor, "user.activate" if active else "user.deactivate", "user",
                     user.username, {"active": before}, {"active": active})
    return user_info(user)


def _keep_an_admin(user: User) -> None:
    others = (User.select().where((User.role == "admin") & (User.active == True)  # noqa: E712
                                  & (User.id != user.id)).exists())
    if not others:
        raise ValidationError(t("不能停用或降级最后一个管理员",
                                "cannot deactivate or demote the last administrator"))


def get_user(username: str) -> UserInfo:
    with read_tx():
        return user_info(_user(username))


def list_users() -> list[UserInfo]:
    with read_tx():
        return [user_info(u) for u in User.select().order_by(User.username)]


def list_accounts() -> list[UserAccount]:
    """Every account with its sign-in state, for the administrator."""
    with read_tx():
        creds = {c.user_id: c for c in UserCredential.select()}
        out = []
        for u in User.select().order_by(User.username):
            c = creds.get(u.id)
            out.append(UserAccount(u.username, u.display_name, u.role, u.department,
                                   u.staff_card, bool(u.active), bool(c and c.service),
                                   bool(c and c.pin_hash), c.failed_count if c else 0,
                                   c.locked_until if c else None))
        return out


def can_see_personal_data(role: str) -> bool:
    """Whether a role may see full ID and phone numbers (others see them masked)."""
    return role in ("admin", "approver", "auditor")


# ---------------------------------------------------------------- signing in

def _who(username: str, terminal: str) -> Actor:
    name = "".join(ch for ch in username if ch.isprintable())[:64] or "?"
    return Actor(name, terminal, "")


def _failed(user: User | None, attempted: str, method: str, reason: str, terminal: str,
            policy: SignInPolicy) -> None:
    """Count and audit a failed attempt; lock the account after too many; then wait."""
    with write_tx():
        locked_until = None
        if user is not None:
            cred = _credential(user)
            now = utcnow()
            if cred.locked_until is not None and cred.locked_until <= now:
                cred.failed_count, cred.locked_until = 0, None
            cred.failed_count += 1
            if cred.failed_count >= max(policy.max_failures, 1) and cred.locked_until is None:
                cred.locked_until = locked_until = now + dt.timedelta(minutes=policy.lock_minutes)
            cred.save()
        audit.record(_who(attempted, terminal), "auth.failed", "user", _who(attempted, "").username,
                     None, {"method": method, "reason": reason})
        if locked_until is not None:
            audit.record(_who(attempted, terminal), "auth.locked", "user", user.username, None,
                         {"until": locked_until.isoformat(timespec="seconds")})
    if policy.failure_delay_seconds > 0:
        time.sleep(policy.failure_delay_seconds)


def _refuse_if_locked(user: User, attempted: str, method: str, terminal: str,
                      policy: SignInPolicy) -> None:
    cred = UserCredential.get_or_none(UserCredential.user == user)
    if cred is not None and cred.locked_until is not None and cred.locked_until > utcnow():
        with write_tx():
            audit.record(_who(attempted, terminal), "auth.failed", "user", user.username, None,
                         {"method": method, "reason": "locked"})
        raise AccountLocked(t("账号已锁定，请于 {m} 分钟后再试或联系管理员",
                              "account locked: try again in {m} minutes or ask an administrator",
                              m=max(1, int((cred.locked_until - utcnow()).total_seconds() // 60)
                                    + 1)))


def _succeeded(user: User, method: str, terminal: str, rehash: str | None = None) -> UserInfo:
    with write_tx():
        cred = _credential(user)
        cred.failed_count, cred.locked_until = 0, None
        cred.save()
        if rehash is not None:
            user.password_hash = hash_password(rehash)
            user.save()
        audit.record(Actor(user.username, terminal, user.role), "auth.signin", "user",
                     user.username, None, {"method": method, "rehashed": rehash is not None})
    return user_info(user)


def _wrong_password() -> AuthenticationFailed:
    return AuthenticationFailed(t("用户名或密码不正确", "wrong username or password"))


def authenticate(username: str, password: str, *, terminal: str = "",
                 policy: SignInPolicy = DEFAULT_POLICY, desk: bool = False) -> UserInfo:
    """Check a username and password; one message for every failure (no user enumeration)."""
    with read_tx():
        user = User.get_or_none(User.username == username.strip())
        cred = UserCredential.get_or_none(UserCredential.user == user) if user else None
    if user is None:
        _check(password, _dummy_hash())
        _failed(None, username, "password", "unknown user", terminal, policy)
        raise _wrong_password()
    _refuse_if_locked(user, username, "password", terminal, policy)
    ok, stale = _check(password, user.password_hash)
    if not ok or not user.active or (desk and cred is not None and cred.service):
        reason = "wrong password" if not ok else ("inactive" if not user.active else "service")
        _failed(user, username, "password", reason, terminal, policy)
        raise _wrong_password()
    return _succeeded(user, "password", terminal, rehash=password if stale else None)


def authenticate_card(code: str, pin: str | None = None, *, terminal: str = "",
                      policy: SignInPolicy = DEFAULT_POLICY) -> UserInfo:
    """Sign in with a staff card: with its PIN, or alone for roles the site allows."""
    scan = default_scheme().parse(code)
    with read_tx():
        user = (User.get_or_none(User.staff_card == scan.code)
                if scan.kind == "staff_card" else None)
        cred = UserCredential.get_or_none(UserCredential.user == user) if user else None
    bad = AuthenticationFailed(t("工作证 {c} 无效", "staff card {c} is not valid", c=scan.code))
    if user is None:
        _failed(None, scan.code, "card", "unknown card", terminal, policy)
        raise bad
    _refuse_if_locked(user, user.username, "card", terminal, policy)
    if not user.active:
        _failed(user, user.username, "card", "inactive", terminal, policy)
        raise bad
    if pin is None:
        if user.role not in policy.card_only_roles:
            raise PinRequired(t("请输入 PIN 或密码", "enter your PIN or password"))
        return _succeeded(user, "card", terminal)
    pin_hash = cred.pin_hash if cred else ""
    ok = bool(pin_hash) and _check(pin, pin_hash)[0]
    if not ok:
        ok, _stale = _check(pin, user.password_hash)  # the password works in place of a PIN
    if not ok:
        _failed(user, user.username, "card+pin", "wrong PIN", terminal, policy)
        raise AuthenticationFailed(t("PIN 或密码不正确", "wrong PIN or password"))
    return _succeeded(user, "card+pin", terminal)


def sign_out(user: UserInfo, terminal: str) -> None:
    """Record that `user` left the desk or ended a CLI session."""
    with write_tx():
        audit.record(Actor(user.username, terminal, user.role), "auth.signout", "user",
                     user.username)


# ---------------------------------------------------------------- CLI sessions

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(user: UserInfo, terminal: str) -> str:
    """A new session token for `user` (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with write_tx():
        CliSession.create(token_hash=_token_hash(token), user=user.id, terminal=terminal[:64])
    return token


def resume_session(token: str, policy: SignInPolicy = DEFAULT_POLICY) -> UserInfo:
    """The user of a live session, which is kept alive; refused if idle too long or ended."""
    expired = NotSignedIn(t("登录已过期，请重新登录（hudang login）",
                            "session expired: sign in again (hudang login)"))
    now = utcnow()
    with write_tx():
        session = CliSession.get_or_none(CliSession.token_hash == _token_hash(token))
        if session is None or session.ended_at is not None:
            raise expired
        if now - session.last_seen_at > dt.timedelta(minutes=max(policy.session_idle_minutes, 1)):
            session.ended_at = now
            session.save()
            raise expired
        user = session.user
        if not user.active:
            raise expired
        session.last_seen_at = now
        session.save()
        return user_info(user)


def close_session(token: str) -> UserInfo | None:
    """End a session; returns whose it was (None if it was unknown or already ended)."""
    with write_tx():
        session = CliSession.get_or_none(CliSession.token_hash == _token_hash(token))
        if session is None or session.ended_at is not None:
            return None
        session.ended_at = utcnow()
        session.save()
        user = session.user
        audit.record(Actor(user.username, session.terminal, user.role), "auth.signout", "user",
                     user.username)
        return user_info(user)


def _end_sessions(user: User) -> None:
    (CliSession.update(ended_at=utcnow())
     .where((CliSession.user == user) & (CliSession.ended_at.is_null())).execute())
