"""What the govcat plugin adds to a dataset's search-index document: flat facet keys for every
field people filter on (``govcat_search`` indexes every top-level key)."""
from __future__ import annotations

from typing import Any

from ..catalog.standard import Standard

# Facet keys this module adds; the default of ckanext.govcat.search.facet_fields lists them.
FACET_KEYS = ("class_1", "class_2", "class_3", "department", "share_type", "open_type",
              "format_class", "update_cycle", "publish_year", "secrecy")
# Text keys with classification names (search weight B).
TEXT_KEYS = ("classification_names", "data_item_names")


def index_document(pkg_dict: dict[str, Any], standard: Standard) -> dict[str, Any]:
    """Flat facet and text keys for ``pkg_dict`` (the index document; changed in place)."""
    code = pkg_dict.get("classification") or ""
    tree = standard.tree
    names: list[str] = []
    if code in tree:
        for node in tree.path(code):
            if node.level <= 3:
                pkg_dict[f"class_{node.level}"] = node.code
            names.append(node.name)
    pkg_dict["classification_names"] = " ".join(names)
    items = pkg_dict.pop("data_items", None) or []
    if isinstance(items, list):
        pkg_dict["data_item_names"] = " ".join(
            str(i.get("name", "")) for i in items if isinstance(i, dict))
    pkg_dict.pop("catalog_warnings", None)
    if pkg_dict.get("organization"):
        pkg_dict["department"] = pkg_dict["organization"]
    date = str(pkg_dict.get("publish_date") or "")
    if len(date) >= 4 and date[:4].isdigit():
        pkg_dict["publish_year"] = date[:4]
    return pkg_dict
