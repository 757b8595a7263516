"""The WSGI application the production server (gunicorn) serves: CKAN for ``$CKAN_INI``.

``gunicorn --env CKAN_INI=/path/ckan.ini ckanext.govcat.launcher.wsgi:application``
"""
from __future__ import annotations

import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

application = make_app(load_config(os.environ["CKAN_INI"]))
