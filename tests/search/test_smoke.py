import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db", "with_plugins")
def test_create_and_find():
    org = factories.Organization()
    ds = factories.Dataset(owner_org=org["id"], title="企业法人登记信息", notes="描述")
    result = helpers.call_action("package_search", q="法人")
    assert result["count"] == 1
    assert result["results"][0]["id"] == ds["id"]
