"""Gunicorn settings shared by `govcat up` and the production image.

The app is loaded once in the master and forked into the workers (fast start, shared memory);
each worker then drops the database connections it inherited, so no socket is shared between
processes. Command-line options (bind, workers) override these.
"""
from __future__ import annotations

import os
from typing import Any

preload_app = True
workers = int(os.environ.get("GOVCAT_WEB_WORKERS", "2"))
timeout = int(os.environ.get("GOVCAT_WEB_TIMEOUT", "120"))
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server: Any, worker: Any) -> None:
    from ckan.model import meta

    # Connections opened in the master while loading belong to the master.
    meta.engine.dispose(close=False)
