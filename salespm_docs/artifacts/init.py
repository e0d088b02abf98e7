"""INIT 项目立项申请: the sales team's application to start the project and the 项目委员会's decision.

Input: ``initiation`` (initiation.yaml). Rules R-INIT-1…5 (ARTIFACTS.md §4). The 毛利率 is never
taken as typed: ``margin`` recomputes it as (预计收入 − 预算成本) / 预计收入 from the budget total,
to one decimal (half up); a typed ``gross_margin`` is held to that figure by R-INIT-2, and without a
预计收入 (missing or 0) the document prints 不适用. The budget total approved here is the cap the
项目章程's budget must stay within (R-CHT-5 reads ``initiation.budget.total``; ARTIFACTS.md §5:
INIT.预算 ≥ CHT.预算).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..facts import Facts
from ..figures.shares import largest_remainder
from ..money import format_yuan, to_upper
from ..rules import rule
from ..templating import pct
from .registry import Artifact, register

SECTIONS = ("基本信息", "立项背景与客户需求", "项目目标与范围", "初步方案与交付物", "预算估算与预期收益",
            "关键里程碑", "主要风险", "审批意见")

DEPENDS = ("initiation", "project", "client", "team", "documents")

#: The decisions a 项目委员会 may record.
DECISIONS = ("同意立项", "不同意", "补充材料")
#: The decision under which the 立项 budget becomes the charter's cap.
APPROVED = "同意立项"


@dataclass(frozen=True)
class Margin:
    """预计收入, 预算成本 and the 毛利率 recomputed from them (``rate`` None: 不适用)."""

    revenue: Decimal | None
    cost: Decimal
    profit: Decimal | None
    rate: Decimal | None
    """毛利率 in %, one decimal, rounded half up."""


def budget_lines_total(facts: Facts) -> Decimal:
    init = facts.project.initiation
    return sum((line.amount for line in init.budget.lines), Decimal("0.00"))


def margin(facts: Facts) -> Margin:
    """毛利率 = (预计收入 − 预算成本) / 预计收入 with 预算成本 the stated 立项 budget total."""
    init = facts.project.initiation
    revenue, cost = init.expected_revenue, init.budget.total
    if not revenue:
        return Margin(revenue, cost, None, None)
    profit = revenue - cost
    rate = (profit * 100 / revenue).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Margin(revenue, cost, profit, rate)


def approved_budget(project) -> Decimal | None:
    """The 立项 budget the 项目委员会 approved (``initiation.budget.total`` of an application decided
    同意立项), the cap of the charter's budget; None without an application or an approval."""
    init = project.initiation
    if init is None or init.approval.decision != APPROVED:
        return None
    return init.budget.total


def _init(facts: Facts):
    return facts.project.initiation


@rule("R-INIT-1", "E", "预算各科目之和等于预算总额")
def budget_adds_up(facts: Facts, artifact, key):
    init = _init(facts)
    if init is None:
        return
    if not init.budget.lines:
        yield ("initiation", "budget"), "立项预算缺少科目明细（initiation.budget.lines）"
        return
    lines = facts.derive(budget_lines_total)
    if lines != init.budget.total:
        diff = init.budget.total - lines
        more = "多" if diff > 0 else "少"
        yield ("initiation", "budget", "total"), (
            f"立项预算总额 {format_yuan(init.budget.total)} 不等于各科目之和 {format_yuan(lines)}，"
            f"总额{more}出 {format_yuan(abs(diff))}")


@rule("R-INIT-2", "E", "毛利率按 (预计收入 − 预算成本) / 预计收入 重算")
def margin_recomputed(facts: Facts, artifact, key):
    init = _init(facts)
    if init is None:
        return
    m = facts.derive(margin)
    if m.revenue is None:
        yield ("initiation",), "缺少预计收入（initiation.expected_revenue），无法计算毛利率，文档中毛利率显示为不适用"
        return
    if m.rate is None:
        yield ("initiation", "expected_revenue"), (
            "预计收入（initiation.expected_revenue）为 ¥0.00，无法计算毛利率，文档中毛利率显示为不适用")
        return
    typed = init.gross_margin
    if typed is not None and typed != m.rate:
        yield ("initiation", "gross_margin"), (
            f"毛利率填写为 {pct(typed, 2)}，重算为 {pct(m.rate, 1, True)}：(预计收入 {format_yuan(m.revenue)} − "
            f"预算成本 {format_yuan(m.cost)}) / 预计收入，按一位小数四舍五入；请改为 {pct(m.rate, 1, True)} 或删除该字段")


@rule("R-INIT-3", "E", "关键里程碑按日期排列，不早于申请日期")
def milestones_ordered(facts: Facts, artifact, key):
    init = _init(facts)
    if init is None:
        return
    if not init.milestones:
        yield ("initiation",), "至少需要一个关键里程碑（initiation.milestones）"
    for i, m in enumerate(init.milestones):
        path = ("initiation", "milestones", i, "date")
        if m.date < init.date:
            yield path, (f"关键里程碑「{m.name}」日期 {m.date} 早于立项申请日期 {init.date}："
                         "里程碑是立项后的计划，不能早于申请日期")
        if i and m.date < init.milestones[i - 1].date:
            prev = init.milestones[i - 1]
            yield path, (f"关键里程碑「{m.name}」（{m.date}）早于前一个里程碑「{prev.name}」（{prev.date}），"
                         "应按日期先后排列")


@rule("R-INIT-4", "E", "至少列出一项主要风险")
def risks_listed(facts: Facts, artifact, key):
    init = _init(facts)
    if init is not None and not init.risks:
        yield ("initiation",), "至少需要一项主要风险（initiation.risks）"


@rule("R-INIT-5", "E", "审批意见有审批结论（同意立项 / 不同意 / 补充材料）")
def decision_recorded(facts: Facts, artifact, key):
    init = _init(facts)
    if init is None:
        return
    a = init.approval
    if a.decision is None:
        yield ("initiation", "approval"), (f"审批意见缺少审批结论（approval.decision：{' / '.join(DECISIONS)}）")
    if a.date is not None and a.date < init.date:
        yield ("initiation", "approval", "date"), (f"审批日期 {a.date} 早于立项申请日期 {init.date}")


def _lines(init) -> list[dict]:
    shares = largest_remainder([line.amount for line in init.budget.lines])
    return [{"category": line.category, "amount": line.amount, "share": share, "note": line.note}
            for line, share in zip(init.budget.lines, shares)]


def context(facts: Facts, key: str | None) -> dict:
    init = facts.project.initiation
    roster = facts.roster
    m = facts.derive(margin)
    owner = init.applicant or facts.project.project.sales_owner
    lines = _lines(init)
    a = init.approval
    return {
        "init": {
            "date": init.date, "source": init.source, "expected_amount": init.expected_amount,
            "expected_sign_date": init.expected_sign_date, "background": init.background,
            "needs": list(init.needs), "goals": list(init.goals), "scope": list(init.scope),
            "solution": init.solution, "deliverables": list(init.deliverables), "benefits": list(init.benefits),
        },
        "owner": {"name": owner, "role": roster.get(owner or "")},
        "budget": {"lines": lines, "total": init.budget.total,
                   "share_total": sum((x["share"] for x in lines), Decimal(0))},
        "margin": {"revenue": m.revenue, "cost": m.cost, "profit": m.profit, "rate": m.rate},
        "milestones": [x.model_dump() for x in init.milestones],
        "init_risks": [r.model_dump() for r in init.risks],
        "approval": {"decision": a.decision, "opinion": a.opinion, "date": a.date,
                     "approvers": [{"name": n, "role": roster.get(n)} for n in a.approvers]},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, INITIATION, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    init = facts.project.initiation
    m = facts.derive(margin)
    values = [facts.project.project.name, facts.project.client.name,
              f"{to_upper(init.budget.total)}（{format_yuan(init.budget.total)}）",
              pct(m.rate, 1, True)]
    if init.expected_amount is not None:
        values.append(f"{to_upper(init.expected_amount)}（{format_yuan(init.expected_amount)}）")
    if init.approval.decision:
        values.append(init.approval.decision)
    values += [x.name for x in init.milestones] + [r.description for r in init.risks]
    return values


INITIATION = register(Artifact(
    code="INIT",
    sections=SECTIONS,
    context=context,
    rules=(budget_adds_up, margin_recomputed, milestones_ordered, risks_listed, decision_recorded),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: project.initiation is not None,
))

__all__ = ["APPROVED", "approved_budget", "DECISIONS", "INITIATION", "Margin", "SECTIONS", "margin"]
