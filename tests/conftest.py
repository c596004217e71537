"""Shared fixtures: a fresh archive on SQLite and, when HUDANG_TEST_POSTGRES_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

from hudang.store import archive
from hudang.store import db as dbmod
from hudang.store.i18n import set_language

PG_URL = os.environ.get("HUDANG_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


def _pg_admin_exec(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def pg_url():
    """The PostgreSQL URL under test, or skip where none is configured."""
    if not PG_URL:
        pytest.skip("HUDANG_TEST_POSTGRES_URL is not set")
    return PG_URL


def make_backend_url(backend: str, tmp_path) -> tuple[str, callable]:
    """A URL for a fresh, empty archive on `backend`, and a cleanup function."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite3'}", lambda: None
    schema_name = "t_" + uuid.uuid4().hex[:12]
    _pg_admin_exec(f"CREATE SCHEMA {schema_name}")
    sep = "&" if "?" in PG_URL else "?"
    url = PG_URL + sep + "options=" + quote(f"-csearch_path={schema_name},public")

    def cleanup() -> None:
        _pg_admin_exec(f"DROP SCHEMA IF EXISTS {schema_name} CASCADE")

    return url, cleanup


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def archive_url(backend, tmp_path):
    url, cleanup = make_backend_url(backend, tmp_path)
    yield url
    archive.close_archive()
    cleanup()


@pytest.fixture
def db(archive_url):
    """A connected, fully migrated, empty archive on each backend under test."""
    set_language("zh")
    database = archive.open_archive(archive_url, create=True)
    yield database
    dbmod.set_read_only(None)
    archive.close_archive()
