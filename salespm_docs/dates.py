"""Dates: ``date`` → 2026年11月24日 (prose) or 2026-11-24 (tables); ISO weeks for weekly reports."""

from __future__ import annotations

import datetime as dt
import os


def cn_date(value: dt.date) -> str:
    """``date(2026, 1, 5)`` → ``2026年1月5日`` (no zero padding, R-COM-7)."""
    return f"{value.year}年{value.month}月{value.day}日"


def iso_date(value: dt.date) -> str:
    """``date(2026, 1, 5)`` → ``2026-01-05`` (tables may use ISO dates)."""
    return value.isoformat()


def iso_week(value: dt.date) -> str:
    """``date(2026, 4, 30)`` → ``2026-W18``."""
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(label: str) -> dt.date:
    """``2026-W18`` → the Monday that starts that ISO week."""
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)


def today() -> dt.date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` so that builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()
