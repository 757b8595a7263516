"""Render ``config/govcat.ini`` for one portal.

Contract: ``portal_env(...)`` returns every ``CKAN_*`` variable the template names (service URLs,
site URL, secrets kept in the data directory, site texts); ``render(template, env)`` replaces each
``%(CKAN_NAME)s`` with its value. The same template runs unrendered in the production image,
where CKAN's config loader substitutes the variables from the environment itself.
"""
from __future__ import annotations

import os
import re
import urllib.parse
from importlib import resources
from pathlib import Path

from .layout import DataDir
from .services import ServiceUrls

TEMPLATE = "govcat.ini"
# A year: "wait for the next message" for a queue consumer; redis-py cannot say "forever" in a URL.
BLOCKING_READ_TIMEOUT = 365 * 24 * 3600
_VARIABLE = re.compile(r"%\((CKAN_[A-Z0-9_]+)\)s")

# Used when the environment does not set them; a sysadmin may change them in the web UI.
SITE_DEFAULTS = {
    "CKAN_SITE_TITLE": "政务数据开放平台",
    "CKAN_SITE_LOGO": "/govcat/logo.svg",
    "CKAN_SITE_ABOUT": (
        "本平台依据政务信息资源目录体系，集中开放各部门的政务数据资源，"
        "提供目录浏览、中文检索、数据下载、开发者接口（API）和有条件开放数据的申请服务。"
    ),
    "CKAN_SMTP_SERVER": "localhost:25",
    "CKAN_SMTP_MAIL_FROM": "govcat@localhost",
    "CKAN_GOVCAT_SEARCH_READ_URL": "",
}


class ConfigError(RuntimeError):
    """The template names a variable that has no value."""


def template_text() -> str:
    return resources.files("ckanext.govcat.ini").joinpath(TEMPLATE).read_text("utf-8")


def site_url(host: str, port: int) -> str:
    """``CKAN_SITE_URL`` when set; else the address the web server listens on."""
    if os.environ.get("CKAN_SITE_URL"):
        return os.environ["CKAN_SITE_URL"].rstrip("/")
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def portal_env(data_dir: DataDir, urls: ServiceUrls, url: str) -> dict[str, str]:
    env = {key: os.environ.get(key, value) for key, value in SITE_DEFAULTS.items()}
    env.update(data_dir.secrets())
    env.update(urls.as_env())
    env["CKAN_SITE_URL"] = url
    env["CKAN_STORAGE_PATH"] = os.environ.get("CKAN_STORAGE_PATH") or str(data_dir.storage)
    return env


def blocking_redis_url(url: str) -> str:
    """``url`` for a consumer that blocks on BLPOP without a timeout (ckanext-harvest 1.6.3):
    redis-py 8 gives every socket a 5 s read timeout unless the URL sets one."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    if any(key == "socket_timeout" for key, _ in query):
        return url
    query.append(("socket_timeout", str(BLOCKING_READ_TIMEOUT)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def render(template: str, env: dict[str, str]) -> str:
    missing = sorted({m for m in _VARIABLE.findall(template) if m not in env})
    if missing:
        raise ConfigError("No value for " + ", ".join(missing))
    # ConfigParser reads the result: a literal % must be doubled.
    return _VARIABLE.sub(lambda m: env[m.group(1)].replace("%", "%%").replace("\n", " "),
                         template)


def write_config(data_dir: DataDir, env: dict[str, str]) -> Path:
    text = render(template_text(), env)
    tmp = data_dir.ini.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    tmp.chmod(0o600)
    tmp.replace(data_dir.ini)
    return data_dir.ini
