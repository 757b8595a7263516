"""Gunicorn settings shared by `govcat up` and the production image.

The app is loaded once in the master and forked into the workers (fast start, shared memory).
Database connections must not cross the fork: every SQLAlchemy pool (CKAN's, the DataStore's,
the search read engine) remembers which process opened each connection and a worker never
checks out one opened by another process (SQLAlchemy's documented recipe for os.fork()).
Command-line options (bind, workers) override these settings.
"""
from __future__ import annotations

import os
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool

preload_app = True
workers = int(os.environ.get("GOVCAT_WEB_WORKERS", "2"))
timeout = int(os.environ.get("GOVCAT_WEB_TIMEOUT", "120"))
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


@event.listens_for(Pool, "connect")
def _remember_process(dbapi_connection: Any, record: Any) -> None:
    record.info["pid"] = os.getpid()


@event.listens_for(Pool, "checkout")
def _refuse_inherited(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    if record.info.get("pid") != os.getpid():
        record.dbapi_connection = proxy.dbapi_connection = None
        raise exc.DisconnectionError(
            f"connection opened by process {record.info.get('pid')}, not {os.getpid()}")


def post_fork(server: Any, worker: Any) -> None:
    from ckan.model import meta

    # The pool's connections belong to the master: forget them without closing them.
    meta.engine.dispose(close=False)
