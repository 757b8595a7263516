"""A logged-in browser session needs its CSRF token for every form and Action API POST, even
after CKAN 2.12's per-view exemption has been switched on by an anonymous POST to the same view
(``ckanext/govcat/csrf.py``). Requests with an API token stay exempt, as in CKAN."""
from __future__ import annotations

import re
from typing import Any

import pytest

from ckan import model
from ckan.tests import factories

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "govcat_theme govcat_search"),
    pytest.mark.usefixtures("clean_db"),
]

PASSWORD = "Correct-Horse-9"
_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _token(page: Any) -> str:
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def browser(app: Any) -> tuple[Any, str, dict[str, Any]]:
    """A sysadmin logged in through the login form (cookie session), the page token, a dataset."""
    user = factories.Sysadmin(password=PASSWORD)
    dataset = factories.Dataset(title="Before", owner_org=factories.Organization()["id"])
    client = app.test_client()
    login = client.get("/user/login")
    done = client.post("/user/login", data={"login": user["name"], "password": PASSWORD,
                                            "_csrf_token": _token(login)})
    assert done.status_code in (200, 302)
    assert client.get("/dashboard/datasets").status_code == 200, "not logged in"
    return client, _token(client.get("/dataset/")), dataset


def _title(dataset: dict[str, Any]) -> str:
    model.Session.remove()
    return model.Package.get(dataset["id"]).title


def test_action_api_needs_the_token_after_an_anonymous_post(app, browser):
    client, token, dataset = browser
    anonymous = app.test_client()
    assert anonymous.post("/api/3/action/package_search", json={"q": "x"}).status_code == 200
    forged = client.post("/api/3/action/package_patch",
                         data={"id": dataset["id"], "title": "Forged"})
    assert forged.status_code == 400
    assert _title(dataset) == "Before"
    sent = client.post("/api/3/action/package_patch", data={"id": dataset["id"], "title": "Mine"},
                       headers={"X-CSRFToken": token})
    assert sent.status_code == 200, sent.get_data(as_text=True)[:300]
    assert _title(dataset) == "Mine"


def test_api_token_requests_stay_exempt(app, browser):
    _, _, dataset = browser
    user = factories.Sysadmin()
    api_token = factories.APIToken(user=user["name"])["token"]
    done = app.test_client().post("/api/3/action/package_patch",
                                  data={"id": dataset["id"], "title": "By token"},
                                  headers={"Authorization": api_token})
    assert done.status_code == 200
    assert _title(dataset) == "By token"
