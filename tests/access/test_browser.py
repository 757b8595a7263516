"""Headless Chromium (Debian ``chromium`` + ``chromedriver``, W3C WebDriver over HTTP) walks
apply → review → approve → download against the app served on a local port."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server


from .conftest import FILE_BODY, SCENE_PASSWORD, ckan_marks

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
pytestmark = [*ckan_marks,
              pytest.mark.ckan_config("ckan.site_url", f"http://127.0.0.1:{PORT}"),
              pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                 reason="Debian chromium/chromium-driver not installed")]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN",
         "--window-size=1280,2000"]


class Browser:
    """The few WebDriver commands the walk needs."""

    def __init__(self, driver_url: str, profile: str) -> None:
        self.base = driver_url
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM, "args": [*FLAGS, f"--user-data-dir={profile}"]}}}}
        self.session = self._call("post", "/session", caps)["sessionId"]

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        got = requests.request(method, self.base + path, json=body, timeout=60).json()
        value = got.get("value")
        if isinstance(value, dict) and value.get("error"):
            raise AssertionError(f"{path}: {value['error']}: {value.get('message', '')[:300]}")
        return value

    def cmd(self, method: str, path: str, body: Any = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def go(self, url: str) -> None:
        self.cmd("post", "/url", {"url": url})

    def find(self, css: str) -> str:
        found = self.cmd("post", "/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def type(self, css: str, text: str) -> None:
        self.cmd("post", f"/element/{self.find(css)}/value", {"text": text})

    def click(self, css: str) -> None:
        """Click through the DOM (what a user's click does), whatever overlays the page has."""
        self.find(css)
        self.cmd("post", "/execute/sync", {
            "script": "document.querySelector(arguments[0]).click();", "args": [css]})

    def wait_for(self, fragment: str, present: bool = True) -> None:
        """Wait (up to 20 s) until the page URL does (or does not) contain ``fragment``."""
        for _ in range(100):
            if (fragment in self.url()) is present:
                return
            time.sleep(0.2)
        import re
        alerts = re.findall(r'class="[^"]*(?:alert|error)[^"]*"[^>]*>(.*?)<', self.source(), re.S)
        raise AssertionError(f"url {self.url()} {'lacks' if present else 'keeps'} {fragment}: "
                             f"{alerts}")

    def source(self) -> str:
        return self.cmd("get", "/source")

    def url(self) -> str:
        return self.cmd("get", "/url")

    def fetch(self, url: str) -> str:
        """GET ``url`` from the page with the browser's cookies; returns the body text."""
        return self.cmd("post", "/execute/sync", {
            "script": "const r = await fetch(arguments[0]); return r.status + ' ' + "
                      "await r.text();", "args": [url]})

    def quit(self) -> None:
        self.cmd("delete", "")


@pytest.fixture
def served(app: Any) -> Any:
    server = make_server("127.0.0.1", PORT, app.flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{PORT}"
    server.shutdown()


@pytest.fixture
def browser() -> Any:
    port = _free_port()
    driver = subprocess.Popen([DRIVER, f"--port={port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp(prefix="govcat-chromium-")
    try:
        for _ in range(50):
            try:
                requests.get(f"http://127.0.0.1:{port}/status", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        b = Browser(f"http://127.0.0.1:{port}", profile)
        yield b
        b.quit()
    finally:
        driver.terminate()
        driver.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


def _login(b: Browser, base: str, name: str) -> None:
    b.go(f"{base}/user/_logout")
    b.go(f"{base}/user/login")
    b.type("#field-login", name)
    b.type("#field-password", SCENE_PASSWORD)
    b.click("form:has(#field-login) button[type=submit]")
    b.wait_for("/user/login", present=False)


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
