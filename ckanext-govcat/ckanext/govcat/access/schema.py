"""Validation schemas of the access actions (CKAN navl schemas)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

_ = tk._


def id_list(value: Any) -> list[str]:
    """A list of ids from a list or a comma/space separated string."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(_("应为资源 id 列表"))
    return [v.strip() for v in value if v.strip()]


def iso_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise tk.Invalid(_("日期格式应为 YYYY-MM-DD"))


def _v(name: str) -> Any:
    return tk.get_validator(name)


def _required_text() -> list[Any]:
    return [_v("not_empty"), _v("unicode_safe"), _v("strip_value")]


def application_fields(required: bool) -> Schema:
    optional = [_v("ignore_missing"), _v("unicode_safe"), _v("strip_value")]
    need = _required_text() if required else [_v("ignore_missing"), *_required_text()]
    return {
        "resource_ids": [_v("ignore_missing"), id_list],
        "applicant_type": [_v("not_empty") if required else _v("ignore_missing"),
                           _v("one_of")(["person", "organization"])],
        "applicant_name": need,
        "uscc": optional,
        "purpose": need,
        "scenario": need,
        "security_measures": optional,
        "contact": need,
        "period_start": [_v("ignore_missing"), iso_date],
        "period_end": [_v("ignore_missing"), iso_date],
        "agreement_accepted": [_v("ignore_missing"), _v("boolean_validator")],
    }


def application_create() -> Schema:
    return {"package_id": _required_text(), **application_fields(required=True)}


def application_update() -> Schema:
    return {"id": _required_text(), **application_fields(required=False)}


def nothing() -> Schema:
    return {}


def by_id() -> Schema:
    return {"id": _required_text()}


def with_reason() -> Schema:
    return {"id": _required_text(),
            "reason": [_v("ignore_missing"), _v("unicode_safe"), _v("strip_value")]}


def application_decide() -> Schema:
    return {**with_reason(),
            "decision": [_v("not_empty"), _v("one_of")(["approve", "reject", "return"])],
            "resource_ids": [_v("ignore_missing"), id_list],
            "expires": [_v("ignore_missing"), iso_date]}


def _paging() -> Schema:
    return {"limit": [_v("default")(50), _v("natural_number_validator"),
                      _v("limit_to_configured_maximum")("ckan.search.rows_max", 1000)],
            "offset": [_v("default")(0), _v("natural_number_validator")]}


def application_list() -> Schema:
    text = [_v("ignore_missing"), _v("unicode_safe")]
    return {"review": [_v("default")(False), _v("boolean_validator")],
            "state": text, "package_id": text, "owner_org": text,
            "overdue": [_v("default")(False), _v("boolean_validator")], **_paging()}


def grant_list() -> Schema:
    text = [_v("ignore_missing"), _v("unicode_safe")]
    return {"package_id": text, "user": text,
            "include_inactive": [_v("default")(False), _v("boolean_validator")], **_paging()}


def report_create() -> Schema:
    return {"grant_id": _required_text(), "title": _required_text(),
            "description": [_v("ignore_missing"), _v("unicode_safe")],
            "url": [_v("ignore_missing"), _v("unicode_safe"), _v("url_validator")]}


def register() -> Schema:
    return {"package_id": [_v("ignore_missing"), _v("unicode_safe")], **_paging()}


def audit_list() -> Schema:
    text = [_v("ignore_missing"), _v("unicode_safe")]
    return {"package_id": text, "grant_id": text, **_paging()}
