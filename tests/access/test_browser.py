"""Headless Chromium (Debian ``chromium`` + ``chromedriver``, W3C WebDriver over HTTP) walks
apply → review → approve → download against the app served on a local port."""
from __future__ import annotations

import time
from typing import Any

import pytest

from ..webdriver import Browser, browser, free_port, needs_webdriver, serve  # noqa: F401
from .conftest import FILE_BODY, SCENE_PASSWORD, ckan_marks

PORT = free_port()
pytestmark = [*ckan_marks,
              pytest.mark.ckan_config("ckan.site_url", f"http://127.0.0.1:{PORT}"),
              needs_webdriver]


@pytest.fixture
def served(app: Any) -> Any:
    yield from serve(app, PORT)


def _login(b: Browser, base: str, name: str) -> None:
    b.login(base, name, SCENE_PASSWORD)


def test_apply_review_approve_download(served: str, browser: Browser,
                                       scene: dict[str, Any]) -> None:
    admin, applicant, dataset, res = (scene[k] for k in ("admin", "applicant", "dataset", "res"))
    download = f"{served}/dataset/{dataset['id']}/resource/{res['id']}/download"

    _login(browser, served, applicant["name"])
    browser.go(f"{served}/dataset/cond-scene/apply")
    assert "申请使用" in browser.source(), (browser.url(), browser.source()[-3000:])
    assert browser.fetch(download).startswith("403")
    browser.type("#applicant_name", "赵六")
    browser.type("#purpose", "交通研究")
    browser.type("#scenario", "学术论文")
    browser.type("#contact", "zhao@example.com")
    browser.click("#agreement_accepted")
    browser.click("#govcat-access-submit")
    browser.wait_for("/access/application/")
    assert "/access/application/" in browser.url()
    assert "待审核" in browser.source()
    app_id = browser.url().rstrip("/").rsplit("/", 1)[1]

    _login(browser, served, admin["name"])
    browser.go(f"{served}/access/review")
    assert app_id in browser.source()
    browser.go(f"{served}/access/application/{app_id}")
    browser.click("#govcat-access-decide-submit")
    for _ in range(50):
        if "已批准" in browser.source():
            break
        time.sleep(0.2)
    assert "已批准" in browser.source()

    _login(browser, served, applicant["name"])
    browser.go(f"{served}/access/application/{app_id}")
    assert browser.fetch(download) == "200 " + FILE_BODY
