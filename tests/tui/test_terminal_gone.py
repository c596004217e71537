"""A desk whose terminal goes away (window closed, SSH dropped) closes itself.

The hang-up signal does not always reach the desk: under `make demo` make takes it and
waits for its child, and a desk started without a controlling terminal gets none. Textual's
input thread then read end-of-file forever at full CPU, holding a signed-in session. Here
the real desk runs on a real pseudo-terminal in a session of its own (no SIGHUP will come),
the terminal is closed, and the desk must exit.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.clihelp import ADMIN_PASSWORD, prepare_env, run_cli

HUDANG = Path(sys.executable).with_name("hudang")


def _read_until(fd: int, needle: bytes, limit_s: float) -> bytes:
    seen = b""
    end = time.monotonic() + limit_s
    while needle not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_desk_exits_when_its_terminal_is_closed(tmp_path, monkeypatch):
    prepare_env(monkeypatch, tmp_path)
    assert run_cli("init", input=ADMIN_PASSWORD + "\n").exit_code == 0
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDANG_")}
    env.update(HUDANG_HOME=str(tmp_path), HUDANG_SESSION_DIR=str(tmp_path / ".sessions"),
               HUDANG_CONFIG=os.devnull, TERM="xterm-256color")
    desk = subprocess.Popen([str(HUDANG), "desk"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True, close_fds=True)
    os.close(slave)
    try:
        shown = _read_until(master, "用户名".encode(), 120)
        assert "用户名".encode() in shown, shown[-2000:]
        os.close(master)  # the window closes; no SIGHUP reaches the desk's own session
        master = -1
        try:
            desk.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("the desk kept running after its terminal closed") from None
        assert desk.returncode is not None
    finally:
        if master >= 0:
            os.close(master)
        if desk.poll() is None:
            desk.kill()
            desk.wait()


def test_desk_on_a_home_without_an_archive_says_so_and_creates_nothing(tmp_path, monkeypatch):
    home = tmp_path / "not-a-site"
    prepare_env(monkeypatch, home)
    result = run_cli("desk")
    assert result.exit_code != 0
    assert "hudang init" in result.output
    assert not home.exists()  # never a demo archive built into a site by mistake
