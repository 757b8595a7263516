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
- ``ckan.lib.search.rebuild``: ``ckan search-index rebuild`` imports it at call time; a
  whole-index rebuild is shared among ``rebuild_workers`` forked processes (``rebuild``).
- ``ckanext.harvest.logic.action.update``: imports ``PackageSearchIndex`` (from
  ``ckan.lib.search.index``) and ``make_connection`` (from ``ckan.lib.search.common``) by name
  (harvest source reindex and clear). Importing ckanext-harvest changes CKAN's model (its
  mappers join harvest tables), so the bridge never imports it: it patches the module if it is
  already loaded, and otherwise the patched ``ckan.lib.search.index.PackageSearchIndex`` and
  ``make_connection`` are what the module binds when it is imported later.
"""
from __future__ import annotations

import logging
import multiprocessing
import sys
import time
from typing import Any, Collection, Optional

import sqlalchemy as sa

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan.common import config

from . import config as search_config
from . import prepared
from .backend import (BackendSettings, PostgresConnection, SearchBackendError, TermDictionary,
                      search_session)

log = logging.getLogger(__name__)

CHECKED_CKAN_VERSION = "2.12.0"
HARVEST_MODULE = "ckanext.harvest.logic.action.update"
SEAMS: list[tuple[str, str]] = [
    ("ckan.lib.search", "_INDICES"),
    ("ckan.lib.search", "_QUERIES"),
    ("ckan.lib.search", "PackageSearchQuery"),
    ("ckan.lib.search", "is_available"),
    ("ckan.lib.search", "check_solr_schema_version"),
    ("ckan.lib.search", "rebuild"),
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
# What ``_read_engine`` was made for: (URL, statement timeout, prepare statements).
_read_engine_key: Optional[tuple[sa.URL, int, bool]] = None
_warned_unavailable = False


def _write_engine() -> sa.Engine:
    from ckan import model

    engine = model.meta.engine
    if engine is None:
        engine = sa.create_engine(config["sqlalchemy.url"], pool_pre_ping=True)
        model.init_model(engine)
    return engine


def _engine_for_reads(write: sa.Engine, statement_timeout_ms: int) -> sa.Engine:
    """Searches have a pool of their own, on ``read_url`` or else the write engine's database:
    every transaction is REPEATABLE READ (one snapshot per search, see ``bitmaps``), every
    session carries the search settings (``backend.search_session``) without setting either
    per checkout, there is no ping per checkout (``search`` retries once on a connection
    the server closed instead), and search statements are prepared (``prepared``) unless
    ``prepare_statements`` is off."""
    global _read_engine, _read_engine_key
    key = (sa.make_url(search_config.read_url() or write.url), statement_timeout_ms,
           search_config.prepare_statements())
    if _read_engine is None or _read_engine_key != key:
        if _read_engine is not None:
            _read_engine.dispose()
        _read_engine = sa.create_engine(key[0], isolation_level="REPEATABLE READ")
        sa.event.listen(_read_engine, "connect", search_session(statement_timeout_ms))
        if key[2]:
            prepared.install(_read_engine)
        _read_engine_key = key
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
    read = _engine_for_reads(write, settings.statement_timeout_ms)
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


_ckan_rebuild = search.rebuild


def rebuild(package_id: Optional[str] = None, only_missing: bool = False, force: bool = False,
            defer_commit: bool = False, package_ids: Optional[Collection[str]] = None,
            quiet: bool = False, clear: bool = False) -> None:
    """CKAN's ``ckan.lib.search.rebuild`` (same arguments and effect), except that a
    whole-index rebuild shares the datasets among ``rebuild_workers`` forked processes: building
    a dataset's index document (``package_show`` and validation) is CPU-bound Python, so one
    process per core divides the time. Raises ``SearchIndexError`` when a worker fails (with
    ``force``, workers log a failing dataset and go on, as CKAN does)."""
    workers = search_config.rebuild_workers()
    if package_id or package_ids is not None or workers < 2:
        return _ckan_rebuild(package_id, only_missing, force, defer_commit, package_ids, quiet,
                             clear)
    from ckan import model

    packages = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        packages = packages.filter(model.Package.state != "deleted")
    ids = [row[0] for row in packages]
    if only_missing:
        indexed = set(search.query_for(model.Package).get_all_entity_ids(max_results=len(ids)))
        ids = [i for i in ids if i not in indexed]
    elif clear:
        search.index_for(model.Package).clear()
    if len(ids) < 2 * workers:
        return _ckan_rebuild(package_ids=ids, force=force, quiet=quiet)
    # Children start with no database connection of ours: none is shared across the fork.
    model.Session.commit()
    model.Session.close()
    make_connection().commit()
    model.meta.engine.dispose()
    if _read_engine is not None:
        _read_engine.dispose()
    fork = multiprocessing.get_context("fork")
    done = fork.Value("i", 0)
    parts = [fork.Process(target=_rebuild_part, args=(ids[k::workers], force, done),
                          name=f"govcat-rebuild-{k}") for k in range(workers)]
    for part in parts:
        part.start()
    while any(part.is_alive() for part in parts):
        time.sleep(0.5)
        if not quiet:
            sys.stdout.write(f"\rIndexing dataset {done.value}/{len(ids)} ({workers} processes)")
            sys.stdout.flush()
    for part in parts:
        part.join()
    if not quiet:
        sys.stdout.write("\n")
    failed = [part.name for part in parts if part.exitcode != 0]
    if failed:
        raise search_common.SearchIndexError(
            f"Rebuilding the search index failed in {', '.join(failed)} (see the log above); "
            "datasets those processes had not yet written are missing from the index")
    log.info("Finished rebuilding search index (%d datasets, %d processes).", len(ids), workers)


def _rebuild_part(ids: list[str], force: bool, done: Any) -> None:
    """One rebuild worker (a forked child): index ``ids`` and write them before exiting."""
    from ckan import logic

    context: Any = {"ignore_auth": True}
    for pkg_id in ids:
        try:
            logic.index_update_package(context, pkg_id, True)
        except Exception:
            if not force:
                raise
            log.exception("Error while indexing dataset %s", pkg_id)
        with done.get_lock():
            done.value += 1
    make_connection().commit()


def install() -> None:
    """Route every CKAN search seam to the PostgreSQL backend (idempotent)."""
    search._INDICES["package"] = GovcatPackageSearchIndex
    search._QUERIES["package"] = GovcatPackageSearchQuery
    search.PackageSearchQuery = GovcatPackageSearchQuery  # type: ignore[misc]
    search.is_available = is_available
    search.check_solr_schema_version = check_schema_version
    search.rebuild = rebuild
    for module in (search_common, search_index, search_query):
        module.make_connection = make_connection  # type: ignore[assignment]
    search_index.PackageSearchIndex = GovcatPackageSearchIndex  # type: ignore[misc]
    harvest = sys.modules.get(HARVEST_MODULE)
    if harvest is not None:
        harvest.PackageSearchIndex = GovcatPackageSearchIndex  # type: ignore[attr-defined]
        harvest.make_connection = make_connection  # type: ignore[attr-defined]
