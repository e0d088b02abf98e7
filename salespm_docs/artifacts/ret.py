"""RET 项目复盘报告: the charter's objectives and success criteria → actual values, verdicts, causes, lessons.

目标回顾 is derived, never typed: every objective and success criterion of the charter (CHT) is a
row, and its actual value comes from the shared figures (``figures.outcomes``) named by the
target's ``measure`` — 验收通过率 from ACC, 回款周期 from PAY, CSAT from SAT, 成本偏差 from the
latest weekly cost snapshot (PRG), 销售额 from the contract, 完工偏差 from the acceptance date.
The retrospective data (``retrospective:``) only holds what people say: causes, lessons,
improvements and who attended. Rules R-RET-1…5 (ARTIFACTS.md §4).
"""

from __future__ import annotations

from decimal import Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import deviation, outcomes
from ..model.core import Target
from ..money import format_wan, format_yuan
from ..rules import rule
from ..templating import number, pct
from ..incremental import json_plain
from .registry import Artifact, register

SECTIONS = ("项目概况", "目标回顾", "结果评估", "原因分析", "成功经验", "改进措施", "知识沉淀", "参会人员")

DEPENDS = ("project", "client", "team", "organisation", "objectives", "success_criteria", "deliverables",
           "budget", "changes", "acceptance", "payments", "surveys", "retrospective", "documents")
"""Top-level data RET shows. Of the weekly reports it reads only the latest cost (see ``_fingerprint``)."""

DIMENSIONS = ("范围", "进度", "成本", "质量", "满意度", "回款")

ACHIEVED, MISSED, UNKNOWN = "达成", "未达成", "不适用"

#: measure → (where its figure comes from, the data it needs, where that data is written).
SOURCES: dict[str, tuple[str, str, tuple]] = {
    "acceptance_pass_rate": ("项目验收报告（ACC）", "验收数据 acceptance.results", ("acceptance",)),
    "payment_cycle": ("回款跟踪表（PAY）", "回款数据 payments（尾款实收日期）", ("payments",)),
    "csat": ("满意度问卷（SAT）", "满意度数据 surveys", ("surveys",)),
    "cost_variance": ("项目进度表（PRG）", "进度数据 weekly[].cost（周进度成本）", ("weekly",)),
    "sales_amount": ("合同金额（CTR）", "合同金额 project.contract_amount", ("project", "contract_amount")),
    "schedule_variance": ("项目验收报告（ACC）", "验收数据 acceptance.date", ("acceptance",)),
}


# -- figures, read from the shared outcomes -------------------------------------------------

def targets(facts: Facts) -> list[tuple[str, int, Target]]:
    """Every charter target: (data key, index, target), objectives first."""
    p = facts.project
    return ([("objectives", i, t) for i, t in enumerate(p.objectives)]
            + [("success_criteria", i, t) for i, t in enumerate(p.success_criteria)])


def verdict(target: Target, value: Decimal | None) -> str:
    """达成 / 未达成 / 不适用 (when the data cannot give the value yet)."""
    ok = outcomes.achieved(target, value)
    return UNKNOWN if ok is None else (ACHIEVED if ok else MISSED)


def _counts_workdays(t: Target) -> bool:
    """完工偏差 counts working days, whatever unit (天) the charter wrote beside it."""
    return t.measure == "schedule_variance"


def target_text(t: Target) -> str:
    """「≥ 95%」, as the charter shows it; 「≤ 0 个工作日」 for 完工偏差; negatives with 「−」."""
    if t.operator is None or t.target is None:
        return "—"
    if _counts_workdays(t):
        return f"{t.operator} {number(t.target)} {deviation.WORKDAYS}"
    return f"{t.operator} {number(t.target)}{t.unit or ''}"


def value_text(t: Target, value: Decimal | None) -> str:
    """「90%」「480万元」「17天」「−7 个工作日」; 不适用 when there is no value."""
    if value is None:
        return UNKNOWN
    if _counts_workdays(t):
        return deviation.workdays(value)
    return f"{number(value)}{t.unit or ''}"


def _results(facts: Facts) -> dict[str, int]:
    """How many charter deliverables got each acceptance result (the inputs of 验收通过率)."""
    charter = {d.id for d in facts.project.deliverables if d.id}
    latest = {r.deliverable: r.result for r in facts.project.acceptance.results
              if not charter or r.deliverable in charter}
    counts = {"通过": 0, "有条件通过": 0, "不通过": 0}
    for result in latest.values():
        counts[result] += 1
    return counts


def _last_cost_week(facts: Facts):
    weeks = [w for w in sorted(facts.project.weekly, key=lambda w: w.week) if w.cost is not None]
    return weeks[-1] if weeks else None


def basis(facts: Facts, measure: str | None) -> str:
    """The inputs of a measure, as a reader checks them (9/10 deliverables, contract ¥4,800,000.00…)."""
    p = facts.project
    acceptance = p.acceptance
    if measure == "acceptance_pass_rate":
        counts = facts.derive(outcomes.pass_counts)
        if counts is None:
            return "尚无验收结果"
        passed, total = counts
        others = _results(facts)
        others["未验收"] = max(total - sum(others.values()), 0)
        extra = "、".join(f"{k} {n} 项" for k, n in others.items() if k != "通过" and n)
        return f"验收通过 {passed} 项 / 交付物 {total} 项" + (f"（{extra}）" if extra else "")
    if measure == "payment_cycle":
        final = outcomes.final_installment(facts)
        if final is None:
            return "回款计划中没有尾款"
        head = f"尾款第 {final.no} 期 {format_yuan(final.amount)}"
        if acceptance is None:
            return f"{head}；尚无验收日期"
        if final.received_date is None:
            due = facts.derive(outcomes.final_payment_due)
            return f"验收日期{cn_date(acceptance.date)}；{head}尚未实收（应于{cn_date(due)}前收回）"
        return f"验收日期{cn_date(acceptance.date)}；{head}，于{cn_date(final.received_date)}实收"
    if measure == "csat":
        survey = facts.derive(outcomes.latest_survey)
        if survey is None:
            return "尚无满意度调研"
        answers = [s for r in survey.responses for s in r.scores.values()]
        high = sum(1 for s in answers if s >= 4)
        return (f"{cn_date(survey.date)}{survey.stage}阶段调研：{len(survey.responses)} 份答卷、"
                f"{len(answers)} 项评分，其中 4–5 分 {high} 项")
    if measure == "cost_variance":
        week = _last_cost_week(facts)
        if week is None:
            return "尚无周进度成本数据"
        kind = "完工预测成本" if week.cost.forecast_at_completion is not None else "累计实际成本"
        cost = facts.derive(outcomes.actual_cost)
        return f"{week.week} 周报{kind} {format_yuan(cost)} / {_budget_text(facts)}"
    if measure == "sales_amount":
        amount = p.project.contract_amount
        return "尚未签约" if amount is None else f"合同金额 {format_yuan(amount)}（{format_wan(amount)}）"
    if measure == "schedule_variance":
        if acceptance is None:
            return f"计划完工{cn_date(p.project.end)}；尚未验收"
        delta = facts.derive(outcomes.schedule_variance)
        how = deviation.workdays_phrase(delta)
        return f"计划完工{cn_date(p.project.end)}，验收{cn_date(acceptance.date)}（{how}）"
    return "未指定计算口径"


def _budget_text(facts: Facts) -> str:
    """The budget the 成本偏差 is measured against: the final baseline, and how changes moved it."""
    from ..figures import baseline

    log = facts.derive(baseline.change_log)
    charter = facts.budget_total
    if not log:
        return f"预算 {format_yuan(charter)}"
    ids = "、".join(e.id for e in log)
    moved = sum((e.budget_change for e in log), Decimal(0))
    if not moved:
        return f"预算 {format_yuan(charter)}（已批准变更 {ids} 未调整预算）"
    return (f"最终预算基线 {format_yuan(baseline.final(facts))}（项目章程预算 {format_yuan(charter)}，"
            f"已批准变更 {ids} 调整 {'+' if moved > 0 else '−'}{format_yuan(abs(moved))}）")


def _installment_text(facts: Facts, r: outcomes.InstallmentRecord) -> str:
    """「第 2 期（最终验收（尾款））¥3,360,000.00 应于2026年7月3日前到账（验收后 15 天），2026年7月6日实收
    ¥3,360,000.00，逾期 3 天」."""
    text = f"第 {r.no} 期（{r.milestone}）{format_yuan(r.amount)} "
    if r.due is not None:
        text += f"应于{cn_date(r.due)}前到账"
        if r.due_from_acceptance:
            text += f"（验收后 {facts.settings.payment.final_due_days} 天）"
    elif r.final:
        text += f"应于验收后 {facts.settings.payment.final_due_days} 天内到账（尚无验收日期）"
    else:
        text += "未约定到期日"
    if r.received_date is None:
        text += "，尚未到账"
        if r.overdue(facts.today):
            text += f"，已逾期 {(facts.today - r.due).days} 天"
        return text
    received = "金额未填" if r.received_amount is None else format_yuan(r.received_amount)
    text += f"，{cn_date(r.received_date)}实收 {received}"
    if r.days_late:
        text += f"，逾期 {r.days_late} 天"
    elif r.days_late == 0:
        text += "，按期"
    if r.received_amount is not None and r.received_amount != r.amount:
        diff = r.amount - r.received_amount
        text += f"，{'少收' if diff > 0 else '多收'} {format_yuan(abs(diff))}"
    return text


def payment_terms(facts: Facts) -> str:
    """回款 against the contract's payment terms, computed from payments + acceptance: every
    installment's due date, receipt and delay, then whether the plan was paid 足额 and without 逾期.
    Separate from the 回款周期 success criterion (which 目标回顾 compares)."""
    records = facts.derive(outcomes.payment_record)
    if not records:
        return "回款计划为空，无从对照合同付款期限"
    lines = "；".join(_installment_text(facts, r) for r in records)
    planned = sum((r.amount for r in records), Decimal(0))
    received = sum((r.received_amount or Decimal(0) for r in records if r.received_date is not None), Decimal(0))
    if all(r.full for r in records):
        amount = f"各期实收金额与计划一致，合计 {format_yuan(received)}，足额到账"
    else:
        amount = f"实收合计 {format_yuan(received)}，计划 {format_yuan(planned)}，未足额到账"
    late = [r for r in records if r.late]
    overdue = [r for r in records if r.overdue(facts.today)]
    if late or overdue:
        parts = [f"第 {r.no} 期逾期 {r.days_late} 天到账" for r in late]
        parts += [f"第 {r.no} 期逾期未到账" for r in overdue]
        timing = "、".join(parts) + "，未按合同约定的付款期限回款"
    elif all(r.days_late == 0 for r in records):
        timing = "各期均在合同约定的期限内到账，无逾期"
    else:
        timing = "尚有未到期或无约定到期日的款项，暂无逾期"
    return f"合同付款期限：{lines}。结论：{amount}；{timing}"


def goals(facts: Facts) -> list[dict]:
    """One row of 目标回顾 per charter target, with its computed actual value and verdict."""
    rows = []
    for key, _, t in targets(facts):
        value = outcomes.actual(facts, t)
        source = SOURCES.get(t.measure or "", ("—", "", ()))[0]
        rows.append({
            "id": t.id, "kind": "项目目标" if key == "objectives" else "成功标准",
            "description": t.description, "metric": t.metric, "unit": t.unit,
            "target_text": target_text(t), "actual": value, "actual_text": value_text(t, value),
            "verdict": verdict(t, value), "source": source, "basis": basis(facts, t.measure),
        })
    return rows


def _evidence(facts: Facts, by_measure: dict[str, dict]) -> dict[str, str]:
    """What the figures say for each 结果评估 dimension (derived; the assessment text is typed)."""
    p = facts.project

    def figure(measure: str) -> str:
        row = by_measure.get(measure)
        if row is None:
            return basis(facts, measure)
        shown = row["actual_text"] + (f"（{row['verdict']}）" if row["verdict"] != UNKNOWN else "")
        return f"{row['metric']} {shown}；{row['basis']}"

    acceptance = p.acceptance
    scope = (f"章程交付物 {len(p.deliverables)} 项，参加验收 {len(acceptance.results)} 项"
             if acceptance else f"章程交付物 {len(p.deliverables)} 项，尚未验收")
    cost = facts.derive(outcomes.cost_variance)
    cost_text = (figure("cost_variance") if "cost_variance" in by_measure
                 else basis(facts, "cost_variance") + (f"，成本偏差 {pct(cost)}" if cost is not None else ""))
    nps = None
    survey = facts.derive(outcomes.latest_survey)
    if survey is not None:
        nps = outcomes.survey_nps(survey)
    return {
        "范围": scope,
        "进度": figure("schedule_variance"),
        "成本": cost_text,
        "质量": figure("acceptance_pass_rate"),
        "满意度": figure("csat") + (f"；NPS {number(nps)}" if nps is not None else ""),
        "回款": f"{figure('payment_cycle')}。{payment_terms(facts)}",
    }


# -- rules ---------------------------------------------------------------------------------

@rule("R-RET-1", "E", "项目章程的每项目标与成功标准都在目标回顾中")
def every_target_reviewed(facts: Facts, artifact, key):
    p = facts.project
    if not p.objectives:
        yield ("objectives",), "项目章程没有项目目标（objectives），目标回顾无从对照"
    if not p.success_criteria:
        yield ("success_criteria",), "项目章程没有成功标准（success_criteria），目标回顾无从对照"
    options = "、".join(outcomes.MEASURES)
    for name, i, t in targets(facts):
        label = "项目目标" if name == "objectives" else "成功标准"
        if t.measure is None:
            yield (name, i), (f"{label} {t.id}「{t.metric or t.description or ''}」没有实际值的计算口径（measure），"
                              f"目标回顾无法列出它的实际值；请指定其一：{options}")
        if t.metric is None or t.operator is None or t.target is None:
            yield (name, i), f"{label} {t.id} 缺少指标、比较符或目标值，目标回顾无法判断是否达成"


def _missing_data(facts: Facts, measure: str) -> tuple[tuple | str, str]:
    """Where the data a measure needs should be, and what is missing there."""
    p = facts.project
    source, need, path = SOURCES[measure]
    if measure == "payment_cycle" and p.acceptance is not None:
        final = outcomes.final_installment(facts)
        if final is None:
            return ("payments",), f"回款数据 payments 中没有尾款（final: true），{source}"
        i = p.payments.index(final)
        return ("payments", i), f"回款数据 payments[{i}] 尾款尚未实收（received_date），{source}"
    if measure == "payment_cycle":
        return ("acceptance",), "验收数据 acceptance（验收日期），项目验收报告（ACC）"
    if measure == "cost_variance" and not p.weekly:
        # weekly data lives in its own folder, one file per week: point there, not at project.yaml
        return f"projects/{facts.slug}/weekly/: weekly[].cost", f"{need}，{source}"
    if measure == "csat" and p.surveys:
        i = p.surveys.index(facts.derive(outcomes.latest_survey))
        return ("surveys", i, "responses"), f"满意度数据 surveys[{i}] 没有答卷（responses），{source}"
    return path, f"{need}，{source}"


@rule("R-RET-2", "E", "实际值取自各文档计算结果，数据齐全")
def actuals_computed(facts: Facts, artifact, key):
    for name, i, t in targets(facts):
        if t.measure is None:
            continue  # R-RET-1
        if outcomes.actual(facts, t) is None:
            path, missing = _missing_data(facts, t.measure)
            yield path, f"{t.id}「{t.metric or t.measure}」的实际值无法计算：缺少{missing}"


@rule("R-RET-3", "E", "每个未达成目标至少有一条原因")
def causes_for_misses(facts: Facts, artifact, key):
    retro = facts.project.retrospective
    if retro is None:
        return
    known = {t.id: t for _, _, t in targets(facts)}
    explained = {c.target for c in retro.causes}
    for i, c in enumerate(retro.causes):
        t = known.get(c.target)
        if t is None:
            yield ("retrospective", "causes", i, "target"), (
                f"原因分析引用了不存在的目标 {c.target}；项目章程中的目标与成功标准为 {'、'.join(known) or '无'}")
        elif verdict(t, outcomes.actual(facts, t)) == ACHIEVED:
            yield ("retrospective", "causes", i, "target"), (
                f"{c.target}「{t.metric}」已达成（实际 {value_text(t, outcomes.actual(facts, t))}），"
                "不应列为未达标原因；请删除或改写这条原因")
    for name, i, t in targets(facts):
        value = outcomes.actual(facts, t)
        if verdict(t, value) == MISSED and t.id not in explained:
            yield ("retrospective", "causes"), (
                f"{t.id}「{t.metric}」未达成（实际 {value_text(t, value)}，目标 {target_text(t)}），"
                "原因分析中至少需要一条原因（causes[].target: " + t.id + "）")


@rule("R-RET-4", "E", "每项改进措施有责任人和完成时间")
def improvements_owned(facts: Facts, artifact, key):
    retro = facts.project.retrospective
    if retro is None:
        return
    for i, item in enumerate(retro.improvements):
        missing = [label for field, label in (("owner", "责任人（owner）"), ("due", "完成时间（due）"))
                   if getattr(item, field) is None]
        if missing:
            yield ("retrospective", "improvements", i), f"改进措施「{item.action}」缺少{'和'.join(missing)}"


@rule("R-RET-5", "E", "成功经验与改进措施均不为空")
def lessons_present(facts: Facts, artifact, key):
    retro = facts.project.retrospective
    if retro is None:
        return
    if not retro.successes:
        yield ("retrospective",), "成功经验（retrospective.successes）不能为空"
    if not retro.improvements:
        yield ("retrospective",), "改进措施（retrospective.improvements）不能为空"


#: Claims a typed 结果评估 may make, per dimension: (pattern, what it asserts). A claim preceded by
#: 未 / 不 / 没 / 非 is a negation, not the claim.
CLAIMS: dict[str, tuple[tuple[str, str], ...]] = {
    "回款": ((r"(?<![未不没非])(无逾期|没有逾期|按期|按时|准时|如期)", "late"), (r"(?<![未不没非])足额", "short")),
    "成本": ((r"未超支|没有超支|无超支|不超支|未超出预算|没有超出预算", "overrun"),),
    "进度": ((r"(?<![未不没非])(按期|按时|准时|如期)", "behind"),),
    "范围": ((r"(未|没有|无)(发生)?(范围)?变更", "scope_change"),),
}


def _contradiction(facts: Facts, kind: str) -> str | None:
    """What the data says against a claim of ``kind``, or ``None`` when it supports it."""
    if kind in ("late", "short"):
        records = facts.derive(outcomes.payment_record)
        if kind == "late":
            late = [f"第 {r.no} 期（{r.milestone}）应于{cn_date(r.due)}前到账，{cn_date(r.received_date)}实收，"
                    f"逾期 {r.days_late} 天" for r in records if r.late]
            late += [f"第 {r.no} 期（{r.milestone}）应于{cn_date(r.due)}前到账，至今未到账" for r in records
                     if r.overdue(facts.today)]
            return "；".join(late) or None
        short = [f"第 {r.no} 期（{r.milestone}）计划 {format_yuan(r.amount)}，"
                 + ("尚未到账" if r.received_date is None or r.received_amount is None
                    else f"实收 {format_yuan(r.received_amount)}") for r in records if not r.full]
        return "；".join(short) or None
    if kind == "overrun":
        cost = facts.derive(outcomes.cost_variance)
        return f"成本偏差 {pct(cost)}（实际成本高于预算）" if cost is not None and cost > 0 else None
    if kind == "scope_change":
        changed = [c for c in facts.project.changes if c.approved and "范围" in c.types]
        return "、".join(f"变更申请 {c.id}「{c.title}」（范围变更）已于{cn_date(c.decision.date)}批准"
                        for c in changed) or None
    if kind == "behind":
        delta = facts.derive(outcomes.schedule_variance)
        return f"验收较计划完工{deviation.workdays_phrase(delta)}" if delta is not None and delta > 0 else None
    return None


@rule("R-RET-6", "W", "结果评估的文字与计算结果一致")
def assessments_match_figures(facts: Facts, artifact, key):
    import re

    retro = facts.project.retrospective
    if retro is None:
        return
    for dimension, claims in CLAIMS.items():
        text = retro.results.get(dimension)
        if not text:
            continue
        for pattern, kind in claims:
            match = re.search(pattern, text)
            if match is None:
                continue
            against = _contradiction(facts, kind)
            if against:
                yield ("retrospective", "results", dimension), (
                    f"结果评估「{dimension}」写明「{match.group(0)}」，但数据显示：{against}；请按数据改写该评估")


# -- context -------------------------------------------------------------------------------

def _group(facts: Facts, name: str) -> tuple[str, str]:
    """(甲方 / 乙方 side, 管理层 / 核心团队 / 客户方 group) of a participant."""
    p = facts.project
    client = {c.name for c in p.client.contacts}
    if name in client:
        return p.client.name, "客户接口人" if name == p.organisation.client_contact else "客户方"
    if name == p.organisation.sponsor:
        return p.project.company, "管理层"
    return p.project.company, "核心团队"


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    retro = p.retrospective
    rows = goals(facts)
    by_id = {r["id"]: r for r in rows}
    by_measure: dict[str, dict] = {}
    for (_, _, t), row in zip(targets(facts), rows):
        if t.measure:
            by_measure.setdefault(t.measure, row)
    evidence = _evidence(facts, by_measure)
    results = retro.results if retro else {}
    causes = []
    for c in (retro.causes if retro else []):
        row = by_id.get(c.target, {})
        causes.append({"target": c.target, "metric": row.get("metric"), "target_text": row.get("target_text"),
                       "actual_text": row.get("actual_text"), "cause": c.cause, "category": c.category})
    roles = facts.roster
    participants = []
    for name in (retro.participants if retro else []):
        side, group = _group(facts, name)
        participants.append({"name": name, "role": roles.get(name), "side": side, "group": group})
    acceptance = p.acceptance
    counts = {v: sum(1 for r in rows if r["verdict"] == v) for v in (ACHIEVED, MISSED, UNKNOWN)}
    return {
        "overview": {
            "manager": p.organisation.manager, "sponsor": p.organisation.sponsor,
            "sales_owner": p.project.sales_owner, "contract_amount": p.project.contract_amount,
            "budget": facts.budget_total, "acceptance_date": acceptance.date if acceptance else None,
            "deliverables": len(p.deliverables),
            "summary": retro.summary if retro else None,
        },
        "meeting": {"date": retro.date if retro else None, "location": retro.location if retro else None,
                    "host": retro.host if retro else None},
        "goals": rows,
        "tally": {"total": len(rows), "achieved": counts[ACHIEVED], "missed": counts[MISSED],
                  "unknown": counts[UNKNOWN]},
        "missed": [r for r in rows if r["verdict"] == MISSED],
        "results": [{"dimension": d, "evidence": evidence[d], "assessment": results.get(d)} for d in DIMENSIONS],
        "causes": causes,
        "successes": list(retro.successes) if retro else [],
        "improvements": [i.model_dump() for i in retro.improvements] if retro else [],
        "knowledge": list(retro.knowledge) if retro else [],
        "participants": participants,
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, RETROSPECTIVE, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    p = facts.project
    values = [p.project.name, p.client.name]
    for row in goals(facts):
        values += [row["id"], row["metric"], row["target_text"], row["actual_text"], row["basis"]]
    retro = p.retrospective
    if retro:
        values += [c.cause for c in retro.causes] + list(retro.successes)
        values += [i.action for i in retro.improvements] + [i.owner for i in retro.improvements if i.owner]
        values += list(retro.knowledge) + list(retro.participants)
    return [v for v in values if v]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """The data RET is made from: its own keys plus the one weekly cost snapshot it reads."""
    p = facts.project
    data = {name: json_plain(getattr(p, name)) for name in DEPENDS if name != "documents"}
    week = _last_cost_week(facts)
    data["cost"] = {"week": week.week, **week.cost.model_dump(mode="json")} if week else None
    return data


RETROSPECTIVE = register(Artifact(
    code="RET",
    sections=SECTIONS,
    context=context,
    rules=(every_target_reviewed, actuals_computed, causes_for_misses, improvements_owned, lessons_present,
           assessments_match_figures),
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    present=lambda project: project.retrospective is not None,
))
