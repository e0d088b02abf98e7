"""The schedule: critical-path method over the WBS leaves, in working days on the project's calendar.

What the 项目进度计划 (GNT), the 工作分解结构 (WBS) and the 项目进度表 (PRG) show of the plan is
computed here once per build (``facts.derive(schedule)``), never typed:

- durations are the working days between a leaf's planned start and end (0 for a milestone);
- links are FS / SS / FF / SF with a lag in working days; a link to a WBS parent stands for all
  the leaves under it;
- the forward pass gives the early dates: a leaf starts at its predecessors' constraint, never
  before its own planned start (the plan's "start no earlier than"); the project finish is the
  latest early finish; the backward pass from that finish gives the late dates and the total float
  (working days); the leaves with no float are critical, and the critical path runs through them;
- a link to an unknown task is left out of the computation (R-GNT-1 reports it), and so are the
  links of a cycle (R-GNT-2 names its codes): the computation never hangs and never fails.

Time is counted on a working-day axis (``Schedule.workdays``): day ``i`` is ``workdays[i]``. A
task of ``d`` working days that starts on day ``s`` occupies days ``s … s + d − 1``; its finish
index is ``s + d`` (exclusive); a milestone's start and finish index are equal. Everything is
linear in the number of leaves and links, plus a sort.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from ..model.core import WbsItem
from .calendar import WorkCalendar
from .progress import _code_key, leaves

LINK_TYPES = {"FS": "完成—开始", "SS": "开始—开始", "FF": "完成—完成", "SF": "开始—完成"}


@dataclass(frozen=True, slots=True)
class Link:
    """A resolved dependency between two leaves: ``before`` → ``after``, type and lag (working days)."""

    before: str
    after: str
    type: str
    lag: int
    critical: bool = False
    """Both ends critical and the constraint tight (the link lies on the critical path)."""


@dataclass(frozen=True, slots=True)
class Task:
    """One WBS leaf, scheduled."""

    code: str
    name: str
    parent: str | None
    level: int
    owner: str | None
    post: str | None
    deliverable: str | None
    effort: Decimal | None
    milestone: bool
    duration: int
    """工期（工作日；里程碑为 0）。"""
    start: dt.date | None
    """计划开始（WBS 中的计划日期）。"""
    end: dt.date | None
    early_start: dt.date
    early_finish: dt.date
    """Last working day of the early dates (the milestone's day for a milestone)."""
    late_start: dt.date
    late_finish: dt.date
    total_float: int
    """总浮动时间（工作日）。"""
    critical: bool
    predecessors: tuple[str, ...]
    """As written: ``1.2.1``, ``1.2.1SS+2`` …"""
    baseline_start: dt.date | None
    baseline_end: dt.date | None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    forecast_end: dt.date | None = None
    percent: Decimal = Decimal(0)
    es: int = 0
    """Early start index on ``Schedule.workdays``."""
    ef: int = 0
    """Early finish index (exclusive)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """A WBS parent: the span, effort and progress of the leaves under it."""

    code: str
    name: str
    parent: str | None
    level: int
    owner: str | None
    start: dt.date | None
    end: dt.date | None
    effort: Decimal
    percent: Decimal
    """完成%，按工作量加权。"""
    baseline_start: dt.date | None = None
    baseline_end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EarnedValue:
    """Cumulative PV / EV / AC at the end of one ISO week (EV and AC only up to the status week)."""

    week: str
    end: dt.date
    pv: Decimal
    ev: Decimal | None
    ac: Decimal | None


@dataclass(frozen=True)
class Schedule:
    """The computed schedule of one project (``earned_value`` is filled by the 进度表 only)."""

    tasks: list[Task]
    """The leaves, in WBS code order."""
    summaries: list[Summary]
    rows: list[Task | Summary]
    """Parents and leaves in WBS order (the rows of the Gantt chart and of the WBS table)."""
    links: list[Link]
    """Resolved links between leaves (links to a parent expanded; unknown or cyclic ones left out)."""
    workdays: list[dt.date]
    """The working-day axis, from the first planned date to past the last one."""
    start: dt.date | None
    finish: dt.date | None
    """计算工期的完工日期：关键路径的结束日期。"""
    critical_path: list[str]
    """Codes of the critical leaves in start order."""
    status_date: dt.date
    """The status (today) line."""
    unknown: list[tuple[str, str]] = field(default_factory=list)
    """(task code, predecessor as written) of links to no WBS item."""
    cycles: list[list[str]] = field(default_factory=list)
    """Each cycle's leaf codes, in link order (the first code repeated at the end is implied)."""
    violations: list[tuple[Link, int]] = field(default_factory=list)
    """Links the planned dates break, with by how many working days."""
    earned_value: list[EarnedValue] = field(default_factory=list)

    def index(self, day: dt.date) -> int:
        """Position of ``day`` on the working-day axis (a non-working day maps to the next working day)."""
        return bisect_left(self.workdays, day)


# -- the computation ------------------------------------------------------------------------

def _axis(calendar: WorkCalendar, first: dt.date, last: dt.date) -> list[dt.date]:
    """Working days from ``first`` to ``last`` (inclusive)."""
    days = (dt.date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1))
    return [day for day in days if calendar.is_workday(day)]


def _parent(code: str, codes: set[str]) -> str | None:
    head = code
    while "." in head:
        head = head.rsplit(".", 1)[0]
        if head in codes:
            return head
    return None


def _leaves_under(items: list[WbsItem], leaf_codes: set[str]) -> dict[str, list[str]]:
    """WBS parent code → the leaf codes under it (each leaf listed under every ancestor)."""
    codes = {i.code for i in items}
    under: dict[str, list[str]] = {}
    for code in sorted(leaf_codes, key=_code_key):
        head = code
        while "." in head:
            head = head.rsplit(".", 1)[0]
            if head in codes:
                under.setdefault(head, []).append(code)
    return under


def _topological(codes: set[str], preds: dict[str, list[tuple[str, str, int]]]) -> tuple[list[str], list[str]]:
    """Kahn's algorithm: the codes in an order where every predecessor comes first (ties by WBS
    code), and the codes it could not order (in or behind a cycle), in code order."""
    succ: dict[str, list[str]] = {c: [] for c in codes}
    indegree = {c: len(preds[c]) for c in codes}
    for after, plist in preds.items():
        for before, _, _ in plist:
            succ[before].append(after)
    queue = deque(sorted((c for c, n in indegree.items() if n == 0), key=_code_key))
    order: list[str] = []
    while queue:
        code = queue.popleft()
        order.append(code)
        for after in succ[code]:
            indegree[after] -= 1
            if indegree[after] == 0:
                queue.append(after)
    return order, sorted((c for c in codes if indegree[c] > 0), key=_code_key)


def _find_cycles(nodes: list[str], succ: dict[str, list[str]]) -> list[tuple[list[str], set[str]]]:
    """The cycles among ``nodes`` (those a topological sort could not order): for each strongly
    connected component with a cycle, the codes of one (shortest) cycle through it in link order,
    and the component's members. Iterative Tarjan, linear in nodes and links."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[tuple[list[str], set[str]]] = []
    counter = 0
    allowed = set(nodes)
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in allowed:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                members = set(component)
                if len(component) > 1 or node in succ.get(node, ()):
                    components.append((_cycle_in(min(component, key=_code_key), members, succ), members))
    return sorted(components, key=lambda c: _code_key(c[0][0]))


def _cycle_in(start: str, members: set[str], succ: dict[str, list[str]]) -> list[str]:
    """One cycle through ``start`` inside a strongly connected component (breadth first: shortest)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(set(succ.get(node, ())) & members, key=_code_key):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return [start]


def _constraint(link_type: str, lag: int, pred_es: int, pred_ef: int, duration: int) -> int:
    """Earliest start index of the successor that the link allows."""
    if link_type == "FS":
        return pred_ef + lag
    if link_type == "SS":
        return pred_es + lag
    if link_type == "FF":
        return pred_ef + lag - duration
    return pred_es + lag - duration  # SF


def _latest(link_type: str, lag: int, succ_ls: int, succ_lf: int, duration: int) -> int:
    """Latest finish index of the predecessor that the link allows."""
    if link_type == "FS":
        return succ_ls - lag
    if link_type == "SS":
        return succ_ls - lag + duration
    if link_type == "FF":
        return succ_lf - lag
    return succ_lf - lag + duration  # SF


def schedule(facts) -> Schedule:
    """The project's schedule; use ``facts.derive(schedule)`` (computed once per build)."""
    items = facts.project.wbs
    calendar: WorkCalendar = facts.calendar
    leaf_items = leaves(items)
    leaf_codes = {i.code for i in leaf_items}
    all_codes = {i.code for i in items}
    under = _leaves_under(items, leaf_codes)
    info = facts.project.project
    dated = [d for i in leaf_items for d in (i.start, i.end, i.baseline_start, i.baseline_end) if d]
    first = min([*dated, info.start] if info.start else dated or [facts.today])
    last = max([*dated, info.end] if info.end else dated or [facts.today])
    first = dt.date.fromordinal(max(first.toordinal() - 7, 1))
    # room for the forward pass to run past the plan (lags, broken links): the plan's length again,
    # never past the last date Python knows (a plan in year 9999)
    room = (last - first).days + 60
    last = dt.date.fromordinal(min(max(last, facts.today).toordinal() + room, dt.date.max.toordinal()))
    workdays = _axis(calendar, first, last)
    position = {d: n for n, d in enumerate(workdays)}

    def index(day: dt.date) -> int:
        found = position.get(day)
        return found if found is not None else bisect_left(workdays, day)

    # durations and own starts
    duration: dict[str, int] = {}
    own_start: dict[str, int] = {}
    project_start = index(info.start) if info.start else 0
    for item in leaf_items:
        if item.milestone:
            duration[item.code] = 0
        elif item.start and item.end:
            duration[item.code] = max(calendar.workdays_between(item.start, item.end), 1)
        else:
            duration[item.code] = 1
        # a milestone sits at the end of its day: its index is the next working day's start, so
        # that an FS link from the task finishing that day holds with no lag
        own_start[item.code] = (index(item.start) + item.milestone) if item.start else project_start

    # links, with parents expanded to their leaves
    unknown: list[tuple[str, str]] = []
    raw: list[tuple[str, str, str, int]] = []
    for item in leaf_items:
        for dep in item.predecessors:
            if dep.task in leaf_codes:
                befores = [dep.task]
            elif dep.task in all_codes and dep.task in under:
                befores = under[dep.task]
            else:
                unknown.append((item.code, str(dep)))
                continue
            raw.extend((b, item.code, dep.type, dep.lag) for b in befores if b != item.code)
            if dep.task == item.code:
                raw.append((item.code, item.code, dep.type, dep.lag))
    preds: dict[str, list[tuple[str, str, int]]] = {c: [] for c in leaf_codes}
    succ: dict[str, list[str]] = {c: [] for c in leaf_codes}
    for before, after, kind, lag in raw:
        preds[after].append((before, kind, lag))
        succ[before].append(after)

    # topological order; the links inside a cycle are left out (R-GNT-2 names the cycle)
    order, blocked = _topological(leaf_codes, preds)
    cycles: list[list[str]] = []
    if blocked:
        found = _find_cycles(blocked, succ)
        cycles = [cycle for cycle, _ in found]
        component_of = {code: n for n, (_, members) in enumerate(found) for code in members}
        for code in blocked:
            own = component_of.get(code)
            preds[code] = [p for p in preds[code] if own is None or component_of.get(p[0]) != own]
        order, blocked = _topological(leaf_codes, preds)
        for code in blocked:  # cannot happen once every cycle is cut; never loop on it
            preds[code] = []
        order += blocked

    # forward pass
    es: dict[str, int] = {}
    ef: dict[str, int] = {}
    for code in order:
        start = own_start[code]
        d = duration[code]
        for before, kind, lag in preds[code]:
            if before in es:
                start = max(start, _constraint(kind, lag, es[before], ef[before], d))
        es[code] = start
        ef[code] = start + d
    finish = max(ef.values(), default=project_start)
    # backward pass
    lf: dict[str, int] = {}
    ls: dict[str, int] = {}
    succ_links: dict[str, list[tuple[str, str, int]]] = {c: [] for c in leaf_codes}
    for after, plist in preds.items():
        for before, kind, lag in plist:
            succ_links[before].append((after, kind, lag))
    for code in reversed(order):
        d = duration[code]
        latest = finish
        for after, kind, lag in succ_links[code]:
            if after in ls:
                latest = min(latest, _latest(kind, lag, ls[after], lf[after], d))
        lf[code] = latest
        ls[code] = latest - d

    def day_of(n: int) -> dt.date:
        return workdays[min(max(n, 0), len(workdays) - 1)]

    tasks: dict[str, Task] = {}
    for item in leaf_items:
        c = item.code
        d = duration[c]
        total_float = ls[c] - es[c]
        tasks[c] = Task(
            code=c, name=item.name, parent=_parent(c, all_codes), level=c.count(".") + 1, owner=item.owner,
            post=item.post, deliverable=item.deliverable, effort=item.effort, milestone=item.milestone,
            duration=d, start=item.start, end=item.end,
            early_start=day_of(es[c] if d else es[c] - 1), early_finish=day_of(ef[c] - 1),
            late_start=day_of(ls[c] if d else ls[c] - 1), late_finish=day_of(lf[c] - 1),
            total_float=total_float, critical=total_float <= 0,
            predecessors=tuple(str(p) for p in item.predecessors),
            baseline_start=item.baseline_start, baseline_end=item.baseline_end, es=es[c], ef=ef[c])
    links: list[Link] = []
    violations: list[tuple[Link, int]] = []
    for after in sorted(leaf_codes, key=_code_key):
        for before, kind, lag in preds[after]:
            b, a = tasks[before], tasks[after]
            tight = _constraint(kind, lag, b.es, b.ef, a.duration) == a.es
            link = Link(before, after, kind, lag, critical=b.critical and a.critical and tight)
            links.append(link)
            # the planned dates, as typed, against the link
            if b.start and b.end and a.start and a.end:
                pb_s, pa_s = index(b.start) + b.milestone, index(a.start) + a.milestone
                gap = pa_s - _constraint(kind, lag, pb_s, pb_s + b.duration, a.duration)
                if gap < 0:
                    violations.append((link, -gap))
    summaries = _summaries(items, tasks, leaf_codes, under)
    rows: list[Task | Summary] = sorted([*summaries.values(), *tasks.values()], key=lambda r: _code_key(r.code))
    critical = sorted((t for t in tasks.values() if t.critical), key=lambda t: (t.es, _code_key(t.code)))
    return Schedule(
        tasks=[tasks[i.code] for i in leaf_items], summaries=list(summaries.values()), rows=rows, links=links,
        workdays=workdays, start=day_of(min(es.values())) if es else info.start,
        finish=day_of(finish - 1) if tasks else info.end, critical_path=[t.code for t in critical],
        status_date=facts.today, unknown=unknown, cycles=cycles, violations=violations)


def tracked(facts) -> Schedule:
    """The schedule with the progress of the latest weekly report (actual dates, forecast, 完成%):
    what the Gantt chart and the 进度表 show (the earned-value series is ``earned_value``). ``schedule`` alone is
    the plan, which reads no weekly report. Use ``facts.derive(tracked)``."""
    from dataclasses import replace

    from . import progress

    # the status line: today, or the day the project finished (accepted) if that is earlier
    plan = replace(facts.derive(schedule), status_date=progress.horizon(facts))
    snapshot = progress.latest(facts)
    if snapshot is None:
        return plan
    actual = {r.code: r for r in snapshot.rows}
    tasks = {}
    for t in plan.tasks:
        row = actual.get(t.code)
        tasks[t.code] = t if row is None else replace(
            t, actual_start=row.actual_start, actual_end=row.actual_end, forecast_end=row.forecast_end,
            percent=row.percent)
    summaries = {}
    under = _leaves_under(facts.project.wbs, set(tasks))
    for summary in plan.summaries:
        _, percent = rolled_up((x.effort, x.percent) for x in (tasks[c] for c in under.get(summary.code, ())))
        summaries[summary.code] = replace(summary, percent=percent)
    rows = [tasks.get(r.code) or summaries[r.code] for r in plan.rows]
    return replace(plan, tasks=[tasks[t.code] for t in plan.tasks], summaries=list(summaries.values()), rows=rows)


def rolled_up(leaves_) -> tuple[Decimal, Decimal]:
    """(total effort, 完成% weighted by effort to one decimal) of ``(effort, percent)`` pairs: the
    roll-up of a WBS parent, and of the whole 进度表 (the register's 合计 row computes the same)."""
    effort = done = Decimal(0)
    for e, percent in leaves_:
        effort += e or 0
        done += (e or 0) * percent
    return effort, (done / effort).quantize(Decimal("0.1")) if effort else Decimal(0)


def _summaries(items: list[WbsItem], tasks: dict[str, Task], leaf_codes: set[str],
               under: dict[str, list[str]]) -> dict[str, Summary]:
    out: dict[str, Summary] = {}
    codes = {i.code for i in items}
    for item in items:
        if item.code in leaf_codes:
            continue
        mine = [tasks[c] for c in under.get(item.code, ())]
        effort, percent = rolled_up((t.effort, t.percent) for t in mine)
        starts = [t.early_start for t in mine]
        ends = [t.early_finish for t in mine]
        b_starts = [t.baseline_start for t in mine if t.baseline_start]
        b_ends = [t.baseline_end for t in mine if t.baseline_end]
        out[item.code] = Summary(
            code=item.code, name=item.name, parent=_parent(item.code, codes), level=item.code.count(".") + 1,
            owner=item.owner, start=min(starts, default=None), end=max(ends, default=None), effort=effort,
            percent=percent,
            baseline_start=min(b_starts) if b_starts else None, baseline_end=max(b_ends) if b_ends else None)
    return out


def earned_value(facts) -> list[EarnedValue]:
    """Cumulative PV by ISO week over the whole plan, with EV and AC of every reported week (the same
    figures as the weekly reports: ``progress.snapshots``) up to the last report."""
    from .. import dates
    from . import progress

    snaps = facts.derive(progress.snapshots)
    items = leaves(facts.project.wbs)
    planned = [i for i in items if i.start and i.end]
    if not planned:
        return []
    last_snapshot = snaps[max(snaps)] if snaps else None
    first = min(i.start for i in planned)
    last = max(i.end for i in planned)
    monday = first - dt.timedelta(days=first.weekday())
    if last_snapshot is not None:
        rows = last_snapshot.rows
    else:
        rows = [progress._task_row(i, None, monday, monday, False, facts.calendar) for i in items]
    points: list[EarnedValue] = []
    ev = ac = None
    while monday <= last:
        week = dates.iso_week(monday)
        sunday = min(monday, dt.date.max - dt.timedelta(days=6)) + dt.timedelta(days=6)
        snap = snaps.get(week)
        if snap is not None:
            pv = snap.cost.planned_value
            ev, ac = snap.cost.earned_value, snap.cost.actual_cost
        else:
            pv = progress._cost(facts, rows, sunday, None, None).planned_value  # the weekly reports' PV
            if last_snapshot is None or week > last_snapshot.week:
                ev = ac = None
        points.append(EarnedValue(week, sunday, pv if pv is not None else Decimal(0), ev, ac))
        if (dt.date.max - monday).days < 7:  # the last week Python's dates hold
            break
        monday += dt.timedelta(days=7)
    return points
