"""Shared helpers for the provider-neutral ``package_search`` tests.

They only call CKAN's public surface (actions, the Action API over the test app), so the same
tests hold for any search provider that honours CKAN's ``package_search`` contract;
``search_alembic`` alone is govcat's (its index tables' migrations).
"""
from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any, Optional

from alembic.config import Config
from ckan.tests import helpers

API = "/api/3/action/package_search"


def search(context: Optional[dict[str, Any]] = None, **params: Any) -> dict[str, Any]:
    """``package_search`` through the action layer (auth ignored unless ``context`` says so)."""
    return helpers.call_action("package_search", context, **params)


def names(result: dict[str, Any]) -> list[str]:
    """Dataset names of a search result, in result order."""
    return [r["name"] for r in result["results"]]


def found(**params: Any) -> set[str]:
    """Names of every dataset a search (auth ignored) matches."""
    params.setdefault("rows", 1000)
    return set(names(search(**params)))


def as_user(user: Optional[dict[str, Any]]) -> dict[str, Any]:
    """A context that searches as ``user`` (``None``: anonymous), with permission labels."""
    return {"user": user["name"] if user else "", "ignore_auth": False}


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    """One facet of a result as {value: count}."""
    return dict(result["facets"][name])


def solr_time(moment: dt.datetime) -> str:
    """A naive UTC moment in Solr's date syntax, to the millisecond (``2024-01-01T00:00:00.000Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utcnow() -> dt.datetime:
    """Now, naive UTC, as CKAN stores ``metadata_modified``."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def search_alembic(url: str) -> Config:
    """Alembic configuration of the govcat_search migrations against database ``url``."""
    here = resources.files("ckanext.govcat").joinpath("migration", "govcat_search")
    cfg = Config(str(here.joinpath("alembic.ini")))
    cfg.set_main_option("script_location", str(here))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg
