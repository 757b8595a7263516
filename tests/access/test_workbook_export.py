"""The catalog workbook export (page ``/catalog/export`` and ``ckan govcat catalog export``)
under conditional access: closed datasets only for those who may see them (the department's
members, sysadmins, the operator's ``--include-private``), and no data location of any dataset
in any cell."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govcat.cli.catalog import govcat as govcat_cli
from ckanext.govcat.logic.config import catalog_settings

from ..catalog.ckan.helpers import department, resource_dict
from .conftest import LINK_URL, token_for

SETTINGS = catalog_settings()
pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", SETTINGS["ckan.plugins"] + " govcat_access"),
    *[pytest.mark.ckan_config(k, v) for k, v in SETTINGS.items() if k != "ckan.plugins"],
    pytest.mark.ckan_config("ckanext.govcat.access.notify", "false"),
    pytest.mark.usefixtures("clean_db"),
]
CODES = {"conditional": "303026010201/1", "closed": "303026010201/2",
         "unconditional": "303026010201/3"}
TITLES = {"conditional": "依申请数据", "closed": "不予开放数据", "unconditional": "开放数据"}


@pytest.fixture
def catalog() -> dict[str, Any]:
    admin, member, outsider = factories.User(), factories.User(), factories.User()
    org = department(users=[{"name": admin["name"], "capacity": "admin"},
                            {"name": member["name"], "capacity": "member"}])
    open_fields = {"conditional": {"open_type": "依申请开放", "open_condition": "经申请审核后开放"},
                   "closed": {"open_type": "不予开放", "open_condition": "涉及个人隐私"},
                   "unconditional": {"open_type": "无条件开放", "open_condition": "无条件"}}
    datasets = {}
    for kind, fields in open_fields.items():
        datasets[kind] = call_action(
            "package_create", {"user": admin["name"]},
            **resource_dict(org, resource_code=CODES[kind], title=TITLES[kind],
                            name=f"export-{kind}", **fields),
            resources=[{"url": LINK_URL, "name": "链接资源", "format": "CSV"}])
    assert {k: d["open_type"] for k, d in datasets.items()} == {k: k for k in datasets}
    return {"org": org, "datasets": datasets, "users": {
        "member": member, "outsider": outsider, "sysadmin": factories.Sysadmin()}}


def cells(data: bytes) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def codes(data: bytes) -> set[str]:
    rows = cells(data)
    index = rows[0].index("信息资源代码")
    return {r[index] for r in rows[1:]}


def no_locations(data: bytes, datasets: dict[str, Any]) -> None:
    text = repr(cells(data))
    assert LINK_URL not in text and "/download" not in text
    for dataset in datasets.values():
        for res in dataset["resources"]:
            assert res["id"] not in text


@pytest.mark.parametrize("persona,closed_shown", [
    ("anonymous", False), ("outsider", False), ("member", True), ("sysadmin", True)])
@pytest.mark.parametrize("scope", ["all", "share"])
def test_export_page(app: Any, catalog: dict[str, Any], persona: str, closed_shown: bool,
                     scope: str) -> None:
    user = catalog["users"].get(persona)
    headers = {"Authorization": token_for(user["name"])} if user else {}
    got = app.get(f"/catalog/export?scope={scope}", headers=headers)
    exported = codes(got.data)
    assert CODES["conditional"] in exported and CODES["unconditional"] in exported
    assert (CODES["closed"] in exported) is closed_shown
    assert (TITLES["closed"] in repr(cells(got.data))) is closed_shown
    no_locations(got.data, catalog["datasets"])


def test_cli_exports_what_the_public_sees_unless_told(catalog: dict[str, Any], cli: Any,
                                                      tmp_path: Path) -> None:
    public, everything = tmp_path / "public.xlsx", tmp_path / "all.xlsx"
    result = cli.invoke(govcat_cli, ["catalog", "export", str(public)])
    assert result.exit_code == 0, result.output
    assert codes(public.read_bytes()) == {CODES["conditional"], CODES["unconditional"]}
    result = cli.invoke(govcat_cli, ["catalog", "export", str(everything), "--include-private"])
    assert result.exit_code == 0, result.output
    assert codes(everything.read_bytes()) == set(CODES.values())
    no_locations(everything.read_bytes(), catalog["datasets"])
