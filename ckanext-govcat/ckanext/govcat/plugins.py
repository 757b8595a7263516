"""GovCat's CKAN plugins. Each concern CKAN can switch on or off is one plugin; the work lives
in its room (``search``, …), this module only wires it into CKAN."""
from __future__ import annotations

from collections import OrderedDict
from importlib import resources
from typing import Any

import yaml

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.config.declaration import Declaration, Key
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultPermissionLabels, DefaultTranslation

from .cli import catalog as cli_module
from .logic import action as action_module
from .logic import auth as auth_module
from .logic import helpers as helpers_module
from .logic import validators as validators_module
from .views import catalog as views_module

# Facets the dataset search page shows (keys added by logic/index.py).
_CATALOG_FACETS = (("class_1", "资源分类"), ("share_type", "共享类型"), ("open_type", "开放类型"),
                   ("format_class", "格式分类"), ("update_cycle", "更新周期"),
                   ("publish_year", "发布年份"))


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


@tk.blanket.validators(validators_module)
@tk.blanket.helpers(helpers_module)
@tk.blanket.actions(action_module)
@tk.blanket.auth_functions(auth_module)
@tk.blanket.blueprints(views_module.get_blueprints)
@tk.blanket.cli(cli_module.get_commands)
class GovcatPlugin(p.SingletonPlugin, DefaultTranslation):
    """The government catalog (``govcat``): the information-resource and department schemas'
    validators and helpers (with ``scheming_datasets`` and ``scheming_organizations``), catalog
    facets in the search index, tree browse, workbook import/export and statistics. Its
    messages (the catalog rules' Chinese texts are the message ids) are translated in
    ``i18n/<locale>/LC_MESSAGES/ckanext-govcat.po``."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        _declare(declaration, "catalog")

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "govcat_catalog")

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        from .logic import config as catalog_config
        from .logic.index import index_document

        return index_document(pkg_dict, catalog_config.standard())

    def dataset_facets(self, facets_dict: OrderedDict[str, Any],
                       package_type: str) -> OrderedDict[str, Any]:
        for key, title in _CATALOG_FACETS:
            facets_dict[key] = tk._(title)
        return facets_dict


class GovcatThemePlugin(p.SingletonPlugin, DefaultTranslation):
    """The portal's look: Chinese government portal theme and home page (``govcat_theme``).
    Its messages are in ``i18n/<locale>/LC_MESSAGES/ckanext-govcat_theme.po``."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        _declare(declaration, "theme")

    def make_middleware(self, app: Any, config: CKANConfig) -> Any:
        """Every form and Action API call of a logged-in browser session needs its CSRF token,
        whatever CKAN 2.12's per-view exemptions say (``csrf.py``)."""
        if hasattr(app, "before_request"):  # the Flask app
            from . import csrf

            app.before_request(csrf.require_token)
        return app

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        if p.plugin_loaded("govcat"):  # the catalog's facets exist only with its plugin
            from .logic import config as catalog_config
            from .theme.facets import label_facets

            label_facets(search_results.get("search_facets", {}), catalog_config.standard())
        return search_results

    def update_config(self, config: CKANConfig) -> None:
        p.toolkit.add_template_directory(config, "templates")
        p.toolkit.add_public_directory(config, "public")
        p.toolkit.add_resource("theme/assets", "govcat")

    def get_helpers(self) -> dict[str, object]:
        from .theme import helpers

        return helpers.get_helpers()


def _access_actions() -> dict:
    from .access import actions, activity, gate

    chained = {**gate.ACTIONS, **(activity.ACTIONS if p.plugin_loaded("activity") else {})}
    return {**{name: getattr(actions, name) for name in actions.__all__},
            **_with_loaded_datastore(chained)}


def _with_loaded_datastore(chained: dict) -> dict:
    """Chained DataStore actions/auth only where the datastore plugin provides the originals
    (``datastore_search_sql`` exists only with ``ckan.datastore.sqlsearch.enabled``)."""
    sql = p.plugin_loaded("datastore") and tk.asbool(
        tk.config.get("ckan.datastore.sqlsearch.enabled"))
    return {name: fn for name, fn in chained.items()
            if not name.startswith("datastore_") or (
                p.plugin_loaded("datastore") and (sql or name != "datastore_search_sql"))}


def _access_auth() -> dict:
    from .access import auth, gate

    chained = dict(gate.AUTH)
    return {**{name: getattr(auth, name) for name in auth.__all__},
            **_with_loaded_datastore(chained)}


def _access_module(name: str) -> Any:
    return __import__(f"ckanext.govcat.access.{name}", fromlist=[name])


@tk.blanket.actions(_access_actions)
@tk.blanket.auth_functions(_access_auth)
@tk.blanket.blueprints(lambda: [_access_module("views").blueprint])
@tk.blanket.helpers(lambda: _access_module("helpers").get_helpers())
@tk.blanket.cli(lambda: _access_module("cli").get_commands())
class GovcatAccessPlugin(p.SingletonPlugin, DefaultPermissionLabels):
    """Conditional access (``govcat_access``): applications, review, grants, audit, and the
    gates on every data egress path of conditional and closed datasets."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        _declare(declaration, "access")

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")

    def after_dataset_show(self, context, pkg_dict):  # type: ignore[override]
        from .access import gate

        gate.after_dataset_show(context, pkg_dict)

    def get_dataset_labels(self, dataset_obj):  # type: ignore[override]
        from .access import policy

        if policy.open_type(dataset_obj) == "closed":
            if dataset_obj.owner_org:
                return [f"member-{dataset_obj.owner_org}"]
            return [f"creator-{dataset_obj.creator_user_id}"]
        return super().get_dataset_labels(dataset_obj)
