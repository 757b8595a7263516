"""Readable names for the catalog's facet values on search pages (``govcat_theme``).

The govcat plugin indexes codes and vocabulary keys (``class_1 = "1"``, ``open_type =
"conditional"``); CKAN shows a facet item's ``display_name``. :func:`label_facets` sets it to the
classification node's name or the vocabulary label (基础信息资源目录, 有条件开放), leaving
``name`` (what the filter uses) unchanged.
"""
from __future__ import annotations

from typing import Any

from ..catalog.standard import Standard

CLASS_KEYS = ("class_1", "class_2", "class_3")
# Facet key -> vocabulary of its values.
VOCABULARY_KEYS = ("share_type", "open_type", "format_class", "update_cycle", "secrecy")


def label_facets(search_facets: dict[str, Any], standard: Standard) -> None:
    """Set ``display_name`` of the catalog's facet items in ``search_facets`` (in place)."""
    for key, facet in search_facets.items():
        if key in CLASS_KEYS:
            def label(value: str) -> str:
                node = standard.tree.get(value)
                return node.name if node else value
        elif key in VOCABULARY_KEYS:
            label = standard.vocabularies[key].label_of
        else:
            continue
        for item in facet.get("items", []):
            item["display_name"] = label(item["name"])
