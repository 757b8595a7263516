"""The one module that touches CKAN's private search internals. Checked against CKAN 2.12.0.

``install()`` points every seam through which CKAN (and ckanext-harvest) reaches its search
engine at GovCat's PostgreSQL backend. It is idempotent and process-wide: once the
``govcat_search`` plugin has loaded, the process searches PostgreSQL (GovCat ships no Solr).

Seams (``SEAMS``; ``tests/search/test_bridge.py`` fails when an upgrade moves one):
- ``ckan.lib.search._INDICES['package']`` / ``_QUERIES['package']``: the registries behind
  ``index_for`` / ``query_for`` (package_search, indexing, ``ckan search-index``).
- ``ckan.lib.search.PackageSearchQuery``: instantiated directly by
  ``ckan.lib.dictization.model_dictize`` (organization and group dataset counts, tag pages).
- ``make_connection`` in ``ckan.lib.search.common`` / ``.index`` / ``.query``: CKAN builds index
  documents and Solr parameters itself and hands them to this connection.
- ``ckan.lib.search.is_available`` / ``check_solr_schema_version``: the start-up Solr probe.
- ``ckanext.harvest.logic.action.update``: imports ``PackageSearchIndex`` (from
  ``ckan.lib.search.index``) and ``make_connection`` (from ``ckan.lib.search.common``) by name
  (harvest source reindex and clear). Importing ckanext-harvest changes CKAN's model (its
  mappers join harvest tables), so the bridge never imports it: it patches the module if it is
  already loaded, and otherwise the patched ``ckan.lib.search.index.PackageSearchIndex`` and
  ``make_connection`` are what the module binds when it is imported later.
"""
from __future__ import annotations

import logging
import sys
from typing import Any, Optional

import sqlalchemy as sa

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan.common import config

from . import config as search_config
from .backend import BackendSettings, PostgresConnection, SearchBackendError, TermDictionary

log = logging.getLogger(__name__)

CHECKED_CKAN_VERSION = "2.12.0"
HARVEST_MODULE = "ckanext.harvest.logic.action.update"
SEAMS: list[tuple[str, str]] = [
    ("ckan.lib.search", "_INDICES"),
    ("ckan.lib.search", "_QUERIES"),
    ("ckan.lib.search", "PackageSearchQuery"),
    ("ckan.lib.search", "is_available"),
    ("ckan.lib.search", "check_solr_schema_version"),
    ("ckan.lib.search.common", "make_connection"),
    ("ckan.lib.search.index", "make_connection"),
    ("ckan.lib.search.query", "make_connection"),
    ("ckan.lib.search.index", "PackageSearchIndex"),
]
# Names HARVEST_MODULE imports from CKAN's search modules (checked from its source).
HARVEST_IMPORTS: list[tuple[str, str]] = [
    ("ckan.lib.search.index", "PackageSearchIndex"),
    ("ckan.lib.search.common", "make_connection"),
]

_connection: Optional[PostgresConnection] = None
_read_engine: Optional[sa.Engine] = None
_warned_unavailable = False


def _write_engine() -> sa.Engine:
    from ckan import model

    engine = model.meta.engine
    if engine is None:
        engine = sa.create_engine(config["sqlalchemy.url"], pool_pre_ping=True)
        model.init_model(engine)
    return engine


def _engine_for_reads(write: sa.Engine) -> sa.Engine:
    global _read_engine
    url = search_config.read_url()
    if not url:
        return write
    if _read_engine is None or str(_read_engine.url) != str(sa.make_url(url)):
        _read_engine = sa.create_engine(url, pool_pre_ping=True)
    return _read_engine


def make_connection(decode_dates: bool = True) -> PostgresConnection:
    """The process-wide connection, with settings re-read from the current config."""
    global _connection
    settings = BackendSettings(
        facet_fields=search_config.facet_fields(),
        weights=search_config.field_weights(),
        statement_timeout_ms=search_config.statement_timeout(),
        batch_size=search_config.batch_size(),
    )
    write = _write_engine()
    read = _engine_for_reads(write)
    if _connection is None:
        _connection = PostgresConnection(write, read, settings, TermDictionary())
    else:
        if _connection.write_engine is not write:
            _connection.commit()
        _connection.write_engine = write
        _connection.read_engine = read
        _connection.settings = settings
    return _connection


def is_available() -> bool:
    try:
        with _write_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1 FROM govcat_search_doc LIMIT 1"))
    except sa.exc.SQLAlchemyError as e:
        global _warned_unavailable
        if not _warned_unavailable:
            _warned_unavailable = True
            reason = str(getattr(e, "orig", e)).strip().splitlines()[0]
            log.warning("The search index is not ready (run `ckan db upgrade -p govcat_search`): "
                        "%s", reason)
        return False
    return True


def check_schema_version(schema_file: Optional[str] = None) -> bool:
    """Stands in for CKAN's Solr schema probe: the index tables must exist."""
    return is_available()


_CkanPackageSearchIndex = search_index.PackageSearchIndex


class GovcatPackageSearchIndex(_CkanPackageSearchIndex):
    """CKAN's package index (document building and plugin hooks unchanged) on PostgreSQL."""

    def index_package(self, pkg_dict: Optional[dict[str, Any]], defer_commit: bool = False) -> None:
        try:
            super().index_package(pkg_dict, defer_commit)
        except SearchBackendError as e:
            raise search_common.SearchIndexError(str(e)) from e

    def commit(self) -> None:
        """Write pending documents and make the facet-count slices exact (rebuild, reindex)."""
        make_connection().recount()

    def clear(self) -> None:
        make_connection().delete(q='+site_id:"%s"' % config.get("ckan.site_id"))


class GovcatPackageSearchQuery(search_query.PackageSearchQuery):
    """CKAN's package query (parameter handling unchanged) answered by PostgreSQL."""

    def run(self, query: dict[str, Any], permission_labels: Optional[list[str]] = None,
            **kwargs: Any) -> dict[str, Any]:
        try:
            return super().run(query, permission_labels, **kwargs)
        except SearchBackendError as e:
            raise search_common.SearchError(str(e)) from e

    def get_index(self, reference: str) -> dict[str, Any]:
        try:
            return super().get_index(reference)
        except SearchBackendError as e:
            raise search_common.SearchError(str(e)) from e


def install() -> None:
    """Route every CKAN search seam to the PostgreSQL backend (idempotent)."""
    search._INDICES["package"] = GovcatPackageSearchIndex
    search._QUERIES["package"] = GovcatPackageSearchQuery
    search.PackageSearchQuery = GovcatPackageSearchQuery  # type: ignore[misc]
    search.is_available = is_available
    search.check_solr_schema_version = check_schema_version
    for module in (search_common, search_index, search_query):
        module.make_connection = make_connection  # type: ignore[assignment]
    search_index.PackageSearchIndex = GovcatPackageSearchIndex  # type: ignore[misc]
    harvest = sys.modules.get(HARVEST_MODULE)
    if harvest is not None:
        harvest.PackageSearchIndex = GovcatPackageSearchIndex  # type: ignore[attr-defined]
        harvest.make_connection = make_connection  # type: ignore[attr-defined]
