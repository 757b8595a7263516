"""Headless Chromium against a running portal: the pages a visitor sees are in Chinese.

Drives Debian's `chromium` directly (`--dump-dom` for the DOM after scripts ran, `--screenshot`
for a picture). Screenshots land in $GOVCAT_SCREENSHOT_DIR when set (for a human to look at),
else in the test's temporary directory.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from .conftest import Launcher

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make install-system)"),
]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1280,1600", "--lang=zh-CN"]


def chromium(url: str, *action: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="govcat-chromium-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action, url],
                              capture_output=True, text=True, timeout=90)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("GOVCAT_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def dom_and_screenshot(url: str, shot: Path) -> str:
    dom = chromium(url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    picture = chromium(url, f"--screenshot={shot}")
    assert picture.returncode == 0 and shot.stat().st_size > 10_000, picture.stderr[-2000:]
    return dom.stdout


def test_home_page_in_chinese(demo_portal: Launcher, shots: Path):
    dom = dom_and_screenshot(demo_portal.url + "/", shots / "home.png")
    for text in ("政务数据开放平台", "搜索", "最新数据", "下载排行", "部门", "基础信息资源",
                 "主题信息资源", "部门信息资源", "发展和改革委员会"):
        assert text in dom, text
    assert 'lang="zh' in dom


def test_dataset_page_in_chinese(demo_portal: Launcher, shots: Path):
    dom = dom_and_screenshot(demo_portal.url + "/dataset/govcat-demo-001",
                             shots / "dataset.png")
    for text in ("全市户籍人口统计", "公安局", "数据与资源", "户籍人口统计（数据表）",
                 "信息资源分类", "信息资源代码", "信息资源提供方代码", "信息项信息", "共享属性",
                 "开放属性", "更新周期", "发布日期", "关联资源代码", "每年"):
        assert text in dom, text


def test_search_page_with_catalog_facets_in_chinese(demo_portal: Launcher, shots: Path):
    dom = dom_and_screenshot(demo_portal.url + "/dataset/", shots / "search.png")
    for text in ("数据集", "资源分类", "基础信息资源目录", "开放类型", "无条件开放", "更新周期"):
        assert text in dom, text


def test_catalog_tree_in_chinese(demo_portal: Launcher, shots: Path):
    dom = dom_and_screenshot(demo_portal.url + "/catalog/", shots / "catalog.png")
    for text in ("政务信息资源目录", "基础信息资源目录", "主题信息资源目录", "部门信息资源目录"):
        assert text in dom, text


def test_scripts_load_their_chinese_text(demo_portal: Launcher):
    """CKAN's scripts ask /api/i18n/ for the page's locale (zh_Hans_CN, not zh_Hans-CN) and
    get its translations (built by the bootstrap)."""
    assert chromium(demo_portal.url + "/dataset/", "--dump-dom").returncode == 0
    log = (demo_portal.data_dir / "logs" / "web.log").read_text("utf-8")
    assert '"GET /api/i18n/zh_Hans_CN HTTP/1.1" 200' in log
    assert "/api/i18n/zh_Hans-CN" not in log
    assert demo_portal.get("/api/i18n/zh_Hans_CN")["Cancel"] == [None, "取消"]
