"""DCAT output (ckanext-dcat's ``dcat`` plugin) over HTTP: a conditional dataset's
distributions carry no downloadURL / accessURL (nor any other location of its data) for callers
without an active grant; closed datasets are in no DCAT output of the public."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests.helpers import call_action

from .conftest import ALLOWED, LINK_URL, PERSONAS, World, access_marks, make_world

pytestmark = access_marks("dcat")
FORMATS = ("rdf", "ttl", "jsonld", "xml")
DIRECT_URL = "https://secret.example.gov.cn/direct/full-export.csv"
ACCESS_URL = "https://secret.example.gov.cn/portal/full-export"


def _with_dcat_fields(world: World) -> World:
    """The link resource also names a download URL and the DataStore table an access URL (free
    resource fields, which ckanext-dcat serializes as dcat:downloadURL / dcat:accessURL; the
    ``url`` of the link and of the uploaded file become their dcat:accessURL)."""
    ctx = {"user": world.users["sysadmin"]["name"]}
    call_action("resource_patch", ctx, id=world.link_res["id"], download_url=DIRECT_URL)
    call_action("resource_patch", ctx, id=world.table_res["id"], access_url=ACCESS_URL)
    return world


@pytest.fixture
def dcat_world(world: World) -> World:
    return _with_dcat_fields(world)


def _locations(world: World) -> tuple[str, ...]:
    return (LINK_URL, DIRECT_URL, ACCESS_URL, f"/resource/{world.file_res['id']}/download")


def _shown(world: World, text: str) -> list[str]:
    return [location for location in _locations(world) if location in text]


@pytest.mark.parametrize("persona", PERSONAS)
def test_dataset_endpoints(app: Any, dcat_world: World, persona: str) -> None:
    world, allowed = dcat_world, persona in ALLOWED
    wrong = []
    for fmt in FORMATS:
        got = app.get(f"/dataset/{world.dataset['id']}.{fmt}", headers=world.headers(persona),
                      status=None)
        text = got.get_data(as_text=True)
        if got.status_code != 200 or world.dataset["id"] not in text:
            wrong.append(f"{fmt}: status {got.status_code}, dataset missing")
            continue
        shown = _shown(world, text)
        if allowed and len(shown) != len(_locations(world)):
            wrong.append(f"{fmt}: grantee/member sees only {shown}")
        if not allowed and shown:
            wrong.append(f"{fmt}: shows {shown}")
    assert not wrong, f"{persona}: " + "; ".join(wrong)


@pytest.mark.parametrize("persona", ["anonymous", "other_resource", "approved", "sysadmin"])
def test_catalog_endpoint(app: Any, dcat_world: World, persona: str) -> None:
    world = dcat_world
    for fmt in ("ttl", "jsonld"):
        text = app.get(f"/catalog.{fmt}", headers=world.headers(persona)).get_data(as_text=True)
        assert world.dataset["id"] in text, fmt
        shown = _shown(world, text)
        if persona in ALLOWED:
            assert len(shown) == len(_locations(world)), (fmt, shown)
        else:
            assert shown == [], (fmt, shown)


def test_accessurl_and_downloadurl_are_withheld_not_just_the_link(app: Any,
                                                                  dcat_world: World) -> None:
    """The distribution stays listed (name, format) without its addresses."""
    text = app.get(f"/dataset/{dcat_world.dataset['id']}.ttl").get_data(as_text=True)
    assert "链接资源" in text
    assert "downloadURL" not in text and "accessURL" not in text
    granted = app.get(f"/dataset/{dcat_world.dataset['id']}.ttl",
                      headers=dcat_world.headers("approved")).get_data(as_text=True)
    assert "downloadURL" in granted and "accessURL" in granted


def test_unconditional_dataset_as_stock(app: Any, create_with_upload: Any) -> None:
    world = _with_dcat_fields(make_world(create_with_upload, open_type="unconditional"))
    text = app.get(f"/dataset/{world.dataset['id']}.ttl").get_data(as_text=True)
    assert len(_shown(world, text)) == len(_locations(world))


@pytest.mark.parametrize("persona,visible", [("anonymous", False), ("nobody", False),
                                             ("other_admin", False), ("member", True),
                                             ("sysadmin", True)])
def test_closed_dataset_is_in_no_public_output(app: Any, create_with_upload: Any,
                                               persona: str, visible: bool) -> None:
    world = make_world(create_with_upload, open_type="closed")
    headers = world.headers(persona)
    for fmt in ("ttl", "jsonld"):
        single = app.get(f"/dataset/{world.dataset['id']}.{fmt}", headers=headers, status=None)
        assert (single.status_code == 200) is visible, (fmt, single.status_code)
        assert ("条件数据" in single.get_data(as_text=True)) is visible
        catalog = app.get(f"/catalog.{fmt}", headers=headers).get_data(as_text=True)
        assert (world.dataset["id"] in catalog) is visible, fmt
