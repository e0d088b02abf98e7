"""SALES 销售数据分析 (收尾; internal: it shows the margin and our costs).

Every KPI is computed here once, as a ``Kpi`` with its formula, its inputs (each naming the document
it comes from) and its value; the document, the charts and the rules all read ``kpis(facts)``.

- 销售额 = Σ 合同金额 (``contracts``, CTR; without contracts the project's ``contract_amount``).
- 目标达成率 = 销售额 / 销售目标 × 100%, the target being the charter's ``sales_amount`` objective
  (STRAT's ``sales_target``, CHT).
- 销售额增长率 = (销售额 − 上期销售额) / 上期销售额 × 100%; 上期销售额 is ``sales.previous``, whose
  ``basis`` says whose revenue it is (the same client's previous period, or the sales team's).
- 客户获取成本 CAC = 销售与市场费用 / 新客户数 (``sales.acquisition``).
- 客户满意度 CSAT = the latest survey's share of 4–5 answers (``figures.outcomes.csat``, SAT).
- 回款率 = Σ 实收金额 / 销售额 × 100% (the 回款跟踪表 rows, ``figures.outcomes.payment_rows``, PAY).
- 毛利率 = (销售额 − 完工成本) / 销售额 × 100%, 完工成本 the latest weekly report's forecast at
  completion (else its actual to date) — ``figures.outcomes.actual_cost``, the figure PRG and RET
  show. The budget baseline is what the cost is measured against, not a cost, so it is not used;
  the 立项 application's expected margin (INIT, ``init.margin``) is shown beside it.

Percentages are rounded half up to one decimal, CAC to the fen. A zero (or missing) denominator
gives ``None``, which the document prints 不适用 — never ``inf``, ``NaN`` or a traceback.

Rules: R-SALES-1 (E) every KPI has its inputs, and a value typed in ``sales.reported`` equals the
recomputed one; R-SALES-2 (W) a zero denominator is reported (the KPI prints 不适用); R-SALES-3 (E)
销售额 = Σ 合同金额 = 项目合同金额 (``project.contract_amount``) = Σ 回款计划金额 (PAY), and the
amount received does not exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..facts import Facts
from ..incremental import json_plain
from ..figures import outcomes
from ..money import format_wan, format_yuan
from ..rules import rule
from ..templating import pct
from .registry import Artifact, register

SECTIONS = ("分析概况", "关键指标", "指标计算明细", "销售额与目标", "回款分析", "毛利分析", "分析结论")

DEPENDS = ("project", "client", "team", "objectives", "success_criteria", "contracts", "payments",
           "acceptance", "surveys", "initiation", "sales", "documents")
"""Top-level data SALES shows. Of the weekly reports it reads only the latest cost snapshot (完工成本),
of the retrospective only the causes given for the sales target: its fingerprint hook hashes those
(``_fingerprint``, as RET's does), so a week's text or the retrospective's summary does not rebuild
it, and R-COM-4 / R-COM-6 check those texts in WEEK and RET, not here."""

NA = "不适用"
TENTH, CENT = Decimal("0.1"), Decimal("0.01")

CTR, PAY, CHT, SAT, PRG, INIT, SALES = ("合同评审表 CTR", "回款跟踪表 PAY", "项目章程 CHT", "满意度问卷 SAT",
                                        "周进度报告 WEEK / 项目进度表 PRG", "项目立项申请 INIT", "本表录入")


def ratio(numerator: Decimal | None, denominator: Decimal | None, places: Decimal = TENTH,
          scale: int = 100) -> Decimal | None:
    """``numerator / denominator × scale`` rounded half up; ``None`` (不适用) when either is missing
    or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Input:
    """One input of a KPI: what it is, its value as shown, the document it comes from, its data path."""

    label: str
    shown: str
    source: str
    path: tuple
    missing: bool = False


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    formula: str
    inputs: tuple[Input, ...]
    value: Decimal | None
    unit: str
    """``%`` or ``元``."""
    denominator: str | None = None
    """The input that divides (for R-SALES-2), ``None`` for a plain amount."""
    zero: Input | None = None
    """The denominator input when it is zero (the KPI is 不适用)."""
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def shown(self) -> str:
        if self.value is None:
            return NA
        return pct(self.value, 1, True) if self.unit == "%" else format_yuan(self.value)


def _yuan(value) -> str:
    return "未填写" if value is None else format_yuan(value)


def sales_amount(facts: Facts) -> Decimal | None:
    """销售额 = Σ 合同金额; without contracts, the project's contract amount."""
    p = facts.project
    if p.contracts:
        return sum((c.amount for c in p.contracts), Decimal("0.00"))
    return p.project.contract_amount


def _sales_inputs(facts: Facts) -> tuple[Input, ...]:
    p = facts.project
    if p.contracts:
        return tuple(Input(f"合同 {c.id} 金额", format_yuan(c.amount), CTR, ("contracts", i, "amount"))
                     for i, c in enumerate(p.contracts))
    amount = p.project.contract_amount
    return (Input("项目合同金额", _yuan(amount), "项目基本信息", ("project", "contract_amount"), amount is None),)


def received_total(facts: Facts) -> Decimal:
    """Σ 实收金额 of the 回款跟踪表."""
    return sum((r.received_amount or Decimal(0) for r in facts.derive(outcomes.payment_rows)), Decimal("0.00"))


def planned_total(facts: Facts) -> Decimal:
    return sum((r.amount for r in facts.derive(outcomes.payment_rows)), Decimal("0.00"))


def _sales_input(facts: Facts, amount: Decimal | None) -> Input:
    path = ("contracts",) if facts.project.contracts else ("project", "contract_amount")
    return Input("销售额", _yuan(amount), CTR if facts.project.contracts else "项目基本信息", path, amount is None)


def kpis(facts: Facts) -> list[Kpi]:
    """The seven figures of the analysis, in the document's order."""
    from .init import margin
    from .strat import sales_target

    p, s = facts.project, facts.project.sales
    amount = facts.derive(sales_amount)
    sales = _sales_input(facts, amount)
    out = [Kpi("sales", "销售额", "销售额 = Σ 合同金额", _sales_inputs(facts), amount, "元")]

    target = facts.derive(sales_target)
    t_amount = None if target is None else target.amount
    t_input = (Input("销售目标", "项目章程中没有销售额目标", CHT, ("objectives",), True) if target is None else
               Input(f"销售目标 {target.id}「{target.text}」", _yuan(t_amount), CHT, target.path + ("target",),
                     t_amount is None))
    achievement = ratio(amount, t_amount)
    gap = None if amount is None or t_amount is None else amount - t_amount
    out.append(Kpi("achievement", "目标达成率", "目标达成率 = 销售额 ÷ 销售目标 × 100%", (sales, t_input),
                   achievement, "%", "销售目标", t_input if t_amount == 0 else None,
                   extra={"target": t_amount, "gap": gap}))

    prev = s.previous if s else None
    p_amount = None if prev is None else prev.amount
    p_input = (Input("上期销售额", "未填写（sales.previous）", SALES, ("sales", "previous"), True) if prev is None else
               Input(f"上期销售额（{prev.period}，{prev.basis}）", format_yuan(prev.amount),
                     SALES + (f"；来源：{prev.source}" if prev.source else ""), ("sales", "previous", "amount")))
    growth = ratio(None if amount is None or p_amount is None else amount - p_amount, p_amount)
    out.append(Kpi("growth", "销售额增长率", "增长率 = (销售额 − 上期销售额) ÷ 上期销售额 × 100%", (sales, p_input),
                   growth, "%", "上期销售额", p_input if p_amount == 0 else None))

    acq = s.acquisition if s else None
    if acq is None:
        a_inputs = (Input("销售与市场费用", "未填写（sales.acquisition）", SALES, ("sales", "acquisition"), True),
                    Input("新客户数", "未填写（sales.acquisition）", SALES, ("sales", "acquisition"), True))
        cac = None
    else:
        a_inputs = (Input("销售与市场费用", format_yuan(acq.cost), SALES, ("sales", "acquisition", "cost")),
                    Input("新客户数", f"{acq.new_clients} 个", SALES, ("sales", "acquisition", "new_clients")))
        cac = ratio(acq.cost, Decimal(acq.new_clients), CENT, 1)
    out.append(Kpi("cac", "客户获取成本（CAC）", "CAC = 销售与市场费用 ÷ 新客户数", a_inputs, cac, "元",
                   "新客户数", a_inputs[1] if acq is not None and acq.new_clients == 0 else None,
                   note=(acq.note or "") if acq else ""))

    survey = facts.derive(outcomes.latest_survey)
    if survey is None:
        c_inputs = (Input("满意度调研", "尚无调研（surveys）", SAT, ("surveys",), True),)
        answers = high = 0
    else:
        index = p.surveys.index(survey)
        scores = [x for r in survey.responses for x in r.scores.values()]
        answers, high = len(scores), sum(1 for x in scores if x >= 4)
        c_inputs = (Input(f"4–5 分评分数（{survey.stage}阶段调研，{survey.date.isoformat()}）", f"{high} 项", SAT,
                          ("surveys", index, "responses")),
                    Input(f"评分总数（{len(survey.responses)} 份答卷）", f"{answers} 项", SAT, ("surveys", index, "responses")))
    out.append(Kpi("csat", "客户满意度（CSAT）", "CSAT = 4–5 分评分数 ÷ 评分总数 × 100%", c_inputs,
                   facts.derive(outcomes.csat), "%", "评分总数",
                   c_inputs[-1] if survey is not None and answers == 0 else None,
                   extra={"answers": answers, "high": high}))

    received = facts.derive(received_total)
    r_input = Input(f"已回款金额（{len(p.payments)} 期实收合计）", format_yuan(received), PAY, ("payments",))
    out.append(Kpi("collection", "回款率", "回款率 = 已回款金额 ÷ 销售额 × 100%", (r_input, sales),
                   ratio(received, amount), "%", "销售额", sales if amount == 0 else None,
                   extra={"received": received, "outstanding": None if amount is None else amount - received}))

    cost = facts.derive(outcomes.actual_cost)
    week = _cost_week(facts)
    if week is None:
        k_input = Input("完工成本", "尚无周进度成本数据（weekly[].cost）", PRG, ("weekly",), True)
    else:
        kind = "完工预测成本" if week[1].cost.forecast_at_completion is not None else "累计实际成本"
        field_ = "forecast_at_completion" if kind == "完工预测成本" else "actual_to_date"
        k_input = Input(f"完工成本（{week[1].week} 周报{kind}）", format_yuan(cost), PRG,
                        ("weekly", week[0], "cost", field_))
    init = p.initiation
    planned = facts.derive(margin) if init is not None else None
    out.append(Kpi("margin", "毛利率", "毛利率 = (销售额 − 完工成本) ÷ 销售额 × 100%", (sales, k_input),
                   ratio(None if amount is None or cost is None else amount - cost, amount), "%", "销售额",
                   sales if amount == 0 else None,
                   extra={"cost": cost, "profit": None if amount is None or cost is None else amount - cost,
                          "planned": None if planned is None else planned.rate,
                          "planned_revenue": None if planned is None else planned.revenue,
                          "planned_cost": None if planned is None else planned.cost}))
    return out


def _cost_week(facts: Facts):
    """(index, week) of the latest weekly report with a cost snapshot (the one ``actual_cost`` reads)."""
    weeks = [(i, w) for i, w in enumerate(facts.project.weekly) if w.cost is not None]
    return max(weeks, key=lambda x: x[1].week) if weeks else None


def by_key(facts: Facts) -> dict[str, Kpi]:
    return {k.key: k for k in facts.derive(kpis)}


# -- rules ----------------------------------------------------------------------------------

REPORTED = {"achievement": "目标达成率", "growth": "销售额增长率", "cac": "客户获取成本", "csat": "客户满意度",
            "collection": "回款率", "margin": "毛利率"}


@rule("R-SALES-1", "E", "每项指标列示输入并按公式重算")
def inputs_and_recomputed(facts: Facts, artifact, key):
    s = facts.project.sales
    if s is None:
        return
    for k in facts.derive(kpis):
        missing: dict[tuple, list[Input]] = {}
        for i in k.inputs:
            if i.missing:
                missing.setdefault(i.path, []).append(i)
        for path, items in missing.items():
            labels = "、".join(f"「{i.label}」" for i in items)
            yield path, f"{k.name}缺少输入{labels}（{items[0].shown}，来源：{items[0].source}），该指标显示为{NA}"
    if s.reported is None:
        return
    found = by_key(facts)
    for name, label in REPORTED.items():
        typed = getattr(s.reported, name)
        if typed is None:
            continue
        k = found[name]
        if k.value is None:
            yield ("sales", "reported", name), (f"{label}填写为 {_typed(typed, k.unit)}，但按公式无法计算（{NA}）："
                                                f"{k.formula}；请删除该字段")
        elif Decimal(typed) != k.value:
            yield ("sales", "reported", name), (f"{label}填写为 {_typed(typed, k.unit)}，重算为 {k.shown}"
                                                f"（{k.formula}）；请改为 {k.shown} 或删除该字段")


def _typed(value: Decimal, unit: str) -> str:
    return pct(value, 2) if unit == "%" else format_yuan(value)


@rule("R-SALES-2", "W", "分母为零的指标显示为不适用")
def zero_denominators(facts: Facts, artifact, key):
    if facts.project.sales is None:
        return
    for k in facts.derive(kpis):
        if k.zero is not None:
            yield k.zero.path, (f"{k.name}的分母{k.zero.label}为 0，无法计算，文档中显示为{NA}"
                                f"（{k.formula}）")


@rule("R-SALES-3", "E", "销售额与合同（CTR）、回款计划（PAY）一致")
def reconciles(facts: Facts, artifact, key):
    p = facts.project
    if p.sales is None:
        return
    amount = facts.derive(sales_amount)
    if amount is None:
        yield ("project", "contract_amount"), "尚无合同金额（contracts 或 project.contract_amount），无法计算销售额"
        return
    if p.contracts and p.project.contract_amount is not None and p.project.contract_amount != amount:
        yield ("project", "contract_amount"), (
            f"项目合同金额（project.contract_amount）{format_yuan(p.project.contract_amount)} 与合同金额合计 "
            f"{format_yuan(amount)}（合同评审表 CTR）不一致")
    if not p.payments:
        yield ("payments",), f"回款计划为空（payments）：无法核对销售额 {format_yuan(amount)}"
        return
    planned = facts.derive(planned_total)
    if planned != amount:
        diff = planned - amount
        yield ("payments",), (f"回款计划各期金额合计 {format_yuan(planned)} 与销售额（合同金额）{format_yuan(amount)} "
                              f"不一致，{'多' if diff > 0 else '少'} {format_yuan(abs(diff))}")
    received = facts.derive(received_total)
    if received > amount:
        yield ("payments",), (f"已回款合计 {format_yuan(received)} 超过销售额（合同金额）{format_yuan(amount)}"
                              f"，多收 {format_yuan(received - amount)}")


# -- context --------------------------------------------------------------------------------

def context(facts: Facts, key: str | None) -> dict:
    from ..charts.bars import bar_chart

    p, s = facts.project, facts.project.sales
    found = by_key(facts)
    rows = [{"n": n, "name": k.name, "formula": k.formula, "shown": k.shown, "value": k.value, "unit": k.unit,
             "inputs": "；".join(f"{i.label} {i.shown}" for i in k.inputs),
             "na": k.value is None,
             "why": _why(k)}
            for n, k in enumerate(found.values(), 1)]
    inputs = [{"kpi": k.name, "label": i.label, "shown": i.shown, "source": i.source}
              for k in found.values() for i in k.inputs]
    amount, ach = found["sales"].value, found["achievement"]
    coll, mar = found["collection"], found["margin"]
    pay_rows = facts.derive(outcomes.payment_rows)
    planned = facts.derive(planned_total) if p.payments else None
    bars = [(label, v) for label, v in (("销售目标", ach.extra["target"]), ("销售额（合同）", amount),
                                        ("回款计划", planned), ("已回款", coll.extra["received"]))
            if v is not None]
    kpi_bars = [(k.name.split("（")[0], k.value) for k in found.values() if k.unit == "%" and k.value is not None]
    charts = {"sales_bars": [bar_chart(bars, title="销售额、目标与回款（万元）")],
              "kpi_bars": [bar_chart(kpi_bars, title="比率类指标（%）", unit="%")]}
    reconcile = [
        {"item": "合同金额合计（CTR）", "amount": amount},
        {"item": "项目合同金额（project.contract_amount）", "amount": p.project.contract_amount},
        {"item": "回款计划各期合计（PAY）", "amount": planned},
        {"item": "已回款 + 未回款（PAY）", "amount": None if not p.payments else
         coll.extra["received"] + sum((r.outstanding for r in pay_rows), Decimal(0))},
    ]
    for r in reconcile:
        r["agrees"] = None if r["amount"] is None or amount is None else r["amount"] == amount
    return {
        "sales": {"date": s.date, "period": s.period, "commentary": list(s.commentary), "actions": list(s.actions),
                  "previous": s.previous, "acquisition": s.acquisition},
        "kpis": rows,
        "inputs": inputs,
        "amount": amount,
        "amount_wan": None if amount is None else format_wan(amount),
        "achievement": {"shown": ach.shown, "target": ach.extra["target"], "gap": ach.extra["gap"],
                        "met": None if ach.extra["gap"] is None else ach.extra["gap"] >= 0,
                        "target_wan": None if ach.extra["target"] is None else format_wan(ach.extra["target"])},
        "causes": [c.cause for c in _causes(facts)],
        "collection": {"shown": coll.shown, "received": coll.extra["received"],
                       "outstanding": coll.extra["outstanding"]},
        "payments": [{"no": r.no, "milestone": r.milestone, "amount": r.amount, "due": r.due,
                      "received_date": r.received_date, "received": r.received_amount, "status": r.status}
                     for r in pay_rows],
        "planned_total": planned,
        "reconcile": reconcile,
        "margin": {"shown": mar.shown, "cost": mar.extra["cost"], "profit": mar.extra["profit"],
                   "planned": mar.extra["planned"], "planned_revenue": mar.extra["planned_revenue"],
                   "planned_cost": mar.extra["planned_cost"],
                   "diff": None if mar.value is None or mar.extra["planned"] is None
                   else mar.value - mar.extra["planned"]},
        "charts": charts,
        "signatures": _signatures(facts),
    }


def _why(k: Kpi) -> str:
    """The 说明 of a KPI: why it is 不适用, else the documents its inputs come from (CTR、CHT …)."""
    if k.value is None:
        if k.zero is not None:
            return f"{k.denominator}为 0，不适用"
        missing = "、".join(i.label for i in k.inputs if i.missing)
        return f"缺少{missing or '输入'}，不适用"
    codes: list[str] = []
    for i in k.inputs:
        code = "本表" if i.source.startswith(SALES) else i.source.split()[-1]
        if code not in codes:
            codes.append(code)
    return "来源：" + "、".join(codes)


def _target_id(facts: Facts) -> str | None:
    from .strat import sales_target

    target = facts.derive(sales_target)
    return None if target is None else target.id


def _causes(facts: Facts) -> list:
    """The retrospective's causes (RET) given for the sales target, shown in 分析结论."""
    p = facts.project
    target = _target_id(facts)
    return [c for c in (p.retrospective.causes if p.retrospective else []) if c.target == target]


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, SALES_ANALYSIS, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    return [k.shown for k in facts.derive(kpis)]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """The data SALES is made from: its own keys, the one weekly cost snapshot it reads (the
    margin's 完工成本, where it is written) and the retrospective's causes it shows."""
    p = facts.project
    data = {name: json_plain(getattr(p, name)) for name in DEPENDS if name != "documents"}
    week = _cost_week(facts)
    data["cost"] = None if week is None else {"index": week[0], "week": week[1].week,
                                              **week[1].cost.model_dump(mode="json")}
    data["causes"] = json_plain(_causes(facts))
    return data


SALES_ANALYSIS = register(Artifact(
    code="SALES",
    sections=SECTIONS,
    context=context,
    rules=(inputs_and_recomputed, zero_denominators, reconciles),
    present=lambda project: project.sales is not None,
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    formats=("docx", "pdf"),
))
