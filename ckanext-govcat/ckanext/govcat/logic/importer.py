"""Workbook import and export on CKAN: all or nothing, re-import updates in place by resource code.

The import runs the catalog rules on the whole file first (dry run). Only a file without errors is
written: new datasets go through the dataset schema (the same validators as ``package_create``)
and are written in batches by ``bulk.BulkWriter``, existing ones (same resource code) through
``package_patch``, all inside one database transaction; the transaction is committed once, then
the written datasets are indexed in batches. Any failure rolls back.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Optional

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels

from ..catalog import workbook
from ..catalog.messages import N_, Message
from ..catalog.text import clean, match_key
from ..catalog.workbook import Line, Report
from . import config as catalog_config
from .bulk import BulkWriter

Progress = Callable[[int], None]
EXPORT_SCOPES = ("all", "share", "open")


@dataclass
class ImportResult:
    report: Report
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def as_dict(self, max_lines: int = 1000) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "ok": self.report.ok, **self.report.summary(),
                "created": len(self.created), "updated": len(self.updated),
                "lines": [line.as_dict(tk._) for line in self.report.lines[:max_lines]]}


@dataclass(frozen=True)
class Existing:
    id: str
    name: str
    owner_org: Optional[str]
    provider_code: str


def existing_datasets() -> dict[str, Existing]:
    """Live datasets by resource code (one query)."""
    code = model.Package.extras["resource_code"].astext
    provider = model.Package.extras["provider_code"].astext
    rows = model.Session.query(code, model.Package.id, model.Package.name,
                               model.Package.owner_org, provider).filter(
        code.isnot(None), model.Package.state != "deleted")
    return {row[0]: Existing(row[1], row[2], row[3], row[4] or "") for row in rows}


def _departments() -> list[model.Group]:
    return model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").all()


def _assign_departments(report: Report, organization: Optional[str],
                        existing: dict[str, Existing]) -> None:
    """Set ``owner_org`` on every entry: the given department, or the one whose USCC or name
    matches the row's provider. Rows without a department, or re-imports moving a code to another
    department, become errors."""
    layout_provider = "信息资源提供方"
    fixed: Optional[model.Group] = None
    if organization:
        fixed = model.Group.get(organization)
        if fixed is None or not fixed.is_organization:
            raise tk.ObjectNotFound(f"部门 {organization} 不存在")
    by_code: dict[str, model.Group] = {}
    by_title: dict[str, model.Group] = {}
    if fixed is None:
        for org in _departments():
            if (org.extras or {}).get("provider_code"):
                by_code[org.extras["provider_code"]] = org
            by_title[match_key(org.title)] = org
    for entry in report.entries:
        record = entry.record
        org = fixed or by_code.get(clean(record.get("provider_code"))) or \
            by_title.get(match_key(record.get("provider")))
        resource = clean(record.get("resource_code")) or clean(record.get("title"))
        if org is None:
            report.lines.append(Line(entry.rows[0], layout_provider, "error", "R16", Message(
                N_("「信息资源提供方」{provider} 没有对应的部门。"
                   "请先创建该部门（填写统一社会信用代码），或导入时指定部门。"),
                provider=clean(record.get("provider"))), resource))
            continue
        record["owner_org"] = org.id
        held = existing.get(clean(record.get("resource_code")))
        if held is not None and held.owner_org and held.owner_org != org.id:
            report.lines.append(Line(entry.rows[0], "信息资源代码", "error", "R3", Message(
                N_("「信息资源代码」{code} 已属于其他部门的资源 {other}，不能导入到本部门。"),
                code=resource, other=held.name), resource))


def read(source: IO[bytes] | str, filename: str, *, organization: Optional[str] = None
         ) -> tuple[Report, dict[str, Existing]]:
    """Parse and check a workbook against the catalog in the database (the dry run)."""
    standard = catalog_config.standard()
    layout = workbook.Layout.load()
    report = workbook.parse(workbook.iter_rows(source, filename), standard, layout,
                            max_rows=catalog_config.import_max_rows())
    existing = existing_datasets()
    workbook.check(report, standard, layout=layout,
                   existing_codes={code: e.provider_code for code, e in existing.items()})
    _assign_departments(report, organization, existing)
    report.lines.sort(key=lambda line: (line.row, line.severity != "error"))
    return report, existing


def target_departments(report: Report) -> set[str]:
    return {e.record["owner_org"] for e in report.entries if e.record.get("owner_org")}


def write(report: Report, existing: dict[str, Existing], user: str,
          progress: Optional[Progress] = None, batch_size: int = 500
          ) -> tuple[list[str], list[str]]:
    """Create or update every entry in one transaction (``bulk.BulkWriter``: the dataset schema
    runs once per dataset, rows are flushed in batches), commit once, then index the written
    datasets in batches. Any failure before the commit rolls everything back and indexes
    nothing. The caller has checked permissions and that ``report.ok``."""
    assert report.ok, "write() needs a report without errors"
    created: list[str] = []
    updated: list[str] = []
    writer = BulkWriter(user, target_departments(report), batch_size)
    try:
        for entry in report.entries:
            data = {k: v for k, v in entry.record.items() if k != "catalog_warnings"}
            held = existing.get(clean(data.get("resource_code")))
            try:
                if held is not None:
                    updated.append(writer.update(held.id, data))
                else:
                    created.append(writer.create(data))
            except tk.ValidationError as exc:  # name the row, as the dry run does
                raise tk.ValidationError({**exc.error_dict, "row": [
                    tk._("第{row}行（信息资源代码 {code}）").format(
                        row=entry.rows[0], code=clean(data.get("resource_code")))]}) from exc
            if progress:
                progress(1)
        writer.flush()
        writer.forget_notifications()
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    writer.index()
    return created, updated


def run(source: IO[bytes] | str, filename: str, *, user: str,
        organization: Optional[str] = None, dry_run: bool = False,
        authorize: Optional[Callable[[set[str]], None]] = None,
        progress: Optional[Progress] = None) -> ImportResult:
    """Dry run, then (unless ``dry_run`` or the file has errors) write. ``authorize`` gets the
    ids of the departments the file writes to and raises ``NotAuthorized`` to stop."""
    report, existing = read(source, filename, organization=organization)
    if authorize is not None:
        authorize(target_departments(report))
    result = ImportResult(report=report, dry_run=dry_run)
    if dry_run or not report.ok:
        return result
    result.created, result.updated = write(report, existing, user, progress)
    return result


# -- export ----------------------------------------------------------------------------------

def _visible_to(user: Optional[str]) -> Callable[[model.Package], bool]:
    """Whether ``user`` (None: anonymous) may see a dataset, decided as ``package_search``
    decides: sysadmins see all, others the datasets whose permission labels they hold
    (``IPermissionLabels``: private datasets for their department's members; closed ones, with
    ``govcat_access``, for the department's members only)."""
    if user and authz.is_sysadmin(user):
        return lambda pkg: True
    labels = get_permission_labels()
    held = set(labels.get_user_dataset_labels(model.User.get(user) if user else None))
    return lambda pkg: bool(held.intersection(labels.get_dataset_labels(pkg)))


def export_records(scope: str = "all", organization: Optional[str] = None,
                   include_private: bool = False, user: Optional[str] = None
                   ) -> Iterable[dict[str, Any]]:
    """Catalog records of live datasets, by resource code: ``share`` keeps shareable ones,
    ``open`` the ones open to the public. Only datasets ``user`` may see (None: what the public
    sees), unless ``include_private`` (every dataset: the operator's export). Records hold the
    catalog fields only, never a resource or its location."""
    if scope not in EXPORT_SCOPES:
        raise tk.ValidationError({"scope": [f"应为 {' / '.join(EXPORT_SCOPES)} 之一"]})
    query = model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.type == "dataset",
        model.Package.extras["resource_code"].astext.isnot(None))
    visible = (lambda pkg: True) if include_private else _visible_to(user)
    if not include_private and not user:
        query = query.filter(model.Package.private.is_(False))
    if organization:
        org = model.Group.get(organization)
        if org is None:
            raise tk.ObjectNotFound(f"部门 {organization} 不存在")
        query = query.filter(model.Package.owner_org == org.id)
    code = model.Package.extras["resource_code"].astext
    for pkg in query.order_by(code).yield_per(500):
        if not visible(pkg):
            continue
        record = package_record(pkg)
        if scope == "share" and record.get("share_type") not in ("unconditional", "conditional"):
            continue
        if scope == "open" and record.get("open_type") not in ("unconditional", "conditional"):
            continue
        yield record


def package_record(pkg: model.Package) -> dict[str, Any]:
    """The catalog record stored for one dataset (fields as in the schema)."""
    record: dict[str, Any] = dict(pkg.extras or {})
    record.update(title=pkg.title, notes=pkg.notes or "", name=pkg.name)
    try:
        record["data_items"] = json.loads(record.get("data_items") or "[]")
    except ValueError:
        record["data_items"] = []
    record.pop("catalog_warnings", None)
    return record


def export_workbook(scope: str = "all", organization: Optional[str] = None,
                    include_private: bool = False, user: Optional[str] = None) -> bytes:
    """The ``export_records`` of the same arguments as a filling-template workbook."""
    titles = {"all": "政务信息资源目录", "share": "共享目录", "open": "开放目录"}
    return workbook.write_workbook(export_records(scope, organization, include_private, user),
                                   catalog_config.standard(), title=titles[scope])


def error_report(source: IO[bytes] | str, filename: str, report: Report) -> bytes:
    """The uploaded sheet with a 校验结果 column (source must be readable again)."""
    return workbook.error_workbook(workbook.iter_rows(source, filename), report)

