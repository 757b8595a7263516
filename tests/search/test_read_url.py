"""Searches read from ``ckanext.govcat.search.read_url`` when it is set; writes never do."""
from __future__ import annotations

import contextlib

import psycopg2
import pytest
import sqlalchemy as sa
from alembic import command
from ckan import model
from ckan.tests import factories, helpers
from psycopg2 import sql

from .helpers import search_alembic

REPLICA_DB = "govcat_replica_test"


@pytest.fixture(scope="module")
def replica_url() -> str:
    """A second database with the index tables, standing in for a (lagging) replica."""
    main = sa.make_url(str(model.meta.engine.url))
    admin = main.set(database="postgres")
    with contextlib.closing(psycopg2.connect(admin.render_as_string(hide_password=False))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(REPLICA_DB)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(REPLICA_DB)))
    url = main.set(database=REPLICA_DB).render_as_string(hide_password=False)
    command.upgrade(search_alembic(url), "head")
    return url


@pytest.mark.usefixtures("clean_db")
class TestReadUrl:
    def test_searches_follow_the_read_url(self, replica_url: str, ckan_config, monkeypatch):
        org = factories.Organization()
        factories.Dataset(title="只在主库", owner_org=org["id"])
        assert helpers.call_action("package_search", q="主库")["count"] == 1
        monkeypatch.setitem(ckan_config, "ckanext.govcat.search.read_url", replica_url)
        assert helpers.call_action("package_search", q="主库")["count"] == 0
        factories.Dataset(title="写入主库", owner_org=org["id"])  # writes still reach the primary
        monkeypatch.delitem(ckan_config, "ckanext.govcat.search.read_url")
        assert helpers.call_action("package_search", q="主库")["count"] == 2


@pytest.mark.usefixtures("clean_db")
def test_a_search_survives_the_server_closing_its_pooled_connection() -> None:
    """Search connections are not pinged on checkout: a connection the server closed (restart,
    failover) fails its first statement, and the search runs once more on a new one."""
    from ckanext.govcat.search import bridge

    org = factories.Organization()
    factories.Dataset(title="连接中断", owner_org=org["id"])
    assert helpers.call_action("package_search", q="中断")["count"] == 1
    read = bridge.make_connection().read_engine
    with read.connect() as conn:  # the pooled connection the next search checks out
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with model.meta.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    assert helpers.call_action("package_search", q="中断")["count"] == 1
    with read.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid
