"""Resources: each person's load per ISO week, and the 资源分配表 cost totals (RES, and CHT's R-CHT-5).

Load. A leaf task of the WBS is carried by its ``assignments`` (name + percent of that person's
time while the task runs), or, when it has none, by its 责任人 at 100%. In an ISO week a person's
load is, over their leaves active that week,

    Σ percent × (the leaf's working days in the week / the week's working days)

on the project's Chinese working-day calendar (``facts.calendar``): a task on three of five
working days at 100% loads the week 60%. Milestones (zero duration) and leaves without dates carry
no load; a week without working days (春节) carries none either. Exact arithmetic (``Fraction``);
shown to one decimal. The work is linear in Σ over leaves of the weeks each spans (times the
assignees), each week's working days counted once: ``weekly_load`` runs once per build through
``facts.derive``.

Costs. ``resource_totals`` is the 资源分配表 total by budget category: 人工 = Σ people's cost,
物料 / 外采 = Σ the 物料 / 外采 materials' amounts (typed, else 数量 × 单价 rounded half-up to the fen),
and the categories RES has no detail for (差旅、其他、不可预见费) as the budget lines state them.
The charter's budget must equal its total (R-CHT-5); RES checks each line against it (R-RES-2).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..model.core import Material, WbsItem
from .progress import leaves

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
FULL = Fraction(100)
#: budget categories RES details itself (the others are taken from the budget lines as stated)
DETAILED = ("人工", "物料", "外采")


def tenth(value: Fraction) -> Decimal:
    """A percentage to one decimal, half up."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TENTH, rounding=ROUND_HALF_UP)


def iso_week(day: dt.date) -> str:
    """``2026-W47``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Share:
    """One task's part of a person's week: its code, name, where it is in the data and the load."""

    code: str
    name: str
    path: tuple
    """Where the person's share of the task is written: ``("wbs", i, "assignments", j)`` or
    ``("wbs", i, "owner")`` for a leaf its 责任人 carries by default."""
    load: Fraction

    @property
    def shown(self) -> Decimal:
        return tenth(self.load)


@dataclass(frozen=True)
class PersonWeek:
    """A person's load in one ISO week."""

    name: str
    week: str
    monday: dt.date
    sunday: dt.date
    load: Fraction
    shares: tuple[Share, ...]

    @property
    def shown(self) -> Decimal:
        return tenth(self.load)

    @property
    def over(self) -> bool:
        return self.load > FULL


@dataclass
class PersonLoad:
    """One person's tasks and weekly load."""

    name: str
    tasks: list[tuple[int, WbsItem, Decimal]] = field(default_factory=list)
    """(WBS index, leaf, percent) of every dated leaf they work on (milestones included)."""
    weeks: list[PersonWeek] = field(default_factory=list)
    """Weeks with a load, in order."""
    start: dt.date | None = None
    """Earliest start of their leaves."""
    end: dt.date | None = None
    """Latest end of their leaves."""

    @property
    def peak(self) -> PersonWeek | None:
        """The week of the highest load (the first of equals)."""
        return max(self.weeks, key=lambda w: w.load, default=None)

    @property
    def average(self) -> Decimal | None:
        """Mean load over the weeks with working days from their first to their last loaded week."""
        if not self.weeks:
            return None
        return tenth(sum((w.load for w in self.weeks), Fraction(0)) / self.span)

    span: int = 0
    """Weeks with working days from their first to their last loaded week."""


@dataclass(frozen=True)
class Load:
    """Everyone's weekly load: by name (in order of first appearance in the WBS) and the overloads."""

    people: dict[str, PersonLoad]
    over: list[PersonWeek]


def carriers(item: WbsItem, index: int) -> list[tuple[str, Decimal, tuple]]:
    """(name, percent, path) of who carries a leaf: its assignments, else its owner at 100%."""
    if item.assignments:
        return [(a.name, a.percent, ("wbs", index, "assignments", j)) for j, a in enumerate(item.assignments)]
    if item.owner:
        return [(item.owner, Decimal(100), ("wbs", index, "owner"))]
    return []


def weekly_load(facts) -> Load:
    """Each person's load per ISO week from the WBS leaves (see the module docstring)."""
    cal = facts.calendar
    wbs = facts.project.wbs
    position = {id(item): i for i, item in enumerate(wbs)}
    week_days: dict[dt.date, int] = {}

    def days_of(monday: dt.date) -> int:
        if monday not in week_days:
            week_days[monday] = cal.workdays_between(monday, monday + dt.timedelta(days=6))
        return week_days[monday]

    people: dict[str, PersonLoad] = {}
    cells: dict[str, dict[dt.date, list[Share]]] = defaultdict(lambda: defaultdict(list))
    for item in leaves(wbs):
        if item.start is None or item.end is None:
            continue
        index = position[id(item)]
        who = carriers(item, index)
        for name, percent, _ in who:
            person = people.setdefault(name, PersonLoad(name))
            person.tasks.append((index, item, percent))
            person.start = item.start if person.start is None else min(person.start, item.start)
            person.end = item.end if person.end is None else max(person.end, item.end)
        if item.milestone or not who:
            continue
        monday = item.start - dt.timedelta(days=item.start.weekday())
        while monday <= item.end:
            total = days_of(monday)
            if total:
                mine = cal.workdays_between(max(item.start, monday), min(item.end, monday + dt.timedelta(days=6)))
                if mine:
                    for name, percent, path in who:
                        load = Fraction(percent) * mine / total
                        if load:
                            cells[name][monday].append(Share(item.code, item.name, path, load))
            monday += dt.timedelta(days=7)
    over = []
    for name, weeks in cells.items():
        person = people[name]
        for monday in sorted(weeks):
            shares = tuple(weeks[monday])
            week = PersonWeek(name, iso_week(monday), monday, monday + dt.timedelta(days=6),
                              sum((s.load for s in shares), Fraction(0)), shares)
            person.weeks.append(week)
            if week.over:
                over.append(week)
        first, last = person.weeks[0].monday, person.weeks[-1].monday
        person.span = sum(1 for k in range((last - first).days // 7 + 1)
                          if days_of(first + dt.timedelta(days=7 * k)))
    over.sort(key=lambda w: (w.monday, w.name))
    return Load(people, over)


# -- costs ----------------------------------------------------------------------------------------

def material_amount(m: Material) -> Decimal:
    """数量 × 单价 to the fen, half up (the computed 金额; a typed one must equal it: R-RES-1)."""
    return (m.quantity * m.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    """The 资源分配表 figures by budget category."""

    people: Decimal
    """Σ resources.people[].cost (the 人工 line)."""
    by_category: dict[str, Decimal]
    """Category → amount: 人工 / 物料 / 外采 from the resources, the others from the budget lines."""
    total: Decimal
    """Σ by_category: the 资源分配表 total the charter's budget must equal."""
    detailed: bool
    """Whether the data has a 资源分配表 at all (people or materials)."""

    def detail(self) -> str:
        """「人工 ¥…、物料 ¥…、外采 ¥…」 for messages."""
        from ..money import format_yuan

        return "、".join(f"{c} {format_yuan(a)}" for c, a in self.by_category.items())


def resource_totals(facts) -> Totals:
    """The 资源分配表 total by category (module docstring); use through ``facts.derive``."""
    res, lines = facts.project.resources, facts.project.budget.lines
    people = sum((p.cost for p in res.people), Decimal("0.00"))
    by_category = {"人工": people}
    for category in ("物料", "外采"):
        by_category[category] = sum((m.amount if m.amount is not None else material_amount(m)
                                     for m in res.materials if m.category == category), Decimal("0.00"))
    for line in lines:
        if line.category not in DETAILED:
            by_category[line.category] = by_category.get(line.category, Decimal("0.00")) + line.amount
    return Totals(people, by_category, sum(by_category.values(), Decimal("0.00")),
                  bool(res.people or res.materials))
