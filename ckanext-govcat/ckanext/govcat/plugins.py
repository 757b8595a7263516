"""GovCat's CKAN plugins. Each concern CKAN can switch on or off is one plugin; the work lives
in its room (``search``, …), this module only wires it into CKAN."""
from __future__ import annotations

from importlib import resources

import yaml

import ckan.plugins as p
from ckan.config.declaration import Declaration, Key
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation


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


class GovcatThemePlugin(p.SingletonPlugin, DefaultTranslation):
    """The portal's look: Chinese government portal theme and home page (``govcat_theme``).
    Its messages are in ``i18n/<locale>/LC_MESSAGES/ckanext-govcat_theme.po``."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        _declare(declaration, "theme")

    def update_config(self, config: CKANConfig) -> None:
        p.toolkit.add_template_directory(config, "templates")
        p.toolkit.add_public_directory(config, "public")

    def get_helpers(self) -> dict[str, object]:
        from .theme import helpers

        return helpers.get_helpers()
