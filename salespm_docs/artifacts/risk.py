"""RISK 风险登记册: every risk with its 风险值 and 等级 on the configured matrix, the 5 × 5 heat map,
the responses and contingency plans, and the risks due for review (landscape; also an XLSX register).

风险值 = 可能性 × 影响 and 等级 come from ``settings.risk_matrix`` (``high_min`` / ``medium_min``,
15 / 5 by default): ``levels`` below computes them once per build, for the rules and the context
alike; the document shows the computed 等级, never the typed one (R-RISK-1 reports a typed 等级
that disagrees). The XLSX keeps 风险值 and 等级 live formulas over the 高风险下限 / 中风险下限 input
cells of its 文档信息 sheet. Rules R-RISK-1…7 (ARTIFACTS.md §4).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..dates import cn_date
from ..facts import Facts
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("编制说明", "风险热力图", "风险登记册", "应对与应急计划", "复核提醒", "审批签字")

DEPENDS = ("project", "client", "team", "risks", "opportunity", "documents")

LEVELS = ("高", "中", "低")
STRATEGIES = ("规避", "转移", "减轻", "接受")
STATUSES = ("开放", "监控中", "已关闭")
CLOSED = "已关闭"
#: 复核提醒 also names the open risks due for review within this many days of the status date
REVIEW_SOON_DAYS = 7
#: 等级 → the 绿/黄/红 a document colours it with
LEVEL_STATUS = {"高": "红", "中": "黄", "低": "绿"}


@dataclass(frozen=True)
class Assessed:
    """A risk of the register with its computed 风险值 and 等级 (``None`` without 可能性 or 影响)."""

    index: int
    value: int | None
    level: str | None

    @property
    def path(self) -> tuple:
        return ("risks", self.index)


def levels(facts: Facts) -> list[Assessed]:
    """风险值 and 等级 of every risk, in register order, on the configured matrix."""
    out = []
    for i, r in enumerate(facts.project.risks):
        if r.probability is None or r.impact is None:
            out.append(Assessed(i, None, None))
        else:
            out.append(Assessed(i, r.probability * r.impact, facts.settings.risk_level(r.probability, r.impact)))
    return out


def is_open(risk) -> bool:
    return risk.status != CLOSED


def matrix_text(facts: Facts) -> str:
    """「高 ≥ 15，中 ≥ 5」: the configured matrix, as a finding states it."""
    m = facts.settings.risk_matrix
    return f"高 ≥ {m.high_min}，中 ≥ {m.medium_min}"


# -- rules --------------------------------------------------------------------------------------

@rule("R-RISK-1", "E", "等级与风险矩阵一致")
def level_matches_matrix(facts: Facts, artifact, key):
    for a, r in zip(facts.derive(levels), facts.project.risks):
        if a.value is None:
            missing = [label for value, label in ((r.probability, "可能性（probability）"), (r.impact, "影响（impact）"))
                       if value is None]
            field = "probability" if r.probability is None else "impact"
            yield a.path + (field,), f"风险 {r.id} 缺少{'和'.join(missing)}，无法计算风险值与等级"
        elif r.level is not None and r.level != a.level:
            yield a.path + ("level",), (f"风险 {r.id} 的等级填写为「{r.level}」，但风险值为 {r.probability} × {r.impact} = "
                                        f"{a.value}，按风险矩阵（{matrix_text(facts)}）应为「{a.level}」")


@rule("R-RISK-2", "E", "未关闭的风险有责任人、应对策略与应对措施")
def open_risk_owned(facts: Facts, artifact, key):
    for i, r in enumerate(facts.project.risks):
        if not is_open(r):
            continue
        missing = [label for value, label in ((r.owner, "责任人（owner）"), (r.strategy, "应对策略（strategy）"),
                                              (r.actions, "应对措施（actions）")) if not value]
        if missing:
            yield ("risks", i), f"未关闭的风险 {r.id}（{r.status}）缺少{'、'.join(missing)}"


@rule("R-RISK-3", "E", "高风险有触发条件与应急计划")
def high_risk_prepared(facts: Facts, artifact, key):
    for a, r in zip(facts.derive(levels), facts.project.risks):
        if a.level != "高":
            continue
        missing = [label for value, label in ((r.trigger, "触发条件（trigger）"), (r.contingency, "应急计划（contingency）"))
                   if not value]
        if missing:
            yield a.path, f"高风险 {r.id}（风险值 {a.value}）缺少{'和'.join(missing)}"


@rule("R-RISK-4", "E", "机会评估中的高风险已登记")
def opportunity_risks_registered(facts: Facts, artifact, key):
    opp = facts.project.opportunity
    if opp is None:
        return
    known = {r.id for r in facts.project.risks}
    for j, o in enumerate(opp.risks):
        if o.level != "高":
            continue
        what = f"机会评估的高风险「{o.description[:40]}」"
        if not o.risk_id:
            yield ("opportunity", "risks", j), f"{what}没有登记到风险登记册：请在风险登记册中登记并填写风险编号（risk_id）"
        elif o.risk_id not in known:
            yield ("opportunity", "risks", j, "risk_id"), f"{what}对应的风险编号 {o.risk_id} 不在风险登记册（risks）中"


def review_state(facts: Facts, risk) -> tuple[str, int | None] | None:
    """Why an open risk needs review now: ``("missing", None)`` without 下次复核日期, ``("overdue",
    days)`` when that date is before the status date; ``None`` otherwise (closed risks too)."""
    if not is_open(risk):
        return None
    if risk.next_review is None:
        return "missing", None
    if risk.next_review < facts.today:
        return "overdue", (facts.today - risk.next_review).days
    return None


@rule("R-RISK-5", "W", "未关闭的风险按期复核")
def reviewed_in_time(facts: Facts, artifact, key):
    for i, r in enumerate(facts.project.risks):
        state = review_state(facts, r)
        if state is None:
            continue
        if state[0] == "missing":
            yield ("risks", i), f"未关闭的风险 {r.id} 没有下次复核日期（next_review）"
        else:
            yield ("risks", i, "next_review"), (f"风险 {r.id} 的下次复核日期 {r.next_review} 已过（状态日期"
                                                f"{cn_date(facts.today)}），逾期 {state[1]} 天：请复核并更新")


@rule("R-RISK-6", "E", "已关闭的风险有关闭日期")
def closed_dated(facts: Facts, artifact, key):
    for i, r in enumerate(facts.project.risks):
        if r.status == CLOSED and r.closed is None:
            yield ("risks", i, "status"), f"风险 {r.id} 状态为已关闭，缺少关闭日期（closed）"
        elif r.status != CLOSED and r.closed is not None:
            yield ("risks", i, "closed"), (f"风险 {r.id} 填写了关闭日期 {r.closed}，但状态为「{r.status}」："
                                           "已关闭的风险请把状态改为已关闭，未关闭的请删除关闭日期")


@rule("R-RISK-7", "E", "风险编号唯一")
def unique_ids(facts: Facts, artifact, key):
    first: dict[str, int] = {}
    for i, r in enumerate(facts.project.risks):
        if r.id in first:
            yield ("risks", i, "id"), f"风险编号 {r.id} 重复（第 {first[r.id] + 1} 项已使用）"
        else:
            first[r.id] = i


# -- context ------------------------------------------------------------------------------------

def rows(facts: Facts) -> list[dict]:
    """The register's rows: each risk as the documents and the XLSX show it."""
    out = []
    for a, r in zip(facts.derive(levels), facts.project.risks):
        state = review_state(facts, r)
        if state is None:
            review = ""
        elif state[0] == "missing":
            review = "未安排复核"
        else:
            review = f"逾期 {state[1]} 天"
        out.append({
            "id": r.id, "description": r.description, "category": r.category, "probability": r.probability,
            "impact": r.impact, "value": a.value, "level": a.level, "colour": LEVEL_STATUS.get(a.level),
            "strategy": r.strategy, "actions": r.actions, "owner": r.owner, "trigger": r.trigger,
            "contingency": r.contingency, "status": r.status, "identified": r.identified,
            "next_review": r.next_review, "closed": r.closed, "open": is_open(r), "review": review,
        })
    return out


def _count_text(counter: Counter, names: tuple[str, ...]) -> str:
    return "、".join(f"{name} {counter.get(name, 0)} 项" for name in names)


def summary(facts: Facts, items: list[dict]) -> dict:
    by_level = Counter(r["level"] for r in items)
    by_status = Counter(r["status"] for r in items)
    open_high = [r["id"] for r in items if r["open"] and r["level"] == "高"]
    unassessed = [r["id"] for r in items if r["level"] is None]
    return {
        "total": len(items),
        "levels": _count_text(by_level, LEVELS),
        "statuses": _count_text(by_status, STATUSES),
        "open": sum(1 for r in items if r["open"]),
        "open_high": "、".join(open_high),
        "open_high_count": len(open_high),
        "unassessed": "、".join(unassessed),
    }


def context(facts: Facts, key: str | None) -> dict:
    from ..charts.heatmap import band_label, heat_map

    m = facts.settings.risk_matrix
    items = rows(facts)
    return {
        "status_date": facts.today,
        "matrix": {"high_min": m.high_min, "medium_min": m.medium_min,
                   "bands": "；".join(band_label(name, m.high_min, m.medium_min) for name in LEVELS)},
        "summary": summary(facts, items),
        "risks": items,
        "review": [r for r in items if r["review"]],
        "upcoming": "、".join(f"{r['id']}（{cn_date(r['next_review'])}，{r['owner'] or '责任人未定'}）" for r in items
                             if r["open"] and r["next_review"] is not None
                             and 0 <= (r["next_review"] - facts.today).days <= REVIEW_SOON_DAYS),
        "soon_days": REVIEW_SOON_DAYS,
        "lists": {"levels": list(LEVELS), "strategies": list(STRATEGIES), "statuses": list(STATUSES),
                  "owners": sorted({mbr.name for mbr in facts.project.team})},
        "charts": {"heat_map": [heat_map(items, m.high_min, m.medium_min, width_mm=170, height_mm=118)]},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, RISK, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    return [facts.project.project.name, *(r.id for r in facts.project.risks[:3])]




def _fingerprint(facts: Facts, key: str | None) -> dict:
    """What the register is made from: its own keys and, of the opportunity assessment, only its
    risks (R-RISK-4): editing the assessment's scores or texts does not rebuild the register."""
    from ..incremental import json_plain

    p = facts.project
    data = {name: json_plain(getattr(p, name)) for name in DEPENDS if name not in ("documents", "opportunity")}
    data["opportunity_risks"] = json_plain(p.opportunity.risks) if p.opportunity else None
    return data

RISK = register(Artifact(
    code="RISK",
    sections=SECTIONS,
    context=context,
    rules=(level_matches_matrix, open_risk_owned, high_risk_prepared, opportunity_risks_registered,
           reviewed_in_time, closed_dated, unique_ids),
    present=lambda project: bool(project.risks),
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    formats=("docx", "pdf", "xlsx"),
))
