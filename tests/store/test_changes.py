"""The change feed: a commit made by another process (or connection) is seen on the next poll."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from hudang.store.changes import ChangeFeed
from tests.store.helpers import customer

_OTHER_DESK = textwrap.dedent("""
    import sys
    from hudang.store import archive
    from tests.store.helpers import customer
    archive.open_archive(sys.argv[1])
    customer(sys.argv[2], "另一终端")
    archive.close_archive()
""")


def _write_elsewhere(url: str, number: str) -> None:
    """Another process (another desk, the daemon) registers a customer on the same archive."""
    subprocess.run([sys.executable, "-c", _OTHER_DESK, url, number], check=True, timeout=60)


def test_another_process_commit_is_seen_once(db, archive_url):
    feed = ChangeFeed()
    try:
        assert feed.poll() is None  # the first poll only takes the baseline
        assert feed.poll() is None
        _write_elsewhere(archive_url, "0700000001")
        changes = feed.poll()
        assert changes is not None and changes.seq > changes.after_seq
        assert changes.touches("customer") and not changes.touches("box")
        assert feed.poll() is None  # reported once
    finally:
        feed.close()


def test_a_commit_on_another_connection_of_this_process_is_seen(db):
    feed = ChangeFeed()
    try:
        feed.poll()
        customer("0700000002")  # the proxy's own connection, not the feed's
        changes = feed.poll()
        assert changes is not None and changes.entities == frozenset({"customer"})
        assert feed.poll() is None
    finally:
        feed.close()


def test_reads_that_change_nothing_are_not_changes(db):
    from hudang.store.services import customers

    customer("0700000003")
    feed = ChangeFeed()
    try:
        feed.poll()
        customers.get_customer("0700000003")
        assert feed.poll() is None
    finally:
        feed.close()
