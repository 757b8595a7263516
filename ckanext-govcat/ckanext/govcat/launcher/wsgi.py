"""The WSGI application the production server (gunicorn) serves: CKAN for ``$CKAN_INI``.

``gunicorn --env CKAN_INI=/path/ckan.ini ckanext.govcat.launcher.wsgi:application``
"""
from __future__ import annotations

import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

from .bootstrap import run_from_env

application = make_app(load_config(os.environ["CKAN_INI"]))
# `govcat up` asks the master to migrate (and more) before it forks workers; see bootstrap.py.
run_from_env(application._wsgi_app)
