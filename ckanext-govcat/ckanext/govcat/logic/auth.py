"""Auth functions of the catalog actions (same names as the actions). Reading the catalog
structure is public, like dataset search; proposing codes needs the right to create datasets."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def govcat_catalog_tree(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def govcat_catalog_statistics(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def govcat_catalog_next_code(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("package_create", context, {})
