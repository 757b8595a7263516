"""The leak matrix: every egress path × every persona, over HTTP against the Flask app, for a
file, a DataStore table and a link resource of a conditional dataset. Each cell is checked and
every failing cell is reported by name."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from .conftest import ALLOWED, FILE_BODY, LINK_URL, PERSONAS, World, assert_cells, ckan_marks

pytestmark = ckan_marks
SECRET_ROW = "机密数据"


def _api(app: Any, world: World, persona: str, action: str, **data: Any) -> Any:
    return app.post(f"/api/3/action/{action}", json=data, headers=world.headers(persona),
                    status=None)


def _sql_variants(world: World) -> dict[str, str]:
    rid = world.table_res["id"]
    alias = f"alias_{world.dataset['id'][:8]}"
    return {
        "sql direct": f'SELECT * FROM "{rid}"',
        "sql subquery": f'SELECT name FROM (SELECT * FROM "{rid}") AS t',
        "sql cte": f'WITH x AS (SELECT * FROM "{rid}") SELECT * FROM x',
        "sql alias view": f'SELECT * FROM "{alias}"',
        "sql union": f'SELECT 1 AS a, \'x\' AS b UNION ALL SELECT _id, name FROM "{rid}"',
        "sql scalar subquery": f'SELECT (SELECT name FROM "{rid}" LIMIT 1) AS leaked',
        "sql lateral": f'SELECT t.name FROM (SELECT 1) AS o, LATERAL (SELECT * FROM "{rid}") t',
    }


def cells(app: Any, world: World, persona: str) -> dict[str, tuple[bool, Callable[[], bool]]]:
    """name -> (expected "data reachable", probe returning whether data was reachable)."""
    headers = world.headers(persona)
    pid, name = world.dataset["id"], world.dataset["name"]
    file_id, link_id, table_id = (world.file_res["id"], world.link_res["id"],
                                  world.table_res["id"])

    file_location = f"/resource/{file_id}/download"

    def get(url: str, html: bool = False) -> Any:
        h = dict(headers, Accept="text/html") if html else headers
        return app.get(url, headers=h, status=None, follow_redirects=False)

    def file_download() -> bool:
        r = get(f"/dataset/{pid}/resource/{file_id}/download")
        assert r.status_code in (200, 403), r.status_code
        return r.status_code == 200 and FILE_BODY in r.get_data(as_text=True)

    def link_download() -> bool:
        r = get(f"/dataset/{pid}/resource/{link_id}/download")
        assert r.status_code in (302, 403), r.status_code
        return LINK_URL in (r.headers.get("Location") or "") + r.get_data(as_text=True)

    def table_download() -> bool:
        r = get(f"/dataset/{pid}/resource/{table_id}/download")
        return r.status_code != 403

    def in_api(action: str, marker: str = LINK_URL, **data: Any) -> Callable[[], bool]:
        def probe() -> bool:
            r = _api(app, world, persona, action, **data)
            assert r.status_code == 200, (action, r.status_code)
            return marker in json.dumps(r.json, ensure_ascii=False)
        return probe

    def in_page(url: str, marker: str = LINK_URL) -> Callable[[], bool]:
        def probe() -> bool:
            r = get(url, html=True)
            assert r.status_code == 200, (url, r.status_code)
            return marker in r.get_data(as_text=True)
        return probe

    def datastore(action: str, **data: Any) -> Callable[[], bool]:
        def probe() -> bool:
            r = _api(app, world, persona, action, **data)
            text = json.dumps(r.json, ensure_ascii=False)
            if r.status_code == 403:
                assert "/apply" in text, "403 without a link to apply"
                return SECRET_ROW in text
            assert r.status_code == 200, (action, r.status_code, text[:300])
            return SECRET_ROW in text
        return probe

    def dump(fmt: str) -> Callable[[], bool]:
        def probe() -> bool:
            r = get(f"/datastore/dump/{table_id}?format={fmt}")
            assert r.status_code in (200, 403), r.status_code
            return r.status_code == 200 and SECRET_ROW in r.get_data(as_text=True)
        return probe

    def view_page() -> bool:
        r = get(f"/dataset/{pid}/resource/{table_id}/view/{world.view_id}", html=True)
        assert r.status_code in (200, 403), r.status_code
        return r.status_code == 200

    def view_list() -> bool:
        r = _api(app, world, persona, "resource_view_list", id=table_id)
        return bool(r.json["result"])

    allowed = persona in ALLOWED
    table: dict[str, tuple[bool, Callable[[], bool]]] = {
        "file download": (allowed, file_download),
        "link download": (allowed, link_download),
        "table resource download": (allowed, table_download),
        "package_show link url": (allowed, in_api("package_show", id=pid)),
        "resource_show link url": (allowed, in_api("resource_show", id=link_id)),
        "package_show file url": (allowed, in_api("package_show", file_location, id=pid)),
        "resource_show file url": (allowed, in_api("resource_show", file_location,
                                                   id=file_id)),
        "package_search link url": (allowed, in_api("package_search", q=f"name:{name}")),
        "package_search file url": (allowed, in_api("package_search", file_location,
                                                    q=f"name:{name}")),
        "package_search fl=res_url": (allowed, in_api("package_search", q=f"name:{name}",
                                                      fl="id,name,res_url")),
        "package_search fl=data_dict": (allowed, in_api("package_search", q=f"name:{name}",
                                                        fl="id,data_dict")),
        "dataset page": (allowed, in_page(f"/dataset/{name}")),
        "link resource page": (allowed, in_page(f"/dataset/{name}/resource/{link_id}")),
        "file resource page": (allowed, in_page(f"/dataset/{name}/resource/{file_id}",
                                                file_location)),
        "datastore_search": (allowed, datastore("datastore_search", resource_id=table_id)),
        "datastore_search alias": (allowed, datastore(
            "datastore_search", resource_id=f"alias_{world.dataset['id'][:8]}")),
        "dump csv": (allowed, dump("csv")),
        "dump json": (allowed, dump("json")),
        "dump xml": (allowed, dump("xml")),
        "dump tsv": (allowed, dump("tsv")),
        "resource view page": (allowed, view_page),
        "resource_view_list": (allowed, view_list),
    }
    for label, sql in _sql_variants(world).items():
        table[label] = (allowed, datastore("datastore_search_sql", sql=sql))
    return table


@pytest.mark.parametrize("persona", PERSONAS)
def test_leak_matrix(app: Any, world: World, persona: str) -> None:
    assert_cells(persona, cells(app, world, persona))
