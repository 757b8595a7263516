"""The dashboard's 待办 over HTTP: reviewers see how many applications await their decision (on
the dashboard and in the account menu), overdue ones highlighted; applicants see a notice when
someone else changes the state of their application."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govcat.access import model as am

from .conftest import ckan_marks, decide, submitted, token_for

pytestmark = ckan_marks


@pytest.fixture
def queue(scene: dict[str, Any]) -> dict[str, Any]:
    """Two applications awaiting the scene's admin, one of them past its deadline, and a
    reviewer of another department."""
    pid = scene["dataset"]["id"]
    late = submitted(scene["applicant"]["name"], pid, purpose="逾期的申请")
    fresh = submitted(factories.User()["name"], pid, purpose="新的申请")
    model.Session.get(am.Application, late["id"]).deadline = dt.date.today() - dt.timedelta(1)
    model.Session.commit()
    other_admin = factories.User()
    factories.Organization(users=[{"name": other_admin["name"], "capacity": "admin"}])
    return dict(scene, late=late, fresh=fresh, other_admin=other_admin)


def page(app: Any, user: dict[str, Any], url: str = "/dashboard/datasets") -> str:
    return app.get(url, headers={"Authorization": token_for(user["name"])}).get_data(
        as_text=True)


def header_count(html: str) -> tuple[int, bool] | None:
    """(count, highlighted) of the account menu's 待办 item, None when absent."""
    item = re.search(r'<li class="govcat-access-todo( govcat-access-todo-overdue)?">.*?'
                     r'id="govcat-access-todo-count">(\d+)<', html, re.S)
    return (int(item.group(2)), bool(item.group(1))) if item else None


def test_reviewer_sees_count_and_overdue(app: Any, queue: dict[str, Any]) -> None:
    html = page(app, queue["admin"])
    assert "待审核的数据使用申请 2 件" in html and "其中 1 件已超期" in html
    block = html.split('id="govcat-access-review-todo"')[1].split("</div>")[0]
    assert "alert-danger" in html.split('id="govcat-access-review-todo"')[0][-80:]
    late_item = block.split(f"/access/application/{queue['late']['id']}")[0].rsplit("<li", 1)[1]
    assert "govcat-overdue" in late_item
    fresh_item = block.split(f"/access/application/{queue['fresh']['id']}")[0].rsplit("<li", 1)[1]
    assert "govcat-overdue" not in fresh_item
    assert header_count(html) == (2, True)
    assert header_count(page(app, queue["admin"], "/dataset/")) == (2, True)  # every page


def test_count_follows_decisions_and_departments(app: Any, queue: dict[str, Any]) -> None:
    decide(queue["admin"]["name"], queue["late"]["id"], "reject", reason="材料不全")
    html = page(app, queue["admin"])
    assert "待审核的数据使用申请 1 件" in html and "已超期" not in html.split(
        'id="govcat-access-review-todo"')[1].split("</div>")[0]
    assert header_count(html) == (1, False)
    assert header_count(page(app, queue["other_admin"])) == (0, False)
    assert header_count(page(app, factories.Sysadmin())) == (1, False)


def test_applicant_is_no_reviewer(app: Any, queue: dict[str, Any]) -> None:
    html = page(app, queue["applicant"])
    assert header_count(html) is None and "govcat-access-review-todo" not in html


def test_applicant_notice_on_state_change(app: Any, queue: dict[str, Any]) -> None:
    applicant = queue["applicant"]
    assert "govcat-access-notice" not in page(app, applicant)  # own submission: no notice
    decide(queue["admin"]["name"], queue["late"]["id"], "return", reason="请补充使用场景")
    html = page(app, applicant)
    notices = re.findall(r'govcat-access-notice">(.*?)</div>', html, re.S)
    assert len(notices) == 1
    assert "状态已变更为：退回修改" in notices[0] and "请补充使用场景" in notices[0]
    assert f"/access/application/{queue['late']['id']}" in notices[0]
    call_action("govcat_access_application_submit", {"user": applicant["name"]},
                id=queue["late"]["id"])
    decide(queue["admin"]["name"], queue["late"]["id"], "approve")
    notices = re.findall(r'govcat-access-notice">(.*?)</div>', page(app, applicant), re.S)
    assert ["已批准" in n for n in notices] == [True, False]  # newest first


def test_visitors_see_nothing(app: Any, queue: dict[str, Any]) -> None:
    html = app.get("/dataset/").get_data(as_text=True)
    assert header_count(html) is None
