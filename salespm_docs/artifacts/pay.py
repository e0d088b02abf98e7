"""PAY 回款跟踪表: the payment plan against what was invoiced and received, as of the report date.

Every figure comes from ``figures/outcomes.payment_rows`` (shared with the rules): 应收 is the
planned amount (计划金额) of each installment, invoiced or not, so 未收 = 计划金额 − 实收金额; 逾期天数
are calendar days past the due date while something is unpaid (as of the report date, the status date
``facts.today``), or, for an installment received in full, the days it arrived late; 账龄 buckets the
days overdue of an unpaid amount (0–30 / 31–60 / 61–90 / > 90 天). The 尾款 (``final: true``) is
due ``settings.payment.final_due_days`` after the 验收日期; before the acceptance it shows
「验收后 15 天」. 回款周期 = 尾款实收日期 − 验收日期 (``outcomes.payment_cycle``), compared with the
charter target ``settings.payment.cycle_days_target``. Rules R-PAY-1…6 (ARTIFACTS.md §4). Also an
XLSX register whose 未收金额, 逾期天数 and 账龄 stay live formulas on its 报告日期 input cell.
"""

from __future__ import annotations

from decimal import Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import outcomes
from ..money import format_yuan, to_upper
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("合同与回款概况", "回款计划与执行", "逾期与账龄", "回款曲线", "跟进事项", "审批签字")
DEPENDS = ("project", "client", "team", "acceptance", "payments", "documents")

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _path(row: outcomes.PaymentRow, *field: str) -> tuple:
    return ("payments", row.index, *field)


def _label(row: outcomes.PaymentRow) -> str:
    return f"第 {row.no} 期「{row.milestone}」"


def _rows(facts: Facts) -> list[outcomes.PaymentRow]:
    return facts.derive(outcomes.payment_rows)


@rule("R-PAY-1", "E", "各期金额之和等于合同金额，比例之和为 100%")
def plan_sums(facts: Facts, artifact, key):
    payments = facts.project.payments
    contract = facts.project.project.contract_amount
    if not payments:
        yield ("payments",), "回款计划（payments）为空：至少应有预付款与尾款两期"
        return
    seen: dict[int, int] = {}
    for k, i in enumerate(payments):
        if i.no in seen:
            yield ("payments", k, "no"), f"期次 {i.no} 重复（第 {seen[i.no] + 1} 项与第 {k + 1} 项），各期期次应唯一"
        seen.setdefault(i.no, k)
    ratios = sum((i.ratio for i in payments), Decimal(0))
    if ratios != HUNDRED:
        yield ("payments",), f"各期比例之和为 {ratios.normalize():f}%，应为 100%"
    if contract is None:
        yield ("project", "contract_amount"), "缺少合同金额（project.contract_amount），无法核对回款计划"
        return
    total = sum((i.amount for i in payments), Decimal(0))
    if total != contract:
        yield ("payments",), (f"各期计划金额之和为 {format_yuan(total)}，与合同金额 {format_yuan(contract)} 不符"
                              f"（相差 {format_yuan(abs(total - contract))}）")
    for k, i in enumerate(payments):
        expected = (contract * i.ratio / HUNDRED).quantize(CENT)
        if i.amount != expected:
            yield ("payments", k, "amount"), (f"第 {i.no} 期计划金额 {format_yuan(i.amount)} 不等于合同金额 × 比例 "
                                              f"{i.ratio.normalize():f}% = {format_yuan(expected)}")


@rule("R-PAY-2", "E", "尾款比例与到期日（验收后天数）符合约定")
def final_installment(facts: Facts, artifact, key):
    cfg = facts.settings.payment
    payments = facts.project.payments
    finals = [k for k, i in enumerate(payments) if i.final]
    if payments and not finals:
        yield ("payments",), (f"回款计划中没有尾款（final: true）：应有一期 {cfg.final_ratio}% 的尾款，"
                              f"验收后 {cfg.final_due_days} 天内到期")
        return
    for k in finals[1:]:
        yield ("payments", k, "final"), f"第 {payments[k].no} 期也标为尾款（final: true），尾款只能有一期"
    if not finals:
        return
    k = finals[0]
    i = payments[k]
    if i.ratio != Decimal(cfg.final_ratio):
        yield ("payments", k, "ratio"), (f"尾款（第 {i.no} 期）比例为 {i.ratio.normalize():f}%，"
                                         f"约定为 {cfg.final_ratio}%（settings.payment.final_ratio）")
    due = outcomes.final_payment_due(facts)
    if due is not None and i.due is not None and i.due != due:
        yield ("payments", k, "due"), (f"尾款（第 {i.no} 期）计划日期 {i.due} 与约定不符：验收日期 "
                                       f"{facts.project.acceptance.date} 后 {cfg.final_due_days} 天应为 {due}"
                                       "（可删除 due，由验收日期推算）")


@rule("R-PAY-3", "E", "未收 = 应收 − 实收，实收不超过开票与计划金额")
def amounts_reconcile(facts: Facts, artifact, key):
    rows = _rows(facts)
    for r in rows:
        if r.received_date is not None and r.received_amount is None:
            yield _path(r, "received_amount"), f"{_label(r)}有实收日期 {r.received_date}，缺少实收金额（received_amount）"
        if r.received_amount is not None and r.received_date is None:
            yield _path(r, "received_date"), (f"{_label(r)}有实收金额 {format_yuan(r.received_amount)}，"
                                              "缺少实收日期（received_date）")
        if r.invoice_date is not None and r.invoice_amount is None:
            yield _path(r, "invoice_amount"), f"{_label(r)}有开票日期 {r.invoice_date}，缺少开票金额（invoice_amount）"
        if r.invoice_amount is not None and r.invoice_date is None:
            yield _path(r, "invoice_date"), (f"{_label(r)}有开票金额 {format_yuan(r.invoice_amount)}，"
                                             "缺少开票日期（invoice_date）")
        if r.invoice_amount is not None and r.invoice_amount > r.amount:
            yield _path(r, "invoice_amount"), (f"{_label(r)}开票金额 {format_yuan(r.invoice_amount)} 大于计划金额 "
                                               f"{format_yuan(r.amount)}")
        if r.received_amount is not None:
            if r.invoice_amount is not None and r.received_amount > r.invoice_amount:
                yield _path(r, "received_amount"), (f"{_label(r)}实收金额 {format_yuan(r.received_amount)} 大于开票金额 "
                                                    f"{format_yuan(r.invoice_amount)}")
            if r.received_amount > r.amount:
                yield _path(r, "received_amount"), (f"{_label(r)}实收金额 {format_yuan(r.received_amount)} 大于计划金额 "
                                                    f"{format_yuan(r.amount)}，未收金额为负")
    totals = payment_totals(rows)
    if totals["planned"] - totals["received"] != totals["outstanding"]:  # pragma: no cover - arithmetic guard
        yield ("payments",), (f"未收合计 {format_yuan(totals['outstanding'])} 不等于计划合计 "
                              f"{format_yuan(totals['planned'])} − 实收合计 {format_yuan(totals['received'])}")


@rule("R-PAY-4", "E", "逾期天数与账龄可按报告日期重新计算")
def overdue_computable(facts: Facts, artifact, key):
    today = facts.today
    for r in _rows(facts):
        if r.due is None and not r.final:
            yield _path(r, "due"), f"{_label(r)}缺少计划日期（due），无法计算逾期天数与账龄"
        for field, day, label in (("received_date", r.received_date, "实收日期"),
                                  ("invoice_date", r.invoice_date, "开票日期")):
            if day is not None and day > today:
                yield _path(r, field), (f"{_label(r)}的{label} {day} 在报告日期{cn_date(today)}之后："
                                        "不能登记将来的日期")


@rule("R-PAY-5", "E", "回款周期可与项目章程目标对照")
def cycle_measurable(facts: Facts, artifact, key):
    final = outcomes.final_installment(facts)
    if final is None or final.received_date is None:
        return
    k = facts.project.payments.index(final)
    acceptance = facts.project.acceptance
    if acceptance is None:
        yield ("payments", k, "received_date"), (
            f"尾款（第 {final.no} 期）已于 {final.received_date} 实收，但没有最终验收记录（acceptance.date），"
            "无法计算回款周期并与项目章程目标对照")
    elif final.received_date < acceptance.date:
        yield ("payments", k, "received_date"), (
            f"尾款（第 {final.no} 期）实收日期 {final.received_date} 早于验收日期 {acceptance.date}，"
            "回款周期为负，请核对")


@rule("R-PAY-6", "E", "逾期各期有跟进人与下一步")
def overdue_followed(facts: Facts, artifact, key):
    for r in _rows(facts):
        if not r.overdue:
            continue
        if not r.owner:
            yield _path(r, "owner"), f"{_label(r)}已逾期 {r.days_overdue} 天，缺少跟进人（owner）"
        if not r.next_step:
            yield _path(r, "next_step"), f"{_label(r)}已逾期 {r.days_overdue} 天，缺少下一步（next_step）"


def payment_totals(rows: list[outcomes.PaymentRow]) -> dict:
    """The 合计 row: planned, invoiced, received and outstanding amounts, ratio total."""
    add = lambda values: sum(values, Decimal(0))  # noqa: E731
    return {"ratio": add(r.ratio for r in rows), "planned": add(r.amount for r in rows),
            "invoiced": add(r.invoice_amount or 0 for r in rows),
            "received": add(r.received_amount or 0 for r in rows),
            "outstanding": add(r.outstanding for r in rows)}


def _due_text(facts: Facts, row: outcomes.PaymentRow) -> str:
    if row.due is not None:
        return row.due.isoformat()
    if row.final:
        return f"验收后 {facts.settings.payment.final_due_days} 天"
    return "未约定"


def cycle_statement(facts: Facts) -> dict:
    """回款周期 against the charter target: the figure (or why not yet) and a sentence saying so."""
    target = facts.settings.payment.cycle_days_target
    days = facts.derive(outcomes.payment_cycle)
    acceptance = facts.project.acceptance
    final = outcomes.final_installment(facts)
    due = facts.derive(outcomes.final_payment_due)
    goal = f"项目章程目标为回款周期 ≤ {target} 天（尾款实收日期 − 验收日期）"
    if final is None:
        return {"days": None, "target": target, "met": None, "text": f"回款计划中没有尾款，无法计算回款周期；{goal}。"}
    if days is not None:
        met = days <= target
        text = (f"尾款于{cn_date(final.received_date)}到账，距最终验收日期{cn_date(acceptance.date)} {days} 天，"
                f"即回款周期 {days} 天；{goal}，{'已达成' if met else f'未达成（超出 {days - target} 天）'}。")
        shown_due = final.due or due
        if shown_due is not None:
            late = (final.received_date - shown_due).days
            text += (f"按合同约定尾款应于{cn_date(shown_due)}前支付，"
                     + (f"实际晚于到期日 {late} 天到账。" if late > 0 else "按期到账。"))
        return {"days": days, "target": target, "met": met, "text": text}
    if acceptance is None:
        return {"days": None, "target": target, "met": None,
                "text": (f"项目尚未最终验收：尾款在验收后 {facts.settings.payment.final_due_days} 天内到期，"
                         f"回款周期待尾款到账后计算；{goal}。")}
    return {"days": None, "target": target, "met": None,
            "text": (f"最终验收日期为{cn_date(acceptance.date)}，尾款应于{cn_date(final.due or due)}前支付，"
                     f"截至报告日期尚未到账，回款周期待尾款到账后计算；{goal}。")}


def _row_dict(facts: Facts, r: outcomes.PaymentRow) -> dict:
    return {
        "no": r.no, "milestone": r.milestone, "ratio": r.ratio, "amount": r.amount,
        "due": r.due, "due_text": _due_text(facts, r), "due_cell": r.due if r.due is not None else _due_text(facts, r),
        "final": r.final, "invoice_date": r.invoice_date, "invoice_amount": r.invoice_amount,
        "received_date": r.received_date, "received_amount": r.received_amount, "outstanding": r.outstanding,
        "days_overdue": r.days_overdue, "aging": r.aging, "status": r.status, "owner": r.owner,
        "next_step": r.next_step, "overdue": r.overdue, "paid_late": r.paid_late,
    }


def _aging_table(rows: list[outcomes.PaymentRow]) -> list[dict]:
    labels = [outcomes.AGING_CURRENT] + [label for _, label in outcomes.AGING_BUCKETS]
    out = []
    for label in labels:
        mine = [r for r in rows if r.aging == label]
        out.append({"label": label if label != outcomes.AGING_CURRENT else "未到期（含尚无到期日）",
                    "count": len(mine), "amount": sum((r.outstanding for r in mine), Decimal(0)),
                    "installments": "、".join(f"第 {r.no} 期" for r in mine) or "—"})
    return out


def context(facts: Facts, key: str | None) -> dict:
    from ..charts.collection import collection_chart

    rows = _rows(facts)
    totals = payment_totals(rows)
    contract = facts.project.project.contract_amount
    acceptance = facts.project.acceptance
    cfg = facts.settings.payment
    shown = [_row_dict(facts, r) for r in rows]
    final = next((r for r in rows if r.final), None)
    late = [r for r in rows if r.paid_late]
    overdue = [r for r in rows if r.overdue]
    points = [{"planned_date": r.due, "planned_amount": r.amount, "received_date": r.received_date,
               "received_amount": r.received_amount} for r in rows]
    received_pct = (totals["received"] * HUNDRED / contract).quantize(Decimal("0.1")) if contract else None
    if overdue:
        overdue_text = (f"截至报告日期，{len(overdue)} 期逾期未收清，逾期未收金额合计 "
                        f"{format_yuan(sum((r.outstanding for r in overdue), Decimal(0)))}："
                        + "；".join(f"{_label(r)}逾期 {r.days_overdue} 天，未收 {format_yuan(r.outstanding)}"
                                   for r in overdue) + "。")
    else:
        overdue_text = "截至报告日期，没有逾期未收的款项。"
    if late:
        overdue_text += "已收清但晚于到期日到账的：" + "；".join(
            f"{_label(r)}应于{cn_date(r.due)}前支付，{cn_date(r.received_date)}到账，晚 {r.days_overdue} 天"
            for r in late) + "。"
    follow = [d for d, r in zip(shown, rows) if r.outstanding > 0]
    return {
        "overview": {
            "contract_amount": contract,
            "contract_upper": to_upper(contract) if contract is not None else None,
            "installments": len(rows), "report_date": facts.today,
            "acceptance_date": acceptance.date if acceptance else None,
            "final_ratio": cfg.final_ratio, "final_days": cfg.final_due_days,
            "final_due": final.due if final else None,
            "final_due_text": _due_text(facts, final) if final else "—",
            "received_pct": received_pct,
        },
        "report": {"date": facts.today},
        # the 15-column register table is the workbook's sheet only (layouts/pay.py, REGISTER)
        "rows": shown,
        "totals": totals,
        "overdue": [d for d, r in zip(shown, rows) if r.overdue],
        "overdue_text": overdue_text,
        "aging": _aging_table(rows),
        "follow": follow,
        "cycle": cycle_statement(facts),
        "lists": {"status": list(outcomes.PAYMENT_STATUSES),
                  "owners": sorted({m.name for m in facts.project.team})},
        "charts": {"collection": [collection_chart(points, facts.today, contract)]},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, PAYMENTS, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    return [facts.project.project.name, *(i.milestone for i in facts.project.payments[:3])]


PAYMENTS = register(Artifact(
    code="PAY",
    sections=SECTIONS,
    context=context,
    rules=(plan_sums, final_installment, amounts_reconcile, overdue_computable, cycle_measurable,
           overdue_followed),
    present=lambda project: bool(project.payments),
    key_values=key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf", "xlsx"),
))
