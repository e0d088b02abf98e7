"""The 问题清单 as of a day: each issue's status, age, current level and the escalations it owes.

One list: the issues are recorded once (``issues.yaml``); the 周进度报告 of a week shows the issues
open during that week as the register says they stood at the week's end, and the 问题清单 shows
them as of the status date. Thresholds come from the configuration (``issues.escalate_manager_days``,
``issues.escalate_management_days``; ARTIFACTS.md §6).

An issue is *open more than N days* from the day ``raised + N + 1`` on while unresolved: that is
the day by which the escalation is due. An issue whose 责任人 is the 项目经理 stands at the
项目经理 level from the day it is raised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.lifecycle import Escalation, Issue

#: The levels in order; an escalation to a level also covers every level below it.
LEVELS = ("项目组", "项目经理", "管理层")


@dataclass(frozen=True)
class Owed:
    """An escalation the mechanism requires: to ``level``, by ``due``; ``done`` the date it was made."""

    level: str
    threshold: int
    due: dt.date
    done: dt.date | None

    @property
    def missing(self) -> bool:
        return self.done is None

    @property
    def late_days(self) -> int:
        return max((self.done - self.due).days, 0) if self.done is not None else 0


@dataclass(frozen=True)
class IssueState:
    """One issue as of ``day``."""

    issue: Issue
    day: dt.date
    status: str
    """已解决 when resolved on or before ``day``, else 开放 or 处理中."""
    age: int
    """Calendar days open: to the resolution date, or to ``day`` while unresolved."""
    level: str
    """当前级别: 项目组 / 项目经理 / 管理层."""
    escalations: tuple[Escalation, ...]
    """The escalation records dated on or before ``day``, in date order."""
    owed: tuple[Owed, ...]
    """The escalations the thresholds require by ``day`` (made or not)."""

    @property
    def resolved(self) -> bool:
        return self.status == "已解决"

    @property
    def missing(self) -> tuple[Owed, ...]:
        return tuple(o for o in self.owed if o.missing)


def named(issue: Issue, width: int = 30) -> str:
    """How a message names an issue: 「问题 I05「U9 订单同步接口…」」, its description cut at ``width``
    characters with an ellipsis (never in the middle of a word the reader cannot tell is cut)."""
    text = issue.description
    return f"问题 {issue.id}「{text if len(text) <= width else text[:width].rstrip() + '…'}」"


def _add(day: dt.date, days: int) -> dt.date:
    return dt.date.fromordinal(min(day.toordinal() + days, dt.date.max.toordinal()))


def state(issue: Issue, day: dt.date, manager: str | None, thresholds: tuple[int, int]) -> IssueState:
    """``issue`` as of ``day``; ``manager`` is the 项目经理 (organisation.manager), ``thresholds``
    the days after which it goes to the 项目经理 and to 管理层."""
    done = issue.resolved is not None and issue.resolved <= day and issue.status == "已解决"
    end = issue.resolved if done else day
    age = max((end - issue.raised).days, 0)
    made = tuple(sorted((e for e in issue.escalations if e.date <= day), key=lambda e: e.date))
    rank = 1 if manager is not None and issue.owner == manager else 0
    for e in made:
        rank = max(rank, LEVELS.index(e.level))
    owed = []
    for level, threshold in zip(LEVELS[1:], thresholds):
        if age <= threshold:
            continue
        at = [e.date for e in issue.escalations if LEVELS.index(e.level) >= LEVELS.index(level)
              and e.date >= issue.raised]
        if level == "项目经理" and rank >= 1 and manager is not None and issue.owner == manager:
            at.append(issue.raised)
        owed.append(Owed(level, threshold, _add(issue.raised, threshold + 1), min(at) if at else None))
    if done:
        status = "已解决"
    else:
        status = "开放" if issue.status == "开放" else "处理中"
    return IssueState(issue, day, status, age, LEVELS[rank], made, tuple(owed))


def thresholds(facts) -> tuple[int, int]:
    cfg = facts.settings.issues
    return cfg.escalate_manager_days, cfg.escalate_management_days


def register(facts, day: dt.date | None = None) -> list[IssueState]:
    """Every issue of the 问题清单 raised on or before ``day`` (default: the status date), as of that day."""
    day = facts.today if day is None else day
    manager = facts.project.organisation.manager
    return [state(i, day, manager, thresholds(facts)) for i in facts.project.issues if i.raised <= day]


def open_during(facts, start: dt.date, end: dt.date) -> list[IssueState]:
    """The issues open at some time from ``start`` to ``end`` (a week), as they stood at ``end``:
    raised by ``end`` and not resolved before ``start``."""
    return [s for s in register(facts, end)
            if not (s.issue.resolved is not None and s.issue.status == "已解决" and s.issue.resolved < start)]
