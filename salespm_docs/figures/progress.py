"""Progress: WBS plan + weekly reports → the 项目进度表 (PRG) snapshot of each reported week.

One function computes what both the 周进度报告 (WEEK) and the 项目进度表 (PRG) show: per WBS leaf
the plan (dates and working days from the WBS), the actuals as last reported up to that week, the
deviation in working days on the Chinese calendar, and the cost execution (BAC, PV, EV, AC, EAC,
SPI, CPI). ``snapshot(facts, "2026-W18")`` is that week's view; ``snapshots(facts)`` derives every
reported week once per build. A report states the full current state of each task it lists; a
task not listed keeps its last reported state.

Conventions (also written in the documents):
- the snapshot is taken at the end of the ISO week (its Sunday); only working days count;
- 偏差天数 = working days from the planned end to the actual end (or the forecast end; for an
  unfinished task past its planned end, at the earliest the next working day after the snapshot);
  positive means late, and a task with a positive deviation is *behind plan*;
- PV spreads each leaf's effort evenly over its planned working days and scales the total effort
  to the budget (BAC); EV weights each leaf's 完成% by its effort in the same way.
- BAC is the budget baseline of the week (``figures/baseline.py``): the charter budget plus the
  approved budget changes in force on the report's date. The charter budget is spread over the
  leaves by effort; an approved change's budget over the leaves of the WBS codes it names, so PV
  and EV take it up as that work is planned and done (no jump of SPI / CPI on approval); AC and EAC
  are the reported figures, and EAC − BAC is against the baseline of the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .. import dates
from ..model.core import WbsItem
from ..model.lifecycle import MilestoneStatus, TaskProgress, WeekCost, WeeklyReport
from ..stages import reached
from . import baseline
from .calendar import WorkCalendar

CENT = Decimal("0.01")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One WBS leaf in a snapshot: plan, actual, deviation (a row of the 项目进度表)."""

    code: str
    name: str
    owner: str | None
    post: str | None
    deliverable: str | None
    effort: Decimal | None
    planned_start: dt.date | None
    planned_end: dt.date | None
    planned_days: int | None
    """计划工期（工作日）。"""
    planned_percent: Decimal
    """按计划截至快照日应完成的百分比。"""
    actual_start: dt.date | None
    actual_end: dt.date | None
    forecast_end: dt.date | None
    actual_days: int | None
    """实际工期（工作日）；未完成时为预计工期。"""
    finished: bool
    basis: dt.date | None
    """The date the deviation is counted to: the actual end, else the forecast (or planned) end, at
    the earliest the next working day after the snapshot (the 进度表's 实际/预计结束)."""
    percent: Decimal
    deviation: int
    """偏差天数（工作日，正数为延期）。"""
    behind: bool
    status: str
    """已完成 / 延期完成 / 进行中 / 滞后 / 未开始。"""
    delay_reason: str | None
    corrective_action: str | None
    reported: bool
    """本周周报是否报告了该任务。"""
    active: bool
    """本周处于计划期内、正在进行、逾期未完成或被周报报告。"""


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone of the charter with its last reported status."""

    id: str
    name: str
    planned: dt.date
    status: str
    forecast: dt.date | None
    """预计（已完成时为实际）日期。"""
    deviation: int | None
    """预计 / 实际日期相对计划日期的偏差（工作日）。"""
    note: str | None


@dataclass(frozen=True)
class CostFigures:
    """Cost execution at the snapshot: 预算 (BAC), 计划值 PV, 挣值 EV, 实际成本 AC, 完工预测 EAC."""

    budget: Decimal
    planned_value: Decimal | None
    earned_value: Decimal | None
    actual_cost: Decimal | None
    forecast_at_completion: Decimal | None
    planned_percent: Decimal | None
    """PV / BAC（%），按计划应完成的比例。"""
    earned_percent: Decimal | None
    """EV / BAC（%），项目总体完成比例。"""
    spent_percent: Decimal | None
    """AC / BAC（%），预算执行率。"""
    cost_variance: Decimal | None
    """CV = EV − AC（元）。"""
    schedule_variance: Decimal | None
    """SV = EV − PV（元）。"""
    cpi: Decimal | None
    spi: Decimal | None
    forecast_variance: Decimal | None
    """EAC − BAC（元），正数为超支。"""
    forecast_variance_percent: Decimal | None
    """(EAC − BAC) / BAC（%）。"""
    reported_week: str | None
    """成本数据出自哪一周的周报（本周未报告时沿用最近一周）。"""
    note: str | None


@dataclass(frozen=True)
class Snapshot:
    """The 项目进度表 as of the end of one reported ISO week."""

    week: str
    start: dt.date
    """周一。"""
    end: dt.date
    """周日（快照日）。"""
    workdays: int
    """本周工作日数。"""
    rows: list[TaskRow]
    """全部 WBS 叶子任务，按编码排序。"""
    milestones: list[MilestoneRow]
    cost: CostFigures
    unknown_tasks: list[str] = field(default_factory=list)
    """本周报告的、不是 WBS 叶子任务的编码。"""

    @property
    def active(self) -> list[TaskRow]:
        """Rows of the tasks active this week (the 进度偏差 rows of the 周进度报告)."""
        return [r for r in self.rows if r.active]

    @property
    def behind(self) -> list[TaskRow]:
        """Active rows behind plan."""
        return [r for r in self.active if r.behind]


# -- weeks ----------------------------------------------------------------------------------

def week_bounds(label: str) -> tuple[dt.date, dt.date]:
    """``2026-W18`` → (Monday, Sunday) of that ISO week."""
    monday = dates.week_monday(label)
    return monday, monday + dt.timedelta(days=6)


def week_workdays(label: str, calendar: WorkCalendar) -> list[dt.date]:
    """The working days of an ISO week (none in a week of 春节 holidays)."""
    monday, _ = week_bounds(label)
    days = (monday + dt.timedelta(days=n) for n in range(7))
    return [d for d in days if calendar.is_workday(d)]


def next_workday(day: dt.date, calendar: WorkCalendar) -> dt.date:
    """The first working day after ``day``."""
    day += dt.timedelta(days=1)
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


# -- WBS ------------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def _code_key(code: str) -> tuple:
    """Sort key of a WBS code (``1.10`` after ``1.9``); cached: every sort of a large WBS by code
    (the leaves, the schedule's queues) asks again for the same codes."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


def leaves(wbs: list[WbsItem]) -> list[WbsItem]:
    """The WBS items no other item has as parent, in code order (the rows of the 进度表).

    An item is a parent when some code starts with its code and a dot: every code's prefixes
    before each of its dots are collected once (linear in the WBS, not quadratic)."""
    parents = {c[:k] for c in (i.code for i in wbs) for k, ch in enumerate(c) if ch == "."}
    return sorted((i for i in wbs if i.code not in parents), key=lambda i: _code_key(i.code))


# -- snapshot -------------------------------------------------------------------------------

def _row_phase(item: WbsItem, entry: TaskProgress | None, monday: dt.date, sunday: dt.date,
               listed: bool) -> tuple:
    """Everything a ``TaskRow`` depends on besides ``item``: two weeks with the same phase give
    equal rows, so ``snapshots`` reuses the previous week's row instead of computing it again.

    The week enters a row only through its planned percentage (while the snapshot date lies inside
    the planned period), the forecast basis (an unfinished task whose end has passed moves to the
    next working day after each snapshot) and the four tests of ``active``."""
    start, end = item.start, item.end
    if start is None or end is None or start > sunday or end < start:
        planned = None
    else:
        planned = True if sunday >= end else sunday
    a_start = entry.actual_start if entry else None
    a_end = entry.actual_end if entry else None
    moving = None
    if a_end is None:
        basis = (entry.forecast_end if entry else None) or end
        if basis is not None and basis <= sunday:
            moving = sunday
    done_before = a_end is not None and a_end < monday
    in_plan = start is not None and end is not None and start <= sunday and end >= monday
    overdue = start is not None and start <= sunday and not done_before
    started = a_start is not None and a_start <= sunday
    return (listed, planned, moving, done_before, in_plan, overdue, started)


def _task_row(item: WbsItem, entry: TaskProgress | None, monday: dt.date, sunday: dt.date,
              listed: bool, calendar: WorkCalendar) -> TaskRow:
    workdays = calendar.workdays_between
    start, end = item.start, item.end
    planned_days = workdays(start, end) if start and end else None
    planned_percent = Decimal(0)
    if planned_days and start <= sunday:
        planned_percent = (Decimal(workdays(start, min(sunday, end))) * 100 / planned_days).quantize(ONE_DECIMAL)
    a_start = entry.actual_start if entry else None
    a_end = entry.actual_end if entry else None
    forecast = entry.forecast_end if entry else None
    percent = entry.percent if entry else Decimal(0)
    finished = a_end is not None
    if finished:
        basis = a_end
    else:
        basis = forecast or end
        if basis is not None and basis <= sunday:
            basis = next_workday(sunday, calendar)  # not done by the end of the week: next working day at best
    deviation = calendar.delta(end, basis) if end and basis else 0
    behind = deviation > 0
    actual_days = workdays(a_start, basis) if a_start and basis else None
    if finished:
        status = "延期完成" if behind else "已完成"
    elif behind:
        status = "滞后"
    else:
        status = "进行中" if a_start else "未开始"
    started = a_start is not None and a_start <= sunday
    done_before = finished and a_end < monday
    in_plan = start is not None and end is not None and start <= sunday and end >= monday
    overdue = start is not None and start <= sunday and not done_before
    active = listed or in_plan or overdue or (started and not done_before)
    return TaskRow(
        code=item.code, name=item.name, owner=item.owner, post=item.post, deliverable=item.deliverable,
        effort=item.effort, planned_start=start, planned_end=end, planned_days=planned_days,
        planned_percent=planned_percent, actual_start=a_start, actual_end=a_end, forecast_end=forecast,
        actual_days=actual_days, finished=finished, basis=basis, percent=percent, deviation=deviation,
        behind=behind, status=status, delay_reason=entry.delay_reason if entry else None,
        corrective_action=entry.corrective_action if entry else None, reported=listed, active=active)


def _milestone_rows(facts, latest: dict[str, MilestoneStatus]) -> list[MilestoneRow]:
    rows = []
    for m in facts.project.milestones:
        stated = latest.get(m.id)
        forecast = stated.forecast if stated else None
        rows.append(MilestoneRow(
            id=m.id, name=m.name, planned=m.date, status=stated.status if stated else "未开始",
            forecast=forecast, deviation=facts.calendar.delta(m.date, forecast) if forecast else None,
            note=stated.note if stated else None))
    return rows


def _ratio(part: Decimal | None, whole: Decimal | None, places: Decimal = ONE_DECIMAL,
           scale: int = 100) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * scale / whole).quantize(places)


def _planned_fraction(row: TaskRow, day: dt.date, calendar: WorkCalendar) -> Decimal:
    """Share of a leaf's planned working days that lie on or before ``day`` (exact, for PV)."""
    if not row.planned_days or row.planned_start is None or row.planned_start > day:
        return Decimal(0)
    return Decimal(calendar.workdays_between(row.planned_start, min(day, row.planned_end))) / row.planned_days


def _planned_effort(rows: list[TaskRow], day: dt.date, calendar: WorkCalendar) -> Decimal:
    """Σ effort × ``_planned_fraction`` over ``rows``, in row order, with the same value: a leaf not
    started by ``day`` adds an exact zero (left out), a leaf planned to end by ``day`` adds exactly
    its effort (its fraction is its planned days over themselves: 1); only the leaves in progress
    on ``day`` need the calendar. A large WBS asks this for every week of the plan."""
    total = Decimal(0)
    for r in rows:
        days, start = r.planned_days, r.planned_start
        if not days or start is None or start > day or not r.effort:
            continue
        if day >= r.planned_end:
            total += r.effort
        else:
            total += r.effort * (Decimal(calendar.workdays_between(start, day)) / days)
    return total


def _earned_effort(rows: list[TaskRow]) -> Decimal:
    """Σ effort × 完成% over ``rows`` (the EV weight)."""
    return sum((r.effort * r.percent / 100 for r in rows if r.effort), Decimal(0))


def _change_rows(rows: list[TaskRow], codes: tuple[str, ...]) -> list[TaskRow]:
    """The leaves a change's budget goes to: those at or under the WBS codes it names."""
    prefixes = tuple(c + "." for c in codes)
    return [r for r in rows if r.code in codes or r.code.startswith(prefixes)] if codes else []


def _cost(facts, rows: list[TaskRow], day: dt.date, stated: WeekCost | None,
          stated_week: str | None, as_of: dt.date | None = None) -> CostFigures:
    """The cost figures at ``day`` against the budget baseline in force on ``as_of`` (the report's
    date, ``baseline.report_date``; default ``day``). BAC is that baseline; PV and EV spread the
    charter budget over all leaves by effort and each approved budget change over the leaves of
    the WBS codes it names (``figures/baseline.py``), so the added budget is planned and earned
    with the work it pays for; EAC is the reported forecast, EAC − BAC against the baseline."""
    entries = [e for e in baseline.log_until(facts, as_of or day) if e.budget_change]
    charter = facts.budget_total
    bac = charter + sum((e.budget_change for e in entries), Decimal(0))
    total = sum((r.effort or Decimal(0) for r in rows), Decimal(0))
    pv = ev = None
    if total:
        planned = charter * _planned_effort(rows, day, facts.calendar) / total
        earned = charter * _earned_effort(rows) / total
        for e in entries:
            part = _change_rows(rows, e.tasks)
            effort = sum((r.effort or Decimal(0) for r in part), Decimal(0))
            if not effort:
                part, effort = rows, total
            planned += e.budget_change * _planned_effort(part, day, facts.calendar) / effort
            earned += e.budget_change * _earned_effort(part) / effort
        pv, ev = planned.quantize(CENT), earned.quantize(CENT)
    ac = stated.actual_to_date if stated else None
    eac = stated.forecast_at_completion if stated else None
    return CostFigures(
        budget=bac, planned_value=pv, earned_value=ev, actual_cost=ac, forecast_at_completion=eac,
        planned_percent=_ratio(pv, bac), earned_percent=_ratio(ev, bac), spent_percent=_ratio(ac, bac),
        cost_variance=ev - ac if ev is not None and ac is not None else None,
        schedule_variance=ev - pv if ev is not None and pv is not None else None,
        cpi=_ratio(ev, ac, CENT, 1), spi=_ratio(ev, pv, CENT, 1),
        forecast_variance=eac - bac if eac is not None else None,
        forecast_variance_percent=_ratio(eac - bac, bac) if eac is not None else None,
        reported_week=stated_week, note=stated.note if stated else None)


def reports_in_order(facts) -> list[WeeklyReport]:
    """The weekly reports sorted by week (a later file wins a duplicated week)."""
    return sorted(facts.project.weekly, key=lambda w: w.week)


def snapshots(facts) -> dict[str, Snapshot]:
    """The snapshot of every reported week; use ``facts.derive(snapshots)`` (computed once)."""
    items = leaves(facts.project.wbs)
    leaf_codes = {i.code for i in items}
    tasks: dict[str, TaskProgress] = {}
    milestones: dict[str, MilestoneStatus] = {}
    cost: WeekCost | None = None
    cost_week: str | None = None
    out: dict[str, Snapshot] = {}
    # Incremental: per leaf (by position), the previous week's row, the entry it was computed from
    # and its phase; a row whose entry and phase did not change is the very same row again.
    previous_rows: list[tuple | None] = [None] * len(items)
    for report in reports_in_order(facts):
        for t in report.tasks:
            tasks[t.task] = t
        for m in report.milestones:
            milestones[m.id] = m
        if report.cost is not None:
            cost, cost_week = report.cost, report.week
        monday, sunday = week_bounds(report.week)
        listed = {t.task for t in report.tasks}
        rows = []
        for n, item in enumerate(items):
            entry = tasks.get(item.code)
            phase = _row_phase(item, entry, monday, sunday, item.code in listed)
            last = previous_rows[n]
            if last is not None and last[1] is entry and last[2] == phase:
                row = last[0]
            else:
                row = _task_row(item, entry, monday, sunday, phase[0], facts.calendar)
                previous_rows[n] = (row, entry, phase)
            rows.append(row)
        out[report.week] = Snapshot(
            week=report.week, start=monday, end=sunday, workdays=len(week_workdays(report.week, facts.calendar)),
            rows=rows, milestones=_milestone_rows(facts, milestones), cost=_cost(facts, rows, sunday, cost, cost_week, baseline.report_date(report)),
            unknown_tasks=[t.task for t in report.tasks if t.task not in leaf_codes])
    return out


def snapshot(facts, week: str) -> Snapshot | None:
    """The 项目进度表 snapshot at the end of ``week`` (``None`` if that week has no report)."""
    return facts.derive(snapshots).get(week)


def latest(facts) -> Snapshot | None:
    """The snapshot of the most recent reported week (the current 项目进度表)."""
    all_ = facts.derive(snapshots)
    return all_[max(all_)] if all_ else None


def previous(facts, week: str) -> Snapshot | None:
    """The snapshot of the reported week before ``week``."""
    earlier = [w for w in facts.derive(snapshots) if w < week]
    return facts.derive(snapshots)[max(earlier)] if earlier else None


# -- the reporting series (R-WEEK-1) --------------------------------------------------------

#: How many consecutive reporting weeks may pass without a report, per configured frequency.
FREQUENCY_WEEKS = {"每日": 1, "每周": 1, "每两周": 2, "每月": 4, "每季度": 13}

#: The 沟通计划 row whose frequency the weekly series follows.
REPORT_ITEM = "周进度报告"


def report_frequency(facts) -> tuple[str, str]:
    """The frequency of the 周进度报告 and where it comes from: ``(frequency, "COM")`` when the
    沟通计划 (``communication``) has a 周进度报告 row with a periodic frequency (每日 … 每季度), else
    ``(communication.report_frequency, "cfg")``: a project without such a row (or whose row says
    按需 / 一次 / nothing, which R-COMM-1 reports) is checked against the configured frequency."""
    for item in facts.project.communication:
        if item.name == REPORT_ITEM and item.frequency in FREQUENCY_WEEKS:
            return item.frequency, "COM"
    return facts.settings.communication.report_frequency, "cfg"


def finish_date(facts) -> dt.date | None:
    """When the project finished: the acceptance date, else the planned end once in 收尾; else ``None``."""
    p = facts.project
    if p.acceptance is not None:
        return p.acceptance.date
    if reached("收尾", p.project.stage):
        return p.project.end
    return None


def horizon(facts) -> dt.date:
    """The date up to which weekly reports are due: today, or the finish date if earlier."""
    end = finish_date(facts)
    return min(facts.today, end) if end else facts.today


def required_weeks(facts) -> list[str]:
    """ISO weeks from the first report up to the horizon that need a report.

    A week needs one if it has a working day (no report for a week of 春节 holidays), and once its
    last working day (or the finish date, if earlier) has come.
    """
    reports = reports_in_order(facts)
    if not reports:
        return []
    end, finish = horizon(facts), finish_date(facts)
    monday, _ = week_bounds(reports[0].week)
    weeks = []
    while monday <= end:
        label = dates.iso_week(monday)
        days = week_workdays(label, facts.calendar)
        if days:
            due = min(days[-1], finish) if finish else days[-1]
            if due <= end:
                weeks.append(label)
        monday += dt.timedelta(days=7)
    return weeks
