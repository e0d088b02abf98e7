"""Working days on the Chinese calendar: statutory holidays and 调休 make-up working days included.

Uses the ``chinesecalendar`` tables where they cover the year; outside them, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def workdays(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end`` inclusive (0 if ``end`` is before ``start``)."""
    if end < start:
        return 0
    return sum(1 for n in range((end - start).days + 1) if is_workday(start + dt.timedelta(days=n)))


def workday_delta(planned: dt.date, actual: dt.date) -> int:
    """Signed working days from ``planned`` to ``actual``: positive when late, negative when early."""
    if actual == planned:
        return 0
    if actual > planned:
        return workdays(planned + dt.timedelta(days=1), actual)
    return -workdays(actual + dt.timedelta(days=1), planned)
