"""STRAT 销售策略: target customers, competition, pricing, promotion, channels, the breakdown of
the sales target and the action plan.

The sales target is the charter's (CHT) objective — else success criterion — whose ``measure`` is
``sales_amount`` (e.g. O2 销售额 ≥ 500 万元), converted to yuan exactly (Decimal; units 元, 万元,
亿元). The breakdown (``strategy.breakdown``, by 季度 / 产品线 / 区域 / 客户) is shown as a table
(金额, 占比 by largest remainder so the column adds up to 100.0%) and as a bar chart in 万元.
Rules R-STRAT-1 (the breakdown adds up to the target, to the fen) and R-STRAT-2 (every action has a
负责人 and a 完成日期; whether the 负责人 is on the roster is R-COM-4, as for every person field).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..facts import Facts
from ..figures.shares import largest_remainder
from ..money import format_yuan
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("目标客户与需求分析", "竞争分析", "定价策略", "促销策略", "渠道策略", "销售目标分解", "行动计划")

DEPENDS = ("project", "client", "team", "objectives", "success_criteria", "strategy", "documents")

#: yuan per unit of a sales target
UNIT_SCALE = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


@dataclass(frozen=True)
class SalesTarget:
    """The charter's sales target: where it is, how it reads, and its amount in yuan (None when its
    target value or unit is missing or unknown)."""

    path: tuple
    id: str
    text: str
    amount: Decimal | None


def sales_target(facts: Facts) -> SalesTarget | None:
    """The first objective, else success criterion, with ``measure: sales_amount``; None if none."""
    p = facts.project
    for field, targets in (("objectives", p.objectives), ("success_criteria", p.success_criteria)):
        for i, t in enumerate(targets):
            if t.measure != "sales_amount":
                continue
            scale = UNIT_SCALE.get((t.unit or "").strip())
            value = None if t.target is None or scale is None else Decimal(t.target) * scale
            shown = f"{t.metric or '销售额'} {t.operator or ''} {t.target if t.target is not None else ''}{t.unit or ''}"
            return SalesTarget((field, i), t.id, " ".join(shown.split()), value)
    return None


def _breakdown_total(facts: Facts) -> Decimal:
    return sum((Decimal(s.amount) for s in facts.project.strategy.breakdown), Decimal(0))


@rule("R-STRAT-1", "E", "销售目标分解之和等于项目章程的销售额目标")
def breakdown_adds_up(facts: Facts, artifact, key):
    strategy = facts.project.strategy
    target = facts.derive(sales_target)
    if target is None:
        yield ("strategy", "breakdown"), ("项目章程中没有销售额目标（objectives 或 success_criteria 中 measure 为 "
                                          "sales_amount 的一项），无法核对销售目标分解")
        return
    if target.amount is None:
        yield target.path + ("unit",), (f"项目章程的销售额目标 {target.id}（{target.text}）缺少目标值或单位无法换算为元"
                                        f"（unit 应为 {'、'.join(UNIT_SCALE)}），无法核对销售目标分解")
        return
    if not strategy.breakdown:
        yield ("strategy", "breakdown"), (f"缺少销售目标分解（breakdown）：应将项目章程的销售额目标 {target.id}"
                                          f"（{format_yuan(target.amount)}）按{strategy.breakdown_by}分解")
        return
    total = _breakdown_total(facts)
    if total != target.amount:
        diff = total - target.amount
        yield ("strategy", "breakdown"), (
            f"销售目标分解之和 {format_yuan(total)} 与项目章程的销售额目标 {target.id}（{target.text}，即 "
            f"{format_yuan(target.amount)}）不一致，{'多' if diff > 0 else '少'} {format_yuan(abs(diff))}")


@rule("R-STRAT-2", "E", "行动计划的每一项都有负责人与完成日期")
def actions_owned(facts: Facts, artifact, key):
    strategy = facts.project.strategy
    if not strategy.actions:
        yield ("strategy", "actions"), "缺少行动计划（actions）"
        return
    for i, a in enumerate(strategy.actions):
        missing = [label for value, label in ((a.owner, "负责人（owner）"), (a.due, "完成日期（due）")) if not value]
        if missing:
            yield ("strategy", "actions", i), f"行动计划第 {i + 1} 项「{a.action}」缺少{'和'.join(missing)}"


def context(facts: Facts, key: str | None) -> dict:
    from ..charts.bars import bar_chart

    s = facts.project.strategy
    amounts = [Decimal(b.amount) for b in s.breakdown]
    shares = largest_remainder([max(a, Decimal(0)) for a in amounts]) if amounts else []
    rows = [{"label": b.label, "amount": a, "share": sh, "note": b.note}
            for b, a, sh in zip(s.breakdown, amounts, shares)]
    total = sum(amounts, Decimal(0))
    target = facts.derive(sales_target)
    chart = bar_chart([(r["label"], r["amount"]) for r in rows], title=f"销售目标分解（按{s.breakdown_by}，万元）")
    return {
        "strategy": {"customers": s.customers, "competition": s.competition, "pricing": s.pricing,
                     "promotion": s.promotion, "channels": s.channels, "by": s.breakdown_by},
        "breakdown": rows,
        "breakdown_total": total,
        "share_total": sum(shares, Decimal(0)),
        "target": None if target is None else {"id": target.id, "text": target.text, "amount": target.amount,
                                               "matches": target.amount == total},
        "actions": [{"n": i + 1, "action": a.action, "owner": a.owner, "due": a.due} for i, a in enumerate(s.actions)],
        "charts": {"bars": [chart] if rows else []},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, STRATEGY, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    s = facts.project.strategy
    return [facts.project.project.name, *(b.label for b in s.breakdown), *(a.owner for a in s.actions if a.owner)]


STRATEGY = register(Artifact(
    code="STRAT",
    sections=SECTIONS,
    context=context,
    rules=(breakdown_adds_up, actions_owned),
    present=lambda project: project.strategy is not None,
    key_values=key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf"),
))
