"""CHT 项目章程: the charter, signed at kick-off; objectives, scope, deliverables, budget, organisation.

Rules R-CHT-1…6 (ARTIFACTS.md §4). R-CHT-5 checks the budget against its own lines, against the
资源分配表 total (``figures.load.resource_totals``, the figure RES shows and reconciles line by line
in R-RES-2) when the data has one, and against the 立项 budget (``initiation.budget.total`` of an
application decided 同意立项: INIT is the one source of that cap).
"""

from __future__ import annotations

from decimal import Decimal

from ..facts import Facts
from ..figures.load import resource_totals
from ..money import format_yuan, to_upper
from ..rules import rule
from .init import APPROVED
from .registry import Artifact, register

SECTIONS = ("项目背景与目的", "项目目标", "项目范围", "主要交付物", "里程碑计划", "预算", "项目组织与职责",
            "沟通机制", "成功标准", "假设与约束", "主要风险", "审批签字")

DEPENDS = ("project", "client", "team", "organisation", "objectives", "success_criteria", "scope",
           "deliverables", "milestones", "budget", "communication", "groups", "assumptions", "constraints",
           "risks", "resources", "initiation", "documents")


@rule("R-CHT-1", "E", "目标与成功标准可度量")
def measurable(facts: Facts, artifact, key):
    p = facts.project
    for name, label, items in (("objectives", "项目目标", p.objectives), ("success_criteria", "成功标准", p.success_criteria)):
        if not items:
            yield (name,), f"至少需要一条{label}（{name}）"
        for i, t in enumerate(items):
            missing = [f"{lab}（{f}）" for f, lab in (("metric", "指标"), ("operator", "比较符"),
                                                      ("target", "目标值"), ("unit", "单位"))
                       if getattr(t, f) is None]
            if missing:
                yield (name, i), f"{label} {t.id} 不可度量：缺少{'、'.join(missing)}，应形如「客户验收通过率 ≥ 95%」"


@rule("R-CHT-2", "E", "交付物有编号与验收标准")
def deliverables_defined(facts: Facts, artifact, key):
    items = facts.project.deliverables
    if not items:
        yield ("deliverables",), "至少需要一项主要交付物（deliverables）"
    seen: set[str] = set()
    for i, d in enumerate(items):
        if not d.id:
            yield ("deliverables", i), f"交付物「{d.name}」缺少编号（id）"
        elif d.id in seen:
            yield ("deliverables", i, "id"), f"交付物编号 {d.id} 重复"
        seen.add(d.id or "")
        if not d.acceptance_criteria:
            yield ("deliverables", i), f"交付物「{d.name}」缺少验收标准（acceptance_criteria）"


@rule("R-CHT-3", "E", "里程碑在项目期限内且按顺序")
def milestones_in_range(facts: Facts, artifact, key):
    p = facts.project
    start, end = p.project.start, p.project.end
    if end < start:
        yield ("project", "end"), f"项目结束日期 {end} 早于开始日期 {start}"
    if not p.milestones:
        yield ("milestones",), "至少需要一个里程碑（milestones）"
    ids = {d.id for d in p.deliverables}
    for i, m in enumerate(p.milestones):
        if not start <= m.date <= end:
            yield ("milestones", i, "date"), f"里程碑「{m.name}」日期 {m.date} 不在项目期限 {start} 至 {end} 内"
        if i and m.date < p.milestones[i - 1].date:
            yield ("milestones", i, "date"), f"里程碑「{m.name}」（{m.date}）早于前一个里程碑（{p.milestones[i - 1].date}），应按时间顺序排列"
        for j, ref in enumerate(m.deliverables):
            if ref not in ids:
                yield ("milestones", i, "deliverables", j), f"里程碑「{m.name}」引用了不存在的交付物 {ref}"


@rule("R-CHT-4", "E", "项目经理有授权说明，发起人已指定")
def manager_and_sponsor(facts: Facts, artifact, key):
    org = facts.project.organisation
    if not org.manager:
        yield ("organisation",), "未指定项目经理（organisation.manager）"
    if not org.manager_authority:
        yield ("organisation",), "缺少项目经理的授权说明（organisation.manager_authority）"
    if not org.sponsor:
        yield ("organisation",), "未指定项目发起人（organisation.sponsor）"


@rule("R-CHT-5", "E", "预算与分项、资源分配表一致且不超过立项批准预算")
def budget_consistent(facts: Facts, artifact, key):
    p = facts.project
    if not p.budget.lines:
        yield ("budget",), "预算缺少分项（budget.lines）"
    if p.budget.total is None:
        yield ("budget",), "缺少预算总额（budget.total）"
    elif p.budget.total != facts.budget_lines_total:
        yield ("budget", "total"), (f"预算总额 {format_yuan(p.budget.total)} 不等于各分项之和 "
                                    f"{format_yuan(facts.budget_lines_total)}（资源分配表合计）")
    # each difference once: the total against its lines above, the lines against the 资源分配表 here
    totals = facts.derive(resource_totals)
    if totals.detailed and facts.budget_lines_total != totals.total:
        yield ("budget", "lines"), (f"预算各分项之和 {format_yuan(facts.budget_lines_total)} 不等于资源分配表合计 "
                                    f"{format_yuan(totals.total)}（{totals.detail()}）")
    # the cap: the budget total of the 立项 application the 项目委员会 approved (INIT), never a typed copy
    init = p.initiation
    if init is None:
        yield ("budget",), "缺少项目立项申请（initiation.yaml），立项批准预算未知，无法核对预算上限"
    elif init.approval.decision != APPROVED:
        decided = f"审批结论为「{init.approval.decision}」" if init.approval.decision else "尚无审批结论"
        yield ("initiation", "approval"), (f"项目立项申请未获批准（{decided}），立项批准预算未知，无法核对预算上限")
    elif facts.budget_total > init.budget.total:
        yield ("budget", "total"), (f"预算 {format_yuan(facts.budget_total)} 超出立项批准预算 "
                                    f"{format_yuan(init.budget.total)}（initiation.budget.total），"
                                    f"超出 {format_yuan(facts.budget_total - init.budget.total)}")


@rule("R-CHT-6", "E", "发起人与项目经理签字，客户关键决策人列为干系人")
def charter_signed(facts: Facts, artifact, key):
    org = facts.project.organisation
    control, path = facts.control("CHT")
    signers = {s.name: s for s in (control.prepared, control.reviewed, control.approved) if s and s.name}
    for who, label in ((org.sponsor, "项目发起人"), (org.manager, "项目经理")):
        if who and (who not in signers or signers[who].date is None):
            yield path, f"{label} {who} 须在项目章程上签字并注明日期（编制 / 审核 / 批准之一）"
    if not facts.key_decision_makers:
        yield ("client", "contacts"), "客户方关键决策人未列为干系人：请在某位客户联系人上标注 key_decision_maker: true"


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    names = {d.id: d.name for d in p.deliverables}
    total = facts.budget_total
    return {
        "objectives": [t.model_dump() for t in p.objectives],
        "criteria": [t.model_dump() for t in p.success_criteria],
        "scope": p.scope.model_dump(),
        "deliverables": [d.model_dump() for d in p.deliverables],
        "milestones": [{**m.model_dump(), "deliverable_names": [names.get(x, x) for x in m.deliverables]}
                       for m in p.milestones],
        "budget": {
            "lines": [{"category": c, "amount": a, "share": s, "note": line.note}
                      for (c, a, s), line in zip(facts.budget_shares, p.budget.lines)],
            "total": total,
            "share_total": sum((s for _, _, s in facts.budget_shares), Decimal(0)),
        },
        "org": {**p.organisation.model_dump(),
                "sponsor_role": facts.roster.get(p.organisation.sponsor or "", None)},
        "team": [m.model_dump() for m in p.team],
        "stakeholders": [c.model_dump() for c in p.client.contacts],
        "communication": [c.model_dump() for c in p.communication],
        "assumptions": list(p.assumptions),
        "constraints": list(p.constraints),
        "risks": [r.model_dump() for r in p.risks],
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, CHARTER, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    p = facts.project
    values = [p.project.name, p.client.name, format_yuan(facts.budget_total), to_upper(facts.budget_total)]
    values += [x for x in (p.organisation.sponsor, p.organisation.manager) if x]
    values += [d.name for d in p.deliverables] + [m.name for m in p.milestones]
    values += [t.metric for t in (*p.objectives, *p.success_criteria) if t.metric]
    return values


CHARTER = register(Artifact(
    code="CHT",
    sections=SECTIONS,
    context=context,
    rules=(measurable, deliverables_defined, milestones_in_range, manager_and_sponsor,
           budget_consistent, charter_signed),
    key_values=key_values,
    depends_on=DEPENDS,
))
