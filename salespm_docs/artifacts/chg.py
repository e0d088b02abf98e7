"""CHG 变更申请: one document per change, from ``changes/<id>.yaml`` (key = the change's ``id``).

A change records what changes and why, its impact on 范围, 进度, 成本, 质量, 资源 and 风险, the
alternatives, what happens without it, the reviews and the decision. An approved change that
raises the budget moves the budget baseline (``figures/baseline.py``): the weekly reports from the
approval on show the new budget and list the change in their 变更记录. Rules (ARTIFACTS.md §4):

- R-CHG-1 (on each 周进度报告, WEEK): a week whose 累计实际成本 or 完工预测成本 exceeds the budget
  baseline in force on the report's date (``baseline.report_date``) by more than
  ``change.overrun_percent`` (10%) is a finding: no approved change covers the overrun by the
  report. It names the week, the overrun over the original (charter) budget and over the current
  baseline with percentages, and a change approved only after the report or not approved at all.
- R-CHG-2 (on each 变更申请): every impact dimension is filled, a decision is recorded (批准 / 驳回 /
  暂缓, by whom, when, not before the application), and the WBS tasks and the requirements the
  change names exist (a missing WBS code with the nearest existing codes).
"""

from __future__ import annotations

from decimal import Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import baseline
from ..money import format_yuan
from ..rules import rule
from ..suggest import did_you_mean
from .registry import Artifact, register

SECTIONS = ("变更信息", "变更描述", "原因", "影响分析", "备选方案", "不变更的影响", "评审意见", "审批")

DEPENDS = ("project", "client", "team", "budget", "wbs", "requirements", "changes", "documents")

#: The six impact dimensions: ChangeImpact field → label.
IMPACTS = (("scope", "范围"), ("schedule", "进度"), ("cost", "成本"), ("quality", "质量"),
           ("resources", "资源"), ("risk", "风险"))

CHANGE_TYPES = ("范围", "进度", "成本", "质量")

ONE_DECIMAL = Decimal("0.1")


def _change(facts: Facts, key: str):
    """(index, change) of the change ``key`` (the first, if the ID is duplicated)."""
    return facts.own_index("CHG", key)


def _percent(part: Decimal, whole: Decimal) -> str:
    """``10.7%``."""
    return f"{(part * 100 / whole).quantize(ONE_DECIMAL)}%"


def _threshold(facts: Facts) -> str:
    return f"{Decimal(facts.settings.change.overrun_percent).normalize():f}%"


# -- R-CHG-1 (a rule of the weekly report) -------------------------------------------------------

def _relevant(change) -> bool:
    """A change that is about cost: it states a budget increase or is of type 成本."""
    return bool(change.budget_change and change.budget_change > 0) or "成本" in change.types


@rule("R-CHG-1", "E", "成本超出预算基线超过阈值时，有不晚于周报批准的变更申请覆盖")
def overrun_covered(facts: Facts, artifact, key):
    """On the 周进度报告 of week ``key``: 累计实际成本 / 完工预测成本 against the baseline in force on
    the report's date; one finding per week, at the figure with the larger overrun."""
    found = next(((i, w) for i, w in enumerate(facts.project.weekly) if w.week == key), None)
    if found is None or found[1].cost is None:
        return
    i, report = found
    day = baseline.report_date(report)
    current, original = baseline.baseline_at(facts, day), facts.budget_total
    if not current or current <= 0:
        return
    limit = current * (1 + Decimal(facts.settings.change.overrun_percent) / 100)
    figures = [(name, label, getattr(report.cost, name)) for name, label in
               (("forecast_at_completion", "完工预测成本"), ("actual_to_date", "累计实际成本"))]
    over = [(name, label, value) for name, label, value in figures if value is not None and value > limit]
    if not over:
        return
    name, label, value = max(over, key=lambda f: f[2])
    text = f"{key} 周报的{label}（{name}）{format_yuan(value)} "
    if current == original:
        text += (f"比项目章程预算 {format_yuan(original)} 超出 {format_yuan(value - original)}"
                 f"（{_percent(value - original, original)}），超过须有已批准变更申请的阈值 {_threshold(facts)}；"
                 f"截至本周报告日{cn_date(day)}没有已批准的调整预算的变更申请")
    else:
        ids = "、".join(e.id for e in baseline.log_until(facts, day) if e.budget_change)
        text += (f"比报告日{cn_date(day)}的预算基线 {format_yuan(current)} 超出 {format_yuan(value - current)}"
                 f"（{_percent(value - current, current)}），超过须有已批准变更申请的阈值 {_threshold(facts)}；"
                 f"比项目章程原预算 {format_yuan(original)} 超出 {format_yuan(value - original)}"
                 f"（{_percent(value - original, original)}），已批准的变更 {ids} 不足以覆盖")
    notes = []
    for c in facts.project.changes:
        if not _relevant(c):
            continue
        if c.approved and c.decision.date > day:
            notes.append(f"变更申请 {c.id} 于{cn_date(c.decision.date)}批准，晚于本周报告日{cn_date(day)}，"
                         "不能覆盖本周的超支")
        elif not c.approved:
            state = ("审批结果为批准，但没有审批日期（decision.date）" if c.decision.result == "批准"
                     else f"审批结果：{c.decision.result or '未审批'}")
            notes.append(f"变更申请 {c.id}「{c.title}」尚未批准（{state}）")
    if notes:
        text += "；" + "；".join(notes)
    else:
        text += "；请提交变更申请（changes/），并在周报发出前获得批准"
    yield ("weekly", i, "cost", name), text


# -- R-CHG-2 -------------------------------------------------------------------------------------

@rule("R-CHG-2", "E", "影响分析六个维度齐全，审批决定已记录，引用的 WBS 任务与需求存在")
def impact_and_decision(facts: Facts, artifact, key):
    i, c = _change(facts, key)
    path = ("changes", i)
    for field, label in IMPACTS:
        if not getattr(c.impact, field):
            yield path + ("impact",), (f"变更申请 {c.id} 的影响分析缺少「{label}」（impact.{field}）："
                                       "范围、进度、成本、质量、资源、风险六个维度都须填写，无影响写「无影响」及理由")
    d = c.decision
    if d.result is None:
        yield path + ("decision",), (f"变更申请 {c.id} 没有记录审批决定（decision.result：批准 / 驳回 / 暂缓）、"
                                     "审批人（decision.by）与审批日期（decision.date）")
    else:
        if d.by is None:
            yield path + ("decision", "result"), f"变更申请 {c.id} 的审批决定「{d.result}」缺少审批人（decision.by）"
        if d.date is None:
            yield path + ("decision", "result"), f"变更申请 {c.id} 的审批决定「{d.result}」缺少审批日期（decision.date）"
        elif d.date < c.date:
            yield path + ("decision", "date"), (f"变更申请 {c.id} 的审批日期 {d.date} 早于申请日期 {c.date}："
                                                "变更须先申请、后审批")
    wbs = [w.code for w in facts.project.wbs]
    known = set(wbs)
    for j, code in enumerate(c.tasks):
        if code not in known:
            yield path + ("tasks", j), (f"变更申请 {c.id} 涉及的 WBS 任务 {code} 不在工作分解结构（wbs）中"
                                        f"{_near(code, wbs)}")
    reqs = facts.project.requirements
    if reqs is not None:
        ids = [r.id for r in reqs.all()]
        for j, rid in enumerate(c.requirements):
            if rid not in ids:
                yield path + ("requirements", j), (f"变更申请 {c.id} 涉及的需求 {rid} 不在需求说明书（requirements）中"
                                                   f"{did_you_mean(rid, ids)}")


def _near(code: str, codes: list[str]) -> str:
    """The existing codes under the same parent (「；3.1 下的任务有 3.1.1、3.1.2、3.1.3」), else the
    closest code (「；是否想写「4.2.1」？」), else nothing."""
    parent = code.rsplit(".", 1)[0] if "." in code else None
    siblings = [w for w in codes if parent and w.startswith(parent + ".") and w.count(".") == code.count(".")]
    if siblings:
        more = "等" if len(siblings) > 6 else ""
        return f"；{parent} 下的任务有 {'、'.join(siblings[:6])}{more}"
    return did_you_mean(code, codes)


# -- context -------------------------------------------------------------------------------------

def context(facts: Facts, key: str | None) -> dict:
    i, c = _change(facts, key)
    p = facts.project
    names = {w.code: w.name for w in p.wbs}
    titles = {r.id: r.title for r in p.requirements.all()} if p.requirements is not None else {}
    contacts = {x.name: x.title for x in p.client.contacts}
    roster = facts.roster
    entry = next((e for e in facts.derive(baseline.change_log) if e.index == i), None)
    d = c.decision
    if entry is not None:
        before, after = entry.before, entry.after
    else:  # not (yet) approved: what it would do if approved today
        before = baseline.baseline_at(facts, facts.today)
        after = before + (c.budget_change or Decimal(0))
    applicant_role = contacts.get(c.applicant)
    applicant_role = f"客户方 {applicant_role}" if applicant_role else roster.get(c.applicant)
    return {
        "change": {
            "id": c.id, "title": c.title, "date": c.date, "applicant": c.applicant,
            "applicant_role": applicant_role,
            "types": "、".join(t for t in CHANGE_TYPES if t in c.types),
            "type_boxes": "　".join(("■" if t in c.types else "□") + t for t in CHANGE_TYPES),
            "tasks": [{"code": t, "name": names.get(t)} for t in c.tasks],
            "tasks_text": "、".join(f"{t} {names[t]}" if t in names else t for t in c.tasks),
            "requirements_text": "、".join(f"{r} {titles[r]}" if r in titles else r for r in c.requirements),
            "description": c.description, "reason": c.reason,
            "alternatives": list(c.alternatives), "if_not_changed": c.if_not_changed,
        },
        "impacts": [{"dimension": label, "text": getattr(c.impact, field)} for field, label in IMPACTS],
        "budget": {"change": c.budget_change, "change_text": _signed_yuan(c.budget_change), "before": before,
                   "after": after,
                   "changed": bool(c.budget_change), "original": facts.budget_total},
        "schedule_days": c.schedule_change_days,
        "reviews": [r.model_dump() for r in c.reviews],
        "decision": {"result": d.result, "by": d.by, "date": d.date, "note": d.note,
                     "approved": c.approved, "role": roster.get(d.by) if d.by else None},
        "signatures": _signatures(facts, key),
    }


def _signed_yuan(amount: Decimal | None) -> str:
    """``+¥148,000.00`` / ``−¥20,000.00``."""
    if not amount:
        return "—"
    return ("+" if amount > 0 else "−") + format_yuan(abs(amount))


def _signatures(facts: Facts, key: str) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, CHANGES, key, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    _, c = _change(facts, key)
    values = [facts.project.project.name, c.id, c.title, c.applicant, cn_date(c.date)]
    if c.decision.by:
        values.append(c.decision.by)
    if c.approved and c.budget_change:
        values.append(format_yuan(c.budget_change))
    return values


def _instances(project) -> list[str | None]:
    return list(dict.fromkeys(c.id for c in project.changes))


CHANGES = register(Artifact(
    code="CHG",
    sections=SECTIONS,
    context=context,
    rules=(impact_and_decision,),
    present=lambda project: bool(project.changes),
    instances=_instances,
    instance_of=("changes", "id"),
    occasional=True,
    key_values=key_values,
    depends_on=DEPENDS,
))
