"""What every `hudang` command module shares: settings, the archive, the signed-in user, JSON.

Who acts is decided here, once: a command that changes state calls `cli_actor()`, which
returns the user of this shell's live session (`hudang login`) or, for scripts and the
daemon, of the service account whose password comes from a file or the environment
(`HUDANG_SERVICE_USER` with `HUDANG_SERVICE_PASSWORD_FILE` or `HUDANG_SERVICE_PASSWORD`).
Without either, it refuses.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

import click
import platformdirs

from hudang.store.audit import Actor
from hudang.store.errors import PermissionDenied, ValidationError
from hudang.store.i18n import t

SESSION_DIR_ENV = "HUDANG_SESSION_DIR"
SERVICE_USER_ENV = "HUDANG_SERVICE_USER"
SERVICE_PASSWORD_ENV = "HUDANG_SERVICE_PASSWORD"
SERVICE_PASSWORD_FILE_ENV = "HUDANG_SERVICE_PASSWORD_FILE"
AUDIT_KEY_FILE = "audit.key"
# What a role may do in place of another (an administrator may do anything).
_STANDS_IN = {"keeper": {"keeper", "approver", "admin"}, "approver": {"approver", "admin"},
              "admin": {"admin"}, "auditor": {"auditor", "admin"}}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                      r"\u2066-\u2069]")


def settings_of(ctx: click.Context | None = None):
    """The Settings the `hudang` group loaded (or load them for a sub-command run alone)."""
    ctx = ctx or click.get_current_context()
    obj = ctx.obj
    if obj is None or not hasattr(obj, "database_url"):
        from hudang.settings import load_settings
        from hudang.store.i18n import set_language

        obj = load_settings()
        set_language(obj.language)
        ctx.obj = obj
    return obj


def open_db(settings, create: bool = False, bounded: bool = True):
    """Connect to the archive in the settings (audit key, statement bound); `create` migrates.

    Interactive commands run with PostgreSQL's statement timeout from the settings; long jobs
    (imports, migrations, copies, recomputes) pass `bounded=False`.
    """
    from hudang.store.archive import open_archive

    if create:  # a read-only command on a mistyped HUDANG_HOME must create nothing
        Path(settings.home).mkdir(parents=True, exist_ok=True)
    timeout = getattr(settings, "statement_timeout_ms", None) if bounded and not create else None
    db = open_archive(settings.database_url, create=create,
                      audit_key_file=Path(settings.home) / AUDIT_KEY_FILE,
                      statement_timeout_ms=timeout)
    _use_rules_barcodes(settings)
    return db


def _use_rules_barcodes(settings) -> None:
    """Barcodes made and read by this command follow the site's barcodes.yaml, as at the
    desk and in the daemon; the file is read only if the command uses a barcode. Put back
    when the command ends (commands run one after another in one process in tests)."""
    from hudang.common import barcodes

    rules_dir = getattr(settings, "rules_dir", None)
    if rules_dir is None:
        return
    restore = barcodes.defer_default_scheme(lambda: _rules_scheme(Path(rules_dir)))
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(restore)


def _rules_scheme(rules_dir: Path):
    """barcodes.yaml's scheme, or None (the built-in) with a warning naming file:line."""
    from hudang.rules.loader import load_barcode_scheme

    scheme, issues = load_barcode_scheme(rules_dir)
    if issues:
        click.echo(t("警告：{e}；在它改好之前，本命令按内置条码方案生成和识别条码（hudang rules "
                     "check 列出全部问题）",
                     "warning: {e}; until it is fixed this command makes and reads barcodes by "
                     "the built-in scheme (hudang rules check lists every problem)",
                     e=issues[0]), err=True)
    return scheme


def _ensure_open(settings) -> None:
    from hudang.store import db as dbmod

    if dbmod.database.obj is None or dbmod.database.obj.is_closed():
        open_db(settings)


def terminal_name() -> str:
    return f"cli@{socket.gethostname()}"


def sign_in_policy(settings):
    """The store's sign-in policy built from the settings."""
    from hudang.store.services.users import policy_from

    return policy_from(settings)


# ---------------------------------------------------------------- the session file

def session_file(settings) -> Path:
    """This OS user's session file for this data directory (one per HUDANG_HOME)."""
    base = os.environ.get(SESSION_DIR_ENV) or platformdirs.user_state_dir("hudang",
                                                                           appauthor=False)
    home = str(Path(settings.home).expanduser().resolve())
    return Path(base) / f"session-{hashlib.sha256(home.encode()).hexdigest()[:20]}.json"


def save_session(settings, token: str, username: str) -> Path:
    """Write the token to a file only this OS user can read, naming the home it belongs to."""
    path = session_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"home": str(Path(settings.home).expanduser().resolve()),
                   "username": username, "token": token}, fh)
    return path


def _read_session(settings) -> dict | None:
    path = session_file(settings)
    try:
        st = path.stat()
        if os.name == "posix" and (st.st_uid != os.getuid() or st.st_mode & 0o077):
            return None  # not ours, or readable by others: do not trust it
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    home = str(Path(settings.home).expanduser().resolve())
    if not isinstance(data, dict) or data.get("home") != home or not data.get("token"):
        return None
    return data


def drop_session(settings) -> str | None:
    """Forget this shell's session file; returns its token (None when there was none)."""
    data = _read_session(settings)
    session_file(settings).unlink(missing_ok=True)
    return data["token"] if data else None


# ---------------------------------------------------------------- who is acting

def read_secret(prompt: str, confirm: bool = False) -> str:
    """A password from the terminal, or one line of standard input when it is not a terminal."""
    if sys.stdin is not None and sys.stdin.isatty():
        # the prompt on stderr, like sudo's: stdout stays the command's output (--json)
        return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    secret = line.rstrip("\r\n")
    if not secret:
        raise ValidationError(t("标准输入中没有密码（应为一行）",
                                "no password on standard input (one line expected)"))
    return secret


def _service_password() -> str | None:
    path = os.environ.get(SERVICE_PASSWORD_FILE_ENV)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError):
            raise ValidationError(t("无法读取服务账号密码文件 {p}",
                                    "cannot read the service password file {p}", p=path)) from None
    return os.environ.get(SERVICE_PASSWORD_ENV)


def current_user(settings):
    """The signed-in user (session or service account); NotSignedIn when there is none."""
    from hudang.store.services import users

    _ensure_open(settings)
    policy = sign_in_policy(settings)
    service = os.environ.get(SERVICE_USER_ENV)
    if service:
        password = _service_password()
        if password is None:
            raise users.NotSignedIn(t(
                "服务账号 {u} 缺少密码：设置 HUDANG_SERVICE_PASSWORD_FILE",
                "service account {u} has no password: set HUDANG_SERVICE_PASSWORD_FILE",
                u=service))
        return users.authenticate(service, password, terminal=terminal_name(), policy=policy)
    data = _read_session(settings)
    if data is None:
        raise users.NotSignedIn(t("未登录：请先运行 hudang login 用户名",
                                  "not signed in: run `hudang login USER` first"))
    return users.resume_session(data["token"], policy)


def role_allows(have: str, need: str) -> bool:
    """Whether a user of role `have` may act where role `need` is required."""
    return not need or have in _STANDS_IN.get(need, {need, "admin"})


def cli_actor(role: str = "", as_user: str | None = None) -> Actor:
    """The signed-in user as the actor of a change; `role` is the least role the change needs.

    `--as` (`as_user`) may only name the signed-in user or their own role: it no longer
    switches to someone else (sign in as them instead).
    """
    ctx = click.get_current_context(silent=True) or _no_context()
    settings = settings_of(ctx)
    user = ctx.meta.get("hudang.user")
    if user is None:  # once per command, however many items it handles
        user = ctx.meta["hudang.user"] = current_user(settings)
    if as_user and as_user not in (user.username, user.role):
        raise PermissionDenied(t(
            "--as 只能是已登录用户自己（{u}）：要换人请 hudang login",
            "--as may only name the signed-in user ({u}): run `hudang login` to switch",
            u=user.username))
    if not role_allows(user.role, role):
        raise PermissionDenied(t("{u}（{r}）无权执行此操作", "{u} ({r}) may not do this",
                                 u=user.username, r=user.role))
    return Actor(user.username, terminal_name(), user.role)


def cli_viewer() -> Actor:
    """The signed-in user reading the archive (for masking and for auditing views)."""
    return cli_actor()


def _no_context() -> click.Context:
    raise PermissionDenied("no command context")


# ---------------------------------------------------------------- output

def clean_text(value: Any) -> Any:
    """Archive text made safe for a terminal: control and bidi characters removed."""
    if isinstance(value, str):
        return _CONTROL.sub("", value.replace("\t", " "))
    if isinstance(value, dict):
        return {k: clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    return value


def as_plain(obj: Any) -> Any:
    """A dataclass (or list of them) as JSON-ready values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    elif isinstance(obj, list):
        obj = [dataclasses.asdict(o) if dataclasses.is_dataclass(o) else o for o in obj]
    return json.loads(json.dumps(obj, ensure_ascii=False, default=str))


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def dump_json(obj: Any) -> str:
    """JSON for scripts and terminals: C0 controls are escaped by json, C1 and bidi here too."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo_json(obj: Any) -> None:
    click.echo(dump_json(as_plain(obj)))


def echo_clean(text: Any, **kwargs: Any) -> None:
    """`click.echo` for lines that carry archive text (names, titles, file names)."""
    click.echo(clean_text(str(text)), **kwargs)
