"""Headless Chromium driven through chromedriver (W3C WebDriver over HTTP, Debian ``chromium``
and ``chromium-driver``): the few commands the browser tests need, a browser session (context
manager and fixture), and the CKAN test app served on a local port. Test modules import what
they use."""
from __future__ import annotations

import base64
import contextlib
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from typing import Any, Iterator

import pytest
import requests
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
needs_webdriver = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                     reason="Debian chromium/chromium-driver not installed")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN",
         "--window-size=1280,2000"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """The few WebDriver commands the walks need."""

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
        self.script("document.querySelector(arguments[0]).click();", css)

    def script(self, source: str, *args: Any) -> Any:
        return self.cmd("post", "/execute/sync", {"script": source, "args": list(args)})

    def wait_for(self, fragment: str, present: bool = True) -> None:
        """Wait (up to 20 s) until the page URL does (or does not) contain ``fragment``."""
        for _ in range(100):
            if (fragment in self.url()) is present:
                return
            time.sleep(0.2)
        alerts = re.findall(r'class="[^"]*(?:alert|error)[^"]*"[^>]*>(.*?)<', self.source(), re.S)
        raise AssertionError(f"url {self.url()} {'lacks' if present else 'keeps'} {fragment}: "
                             f"{alerts}")

    def source(self) -> str:
        return self.cmd("get", "/source")

    def text(self) -> str:
        """The page's visible text."""
        return self.script("return document.body.innerText;")

    def url(self) -> str:
        return self.cmd("get", "/url")

    def fetch(self, url: str) -> str:
        """GET ``url`` from the page with the browser's cookies; returns the body text."""
        return self.script("const r = await fetch(arguments[0]); return r.status + ' ' + "
                           "await r.text();", url)

    def login(self, base: str, name: str, password: str) -> None:
        """Log out, then log in through the login form."""
        self.go(f"{base}/user/_logout")
        self.go(f"{base}/user/login")
        self.type("#field-login", name)
        self.type("#field-password", password)
        self.click("form:has(#field-login) button[type=submit]")
        self.wait_for("/user/login", present=False)

    def screenshot(self, path: str) -> None:
        """Save a PNG of the current window."""
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.cmd("get", "/screenshot")))

    def quit(self) -> None:
        self.cmd("delete", "")


@contextlib.contextmanager
def browser_session() -> Iterator[Browser]:
    """A chromedriver of its own and one browser session; both stopped at the end."""
    port = free_port()
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
        try:
            yield b
        finally:
            b.quit()
    finally:
        driver.terminate()
        driver.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with browser_session() as b:
        yield b


def serve(app: Any, port: int) -> Iterator[str]:
    """Serve the test app's Flask app on ``port`` (0: any free port) for as long as the
    generator lives; yields its base URL."""
    server = make_server("127.0.0.1", port, app.flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
