"""Catalog workbook benchmark: a Hebei-sized filling-template workbook (REFERENCE §11: 16,370
resources, 195,209 data items, 48 departments), timed as dry run, as import, and against the same
datasets created one by one through ``package_create``.

    .venv/bin/python -m bench.catalog [--scale 1.0] [--one-by-one-limit N]

``--scale`` shrinks the workbook (0.1 = 1,637 resources); ``--one-by-one-limit`` times only the
first N one-by-one creations and extrapolates (the full run creates all of them, ~15-25 min).
The import is ``importer.read`` (the dry run) plus ``importer.write`` (bulk writer, one
transaction, batched index); one by one is ``package_create`` per dataset, each committed and
indexed on its own, as an API client would do it. Uses private PostgreSQL/Redis (or the servers
named by CKAN_SQLALCHEMY_URL / CKAN_REDIS_URL) and config/test.ini with the catalog plugins.
Targets (2 cores): dry run < 60 s, import < 5 min and >= 2x faster than one by one, peak RSS
< 2 GB.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RESOURCES = 16_370
DATA_ITEMS = 195_209
DEPARTMENTS = 48
TYPES = ("字符型C", "数值型", "日期型", "整型")


def uscc_for(n: int) -> str:
    from ckanext.govcat.catalog.uscc import check_char

    body = f"11130000MB{n:07d}"
    return body + check_char(body)


def write_workbook(path: Path, resources: int, items: int, classes: list[str]) -> None:
    import openpyxl

    from ckanext.govcat.catalog.workbook import Layout

    HEADERS = [c.header for c in Layout.load().columns]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("目录")
    sheet.append(HEADERS)
    code_col = HEADERS.index("信息资源代码")
    per, extra = divmod(items, resources)
    for n in range(resources):
        dept = n % DEPARTMENTS
        cls = classes[n % len(classes)]
        base = [None] * len(HEADERS)
        values = {"信息资源名称": f"部门{dept}资源{n}号数据集", "信息资源提供方": f"测试部门{dept}",
                  "信息资源提供方代码": uscc_for(dept), "信息资源摘要": "基准测试用信息资源",
                  "信息资源分类代码": cls, "信息资源格式分类": "数据库", "信息资源格式类型": "oracle",
                  "共享类型": "有条件共享", "共享条件/不予共享依据": "仅限相关部门", "共享方式分类": "共享平台方式",
                  "共享方式类型": "接口", "是否向社会开放": "是" if n % 6 == 0 else "否",
                  "开放条件": "依申请" if n % 6 == 0 else None, "更新周期": "每月", "发布日期": "2017-11-10",
                  "数据存储总量": n, "结构化信息记录总数": n * 10}
        for key, value in values.items():
            if key in HEADERS:
                base[HEADERS.index(key)] = value
        base[code_col] = f"{cls}/{n + 1}"
        for i in range(per + (1 if n < extra else 0)):
            row = list(base)
            row[HEADERS.index("信息项名称")] = f"字段{i}"
            row[HEADERS.index("数据类型")] = TYPES[i % len(TYPES)]
            row[HEADERS.index("数据长度")] = 20 if i % len(TYPES) in (0, 1) else None
            sheet.append(row)
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--one-by-one-limit", type=int, default=0)
    parser.add_argument("--ini", default=str(ROOT / "config" / "test.ini"))
    args = parser.parse_args()

    from ckanext.govcat.launcher.services import resolve_services

    data_dir = Path(tempfile.mkdtemp(prefix="govcat-bench-"))
    services = resolve_services(data_dir)
    os.environ.update(services.urls.as_env())
    try:
        run(args, data_dir)
    finally:
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _fresh_catalog() -> str:
    """Empty database and index with the benchmark departments; returns the site user."""
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers
    from ckan.tests.helpers import call_action

    from .env import pooled_engine_kept

    with pooled_engine_kept():
        helpers.reset_db()
        _run_migrations("govcat_search")
    search.clear_all()
    site_user = call_action("get_site_user")["name"]
    for dept in range(DEPARTMENTS):
        call_action("organization_create", context={"user": site_user}, name=f"dept-{dept}",
                    title=f"测试部门{dept}", provider_code=uscc_for(dept))
    return site_user


def run(args: argparse.Namespace, data_dir: Path) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    from ckanext.govcat.logic.config import catalog_settings

    config = load_config(args.ini)
    config.update(catalog_settings())
    app = make_app(config)
    with app._wsgi_app.test_request_context():
        import ckan.model as model
        from ckan.tests.helpers import call_action

        from ckanext.govcat.logic import config as catalog_config
        from ckanext.govcat.logic import importer

        model.repo.init_db()
        site_user = _fresh_catalog()
        tree = catalog_config.standard().tree
        classes = [n.code for n in tree.walk() if n.level >= 3]
        resources = max(1, int(RESOURCES * args.scale))
        items = max(resources, int(DATA_ITEMS * args.scale))
        path = data_dir / "hebei.xlsx"
        started = time.perf_counter()
        write_workbook(path, resources, items, classes)
        print(f"workbook: {resources} resources, {items} data items, "
              f"{path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        report, existing = importer.read(str(path), path.name)
        dry = time.perf_counter() - started
        assert report.ok, [line.message for line in report.errors[:5]]
        print(f"dry run:  {dry:8.1f} s  ({report.summary()})")

        started = time.perf_counter()
        if os.environ.get("GOVCAT_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            created, _ = profile.runcall(importer.write, report, existing, site_user)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        else:
            created, _ = importer.write(report, existing, site_user)
        imported = time.perf_counter() - started
        assert len(created) == resources
        print(f"import:   {imported:8.1f} s  ({imported / resources * 1000:.1f} ms/dataset, "
              f"dry run + import {dry + imported:.1f} s)")

        site_user = _fresh_catalog()
        departments = {uscc_for(d): f"dept-{d}" for d in range(DEPARTMENTS)}
        limit = args.one_by_one_limit or resources
        records = [e.record for e in report.entries[:limit]]
        started = time.perf_counter()
        for record in records:
            data = {k: v for k, v in record.items() if k != "catalog_warnings"}
            data["owner_org"] = departments[record["provider_code"]]
            call_action("package_create", context={"user": site_user}, **data)
        one = (time.perf_counter() - started) * resources / len(records)
        note = "" if len(records) == resources else f" (extrapolated from {len(records)})"
        print(f"one by one: {one:6.1f} s  ({one / resources * 1000:.1f} ms/dataset){note}")
        ratio = one / (dry + imported)
        print(f"speed-up (one by one / (dry run + import)): {ratio:.2f}x")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:.0f} MB")
        print(f"\n{'':24}{'seconds':>10}{'ms/dataset':>12}   target")
        for label, seconds, target in (
                ("dry run", dry, "< 60 s"), ("import", imported, ""),
                ("dry run + import", dry + imported, "< 300 s"),
                ("one by one" + ("*" if note else ""), one, "")):
            print(f"{label:24}{seconds:10.1f}{seconds / resources * 1000:12.1f}   {target}")
        print(f"{'speed-up':24}{ratio:9.2f}x{'':12}   >= 2x")
        print(f"{'peak RSS (MB)':24}{peak:10.0f}{'':12}   < 2048")
        if note:
            print(f"* extrapolated from the first {len(records)} datasets")

if __name__ == "__main__":
    main()
