"""Headless Chromium against a live portal: the tree browse and a dataset page, as rendered by a
real browser (Debian ``chromium``; ``--dump-dom`` returns the DOM after scripts ran)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest
from bs4 import BeautifulSoup

from ckan.tests.helpers import call_action

from ...webdriver import serve
from .helpers import department, resource_dict

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed "
                                 "(scripts/install-system-packages.sh)")]


@pytest.fixture
def portal(app, clean_db):
    yield from serve(app, 0)


def render(url: str) -> BeautifulSoup:
    with tempfile.TemporaryDirectory(prefix="govcat-chromium-") as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
             "--dump-dom", url],
            capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return BeautifulSoup(result.stdout, "html.parser")


def test_tree_browse_and_dataset_page(portal):
    org = department(name="audit", title="审计厅")
    pkg = call_action("package_create", **resource_dict(org))
    call_action("package_create", **resource_dict(
        org, title="社会救助对象", classification="203002", resource_code="203002/1",
        open_type="无条件开放", open_condition="无条件"))

    tree = render(portal + "/catalog/")
    assert tree.select_one("#govcat-total").text == "2"
    roots = [(li["data-code"], li.select_one(":scope > .govcat-count").text)
             for li in tree.select("#govcat-tree > li")]
    assert roots == [("1", "0"), ("2", "1"), ("3", "1")]
    audit_node = tree.select_one('li[data-code="303026010201"]')
    assert "审计工作报告" in audit_node.text
    assert audit_node.select_one(".govcat-count").text == "1"

    page = render(f"{portal}/dataset/{pkg['name']}")
    elements = page.select_one("#govcat-core-elements")
    heads = [th.text.strip() for th in elements.select(":scope > tbody > tr > th")]
    assert [h.split(" ", 1)[1] for h in heads] == [
        "信息资源分类", "信息资源名称", "信息资源代码", "信息资源提供方", "信息资源提供方代码",
        "信息资源摘要", "信息资源格式", "信息项信息", "共享属性", "开放属性", "更新周期",
        "发布日期", "关联资源代码"]
    rows = [[td.text.strip() for td in tr.select("td")]
            for tr in page.select("#govcat-data-items tbody tr")]
    assert [r[1] for r in rows] == ["报告名称", "金额"] and rows[1][3] == "18,2"
