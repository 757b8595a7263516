"""Activity-history gates, registered when CKAN's ``activity`` plugin is loaded.

Every package activity carries a full snapshot of the dataset (``data.package``), and CKAN
serves those snapshots through the activity actions, the diff and the pages built on them. For
each caller, as for ``package_show``:

- every snapshot an activity action returns is passed through ``gate.filter_dataset`` (the
  dataset's *current* open type decides, whatever the snapshot says), on a copy: the stored
  activity is never changed;
- activities of datasets the caller may not see (closed ones) are dropped from the lists, and
  ``activity_show`` / ``activity_data_show`` / ``activity_diff`` refuse them;
- ``activity_diff`` recomputes its diff over the filtered snapshots, so a changed location does
  not show through the diff;
- ``activity_create`` stores the full snapshot: CKAN dictizes it for the request's user (none
  outside requests), whose view the gates may already have filtered;
- the resource history page reads snapshots without these actions: ``gate.before_request``
  refuses it like a data page.
"""
from __future__ import annotations

import copy
import difflib
import json
import re
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from . import gate, policy

_ = tk._
_HELPER_KEYS = (gate.GATED_FLAG, "govcat_access_apply_url")


def _package_of(activity: dict[str, Any]) -> Optional[model.Package]:
    data = activity.get("data")
    snapshot = data.get("package") if isinstance(data, dict) else None
    if isinstance(snapshot, dict) and snapshot.get("id"):
        return model.Package.get(snapshot["id"])
    from ckanext.activity.logic.validators import VALIDATORS_PACKAGE_ACTIVITY_TYPES

    if activity.get("activity_type") in VALIDATORS_PACKAGE_ACTIVITY_TYPES:  # about a dataset
        return model.Package.get(activity.get("object_id") or "")
    return None


def _visible(user: Optional[str], activity: dict[str, Any]) -> bool:
    package = _package_of(activity)
    return package is None or policy.may_see_dataset(user, package)


def _filter(user: Optional[str], activity: dict[str, Any]) -> dict[str, Any]:
    """``activity`` with its snapshot filtered for ``user`` (a copy: the dictized activity
    shares its ``data`` with the stored one)."""
    data = activity.get("data")
    if isinstance(data, dict) and isinstance(data.get("package"), dict):
        data = dict(data, package=gate.filter_dataset(user, copy.deepcopy(data["package"])))
        activity = dict(activity, data=data)
    return activity


def _refused() -> tk.NotAuthorized:
    return tk.NotAuthorized(_("无权查看该数据集的活动记录"))


def _list_chain() -> Any:
    """A chained activity-list action: invisible activities dropped, snapshots filtered."""
    @tk.side_effect_free  # reads: must stay callable with GET, like the core actions
    @tk.chained_action
    def chained(next_action: Any, context: Context, data_dict: DataDict) -> Any:
        user = context.get("user")
        return [_filter(user, item) for item in next_action(context, data_dict)
                if not isinstance(item, dict) or _visible(user, item)]
    return chained


@tk.side_effect_free
@tk.chained_action
def activity_show(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    # CKAN's auth function reads ``include_data`` with no default (a KeyError, HTTP 500, when
    # a caller leaves it out), and the action returns the data either way: it defaults to true,
    # so the caller needs the right to see activity data.
    try:
        include_data = tk.asbool(data_dict.get("include_data", True))
    except ValueError:
        raise tk.ValidationError({"include_data": [_("应为 true 或 false")]})
    data_dict = {**data_dict, "include_data": include_data}
    result = next_action(context, data_dict)
    user = context.get("user")
    if not _visible(user, result):
        raise _refused()
    return _filter(user, result)


@tk.side_effect_free
@tk.chained_action
def activity_data_show(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    result = next_action(context, data_dict)
    user = context.get("user")
    if isinstance(result, dict) and "resources" in result:  # object_type=package
        wrapped = {"data": {"package": result}}
        if not _visible(user, wrapped):
            raise _refused()
        return _filter(user, wrapped)["data"]["package"]
    if isinstance(result, dict):  # the whole data dict
        wrapped = {"data": result}
        if not _visible(user, wrapped):
            raise _refused()
        return _filter(user, wrapped)["data"]
    return result


@tk.side_effect_free
@tk.chained_action
def activity_diff(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    """The diff of CKAN, or for a caller who may not read every resource of the dataset the
    same diff computed over the filtered snapshots."""
    result = next_action(context, data_dict)
    if data_dict.get("object_type") != "package":
        return result
    user = context.get("user")
    activities = result.get("activities") or []
    if not all(_visible(user, a) for a in activities):
        raise _refused()
    filtered = [_filter(user, a) for a in activities]
    snapshots = [a.get("data", {}).get("package") for a in filtered]
    if any(isinstance(s, dict) and any(r.get(gate.GATED_FLAG) for r in s.get("resources") or [])
           for s in snapshots):
        result = dict(result, activities=filtered,
                      diff=_diff([_without_helpers(s or {}) for s in snapshots],
                                 data_dict.get("diff_type", "unified")))
    return result


def _without_helpers(snapshot: dict[str, Any]) -> dict[str, Any]:
    resources = [{k: v for k, v in res.items() if k not in _HELPER_KEYS}
                 for res in snapshot.get("resources") or []]
    return dict(snapshot, resources=resources)


def _diff(objects: list[dict[str, Any]], diff_type: str) -> str:
    """The diff of two snapshots in CKAN's ``activity_diff`` formats (``unified``, ``context``,
    ``html`` with lines wrapped at 70 characters)."""
    before, after = (json.dumps(o, indent=2, sort_keys=True).split("\n") for o in objects)
    if diff_type == "unified":
        return "\n".join(difflib.unified_diff(before, after))
    if diff_type == "context":
        return "\n".join(difflib.context_diff(before, after))
    if diff_type == "html":
        def wrap(lines: list[str]) -> list[str]:
            return [part for line in lines for part in re.findall(r".{1,70}(?:\s+|$)", line)]
        return difflib.HtmlDiff().make_table(wrap(before), wrap(after))
    raise tk.ValidationError({"diff_type": [_("不支持的 diff_type：{}").format(diff_type)]})


@tk.chained_action
def activity_create(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    data = data_dict.get("data")
    snapshot = data.get("package") if isinstance(data, dict) else None
    if isinstance(snapshot, dict) and any(
            r.get(gate.GATED_FLAG) for r in snapshot.get("resources") or []):
        data["package"] = _full_snapshot(snapshot["id"]) or snapshot
    return next_action(context, data_dict)


def _full_snapshot(package_id: str) -> Optional[dict[str, Any]]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    try:
        return tk.get_action("package_show")(
            {"user": site_user, "ignore_auth": True, "for_view": False},
            {"id": package_id, "include_tracking": False})
    except tk.ObjectNotFound:
        return None


# Registered by the plugin under CKAN's names (chained onto the activity plugin's actions).
ACTIONS = {
    "activity_show": activity_show,
    "activity_data_show": activity_data_show,
    "activity_diff": activity_diff,
    "activity_create": activity_create,
    **{name: _list_chain() for name in (
        "package_activity_list", "dashboard_activity_list", "user_activity_list",
        "organization_activity_list", "group_activity_list",
        "recently_changed_packages_activity_list")},
}
