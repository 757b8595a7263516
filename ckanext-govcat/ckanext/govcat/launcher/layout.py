"""Where a portal keeps its state: one data directory per portal.

Contract: everything `govcat` writes lives under ``DataDir.root`` — the rendered CKAN config,
secrets, the admin's generated password, pid files, logs, uploads and the embedded PostgreSQL
and Redis — so several portals run side by side with different data directories.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets
from pathlib import Path
from typing import Any

ENV_DATA_DIR = "GOVCAT_DATA_DIR"
# Names a file the launcher creates once the config is rendered; the web server waits for it.
SERVICES_READY_ENV = "GOVCAT_SERVICES_READY"
DEFAULT_DATA_DIR = ".govcat"


def choose_data_dir(option: str | None) -> Path:
    """``--data-dir``, else ``GOVCAT_DATA_DIR``, else ``.govcat`` (relative to the cwd)."""
    return Path(option or os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR).absolute()


@dataclasses.dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def ini(self) -> Path:
        return self.root / "ckan.ini"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def storage(self) -> Path:
        return self.root / "storage"

    def create(self) -> None:
        for path in (self.root, self.run, self.logs, self.storage):
            path.mkdir(parents=True, exist_ok=True)

    def read_json(self, name: str) -> dict[str, Any]:
        path = self.root / name
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def write_json(self, name: str, data: dict[str, Any]) -> None:
        """Write atomically, readable by the owner only (files may hold secrets)."""
        path = self.root / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)

    def secrets(self) -> dict[str, str]:
        """The portal's generated secrets, created on first use and stable afterwards."""
        data = self.read_json("secrets.json")
        wanted = ("CKAN_SECRET_KEY", "CKAN_WTF_CSRF_SECRET_KEY", "CKAN_API_TOKEN_SECRET")
        if not all(data.get(k) for k in wanted) or not data.get("CKAN_SITE_ID"):
            for key in wanted:
                data.setdefault(key, secrets.token_urlsafe(32))
            data.setdefault("CKAN_SITE_ID", "govcat-" + secrets.token_hex(4))
            self.write_json("secrets.json", data)
        return data
