"""COM 沟通计划: every meeting and report once, who runs it, who takes part, how often, where it is kept;
the stakeholders' contacts; and the issue escalation rules. It is the one source for communication:

- the 周进度报告 row's frequency is the one R-WEEK-1 checks the weekly series against
  (``figures.progress.report_frequency``; the configured ``communication.report_frequency`` only
  when the project has no such row);
- the escalation section is generated from the configuration the issue rules use
  (``issues.escalate_manager_days`` / ``escalate_management_days``, ``figures.issues.thresholds``,
  the same R-ISS-1/2 and the ISS register apply), naming the 项目经理 (``organisation.manager``) and
  the 管理层 person (the 发起人, ``organisation.sponsor``). There is no typed escalation text, so the
  section cannot contradict the issue rules; R-COMM-3 checks what the section needs to be stated:
  both people named and the two thresholds in order.

Rules R-COMM-1…4 (ARTIFACTS.md §4):

- R-COMM-1: a row exists for each configured required item (``communication.required``: 周例会 每周,
  月度复盘会 每月, 周进度报告 每周) with that frequency.
- R-COMM-2: each row has 负责人 (owner), 参与/接收人 (audience), 形式/渠道 (channel) and 频率
  (frequency); every recipient of the 周进度报告 (the weekly mail) can be reached by e-mail: a person
  with an ``email`` (team or client.contacts), or a group with an ``email`` (mailing list) or whose
  listed members all have one.
- R-COMM-4: a client-side contact is named: ``organisation.client_contact`` is set and is one of the
  client contacts, and at least one client contact is among the audiences (directly or as a member
  of a listed group).

A recipient who is neither on the roster nor a declared group is R-COM-4 (common rule, located at
``communication[i].audience[j]``).
"""

from __future__ import annotations

from ..facts import Facts
from ..figures import issues as issue_fig
from ..figures.progress import REPORT_ITEM, report_frequency
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("沟通目标与原则", "沟通矩阵", "会议与报告", "干系人联系方式", "问题升级机制", "审批签字")

DEPENDS = ("project", "client", "team", "organisation", "communication", "groups", "documents")


def _members(facts: Facts, name: str) -> list[str]:
    """The people a name in an audience stands for: the group's listed members, else the name."""
    group = facts.project.groups.get(name)
    return list(group.members) if group is not None else [name]


def _emails(facts: Facts) -> dict[str, str | None]:
    """Everyone's e-mail address, team first, then client contacts."""
    found: dict[str, str | None] = {m.name: m.email for m in facts.project.team}
    for c in facts.project.client.contacts:
        found.setdefault(c.name, c.email)
    return found


@rule("R-COMM-1", "E", "沟通计划包含规定的会议与报告，频率符合规定")
def required_items(facts: Facts, artifact, key):
    rows = facts.project.communication
    for name, frequency in facts.settings.communication.required.items():
        found = [(n, c) for n, c in enumerate(rows) if c.name == name]
        if not found:
            yield ("communication",), (f"沟通计划缺少「{name}」（频率{frequency}）：按规定（communication.required）"
                                       f"须有此项，请在 communication 中添加 name: {name}")
            continue
        for n, c in found:
            if c.frequency != frequency:
                yield ("communication", n, "frequency"), (
                    f"「{name}」的频率为「{c.frequency or '未填写'}」，规定为「{frequency}」（communication.required）")


@rule("R-COMM-2", "E", "每项沟通有负责人、参与人、渠道与频率；周报收件人有邮箱")
def rows_complete(facts: Facts, artifact, key):
    fields = (("owner", "负责人"), ("audience", "参与/接收人"), ("channel", "形式/渠道"), ("frequency", "频率"))
    emails = _emails(facts)
    for n, c in enumerate(facts.project.communication):
        missing = [f"{label}（{field}）" for field, label in fields if not getattr(c, field)]
        if missing:
            yield ("communication", n), f"「{c.name}」缺少{'、'.join(missing)}"
        if c.name != REPORT_ITEM:
            continue
        for j, name in enumerate(c.audience):
            group = facts.project.groups.get(name)
            if group is not None:
                if group.email:
                    continue
                if not group.members:
                    yield ("communication", n, "audience", j), (
                        f"周进度报告的收件人「{name}」是未列出成员的分组，没有邮箱：请为分组填写邮件列表地址"
                        f"（groups.{name}.email）或列出成员（members）")
                    continue
                people = [p for p in group.members if p in emails and not emails[p]]
            else:
                people = [name] if name in emails and not emails[name] else []
            for person in people:
                via = f"（分组「{name}」的成员）" if group is not None else ""
                yield ("communication", n, "audience", j), (
                    f"周进度报告的收件人{person}{via}没有电子邮箱：请在名册（team）或客户联系人（client.contacts）"
                    f"中填写其 email，周报邮件须发送给此人")


@rule("R-COMM-3", "E", "问题升级机制写明配置的升级阈值与升级对象")
def escalation_stated(facts: Facts, artifact, key):
    """The section is generated from the settings, so it always states the thresholds the issue
    rules apply; it fails when it cannot name the people (no 项目经理 or 发起人 in ``organisation``)
    or the configured thresholds are not in order (项目经理 before 管理层)."""
    org = facts.project.organisation
    manager_days, management_days = issue_fig.thresholds(facts)
    if org.manager is None:
        yield ("organisation",), ("问题升级机制须写明升级对象：缺少项目经理（organisation.manager），"
                                  f"未解决超过 {manager_days} 天的问题无人接收")
    if org.sponsor is None:
        yield ("organisation",), ("问题升级机制须写明升级对象：缺少代表管理层的发起人（organisation.sponsor），"
                                  f"未解决超过 {management_days} 天的问题无人接收")
    if not 0 < manager_days < management_days:
        yield ("organisation",), (f"升级阈值不合理：上报项目经理 {manager_days} 天、提交管理层 {management_days} 天"
                                  "（issues.escalate_manager_days 须大于 0 且小于 issues.escalate_management_days）")


@rule("R-COMM-4", "E", "沟通计划写明客户方联系人")
def client_contact_named(facts: Facts, artifact, key):
    p = facts.project
    contacts = {c.name for c in p.client.contacts}
    named = p.organisation.client_contact
    if named is None:
        yield ("organisation",), "缺少客户接口人（organisation.client_contact）：沟通计划须写明客户方联系人"
    elif named not in contacts:
        yield ("organisation", "client_contact"), (f"客户接口人「{named}」不是客户联系人（client.contacts）"
                                                   "中的人：客户接口人须是客户方人员")
    reached = {m for c in p.communication for a in c.audience for m in _members(facts, a)}
    if p.communication and not reached & contacts:
        yield ("communication",), ("沟通计划的参与/接收人（audience）中没有客户方联系人：至少一项会议或报告须有"
                                   "客户联系人（client.contacts）参加或接收")


# -- context --------------------------------------------------------------------------------

def _who(facts: Facts, name: str) -> str:
    """「张伟（项目经理）」, 「林晓（客户·销售管理部经理）」, a group as its name."""
    role = facts.roster.get(name)
    return f"{name}（{role}）" if role else name


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    org = p.organisation
    manager_days, management_days = issue_fig.thresholds(facts)
    rows = [{"name": c.name, "purpose": c.purpose, "audience": "、".join(c.audience) or None,
             "owner": c.owner, "frequency": c.frequency, "channel": c.channel, "output": c.output,
             "archive": c.archive} for c in p.communication]
    frequency, source = report_frequency(facts)
    people = ([{"side": "乙方", "name": m.name, "role": m.role, "unit": m.department, "email": m.email,
                "phone": m.phone} for m in p.team]
              + [{"side": "甲方", "name": c.name, "role": c.role or c.title, "unit": c.title, "email": c.email,
                  "phone": c.phone} for c in p.client.contacts])
    by_name = {c.name: c for c in p.communication}
    required = [{"name": n, "frequency": f, "planned": by_name[n].frequency if n in by_name else None,
                 "owner": by_name[n].owner if n in by_name else None,
                 "ok": n in by_name and by_name[n].frequency == f}
                for n, f in facts.settings.communication.required.items()]
    emails = _emails(facts)
    report = by_name.get(REPORT_ITEM)
    recipients = []
    for name in (report.audience if report is not None else []):
        group = p.groups.get(name)
        if group is not None:
            recipients.append({"name": name, "kind": "分组", "email": group.email or
                               ("、".join(f"{m} {emails.get(m) or '—'}" for m in group.members) or None)})
        else:
            kind = "甲方" if name in {c.name for c in p.client.contacts} and name not in {m.name for m in p.team} else "乙方"
            recipients.append({"name": name, "kind": kind, "email": emails.get(name)})
    groups = [{"name": n, "members": "、".join(g.members) or None, "description": g.description, "email": g.email}
              for n, g in p.groups.items()]
    return {
        "plan": {"count": len(rows), "required": required, "report_frequency": frequency,
                 "report_from_com": source == "COM", "client": p.client.short_name or p.client.name},
        "org": {"manager": org.manager, "sponsor": org.sponsor,
                "client_contact": _who(facts, org.client_contact) if org.client_contact else None},
        "rule": {"manager": manager_days, "management": management_days, "manager_day": manager_days + 1,
                 "management_day": management_days + 1},
        "levels": [
            {"level": "项目组", "when": f"问题提出后 {manager_days} 天内", "to": "问题责任人", "due": "随时处理"},
            {"level": "项目经理", "when": f"未解决超过 {manager_days} 天", "to": org.manager,
             "due": f"提出后第 {manager_days + 1} 天"},
            {"level": "管理层", "when": f"未解决超过 {management_days} 天", "to": org.sponsor,
             "due": f"提出后第 {management_days + 1} 天"},
        ],
        "communication": rows,
        "contacts": people,
        "recipients": recipients,
        "groups": groups,
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, COMMUNICATION, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    return [facts.project.project.name, *(c.name for c in facts.project.communication)]


COMMUNICATION = register(Artifact(
    code="COM",
    sections=SECTIONS,
    context=context,
    rules=(required_items, rows_complete, escalation_stated, client_contact_named),
    present=lambda project: bool(project.communication),
    key_values=key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf"),
))
