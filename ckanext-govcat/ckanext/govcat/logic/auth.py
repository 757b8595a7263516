"""Auth functions of the catalog actions (same names as the actions). Reading the catalog
structure is public, like dataset search; proposing codes needs the right to create datasets."""
from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
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


def govcat_catalog_import(context: Context, data_dict: DataDict) -> AuthResult:
    """Department admins import into their department; sysadmins (who pass every auth function)
    into any department, or by the provider columns of the file."""
    org = data_dict.get("organization")
    if not org:
        return {"success": False, "msg": "只有系统管理员可以不指定部门导入"}
    group = model.Group.get(org)
    user = context.get("user")
    if group is None or authz.users_role_for_group_or_org(group.id, user) != "admin":
        return {"success": False, "msg": "只有该部门的管理员可以导入目录"}
    return {"success": True}
