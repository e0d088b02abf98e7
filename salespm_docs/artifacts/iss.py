"""ISS 问题清单 (问题升级机制): every issue once, its age, level, escalation record and resolution.

The issues are recorded once, in ``issues.yaml``; each 周进度报告 shows those open during its week
(``figures/issues.py``), so the weekly reports and the register are one list. The escalation
thresholds are the configured ones (``issues.escalate_manager_days`` / ``escalate_management_days``,
the same the 沟通计划 states): an issue unresolved for more than 3 days goes to the 项目经理, more
than 7 days to 管理层, by the day the threshold is passed (提出日期 + 4 / + 8 days). Rules
R-ISS-1…3 (ARTIFACTS.md §4). Also an XLSX register whose 已开放天数 and 应达级别 are live formulas
against the 状态日期 and the two thresholds (input cells a PM can change).
"""

from __future__ import annotations

from ..dates import cn_date
from ..facts import Facts
from ..figures import issues as fig
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("编制说明", "升级规则", "问题清单", "升级记录", "解决情况")

DEPENDS = ("project", "client", "team", "organisation", "issues", "documents")


def _states(facts: Facts) -> list[fig.IssueState]:
    """Every issue as of the status date, in the register's order (issues raised later included:
    a 提出日期 after the status date is a finding, not a reason to hide the issue)."""
    manager = facts.project.organisation.manager
    limits = fig.thresholds(facts)
    return [fig.state(i, max(facts.today, i.raised), manager, limits) for i in facts.project.issues]


def _escalation_findings(facts: Facts, level: str):
    """Missing or late escalations to ``level`` (R-ISS-1: 项目经理, R-ISS-2: 管理层)."""
    for n, s in enumerate(facts.derive(_states)):
        for owed in s.owed:
            if owed.level != level:
                continue
            what = fig.named(s.issue)
            span = (f"于{cn_date(s.issue.resolved)}解决，共开放 {s.age} 天" if s.resolved
                    else f"截至{cn_date(s.day)}已开放 {s.age} 天")
            if owed.missing:
                yield ("issues", n, "escalations"), (
                    f"{what}{span}，超过 {owed.threshold} 天，应不迟于{cn_date(owed.due)}升级到{level}，"
                    f"但升级记录（escalations）中没有升级到{level}的记录")
            elif owed.late_days:
                j = next(j for j, e in enumerate(s.issue.escalations) if e.date == owed.done)
                yield ("issues", n, "escalations", j, "date"), (
                    f"{what}应不迟于{cn_date(owed.due)}升级到{level}（开放超过 {owed.threshold} 天），"
                    f"实际于{cn_date(owed.done)}升级，晚了 {owed.late_days} 天")


@rule("R-ISS-1", "E", "未解决超过阈值天数的问题已升级到项目经理；升级记录日期有效")
def escalated_to_manager(facts: Facts, artifact, key):
    manager = facts.project.organisation.manager
    for n, issue in enumerate(facts.project.issues):
        for j, e in enumerate(issue.escalations):
            path = ("issues", n, "escalations", j)
            if e.date < issue.raised:
                yield path + ("date",), (f"问题 {issue.id} 的升级日期 {e.date} 早于问题的提出日期 {issue.raised}："
                                         "问题提出之前不能升级")
            elif issue.resolved is not None and e.date > issue.resolved:
                yield path + ("date",), (f"问题 {issue.id} 的升级日期 {e.date} 晚于解决日期 {issue.resolved}："
                                         "已解决的问题不再升级")
            if e.date > facts.today:
                yield path + ("date",), (f"问题 {issue.id} 的升级日期 {e.date} 在状态日期{cn_date(facts.today)}之后："
                                         "升级记录只记已发生的升级")
            if e.level == "项目经理" and manager is not None and e.to != manager:
                yield path + ("to",), (f"问题 {issue.id} 升级到项目经理的对象应为项目经理 {manager}"
                                       f"（organisation.manager），记录为 {e.to}")
        if issue.raised > facts.today:
            yield ("issues", n, "raised"), (f"问题 {issue.id} 的提出日期 {issue.raised} 在状态日期"
                                            f"{cn_date(facts.today)}之后")
    yield from _escalation_findings(facts, "项目经理")


@rule("R-ISS-2", "E", "未解决超过阈值天数的问题已提交管理层")
def escalated_to_management(facts: Facts, artifact, key):
    yield from _escalation_findings(facts, "管理层")


@rule("R-ISS-3", "E", "已解决的问题有解决日期与解决方式")
def resolution_recorded(facts: Facts, artifact, key):
    for n, issue in enumerate(facts.project.issues):
        path = ("issues", n)
        if issue.status == "已解决":
            if issue.resolved is None:
                yield path + ("status",), f"问题 {issue.id} 状态为已解决，缺少解决日期（resolved）"
            if not issue.resolution:
                yield path + ("status",), f"问题 {issue.id} 状态为已解决，缺少解决方式（resolution）"
        elif issue.resolved is not None:
            yield path + ("resolved",), (f"问题 {issue.id} 已填写解决日期 {issue.resolved}，但状态为{issue.status}："
                                         "已解决的问题状态应为已解决")
        if issue.resolved is not None and issue.resolved > facts.today:
            yield path + ("resolved",), (f"问题 {issue.id} 的解决日期 {issue.resolved} 在状态日期"
                                         f"{cn_date(facts.today)}之后：尚未解决的问题请填计划解决日期（due）")


def _escalated(s: fig.IssueState, manager: str | None) -> str:
    """The escalation record as one line: 「2026-06-19 张伟（项目经理）；2026-06-26 王建国（管理层）」."""
    made = [f"{e.date.isoformat()} {e.to}（{e.level}）" for e in s.escalations]
    if not made and manager is not None and s.issue.owner == manager:
        return "责任人即项目经理"
    return "；".join(made)


def _row(s: fig.IssueState, manager: str | None) -> dict:
    i = s.issue
    return {
        "id": i.id, "description": i.description, "raised": i.raised, "raised_by": i.raised_by,
        "impact": i.impact, "owner": i.owner, "age": s.age, "level": s.level, "due": i.due, "status": s.status,
        "resolved": i.resolved if s.resolved else None, "resolution": i.resolution if s.resolved else None,
        "escalated": _escalated(s, manager),
        "required": next((o.level for o in reversed(s.owed)), "项目组"),
        "overdue": (not s.resolved and i.due is not None and i.due < s.day),
    }


def context(facts: Facts, key: str | None) -> dict:
    states = facts.derive(_states)
    rows = [_row(s, facts.project.organisation.manager) for s in states]
    owed = {(s.issue.id, o.level): o for s in states for o in s.owed}
    escalations = []
    for s in states:
        for e in sorted(s.issue.escalations, key=lambda e: e.date):
            o = owed.get((s.issue.id, e.level))
            escalations.append({"id": s.issue.id, "date": e.date, "level": e.level, "to": e.to, "note": e.note,
                                "due": o.due if o else None})
    unresolved = [r for r in rows if r["status"] != "已解决"]
    manager_days, management_days = fig.thresholds(facts)
    org = facts.project.organisation
    return {
        "report": {
            "date": facts.today, "total": len(rows), "open": len(unresolved),
            "opened": sum(1 for r in unresolved if r["status"] == "开放"),
            "working": sum(1 for r in unresolved if r["status"] == "处理中"),
            "resolved": len(rows) - len(unresolved),
            "to_manager": sum(1 for s in states if s.level in ("项目经理", "管理层")),
            "to_management": sum(1 for s in states if s.level == "管理层"),
            "overdue": sum(1 for r in rows if r["overdue"]),
        },
        "rule": {"manager": manager_days, "management": management_days, "manager_name": org.manager,
                 "sponsor": org.sponsor, "manager_day": manager_days + 1, "management_day": management_days + 1},
        "issues": rows,
        "unresolved": unresolved,
        "escalations": escalations,
        "resolved": [r for r in rows if r["status"] == "已解决"],
        "status_date": facts.today,
        "lists": {"status": ["开放", "处理中", "已解决"], "levels": list(fig.LEVELS),
                  "owners": sorted({m.name for m in facts.project.team})},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, ISSUES, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    return [facts.project.project.name, *(i.id for i in facts.project.issues),
            *(i.owner for i in facts.project.issues if i.owner)]


ISSUES = register(Artifact(
    code="ISS",
    sections=SECTIONS,
    context=context,
    rules=(escalated_to_manager, escalated_to_management, resolution_recorded),
    present=lambda project: bool(project.issues),
    key_values=key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf", "xlsx"),
))
