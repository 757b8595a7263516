"""ckanext-harvest's pages speak Chinese in the default locale (its messages are translated in
``govcat_theme``'s catalogue): the source list, a source's admin page and its job list."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "govcat_theme govcat_search harvest ckan_harvester"),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
    pytest.mark.usefixtures("clean_db"),
]


def text(app, url: str, user: dict) -> str:
    response = app.get(url, headers={"Authorization": helpers.call_action(
        "api_token_create", context={"user": user["name"], "ignore_auth": True},
        user=user["name"], name="pages")["token"]})
    assert response.status_code == 200, url
    return " ".join(BeautifulSoup(response.body, "html.parser").get_text(" ").split())


def test_harvest_pages_are_chinese(app) -> None:
    admin = factories.Sysadmin()
    empty = text(app, "/harvest", admin)
    for said in ("没有找到采集源", "新增采集源", "更新频率", "类型"):
        assert said in empty, said
    org = factories.Organization()
    helpers.call_action("harvest_source_create", context={"user": admin["name"]},
                        name="city-node", title="市级前置机", url="http://node.example/ckan",
                        source_type="ckan", owner_org=org["id"])
    listing = text(app, "/harvest", admin)
    assert "找到 1 个采集源" in listing and "市级前置机" in listing
    for english in ("Harvest", "harvest", "Frequency", "Type"):
        assert english not in listing, english
    admin_page = text(app, "/harvest/admin/city-node", admin)
    for said in ("重新采集", "清空", "采集任务"):
        assert said in admin_page, said
    assert "Reharvest" not in admin_page and "Clear" not in admin_page
    assert "该采集源还没有采集任务" in text(app, "/harvest/city-node/job", admin)


def test_new_source_form_offers_frequencies_in_chinese(app) -> None:
    admin = factories.Sysadmin()
    form = text(app, "/harvest/new", admin)
    for said in ("手动", "每月", "每周", "每两周", "每天", "持续", "采集源用于把其他目录的元数据导入本平台"):
        assert said in form, said
    for english in ("Manual", "Monthly", "Biweekly", "Harvest sources allow"):
        assert english not in form, english
