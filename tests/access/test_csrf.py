"""Every access form refuses a POST without its CSRF token from a logged-in browser session
(cookie login through the login form, as a browser does; CKAN 2.12 exempts requests that carry
an API token, which a cross-site form cannot). The same POST with the token works, so the
refusal is the token's doing. CKAN's per-view exemptions, which one anonymous POST switches on
for good, do not open the access forms."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from ckan.tests.helpers import call_action

from ckanext.govcat.access import model as am

from .conftest import SCENE_PASSWORD, application, ckan_marks, decide, submitted
from .test_views import csrf

pytestmark = ckan_marks


class Session:
    """A browser: its own cookie jar, logged in through the login form."""

    def __init__(self, app: Any, user: dict[str, Any]) -> None:
        self.client = app.test_client()
        login = self.client.get("/user/login")
        done = self.client.post("/user/login", data={
            "login": user["name"], "password": SCENE_PASSWORD, "_csrf_token": csrf(login)},
            follow_redirects=False)
        assert done.status_code == 302, done.status_code
        assert "/user/login" not in done.headers["Location"]

    def token(self, url: str) -> str:
        return csrf(self.client.get(url))

    def post(self, url: str, data: dict[str, str]) -> Any:
        return self.client.post(url, data=data, follow_redirects=False)


def _state(app_id: str) -> str:
    return call_action("govcat_access_application_show", id=app_id)["state"]


Form = tuple[str, str, dict[str, str], Callable[[], bool]]


def form(name: str, scene: dict[str, Any]) -> Form:
    """(who posts, url, fields, "did it take effect?") of one access form."""
    applicant, admin, pid = scene["applicant"]["name"], scene["admin"]["name"], \
        scene["dataset"]["id"]
    if name == "apply":
        fields = {"applicant_type": "person", "applicant_name": "王五", "purpose": "研究",
                  "scenario": "论文", "contact": "邮箱", "agreement_accepted": "on"}
        return ("applicant", "/dataset/cond-scene/apply", fields, lambda: bool(
            call_action("govcat_access_application_list", {"user": applicant})["count"]))
    if name in ("submit", "withdraw"):
        app_id = application(applicant, pid)["id"]
        target = {"submit": "submitted", "withdraw": "withdrawn"}[name]
        return ("applicant", f"/access/application/{app_id}/{name}", {},
                lambda: _state(app_id) == target)
    if name == "decide":
        app_id = submitted(applicant, pid)["id"]
        return ("admin", f"/access/application/{app_id}/decide",
                {"decision": "approve", "reason": ""}, lambda: _state(app_id) == "approved")
    approved = decide(admin, submitted(applicant, pid)["id"], "approve")
    grant_id = approved["grants"][0]["id"]
    url = f"/access/application/{approved['id']}/{name}"
    if name == "revoke":
        return ("admin", url, {"grant_id": grant_id, "reason": "违规使用"},
                lambda: _state(approved["id"]) == "revoked")
    assert name == "report"
    return ("applicant", url, {"grant_id": grant_id, "title": "研究报告"},
            lambda: am.query(am.Report).filter_by(grant_id=grant_id).count() == 1)


FORMS = ("apply", "submit", "withdraw", "decide", "revoke", "report")


def _token_page(url: str) -> str:
    """The page whose form posts to ``url``."""
    return url if url.endswith("/apply") else url.rsplit("/", 1)[0]


@pytest.mark.parametrize("name", FORMS)
def test_post_without_token_is_refused(app: Any, scene: dict[str, Any], name: str) -> None:
    who, url, fields, took_effect = form(name, scene)
    browser = Session(app, scene[who])
    refused = browser.post(url, fields)
    assert refused.status_code == 400, refused.status_code
    assert not took_effect()
    wrong = browser.post(url, dict(fields, _csrf_token="IjAwMDAi.forged.token"))
    assert wrong.status_code == 400 and not took_effect()
    accepted = browser.post(url, dict(fields, _csrf_token=browser.token(_token_page(url))))
    assert accepted.status_code == 302, accepted.status_code
    assert took_effect()


@pytest.mark.parametrize("name", FORMS)
def test_anonymous_post_does_not_open_the_form(app: Any, scene: dict[str, Any],
                                               name: str) -> None:
    """CKAN 2.12 exempts a view from its CSRF check for good once an anonymous (or API-token)
    request reaches it; the access blueprint checks the token itself."""
    who, url, fields, took_effect = form(name, scene)
    app.test_client().post(url, data=fields, follow_redirects=False)  # anonymous, no token
    refused = Session(app, scene[who]).post(url, fields)
    assert refused.status_code == 400, refused.status_code
    assert not took_effect()


def test_api_token_clients_stay_exempt(app: Any, scene: dict[str, Any]) -> None:
    """As in CKAN: a request authenticated by an API token needs no CSRF token."""
    from .conftest import token_for

    who, url, fields, took_effect = form("decide", scene)
    done = app.post(url, data=fields, headers={"Authorization": token_for(scene[who]["name"])},
                    follow_redirects=False)
    assert done.status_code == 302 and took_effect()
