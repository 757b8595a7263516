"""Headless Chromium against a running portal: the pages a visitor sees are in Chinese.

Drives Debian's `chromium` directly (`--dump-dom` for the DOM after scripts ran, `--screenshot`
for a picture), and over WebDriver (`chromedriver`) where a user logs in. Screenshots land in
$GOVCAT_SCREENSHOT_DIR when set (for a human to look at), else in the test's temporary directory.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.webdriver import DRIVER, browser_session

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


# English CKAN leaves behind (missing or wrong zh_Hans_CN translations) and wrong Chinese terms
# it used; none may show on a page of the Chinese portal.
LEFTOVERS = ("Skip to main content", "Powered by", "CKAN Association", "Log in", "Register",
             "Followers", "Social", "Facebook", "Data Dictionary", "Data last updated",
             "Metadata last updated", "Metadata created", "News feed", "Activity from",
             "Profile settings", "View this version", "created the", "updated the",
             "Newer activities", "Older activities", "Username or Email", "Member",
             "Create datasets, groups", "There was an error", "Creative Commons", "Last Active",
             "Changed Package", "New Package",
             "登陆", "追从者", "读取更多", "应用程序界面")


def visible_text(dom: str) -> str:
    soup = BeautifulSoup(dom, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


def assert_chinese_page(text: str, where: str) -> None:
    left = [word for word in LEFTOVERS if word in text]
    assert not left, (where, left)
    for text_shown in ("资源目录", "部门", "关于", "目录统计", "开发者接口"):  # nav and footer
        assert text_shown in text, (where, text_shown)


def demo_table(portal: Launcher) -> tuple[str, str]:
    """(resource id, datatables view id) of the demo's first DataStore table."""
    dataset = portal.get("/api/3/action/package_show?id=govcat-demo-001")["result"]
    resource = dataset["resources"][0]["id"]
    views = portal.get(f"/api/3/action/resource_view_list?id={resource}")["result"]
    return resource, next(v["id"] for v in views if v["view_type"] == "datatables_view")


@pytest.mark.parametrize("path", [
    "/", "/dataset/", "/dataset/govcat-demo-001", "/organization/",
    "/organization/govcat-demo-gaj", "/catalog/", "/catalog/departments", "/catalog/statistics",
    "/about", "/user/login", "/user/register",
])
def test_visitor_pages_have_no_english_leftovers(demo_portal: Launcher, path: str):
    dom = chromium(demo_portal.url + path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert_chinese_page(visible_text(dom.stdout), path)


def test_resource_page_previews_the_table_in_chinese(demo_portal: Launcher, shots: Path):
    """The demo table has its preview, whose frame loads its Chinese script text (the view
    frame extends base.html, not page.html) and shows the rows; the data dictionary is public."""
    resource, view = demo_table(demo_portal)
    page = f"/dataset/govcat-demo-001/resource/{resource}"
    text = visible_text(dom_and_screenshot(demo_portal.url + page, shots / "resource.png"))
    assert_chinese_page(text, page)
    for shown in ("数据字典", "区县", "年份", "数据最后更新", "许可协议", "知识共享署名"):
        assert shown in text, shown
    frame = chromium(f"{demo_portal.url}{page}/view/{view}", "--virtual-time-budget=20000",
                     "--dump-dom")
    frame_text = visible_text(frame.stdout)
    assert "显示第 1 至" in frame_text and "东城区" in frame_text, frame_text[:1000]


def test_dataset_page_times_in_beijing_time(demo_portal: Launcher):
    dataset = demo_portal.get("/api/3/action/package_show?id=govcat-demo-001")["result"]
    stored = dt.datetime.fromisoformat(dataset["metadata_modified"])
    beijing = stored.replace(tzinfo=dt.timezone.utc).astimezone(
        dt.timezone(dt.timedelta(hours=8)))
    soup = BeautifulSoup(chromium(demo_portal.url + "/dataset/govcat-demo-001",
                                  "--dump-dom").stdout, "html.parser")
    shown = soup.select_one(".govcat-metadata-modified").get_text(strip=True)
    assert shown == f"{beijing.year}年{beijing.month}月{beijing.day}日 {beijing:%H:%M}"


def test_unreadable_search_is_explained_in_chinese(demo_portal: Launcher, shots: Path):
    dom = dom_and_screenshot(demo_portal.url + "/dataset/?q=title:(人口",
                             shots / "search-error.png")
    soup = BeautifulSoup(dom, "html.parser")
    assert "缺少右括号" in soup.select_one("#search-error").get_text()
    assert soup.select_one("#dataset-search-form input[name=q]")["value"] == "title:(人口"


@pytest.mark.skipif(DRIVER is None, reason="chromedriver is not installed (make install-system)")
def test_sysadmin_dashboard_in_chinese(demo_portal: Launcher, shots: Path):
    """The sysadmin the launcher created logs in; dashboard, news feed and profile are Chinese,
    activity times included."""
    admin = json.loads((demo_portal.data_dir / "admin.json").read_text("utf-8"))
    with browser_session() as browser:
        browser.login(demo_portal.url, admin["name"], admin["password"])
        for path in ("/dashboard/", "/dashboard/datasets", f"/user/{admin['name']}",
                     "/dataset/activity/govcat-demo-001"):
            browser.go(demo_portal.url + path)
            assert_chinese_page(browser.text(), path)
        labels = browser.script("return [...document.querySelectorAll('.activity .date')]"
                                ".map(e => e.getAttribute('aria-label') || e.title);")
        when = r"(动态发生时间：)?\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d"
        assert labels and all(re.fullmatch(when, label) for label in labels), labels[:3]
        browser.go(demo_portal.url + "/dashboard/")
        picture = base64.b64decode(browser.cmd("get", "/screenshot"))
        (shots / "dashboard.png").write_bytes(picture)
