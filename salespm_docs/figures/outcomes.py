"""Outcome figures measured against the charter: 验收通过率 (ACC), 回款周期 (PAY), CSAT (SAT),
成本偏差 (PRG), 销售额 (contract) and 完工偏差 (ACC vs plan).

``actual(facts, target)`` gives the actual value of an objective or success criterion in the
target's own unit, from the ``measure`` it names; RET shows it, ACC/PAY/SAT show its inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..model.core import Target

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class AcceptanceTally:
    """Each charter deliverable counted once, by its (first) result; 未验收 when it has none.

    ``total`` is the charter's deliverables (without any, the deliverables that have results), so
    通过 + 有条件通过 + 不通过 + 未验收 = 总数 always. Results for deliverables outside the charter
    are counted apart (``outside``): R-ACC-1 reports them."""

    passed: int
    conditional: int
    failed: int
    unjudged: tuple[str, ...]
    outside: int

    @property
    def total(self) -> int:
        return self.passed + self.conditional + self.failed + len(self.unjudged)


def acceptance_tally(facts) -> AcceptanceTally | None:
    """The acceptance results counted against the charter (``None`` without acceptance results)."""
    acceptance = facts.project.acceptance
    if acceptance is None or not acceptance.results:
        return None
    charter = [d.id for d in facts.project.deliverables if d.id]
    first: dict[str, str] = {}
    for r in acceptance.results:
        first.setdefault(r.deliverable, r.result)
    ids = list(dict.fromkeys(charter)) or list(first)
    results = [first[i] for i in ids if i in first]
    return AcceptanceTally(passed=results.count("通过"), conditional=results.count("有条件通过"),
                           failed=results.count("不通过"), unjudged=tuple(i for i in ids if i not in first),
                           outside=sum(1 for i in first if charter and i not in charter))


def pass_counts(facts) -> tuple[int, int] | None:
    """(通过, 总数): 总数 is the charter's deliverables (a deliverable without a result is not
    通过); without charter deliverables, the results recorded. 有条件通过 is not 通过."""
    tally = acceptance_tally(facts)
    return None if tally is None else (tally.passed, tally.total)


def pass_rate(facts) -> Decimal | None:
    """验收通过率 = 通过 / 总数 (%)."""
    counts = pass_counts(facts)
    if counts is None or not counts[1]:
        return None
    return (Decimal(counts[0]) * 100 / counts[1]).quantize(ONE_DECIMAL)


def final_installment(facts):
    """The 尾款 installment (``final: true``), if the payment plan has one."""
    return next((i for i in facts.project.payments if i.final), None)


def final_payment_due(facts) -> dt.date | None:
    """尾款到期日 = 验收日期 + the configured number of days."""
    acceptance = facts.project.acceptance
    if acceptance is None:
        return None
    return acceptance.date + dt.timedelta(days=facts.settings.payment.final_due_days)


@dataclass(frozen=True)
class InstallmentRecord:
    """One installment measured against the contract: due date, what arrived and when."""

    no: int
    milestone: str
    final: bool
    amount: Decimal
    """计划金额（元）。"""
    due: dt.date | None
    """到期日：the installment's own ``due``, else (尾款) 验收日期 + ``final_due_days``."""
    due_from_acceptance: bool
    """Whether ``due`` was derived from the acceptance date (the 尾款 term)."""
    received_date: dt.date | None
    received_amount: Decimal | None
    days_late: int | None
    """Calendar days between ``due`` and ``received_date`` when positive; 0 if on time;
    ``None`` when the due date or the received date is unknown."""

    @property
    def late(self) -> bool:
        return bool(self.days_late)

    @property
    def full(self) -> bool:
        """Received, and exactly the planned amount."""
        return (self.received_date is not None and self.received_amount is not None
                and self.received_amount == self.amount)

    def overdue(self, today: dt.date) -> bool:
        """Not received, and its due date has passed."""
        return self.received_date is None and self.due is not None and today > self.due


def installment_due(facts, installment) -> dt.date | None:
    """An installment's due date: its own ``due``; for the 尾款 without one, 验收日期 + the term."""
    if installment.due is not None:
        return installment.due
    if installment.final:
        return final_payment_due(facts)
    return None


def payment_record(facts) -> list[InstallmentRecord]:
    """Every installment of the payment plan with its due date, receipt and delay (in plan order)."""
    records = []
    for i in sorted(facts.project.payments, key=lambda i: i.no):
        due = installment_due(facts, i)
        late = None
        if due is not None and i.received_date is not None:
            late = max((i.received_date - due).days, 0)
        records.append(InstallmentRecord(
            no=i.no, milestone=i.milestone, final=i.final, amount=i.amount, due=due,
            due_from_acceptance=i.due is None and due is not None, received_date=i.received_date,
            received_amount=i.received_amount, days_late=late))
    return records


def payment_cycle(facts) -> int | None:
    """回款周期 (days) = 尾款实收日期 − 验收日期; ``None`` until the 尾款 is received."""
    acceptance, final = facts.project.acceptance, final_installment(facts)
    if acceptance is None or final is None or final.received_date is None:
        return None
    return (final.received_date - acceptance.date).days


def survey_csat(survey) -> Decimal | None:
    """CSAT of one survey = share of 4–5 answers over all answers (%): ``satisfaction.csat``."""
    from .satisfaction import csat

    return csat(survey)


def survey_nps(survey) -> Decimal | None:
    """NPS = % of 9–10 − % of 0–6, over the answers that gave a score: ``satisfaction.nps``."""
    from .satisfaction import nps

    return nps(survey)


def latest_survey(facts):
    """The most recent survey (the closing one for a finished project)."""
    surveys = sorted(facts.project.surveys, key=lambda s: s.date)
    return surveys[-1] if surveys else None


def csat(facts) -> Decimal | None:
    """客户满意度 CSAT of the latest survey (%)."""
    survey = latest_survey(facts)
    return survey_csat(survey) if survey else None


def actual_cost(facts) -> Decimal | None:
    """Actual (or forecast at completion) cost from the latest weekly snapshot (the PRG figure)."""
    weeks = [w for w in sorted(facts.project.weekly, key=lambda w: w.week) if w.cost is not None]
    if not weeks:
        return None
    cost = weeks[-1].cost
    return cost.forecast_at_completion if cost.forecast_at_completion is not None else cost.actual_to_date


def cost_variance(facts) -> Decimal | None:
    """成本偏差 = (实际成本 − 预算) / 预算 (%); positive is an overrun. 预算 is the final budget
    baseline (the charter budget plus every approved budget change, ``baseline.final``): a change
    approved to cover an overrun moved the budget the project is measured against."""
    from .baseline import final

    cost, budget = actual_cost(facts), final(facts)
    if cost is None or not budget:
        return None
    return ((cost - budget) * 100 / budget).quantize(ONE_DECIMAL)


def sales_amount(facts) -> Decimal | None:
    """销售额 = the signed contract amount (元)."""
    return facts.project.project.contract_amount


def schedule_variance(facts) -> int | None:
    """完工偏差 = working days from the planned end to the acceptance date (positive = late)."""
    acceptance = facts.project.acceptance
    if acceptance is None:
        return None
    return facts.calendar.delta(facts.project.project.end, acceptance.date)


MEASURES = {
    "acceptance_pass_rate": pass_rate,
    "payment_cycle": payment_cycle,
    "csat": csat,
    "cost_variance": cost_variance,
    "sales_amount": sales_amount,
    "schedule_variance": schedule_variance,
}

_UNIT_SCALE = {"万元": Decimal(10000), "元": Decimal(1)}


def actual(facts, target: Target) -> Decimal | None:
    """The actual value of ``target`` in its own unit (销售额 in 万元 when the target is in 万元)."""
    if target.measure is None:
        return None
    value = facts.derive(MEASURES[target.measure])
    if value is None:
        return None
    value = Decimal(value)
    if target.measure == "sales_amount":
        value = value / _UNIT_SCALE.get(target.unit or "元", Decimal(1))
    return value.quantize(Decimal("0.01")).normalize() if value != value.to_integral() else value.quantize(Decimal(1))


def achieved(target: Target, value: Decimal | None) -> bool | None:
    """Whether ``value`` meets ``target`` (``None`` when either side is unknown)."""
    if value is None or target.target is None or target.operator is None:
        return None
    goal = target.target
    return {"≥": value >= goal, "≤": value <= goal, "=": value == goal,
            ">": value > goal, "<": value < goal}[target.operator]


# ---------------------------------------------------------------------------------------------
# 回款跟踪表 (PAY): each installment as the register shows it, shared by its rules and context.

#: 账龄 buckets of an unpaid, overdue amount: (upper bound of days overdue, label); ``None`` = no bound
AGING_BUCKETS = ((30, "0–30 天"), (60, "31–60 天"), (90, "61–90 天"), (None, "> 90 天"))
#: 账龄 of an installment with nothing outstanding, and of one not (yet) past its due date
AGING_PAID, AGING_CURRENT = "已收清", "未到期"
#: 状态 values of the register, in the order of its drop-down
PAYMENT_STATUSES = ("未到期", "已开票", "部分到账", "逾期", "已收清", "延期收清")


def aging_bucket(days_overdue: int, outstanding: Decimal) -> str:
    """账龄 of an installment: 已收清 when nothing is outstanding, 未到期 while not past due, else the
    bucket of its days overdue (0–30 / 31–60 / 61–90 / > 90 天)."""
    if outstanding <= 0:
        return AGING_PAID
    if days_overdue <= 0:
        return AGING_CURRENT
    for bound, label in AGING_BUCKETS:
        if bound is None or days_overdue <= bound:
            return label
    return AGING_BUCKETS[-1][1]  # pragma: no cover


@dataclass(frozen=True)
class PaymentRow:
    """One row of the 回款跟踪表, computed as of the report date (``facts.today``).

    应收 is the planned amount (计划金额) throughout, invoiced or not: 未收 = 计划金额 − 实收金额
    (实收 counted only with its amount; a missing amount is 0). 逾期天数 are calendar days: for an
    installment with something outstanding, from the due date to the report date (0 before it); for
    one received in full, from the due date to the received date (0 when on time); 0 without a due
    date (a 尾款 awaiting acceptance)."""

    index: int
    """Position in ``payments`` (the data path)."""
    no: int
    milestone: str
    ratio: Decimal
    amount: Decimal
    due: dt.date | None
    due_from_acceptance: bool
    final: bool
    invoice_date: dt.date | None
    invoice_amount: Decimal | None
    received_date: dt.date | None
    received_amount: Decimal | None
    outstanding: Decimal
    days_overdue: int
    aging: str
    status: str
    owner: str | None
    next_step: str | None

    @property
    def overdue(self) -> bool:
        """Something is outstanding past its due date (R-PAY-6 asks for 跟进人 and 下一步)."""
        return self.outstanding > 0 and self.days_overdue > 0

    @property
    def paid_late(self) -> bool:
        return self.outstanding <= 0 and self.days_overdue > 0


def _payment_status(outstanding: Decimal, days: int, received: Decimal, invoiced: bool) -> str:
    if outstanding <= 0:
        return "延期收清" if days > 0 else "已收清"
    if days > 0:
        return "逾期"
    if received > 0:
        return "部分到账"
    return "已开票" if invoiced else "未到期"


def payment_rows(facts) -> list[PaymentRow]:
    """Every installment as a 回款跟踪表 row, in plan order (``no``), as of ``facts.today``."""
    today = facts.today
    rows = []
    order = sorted(range(len(facts.project.payments)), key=lambda k: facts.project.payments[k].no)
    for k in order:
        i = facts.project.payments[k]
        due = installment_due(facts, i)
        received = i.received_amount if i.received_amount is not None else Decimal(0)
        outstanding = i.amount - received
        if due is None:
            days = 0
        elif i.received_date is not None and outstanding <= 0:
            days = max((i.received_date - due).days, 0)
        else:
            days = max((today - due).days, 0)
        rows.append(PaymentRow(
            index=k, no=i.no, milestone=i.milestone, ratio=i.ratio, amount=i.amount, due=due,
            due_from_acceptance=i.due is None and due is not None, final=i.final,
            invoice_date=i.invoice_date, invoice_amount=i.invoice_amount, received_date=i.received_date,
            received_amount=i.received_amount, outstanding=outstanding, days_overdue=days,
            aging=aging_bucket(days, outstanding),
            status=_payment_status(outstanding, days, received, i.invoice_date is not None),
            owner=i.owner, next_step=i.next_step))
    return rows
