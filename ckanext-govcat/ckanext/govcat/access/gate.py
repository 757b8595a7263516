"""The gates: every path data (or its location) leaves the portal by asks ``policy`` first.

- dataset dicts (``package_show`` and everything built on it: ``resource_show``, dataset and
  resource pages, DCAT): ``filter_dataset`` blanks the location (``url`` of links and uploads,
  ``download_url``, ``access_url``) of every resource the caller may not read and marks each
  gated resource (``after_dataset_show``);
- ``package_search``: the same filter over each result, plus index-only fields (chained action);
- DataStore: ``datastore_search`` (chained auth and action) and ``datastore_search_sql``
  (chained auth over the table list CKAN's DataStore takes from PostgreSQL's own parser,
  aliases resolved to their tables);
- resource views: ``resource_view_list`` hides, ``resource_view_show`` refuses;
- web endpoints (filestore download, resource views, DataStore dump, datatables, the
  activity plugin's resource history page): ``before_request``, answering 403 (JSON for API
  clients, with a link to apply);
- activity history: ``activity.py``;
- closed datasets: ``package_show`` auth and permission labels.

Grant-based accesses are written to the audit table (``record``).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

from flask import Response, g, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from . import model as am
from . import policy

log = logging.getLogger(__name__)
_ = tk._

GATED_FLAG = "govcat_access_gated"
# Index-only fields of package_search results (``fl``) that can carry resource locations.
_INDEX_LOCATION_FIELDS = ("res_url", "url", "download_url", "data_dict", "validated_data_dict")
# Resource fields that locate its data: the link or the filestore address (``url``) and the
# DCAT distribution's addresses that ckanext-dcat serializes when present.
_RESOURCE_LOCATION_FIELDS = ("url", "download_url", "access_url")
# Endpoint names (after the blueprint) that send a resource's data, or (``resource_history``,
# the activity plugin's page, which reads old snapshots without the activity actions) its
# location.
_DATA_ENDPOINTS = frozenset({"download", "view", "dump", "ajax", "filtered_download",
                             "resource_history"})


def apply_url(package_id: str) -> str:
    return tk.url_for("govcat_access.apply", id=package_id, _external=True)


def denial_message(package_id: str) -> str:
    return _("该数据为有条件开放数据，需获得授权后使用。申请地址：{}").format(apply_url(package_id))


def record(grant: am.Grant, resource_id: str, path: str, nbytes: int) -> None:
    """Write one audit row for a grant-based access (committed at once)."""
    model.Session.add(am.Audit(grant_id=grant.id, user_id=grant.user_id,
                               package_id=grant.package_id, resource_id=resource_id,
                               path=path, bytes=max(int(nbytes or 0), 0), at=am.now()))
    model.Session.commit()


def filter_dataset(user: Optional[str], pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Blank the location of every resource ``user`` may not read; mutates and returns.
    The dataset's current open type decides (snapshots in activities may carry an old one)."""
    package = model.Package.get(pkg_dict.get("id") or "")
    if package is None or policy.open_type(package) == "unconditional":
        return pkg_dict
    gated = False
    for res in pkg_dict.get("resources") or []:
        if policy.data_decision(user, package, res.get("id") or "").allowed:
            continue
        gated = True
        res[GATED_FLAG] = True
        res["govcat_access_apply_url"] = apply_url(package.name)
        for key in _RESOURCE_LOCATION_FIELDS:
            if key in res:
                res[key] = ""
    if gated:
        for key in _INDEX_LOCATION_FIELDS:
            if key in pkg_dict:
                pkg_dict[key] = [] if key == "res_url" else ""
    return pkg_dict


def after_dataset_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    # Index builds (ignore_auth, validate=False) keep full dicts: searches filter per caller.
    if context.get("ignore_auth") and context.get("validate") is False:
        return
    filter_dataset(context.get("user"), pkg_dict)


@tk.side_effect_free  # reads: must stay callable with GET, like the core action
@tk.chained_action
def package_search(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    result = next_action(context, data_dict)
    user = context.get("user")
    for item in result.get("results") or []:
        if not isinstance(item, dict) or "id" not in item:
            continue
        if "resources" in item:
            filter_dataset(user, item)
        elif any(key in item for key in _INDEX_LOCATION_FIELDS):  # ``fl`` picked index fields
            package = model.Package.get(item["id"])
            if package is not None and any(
                    not policy.data_decision(user, package, res.id).allowed
                    for res in package.resources):
                for key in _INDEX_LOCATION_FIELDS:
                    if key in item:
                        item[key] = [] if key == "res_url" else ""
    return result


def _resource_of_table(name: str) -> str:
    """The resource id behind a DataStore table name or alias."""
    from ckanext.datastore.backend import DatastoreBackend

    try:
        exists, real_id = DatastoreBackend.get_active_backend().resource_id_from_alias(name)
    except Exception:  # noqa: BLE001 - an unknown name is the DataStore's error to report
        return name
    return real_id or name


def _deny_resource(user: Optional[str], resource_id: str) -> Optional[str]:
    """A denial message when ``user`` may not read the resource's data, else None."""
    decision = policy.resource_decision(user, resource_id)
    if decision.allowed:
        return None
    resource = model.Resource.get(resource_id)
    return denial_message(resource.package.name if resource else resource_id)


@tk.auth_allow_anonymous_access  # as the chained original: the chain decides
@tk.chained_auth_function
def datastore_search(next_auth: Any, context: Context, data_dict: DataDict) -> Any:
    rid = _resource_of_table(data_dict.get("resource_id") or data_dict.get("id") or "")
    message = _deny_resource(context.get("user"), rid)
    if message:
        return {"success": False, "msg": message}
    return next_auth(context, data_dict)


@tk.auth_allow_anonymous_access  # as the chained original: the chain decides
@tk.chained_auth_function
def datastore_search_sql(next_auth: Any, context: Context, data_dict: DataDict) -> Any:
    for name in list(context.get("table_names") or []):
        message = _deny_resource(context.get("user"), _resource_of_table(name))
        if message:
            return {"success": False, "msg": message}
    return next_auth(context, data_dict)


@tk.side_effect_free  # reads: must stay callable with GET, like the core action
@tk.chained_action
def datastore_search_action(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    result = next_action(context, data_dict)
    rid = result.get("resource_id") or ""
    decision = policy.resource_decision(context.get("user"), rid)
    if not decision.allowed:  # an alias that resolved elsewhere than the auth check saw
        raise tk.NotAuthorized(denial_message(rid))
    if decision.grant is not None:
        record(decision.grant, rid, "datastore_search", _records_size(result))
    return result


@tk.side_effect_free  # reads: must stay callable with GET, like the core action
@tk.chained_action
def datastore_search_sql_action(next_action: Any, context: Context,
                                data_dict: DataDict) -> Any:
    result = next_action(context, data_dict)
    user = context.get("user")
    size: Optional[int] = None
    for name in context.get("table_names") or []:
        rid = _resource_of_table(name)
        decision = policy.resource_decision(user, rid)
        if decision.grant is not None:
            size = _records_size(result) if size is None else size
            record(decision.grant, rid, "datastore_search_sql", size)
    return result


def _records_size(result: dict[str, Any]) -> int:
    """Bytes of the records a DataStore read returned (what the audit records)."""
    return len(json.dumps(result.get("records", []), default=str).encode())


@tk.side_effect_free  # reads: must stay callable with GET, like the core action
@tk.chained_action
def resource_view_list(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    views = next_action(context, data_dict)
    if _deny_resource(context.get("user"), data_dict.get("id") or ""):
        return []
    return views


@tk.side_effect_free  # reads: must stay callable with GET, like the core action
@tk.chained_action
def resource_view_show(next_action: Any, context: Context, data_dict: DataDict) -> Any:
    view = next_action(context, data_dict)
    message = _deny_resource(context.get("user"), view.get("resource_id") or "")
    if message:
        raise tk.NotAuthorized(message)
    return view


@tk.auth_allow_anonymous_access  # as the chained original: the chain decides
@tk.chained_auth_function
def package_show(next_auth: Any, context: Context, data_dict: DataDict) -> Any:
    package = context.get("package") or model.Package.get(data_dict.get("id") or "")
    if package is not None and not policy.may_see_dataset(context.get("user"), package):
        return {"success": False, "msg": _("无权查看该数据集")}
    return next_auth(context, data_dict)


def _request_resource_id() -> Optional[str]:
    endpoint = request.endpoint or ""
    if endpoint.rpartition(".")[2] not in _DATA_ENDPOINTS:
        return None
    args = request.view_args or {}
    if args.get("resource_id"):
        return str(args["resource_id"])
    if args.get("resource_view_id"):
        view = model.ResourceView.get(str(args["resource_view_id"]))
        return view.resource_id if view else None
    return None


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return request.path.startswith("/api/") or not accept.accept_html or \
        accept.best_match(["application/json", "text/html"]) == "application/json"


def before_request() -> Optional[Response]:
    """Refuse data endpoints of gated resources; note grant-based ones for the audit."""
    rid = _request_resource_id()
    if not rid:
        return None
    rid = _resource_of_table(rid) if request.endpoint == "datastore.dump" else rid
    user = getattr(g, "user", None) or None
    decision = policy.resource_decision(user, rid)
    if decision.allowed:
        if decision.grant is not None and not (request.endpoint or "").endswith(
                ".resource_history"):
            g.govcat_access_audit = (decision.grant, rid)
        return None
    resource = model.Resource.get(rid)
    package_name = resource.package.name if resource else rid
    message = denial_message(package_name)
    if _wants_json():
        body = {"success": False, "error": {"__type": "Authorization Error", "message": message,
                                            "apply_url": apply_url(package_name)}}
        return Response(json.dumps(body, ensure_ascii=False), status=403,
                        mimetype="application/json")
    return tk.abort(403, message)


def after_request(response: Response) -> Response:
    pending = getattr(g, "govcat_access_audit", None)
    if pending and response.status_code < 400:
        grant, rid = pending
        g.govcat_access_audit = None
        size = response.content_length
        if size is None:
            resource = model.Resource.get(rid)
            size = resource.size if resource and resource.size else 0
        try:
            record(model.Session.merge(grant), rid, request.endpoint or request.path, size)
        except Exception:  # noqa: BLE001 - the audit must not break a served response
            log.exception("access audit failed for resource %s", rid)
            model.Session.rollback()
    return response


# Registered by the plugin under CKAN's names (chained onto the core and DataStore functions).
ACTIONS = {
    "package_search": package_search,
    "datastore_search": datastore_search_action,
    "datastore_search_sql": datastore_search_sql_action,
    "resource_view_list": resource_view_list,
    "resource_view_show": resource_view_show,
}
AUTH = {
    "datastore_search": datastore_search,
    "datastore_search_sql": datastore_search_sql,
    "package_show": package_show,
}
