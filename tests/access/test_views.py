"""The access pages through the test client: every form carries a CSRF token, text is
escaped, and the walk apply → review → approve → download works end to end."""
from __future__ import annotations

import re
from typing import Any

from ckan.tests.helpers import call_action

from .conftest import FILE_BODY, ckan_marks, decide, submitted, token_for

pytestmark = ckan_marks
_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf(page: Any) -> str:
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


class As:
    """The test client acting as one user (API token header: CSRF-exempt, as in CKAN)."""

    def __init__(self, app: Any, user: dict[str, Any]) -> None:
        self.app, self.headers = app, {"Authorization": token_for(user["name"])}

    def get(self, url: str, **kw: Any) -> Any:
        return self.app.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.app.post(url, headers=self.headers, **kw)


FORM = {"applicant_type": "person", "applicant_name": "王五",
        "purpose": "<script>alert(1)</script>交通研究", "scenario": "论文", "contact": "邮箱",
        "agreement_accepted": "on"}


def test_apply_form_errors_in_chinese(app, scene):
    applicant = As(app, scene["applicant"])
    token = csrf(applicant.get("/dataset/cond-scene/apply"))
    page = applicant.post("/dataset/cond-scene/apply",
                          data={**FORM, "applicant_type": "organization", "uscc": "123",
                                "_csrf_token": token})
    text = page.get_data(as_text=True)
    assert "统一社会信用代码应为18位" in text
    assert "<li>统一社会信用代码：" in text and "uscc：" not in text  # fields by their labels


def test_walk_apply_review_approve_download(app, scene):
    applicant, admin = As(app, scene["applicant"]), As(app, scene["admin"])
    download = f"/dataset/{scene['dataset']['id']}/resource/{scene['res']['id']}/download"
    assert applicant.get(download, status=None).status_code == 403
    token = csrf(applicant.get("/dataset/cond-scene/apply"))
    sent = applicant.post("/dataset/cond-scene/apply", data={**FORM, "_csrf_token": token},
                          follow_redirects=False)
    assert sent.status_code == 302
    app_id = sent.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    page = applicant.get(f"/access/application/{app_id}").get_data(as_text=True)
    assert "待审核" in page and "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page

    queue = admin.get("/access/review").get_data(as_text=True)
    assert app_id in queue and "待审核" in queue
    assert ">条件数据</a>" in queue  # the dataset by its title
    detail = admin.get(f"/access/application/{app_id}")
    admin.post(f"/access/application/{app_id}/decide",
               data={"decision": "approve", "reason": "", "_csrf_token": csrf(detail)})
    assert call_action("govcat_access_application_show", {"user": scene["admin"]["name"]},
                       id=app_id)["state"] == "approved"

    assert applicant.get(download).get_data(as_text=True) == FILE_BODY
    register = app.get("/access/register").get_data(as_text=True)
    assert "条件数据" in register and "个人申请" in register and "王五" not in register
    assert "已批准" in applicant.get("/access/applications").get_data(as_text=True)
    granted = applicant.get("/access/grants").get_data(as_text=True)
    assert "条件数据</a>" in granted and "<td>有效</td>" in granted  # title, state in Chinese
    audit = admin.get("/dataset/cond-scene/access/audit").get_data(as_text=True)
    assert scene["res"]["id"] in audit and ">文件</span>" in audit  # by name, id on hover


def test_dataset_page_offers_apply_instead_of_download(app, scene):
    page = app.get("/dataset/cond-scene").get_data(as_text=True)
    assert "申请使用" in page and OFFER in page
    assert f"/resource/{scene['res']['id']}/download" not in page
    admin_page = As(app, scene["admin"]).get("/dataset/cond-scene").get_data(as_text=True)
    assert "申请使用" not in admin_page  # the department's own members see the data


OFFER = "govcat-access-offer"


def test_dataset_without_resources_offers_to_apply_for_all_of_it(app, scene):
    admin, applicant = scene["admin"], As(app, scene["applicant"])
    owner = {"user": scene["admin"]["name"]}
    call_action("package_create", owner, name="cond-empty", title="暂无资源的条件数据",
                owner_org=scene["dataset"]["owner_org"],
                extras=[{"key": "open_type", "value": "conditional"}])
    call_action("package_create", owner, name="open-empty", title="无条件数据",
                owner_org=scene["dataset"]["owner_org"],
                extras=[{"key": "open_type", "value": "unconditional"}])
    page = app.get("/dataset/cond-empty").get_data(as_text=True)
    assert OFFER in page and "/dataset/cond-empty/apply" in page
    login = app.get("/dataset/cond-empty/apply", follow_redirects=False)  # before the form
    assert login.status_code == 302 and "/user/login" in login.headers["Location"]
    assert "apply" in login.headers["Location"]  # and back to it afterwards
    assert OFFER not in app.get("/dataset/open-empty").get_data(as_text=True)
    assert OFFER not in As(app, admin).get("/dataset/cond-empty").get_data(as_text=True)

    form = applicant.get("/dataset/cond-empty/apply")
    assert "本数据集暂无已发布的资源" in form.get_data(as_text=True)
    sent = applicant.post("/dataset/cond-empty/apply", data={**FORM, "_csrf_token": csrf(form)},
                          follow_redirects=False)
    assert sent.status_code == 302
    app_id = sent.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert OFFER in applicant.get("/dataset/cond-empty").get_data(as_text=True)  # not yet granted
    decide(admin["name"], app_id, "approve")
    assert OFFER not in applicant.get("/dataset/cond-empty").get_data(as_text=True)


def test_refused_decision_names_the_field_in_chinese(app, scene):
    admin = As(app, scene["admin"])
    app_id = submitted(scene["applicant"]["name"], scene["dataset"]["id"])["id"]
    detail = admin.get(f"/access/application/{app_id}")
    page = admin.post(f"/access/application/{app_id}/decide",
                      data={"decision": "reject", "reason": "", "_csrf_token": csrf(detail)})
    text = page.get_data(as_text=True)
    assert "理由：驳回、退回修改或撤销时必须填写理由" in text and "reason:" not in text
    assert call_action("govcat_access_application_show", {"user": scene["admin"]["name"]},
                       id=app_id)["state"] == "submitted"  # nothing decided
    queue = admin.get("/access/review?state=submitted").get_data(as_text=True)
    assert 'nav-link active" href="/access/review?state=submitted"' in queue
