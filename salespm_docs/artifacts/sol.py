"""SOL 解决方案: what we propose to the client — the functions (traced to the requirements and the
WBS), the architecture, the implementation plan and period, training and operations, the quote.

Rules R-SOL-1…3 (ARTIFACTS.md §4):

- R-SOL-1 (E) every 功能清单 row references requirements, and only IDs the 需求说明书 has; the WBS
  codes a row names exist in the WBS (the traceability the 需求说明书's matrix follows).
- R-SOL-2 (W) the 实施周期 (``solution.implementation`` start / end) is the span of the 项目进度计划:
  the computed schedule's start and finish (``figures.schedule``, what the Gantt chart shows).
- R-SOL-3 (E) each quote line's amount is 数量 × 单价 to the fen; the lines add up to the quote
  total; the total equals the contract amount when there is a contract (``main_contract``).

Client-facing: the quote is our price to the client (not an internal figure); no budget, cost or
margin is shown (R-COM-8 checks it).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import schedule as sched
from ..money import format_yuan
from ..rules import rule
from ..templating import number
from .registry import Artifact, register

SECTIONS = ("客户现状与痛点", "方案总体设计", "功能清单", "技术架构", "实施方案与周期", "培训与运维", "报价", "风险与假设")

DEPENDS = ("project", "client", "team", "documents", "solution", "requirements", "wbs", "contracts")

FEN = Decimal("0.01")


def main_contract(project):
    """The contract the quote is held to: the one whose amount is the project's contract amount,
    else the first; ``None`` without contracts."""
    if not project.contracts:
        return None
    amount = project.project.contract_amount
    return next((c for c in project.contracts if amount is not None and c.amount == amount), project.contracts[0])


def line_amount(line) -> Decimal:
    """数量 × 单价, rounded to the fen."""
    return (Decimal(line.quantity) * Decimal(line.unit_price)).quantize(FEN, rounding=ROUND_HALF_UP)


def quote_figures(facts: Facts) -> dict:
    """Each line's amount (as written, else computed), their sum and the total the document shows."""
    s = facts.project.solution
    amounts = [line.amount if line.amount is not None else line_amount(line) for line in s.quote]
    total = sum(amounts, Decimal(0))
    return {"amounts": amounts, "sum": total, "total": s.quote_total if s.quote_total is not None else total}


# -- rules --------------------------------------------------------------------------------

@rule("R-SOL-1", "E", "功能清单每行引用需求说明书中存在的需求编号")
def functions_reference_requirements(facts: Facts, artifact, key):
    p, s = facts.project, facts.project.solution
    if s is None:
        return
    if not s.functions:
        yield ("solution",), "解决方案没有功能清单（solution.functions）"
    known = {r.id for r in p.requirements.all()} if p.requirements is not None else set()
    codes = {i.code for i in p.wbs}
    if not codes and any(f.wbs for f in s.functions):
        yield ("solution", "functions"), "项目没有工作分解结构（wbs.yaml），功能清单中的 WBS 编码无从核对"
    for n, f in enumerate(s.functions):
        path = ("solution", "functions", n)
        if not f.requirements:
            yield path, f"功能 {f.id}「{f.name}」没有引用任何需求编号（requirements）"
        for j, ident in enumerate(f.requirements):
            if ident not in known:
                where = "需求说明书" if p.requirements is not None else "需求说明书（项目没有 requirements.yaml）"
                yield path + ("requirements", j), f"功能 {f.id}「{f.name}」引用的需求 {ident} 不在{where}中"
        for j, code in enumerate(f.wbs):
            if codes and code not in codes:
                yield path + ("wbs", j), f"功能 {f.id}「{f.name}」引用的 WBS 元素 {code} 不在工作分解结构中"


@rule("R-SOL-2", "W", "实施周期与项目进度计划（甘特图）的跨度一致")
def period_matches_schedule(facts: Facts, artifact, key):
    s = facts.project.solution
    if s is None or not facts.project.wbs:
        return
    plan = facts.derive(sched.schedule)
    impl = s.implementation
    for field, label, mine, theirs in (("start", "开始", impl.start, plan.start), ("end", "结束", impl.end, plan.finish)):
        if theirs is None:
            continue
        if mine is None:
            yield ("solution", "implementation"), (
                f"解决方案未写实施周期的{label}日期（solution.implementation.{field}）；"
                f"项目进度计划的{label}日期为{cn_date(theirs)}")
        elif mine != theirs:
            yield ("solution", "implementation", field), (
                f"解决方案的实施周期{label}日期{cn_date(mine)}与项目进度计划（甘特图）的{label}日期"
                f"{cn_date(theirs)}不一致")


@rule("R-SOL-3", "E", "报价明细之和等于报价合计，合计等于合同金额")
def quote_adds_up(facts: Facts, artifact, key):
    p, s = facts.project, facts.project.solution
    if s is None:
        return
    if not s.quote:
        yield ("solution",), "解决方案没有报价明细（solution.quote）"
        return
    for n, line in enumerate(s.quote):
        expected = line_amount(line)
        if line.amount is not None and line.amount != expected:
            yield ("solution", "quote", n, "amount"), (
                f"报价第 {n + 1} 行「{line.item}」的金额 {format_yuan(line.amount)} 与 数量 × 单价 = "
                f"{number(line.quantity)} × {format_yuan(line.unit_price)} = {format_yuan(expected)} 不符")
    figures = quote_figures(facts)
    if s.quote_total is not None and s.quote_total != figures["sum"]:
        yield ("solution", "quote_total"), (
            f"报价合计 {format_yuan(s.quote_total)} 与 {len(s.quote)} 行明细之和 {format_yuan(figures['sum'])} 不符")
    contract = main_contract(p)
    if contract is not None and figures["total"] != contract.amount:
        at = ("solution", "quote_total") if s.quote_total is not None else ("solution", "quote")
        yield at, (f"报价合计 {format_yuan(figures['total'])} 与合同 {contract.id}「{contract.name}」的金额 "
                   f"{format_yuan(contract.amount)} 不一致")


# -- context ------------------------------------------------------------------------------

def context(facts: Facts, key: str | None) -> dict:
    p, s = facts.project, facts.project.solution
    titles = {r.id: r.title for r in p.requirements.all()} if p.requirements is not None else {}
    functions = [{"id": f.id, "name": f.name, "module": f.module, "description": f.description,
                  "requirements": "、".join(f.requirements), "wbs": "、".join(f.wbs)} for f in s.functions]
    plan = facts.derive(sched.schedule) if p.wbs else None
    phases = [{"code": x.code, "name": x.name, "start": x.start, "end": x.end}
              for x in (plan.summaries if plan else []) if x.level == 1]
    impl = s.implementation
    figures = quote_figures(facts)
    quote = [{"n": n + 1, "item": line.item, "spec": line.spec, "quantity": line.quantity, "unit": line.unit,
              "unit_price": line.unit_price, "amount": amount}
             for n, (line, amount) in enumerate(zip(s.quote, figures["amounts"]))]
    modules: list[str] = []
    for f in s.functions:
        if f.module and f.module not in modules:
            modules.append(f.module)
    covered = sorted({i for f in s.functions for i in f.requirements if i in titles})
    return {
        "sol": {"current_state": s.current_state, "pain_points": list(s.pain_points), "design": s.design,
                "architecture": list(s.architecture), "approach": impl.approach, "training": s.training,
                "operations": s.operations, "risks": list(s.risks), "assumptions": list(s.assumptions)},
        "functions": functions,
        "modules": modules,
        "coverage": {"requirements": len(covered), "of": len(titles)},
        "period": {"start": impl.start, "end": impl.end,
                   "days": facts.calendar.workdays_between(impl.start, impl.end) if impl.start and impl.end else None},
        "phases": phases,
        "quote": quote,
        "quote_total": figures["total"],
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, SOLUTION, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    s = facts.project.solution
    values = [facts.project.project.name, facts.project.client.name, *(f.id for f in s.functions)]
    if s.quote:
        total = quote_figures(facts)["total"]
        from ..money import to_upper
        values += [format_yuan(total), to_upper(total)]
    return values


SOLUTION = register(Artifact(
    code="SOL",
    sections=SECTIONS,
    context=context,
    rules=(functions_reference_requirements, period_matches_schedule, quote_adds_up),
    present=lambda project: project.solution is not None,
    key_values=key_values,
    depends_on=DEPENDS,
))
