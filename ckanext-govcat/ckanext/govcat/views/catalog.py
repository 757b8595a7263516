"""Catalog pages: tree browse with counts (全部 / 共享目录 / 开放目录), 部门目录, statistics,
workbook import and export."""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import openpyxl
from flask import Blueprint, make_response

import ckan.authz as authz
import ckan.plugins.toolkit as tk

catalog = Blueprint("govcat_catalog", __name__, url_prefix="/catalog")

VIEW_TITLES = {"all": "政务信息资源目录", "share": "共享目录", "open": "开放目录"}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def tree(view: str = "all") -> str:
    organization = tk.request.args.get("organization", "")
    data = tk.get_action("govcat_catalog_tree")(
        _context(), {"view": view, "organization": organization})
    return tk.render("govcat/catalog/tree.html",
                     {"tree": data, "view": view, "view_titles": VIEW_TITLES,
                      "organization": organization})


def departments() -> str:
    result = tk.get_action("package_search")(
        _context(), {"q": "", "rows": 0, "facet.field": ["organization"], "facet.limit": -1})
    counts = {i["name"]: i["count"]
              for i in result["search_facets"].get("organization", {}).get("items", [])}
    orgs = tk.get_action("organization_list")(_context(), {"all_fields": True,
                                                            "include_extras": True})
    rows = [dict(org, dataset_count=counts.get(org["name"], 0)) for org in orgs]
    return tk.render("govcat/catalog/departments.html", {"departments": rows})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> Any:
    response = make_response(data)
    response.headers["Content-Type"] = XLSX
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export() -> Any:
    """The catalog (scope all/share/open, optionally one department) as a filling-template .xlsx.
    The datasets the visitor may see, as in search (sysadmins: all)."""
    from ..logic import importer

    scope = tk.request.args.get("scope", "all")
    organization = tk.request.args.get("organization") or None
    user = _context()["user"] or None
    try:
        data = importer.export_workbook(scope, organization,
                                        include_private=authz.is_sysadmin(user), user=user)
    except tk.ValidationError:
        return tk.abort(400, "导出范围应为 all、share 或 open")
    except tk.ObjectNotFound:
        return tk.abort(404, "部门不存在")
    return _xlsx(data, f"catalog-{scope}{'-' + organization if organization else ''}.xlsx")


def _import_departments() -> list[dict[str, Any]]:
    user = _context()["user"]
    if not user:
        return []
    return tk.get_action("organization_list_for_user")(
        _context(), {"id": user, "permission": "manage_group"})


def import_form() -> Any:
    """Upload a workbook: check (dry run), download the error report, or import."""
    departments = _import_departments()
    if not departments:
        return tk.abort(403, "只有部门管理员可以导入目录")
    extra: dict[str, Any] = {"departments": departments, "result": None, "errors": {}}
    if tk.request.method == "POST":
        upload = tk.request.files.get("upload")
        organization = tk.request.form.get("organization") or None
        action = tk.request.form.get("action", "check")
        if upload is None or not upload.filename:
            extra["errors"] = {"upload": ["请选择要上传的 .xlsx 或 .csv 文件"]}
            return tk.render("govcat/catalog/import.html", extra)
        if action == "report":
            from ..catalog.workbook import WorkbookError
            from ..logic import importer

            data = upload.stream.read()
            try:
                tk.check_access("govcat_catalog_import", _context(), {"organization": organization})
                report, _ = importer.read(io.BytesIO(data), upload.filename,
                                          organization=organization)
            except (WorkbookError, tk.ObjectNotFound) as exc:
                extra["errors"] = {"upload": [str(exc)]}
                return tk.render("govcat/catalog/import.html", extra)
            except tk.NotAuthorized as exc:
                return tk.abort(403, str(exc))
            return _xlsx(importer.error_report(io.BytesIO(data), upload.filename, report),
                         "校验报告-" + upload.filename.rsplit(".", 1)[0] + ".xlsx")
        try:
            extra["result"] = tk.get_action("govcat_catalog_import")(
                _context(), {"upload": upload, "organization": organization,
                             "dry_run": action != "import"})
        except tk.ValidationError as exc:
            extra["errors"] = exc.error_dict
        except tk.NotAuthorized as exc:
            return tk.abort(403, str(exc))
        extra["action"] = action
    return tk.render("govcat/catalog/import.html", extra)


def statistics() -> Any:
    from ..logic import statistics as stats_mod

    data = tk.get_action("govcat_catalog_statistics")(_context(), {})
    if tk.request.args.get("format") == "xlsx":
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("目录统计")
        sheet.append(list(stats_mod.HEADERS))
        for row in stats_mod.table_rows(data):
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return _xlsx(out.getvalue(), "catalog-statistics.xlsx")
    return tk.render("govcat/catalog/statistics.html",
                     {"stats": data, "headers": stats_mod.HEADERS,
                      "rows": stats_mod.table_rows(data)})


catalog.add_url_rule("/", view_func=tree, defaults={"view": "all"}, endpoint="index")
catalog.add_url_rule("/share", view_func=tree, defaults={"view": "share"}, endpoint="share")
catalog.add_url_rule("/open", view_func=tree, defaults={"view": "open"}, endpoint="open")
catalog.add_url_rule("/departments", view_func=departments, endpoint="departments")
catalog.add_url_rule("/export", view_func=export, endpoint="export")
catalog.add_url_rule("/import", view_func=import_form, endpoint="import",
                     methods=["GET", "POST"])
catalog.add_url_rule("/statistics", view_func=statistics, endpoint="statistics")


def get_blueprints() -> list[Blueprint]:
    return [catalog]
