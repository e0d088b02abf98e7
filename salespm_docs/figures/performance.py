"""The 团队绩效评估's figures, computed once for the document (PERF) and its rules (R-PERF-1/2).

Scale: 百分制 0–100 (see ``model/performance.py`` for why). 加权总分 = Σ 权重(%) × 得分 / 100,
rounded to one decimal (half up); the grade is read from the configured bands
(``performance.bands``) on that rounded total, the figure the document shows, so a reader
checking 89.95 → 「90.0 优秀」 against the bands sees the same number the grade came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SCALE = (Decimal(0), Decimal(100))
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Scored:
    """One evaluated member: the scores in the dimensions' order (``None`` where missing)."""

    index: int
    name: str
    role: str | None
    scores: tuple[Decimal | None, ...]
    total: Decimal | None
    grade: str | None
    comment: str


def weight_total(performance) -> Decimal:
    return sum((d.weight for d in performance.dimensions), Decimal(0))


def weighted(weights: list[Decimal], scores: list[Decimal | None]) -> Decimal | None:
    """Σ weight × score / 100 to one decimal, or ``None`` when a score is missing."""
    if not weights or any(s is None for s in scores):
        return None
    exact = sum((w * s for w, s in zip(weights, scores)), Decimal(0)) / 100
    return exact.quantize(TENTH, rounding=ROUND_HALF_UP)


def scored(facts) -> list[Scored]:
    """Every evaluation with its recomputed total and grade, in the data's order."""
    perf = facts.project.performance
    if perf is None:
        return []
    roles = {m.name: m.role for m in facts.project.team}
    weights = [d.weight for d in perf.dimensions]
    out = []
    for n, e in enumerate(perf.evaluations):
        scores = tuple(e.scores.get(d.name) for d in perf.dimensions)
        total = weighted(weights, list(scores))
        out.append(Scored(n, e.name, roles.get(e.name, e.role), scores, total,
                          facts.settings.grade_of(total) if total is not None else None, e.comment))
    return out


def band_ranges(settings) -> list[tuple[str, str]]:
    """(grade, range text) per configured band: 「≥ 90」, 「80–90」 (lower bound included), 「< 60」."""
    bands = settings.performance.bands
    out = []
    for i, b in enumerate(bands):
        low = f"{b.min.normalize():f}"
        if i == 0:
            text = f"≥ {low}" if len(bands) > 1 else "0–100"
        elif i == len(bands) - 1:
            text = f"< {bands[i - 1].min.normalize():f}"
        else:
            text = f"{low}–{bands[i - 1].min.normalize():f}"
        out.append((b.grade, text))
    return out
