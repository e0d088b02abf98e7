"""MAIL 项目进展邮件: the client's view of one reported week, as an e-mail (one ``.eml`` per week).

The weekly report (WEEK) is internal: it shows the budget, the costs and the forecast. The mail is
made from the same data (``weekly/<week>.yaml``, the 进度表 snapshot of ``figures/progress.py``, the
open minute actions of ``figures/actions.py`` and the 问题清单), through the same helpers WEEK uses
(``week._week_actions``, ``week._week_issues``), so the two cannot disagree; it shows only what the
client may read:

- 总体状态 and its reason; 本周完成 (the report's ``done`` and the tasks finished that week);
  下周计划 (the report's ``next`` and our team's open minute actions). Where the internal report's
  words would not do for the client (a cost, a budget change), the week's ``mail:`` block
  (``WeeklyMail``: status_reason, done, next) gives the client's wording, which replaces them;
- 里程碑 (plan, status, forecast / actual date);
- 需客户配合事项 with the client contact and the due date (the report's rows and the client's open
  minute actions);
- 需客户关注的问题: the issues open during the week that concern the client, namely those raised
  by or owned by a client contact, or whose description or impact names the client (its name, its
  short name or 「客户」). Only their ID, description, owner, due date and status are shown: never
  their internal level, age or escalations.

Never a budget, cost, EVM figure, margin or verdict against an internal target: R-COM-8 runs on this
context like on every client-facing document (MAIL is in ``client_facing``), and the chart is the
tasks' 计划完成% against 实际完成% (``render/mail.py``).

Recipients come from the 沟通计划 (``communication``): the row named 「项目进展邮件」; To = the client
contacts in its audience, Cc = our team members and groups in it (a group by its mailing-list
address, else its members).

R-MAIL-1: the mail can be addressed: the row exists, has at least one client contact, and every
recipient has a valid e-mail address (a contact without ``email`` is located at the audience entry,
an invalid address at the person's ``email``).
R-MAIL-2: no internal figure. R-COM-8 runs on this context through ``client_facing`` (figures as
documents write them, internal words); R-MAIL-2 adds the amounts a person types in the weekly
texts (「372 万元」) equal to an internal figure (``no_internal_amounts``).

The control block is the week's own (``weekly/<week>.yaml`` ``document:``) over ``documents.MAIL``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import actions as action_figures
from ..figures import progress
from ..rules import rule
from . import week as week_artifact
from .registry import Artifact, register

#: The 沟通计划 row that lists who receives the mail.
MAIL_ITEM = "项目进展邮件"

SECTIONS = ("总体状态", "本周完成", "下周计划", "里程碑", "需客户配合事项", "需客户关注的问题")

#: What the mail shows (and R-COM-4 / R-COM-6 check in it). Not ``budget`` or ``changes``: the mail
#: shows neither, though the 进度表 snapshot it takes its rows from is computed with the week's cost
#: baseline (not shown); its fingerprint hook reads that baseline (``_fingerprint``), and the
#: internal figures R-COM-8 / R-MAIL-2 keep out of the mail are in the client-facing part of every
#: fingerprint. Not ``meetings``: read through the fingerprint, as WEEK does (R-COM-4 / R-COM-6
#: check a meeting's data in its own 会议纪要).
DEPENDS = ("project", "client", "team", "organisation", "communication", "groups", "milestones",
           "issues", "wbs", "weekly", "documents")

#: A practical address check (RFC 5322 dot-atom local part, a domain with a dot, no spaces).
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def valid_address(value: str) -> bool:
    return bool(ADDRESS.match(value)) and ".." not in value and not value.split("@")[0].startswith(".")


def _row(facts: Facts):
    for n, c in enumerate(facts.project.communication):
        if c.name == MAIL_ITEM:
            return n, c
    return None, None


def recipients(facts: Facts) -> dict:
    """``{"to": [(name, email|None, path)], "cc": [...]}`` from the 项目进展邮件 row (path: where the
    name is written in the audience). A group stands for its address, else its members."""
    p = facts.project
    contacts = {c.name: c.email for c in p.client.contacts}
    team = {m.name: m.email for m in p.team}
    to, cc = [], []
    n, row = _row(facts)
    if row is None:
        return {"to": to, "cc": cc}
    for j, name in enumerate(row.audience):
        path = ("communication", n, "audience", j)
        group = p.groups.get(name)
        if group is not None:
            if group.email:
                cc.append((name, group.email, path))
            else:
                for member in group.members:
                    (to if member in contacts and member not in team else cc).append(
                        (member, contacts.get(member) if member not in team else team.get(member), path))
        elif name in team:
            cc.append((name, team[name], path))
        elif name in contacts:
            to.append((name, contacts[name], path))
    return {"to": to, "cc": cc}


def _email_path(facts: Facts, name: str) -> tuple:
    for i, m in enumerate(facts.project.team):
        if m.name == name:
            return ("team", i, "email")
    for i, c in enumerate(facts.project.client.contacts):
        if c.name == name:
            return ("client", "contacts", i, "email")
    for group, g in facts.project.groups.items():
        if group == name:
            return ("groups", group, "email")
    return ("communication",)


@rule("R-MAIL-1", "E", "项目进展邮件的收件人来自沟通计划且有有效邮箱")
def recipients_valid(facts: Facts, artifact, key):
    n, row = _row(facts)
    if row is None:
        yield ("communication",), (f"沟通计划（communication）中没有「{MAIL_ITEM}」一项：请添加 name: {MAIL_ITEM}，"
                                   "audience 列出接收邮件的客户联系人（收件人）与我方人员（抄送），frequency: 每周")
        return
    people = recipients(facts)
    if not people["to"]:
        yield ("communication", n, "audience"), (f"「{MAIL_ITEM}」的参与/接收人（audience）中没有客户联系人"
                                                 "（client.contacts）：邮件没有收件人")
    reported: set[str] = set()
    for side, label in (("to", "收件人"), ("cc", "抄送人")):
        for name, address, path in people[side]:
            if name in reported:
                continue
            reported.add(name)
            if not address:
                yield path, (f"「{MAIL_ITEM}」的{label}{name}没有电子邮箱：请在客户联系人（client.contacts）"
                             "或名册（team）中填写其 email")
            elif not valid_address(address):
                yield _email_path(facts, name), (f"「{MAIL_ITEM}」的{label}{name}的电子邮箱「{address}」无效："
                                                 "应形如 name@example.com")


#: An amount written in words a person types: 「372 万元」, 「152.8万元」, 「14.8 万」, 「28,000 元」.
AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万元|万|元)")


def _written_amounts(value: str) -> list[tuple[str, Decimal]]:
    found = []
    for match in AMOUNT.finditer(value):
        number = Decimal(match.group(1).replace(",", ""))
        found.append((match.group(0), number * (10000 if match.group(2).startswith("万") else 1)))
    return found


def _text_paths(facts: Facts, key: str) -> list[tuple[tuple, str]]:
    """(data path, text) of every free text of the week the mail shows: the client's wording where
    the week has a ``mail:`` block, else the report's own."""
    i, report = week_artifact._report(facts, key)
    own = report.mail
    out: list[tuple[tuple, str]] = []
    if own is not None and own.status_reason:
        out.append((("weekly", i, "mail", "status_reason"), own.status_reason))
    elif report.status_reason:
        out.append((("weekly", i, "status_reason"), report.status_reason))
    for field in ("done", "next"):
        if own is not None and getattr(own, field) is not None:
            out += [(("weekly", i, "mail", field, j), t) for j, t in enumerate(getattr(own, field))]
        else:
            out += [(("weekly", i, field, j), t) for j, t in enumerate(getattr(report, field))]
    out += [(("weekly", i, "client_actions", j, "item"), a.item) for j, a in enumerate(report.client_actions)]
    return out


@rule("R-MAIL-2", "E", "项目进展邮件不出现内部数字（含以万元书写的金额）")
def no_internal_amounts(facts: Facts, artifact, key):
    """R-COM-8 finds an internal figure written as the documents write money (¥3,720,000.00); a
    weekly report's free text writes it as a person does (「372 万元」, 「14.8 万」). Every amount
    in 元 or 万元 in the texts the mail shows is compared with the internal figures (budget, costs,
    forecasts, budget changes and baselines: ``rules.internal_figures``); an equal one is a finding
    at the text, which the week's ``mail:`` block can reword for the client."""
    from ..rules import internal_figures

    i, _ = week_artifact._report(facts, key)
    figures: dict[Decimal, str] = {}  # the week's own figures first: 「即 2026-W27 周报的累计实际成本」
    for _, label, amount in sorted(internal_figures(facts), key=lambda f: tuple(f[0][:2]) != ("weekly", i)):
        figures.setdefault(Decimal(amount), label)
    for path, value in _text_paths(facts, key):
        for written, amount in _written_amounts(value):
            if amount in figures:
                field = "mail" if "mail" in path else path[2]
                how = ("请改写给客户的措辞" if field == "mail" else
                       "请在本周文件的 mail 中写给客户的措辞（mail.status_reason / mail.done / mail.next）")
                yield path, (f"项目进展邮件面向客户，不得出现内部数字：「{written}」即{figures[amount]}；{how}")


# -- context --------------------------------------------------------------------------------

def _concerns_client(facts: Facts, issue) -> bool:
    client = facts.project.client
    contacts = {c.name for c in client.contacts}
    team = {m.name for m in facts.project.team}
    if (issue.owner in contacts and issue.owner not in team) or \
            (issue.raised_by in contacts and issue.raised_by not in team):
        return True
    words = [w for w in (client.name, client.short_name, "客户") if w]
    text = f"{issue.description} {issue.impact or ''}"
    return any(w in text for w in words)


def subject(facts: Facts, key: str) -> str:
    """【项目周报】<项目名称> 第N周（M月D日–M月D日）."""
    start, end = progress.week_bounds(key)
    number = int(key.split("-W")[1])
    return (f"【项目周报】{facts.project.project.name} 第{number}周"
            f"（{start.month}月{start.day}日–{end.month}月{end.day}日）")


def context(facts: Facts, key: str | None) -> dict:
    _, report = week_artifact._report(facts, key)
    snap = progress.snapshot(facts, key)
    titles = {c.name: c.title for c in facts.project.client.contacts}
    own = report.mail  # the client's wording, where the internal report's would not do
    reason = own.status_reason if own is not None and own.status_reason else report.status_reason
    done = own.done if own is not None and own.done is not None else report.done
    planned = own.next if own is not None and own.next is not None else report.next
    # the same rows WEEK shows (week._week_actions), from the client's 下周计划
    start, end = progress.week_bounds(key)
    next_lines, client_rows = action_figures.week_items(facts, start, end, list(planned),
                                                        [a.model_dump() for a in report.client_actions])
    people = recipients(facts)
    org = facts.project.organisation
    manager = next((m for m in facts.project.team if m.name == org.manager), None)
    issues = [{"id": s.issue.id, "description": s.issue.description, "owner": s.issue.owner,
               "owner_title": titles.get(s.issue.owner or ""), "due": s.issue.due, "status": s.status}
              for s in week_artifact._week_issues(facts, key) if _concerns_client(facts, s.issue)]
    return {
        "mail": {
            "subject": subject(facts, key),
            "to": [{"name": name, "email": address, "title": titles.get(name)} for name, address, _ in people["to"]],
            "cc": [{"name": name, "email": address} for name, address, _ in people["cc"]],
            "sender": {"name": org.manager, "email": manager.email if manager else None,
                       "role": manager.role if manager else None, "phone": manager.phone if manager else None},
            "date": _date_of(report, snap),
        },
        "week": {"label": key, "number": int(key.split("-W")[1]), "start": snap.start, "end": snap.end},
        "status": {"value": report.status, "reason": reason},
        "done": list(done),
        "finished": [f"{r.code} {r.name}" for r in snap.rows
                     if r.finished and r.actual_end and snap.start <= r.actual_end <= snap.end],
        "next": next_lines,
        "milestones": [{"id": m.id, "name": m.name, "planned": m.planned, "status": m.status,
                        "forecast": m.forecast} for m in snap.milestones],
        "progress": [{"code": r.code, "name": r.name, "planned": r.planned_percent, "actual": r.percent}
                     for r in snap.active],
        "client_actions": [{"item": r.get("item"), "contact": r.get("contact"), "title": titles.get(r.get("contact") or ""),
                            "due": r.get("due"), "source": r.get("source")} for r in client_rows],
        "issues": issues,
    }


def _date_of(report, snap):
    """The day the mail is dated: the report's approval day, else its preparation day, else the
    week's Friday (never the build's clock: the .eml is the same bytes on every build)."""
    control = report.document
    for signoff in ((control.approved, control.prepared) if control is not None else ()):
        if signoff is not None and signoff.date is not None:
            return signoff.date
    return snap.end - dt.timedelta(days=2)


def key_values(facts: Facts, key: str | None) -> list[str]:
    _, report = week_artifact._report(facts, key)
    own = report.mail
    reason = own.status_reason if own is not None and own.status_reason else report.status_reason
    values = [facts.project.project.name, f"总体状态：{report.status}", reason or ""]
    values += [a.contact for a in report.client_actions if a.contact]
    values += [cn_date(a.due) for a in report.client_actions if a.due]
    return values


def _baseline_inputs(facts: Facts) -> list:
    """What the week's cost baseline (``figures/baseline.py``) is made from: the charter budget's
    amounts and the approved changes' budget, approval date and WBS codes. The snapshot computes its
    (unshown) cost figures with them; read here from the data, not through the build's cached
    figures, so that the hook reads what it hashes."""
    p = facts.project
    return [str(p.budget.total), [str(line.amount) for line in p.budget.lines],
            [[c.id, str(c.budget_change), str(c.decision.date), list(c.tasks)] for c in p.changes if c.approved]]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """What one week's mail is made from: what it shows (its context: the snapshot, the minute
    actions, the issues, the recipients), its week's data and control block, what R-MAIL-1 reads
    (the 沟通计划 row, the groups, everyone's address), and every declared key whole (R-COM-4 /
    R-COM-6 check all of their text, not only what the mail shows, as in WEEK). Of ``budget`` and
    ``changes`` only what the week's cost baseline is made from (``_baseline_inputs``, see ``DEPENDS``)."""
    p = facts.project
    _, week = week_artifact._report(facts, key)
    return {"context": context(facts, key), "week": week.model_dump(mode="json"),
            "control": facts.control("MAIL", key)[0].model_dump(mode="json"),
            "communication": [c.model_dump(mode="json") for c in p.communication],
            "groups": {k: g.model_dump(mode="json") for k, g in p.groups.items()},
            "team": [m.model_dump(mode="json") for m in p.team],
            "client": p.client.model_dump(mode="json"),
            "organisation": p.organisation.model_dump(mode="json"),
            "milestones": [m.model_dump(mode="json") for m in p.milestones],
            "issues": [x.model_dump(mode="json") for x in p.issues],
            "wbs": facts.derive(week_artifact._wbs_dump),
            "baseline": _baseline_inputs(facts),
            # which open action items of the 会议纪要 the mail carries (their text is in the context)
            "minutes": [[m.id, j] for m in facts.project.meetings if m.date <= progress.week_bounds(key)[1]
                        for j, a in enumerate(m.actions)
                        if a.closed is None or a.closed > progress.week_bounds(key)[1]]}


MAIL = register(Artifact(
    code="MAIL",
    sections=SECTIONS,
    context=context,
    rules=(recipients_valid, no_internal_amounts),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: bool(project.weekly),
    instances=lambda project: sorted({w.week for w in project.weekly}),
    instance_of=("weekly", "week"),
    fingerprint=_fingerprint,
    formats=("eml",),
))
