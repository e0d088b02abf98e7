"""PLAN 项目管理方案: the plan that summarises the charter, the WBS, the 资源分配表, the 沟通计划 and
the 风险登记册, and restates none of them.

Every figure the plan shows is derived from the data those documents are made from: the SMART goals
are the charter's objectives (``objectives``), the scope and milestones the charter's, the task
breakdown the rolled-up WBS (``figures.schedule``: effort per level-1 branch and in total, the same
the WBS shows), the people the 资源分配表 (``resources.people`` with the roster's 投入比例), the
budget the charter's lines with their shares and the 资源分配表 total (``figures.load.resource_totals``),
the meetings and reports the 沟通计划 rows, the risks the register. Only what no other document holds
is typed in ``plan.yaml``: the KPIs, budget-control measures, feedback channels and the improvement
loop. The change threshold of the budget control is the configured one (``change.overrun_percent``).

KPI current values (``Kpi.measure``) are computed: 回款率 = Σ 实收金额 / 合同金额 (``payment_rows``),
SPI and CPI of the latest weekly snapshot (``figures.progress.latest``), 验收通过率, 回款周期 and CSAT
(``figures.outcomes``); each is compared with its target: 达成 / 未达成 / 尚无数据, and a KPI
counted 项目结束时 shows its current value as 未到评估期 until the project's end date.

Rules (ARTIFACTS.md §4):
- R-PLAN-1 (E) every goal (objective) is SMART: 指标, 比较符, 目标值, 单位 and a 完成期限 (deadline).
- R-PLAN-2 (E) every KPI has a 计算公式 (formula), a target (比较符 + 目标值) and a 统计频率 (frequency).
- R-PLAN-3 (E) every identified risk of the register, whatever its level and status (a closed risk
  was identified and planned for too), has an 应急计划 (contingency): the 应对措施 (actions) prevent
  or reduce a risk, the 应急计划 is what is done when it happens; one does not stand for the other.
"""

from __future__ import annotations

from decimal import Decimal

from ..facts import Facts
from ..figures import outcomes, progress
from ..figures.load import resource_totals
from ..figures.schedule import rolled_up, schedule
from ..money import format_yuan, to_upper
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("目标", "范围", "时间表与里程碑", "任务分解", "人力资源分配", "财务资源与预算控制", "沟通与反馈机制",
            "监控与绩效评估", "风险管理与应急预案", "总结与持续改进")

DEPENDS = ("project", "client", "team", "objectives", "success_criteria", "scope", "deliverables", "milestones", "budget", "changes", "wbs",
           "resources", "communication", "groups", "risks", "plan", "weekly", "payments", "acceptance", "surveys",
           "documents")

_FIELDS = (("metric", "指标"), ("operator", "比较符"), ("target", "目标值"), ("unit", "单位"))


@rule("R-PLAN-1", "E", "目标符合 SMART：可度量且有完成期限")
def goals_smart(facts: Facts, artifact, key):
    p = facts.project
    if not p.objectives:
        yield ("objectives",), "项目管理方案至少需要一条项目目标（objectives，取自项目章程）"
    for i, t in enumerate(p.objectives):
        missing = [f"{label}（{f}）" for f, label in _FIELDS if getattr(t, f) is None]
        if t.deadline is None:
            missing.append("完成期限（deadline）")
        if missing:
            yield ("objectives", i), (f"目标 {t.id}「{t.description or t.metric or ''}」不符合 SMART 原则：缺少"
                                      f"{'、'.join(missing)}")


def charter_target(facts: Facts, measure: str | None):
    """(path, target) of the charter's objective or success criterion measured by ``measure``: the
    KPI with that measure takes its target from there (the charter states it once)."""
    p = facts.project
    for name, items in (("objectives", p.objectives), ("success_criteria", p.success_criteria)):
        for i, t in enumerate(items):
            if measure is not None and t.measure == measure:
                return (name, i), t
    return None, None


def kpi_target(facts: Facts, k) -> tuple[str | None, Decimal | None, str | None]:
    """(operator, target, unit) of a KPI: the charter's when it measures the same figure, else its own."""
    _, t = charter_target(facts, k.measure)
    if t is not None and t.operator is not None and t.target is not None:
        return t.operator, t.target, t.unit
    return k.operator, k.target, k.unit


@rule("R-PLAN-2", "E", "每项 KPI 有计算公式、目标值与统计频率")
def kpis_defined(facts: Facts, artifact, key):
    plan = facts.project.plan
    if plan is None or not plan.kpis:
        yield ("plan",), "项目管理方案至少需要一项 KPI（plan.kpis）"
        return
    for i, k in enumerate(plan.kpis):
        operator, target, _ = kpi_target(facts, k)
        missing = [label for cond, label in ((not k.formula, "计算公式（formula）"),
                                             (operator is None, "比较符（operator）"),
                                             (target is None, "目标值（target）"),
                                             (k.frequency is None, "统计频率（frequency）")) if cond]
        if missing:
            yield ("plan", "kpis", i), f"KPI「{k.name}」缺少{'、'.join(missing)}"
        where, t = charter_target(facts, k.measure)
        typed = (k.operator, k.target, k.unit)
        if t is not None and typed != (None, None, None) and typed != (t.operator, t.target, t.unit):
            label = "项目目标" if where[0] == "objectives" else "成功标准"
            yield ("plan", "kpis", i), (
                f"KPI「{k.name}」的目标（{_target_text(*typed)}）与项目章程的{label} {t.id}"
                f"（{t.metric} {_target_text(t.operator, t.target, t.unit)}）不一致：该指标的目标取自项目章程，"
                "请删除 KPI 的 operator / target / unit")


@rule("R-PLAN-3", "E", "每项已识别的风险有应急计划")
def risks_have_contingency(facts: Facts, artifact, key):
    risks = facts.project.risks
    if not risks:
        yield ("risks",), "风险登记册中没有已识别的风险（risks），无法制定应急预案"
    for i, r in enumerate(risks):
        if not r.contingency:
            yield ("risks", i), (f"风险 {r.id}（{r.level or '未定级'}，{r.status}）缺少应急计划（contingency）："
                                 "每项已识别的风险都须有风险发生时的应急预案，应对措施（actions）不能代替")


# -- KPI current values ---------------------------------------------------------------------------

def payment_rate(facts: Facts) -> Decimal | None:
    """回款率 = Σ 实收金额 / 合同金额 (%, one decimal)."""
    amount = facts.project.project.contract_amount
    rows = facts.derive(outcomes.payment_rows)
    if not amount or not rows:
        return None
    received = sum((r.received_amount or Decimal(0) for r in rows), Decimal(0))
    return (received * 100 / amount).quantize(Decimal("0.1"))


def _spi(facts: Facts) -> Decimal | None:
    snap = progress.latest(facts)
    return None if snap is None else snap.cost.spi


def _cpi(facts: Facts) -> Decimal | None:
    snap = progress.latest(facts)
    return None if snap is None else snap.cost.cpi


MEASURES = {"payment_rate": payment_rate, "spi": _spi, "cpi": _cpi, "acceptance_pass_rate": outcomes.pass_rate,
            "payment_cycle": outcomes.payment_cycle, "csat": outcomes.csat}


def _verdict(operator: str | None, target, value) -> str:
    if value is None or operator is None or target is None:
        return "尚无数据"
    v, t = Decimal(value), Decimal(target)
    ok = {"≥": v >= t, "≤": v <= t, "=": v == t, ">": v > t, "<": v < t}[operator]
    return "达成" if ok else "未达成"


def _shown(value, unit: str | None, places: int | None = None) -> str | None:
    """``95%``, ``30 天``, ``0.97`` (``places`` fixes the decimals, e.g. 2 for SPI / CPI)."""
    if value is None:
        return None
    v = Decimal(value)
    if places is not None:
        text = format(v.quantize(Decimal(1).scaleb(-places)), "f")
    else:
        text = format(v.normalize() if v != v.to_integral() else v.quantize(Decimal(1)), "f")
    return f"{text}{unit or ''}" if unit in (None, "%", "") else f"{text} {unit}"


def _target_text(operator, target, unit) -> str:
    return f"{operator or '?'} {_shown(target, unit) if target is not None else '?'}"


#: measures shown with fixed decimals (indices)
_PLACES = {"spi": 2, "cpi": 2}


def _kpis(facts: Facts) -> list[dict]:
    rows = []
    finished = facts.today >= facts.project.project.end
    for k in facts.project.plan.kpis if facts.project.plan else []:
        operator, target, unit = kpi_target(facts, k)
        places = _PLACES.get(k.measure or "")
        value = facts.derive(MEASURES[k.measure]) if k.measure else None
        rows.append({"name": k.name, "formula": k.formula, "frequency": k.frequency, "owner": k.owner,
                     "target": (f"{operator} {_shown(target, unit, places)}"
                                if operator and target is not None else None),
                     "current": _shown(value, unit, places) if k.measure else None,
                     "verdict": ("—" if not k.measure else
                                 "未到评估期" if k.frequency == "项目结束时" and value is not None and not finished
                                 else _verdict(operator, target, value))})
    return rows


# -- context ----------------------------------------------------------------------------------------

def _goal(t) -> dict:
    target = (f"{t.metric} {t.operator} {_shown(t.target, t.unit)}"
              if None not in (t.metric, t.operator, t.target) else None)
    return {"id": t.id, "description": t.description, "target": target, "deadline": t.deadline}


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    sched = facts.derive(schedule)
    total_effort, _ = rolled_up((t.effort, t.percent) for t in sched.tasks)
    branches = [{"code": s.code, "name": s.name, "owner": s.owner, "start": s.start, "end": s.end,
                 "effort": s.effort,
                 "share": (s.effort * 100 / total_effort).quantize(Decimal("0.1")) if total_effort else None}
                for s in sched.summaries if s.level == 1]
    names = {d.id: d.name for d in p.deliverables}
    team = {m.name: m for m in p.team}
    people = [{"name": r.name, "role": team[r.name].role if r.name in team else None,
               "allocation": team[r.name].allocation if r.name in team else None, "cost": r.cost}
              for r in p.resources.people]
    totals = facts.derive(resource_totals)
    order = {"高": 0, "中": 1, "低": 2}
    risks = sorted(p.risks, key=lambda r: (r.status == "已关闭", order.get(r.level or "", 3),
                                           -((r.probability or 0) * (r.impact or 0))))
    plan = p.plan
    high = [r.id for r in p.risks if r.level == "高"]
    return {
        "goals": [_goal(t) for t in p.objectives],
        "scope": p.scope.model_dump(),
        "period": {"start": p.project.start, "end": p.project.end, "finish": sched.finish},
        "milestones": [{"id": m.id, "name": m.name, "date": m.date, "owner": m.owner,
                        "deliverables": "、".join(names.get(x, x) for x in m.deliverables)} for m in p.milestones],
        "wbs": {"branches": branches, "total": total_effort, "leaves": len(sched.tasks),
},
        "staff": people, "headcount": len(people),
        "people_total": totals.people,
        "budget": {"lines": [{"category": c, "amount": a, "share": s, "note": line.note}
                             for (c, a, s), line in zip(facts.budget_shares, p.budget.lines)],
                   "total": facts.budget_total, "upper": to_upper(facts.budget_total),
                   "resources_total": totals.total},
        "report_date": facts.today,
        "overrun": facts.settings.change.overrun_percent,
        "budget_control": list(plan.budget_control) if plan else [],
        "communication": [{"name": c.name, "purpose": c.purpose, "frequency": c.frequency, "owner": c.owner,
                           "channel": c.channel, "output": c.output} for c in p.communication],
        "feedback": list(plan.feedback) if plan else [],
        "kpis": _kpis(facts),
        "risks": [{"id": r.id, "description": r.description, "level": r.level, "status": r.status,
                   "owner": r.owner, "actions": r.actions, "trigger": r.trigger, "contingency": r.contingency}
                  for r in risks],
        "risk_count": {"total": len(p.risks), "high": len(high), "high_ids": "、".join(high),
                       "open": sum(1 for r in p.risks if r.status != "已关闭"),
                       "missing": "、".join(r.id for r in p.risks if not r.contingency)},
        "improvement": list(plan.improvement) if plan else [],
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, PLAN, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    p = facts.project
    return [p.project.name, format_yuan(facts.budget_total), *(m.name for m in p.milestones),
            *(r.id for r in p.risks if r.level == "高"), *(k.name for k in (p.plan.kpis if p.plan else []))]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """What the plan is made from: its declared keys, except that of the weekly reports it reads
    only the latest snapshot's SPI and CPI (a KPI's current value). Editing a week's text, or any
    week but the latest's progress and cost, does not rebuild the plan."""
    from ..incremental import json_plain

    p = facts.project
    data = {name: json_plain(getattr(p, name)) for name in DEPENDS if name not in ("documents", "weekly")}
    data["latest"] = [str(_spi(facts)), str(_cpi(facts))]
    data["today"] = str(facts.today)
    return data


PLAN = register(Artifact(
    code="PLAN",
    sections=SECTIONS,
    context=context,
    rules=(goals_smart, kpis_defined, risks_have_contingency),
    present=lambda project: project.plan is not None,
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    formats=("docx", "pdf"),
))
