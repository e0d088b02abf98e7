"""The cost baseline (预算基线) and the change log (变更记录): the charter budget moved by approved changes.

The charter's budget (``facts.budget_total``, shown by the 项目章程 CHT as the original baseline)
is the baseline until a 变更申请 (``changes/<id>.yaml``) that raises it is approved. From the day of
its approval (``decision.date``) the baseline is the charter budget plus the ``budget_change`` of
every change approved (``ChangeRequest.approved``: 批准 with a date) on or before that day::

    baseline(day) = budget_total + Σ budget_change of approved changes with decision.date ≤ day

A change approved without a ``budget_change`` (absorbed within the budget) is in the change log
with an adjustment of zero: it moves nothing.

The date of a 周进度报告 (``report_date``) is the day it was issued: its own control block's
approval date (``weekly[i].document.approved.date``), else its preparation date
(``document.prepared.date``), else the last day (Sunday) of its ISO week. So a change approved
during a week counts for that week's report only if it was approved no later than the report
itself; the shared defaults in ``documents.WEEK`` carry no per-week dates and are not read.
Every budget a week shows (its BAC) is the baseline at that date (``week_baseline``); the 项目进度表
(PRG) shows the latest week's, the 复盘报告 (RET) the final one.

Earned value against a moved baseline (``progress._cost``): the charter budget is spread over the
WBS leaves by effort, as before; a change's ``budget_change`` is spread by effort over the leaves
under the WBS codes it names (``tasks``; over all leaves when it names none that carry effort). PV
and EV add each part's planned and earned share, so the added budget is planned and earned with
the work it pays for: a change does not re-price work already done (SPI and CPI do not jump on the
day of approval), and BAC = Σ of the parts = the baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .. import dates


@dataclass(frozen=True)
class LogEntry:
    """One approved change in the change log, with the baseline before and after it."""

    index: int
    """Position in ``changes`` (the data path)."""
    id: str
    title: str
    approved: dt.date
    """批准日期 (``decision.date``): the baseline moves from this day on."""
    budget_change: Decimal
    """预算调整（元）; zero when the change was absorbed within the budget."""
    tasks: tuple[str, ...]
    """The WBS codes the change names: its budget is earned on the leaves under them."""
    before: Decimal
    """预算基线 before this change."""
    after: Decimal
    """调整后预算 (the baseline from ``approved`` on)."""


def change_log(facts) -> list[LogEntry]:
    """Every approved change in order of approval date (then ID), with the baseline it leaves;
    use ``facts.derive(change_log)``."""
    approved = [(i, c) for i, c in enumerate(facts.project.changes) if c.approved]
    approved.sort(key=lambda ic: (ic[1].decision.date, ic[1].id))
    out, base = [], facts.budget_total
    for i, c in approved:
        amount = c.budget_change if c.budget_change is not None else Decimal("0.00")
        out.append(LogEntry(index=i, id=c.id, title=c.title, approved=c.decision.date, budget_change=amount,
                            tasks=tuple(c.tasks), before=base, after=base + amount))
        base += amount
    return out


def log_until(facts, day: dt.date) -> list[LogEntry]:
    """The change log as it stood on ``day`` (changes approved on or before it)."""
    return [e for e in facts.derive(change_log) if e.approved <= day]


def baseline_at(facts, day: dt.date) -> Decimal:
    """The budget baseline in force on ``day``."""
    entries = log_until(facts, day)
    return entries[-1].after if entries else facts.budget_total


def final(facts) -> Decimal:
    """The baseline after every approved change (the budget a finished project is measured against)."""
    entries = facts.derive(change_log)
    return entries[-1].after if entries else facts.budget_total


def report_date(report) -> dt.date:
    """The date a weekly report was issued: its own approval date, else its preparation date, else
    the Sunday of its week (see the module docstring)."""
    control = report.document
    if control is not None:
        for signoff in (control.approved, control.prepared):
            if signoff is not None and signoff.date is not None:
                return signoff.date
    return dates.week_monday(report.week) + dt.timedelta(days=6)


def week_baseline(facts, report) -> Decimal:
    """The baseline a weekly report shows: the one in force on its ``report_date``."""
    return baseline_at(facts, report_date(report))
