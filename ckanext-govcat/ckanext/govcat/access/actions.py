"""Actions of conditional access. Each has an auth function of the same name (``auth.py``);
registered by the ``govcat_access`` plugin through ``tk.blanket.actions``.

Every action validates with its schema, checks its own auth function, writes through the models
and commits once; emails to the other party go out after the commit (``notify.py``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Collection, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict

from ..catalog import uscc
from . import config, notify, policy, schema, states, workdays
from . import model as am

__all__ = [
    "govcat_access_application_create", "govcat_access_application_show",
    "govcat_access_application_list", "govcat_access_application_update",
    "govcat_access_application_submit", "govcat_access_application_withdraw",
    "govcat_access_application_decide", "govcat_access_grant_list",
    "govcat_access_grant_revoke", "govcat_access_grant_expire", "govcat_access_report_create",
    "govcat_access_register", "govcat_access_audit_list", "govcat_access_todo",
]

_ = tk._


def _user_id(context: Context) -> Optional[str]:
    obj = policy.user_obj(context.get("user"))
    return obj.id if obj else None


def _get(cls: type[am.Base], id_: str, label: str) -> Any:
    obj = model.Session.get(cls, id_)
    if obj is None:
        raise tk.ObjectNotFound(_("{} 不存在：{}").format(label, id_))
    return obj


def _package(package_id: str) -> model.Package:
    package = model.Package.get(package_id)
    if package is None or package.state != "active":
        raise tk.ObjectNotFound(_("数据集不存在：{}").format(package_id))
    return package


def _resource_ids(package: model.Package, wanted: list[str], field: str = "resource_ids",
                  within: Optional[list[str]] = None) -> list[str]:
    """``wanted`` checked against the dataset's active resources (and ``within`` when given,
    empty = all); empty stays empty (= every resource)."""
    existing = {r.id for r in package.resources}
    allowed = set(within) if within else existing
    unknown = [rid for rid in wanted if rid not in existing or rid not in allowed]
    if unknown:
        raise tk.ValidationError({field: [_("资源不属于该数据集或不在申请范围内：{}").format(
            "、".join(unknown))]})
    return list(dict.fromkeys(wanted))


def _check_fields(app: am.Application) -> None:
    """Cross-field rules of an application; raises ValidationError naming the field."""
    errors: dict[str, list[str]] = {}
    if app.applicant_type == "organization":
        problem = uscc.problem(app.uscc or "")
        if problem:
            errors["uscc"] = [f"统一社会信用代码{problem}"]
    else:
        app.uscc = None
    if app.period_end <= app.period_start:
        errors["period_end"] = [_("使用期限结束日期应晚于开始日期")]
    if errors:
        raise tk.ValidationError(errors)


def _apply_fields(app: am.Application, data: DataDict, package: model.Package) -> None:
    for field in ("applicant_type", "applicant_name", "uscc", "purpose", "scenario",
                  "security_measures", "contact", "period_start", "period_end"):
        if field in data:
            setattr(app, field, data[field])
    if "resource_ids" in data:
        app.resource_ids = _resource_ids(package, data["resource_ids"])


def _move(app: am.Application, event: states.Event, actor_id: Optional[str],
          reason: str = "") -> am.Transition:
    """Apply ``event`` to ``app`` and record the transition (who, when, why)."""
    try:
        target = states.transition(app.state, event, reason)  # type: ignore[arg-type]
    except states.TransitionError as err:
        raise tk.ValidationError({err.field: [str(err)]})
    step = am.Transition(application_id=app.id, from_state=app.state, to_state=target,
                         actor_id=actor_id, reason=reason or "", at=am.now())
    app.state = target
    app.modified = step.at
    model.Session.add(step)
    return step


def _actor_role(app: am.Application, step: am.Transition) -> str:
    """Who made a transition, as the pages name it: the system (no actor: expiry), the
    applicant, or a reviewer of the department."""
    if step.actor_id is None:
        return "system"
    return "applicant" if step.actor_id == app.user_id else "reviewer"


def _full(app: am.Application) -> dict[str, Any]:
    data = app.dictize()
    data["transitions"] = [dict(t.dictize(), actor_role=_actor_role(app, t))
                           for t in am.query(am.Transition).filter_by(application_id=app.id)
                           .order_by(am.Transition.at)]
    grants = am.query(am.Grant).filter_by(application_id=app.id).all()
    reports: dict[str, list[dict[str, Any]]] = {}
    for report in am.query(am.Report).filter(am.Report.grant_id.in_([g.id for g in grants])) \
            .order_by(am.Report.created):
        reports.setdefault(report.grant_id, []).append(report.dictize())
    data["grants"] = [dict(g.dictize(), reports=reports.get(g.id, [])) for g in grants]
    data["overdue"] = _overdue(app)
    return data


def _overdue(app: am.Application) -> bool:
    return app.state == "submitted" and app.deadline is not None and \
        app.deadline < dt.date.today()


@validate(schema.application_create)
def govcat_access_application_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create a draft application for a conditional dataset.

    :param package_id: the dataset (id or name); it must be ``open_type == "conditional"``
    :param resource_ids: optional list of its resource ids (empty: all resources)
    :param applicant_type: ``person`` or ``organization``
    :param applicant_name: the person's or organization's name
    :param uscc: 统一社会信用代码, required (and checked) for organizations
    :param purpose, scenario, contact: required texts; ``security_measures`` optional
    :param period_start, period_end: requested period (YYYY-MM-DD; default today and
        today + ``ckanext.govcat.access.default_period_days``)
    :param agreement_accepted: must be true; the current agreement text and version are stored
    :returns: the application dict (state ``draft``)
    :raises ValidationError: naming the field; ``NotAuthorized`` for anonymous users

    Example: ``govcat_access_application_create(package_id="x", applicant_type="person",
    applicant_name="张三", purpose="…", scenario="…", contact="…", agreement_accepted=True)``
    """
    tk.check_access("govcat_access_application_create", context, data_dict)
    package = _package(data_dict["package_id"])
    if policy.open_type(package) != "conditional":
        raise tk.ValidationError({"package_id": [_("该数据集不是有条件开放数据集，无需申请")]})
    if not data_dict.get("agreement_accepted"):
        raise tk.ValidationError({"agreement_accepted": [_("须接受数据使用协议")]})
    version, text = config.agreement()
    today = dt.date.today()
    start = data_dict.get("period_start") or today
    data = {"period_start": start,
            "period_end": data_dict.get("period_end")
            or start + dt.timedelta(days=config.default_period_days()),
            **{k: v for k, v in data_dict.items() if k not in ("period_start", "period_end")}}
    app = am.Application(package_id=package.id, owner_org=package.owner_org,
                         user_id=_user_id(context), resource_ids=[], state="draft",
                         agreement_version=version, agreement_text=text,
                         security_measures="", created=am.now(), modified=am.now())
    _apply_fields(app, data, package)
    _check_fields(app)
    model.Session.add(app)
    model.Session.flush()
    model.Session.add(am.Transition(application_id=app.id, from_state=None, to_state="draft",
                                    actor_id=app.user_id, reason="", at=am.now()))
    model.Session.commit()
    return _full(app)


@tk.side_effect_free
@validate(schema.by_id)
def govcat_access_application_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One application with its transitions and grants. :param id: the application id."""
    tk.check_access("govcat_access_application_show", context, data_dict)
    return _full(_get(am.Application, data_dict["id"], _("申请")))


@tk.side_effect_free
@validate(schema.application_list)
def govcat_access_application_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's applications, or with ``review=true`` the review queue of the
    organizations the caller reviews for (sysadmins: all).

    :param state, package_id, owner_org: filters; :param overdue: only overdue ones
    :returns: ``{"count": n, "counts": {state: n}, "results": [application with
        "overdue" and "package_title", …]}``
    """
    tk.check_access("govcat_access_application_list", context, data_dict)
    q = am.query(am.Application)
    if data_dict["review"]:
        q = _review_scope(q, policy.reviewable_orgs(context.get("user"))).filter(
            am.Application.state != "draft")
    else:
        q = q.filter(am.Application.user_id == _user_id(context))
    for field in ("package_id", "owner_org"):
        if data_dict.get(field):
            q = q.filter(getattr(am.Application, field) == data_dict[field])
    counts = dict(q.with_entities(am.Application.state, sa.func.count())
                  .group_by(am.Application.state).all())
    if data_dict.get("state"):
        q = q.filter(am.Application.state == data_dict["state"])
    if data_dict["overdue"]:
        q = _overdue_only(q)
    count = q.count()
    rows = q.order_by(am.Application.deadline.asc().nullslast(), am.Application.created.desc()) \
        .offset(data_dict["offset"]).limit(data_dict["limit"]).all()
    titles = _package_titles([app.package_id for app in rows])
    results = []
    for app in rows:
        item = app.dictize()
        item["overdue"] = _overdue(app)
        item["package_title"] = titles.get(app.package_id) or app.package_id
        results.append(item)
    return {"count": count, "counts": counts, "results": results}


def _review_scope(q: Any, orgs: Optional[Collection[str]]) -> Any:
    """``q`` (applications) limited to ``orgs`` (``policy.reviewable_orgs``; None: all)."""
    return q if orgs is None else q.filter(am.Application.owner_org.in_(orgs))


def _overdue_only(q: Any) -> Any:
    return q.filter(am.Application.state == "submitted",
                    am.Application.deadline < dt.date.today())


def _names(id_column: Any, name_column: Any, ids: Collection[str]) -> dict[str, str]:
    """``name_column`` by ``id_column`` for ``ids``, in one query (ids not found are left out)."""
    if not ids:
        return {}
    return dict(model.Session.query(id_column, name_column).filter(id_column.in_(set(ids))))


def _package_titles(package_ids: Collection[str]) -> dict[str, str]:
    """Title (or, when it has none, name) of each dataset, in one query; ids of purged
    datasets are left out."""
    title = sa.func.coalesce(sa.func.nullif(model.Package.title, ""), model.Package.name)
    return _names(model.Package.id, title, package_ids)


@tk.side_effect_free
@validate(schema.nothing)
def govcat_access_todo(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What awaits the caller: the dashboard's 待办 and the count in the page header.

    :returns: ``{"reviewer": bool (reviews for some department), "review_count": n
        (submitted applications awaiting the caller's decision), "overdue_count": n (of them,
        past their deadline), "review": [the 5 with the earliest deadlines, each an application
        dict with "overdue" and "package_title"], "notices": [state changes that others —
        reviewers, the system — made to the caller's applications in the last
        ``ckanext.govcat.access.notice_days`` days, newest first: {"application_id",
        "package_id", "package_title", "state", "reason", "at"}]}``
    """
    tk.check_access("govcat_access_todo", context, data_dict)
    user = context.get("user")
    orgs = policy.reviewable_orgs(user)
    result: dict[str, Any] = {"reviewer": orgs is None or bool(orgs), "review_count": 0,
                              "overdue_count": 0, "review": [], "notices": []}
    review: list[Any] = []
    if result["reviewer"]:
        waiting = _review_scope(am.query(am.Application), orgs).filter(
            am.Application.state == "submitted")
        result["review_count"] = waiting.count()
        result["overdue_count"] = _overdue_only(waiting).count()
        review = waiting.order_by(am.Application.deadline.asc().nullslast(),
                                  am.Application.created).limit(5).all()
    uid = _user_id(context)
    since = am.now() - dt.timedelta(days=config.notice_days())
    steps = (model.Session.query(am.Transition, am.Application)
             .join(am.Application, am.Application.id == am.Transition.application_id)
             .filter(am.Application.user_id == uid, am.Transition.at >= since,
                     sa.or_(am.Transition.actor_id.is_(None), am.Transition.actor_id != uid))
             .order_by(am.Transition.at.desc()).limit(10).all())
    titles = _package_titles([app.package_id for app in review]
                             + [app.package_id for _, app in steps])
    for app in review:
        result["review"].append(dict(app.dictize(private=False), overdue=_overdue(app),
                                     package_title=titles.get(app.package_id) or app.package_id))
    for step, app in steps:
        result["notices"].append({
            "application_id": app.id, "package_id": app.package_id,
            "package_title": titles.get(app.package_id) or app.package_id,
            "state": step.to_state, "reason": step.reason, "at": step.at.isoformat()})
    return result


@validate(schema.application_update)
def govcat_access_application_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Edit a draft or returned application (same fields as create, all optional)."""
    tk.check_access("govcat_access_application_update", context, data_dict)
    app = _get(am.Application, data_dict["id"], _("申请"))
    if app.state not in states.EDITABLE:
        raise tk.ValidationError({"state": [_("只有草稿或退回修改的申请可以修改")]})
    _apply_fields(app, data_dict, _package(app.package_id))
    _check_fields(app)
    app.modified = am.now()
    model.Session.commit()
    return _full(app)


def _applicant_event(context: Context, data_dict: DataDict, event: states.Event,
                     auth: str) -> dict[str, Any]:
    tk.check_access(auth, context, data_dict)
    app = _get(am.Application, data_dict["id"], _("申请"))
    was = app.state
    step = _move(app, event, _user_id(context), data_dict.get("reason") or "")
    if event == "submit":
        app.deadline = workdays.add_working_days(dt.date.today(), config.review_days(),
                                                 config.holidays(), config.workdays())
    model.Session.commit()
    if event == "submit" or was == "submitted":
        notify.transition(app, step)
    return _full(app)


@validate(schema.by_id)
def govcat_access_application_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit (or resubmit after a return) an application; sets its review deadline
    (``ckanext.govcat.access.review_days`` working days)."""
    return _applicant_event(context, data_dict, "submit", "govcat_access_application_submit")


@validate(schema.with_reason)
def govcat_access_application_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw an application before a decision. :param reason: optional."""
    return _applicant_event(context, data_dict, "withdraw",
                            "govcat_access_application_withdraw")


def _grant_window(app: am.Application, expires: Optional[dt.date]) -> tuple[dt.datetime,
                                                                            dt.datetime]:
    end = app.period_end
    if expires is not None:
        if expires > app.period_end:
            raise tk.ValidationError({"expires": [_("批准期限不能晚于申请的使用期限")]})
        end = expires
    start_day = max(app.period_start, dt.date.today())
    if end <= start_day and expires is not None:
        raise tk.ValidationError({"expires": [_("批准期限应晚于今天")]})
    utc = dt.timezone.utc
    starts = am.now() if app.period_start <= dt.date.today() else \
        dt.datetime.combine(app.period_start, dt.time(), utc)
    return starts, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), utc)


@validate(schema.application_decide)
def govcat_access_application_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decide a submitted application.

    :param id: the application; :param decision: ``approve`` / ``reject`` / ``return``
    :param reason: required for reject and return
    :param resource_ids: approval only, narrows the requested resources
    :param expires: approval only, last day of the grant (not after the requested period)
    :returns: the application dict, with its grant after an approval
    """
    tk.check_access("govcat_access_application_decide", context, data_dict)
    app = _get(am.Application, data_dict["id"], _("申请"))
    event: states.Event = data_dict["decision"]
    step = _move(app, event, _user_id(context), data_dict.get("reason") or "")
    if event == "approve":
        package = _package(app.package_id)
        resource_ids = app.resource_ids or []
        if data_dict.get("resource_ids"):
            resource_ids = _resource_ids(package, data_dict["resource_ids"],
                                         within=app.resource_ids)
        starts, expires = _grant_window(app, data_dict.get("expires"))
        model.Session.add(am.Grant(application_id=app.id, package_id=app.package_id,
                                   user_id=app.user_id, resource_ids=resource_ids,
                                   starts=starts, expires=expires, revoke_reason="",
                                   created=am.now()))
    model.Session.commit()
    notify.transition(app, step)
    return _full(app)


@tk.side_effect_free
@validate(schema.grant_list)
def govcat_access_grant_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Grants of a dataset (``package_id``, its reviewers) or of a user (``user``, that user or a
    sysadmin); without either, the caller's own. Active ones only unless ``include_inactive``.

    :returns: ``{"count": n, "results": [grant with "package_title", …]}``
    """
    tk.check_access("govcat_access_grant_list", context, data_dict)
    q = am.query(am.Grant)
    if data_dict.get("package_id"):
        q = q.filter(am.Grant.package_id == _package(data_dict["package_id"]).id)
    if data_dict.get("user") or not data_dict.get("package_id"):
        user = policy.user_obj(data_dict.get("user") or context.get("user"))
        if user is None:
            raise tk.ObjectNotFound(_("用户不存在"))
        q = q.filter(am.Grant.user_id == user.id)
    if not data_dict["include_inactive"]:
        now = am.now()
        q = q.filter(am.Grant.revoked.is_(None), am.Grant.expires > now)
    count = q.count()
    rows = q.order_by(am.Grant.created.desc()).offset(data_dict["offset"]) \
        .limit(data_dict["limit"]).all()
    titles = _package_titles([g.package_id for g in rows])
    return {"count": count, "results": [
        {**g.dictize(), "package_title": titles.get(g.package_id) or g.package_id}
        for g in rows]}


@validate(schema.with_reason)
def govcat_access_grant_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke a grant at once. :param id: the grant; :param reason: required.
    The application moves to ``revoked``."""
    tk.check_access("govcat_access_grant_revoke", context, data_dict)
    grant = _get(am.Grant, data_dict["id"], _("授权"))
    app = _get(am.Application, grant.application_id, _("申请"))
    if grant.revoked is not None:
        raise tk.ValidationError({"id": [_("该授权已撤销")]})
    step = _move(app, "revoke", _user_id(context), data_dict.get("reason") or "")
    grant.revoked = step.at
    grant.revoke_reason = step.reason
    model.Session.commit()
    notify.transition(app, step)
    return grant.dictize()


@validate(schema.nothing)
def govcat_access_grant_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Expire every approved application whose grant has ended: it moves to ``expired`` (the
    transition recorded without an actor: the system) and its applicant gets an email.

    Access already ends with the grant's period (``policy.active_grant``); this records and
    announces it. Run periodically: ``ckan govcat access expire``, the launcher's scheduler.
    Sysadmins only (the site user).

    :returns: ``{"expired": [application id, …]}``
    """
    tk.check_access("govcat_access_grant_expire", context, data_dict)
    due = (am.query(am.Application)
           .join(am.Grant, am.Grant.application_id == am.Application.id)
           .filter(am.Application.state == "approved", am.Grant.revoked.is_(None),
                   am.Grant.expires <= am.now())
           .order_by(am.Application.created).all())
    steps = [(app, _move(app, "expire", None)) for app in due]
    model.Session.commit()
    for app, step in steps:
        notify.transition(app, step)
    return {"expired": [app.id for app, _ in steps]}


@validate(schema.report_create)
def govcat_access_report_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a usage report (成果) against one's grant. :param grant_id, title: required;
    :param description, url: optional."""
    tk.check_access("govcat_access_report_create", context, data_dict)
    grant = _get(am.Grant, data_dict["grant_id"], _("授权"))
    report = am.Report(grant_id=grant.id, user_id=grant.user_id, title=data_dict["title"],
                       description=data_dict.get("description") or "",
                       url=data_dict.get("url") or "", created=am.now())
    model.Session.add(report)
    model.Session.commit()
    return report.dictize()


@tk.side_effect_free
@validate(schema.register)
def govcat_access_register(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The public register of active grants: dataset, applicant organization (never a person's
    name), purpose, period. :param package_id: optional filter.

    :returns: ``{"count": n, "results": [{"package_id", "package_title", "organization",
        "applicant_type", "purpose", "starts", "expires"}, …]}``
    """
    tk.check_access("govcat_access_register", context, data_dict)
    now = am.now()
    q = (model.Session.query(am.Grant, am.Application, model.Package)
         .join(am.Application, am.Application.id == am.Grant.application_id)
         .join(model.Package, model.Package.id == am.Grant.package_id)
         .filter(am.Grant.revoked.is_(None), am.Grant.starts <= now, am.Grant.expires > now,
                 model.Package.state == "active", model.Package.private.is_(False)))
    if data_dict.get("package_id"):
        q = q.filter(am.Grant.package_id == _package(data_dict["package_id"]).id)
    count = q.count()
    rows = q.order_by(am.Grant.starts.desc()).offset(data_dict["offset"]) \
        .limit(data_dict["limit"]).all()
    results = []
    for grant, app, package in rows:
        if policy.open_type(package) == "closed":
            continue
        results.append({
            "package_id": package.id, "package_name": package.name,
            "package_title": package.title, "applicant_type": app.applicant_type,
            "organization": app.applicant_name if app.applicant_type == "organization" else None,
            "purpose": app.purpose, "starts": grant.starts.isoformat(),
            "expires": grant.expires.isoformat()})
    return {"count": count, "results": results}


@tk.side_effect_free
@validate(schema.audit_list)
def govcat_access_audit_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Grant-based data accesses of a dataset (``package_id``) or a grant (``grant_id``),
    newest first; for the dataset's reviewers. Without a filter: sysadmins only.

    :returns: ``{"count": n, "results": [{"grant_id", "user_id", "user_name", "package_id",
        "resource_id", "resource_name", "path", "bytes", "at"}, …]}``
    """
    tk.check_access("govcat_access_audit_list", context, data_dict)
    q = am.query(am.Audit)
    if data_dict.get("package_id"):
        q = q.filter(am.Audit.package_id == _package(data_dict["package_id"]).id)
    if data_dict.get("grant_id"):
        q = q.filter(am.Audit.grant_id == data_dict["grant_id"])
    count = q.count()
    rows = q.order_by(am.Audit.at.desc(), am.Audit.id.desc()).offset(data_dict["offset"]) \
        .limit(data_dict["limit"]).all()
    users = _names(model.User.id, model.User.name, {a.user_id for a in rows})
    resources = _names(model.Resource.id, model.Resource.name, {a.resource_id for a in rows})
    return {"count": count, "results": [
        {**a.dictize(), "user_name": users.get(a.user_id) or a.user_id,
         "resource_name": resources.get(a.resource_id) or a.resource_id} for a in rows]}
