"""Typed accessors for the ``ckanext.govcat.search.*`` options (declared in
``search/config_declaration.yaml``)."""
from __future__ import annotations

import os
from typing import Optional

from ckan.common import config

from .compiler import FieldWeights

PREFIX = "ckanext.govcat.search."


def read_url() -> Optional[str]:
    return config.get(PREFIX + "read_url") or None


def facet_fields() -> list[str]:
    return list(config.get(PREFIX + "facet_fields"))


def field_weights() -> FieldWeights:
    weights: dict[str, str] = {}
    for item in config.get(PREFIX + "field_weights"):
        name, _, weight = item.partition(":")
        weight = weight.strip().upper()
        if weight not in ("A", "B", "C", "D"):
            raise ValueError(f"{PREFIX}field_weights: {item!r} must read field:A|B|C|D")
        weights[name.strip()] = weight
    return FieldWeights(weights)


def statement_timeout() -> int:
    return int(config.get(PREFIX + "statement_timeout"))


def batch_size() -> int:
    return int(config.get(PREFIX + "batch_size"))


def prepare_statements() -> bool:
    return bool(config.get(PREFIX + "prepare_statements"))


def rebuild_workers() -> int:
    """Processes for a whole-index rebuild: the option, or one per CPU when it is 0."""
    workers = int(config.get(PREFIX + "rebuild_workers"))
    return workers if workers > 0 else (os.cpu_count() or 1)
