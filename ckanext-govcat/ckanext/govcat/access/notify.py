"""Email on every application transition, to the other party, through CKAN's mailer.

Applicant actions (submit, withdraw) go to the reviewers of the owning organization; reviewer
actions (approve, reject, return, revoke) and expiry go to the applicant. A failing mail server
is logged and never undoes the transition.
"""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

from . import config, policy, states
from . import model as am

log = logging.getLogger(__name__)
_ = tk._


def _recipients(app: am.Application, step: am.Transition) -> list[model.User]:
    if step.to_state in ("submitted", "withdrawn"):
        reviewers = (model.Session.query(model.User)
                     .join(model.Member, model.Member.table_id == model.User.id)
                     .filter(model.Member.group_id == app.owner_org,
                             model.Member.table_name == "user", model.Member.state == "active",
                             model.Member.capacity.in_(policy.REVIEW_ROLES),
                             model.User.state == "active"))
        return [u for u in reviewers if u.email]
    applicant = model.User.get(app.user_id)
    return [applicant] if applicant is not None and applicant.email else []


def transition(app: am.Application, step: am.Transition) -> None:
    if not config.notify():
        return
    package = model.Package.get(app.package_id)
    title = package.title or package.name if package else app.package_id
    label = states.STATE_LABELS.get(step.to_state, step.to_state)  # type: ignore[arg-type]
    subject = _("数据使用申请状态变更：{}（{}）").format(title, label)
    url = tk.url_for("govcat_access.application_read", id=app.id, _external=True)
    body = _("数据集：{title}\n申请编号：{id}\n状态：{label}\n理由：{reason}\n详情：{url}\n").format(
        title=title, id=app.id, label=label, reason=step.reason or "-", url=url)
    for user in _recipients(app, step):
        try:
            mailer.mail_user(user, subject, body)
        except mailer.MailerException as err:
            log.warning("access notification to %s failed: %s", user.name, err)
