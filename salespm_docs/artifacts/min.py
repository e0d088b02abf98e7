"""MIN 会议纪要: one document per meeting, from ``meetings/<YYYY-MM-DD>-<slug>.yaml`` (key = the file
stem, ``Meeting.id``).

Sections 会议信息 (名称、时间、地点、主持、记录、参会人: grouped 甲方 / 乙方 with their 职务 or role) ·
议题 · 讨论要点 · 决议 · 待办事项 (事项、责任人、期限, and the 状态 as of the status date: 已关闭 with its
date, 未关闭, 已逾期). The action items come from ``figures/actions.py``, which the 周进度报告 use too:
an item open at a week's end appears in that week's 下周计划 (our team) or 需客户配合事项 (a client
contact) from the first report whose week ends on or after the meeting, until it is closed.

R-MIN-1 (E), on the document's own meeting, each finding located in its file:

- every action item has a 责任人 (``actions[j]``, 「缺少责任人（owner）」) and a 期限 (「缺少期限（due）」);
  the 期限 is not before the meeting (``actions[j].due``); a 关闭日期 is neither before the meeting
  nor after the status date (``actions[j].closed``);
- the 主持人, 记录人, every 参会人 and every 责任人 is a member of our team (``team``) or a client
  contact (``client.contacts``); the message names the person's role in the meeting. These fields
  are plain text in the model (not ``Person``), so R-COM-4 does not report the same name again.
- a meeting dated after the status date has no minutes yet (``date``).
The meeting file's name and its ``date`` are checked when the data is loaded (``loader._meeting_file``):
a date that differs from the name's, or a name without a date, is a located error, not a finding.
"""

from __future__ import annotations

from ..dates import cn_date
from ..facts import Facts
from ..figures import actions as fig
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("会议信息", "议题", "讨论要点", "决议", "待办事项")

DEPENDS = ("project", "client", "team", "meetings", "documents")


def _meeting(facts: Facts, key: str):
    """(index, meeting) of the meeting ``key``."""
    return facts.own_index("MIN", key)


def _short(text: str) -> str:
    return f"{text[:40]}…" if len(text) > 40 else text


# -- R-MIN-1 --------------------------------------------------------------------------------

@rule("R-MIN-1", "E", "待办事项有责任人与期限；参会人在项目名册或客户联系人中")
def actions_owned(facts: Facts, artifact, key):
    i, m = _meeting(facts, key)
    at = ("meetings", i)
    team = {x.name for x in facts.project.team}
    contacts = {c.name for c in facts.project.client.contacts}
    known = team | contacts

    def stranger(role: str, name: str) -> str:
        return (f"{role}「{name}」既不是项目组成员（team）也不是客户联系人（client.contacts）："
                f"请改正姓名；客户方人员请先加入 client.contacts")

    if m.date > facts.today:
        yield at + ("date",), (f"会议日期 {m.date} 在状态日期{cn_date(facts.today)}之后：会议纪要只记已召开的会议")
    for field, role in (("chair", "主持人"), ("recorder", "记录人")):
        name = getattr(m, field)
        if name is not None and name not in known:
            yield at + (field,), stranger(role, name)
    for k, name in enumerate(m.attendees):
        if name not in known:
            yield at + ("attendees", k), stranger("参会人", name)
    for j, a in enumerate(m.actions):
        path, what = at + ("actions", j), f"待办事项「{_short(a.item)}」"
        if not a.owner:
            yield path, f"{what}缺少责任人（owner）"
        elif a.owner not in known:
            yield path + ("owner",), stranger(f"{what}的责任人", a.owner)
        if a.due is None:
            yield path, f"{what}缺少期限（due）"
        elif a.due < m.date:
            yield path + ("due",), f"{what}的期限 {a.due} 早于会议日期 {m.date}"
        if a.closed is not None:
            if a.closed < m.date:
                yield path + ("closed",), f"{what}的关闭日期 {a.closed} 早于会议日期 {m.date}"
            elif a.closed > facts.today:
                yield path + ("closed",), (f"{what}的关闭日期 {a.closed} 在状态日期{cn_date(facts.today)}之后："
                                           "尚未关闭的事项不填关闭日期（closed）")


# -- context --------------------------------------------------------------------------------

def _who(facts: Facts, name: str | None) -> str | None:
    """「张伟（乙方·项目经理）」 / 「黄志强（甲方·信息化总监）」 / the name alone if unknown."""
    if name is None:
        return None
    team = {x.name: x.role for x in facts.project.team}
    if name in team:
        return f"{name}（乙方·{team[name]}）"
    contact = next((c for c in facts.project.client.contacts if c.name == name), None)
    if contact is not None:
        return f"{name}（甲方·{contact.title or contact.role or '联系人'}）"
    return name


def _attendance(facts: Facts, names: list[str]) -> dict:
    """The attendees grouped 甲方 / 乙方, each 「姓名（职务）」 in the order written; names on neither
    list (R-MIN-1 reports them) under 其他, as written."""
    p = facts.project
    team = {x.name: x.role for x in p.team}
    contacts = {c.name: (c.title or c.role or "联系人") for c in p.client.contacts}
    return {"client": [f"{n}（{contacts[n]}）" for n in names if n in contacts and n not in team],
            "vendor": [f"{n}（{team[n]}）" for n in names if n in team],
            "other": [n for n in names if n not in team and n not in contacts],
            "count": len(names)}


def _action_row(n: int, a: fig.Action, day, team: set[str]) -> dict:
    """One row of the 待办事项 table; 所属 is 甲方 / 乙方, or — for an owner on neither list (R-MIN-1)."""
    state = fig.status(a, day)
    side = "甲方" if a.client else "乙方" if a.owner in team else None
    return {"no": n, "item": a.item, "owner": a.owner, "side": side,
            "due": a.due, "status": state, "closed": a.closed if state == "已关闭" else None, "note": a.note}


def context(facts: Facts, key: str | None) -> dict:
    _, m = _meeting(facts, key)
    day = facts.today
    team = {x.name for x in facts.project.team}
    rows = [_action_row(n, a, day, team) for n, a in enumerate(fig.of_meeting(facts, m.id), 1)]
    when = cn_date(m.date) + (f" {m.time}" if m.time else "")
    return {
        "meeting": {"id": m.id, "title": m.title, "kind": m.kind, "date": m.date, "when": when,
                    "location": m.location, "chair": _who(facts, m.chair), "recorder": _who(facts, m.recorder),
                    "attendees": len(m.attendees)},
        "attend": _attendance(facts, list(m.attendees)),
        "topics": list(m.topics),
        "discussion": list(m.discussion),
        "decisions": list(m.decisions),
        "actions": rows,
        "summary": {"date": day, "total": len(rows), "closed": sum(r["status"] == "已关闭" for r in rows),
                    "open": sum(r["status"] != "已关闭" for r in rows),
                    "overdue": sum(r["status"] == "已逾期" for r in rows)},
        "signatures": _signatures(facts, key),
    }


def _signatures(facts: Facts, key: str) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, MINUTES, key, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    _, m = _meeting(facts, key)
    return [m.title, cn_date(m.date), *(x for x in (m.chair, m.recorder) if x), *m.attendees,
            *(a.owner for a in m.actions if a.owner)]


def subtitle(facts: Facts, key: str | None) -> str:
    """The title's instance part: 「2026年1月9日项目启动会」 (the key, a file stem, is an ISO date)."""
    _, m = _meeting(facts, key)
    return f"{cn_date(m.date)}{m.title}"


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """What one minute is made from: its own meeting (and file), the roster (in every fingerprint)
    and its control block (hashed by the build). Another meeting's edit rebuilds nothing here."""
    i, m = _meeting(facts, key)
    return {"meeting": m.model_dump(mode="json"), "file": facts.source.locate(("meetings", i))[0],
            "client": facts.project.client.model_dump(mode="json"),
            "team": [x.model_dump(mode="json") for x in facts.project.team],
            "project": facts.project.project.model_dump(mode="json")}


MINUTES = register(Artifact(
    code="MIN",
    sections=SECTIONS,
    context=context,
    rules=(actions_owned,),
    present=lambda project: bool(project.meetings),
    instances=lambda project: [m.id for m in sorted(project.meetings, key=lambda m: (m.date, m.id))],
    instance_of=("meetings", "id"),
    occasional=True,
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    subtitle=subtitle,
))
