"""The read actions the gates chain stay callable with GET, as their core versions are."""
from __future__ import annotations

import pytest

from ckanext.govcat.logic.config import catalog_settings

SETTINGS = catalog_settings()


@pytest.mark.ckan_config("ckan.plugins", SETTINGS["ckan.plugins"] + " govcat_access datastore")
@pytest.mark.ckan_config("scheming.dataset_schemas", SETTINGS["scheming.dataset_schemas"])
@pytest.mark.ckan_config("scheming.organization_schemas", SETTINGS["scheming.organization_schemas"])
@pytest.mark.ckan_config("scheming.presets", SETTINGS["scheming.presets"])
@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("path", [
    "/api/3/action/package_search?rows=0&fq=class_1:%221%22",
    "/api/3/action/resource_view_list?id=no-such-resource",
])
def test_chained_reads_answer_get(app, path: str) -> None:
    reply = app.get(path, status=None)
    assert "Please use POST" not in reply.get_data(as_text=True)
    assert reply.status_code in (200, 404), reply.get_data(as_text=True)[:300]
