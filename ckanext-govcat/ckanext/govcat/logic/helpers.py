"""Template helpers of the govcat plugin (choices for the schema forms, labels for pages)."""
from __future__ import annotations

from typing import Any, Optional

from . import config as catalog_config


def govcat_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming ``choices_helper``: the terms of the vocabulary named by ``govcat_vocabulary``."""
    return catalog_config.standard().vocabularies[field["govcat_vocabulary"]].choices()


def govcat_classification_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming ``choices_helper``: every classification node, indented by level."""
    return [{"value": node.code, "label": "\u3000" * (node.level - 1) + f"{node.code} {node.name}"}
            for node in catalog_config.standard().tree.walk()]


def govcat_code_scheme_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    return [{"value": name, "label": scheme.label}
            for name, scheme in catalog_config.standard().schemes.items()]


def govcat_vocabulary_label(vocabulary: str, value: Any) -> str:
    standard = catalog_config.standard()
    if vocabulary not in standard.vocabularies:
        return str(value or "")
    return standard.vocabularies[vocabulary].label_of(value)


def govcat_classification_path(code: Optional[str]) -> list[dict[str, str]]:
    """``[{code, name, level_name}]`` from the 类 down to ``code`` ([] when unknown)."""
    tree = catalog_config.standard().tree
    if not code or code not in tree:
        return []
    return [{"code": n.code, "name": n.name, "level_name": n.level_name} for n in tree.path(code)]


def govcat_default_code_scheme() -> str:
    return catalog_config.code_scheme()
