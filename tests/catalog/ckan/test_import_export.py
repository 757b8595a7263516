"""Workbook import (all or nothing, update in place), export, round trip, CLI, upload page,
statistics."""
from __future__ import annotations

import io

import openpyxl
import pytest
from bs4 import BeautifulSoup

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govcat.cli.catalog import govcat as govcat_cli
from ckanext.govcat.logic import importer

from ..fixtures.sheets import AUDIT, CIVIL, bad_corpus, good_rows, resource, xlsx
from .helpers import department


@pytest.fixture
def departments(clean_db):
    return {"audit": department(name="audit", title=AUDIT[0], provider_code=AUDIT[1]),
            "civil": department(name="civil", title=CIVIL[0], provider_code=CIVIL[1])}


def run(data: bytes, **kwargs):
    site_user = call_action("get_site_user")["name"]
    return importer.run(io.BytesIO(data), "catalog.xlsx", user=site_user, **kwargs)


def catalog_state() -> dict[str, dict]:
    return {r["resource_code"]: r for r in importer.export_records(include_private=True)}


class TestImport:
    def test_import_creates_datasets_and_indexes_them(self, departments):
        result = run(xlsx(good_rows()))
        assert result.report.ok and len(result.created) == 4 and result.updated == []
        state = catalog_state()
        assert set(state) == {"303026010201/1", "303026010201/2", "303026010201/3", "203002/1"}
        pkg = call_action("package_show", id=state["203002/1"]["name"])
        assert pkg["owner_org"] == departments["civil"]["id"]
        assert call_action("package_search", q="", fq='class_3:"303026"')["count"] == 3

    def test_dry_run_writes_nothing(self, departments):
        result = run(xlsx(good_rows()), dry_run=True)
        assert result.report.ok and result.created == [] and catalog_state() == {}

    def test_file_with_one_error_changes_nothing(self, departments):
        run(xlsx(good_rows()))
        before = catalog_state()
        rows = resource(1, 信息资源摘要="改过的摘要") + resource(9) + resource(10, 数据存储总量="3GB")
        result = run(xlsx(rows))
        assert not result.report.ok and [(l.row, l.rule) for l in result.report.errors] == [(7, "R20")]
        assert catalog_state() == before

    def test_corpus_of_bad_rows_is_rejected_row_by_row(self, departments):
        rows, first_rows = [], []
        for case_rows, _rule, _column in bad_corpus():
            first_rows.append(len(rows) + 3)
            rows += case_rows
        result = run(xlsx(rows))
        assert not result.report.ok and catalog_state() == {}
        assert set(first_rows) <= {line.row for line in result.report.errors}

    def test_reimport_updates_in_place(self, departments):
        run(xlsx(good_rows()))
        ids = {c: r["name"] for c, r in catalog_state().items()}
        rows = good_rows()
        for row in rows:
            if row["信息资源代码（必填项）"] == "303026010201/2":
                row["信息资源摘要"] = "新的摘要"
        result = run(xlsx(rows))
        assert len(result.updated) == 4 and result.created == []
        state = catalog_state()
        assert {c: r["name"] for c, r in state.items()} == ids
        assert state["303026010201/2"]["notes"] == "新的摘要"
        assert model.Session.query(model.Package).filter_by(state="active").count() == 4

    def test_batch_import_search_counts_and_facets(self, departments):
        """Several write batches: right after the import, package_search counts, facets,
        department counts and result dicts agree with the database."""
        rows = [row for n in range(1, 8) for row in resource(n)]
        rows += [row for n in range(8, 12) for row in resource(n, provider=CIVIL)]
        site_user = call_action("get_site_user")["name"]
        report, existing = importer.read(io.BytesIO(xlsx(rows)), "catalog.xlsx")
        created, updated = importer.write(report, existing, site_user, batch_size=3)
        assert len(created) == 11 and updated == []
        found = call_action("package_search", q="", rows=50, **{
            "facet.field": ["class_3", "share_type", "open_type", "organization", "publish_year"]})
        assert found["count"] == 11
        facets = {name: {i["name"]: i["count"] for i in facet["items"]}
                  for name, facet in found["search_facets"].items()}
        assert facets["class_3"] == {"303026": 11}
        assert facets["share_type"] == {"conditional": 11}
        assert facets["open_type"] == {"conditional": 11}
        assert facets["organization"] == {"audit": 7, "civil": 4}
        assert facets["publish_year"] == {"2017": 11}
        assert call_action("organization_show", id="civil")["package_count"] == 4
        assert call_action("package_search", q="审计报告", fq="organization:civil")["count"] == 4
        for result in found["results"]:  # the stored documents are what package_show returns
            shown = call_action("package_show", id=result["id"])
            assert result == shown
            assert [item["name"] for item in shown["data_items"]] == ["报告名称", "金额"]
        # a second import with new and known codes updates in place
        rows = resource(1, 信息资源摘要="改过的摘要") + resource(12, provider=CIVIL)
        result = run(xlsx(rows))
        assert len(result.created) == 1 and len(result.updated) == 1
        assert call_action("package_search", q="", rows=0)["count"] == 12
        assert call_action("package_search", q="改过的摘要")["count"] == 1

    def test_failure_while_writing_changes_nothing(self, departments):
        """A clash the dry run cannot see (another dataset holds the URL name the import gives a
        new resource) stops the write: nothing is stored and nothing indexed."""
        held = run(xlsx(resource(9))).created[0]
        call_action("package_patch", id=held, name="res-303026010201-2")
        with pytest.raises(tk.ValidationError) as exc:
            run(xlsx(resource(1) + resource(2) + resource(3)))
        assert exc.value.error_dict["name"] == ["网址名称 res-303026010201-2 已被其他资源使用"]
        assert set(catalog_state()) == {"303026010201/9"}
        assert call_action("package_search", q="", rows=0)["count"] == 1
        assert call_action("package_show", id="res-303026010201-2")["id"] == held

    def test_deleted_dataset_gives_up_its_name(self, departments):
        first = run(xlsx(resource(1))).created[0]
        call_action("package_delete", id=first)
        result = run(xlsx(resource(1)))
        assert result.report.ok and len(result.created) == 1 and result.created[0] != first
        assert model.Package.get(first).name == first
        assert call_action("package_show", id="res-303026010201-1")["id"] == result.created[0]

    @pytest.mark.ckan_config("ckan.locale_default", "en")
    @pytest.mark.usefixtures("with_request_context")
    def test_report_lines_in_site_language(self, departments):
        result = run(xlsx(resource(1, 数据存储总量="3GB")))
        assert [line["message"] for line in result.as_dict()["lines"]] == [
            '"Total storage" takes a number only, without units or words (it is "3GB"). '
            "Write 0 when unknown."]
        assert result.report.lines[0].message == \
            "「数据存储总量」只能填写数字，不能带单位或文字（当前为「3GB」）。未知请填 0。"

    def test_org_option_and_unknown_provider(self, departments):
        rows = resource(1, 信息资源提供方="未知部门", 信息资源提供方代码="11130000MB00000017")
        rows = [dict(r, 信息资源提供方代码=None) for r in rows]
        result = run(xlsx(rows))
        assert [l.rule for l in result.report.errors] == ["R1", "R16"] or \
            "没有对应的部门" in " ".join(l.message for l in result.report.errors)
        result = run(xlsx(resource(1)), organization="civil")
        pkg = catalog_state()["303026010201/1"]
        assert model.Package.get(pkg["name"]).owner_org == departments["civil"]["id"]


def test_round_trip(departments):
    run(xlsx(good_rows()))
    before = catalog_state()
    exported = importer.export_workbook()
    result = run(exported)
    assert result.report.ok and len(result.updated) == 4 and result.created == []
    assert catalog_state() == before


def test_export_scopes(departments):
    run(xlsx(good_rows()))

    def codes(data: bytes) -> set[str]:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = list(sheet.iter_rows(values_only=True))
        index = rows[0].index("信息资源代码")
        return {r[index] for r in rows[1:]}

    assert len(codes(importer.export_workbook("all"))) == 4
    assert codes(importer.export_workbook("share")) == {f"303026010201/{n}" for n in (1, 2, 3)} | {"203002/1"}
    assert codes(importer.export_workbook("open", "civil")) == {"203002/1"}


class TestCli:
    """The ``govcat`` group as ``ckan govcat`` runs it (invoked directly: importing the whole
    ``ckan`` command tree needs the datastore's optional pglast)."""

    def test_exit_status_and_report(self, departments, tmp_path, cli):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(xlsx(resource(1) + resource(2, 发布日期="明天")))
        result = cli.invoke(govcat_cli, ["catalog", "import", str(bad), "--dry-run",
                                       "--report", str(tmp_path / "r.xlsx")])
        assert result.exit_code == 1, result.output
        assert "第5行 [303026010201/2] 发布日期" in result.output
        assert (tmp_path / "r.xlsx").exists()
        good = tmp_path / "good.xlsx"
        good.write_bytes(xlsx(good_rows()))
        result = cli.invoke(govcat_cli, ["catalog", "import", str(good)])
        assert result.exit_code == 0, result.output
        assert "已新建 4 个" in result.output
        out = tmp_path / "out.xlsx"
        result = cli.invoke(govcat_cli, ["catalog", "export", str(out), "--scope", "open"])
        assert result.exit_code == 0 and out.stat().st_size > 0


class TestUploadPage:
    def test_department_admin_checks_and_imports(self, app, departments):
        admin = factories.User()
        call_action("organization_member_create", id="audit", username=admin["name"], role="admin")
        env = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
        page = app.get("/catalog/import", headers=env)
        assert "导入目录填报表" in page.body
        rows = [r for r in good_rows() if r["信息资源提供方"] == AUDIT[0]]
        resp = app.post("/catalog/import", headers=env, data={
            "organization": "audit", "action": "report",
            "upload": (io.BytesIO(xlsx(rows + resource(8, 数据存储总量="1G"))), "c.xlsx")})
        sheet = openpyxl.load_workbook(io.BytesIO(resp.get_data())).active
        cells = list(sheet.iter_rows(values_only=True))
        assert "R20" in cells[-2][-1] and cells[-1][-1] in (None, "")  # first row of resource 8
        resp = app.post("/catalog/import", headers=env, data={
            "organization": "audit", "action": "import",
            "upload": (io.BytesIO(xlsx(rows)), "c.xlsx")})
        soup = BeautifulSoup(resp.body, "html.parser")
        assert "已新建 3 个" in soup.select_one("#govcat-import-result").text
        assert len(catalog_state()) == 3

    def test_other_users_cannot_import(self, app, departments):
        user = factories.User()
        env = {"Authorization": factories.APIToken(user=user["name"])["token"]}
        app.get("/catalog/import", headers=env, status=403)
        with pytest.raises(tk.NotAuthorized):
            call_action("govcat_catalog_import", context={"user": user["name"], "ignore_auth": False},
                        upload=io.BytesIO(b""), organization="audit")


def test_statistics(app, departments):
    run(xlsx(good_rows()))
    stats = call_action("govcat_catalog_statistics")
    assert stats["total"]["resources"] == 4 and stats["total"]["departments"] == 2
    assert stats["total"]["data_items"] == 6
    dept = next(c for c in stats["categories"] if c["code"] == "3")
    assert (dept["resources"], dept["shareable"], dept["shared_conditional"], dept["open"]) == (3, 3, 3, 3)
    topic = next(c for c in stats["categories"] if c["code"] == "2")
    assert topic["items"][0]["code"] == "203" and topic["shared_unconditional"] == 1
    page = BeautifulSoup(app.get("/catalog/statistics").body, "html.parser")
    assert page.select_one("#govcat-statistics") is not None
    xlsx_resp = app.get("/catalog/statistics?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_resp.get_data())).active
    assert list(sheet.iter_rows(values_only=True))[-1][3] == 4
