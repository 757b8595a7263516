"""Permission predicates of conditional access. Auth functions and the gates only delegate here.

Data of a dataset whose ``open_type`` is ``conditional`` is readable by sysadmins, members of the
owning organization (any capacity) and holders of an active grant covering the resource;
everything else about such a dataset stays as public as stock CKAN makes it. ``closed``
datasets are visible only to sysadmins and members of the owning organization.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import ckan.authz as authz
from ckan import model

from . import model as am

OpenType = Literal["unconditional", "conditional", "closed"]
OPEN_TYPES: tuple[OpenType, ...] = ("unconditional", "conditional", "closed")
REVIEW_ROLES = ("admin", "editor")


def open_type(package: model.Package | dict | None) -> OpenType:
    """The dataset's open type from a Package or a dataset dict (field or extra ``open_type``);
    unknown or missing values count as ``unconditional``."""
    if package is None:
        return "unconditional"
    if isinstance(package, dict):
        value = package.get("open_type")
        if value is None:
            value = next((e.get("value") for e in package.get("extras") or []
                          if e.get("key") == "open_type"), None)
    else:
        value = package.extras.get("open_type")
    return value if value in OPEN_TYPES else "unconditional"  # type: ignore[return-value]


def user_obj(user: Optional[str]) -> Optional[model.User]:
    return model.User.get(user) if user else None


def is_sysadmin(user: Optional[str]) -> bool:
    return bool(user) and authz.is_sysadmin(user)


def is_member(user: Optional[str], owner_org: Optional[str]) -> bool:
    """Member of the owning organization in any capacity, or sysadmin."""
    if is_sysadmin(user):
        return True
    if not user or not owner_org:
        return False
    return authz.users_role_for_group_or_org(owner_org, user) is not None


def can_review(user: Optional[str], owner_org: Optional[str]) -> bool:
    """Admins and editors of the owning organization, and sysadmins."""
    if is_sysadmin(user):
        return True
    if not user or not owner_org:
        return False
    return authz.users_role_for_group_or_org(owner_org, user) in REVIEW_ROLES


def reviewable_orgs(user: Optional[str]) -> Optional[list[str]]:
    """Ids of organizations ``user`` reviews for; None means all (sysadmin)."""
    if is_sysadmin(user):
        return None
    obj = user_obj(user)
    if obj is None:
        return []
    rows = (model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == obj.id,
                    model.Member.state == "active", model.Member.capacity.in_(REVIEW_ROLES),
                    model.Group.is_organization.is_(True), model.Group.state == "active"))
    return [row[0] for row in rows]


def active_grant(user: Optional[str], package_id: str, resource_id: str) -> Optional[am.Grant]:
    """An active grant of ``user`` covering the resource, or None."""
    obj = user_obj(user)
    if obj is None:
        return None
    now = am.now()
    grants = am.query(am.Grant).filter(
        am.Grant.user_id == obj.id, am.Grant.package_id == package_id,
        am.Grant.revoked.is_(None), am.Grant.starts <= now, am.Grant.expires > now)
    return next((g for g in grants if g.covers(resource_id)), None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    grant: Optional[am.Grant] = None


ALLOW = Decision(True)
DENY = Decision(False)


def data_decision(user: Optional[str], package: Optional[model.Package],
                  resource_id: str) -> Decision:
    """May ``user`` read the data (or its location) of the resource? ``grant`` is set when the
    answer rests on a grant, i.e. when the access must be audited."""
    if package is None:
        return ALLOW
    kind = open_type(package)
    if kind == "unconditional":
        return ALLOW
    if is_member(user, package.owner_org):
        return ALLOW
    if kind == "closed":
        return DENY
    grant = active_grant(user, package.id, resource_id)
    return Decision(True, grant) if grant else DENY


def resource_decision(user: Optional[str], resource_id: str) -> Decision:
    """``data_decision`` for a resource id (or a DataStore table name / alias resolved to it);
    unknown ids are allowed here: whoever serves them answers "not found"."""
    resource = model.Resource.get(resource_id)
    if resource is None:
        return ALLOW
    return data_decision(user, resource.package, resource.id)


def may_see_dataset(user: Optional[str], package: model.Package) -> bool:
    """Closed datasets exist only for sysadmins and the owning organization's members."""
    return open_type(package) != "closed" or is_member(user, package.owner_org)
