"""Launcher tests drive `govcat` as a user would: a subprocess on a temporary data directory and
a free port, with private PostgreSQL and Redis (the CKAN_* URLs of the test session are removed
from its environment, so the portal never touches the test database)."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from ckanext.govcat.catalog import uscc
from ckanext.govcat.launcher.services import free_port

GOVCAT = str(Path(sys.executable).with_name("govcat"))


def launcher_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("CKAN_") and k != "GOVCAT_DATA_DIR"}


def run_govcat(*args: str, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOVCAT, *args], env=env or launcher_env(), capture_output=True,
                          text=True, timeout=timeout)


def processes_mentioning(text: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(") ", 1)[-1][0]
        except OSError:
            continue
        if text in cmd and state != "Z":
            found.append(int(entry.name))
    return found


@dataclasses.dataclass
class Launcher:
    """One `govcat up` subprocess and how to reach its portal."""

    data_dir: Path
    port: int
    proc: subprocess.Popen[str] | None = None
    output: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self, *extra: str, timeout: float = 180, env: dict[str, str] | None = None) -> float:
        """Start and wait for status_show; return the seconds it took."""
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [GOVCAT, "up", "--data-dir", str(self.data_dir), "--port", str(self.port),
             "--workers", "1", *extra],
            env=dict(launcher_env(), **(env or {})), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"govcat up exited early:\n{self.proc.stdout.read()}")
            try:
                if self.get("/api/3/action/status_show")["success"]:
                    return time.monotonic() - started
            except (OSError, ValueError):
                pass
            time.sleep(0.25)
        self.stop()
        raise AssertionError(f"portal not ready in {timeout} s:\n{self.output}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Stop like Ctrl-C does; return the launcher's exit status."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            out, _ = self.proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.output += out
        return self.proc.returncode

    def request(self, path: str, data: dict[str, Any] | None = None,
                token: str | None = None) -> urllib.request.Request:
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(self.url + path, data=body)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", token)
        return req

    def get(self, path: str, token: str | None = None) -> dict[str, Any]:
        with urllib.request.urlopen(self.request(path, token=token), timeout=10) as reply:
            return json.loads(reply.read())

    def post(self, action: str, data: dict[str, Any], token: str) -> dict[str, Any]:
        with urllib.request.urlopen(self.request(f"/api/3/action/{action}", data, token),
                                    timeout=30) as reply:
            return json.loads(reply.read())["result"]

    def page(self, path: str) -> str:
        with urllib.request.urlopen(self.request(path), timeout=30) as reply:
            assert reply.status == 200
            return reply.read().decode("utf-8")

    def token(self, user: str = "admin") -> str:
        done = run_govcat("ckan", "--data-dir", str(self.data_dir), "user", "token", "add",
                          user, f"test-{time.time_ns()}")
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip().splitlines()[-1].strip()

    def own_pids(self) -> list[int]:
        """Every live process of this portal: launcher, web, workers, PostgreSQL, Redis."""
        return sorted(set(processes_mentioning(str(self.data_dir))
                          + ([self.proc.pid] if self.proc and self.proc.poll() is None else [])))


@pytest.fixture(scope="package")
def tmp_data_root() -> Iterator[Path]:
    # Under /tmp: PostgreSQL runs as `nobody` when we are root and must reach its directory.
    root = Path(tempfile.mkdtemp(prefix="govcat-launcher-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def own_portal(tmp_data_root: Path, request: pytest.FixtureRequest) -> Iterator[Launcher]:
    """A portal of the test's own (not started); whatever the test leaves running is stopped."""
    launcher = Launcher(tmp_data_root / request.node.name, free_port())
    yield launcher
    if launcher.proc is not None and launcher.proc.poll() is None:
        launcher.stop(signal.SIGTERM)


@pytest.fixture(scope="package")
def demo_portal(tmp_data_root: Path) -> Iterator[Launcher]:
    """One running portal with demo content, shared by the read-only tests of this package."""
    launcher = Launcher(tmp_data_root / "demo", free_port())
    launcher.up("--demo")
    yield launcher
    launcher.stop()
    assert launcher.own_pids() == []


def information_resource(name: str, title: str, owner_org: str, code: str,
                         **fields: Any) -> dict[str, Any]:
    """``package_create`` data of a small information resource that passes the catalog rules
    (provider and provider code come from ``owner_org``), with labels as a clerk types them."""
    return {
        "name": name, "title": title, "notes": fields.pop("notes", title + "。"),
        "owner_org": owner_org, "classification": code.split("/")[0], "resource_code": code,
        "format_class": "电子表格", "format_type": "xlsx",
        "data_items": [{"name": "名称", "data_type": "字符型", "length": "100"},
                       {"name": "数量", "data_type": "整型"}],
        "share_type": "无条件共享", "share_method_class": "共享平台方式",
        "share_method_type": "文件", "open_type": "无条件开放", "open_condition": "无条件",
        "update_cycle": "每月", "publish_date": "2024-05-01", **fields,
    }


def department(name: str, title: str) -> dict[str, Any]:
    """``organization_create`` data of a department with a valid provider code (USCC)."""
    first17 = "111100000000" + f"{sum(map(ord, name)) % 100000:05d}"
    return {"name": name, "title": title, "provider_code": first17 + uscc.check_char(first17)}
