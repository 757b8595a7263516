"""Dates with a time of day in the visitor's language (``govcat_theme``).

CKAN 2.12 renders ``h.render_datetime(..., with_hours=True)`` (activity streams, API tokens,
harvest jobs, access applications) with the fixed English pattern ``MMMM d, YYYY, HH:mm (z)``,
which in Chinese reads "十一月 21, 2026, 15:51 (+0800)". The chained helper below uses the locale's
own date-time pattern instead ("2026年11月21日 15:51"; "November 21, 2026 at 3:51 PM" in English),
in the portal's ``ckan.display_timezone`` like CKAN. Dates without a time, explicit
``date_format`` strings and relative times ("3分钟前") are CKAN's, unchanged.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional

import flask_babel
from babel import Locale
from babel import dates as babel_dates

import ckan.plugins.toolkit as tk


def datetime_pattern(locale: Locale, with_seconds: bool = False) -> str:
    """The locale's long date with its short (or, with seconds, medium) time of day."""
    date = babel_dates.get_date_format("long", locale).pattern
    time = babel_dates.get_time_format("medium" if with_seconds else "short", locale).pattern
    return babel_dates.get_datetime_format("long", locale).replace("{1}", date).replace(
        "{0}", time)


def _as_datetime(value: Any) -> Optional[dt.datetime]:
    if isinstance(value, str):
        try:
            value = tk.h.date_str_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return value if isinstance(value, dt.datetime) else None


@tk.chained_helper
def render_datetime(next_helper: Callable[..., str], datetime_: Any,
                    date_format: Optional[str] = None, with_hours: bool = False,
                    with_seconds: bool = False) -> str:
    """CKAN's ``render_datetime``; a date with its time follows the locale's pattern.
    Naive datetimes and timestamps are UTC, shown in ``ckan.display_timezone``."""
    if date_format or not (with_hours or with_seconds):
        return next_helper(datetime_, date_format, with_hours, with_seconds)
    moment = _as_datetime(datetime_)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return flask_babel.format_datetime(
        moment, datetime_pattern(flask_babel.get_locale(), with_seconds))
