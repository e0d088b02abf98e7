"""Opportunity figures: the 机会评估 dimensions → the weighted 可行性评分 and the band it falls in.

可行性评分 = Σ 权重 × 得分 over the dimensions (技术匹配度, 资源缺口, 竞争态势, 商务), on the 1–5
scale; the band (推进 / 有条件推进 / 放弃) comes from the configured thresholds
(``settings.feasibility``). OPP shows the computation; INIT, RET or an archive summary may quote
the result. Call through ``facts.derive(feasibility)``.

Every 权重 × 得分 is rounded half-up to 0.01 (one quantum for the whole column, ``Decimal('1.00')``
not ``Decimal('1')``), and the 可行性评分 is the sum of those rounded rows: the total a reader adds
up from the table is the total shown, and the band follows the score shown. With whole-number
weights and scores nothing is rounded away.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: The dimensions every assessment scores, in the order the report discusses them.
DIMENSIONS: tuple[str, ...] = ("技术匹配度", "资源缺口", "竞争态势", "商务")
#: The scale of a dimension score and of the 可行性评分.
SCALE_MIN, SCALE_MAX = Decimal(1), Decimal(5)
#: The quantum of every 权重 × 得分 and of the 可行性评分.
CENT = Decimal("0.01")


@dataclass(frozen=True)
class WeightedScore:
    """One row of the computation: a dimension, its weight (%), its score and weight × score."""

    name: str
    weight: Decimal
    score: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Feasibility:
    """The 可行性评分 with its computation table and the conclusion its band gives."""

    rows: tuple[WeightedScore, ...]
    weight_total: Decimal
    """Σ weights (%); 100 when the assessment is consistent."""
    score: Decimal
    """Σ of the rows' weight × score (weights as fractions of 100%), to 0.01."""
    band: str
    """推进 / 有条件推进 / 放弃, from the configured thresholds."""

    @property
    def in_scale(self) -> bool:
        return SCALE_MIN <= self.score <= SCALE_MAX


def weighted(weight: Decimal, score: Decimal) -> Decimal:
    """权重 (%) × 得分, rounded half-up to 0.01: ``30, 5`` → ``1.50``; ``25, 4.5`` → ``1.13``."""
    return (Decimal(weight) * Decimal(score) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def feasibility(facts) -> Feasibility | None:
    """The weighted 可行性评分 of the opportunity; ``None`` without an assessment or dimensions."""
    opp = facts.project.opportunity
    if opp is None or not opp.dimensions:
        return None
    rows = tuple(WeightedScore(d.name, d.weight, d.score, weighted(d.weight, d.score)) for d in opp.dimensions)
    score = sum((r.weighted for r in rows), Decimal("0.00"))
    weight_total = sum((r.weight for r in rows), Decimal(0))
    return Feasibility(rows, weight_total, score, facts.settings.feasibility_conclusion(score))


def feasibility_score(facts) -> Decimal | None:
    """可行性评分 (1–5) alone."""
    result = facts.derive(feasibility)
    return result.score if result else None


def feasibility_band(facts) -> str | None:
    """The conclusion the configured bands give the 可行性评分."""
    result = facts.derive(feasibility)
    return result.band if result else None
