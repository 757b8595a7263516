"""`govcat up/down/status/ckan` as a user runs them, against real embedded PostgreSQL and Redis."""
from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import psycopg2.errors
import pytest
from psycopg2 import sql as sql_module

from ckanext.govcat.launcher.services import free_port

from .conftest import (Launcher, department, information_resource, processes_mentioning,
                       run_govcat)


class TestRunningPortal:
    def test_status_show_reports_chinese_default_locale(self, demo_portal: Launcher):
        status = demo_portal.get("/api/3/action/status_show")["result"]
        assert status["site_url"] == demo_portal.url
        assert status["locale_default"] == "zh_Hans_CN"
        assert {"govcat_search", "govcat_theme", "datastore", "harvest"} <= set(
            status["extensions"])

    def test_dataset_created_through_the_api_is_shown_on_its_page(self, demo_portal: Launcher):
        token = demo_portal.token()
        created = demo_portal.post("package_create", information_resource(
            "launcher-roundtrip", "城市公共自行车站点", "govcat-demo-jtj", "307001/900",
            notes="公共自行车站点的位置和车位数。"), token)
        # Provider and its code come from the department.
        assert created["provider"] == "交通运输局"
        assert created["provider_code"] == demo_portal.get(
            "/api/3/action/organization_show?id=govcat-demo-jtj")["result"]["provider_code"]
        page = demo_portal.page(f"/dataset/{created['name']}")
        assert "城市公共自行车站点" in page
        assert "公共自行车站点的位置和车位数" in page
        assert "307001/900" in page and "信息资源代码" in page
        found = demo_portal.get("/api/3/action/package_search?q=%E8%87%AA%E8%A1%8C%E8%BD%A6")
        assert "launcher-roundtrip" in [d["name"] for d in found["result"]["results"]]

    def test_demo_content_spans_departments_and_categories(self, demo_portal: Launcher):
        orgs = demo_portal.get("/api/3/action/organization_list")["result"]
        assert len([o for o in orgs if o.startswith("govcat-demo-")]) >= 12
        counts = {}
        for code in ("1", "2", "3"):
            fq = f'class_1:"{code}"'
            result = demo_portal.get("/api/3/action/package_search?rows=0&fq="
                                     + urllib_quote(fq))["result"]
            counts[code] = result["count"]
        assert all(n > 0 for n in counts.values()), counts
        assert sum(counts.values()) >= 50

    def test_demo_datasets_carry_the_core_elements(self, demo_portal: Launcher):
        dataset = demo_portal.get("/api/3/action/package_show?id=govcat-demo-003")["result"]
        assert dataset["resource_code"].startswith(dataset["classification"] + "/")
        assert dataset["provider"] == "市场监督管理局" and len(dataset["provider_code"]) == 18
        assert dataset["open_type"] == "conditional" and dataset["open_condition"]
        assert dataset["open_type_label"] == "有条件开放"
        assert [i["name"] for i in dataset["data_items"]][:2] == ["统一社会信用代码", "企业名称"]
        assert dataset["catalog_warnings"] == []

    def test_home_page_category_counts_add_up(self, demo_portal: Launcher):
        page = demo_portal.page("/")
        shown = {code: int(n) for code, n in re.findall(
            r'data-category="([123])">(\d+)<', page)}
        facets = demo_portal.get("/api/3/action/package_search?rows=0&facet.limit=-1"
                                 "&facet.field=" + urllib_quote('["class_1"]'))["result"]
        assert shown == {code: facets["facets"]["class_1"].get(code, 0) for code in "123"}
        total = int(re.search(r'data-total="datasets">(\d+)<', page).group(1))
        assert sum(shown.values()) == total == facets["count"]
        for code, count in shown.items():  # each link lists what its count says
            assert f"/dataset/?class_1={code}" in page
            found = demo_portal.get("/api/3/action/package_search?rows=0&fq="
                                    + urllib_quote(f'class_1:"{code}"'))
            assert found["result"]["count"] == count

    def test_search_page_names_catalog_facet_values(self, demo_portal: Launcher):
        page = demo_portal.page("/dataset/")
        for label in ("资源分类", "基础信息资源目录", "开放类型", "有条件开放",
                      "共享类型", "无条件共享", "电子表格"):
            assert label in page, label
        # Closed (不予开放) datasets are not public: a visitor's facets do not count them.
        assert "不予开放" not in page

    def test_demo_tables_are_behind_the_data_api(self, demo_portal: Launcher):
        dataset = demo_portal.get("/api/3/action/package_show?id=govcat-demo-001")["result"]
        resource = dataset["resources"][0]
        assert resource["datastore_active"] is True
        rows = demo_portal.get(
            f"/api/3/action/datastore_search?resource_id={resource['id']}&limit=3")["result"]
        assert rows["total"] == 30 and "户籍人口（万人）" in [f["id"] for f in rows["fields"]]

    def test_datastore_read_role_may_read_but_not_write(self, demo_portal: Launcher):
        dataset = demo_portal.get("/api/3/action/package_show?id=govcat-demo-001")["result"]
        rid = dataset["resources"][0]["id"]
        sql = urllib_quote(f'SELECT count(*) AS n FROM "{rid}"')
        assert demo_portal.get(f"/api/3/action/datastore_search_sql?sql={sql}")["result"][
            "records"][0]["n"] == 30
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(demo_portal.data_dir / "ckan.ini")
        read_url = parser.get("app:main", "ckan.datastore.read_url")
        with contextlib.closing(psycopg2.connect(read_url)) as conn, conn.cursor() as cur:
            cur.execute(sql_module.SQL("SELECT count(*) FROM {}").format(
                sql_module.Identifier(rid)))
            assert cur.fetchone()[0] == 30
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql_module.SQL("DELETE FROM {}").format(sql_module.Identifier(rid)))

    def test_dcat_output_keeps_conditional_locations_and_closed_datasets_in(
            self, demo_portal: Launcher):
        """The portal config's dcat plugin over the catalog schema: an open table's
        distribution has its address, a conditional one's not, a closed dataset is nowhere."""
        from ckanext.govcat.launcher.demo import demo_content

        titles = {d["name"]: d["title"] for d in demo_content()["datasets"]}
        open_ttl = demo_portal.page("/dataset/govcat-demo-001.ttl")
        assert titles["govcat-demo-001"] in open_ttl and "dcat:accessURL" in open_ttl
        conditional = demo_portal.page("/dataset/govcat-demo-003.jsonld")
        assert titles["govcat-demo-003"] in conditional and "Distribution" in conditional
        assert "accessURL" not in conditional and "downloadURL" not in conditional
        with pytest.raises(urllib.error.HTTPError) as closed:
            demo_portal.page("/dataset/govcat-demo-008.ttl")
        assert closed.value.code in (403, 404)
        catalog = demo_portal.page("/catalog.ttl")
        assert titles["govcat-demo-003"] in catalog and titles["govcat-demo-001"] in catalog
        assert titles["govcat-demo-008"] not in catalog

    def test_govcat_commands_of_both_plugins(self, demo_portal: Launcher, tmp_path: Path):
        """``ckan govcat`` holds the catalog's and conditional access's subgroups (two plugins,
        one command group); the expiry the scheduler runs also runs from the command line."""
        exported = tmp_path / "catalog.xlsx"
        done = run_govcat("ckan", "--data-dir", str(demo_portal.data_dir), "govcat", "catalog",
                          "export", str(exported))
        assert done.returncode == 0 and exported.stat().st_size > 0, done.stdout + done.stderr
        done = run_govcat("ckan", "--data-dir", str(demo_portal.data_dir), "govcat", "access",
                          "expire")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "个授权到期的申请" in done.stdout

    def test_home_page_shows_totals_latest_and_departments(self, demo_portal: Launcher):
        page = demo_portal.page("/")
        assert "最新数据" in page and "下载排行" in page and "部门" in page
        total = re.search(r'data-total="datasets">(\d+)<', page)
        public = demo_portal.get("/api/3/action/package_search?rows=0")["result"]["count"]
        # 54 demo datasets, 4 of them closed (not public), plus any made by earlier tests.
        assert total and int(total.group(1)) == public >= 50
        assert "发展和改革委员会" in page

    def test_downloads_recorded_by_tracking_rank_the_home_page(self, demo_portal: Launcher):
        """A resource click (what the tracking plugin's page script posts), aggregated by
        `ckan tracking update` (the scheduler's job), puts the dataset on the home page."""
        dataset = demo_portal.get("/api/3/action/package_show?id=govcat-demo-015")["result"]
        resource = dataset["resources"][0]
        assert "暂无下载记录" in demo_portal.page("/")
        body = urlencode({"url": resource["url"], "type": "resource"}).encode()
        request = urllib.request.Request(demo_portal.url + "/_tracking", data=body,
                                         headers={"User-Agent": "launcher-test"})
        with pytest.raises(urllib.error.HTTPError):  # no view answers; the plugin records it
            urllib.request.urlopen(request, timeout=10)
        done = run_govcat("ckan", "--data-dir", str(demo_portal.data_dir), "tracking", "update")
        assert done.returncode == 0, done.stdout + done.stderr
        box = demo_portal.page("/").split('id="govcat-downloaded"')[1].split("</ol>")[0]
        assert dataset["title"] in box and "下载 1 次" in box

    def test_english_is_selectable(self, demo_portal: Launcher):
        page = demo_portal.page("/en/")
        assert "Latest datasets" in page and "Most downloaded" in page

    def test_status_lists_every_process(self, demo_portal: Launcher):
        done = run_govcat("status", "--data-dir", str(demo_portal.data_dir))
        assert done.returncode == 0, done.stdout + done.stderr
        for name in ("launcher", "web", "jobs", "harvest-gather", "harvest-fetch", "scheduler",
                     "postgres", "redis"):
            assert re.search(rf"^{name}\s+running\s+pid \d+", done.stdout, re.M), done.stdout
        assert f"127.0.0.1:{demo_portal.port}" in done.stdout

    def test_second_up_on_the_same_data_dir_is_refused(self, demo_portal: Launcher):
        done = run_govcat("up", "--data-dir", str(demo_portal.data_dir), "--port",
                          str(free_port()), timeout=60)
        assert done.returncode != 0
        assert "already running" in done.stderr
        assert demo_portal.get("/api/3/action/status_show")["success"]

    def test_port_in_use_is_refused(self, demo_portal: Launcher, tmp_data_root: Path):
        other = tmp_data_root / "port-clash"
        done = run_govcat("up", "--data-dir", str(other), "--port", str(demo_portal.port),
                          timeout=60)
        assert done.returncode != 0
        assert f"Port {demo_portal.port}" in done.stderr and "--port" in done.stderr
        assert not (other / "postgres").exists()


def urllib_quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


class TestLifecycle:
    """Start, stop, restart a portal of its own; nothing may be left running."""

    def test_stop_restart_keeps_data_and_leaves_nothing_running(
            self, own_portal: Launcher, demo_portal: Launcher):
        portal = own_portal
        portal.up(env={"CKAN_SYSADMIN_NAME": "chief", "CKAN_SYSADMIN_PASSWORD": "s3cret-Pass",
                       "CKAN_SYSADMIN_EMAIL": "chief@example.gov.cn"})
        banner = _read_until_banner(portal)
        assert "admin:   chief" in banner and "s3cret" not in banner
        assert not (portal.data_dir / "admin.json").exists()
        # Side by side with the demo portal: two data directories, two ports.
        assert portal.get("/api/3/action/status_show")["result"]["site_url"] == portal.url
        assert demo_portal.get("/api/3/action/status_show")["result"]["site_url"] != portal.url
        token = portal.token("chief")
        portal.post("organization_create", department("lifecycle-dept", "测试局"), token)
        portal.post("package_create", information_resource(
            "kept-across-restarts", "重启后仍在", "lifecycle-dept", "307001/1"), token)
        pids = portal.own_pids()
        assert len(pids) >= 7  # launcher, gunicorn master + worker, workers, postgres, redis
        assert portal.stop(signal.SIGTERM) == 0
        assert "GovCat stopped." in portal.output
        assert [p for p in pids if _alive(p)] == []
        assert processes_mentioning(str(portal.data_dir)) == []

        # A crash leaves pid files behind: one naming a dead pid, one naming a live process
        # that is not ours (this test), which must not be signalled.
        run = portal.data_dir / "run"
        (run / "govcat.pid").write_text("999999")
        (run / "web.pid").write_text(str(os.getpid()))
        portal.up()
        assert "Recovered from an unclean stop" in _read_until_banner(portal)
        shown = portal.get("/api/3/action/package_show?id=kept-across-restarts")["result"]
        assert shown["title"] == "重启后仍在"
        secrets_before = json.loads((portal.data_dir / "secrets.json").read_text())
        done = run_govcat("down", "--data-dir", str(portal.data_dir))
        assert done.returncode == 0 and "Stopped GovCat" in done.stdout
        portal.proc.wait(timeout=60)
        assert processes_mentioning(str(portal.data_dir)) == []
        assert json.loads((portal.data_dir / "secrets.json").read_text()) == secrets_before
        status = run_govcat("status", "--data-dir", str(portal.data_dir))
        assert status.returncode == 3 and re.search(r"^web\s+stopped|^launcher\s+stopped",
                                                     status.stdout, re.M)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(") ", 1)[-1][0] != "Z"


def _read_until_banner(portal: Launcher) -> str:
    """The launcher's output up to its "running at" banner (it keeps running)."""
    assert portal.proc is not None and portal.proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + 30
    while "Press Ctrl-C" not in seen and time.monotonic() < deadline:
        seen += portal.proc.stdout.readline()
    portal.output += seen
    return seen


class TestBadSituations:
    def test_unreachable_database_names_the_variable(self, tmp_data_root: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = s.getsockname()[1]  # bound, never listening: connections are refused
            env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
            url = f"postgresql://nobody@127.0.0.1:{dead}/ckan"
            env.update(CKAN_SQLALCHEMY_URL=url, CKAN_DATASTORE_WRITE_URL=url,
                       CKAN_DATASTORE_READ_URL=url)
            data_dir = tmp_data_root / "unreachable"
            done = run_govcat("up", "--data-dir", str(data_dir), "--port", str(free_port()),
                              env=env, timeout=90)
        assert done.returncode != 0
        assert "CKAN_SQLALCHEMY_URL" in done.stderr
        assert "Traceback" not in done.stderr
        assert processes_mentioning(str(data_dir)) == []

    def test_data_dir_from_another_postgresql_version_is_refused(self, tmp_data_root: Path):
        data_dir = tmp_data_root / "old-pg"
        pgdata = data_dir / "postgres" / "pgdata"
        pgdata.mkdir(parents=True)
        (pgdata / "PG_VERSION").write_text("9\n")
        done = run_govcat("up", "--data-dir", str(data_dir), "--port", str(free_port()),
                          timeout=60)
        assert done.returncode != 0
        assert "PostgreSQL 9 cluster" in done.stderr and "dump it" in done.stderr
        assert (pgdata / "PG_VERSION").read_text() == "9\n"  # untouched
        assert processes_mentioning(str(data_dir)) == []

    def test_ckan_without_a_portal_says_what_to_do(self, tmp_data_root: Path):
        done = run_govcat("ckan", "--data-dir", str(tmp_data_root / "nothing"), "db", "version")
        assert done.returncode != 0 and "govcat up" in done.stderr
