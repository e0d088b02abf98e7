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
        """Working days from ``start`` to ``end`` inclusive (0 if ``end`` is before ``start``).

        Constant time per year spanned: a year the tables or the configuration describe is counted
        once into a prefix sum (``_prefix``); any other year is Monday to Friday, counted by
        arithmetic. Same result as testing ``is_workday`` day by day."""
        if end < start:
            return 0
        if start.year == end.year:
            return self._count_in_year(start, end)
        total = self._count_in_year(start, dt.date(start.year, 12, 31))
        total += self._count_in_year(dt.date(end.year, 1, 1), end)
        first, last = start.year + 1, end.year - 1
        if first <= last:  # whole years between: Monday to Friday, corrected in the special years
            total += _weekdays_between(dt.date(first, 1, 1), dt.date(last, 12, 31))
            for year in _special_years(self):
                if first <= year <= last:
                    total += _prefix(self, year)[-1] - _weekdays_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        return total

    def _count_in_year(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end`` inclusive, both in one year, ``start <= end``."""
        if _plain_year(self, start.year):
            return _weekdays_between(start, end)
        counts = _prefix(self, start.year)
        first = start.toordinal() - dt.date(start.year, 1, 1).toordinal()
        return counts[first + (end - start).days + 1] - counts[first]

    def delta(self, planned: dt.date, actual: dt.date) -> int:
        """Signed working days from ``planned`` to ``actual``: positive when late, negative when early."""
        if actual == planned:
            return 0
        if actual > planned:
            return self.workdays_between(planned + dt.timedelta(days=1), actual)
        return -self.workdays_between(actual + dt.timedelta(days=1), planned)


def _weekdays_between(start: dt.date, end: dt.date) -> int:
    """Mondays to Fridays from ``start`` to ``end`` inclusive (``start <= end``)."""
    weeks, rest = divmod((end - start).days + 1, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for n in range(rest) if (first + n) % 7 < 5)


@lru_cache(maxsize=64)
def _special_years(calendar: WorkCalendar) -> frozenset[int]:
    """The years in which ``is_workday`` is not simply Monday to Friday: the tables' years, and the
    years of the configured holidays and make-up working days."""
    return _TABLE_YEARS | {d.year for d in calendar.holidays | calendar.workdays}


def _plain_year(calendar: WorkCalendar, year: int) -> bool:
    """Whether ``is_workday`` is simply Monday to Friday in ``year`` (no tables, nothing configured)."""
    return year not in _special_years(calendar)


def _table_years() -> frozenset[int]:
    """The years the ``chinesecalendar`` tables cover: whole years, from the first to the last year
    of its holiday table (probed year by year if the package is laid out otherwise)."""
    table = getattr(chinese_calendar, "holidays", None)
    if isinstance(table, dict) and table:
        low, high = min(table).year, max(table).year
        if _table(dt.date(low, 1, 1)) is not None and _table(dt.date(high, 12, 31)) is not None \
                and _table(dt.date(low - 1, 12, 31)) is None and _table(dt.date(high + 1, 1, 1)) is None:
            return frozenset(range(low, high + 1))
    return frozenset(y for y in range(1900, 2200) if _table(dt.date(y, 1, 1)) is not None)


_TABLE_YEARS = _table_years()


@lru_cache(maxsize=1024)
def _prefix(calendar: WorkCalendar, year: int) -> tuple[int, ...]:
    """``counts[i]``: working days among the first ``i`` days of ``year`` (by ``is_workday``)."""
    day, counts, total = dt.date(year, 1, 1), [0], 0
    while day.year == year:
        total += calendar.is_workday(day)
        counts.append(total)
        if day == dt.date.max:
            break
        day += dt.timedelta(days=1)
    return tuple(counts)

