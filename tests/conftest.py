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


@pytest.fixture
def clean_db(load_standard_plugins, reset_db, migrate_db_for):
    """CKAN's clean database, plus GovCat's plugin tables migrated and an empty search index."""
    reset_db()
    migrate_db_for("govcat_search")
    from ckan.plugins import plugin_loaded

    if plugin_loaded("govcat_access"):  # CKAN migrates only loaded plugins' histories
        migrate_db_for("govcat_access")
    from ckan.lib import search

    search.clear_all()


@pytest.fixture
def clean_index(reset_index):
    reset_index()
