"""Review deadlines in working days (pure code): weekends and listed holidays do not count."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date] = (),
                     workdays: Iterable[dt.date] = ()) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count).

    Saturdays, Sundays and ``holidays`` are not working days; ``workdays`` lists weekend dates
    that are worked (调休). ``days`` must be >= 0; 0 returns ``start``.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    off = set(holidays)
    on = set(workdays)
    current = start
    left = days
    while left:
        current += dt.timedelta(days=1)
        if is_working_day(current, off, on):
            left -= 1
    return current


def is_working_day(day: dt.date, holidays: set[dt.date] | frozenset[dt.date] = frozenset(),
                   workdays: set[dt.date] | frozenset[dt.date] = frozenset()) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] = (),
                         workdays: Iterable[dt.date] = ()) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``."""
    off, on = set(holidays), set(workdays)
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day, off, on)
    return sign * count
