"""Working days on the Chinese calendar: statutory holidays and 调休 make-up working days included.

Uses the ``chinesecalendar`` tables where they cover the year; outside them, Monday to Friday. The
State Council publishes each year's arrangement late in the year before, often after the package's
last release, so a company (``salespm.yaml``) or a project (``config.yaml``) can add days under
``calendar.holidays`` and ``calendar.workdays``; those win over the tables. ``Facts.calendar`` is
the project's calendar, and ``uncovered_years`` tells the user when dates fall in a year that
neither the tables nor the configuration describe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=8192)
def _table(day: dt.date) -> bool | None:
    """The tables' verdict for ``day``, or ``None`` when they do not cover its year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class WorkCalendar:
    """The tables, corrected by configured holidays and make-up working days."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    """放假日期（不计为工作日）。"""
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    """调休上班日（计为工作日）。"""

    def is_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        table = _table(day)
        return day.weekday() < 5 if table is None else table

    def covers(self, year: int) -> bool:
        """Whether the holidays of ``year`` are known (tables, or days configured in that year)."""
        return (_table(dt.date(year, 1, 1)) is not None
                or any(d.year == year for d in self.holidays | self.workdays))

    def uncovered_years(self, days) -> list[int]:
        """The years of ``days`` (dates or ``None``) whose holidays are not known, in order."""
        return sorted(y for y in {d.year for d in days if d is not None} if not self.covers(y))

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end`` inclusive (0 if ``end`` is before ``start``)."""
        if end < start:
            return 0
        return sum(1 for n in range((end - start).days + 1) if self.is_workday(start + dt.timedelta(days=n)))

    def delta(self, planned: dt.date, actual: dt.date) -> int:
        """Signed working days from ``planned`` to ``actual``: positive when late, negative when early."""
        if actual == planned:
            return 0
        if actual > planned:
            return self.workdays_between(planned + dt.timedelta(days=1), actual)
        return -self.workdays_between(actual + dt.timedelta(days=1), planned)

