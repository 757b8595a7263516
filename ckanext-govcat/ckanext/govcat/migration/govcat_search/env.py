"""Alembic environment of govcat_search (version table ``govcat_search_alembic_version``)."""
from ckanext.govcat.migration.alembic_env import run

run(__file__)
