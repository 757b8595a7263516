"""Typed accessors for the ``ckanext.govcat.access.*`` options (``access/config_declaration.yaml``)."""
from __future__ import annotations

import datetime as dt

from ckan.common import asbool, aslist, config

PREFIX = "ckanext.govcat.access."


def _dates(key: str) -> frozenset[dt.date]:
    try:
        return frozenset(dt.date.fromisoformat(item) for item in aslist(config.get(PREFIX + key)) if item)
    except ValueError as err:
        raise ValueError(f"{PREFIX}{key}: dates must read YYYY-MM-DD ({err})") from err


def review_days() -> int:
    return int(config.get(PREFIX + "review_days"))


def holidays() -> frozenset[dt.date]:
    return _dates("holidays")


def workdays() -> frozenset[dt.date]:
    return _dates("workdays")


def default_period_days() -> int:
    return int(config.get(PREFIX + "default_period_days"))


def agreement() -> tuple[str, str]:
    """(version, text) of the current data-use agreement."""
    return str(config.get(PREFIX + "agreement_version")), str(config.get(PREFIX + "agreement_text"))


def notify() -> bool:
    return asbool(config.get(PREFIX + "notify"))


def notice_days() -> int:
    """Days a state change of an application stays on its applicant's dashboard."""
    return int(config.get(PREFIX + "notice_days"))
