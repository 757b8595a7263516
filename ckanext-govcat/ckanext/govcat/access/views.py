"""Pages of conditional access (blueprint ``govcat_access``). Forms post through CKAN's CSRF
protection, which the blueprint enforces itself for browser sessions (``csrf.py``); the pages
only call the access actions, so the auth functions decide everything.
The blueprint also carries the request gates (``gate.before_request`` / ``after_request``).
"""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import csrf
from . import config, gate, states

_ = tk._
blueprint = Blueprint("govcat_access", __name__)
blueprint.before_app_request(gate.before_request)
blueprint.after_app_request(gate.after_request)
blueprint.before_request(csrf.require_token)

_FIELDS = ("applicant_type", "applicant_name", "uscc", "purpose", "scenario",
           "security_measures", "contact", "period_start", "period_end")
# How error messages name the fields of the access actions (the forms' labels).
FIELD_LABELS = {
    "package_id": "数据集", "resource_ids": "申请的资源", "applicant_type": "申请主体",
    "applicant_name": "申请人名称", "uscc": "统一社会信用代码", "purpose": "用途",
    "scenario": "应用场景", "security_measures": "安全保障措施", "contact": "联系方式",
    "period_start": "使用期限开始", "period_end": "使用期限结束",
    "agreement_accepted": "数据使用协议", "decision": "审核决定", "reason": "理由",
    "expires": "授权截止日期", "grant_id": "授权", "title": "标题", "description": "说明",
    "url": "链接", "id": "申请",
}


def field_label(name: str) -> str:
    """The Chinese name of an access form field, for error messages."""
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name  # type: ignore[call-overload]


def _context() -> Context:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _call(action: str, data: dict[str, Any]) -> Any:
    return tk.get_action(action)(_context(), data)


def _guard(fn: Any) -> Any:
    """Turn NotAuthorized / NotFound into the matching error page."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except tk.NotAuthorized as err:
            if not tk.current_user.is_authenticated:
                return tk.redirect_to("user.login", came_from=request.full_path)
            return tk.abort(403, str(err) or _("无权访问"))
        except tk.ObjectNotFound as err:
            return tk.abort(404, str(err))
    wrapper.__name__ = fn.__name__
    return wrapper


@_guard
def apply(id: str) -> Any:
    package = _call("package_show", {"id": id})
    # Visitors log in before they fill in the form, not after (what they typed would be lost).
    tk.check_access("govcat_access_application_create", _context(), {"package_id": package["id"]})
    errors: dict[str, Any] = {}
    form: dict[str, Any] = {"applicant_type": "person"}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in _FIELDS}
        data = {**{k: v for k, v in form.items() if v.strip()}, "package_id": package["id"],
                "resource_ids": request.form.getlist("resource_ids"),
                "agreement_accepted": request.form.get("agreement_accepted") == "on"}
        try:
            app = _call("govcat_access_application_create", data)
            _call("govcat_access_application_submit", {"id": app["id"]})
            tk.h.flash_success(_("申请已提交，请等待审核"))
            return tk.redirect_to("govcat_access.application_read", id=app["id"])
        except tk.ValidationError as err:
            errors = err.error_dict
    version, text = config.agreement()
    return tk.render("govcat/access/apply.html", {
        "pkg": package, "form": form, "errors": errors, "agreement_version": version,
        "agreement_text": text, "field_label": field_label})


@_guard
def application_read(id: str) -> Any:
    app = _call("govcat_access_application_show", {"id": id})
    package = _call("package_show", {"id": app["package_id"]})
    can_review = _check_auth("govcat_access_application_decide", {"id": id})
    return tk.render("govcat/access/application.html", {
        "app": app, "pkg": package, "can_review": can_review,
        "is_applicant": app.get("user_id") == getattr(tk.current_user, "id", None),
        "labels": states.STATE_LABELS})


def _check_auth(action: str, data: dict[str, Any]) -> bool:
    try:
        return bool(tk.check_access(action, _context(), data))
    except tk.NotAuthorized:
        return False


@_guard
def application_act(id: str, op: str) -> Any:
    form = request.form
    data: dict[str, Any] = {"id": id, "reason": form.get("reason", "")}
    try:
        if op in ("submit", "withdraw"):
            _call(f"govcat_access_application_{op}", data)
        elif op == "decide":
            data.update(decision=form.get("decision", ""),
                        resource_ids=form.getlist("resource_ids"))
            if form.get("expires"):
                data["expires"] = form["expires"]
            _call("govcat_access_application_decide", data)
        elif op == "revoke":
            _call("govcat_access_grant_revoke", {"id": form.get("grant_id", ""),
                                                 "reason": data["reason"]})
        elif op == "report":
            _call("govcat_access_report_create", {
                "grant_id": form.get("grant_id", ""), "title": form.get("title", ""),
                **{k: form[k] for k in ("description", "url") if form.get(k, "").strip()}})
        else:
            return tk.abort(404)
        tk.h.flash_success(_("操作成功"))
    except tk.ValidationError as err:
        tk.h.flash_error("；".join(f"{field_label(k)}：{' '.join(map(str, v))}"
                                  for k, v in err.error_dict.items()))
    return tk.redirect_to("govcat_access.application_read", id=id)


def _listing(review: bool, template: str) -> Any:
    filters = {k: request.args[k] for k in ("state", "package_id", "owner_org")
               if request.args.get(k)}
    overdue = request.args.get("overdue") == "1"
    result = _call("govcat_access_application_list",
                   {**filters, "review": review, "overdue": overdue})
    return tk.render(template, {"result": result, "filters": filters, "overdue": overdue,
                                "labels": states.STATE_LABELS})


@_guard
def mine() -> Any:
    return _listing(False, "govcat/access/mine.html")


@_guard
def review() -> Any:
    return _listing(True, "govcat/access/review.html")


@_guard
def grants() -> Any:
    return tk.render("govcat/access/grants.html", {
        "result": _call("govcat_access_grant_list", {"include_inactive": True}),
        "labels": states.GRANT_STATE_LABELS})


@_guard
def register() -> Any:
    return tk.render("govcat/access/register.html", {
        "result": _call("govcat_access_register", {"limit": 1000})})


@_guard
def audit(id: str) -> Any:
    package = _call("package_show", {"id": id})
    result = _call("govcat_access_audit_list", {"package_id": package["id"], "limit": 1000})
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        columns = ["at", "user_name", "user_id", "grant_id", "resource_name", "resource_id",
                   "path", "bytes"]
        writer.writerow(columns)
        for row in result["results"]:
            writer.writerow([row[c] for c in columns])
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="audit-{package["name"]}.csv"'})
    return tk.render("govcat/access/audit.html", {"pkg": package, "result": result})


blueprint.add_url_rule("/dataset/<id>/apply", view_func=apply, methods=["GET", "POST"])
blueprint.add_url_rule("/dataset/<id>/access/audit", view_func=audit)
blueprint.add_url_rule("/access/application/<id>", view_func=application_read,
                       endpoint="application_read")
blueprint.add_url_rule("/access/application/<id>/<op>", view_func=application_act,
                       methods=["POST"])
blueprint.add_url_rule("/access/applications", view_func=mine)
blueprint.add_url_rule("/access/review", view_func=review)
blueprint.add_url_rule("/access/grants", view_func=grants)
blueprint.add_url_rule("/access/register", view_func=register)
