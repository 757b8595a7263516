"""Loading catalog data files (YAML) from the shipped ``ckanext.govcat.schemas`` package or
from file paths. A reference is either ``package:relative/path`` or a filesystem path."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PACKAGE = "ckanext.govcat.schemas"


def load(reference: str) -> Any:
    """Parse one YAML data file. ``catalog/vocabularies.yaml`` (no colon, relative) is looked up in
    the shipped schemas package; ``pkg.name:path`` in that package; anything else as a path."""
    if ":" in reference and not Path(reference).is_absolute():
        package, _, name = reference.partition(":")
        text = resources.files(package).joinpath(name).read_text("utf-8")
    elif Path(reference).is_absolute():
        text = Path(reference).read_text("utf-8")
    else:
        text = resources.files(DEFAULT_PACKAGE).joinpath(reference).read_text("utf-8")
    return yaml.safe_load(text)
