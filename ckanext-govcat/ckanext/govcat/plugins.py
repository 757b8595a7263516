"""GovCat's CKAN plugins. Each concern CKAN can switch on or off is one plugin; the work lives
in its room (``search``, …), this module only wires it into CKAN."""
from __future__ import annotations

from importlib import resources

import yaml

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.config.declaration import Declaration, Key
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultPermissionLabels


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


def _access_actions() -> dict:
    from .access import actions, gate

    chained = {**gate.ACTIONS, **(gate.ACTIVITY_ACTIONS if p.plugin_loaded("activity") else {})}
    return {**{name: getattr(actions, name) for name in actions.__all__}, **chained}


def _access_auth() -> dict:
    from .access import auth, gate

    chained = {**gate.AUTH, **(gate.ACTIVITY_AUTH if p.plugin_loaded("activity") else {})}
    return {**{name: getattr(auth, name) for name in auth.__all__}, **chained}


@tk.blanket.actions(_access_actions)
@tk.blanket.auth_functions(_access_auth)
@tk.blanket.blueprints(lambda: [__import__("ckanext.govcat.access.views",
                                           fromlist=["blueprint"]).blueprint])
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
