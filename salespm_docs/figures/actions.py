"""The action items of the 会议纪要 (``meetings/``) as of a day: who owns each, whether it is closed,
and which 周进度报告 carry it while it is open. Shared by MIN (the 待办事项 table) and WEEK (下周计划 and
需客户配合事项), so a minute and a weekly report can never disagree about an item.

Semantics (one rule, used by both documents):

- An item is *closed on* ``day`` when its ``closed`` date is on or before ``day``; otherwise it is
  open (a ``closed`` date after ``day`` is not yet known on ``day``).
- A weekly report carries an item from the first report whose week ends on or after the meeting
  date, as long as the item is open at the week's end: an item closed on or before the Sunday of a
  week no longer appears in that week's report. Weeks without a report (春节) carry nothing.
- The item's side: an owner who is a client contact (``client.contacts``) and not a member of our
  team is the client's (需客户配合事项, a row: 事项 · 客户方负责人 · 期限); any other item, including
  one without an owner (R-MIN-1 reports that), is our team's (下周计划).
- Each carried item names its source: 「1月9日项目启动会待办」 (meeting date and title).
- Written twice: a weekly file that already lists the item (a ``client_actions`` row with the same
  contact and the same 事项, or a ``next`` line with the same text; compared without spaces and
  punctuation) keeps its own row, marked with the source, and the minute adds nothing: the reader
  sees the item once. Where they differ (the due date of that row, say), the weekly file's words
  stand: it is the later statement. An item worded differently in the two places is shown twice;
  the minutes carry open items into the reports by themselves, so a weekly file need not repeat them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: What the comparison of an item's wording ignores: spaces and punctuation (Chinese and ASCII).
_IGNORED = re.compile(r"[\s，,。.；;：:、（）()“”\"'‘’！!？?—\-·]")


@dataclass(frozen=True)
class Action:
    """One action item of one meeting."""

    meeting: str
    """The meeting's id (its file stem, the MIN key)."""
    meeting_index: int
    """Its position in ``project.meetings`` (for located findings)."""
    index: int
    """Its position in the meeting's ``actions``."""
    meeting_date: dt.date
    meeting_title: str
    item: str
    owner: str | None
    due: dt.date | None
    closed: dt.date | None
    note: str | None
    client: bool
    """Whether the owner is a client contact (and not on our team)."""

    @property
    def path(self) -> tuple:
        return ("meetings", self.meeting_index, "actions", self.index)

    @property
    def source(self) -> str:
        """「1月9日项目启动会待办」."""
        d = self.meeting_date
        return f"{d.month}月{d.day}日{self.meeting_title}待办"

    def closed_on(self, day: dt.date) -> bool:
        return self.closed is not None and self.closed <= day

    def open_at_end_of(self, start: dt.date, end: dt.date) -> bool:
        """Whether a report for the week ``start``..``end`` carries it (see the module docstring)."""
        return self.meeting_date <= end and not self.closed_on(end)


def same_words(a: str, b: str) -> bool:
    """Whether two items say the same thing in the same words (spaces and punctuation ignored)."""
    return _IGNORED.sub("", a) == _IGNORED.sub("", b)


def all_actions(facts) -> list[Action]:
    """Every action item of every meeting, meetings in date order (``facts.derive`` it)."""
    p = facts.project
    team = {m.name for m in p.team}
    contacts = {c.name for c in p.client.contacts}
    found = []
    order = sorted(range(len(p.meetings)), key=lambda i: (p.meetings[i].date, p.meetings[i].id))
    for i in order:
        m = p.meetings[i]
        for j, a in enumerate(m.actions):
            found.append(Action(m.id, i, j, m.date, m.title, a.item, a.owner, a.due, a.closed, a.note,
                                a.owner is not None and a.owner in contacts and a.owner not in team))
    return found


def of_meeting(facts, meeting_id: str) -> list[Action]:
    return [a for a in facts.derive(all_actions) if a.meeting == meeting_id]


def open_in_week(facts, start: dt.date, end: dt.date) -> list[Action]:
    """The items a report for the week ``start``..``end`` carries, meetings in date order."""
    return [a for a in facts.derive(all_actions) if a.open_at_end_of(start, end)]


def status(action: Action, day: dt.date) -> str:
    """The 状态 column of the minute as of ``day``: 已关闭 / 未关闭 / 已逾期."""
    if action.closed_on(day):
        return "已关闭"
    if action.due is not None and action.due < day:
        return "已逾期"
    return "未关闭"


def team_line(action: Action, end: dt.date) -> str:
    """A 下周计划 line for an open item of our team: 「事项（孙磊，2月24日前；2月12日第 7 周周例会待办）」."""
    who = action.owner or "责任人未定"
    if action.due is None:
        when = "期限未定"
    elif action.due < end:
        when = f"原定{action.due.month}月{action.due.day}日，已逾期"
    else:
        when = f"{action.due.month}月{action.due.day}日前"
    return f"{action.item}（{who}，{when}；{action.source}）"


def week_items(facts, start: dt.date, end: dt.date, written_next: list[str],
               written_client: list[dict]) -> tuple[list[str], list[dict]]:
    """下周计划 lines and 需客户配合事项 rows of one weekly report: what its file says, each line or row
    the minutes also carry marked with the source, then the minutes' other open items."""
    marks: list[list[str]] = [[] for _ in written_next]
    added: list[str] = []
    rows = [dict(r, source=None) for r in written_client]
    for a in open_in_week(facts, start, end):
        if a.client:
            row = next((r for r in rows if r.get("contact") == a.owner and same_words(r.get("item") or "", a.item)),
                       None)
            if row is not None:
                row["source"] = f"{row['source']}；{a.source}" if row["source"] else a.source
            else:
                rows.append({"item": a.item, "contact": a.owner, "due": a.due, "source": a.source})
            continue
        k = next((k for k, line in enumerate(written_next) if same_words(line, a.item)), None)
        if k is not None:
            marks[k].append(a.source)
        else:
            added.append(team_line(a, end))
    lines = [f"{line}（{'；'.join(m)}）" if m else line for line, m in zip(written_next, marks)]
    return lines + added, rows
