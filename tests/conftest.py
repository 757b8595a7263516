"""Test session set-up: real PostgreSQL and Redis for every test.

Servers named by CKAN's standard variables (CKAN_SQLALCHEMY_URL, CKAN_REDIS_URL,
CKAN_DATASTORE_WRITE_URL, CKAN_DATASTORE_READ_URL) are used as given; otherwise private ones are
started under a temporary data directory for this run and stopped at its end.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from ckanext.govcat.launcher.services import Services, resolve_services

_services: Services | None = None
_data_dir: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _services, _data_dir
    _data_dir = Path(tempfile.mkdtemp(prefix="govcat-test-"))
    _services = resolve_services(_data_dir)
    os.environ.update(_services.urls.as_env())


def pytest_unconfigure(config: pytest.Config) -> None:
    if _services is not None:
        _services.stop()
    if _data_dir is not None:
        shutil.rmtree(_data_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Every test runs with the plugins of ``ckan.plugins`` (govcat_search answers all searches)."""


GOVCAT_MIGRATIONS = ["govcat_search", "govcat_access"]
# Other plugins whose tables clean_db migrates when a test loads them.
OTHER_MIGRATIONS = ["activity"]


def _upgrade_harvest_tables() -> None:
    """ckanext-harvest's tables. GovCat harvests, and once anything imports ckanext-harvest its
    mappers join these tables into CKAN's model (dataset purge queries harvest_object)."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from ckan.common import config

    here = resources.files("ckanext.harvest").joinpath("migration", "harvest")
    cfg = Config(str(here.joinpath("alembic.ini")))
    cfg.set_main_option("script_location", str(here))
    cfg.set_main_option("sqlalchemy.url", config["sqlalchemy.url"])
    command.upgrade(cfg, "head")


def reset_database(reset_db, migrate_db_for) -> None:
    """CKAN's clean database with every GovCat plugin's tables migrated (the access tables
    emptied) and an empty index.

    CKAN's core alembic environment re-binds the model to its own NullPool engine; the test then
    gets CKAN's pooled engine back, as a running portal has (one connection per statement would
    make every test slower and hide pooling bugs)."""
    from ckan import model
    from ckan.lib import search

    from ckan.plugins import plugin_loaded

    engine = model.meta.engine
    reset_db()
    if engine is not None and model.meta.engine is not engine:
        model.Session.remove()
        model.init_model(engine)
    for plugin in GOVCAT_MIGRATIONS + OTHER_MIGRATIONS:
        if plugin == "govcat_search" or plugin_loaded(plugin):  # CKAN migrates loaded plugins only
            migrate_db_for(plugin)
    _upgrade_harvest_tables()
    search.clear_all()
    if plugin_loaded("govcat_access"):
        _empty_access_tables()


def _empty_access_tables() -> None:
    """CKAN's reset leaves plugin tables alone: applications, grants and audit rows of earlier
    tests would outlive the users and datasets they name."""
    from ckan import model

    from ckanext.govcat.access.model import metadata

    with model.meta.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clean_db(load_standard_plugins, reset_db, migrate_db_for):
    """CKAN's clean database, plus GovCat's plugin tables migrated and an empty search index."""
    reset_database(reset_db, migrate_db_for)


@pytest.fixture
def clean_index(reset_index):
    reset_index()
