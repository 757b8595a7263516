"""GovCat's CKAN plugins. Each concern CKAN can switch on or off is one plugin; the work lives
in its room (``search``, …), this module only wires it into CKAN."""
from __future__ import annotations

from importlib import resources

import yaml

import ckan.plugins as p
from ckan.config.declaration import Declaration, Key
from ckan.common import CKANConfig


def _declare(declaration: Declaration, room: str) -> None:
    source = resources.files("ckanext.govcat").joinpath(room, "config_declaration.yaml")
    declaration.load_dict(yaml.safe_load(source.read_text("utf-8")))


class GovcatSearchPlugin(p.SingletonPlugin):
    """Package search, indexing and ``ckan search-index`` on PostgreSQL (``govcat_search``)."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurer)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        _declare(declaration, "search")

    def update_config(self, config: CKANConfig) -> None:
        from .search import bridge

        bridge.install()
