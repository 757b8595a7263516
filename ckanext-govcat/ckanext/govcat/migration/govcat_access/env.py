"""Alembic environment of govcat_access (version table ``govcat_access_alembic_version``)."""
from ckanext.govcat.migration.alembic_env import run

run(__file__)
