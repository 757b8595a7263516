"""Validators of the govcat schemas. The rules themselves live in the pure ``catalog`` room; these
functions only move values between CKAN's flattened data and a catalog record.

``govcat_catalog_rules`` is the dataset schema's ``before_validators`` entry: it fills provider
and provider code from the owning department when they are empty, normalises labels (e.g.
依申请开放 → conditional, keeping the original in ``open_type_label``), runs R1–R20, puts every
error on its field and stores the warnings, as JSON, in ``catalog_warnings``.
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic.validators import owner_org_validator, package_name_validator
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ..catalog import rules, uscc
from ..catalog.messages import N_, Message, render
from ..catalog.text import clean
from . import config as catalog_config

# Scalar dataset fields the catalog record carries (beyond data_items).
__all__ = ["govcat_catalog_rules", "govcat_uscc", "govcat_region_code", "govcat_department_class",
           "govcat_parent_department", "govcat_json_list", "govcat_package_name",
           "govcat_owner_org"]

RECORD_FIELDS = tuple(rules.FIELD_LABELS) + ("code_scheme", "open_type_label", "private")
ITEM_FIELDS = ("name", "data_type", "length", "description")
_SLUG = re.compile(r"[^a-z0-9]+")


def _record_from_flat(data: FlattenDataDict) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = data.get((name,))
        if value is not None and value is not tk.missing:
            record[name] = value
    items: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        if len(key) == 3 and key[0] == "data_items" and key[2] in ITEM_FIELDS \
                and value is not tk.missing:
            items.setdefault(int(key[1]), {})[key[2]] = value
    record["data_items"] = [items[i] for i in sorted(items)]
    return record


def _department(data: FlattenDataDict) -> model.Group | None:
    owner = data.get(("owner_org",))
    if not owner or owner is tk.missing:
        return None
    return model.Group.get(owner)


def _fill_from_department(record: dict[str, Any], data: FlattenDataDict) -> None:
    if clean(record.get("provider")) and clean(record.get("provider_code")):
        return
    org = _department(data)
    if org is None:
        return
    if not clean(record.get("provider")):
        record["provider"] = org.title
    if not clean(record.get("provider_code")):
        record["provider_code"] = (org.extras or {}).get("provider_code", "")


def code_taken_by(code: str, package_id: str | None) -> str | None:
    """Name of another live dataset holding resource ``code``, or None."""
    query = model.Session.query(model.Package.name).filter(
        model.Package.extras["resource_code"].astext == code,
        model.Package.state != "deleted")
    if package_id:
        query = query.filter(model.Package.id != package_id)
    row = query.first()
    return row[0] if row else None


def codes_under(prefix: str) -> list[str]:
    """Resource codes of live datasets starting with ``prefix``."""
    column = model.Package.extras["resource_code"].astext
    rows = model.Session.query(column).filter(
        column.startswith(prefix, autoescape=True), model.Package.state != "deleted")
    return [row[0] for row in rows]


def _add_error(errors: FlattenErrorDict, field: str, message: str) -> None:
    if field == "data_items":
        # Errors about the item list go on the list itself; the (always empty, as subfield
        # validators never fail) per-item entries would clash with it when unflattened.
        for key in [k for k in errors if len(k) == 3 and k[0] == "data_items" and not errors[k]]:
            del errors[key]
    errors.setdefault((field,), []).append(message)


def govcat_catalog_rules(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                         context: Context) -> None:
    standard = catalog_config.standard()
    record = _record_from_flat(data)
    record.setdefault("code_scheme", catalog_config.code_scheme())
    record.setdefault("private", False)  # CKAN's default: a dataset is public unless marked
    _fill_from_department(record, data)
    normal = rules.normalise(record, standard)
    for name in RECORD_FIELDS:
        if name in normal and name not in ("private", "related_codes"):
            data[(name,)] = normal[name]
    data[("related_codes",)] = ", ".join(normal.get("related_codes") or [])
    for index, item in enumerate(normal["data_items"]):
        for field in ITEM_FIELDS:
            if (("data_items", index, field)) in data or item.get(field):
                data[("data_items", index, field)] = item.get(field, "")
    name = data.get(("name",))
    if (not name or name is tk.missing) and normal.get("resource_code"):
        data[("name",)] = "res-" + _SLUG.sub("-", normal["resource_code"].lower()).strip("-")

    issues = rules.check(normal, standard, scheme=standard.schemes.get(normal["code_scheme"]))
    code = normal.get("resource_code")
    if code and not context.get("govcat_codes_checked"):  # bulk importers check codes in bulk
        package_id = data.get(("id",))
        other = code_taken_by(code, package_id if isinstance(package_id, str) else
                              (context.get("package").id if context.get("package") else None))
        if other:
            issues.append(rules.Issue("R3", "resource_code", "error", Message(
                N_("「信息资源代码」{code} 已被资源 {other} 使用，信息资源代码必须唯一。"),
                code=code, other=other)))
    for issue in issues:
        if issue.is_error:
            _add_error(errors, issue.field, render(issue.message, tk._))
    data[("catalog_warnings",)] = json.dumps(
        [i.as_dict(tk._) for i in issues if not i.is_error], ensure_ascii=False)


def govcat_package_name(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                        context: Context) -> Any:
    """CKAN's ``package_name_validator``, unless a bulk writer has checked the names of its whole
    batch in one query (context ``govcat_names_checked``)."""
    if context.get("govcat_names_checked"):
        return None
    return package_name_validator(key, data, errors, context)


def govcat_owner_org(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                     context: Context) -> Any:
    """CKAN's ``owner_org_validator``, unless a bulk writer has resolved and authorised the
    departments (context ``govcat_departments``: their ids); then the value must be one of them."""
    departments = context.get("govcat_departments")
    if departments is None:
        return owner_org_validator(key, data, errors, context)
    if data.get(key) not in departments:
        raise tk.Invalid(tk._("部门 {name} 不在本次导入的部门中").format(name=data.get(key)))
    return None


def govcat_uscc(value: Any) -> Any:
    """A department's provider code: empty, or a valid 统一社会信用代码 (stored upper case)."""
    if value is tk.missing or not clean(value):
        return ""
    problem = uscc.problem(value)
    if problem:
        raise tk.Invalid(tk._("不是有效的统一社会信用代码：{problem}").format(
            problem=render(problem, tk._)))
    return uscc.normalise(value)


def govcat_region_code(value: Any) -> Any:
    """A GB/T 2260 region code, or empty."""
    if value is tk.missing or not clean(value):
        return ""
    problem = catalog_config.standard().regions.problem(value)
    if problem:
        raise tk.Invalid(tk._("行政区划代码{problem}").format(problem=render(problem, tk._)))
    return clean(value)


def govcat_department_class(value: Any) -> Any:
    """One of 党委/人大/政府/政协/法院/检察院/其他 (labels and synonyms accepted), or empty."""
    if value is tk.missing or not clean(value):
        return ""
    vocabulary = catalog_config.standard().vocabularies["department_class"]
    term = vocabulary.lookup(value)
    if term is None:
        raise tk.Invalid(tk._("部门类别应为：{labels}").format(
            labels="、".join(t.label for t in vocabulary.terms)))
    return term.value


def govcat_parent_department(value: Any, context: Context) -> Any:
    """Name or id of an existing department, or empty."""
    if value is tk.missing or not clean(value):
        return ""
    group = model.Group.get(clean(value))
    if group is None or not group.is_organization:
        raise tk.Invalid(tk._("上级部门「{name}」不存在").format(name=clean(value)))
    return group.name


def govcat_json_list(value: Any) -> Any:
    """Stored JSON text shown as a list (``catalog_warnings``)."""
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return []
    return value
