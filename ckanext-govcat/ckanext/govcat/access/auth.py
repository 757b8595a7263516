"""Auth functions of the access actions (same names); policy lives in ``policy.py``."""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from . import model as am
from . import policy
from .actions import __all__ as _ACTION_NAMES

__all__ = list(_ACTION_NAMES)  # one auth function per action, same name

_ = tk._


def _result(ok: bool, msg: str = "") -> AuthResult:
    return {"success": True} if ok else {"success": False, "msg": msg or _("无权执行此操作")}


def _user_id(context: Context) -> Optional[str]:
    obj = policy.user_obj(context.get("user"))
    return obj.id if obj else None


def _application(data_dict: DataDict) -> Optional[am.Application]:
    return model.Session.get(am.Application, data_dict.get("id") or "")


def _is_applicant(context: Context, data_dict: DataDict) -> AuthResult:
    app = _application(data_dict)
    uid = _user_id(context)
    return _result(app is None or (uid is not None and app.user_id == uid))


def _reviews_application(context: Context, data_dict: DataDict) -> AuthResult:
    app = _application(data_dict)
    return _result(app is None or policy.can_review(context.get("user"), app.owner_org))


def govcat_access_application_create(context: Context, data_dict: DataDict) -> AuthResult:
    if not _user_id(context):
        return _result(False, _("请先登录再申请"))
    package = model.Package.get(data_dict.get("package_id") or "")
    return _result(package is None or policy.may_see_dataset(context.get("user"), package))


@tk.auth_allow_anonymous_access
def govcat_access_application_show(context: Context, data_dict: DataDict) -> AuthResult:
    app = _application(data_dict)
    if app is None:
        return _result(True)
    uid = _user_id(context)
    return _result((uid is not None and app.user_id == uid)
                   or policy.can_review(context.get("user"), app.owner_org))


def govcat_access_application_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _result(bool(_user_id(context)))


def govcat_access_application_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _is_applicant(context, data_dict)


def govcat_access_application_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _is_applicant(context, data_dict)


def govcat_access_application_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    return _is_applicant(context, data_dict)


def govcat_access_application_decide(context: Context, data_dict: DataDict) -> AuthResult:
    return _reviews_application(context, data_dict)


def govcat_access_grant_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    if data_dict.get("package_id"):
        package = model.Package.get(data_dict["package_id"])
        if package is not None and not policy.can_review(user, package.owner_org):
            return _result(False)
    if data_dict.get("user"):
        target = policy.user_obj(data_dict["user"])
        if not (policy.is_sysadmin(user) or (target is not None and target.id == _user_id(context))):
            return _result(False)
    return _result(bool(_user_id(context)))


def govcat_access_grant_revoke(context: Context, data_dict: DataDict) -> AuthResult:
    grant = model.Session.get(am.Grant, data_dict.get("id") or "")
    if grant is None:
        return _result(True)
    package = model.Package.get(grant.package_id)
    return _result(policy.can_review(context.get("user"), package.owner_org if package else None))


def govcat_access_grant_expire(context: Context, data_dict: DataDict) -> AuthResult:
    return _result(policy.is_sysadmin(context.get("user")))


def govcat_access_report_create(context: Context, data_dict: DataDict) -> AuthResult:
    grant = model.Session.get(am.Grant, data_dict.get("grant_id") or "")
    uid = _user_id(context)
    return _result(uid is not None and (grant is None or grant.user_id == uid))


@tk.auth_allow_anonymous_access
def govcat_access_register(context: Context, data_dict: DataDict) -> AuthResult:
    return _result(True)


def govcat_access_todo(context: Context, data_dict: DataDict) -> AuthResult:
    return _result(bool(_user_id(context)))


def govcat_access_audit_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    if data_dict.get("package_id"):
        package = model.Package.get(data_dict["package_id"])
        return _result(package is None or policy.can_review(user, package.owner_org))
    if data_dict.get("grant_id"):
        grant = model.Session.get(am.Grant, data_dict["grant_id"])
        package = model.Package.get(grant.package_id) if grant else None
        return _result(grant is None or policy.can_review(
            user, package.owner_org if package else None))
    return _result(policy.is_sysadmin(user))
