"""Headless Chromium (WebDriver): on the dataset form the 代码生成 button fills the resource-code
field with the next free code under the chosen classification, in the configured code scheme or
the one chosen in the form; on the dataset page the data-item table keeps readable columns."""
from __future__ import annotations

import time
from typing import Any

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ...webdriver import Browser, browser, free_port, needs_webdriver, serve  # noqa: F401
from .helpers import department, resource_dict

PORT = free_port()
PASSWORD = "Form-Test-Pass-1"
# English page: without govcat_theme (its locale.js) CKAN 2.12's scripts cannot load the
# zh_Hans_CN translations they wait for before starting their modules.
pytestmark = [pytest.mark.browser, needs_webdriver,
              pytest.mark.ckan_config("ckan.site_url", f"http://127.0.0.1:{PORT}"),
              pytest.mark.ckan_config("ckan.locale_default", "en")]


@pytest.fixture
def served(app: Any, clean_db: None) -> Any:
    yield from serve(app, PORT)


@pytest.fixture
def form(served: str, browser: Browser) -> Browser:
    """A department with two resources under 303026010201; its admin on the new-dataset form."""
    admin = factories.User(password=PASSWORD)
    org = department(name="audit", title="审计厅",
                     users=[{"name": admin["name"], "capacity": "admin"}])
    for n in (1, 2):
        call_action("package_create", **resource_dict(
            org, title=f"审计报告{n}", resource_code=f"303026010201/{n}",
            code_scheme="national-1272"))
    browser.login(served, admin["name"], PASSWORD)
    browser.go(f"{served}/dataset/new")
    for _ in range(100):  # CKAN starts its modules once the page's translations have loaded
        if browser.script("return !!(window.ckan && ckan.module.instances &&"
                          " ckan.module.instances['govcat-next-code']);"):
            return browser
        time.sleep(0.1)
    raise AssertionError("the 代码生成 button's script did not start")


def generate(b: Browser, classification: str, scheme: str = "") -> tuple[str, str]:
    """Choose classification and scheme as a user does, press the button; returns the field's
    value and the status text once the answer has arrived."""
    b.script("document.querySelector('#field-classification').value = arguments[0];"
             "document.querySelector('#field-code_scheme').value = arguments[1];"
             "document.querySelector('#field-resource_code').value = '';"
             "document.querySelector('.govcat-next-code-status').textContent = '';",
             classification, scheme)
    b.click("#govcat-next-code")
    for _ in range(100):
        value, status = b.script(
            "return [document.querySelector('#field-resource_code').value,"
            " document.querySelector('.govcat-next-code-status').textContent];")
        if value or (status and "正在" not in status):
            return value, status
        time.sleep(0.1)
    raise AssertionError("no answer from govcat_catalog_next_code")


def test_button_fills_next_national_code(form: Browser) -> None:
    assert generate(form, "303026010201") == ("303026010201/3", "已生成：303026010201/3")
    # a class without resources starts at 1; the scheme chosen in the form wins
    assert generate(form, "203002")[0] == "203002/1"
    assert generate(form, "303026", "hebei-draft")[0] == "3030260000000000/00001"
    value, status = generate(form, "")
    assert value == "" and "请先选择信息资源分类" in status


@pytest.mark.ckan_config("ckanext.govcat.catalog.code_scheme", "hebei-draft")
def test_button_follows_configured_scheme(form: Browser) -> None:
    assert generate(form, "303026")[0] == "3030260000000000/00001"
    assert generate(form, "303026010201", "national-1272")[0] == "303026010201/3"


def test_data_item_table_is_readable(served: str, browser: Browser, tmp_path: Any) -> None:
    org = department(name="audit", title="审计厅")
    items = [{"name": f"审计项目编号与名称第{n}项", "data_type": "C", "length": "200",
              "description": "该信息项记录审计项目的编号、名称以及立项依据，供共享部门核对。"}
             for n in range(1, 7)]
    pkg = call_action("package_create", **resource_dict(org, data_items=items))
    page = f"{served}/dataset/{pkg['name']}"
    wide = _view(browser, page, 1280, tmp_path / "dataset-wide.png")
    assert len({round(h) for _, _, h in wide["heads"]}) == 1, wide  # no header wraps
    by_name = {name: width for name, width, _ in wide["heads"]}
    assert by_name["信息项名称"] >= 150 and by_name["说明"] >= 200, wide
    assert wide["table"] >= 0.9 * wide["elements"], wide  # the item table spans the elements
    # narrow window: the table keeps its columns and scrolls inside its wrapper
    narrow = _view(browser, page, 420, tmp_path / "dataset-narrow.png")
    by_name = {name: width for name, width, _ in narrow["heads"]}
    assert narrow["table"] > narrow["wrapper"] and narrow["overflow"] == "auto", narrow
    assert by_name["信息项名称"] >= 100, narrow


def _view(b: Browser, url: str, width: int, shot: Any) -> dict[str, Any]:
    """Open ``url`` in a window ``width`` pixels wide, save a screenshot, measure the table."""
    b.cmd("post", "/window/rect", {"width": width, "height": 2000})
    b.go(url)
    b.screenshot(str(shot))
    return b.script(
        "var t = document.querySelector('#govcat-data-items'), w = t.parentElement;"
        "return {heads: Array.from(t.querySelectorAll('thead th')).map(th => [th.textContent.trim(),"
        " th.getBoundingClientRect().width, th.getBoundingClientRect().height]),"
        " table: t.getBoundingClientRect().width, wrapper: w.clientWidth,"
        " overflow: getComputedStyle(w).overflowX,"
        " elements: document.querySelector('#govcat-core-elements').getBoundingClientRect().width};")
