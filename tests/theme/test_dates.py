"""Dates with their time of day are shown in the page's language and in
``ckan.display_timezone`` (Asia/Shanghai): 2024年2月1日 00:30, not "二月 1, 2024, 00:30 (+0800)"."""
from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from ckan.lib.helpers import helper_functions as h
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govcat.logic.config import catalog_settings
from tests.catalog.ckan.helpers import department, resource_dict

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PLUGINS = "govcat_theme " + catalog_settings()["ckan.plugins"] + " activity"

pytestmark = [
    *[pytest.mark.ckan_config(key, value) for key, value in catalog_settings().items()
      if key != "ckan.plugins"],
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.display_timezone", "Asia/Shanghai"),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
]


def in_shanghai(stamp: str) -> dt.datetime:
    """A naive UTC timestamp as CKAN stores it, in Beijing time."""
    return dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.timezone.utc).astimezone(SHANGHAI)


def chinese(moment: dt.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


class TestRenderDatetime:
    @pytest.mark.parametrize("locale, with_seconds, expected", [
        ("zh_Hans_CN", False, "2024年2月1日 00:30"),
        ("zh_Hans_CN", True, "2024年2月1日 00:30:05"),
        ("en", False, "February 1, 2024, 12:30 AM"),
    ])
    def test_date_with_time_in_the_locale_and_display_timezone(
            self, app, locale, with_seconds, expected):
        with app.flask_app.test_request_context(environ_base={"CKAN_LANG": locale}):
            shown = h.render_datetime("2024-01-31T16:30:05", with_hours=True,
                                      with_seconds=with_seconds)
        assert shown.replace("\u202f", " ") == expected

    def test_aware_datetimes_and_date_only_unchanged(self, app):
        with app.flask_app.test_request_context(environ_base={"CKAN_LANG": "zh_Hans_CN"}):
            aware = dt.datetime(2024, 1, 31, 16, 30, tzinfo=dt.timezone.utc)
            assert h.render_datetime(aware, with_hours=True) == "2024年2月1日 00:30"
            assert h.render_datetime("2024-01-31T16:30:05") == "2024年2月1日"
            assert h.render_datetime("2024-01-31T16:30:05", "%Y-%m-%d") == "2024-02-01"
            assert h.render_datetime("not a date", with_hours=True) == ""


@pytest.mark.usefixtures("clean_db")
class TestDatasetPages:
    @pytest.fixture
    def dataset(self, clean_db, migrate_db_for):
        migrate_db_for("activity")
        org = department(name="shenji")
        sysadmin = factories.Sysadmin()
        return call_action("package_create", {"user": sysadmin["name"]},
                           name="audit-reports", **resource_dict(org))

    def test_dataset_page_shows_metadata_times_in_beijing_time(self, app, dataset):
        soup = BeautifulSoup(app.get("/dataset/audit-reports").body, "html.parser")
        created = soup.select_one(".govcat-metadata-created")
        modified = soup.select_one(".govcat-metadata-modified")
        assert created.get_text(strip=True) == chinese(in_shanghai(dataset["metadata_created"]))
        assert modified.get_text(strip=True) == chinese(in_shanghai(dataset["metadata_modified"]))
        labels = [th.get_text(strip=True) for th in created.parent.parent.find_all("th")]
        assert "元数据创建时间" in labels and "元数据最后更新" in labels

    def test_activity_stream_times_in_chinese(self, app, dataset):
        sysadmin = factories.Sysadmin()
        activity = call_action("package_activity_list", {"user": sysadmin["name"]},
                               id=dataset["id"])[0]
        page = app.get("/dataset/activity/audit-reports",
                       extra_environ={"REMOTE_USER": sysadmin["name"]})
        dates = BeautifulSoup(page.body, "html.parser").select(".activity .date")
        assert dates, page.body[:2000]
        label = dates[0]["aria-label"]
        assert label == "动态发生时间：" + chinese(in_shanghai(activity["timestamp"]))
