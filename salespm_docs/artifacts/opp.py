"""OPP 项目机会评估报告: the go / no-go assessment before the project starts.

Input: ``opportunity`` (opportunity.yaml) + settings → template context and rules R-OPP-1…6
(ARTIFACTS.md §4). The 可行性评分 is never typed: ``figures.opportunity.feasibility`` recomputes
it as Σ 权重 × 得分, and R-OPP-3 holds the stated conclusion to the configured band of that score.
"""

from __future__ import annotations

import re

from ..facts import Facts
from ..figures.opportunity import DIMENSIONS, SCALE_MAX, SCALE_MIN, feasibility
from ..money import format_yuan, to_upper
from ..rules import rule
from ..templating import cn_date, number
from .registry import Artifact, register

SECTIONS = ("商机概况", "客户与决策链", "技术匹配度", "资源缺口", "竞争态势", "商务评估",
            "可行性评分", "关键风险提示", "结论与建议", "评估与审批")

DEPENDS = ("opportunity", "project", "client", "team", "documents")

#: Context key of each dimension (the templates address them by these names).
DIMENSION_KEYS = {"技术匹配度": "tech", "资源缺口": "resources", "竞争态势": "competition", "商务": "business"}
#: An "assessment" made only of figures and punctuation (e.g. 「4分」) is a number, not an assessment.
_ONLY_A_NUMBER = re.compile(r"^[\d\s.,，。、:：;；/()（）%％+\-分]*$")


def _dims(facts: Facts):
    opp = facts.project.opportunity
    return [] if opp is None else opp.dimensions


@rule("R-OPP-1", "E", "各维度得分为 1–5 的整数")
def scores_in_scale(facts: Facts, artifact, key):
    for i, d in enumerate(_dims(facts)):
        if d.score != d.score.to_integral_value() or not SCALE_MIN <= d.score <= SCALE_MAX:
            yield (("opportunity", "dimensions", i, "score"),
                   f"维度「{d.name}」得分 {number(d.score)} 无效：应为 {number(SCALE_MIN)}–{number(SCALE_MAX)} 的整数")


@rule("R-OPP-2", "E", "各维度权重之和为 100%")
def weights_total(facts: Facts, artifact, key):
    if facts.project.opportunity is None:
        return
    total = sum((d.weight for d in _dims(facts)), 0)
    if total != 100:
        yield (("opportunity", "dimensions"),
               f"各维度权重之和为 {number(total)}%，应为 100%")


@rule("R-OPP-3", "E", "可行性评分按权重重算，在 1–5 之间，结论与评分区间一致")
def conclusion_matches_band(facts: Facts, artifact, key):
    opp = facts.project.opportunity
    if opp is None:
        return
    result = facts.derive(feasibility)
    if result is None:
        yield ("opportunity",), "缺少维度评分（opportunity.dimensions），无法计算可行性评分"
        return
    score = number(result.score)
    if not result.in_scale:
        yield (("opportunity", "dimensions"),
               f"可行性评分 {score}（Σ 权重 × 得分）不在 {number(SCALE_MIN)}–{number(SCALE_MAX)} 之间")
    if opp.conclusion is None:
        yield ("opportunity",), f"缺少结论（conclusion）：可行性评分 {score} 按评分区间应为「{result.band}」"
    elif opp.conclusion != result.band:
        yield (("opportunity", "conclusion"),
               f"结论「{opp.conclusion}」与可行性评分 {score} 不符：按评分区间（{bands_text(facts)}）应为「{result.band}」")


@rule("R-OPP-4", "E", "每个维度都有书面评估")
def dimensions_assessed(facts: Facts, artifact, key):
    opp = facts.project.opportunity
    if opp is None:
        return
    seen: set[str] = set()
    for i, d in enumerate(opp.dimensions):
        if d.name in seen:
            yield ("opportunity", "dimensions", i, "name"), f"维度「{d.name}」重复评分"
        seen.add(d.name)
        if not d.assessment:
            yield (("opportunity", "dimensions", i),
                   f"维度「{d.name}」只有分数，缺少书面评估（assessment）")
        elif _ONLY_A_NUMBER.match(d.assessment):
            yield (("opportunity", "dimensions", i, "assessment"),
                   f"维度「{d.name}」的书面评估「{d.assessment}」只是一个分数，应写明评估理由")
    for name in DIMENSIONS:
        if name not in seen:
            yield ("opportunity", "dimensions"), f"缺少维度「{name}」的得分与书面评估"


@rule("R-OPP-5", "E", "至少一项关键风险，每项有等级与应对")
def risks_flagged(facts: Facts, artifact, key):
    opp = facts.project.opportunity
    if opp is None:
        return
    if not opp.risks:
        yield ("opportunity",), "至少需要一项关键风险提示（opportunity.risks）"
    for i, r in enumerate(opp.risks):
        if r.level is None:
            yield ("opportunity", "risks", i), f"关键风险「{r.description}」缺少等级（level：高 / 中 / 低）"
        if not r.response:
            yield ("opportunity", "risks", i), f"关键风险「{r.description}」缺少应对（response）"


@rule("R-OPP-6", "E", "每个资源缺口有补足方案或明确接受")
def gaps_covered(facts: Facts, artifact, key):
    opp = facts.project.opportunity
    if opp is None:
        return
    for i, g in enumerate(opp.gaps):
        if not g.plan and not g.accepted:
            yield (("opportunity", "gaps", i),
                   f"资源缺口「{g.resource}」既无补足方案（plan），也未明确接受（accepted: true）")


def bands_text(facts: Facts) -> str:
    """The configured bands in words: ``≥ 4 推进，3–4 有条件推进，< 3 放弃``."""
    f = facts.settings.feasibility
    hi, lo = number(f.proceed_min), number(f.conditional_min)
    return f"≥ {hi} 推进，{lo}–{hi} 有条件推进，< {lo} 放弃"


def _dimension(d) -> dict:
    return {"name": d.name, "weight": d.weight, "score": d.score, "assessment": d.assessment,
            "basis": list(d.basis)}


def context(facts: Facts, key: str | None) -> dict:
    opp = facts.project.opportunity
    roster = facts.roster
    result = facts.derive(feasibility)
    by_name = {d.name: _dimension(d) for d in opp.dimensions}
    empty = {"weight": None, "score": None, "assessment": None, "basis": []}
    settings = facts.settings.feasibility
    return {
        "opp": {
            "date": opp.date,
            "source": opp.source,
            "summary": opp.summary,
            "needs": list(opp.needs),
            "client_budget": opp.client_budget,
            "expected_amount": opp.expected_amount,
            "expected_sign_date": opp.expected_sign_date,
            "competition": opp.competition,
            "payment_terms": opp.payment_terms,
            "conclusion": opp.conclusion,
            "recommendation": opp.recommendation,
            "next_steps": list(opp.next_steps),
            "approval_opinion": opp.approval_opinion,
        },
        "sales_owner": {"name": facts.project.project.sales_owner,
                        "role": roster.get(facts.project.project.sales_owner or "")},
        "decision_chain": [d.model_dump() for d in opp.decision_chain],
        "dims": {k: {"name": name, **by_name.get(name, empty)} for name, k in DIMENSION_KEYS.items()},
        "score_rows": [{"name": r.name, "weight": r.weight, "score": r.score, "weighted": r.weighted}
                       for r in (result.rows if result else ())],
        "score": {"value": result.score if result else None,
                  "weight_total": result.weight_total if result else None,
                  "band": result.band if result else None},
        "bands": {"proceed_min": settings.proceed_min, "conditional_min": settings.conditional_min},
        "opp_risks": [r.model_dump() for r in opp.risks],
        "gaps": [{**g.model_dump(), "disposition": g.plan or ("明确接受该缺口" if g.accepted else None)}
                 for g in opp.gaps],
        "competitors": [c.model_dump() for c in opp.competitors],
        "assessors": [{"name": n, "role": roster.get(n)} for n in opp.assessors],
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, OPPORTUNITY, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    opp = facts.project.opportunity
    result = facts.derive(feasibility)
    values = [facts.project.client.name]
    if opp.expected_amount is not None:
        values += [f"{to_upper(opp.expected_amount)}（{format_yuan(opp.expected_amount)}）"]
    if opp.expected_sign_date is not None:
        values.append(cn_date(opp.expected_sign_date))
    if result is not None:
        values += [f"综合可行性评分：{number(result.score)} 分", f"对应结论「{result.band}」"]
    if opp.conclusion:
        values.append(f"评估结论：{opp.conclusion}")
    values += [d.name for d in opp.decision_chain]
    values += [r.description for r in opp.risks]
    return values


OPPORTUNITY = register(Artifact(
    code="OPP",
    sections=SECTIONS,
    context=context,
    rules=(scores_in_scale, weights_total, conclusion_matches_band, dimensions_assessed, risks_flagged,
           gaps_covered),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: project.opportunity is not None,
))
