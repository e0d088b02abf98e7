"""Acceptance figures shared by the final acceptance (ACC) and the phase acceptances (PACC), and
the two-party signature check they share with the 需求说明书 (REQ).

Both reports are signed by the two parties and list results per deliverable and the 遗留问题 with
their 整改责任人 and 整改期限; what they share is defined here once: how a person is named
(「黄志强（信息化总监）」), the 甲方 / 乙方 participants, the signature block (``parties``), the tally
of results (通过 / 有条件通过 / 不通过) and the sentence under the 遗留问题 table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..dates import cn_date

#: Results that leave work to do: each needs a 遗留问题 with 责任人 and 整改期限.
NEEDS_FOLLOW_UP = ("有条件通过", "不通过")


def person_label(roster: dict[str, str], name: str) -> str:
    """「黄志强（信息化总监）」: the name with the role from the roster (a client contact's 职务)."""
    role = roster.get(name)
    if role and role.startswith("客户·"):
        role = role[3:]
    return f"{name}（{role}）" if role else name


def participants(roster: dict[str, str], clients: Iterable[str], names: Iterable[str]) -> dict[str, list[str]]:
    """The participants split into 甲方 (client contacts) and 乙方 (everyone else), each labelled."""
    clients = set(clients)
    names = list(names)
    return {"client": [person_label(roster, n) for n in names if n in clients],
            "vendor": [person_label(roster, n) for n in names if n not in clients]}


def parties(client, vendor) -> dict[str, dict]:
    """The 甲方 / 乙方 signature block (``PartySignatures``) from two ``PartySign`` (or ``None``)."""
    return {side: {"organisation": s.organisation if s else None,
                   "representative": s.representative if s else None,
                   "date": s.date if s else None}
            for side, s in (("client", client), ("vendor", vendor))}


@dataclass(frozen=True)
class Tally:
    """Results counted once per deliverable (its first result)."""

    passed: int
    conditional: int
    failed: int

    @property
    def judged(self) -> int:
        return self.passed + self.conditional + self.failed


def party_findings(project, holder, at: tuple, missing: str, incomplete: str, not_before=None):
    """Findings on the 甲方 / 乙方 signatures of ``holder`` (``holder.client`` / ``holder.vendor``,
    each a ``PartySign``) written at ``at``: each side present, with 单位名称, 代表签字 and 日期; the
    单位 the client's or our company's name; the 代表 a client contact or a team member; the date
    not before ``not_before``. ``missing`` and ``incomplete`` word the first two findings
    (``{label}`` 甲方 / 乙方, ``{field}`` the data key, ``{what}`` the missing items). Shared by the
    documents both parties sign: ACC (R-ACC-4) and REQ (R-REQ-2)."""
    clients = {c.name for c in project.client.contacts}
    team = {m.name for m in project.team}
    dotted = ".".join(str(part) for part in at)
    for side, label, organisation, people, people_label in (
            ("client", "甲方", project.client.name, clients, "客户联系人（client.contacts）"),
            ("vendor", "乙方", project.project.company, team, "项目团队（team）")):
        sign = getattr(holder, side)
        if sign is None:
            yield at, missing.format(label=label, field=f"{dotted}.{side}")
            continue
        absent = [f"{name}（{field}）" for field, name in
                  (("organisation", "单位名称"), ("representative", "代表签字"), ("date", "签字日期"))
                  if getattr(sign, field) is None]
        if absent:
            yield (*at, side), incomplete.format(label=label, what="、".join(absent))
        if sign.organisation and organisation and sign.organisation != organisation:
            yield (*at, side, "organisation"), (
                f"{label}单位「{sign.organisation}」与{'客户名称' if side == 'client' else '乙方公司'}"
                f"「{organisation}」不一致")
        if sign.representative and sign.representative not in people:
            yield (*at, side, "representative"), f"{label}代表「{sign.representative}」应为{people_label}中的人"
        if not_before is not None and sign.date and sign.date < not_before[1]:
            yield (*at, side, "date"), f"{label}签字日期 {sign.date} 早于{not_before[0]} {not_before[1]}"


def tally(results: Sequence) -> Tally:
    """通过 / 有条件通过 / 不通过 over ``AcceptanceResult`` items, each deliverable counted once."""
    first: dict[str, str] = {}
    for r in results:
        first.setdefault(r.deliverable, r.result)
    values = list(first.values())
    return Tally(values.count("通过"), values.count("有条件通过"), values.count("不通过"))


def uncovered(results: Sequence, open_items: Sequence) -> list[str]:
    """Deliverables whose result is 有条件通过 / 不通过 without a 遗留问题 naming them."""
    covered = {item.deliverable for item in open_items if item.deliverable}
    return [r.deliverable for r in results if r.result in NEEDS_FOLLOW_UP and r.deliverable not in covered]


def follow_up(results: Sequence, open_items: Sequence, confirmer: str = "甲方") -> str:
    """The sentence under the 遗留问题 table (or in its place): what the data says is to be done."""
    items = list(open_items)
    missing = uncovered(results, items)
    if not items:
        if missing:
            return (f"交付物 {'、'.join(missing)} 的验收结果为有条件通过或不通过，"
                    "但尚未登记遗留问题与整改安排。")
        return "无遗留问题。"
    complete = [i for i in items if i.owner and i.due]
    parts = []
    if len(complete) == len(items):
        if len(items) == 1:
            parts.append(f"以上遗留问题由整改责任人{items[0].owner}于{cn_date(items[0].due)}前完成整改，"
                         f"经{confirmer}复核确认后关闭。")
        else:
            latest = max(i.due for i in items)
            parts.append(f"以上 {len(items)} 项遗留问题由整改责任人在各自的整改期限内完成（最迟于{cn_date(latest)}），"
                         f"经{confirmer}复核确认后关闭。")
    else:
        parts.append(f"以上 {len(items)} 项遗留问题中，{len(items) - len(complete)} 项尚未明确整改责任人或整改期限；"
                     f"整改完成后经{confirmer}复核确认关闭。")
    if missing:
        parts.append(f"交付物 {'、'.join(missing)} 的验收结果为有条件通过或不通过，尚未登记对应的遗留问题。")
    return "".join(parts)
