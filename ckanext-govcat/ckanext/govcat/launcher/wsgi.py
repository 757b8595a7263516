"""The WSGI application the production server (gunicorn) serves: CKAN for ``$CKAN_INI``.

``gunicorn --env CKAN_INI=/path/ckan.ini ckanext.govcat.launcher.wsgi:application``

`govcat up` starts the server while PostgreSQL and Redis are still starting: CKAN's modules are
imported meanwhile, and the app is built once ``$GOVCAT_SERVICES_READY`` (a file the launcher
creates after rendering the config) exists.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from ckan.cli import load_config
from ckan.config.middleware import make_app

from .bootstrap import run_from_env
from .layout import SERVICES_READY_ENV


def _wait_for_services(timeout: float = 300.0) -> None:
    marker = os.environ.get(SERVICES_READY_ENV)
    if not marker:
        return
    deadline = time.monotonic() + timeout
    while not Path(marker).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{marker} did not appear within {timeout:.0f} s")
        time.sleep(0.05)


_wait_for_services()
application = make_app(load_config(os.environ["CKAN_INI"]))
# `govcat up` asks the master to migrate (and more) before it forks workers; see bootstrap.py.
run_from_env(application._wsgi_app)
