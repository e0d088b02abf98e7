"""Satisfaction figures (SAT): CSAT and NPS of a survey and per dimension, the low scores and the
follow-ups that cover them. One computation: the SAT results summary, its rules, RET (through
``outcomes.survey_csat`` / ``survey_nps``, which are these functions) and SALES read them here.

- CSAT = share of the 4–5 answers among all answers on the 1–5 scale (%, one decimal);
- NPS = share of 9–10 answers − share of 0–6 answers among the answers to the 推荐意愿 question
  (percentage points, one decimal);
- a low score is an answer ≤ ``LOW`` (2); a follow-up covers it when it names its dimension
  (``dimension``) and either lists no respondents or lists the respondent (by name: the text of
  ``respondent`` before any 「（」, or the whole text).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from decimal import Decimal

from ..model.lifecycle import Dimension

ONE_DECIMAL = Decimal("0.1")
DIMENSIONS: tuple[str, ...] = typing.get_args(Dimension)
SCALE = (1, 5)
NPS_SCALE = (0, 10)
LOW = 2


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(ONE_DECIMAL)


def csat_of(answers: list[int]) -> Decimal | None:
    """Share of 4–5 answers (%); ``None`` without answers."""
    return _share(sum(1 for s in answers if s >= 4), len(answers)) if answers else None


def nps_of(answers: list[int]) -> Decimal | None:
    """% 9–10 − % 0–6; ``None`` without answers."""
    if not answers:
        return None
    return _share(sum(1 for s in answers if s >= 9) - sum(1 for s in answers if s <= 6), len(answers))


def answers(survey, dimension: str | None = None) -> list[int]:
    """The 1–5 answers of a survey (of one dimension), response by response."""
    return [s for r in survey.responses for d, s in r.scores.items() if dimension is None or d == dimension]


def nps_answers(survey) -> list[int]:
    return [r.nps for r in survey.responses if r.nps is not None]


def csat(survey) -> Decimal | None:
    """CSAT of one survey (%)."""
    return csat_of(answers(survey))


def nps(survey) -> Decimal | None:
    """NPS of one survey."""
    return nps_of(nps_answers(survey))


@dataclass(frozen=True)
class DimensionRow:
    """One dimension of a survey: answer counts by score, mean and CSAT."""

    name: str
    count: int
    counts: tuple[int, ...]
    """How many answered 1, 2, 3, 4, 5."""
    mean: Decimal | None
    csat: Decimal | None
    low: int


def dimension_rows(survey) -> list[DimensionRow]:
    rows = []
    for d in DIMENSIONS:
        xs = answers(survey, d)
        mean = (Decimal(sum(xs)) / len(xs)).quantize(Decimal("0.01")) if xs else None
        rows.append(DimensionRow(d, len(xs), tuple(xs.count(v) for v in range(1, 6)), mean, csat_of(xs),
                                 sum(1 for s in xs if s <= LOW)))
    return rows


@dataclass(frozen=True)
class NpsTally:
    count: int
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None


def nps_tally(survey) -> NpsTally:
    xs = nps_answers(survey)
    return NpsTally(len(xs), sum(1 for s in xs if s >= 9), sum(1 for s in xs if 7 <= s <= 8),
                    sum(1 for s in xs if s <= 6), nps_of(xs))


def person(respondent: str) -> str:
    """「林晓（销售管理部经理）」 → 「林晓」."""
    return respondent.split("（")[0].split("(")[0].strip()


@dataclass(frozen=True)
class LowScore:
    response: int
    """Index of the response in ``survey.responses``."""
    respondent: str
    dimension: str
    score: int


def low_scores(survey) -> list[LowScore]:
    return [LowScore(i, r.respondent, d, s) for i, r in enumerate(survey.responses)
            for d, s in r.scores.items() if s <= LOW]


def covers(follow_up, low: LowScore) -> bool:
    """Whether ``follow_up`` names this low score (its dimension, and the respondent if it lists any)."""
    if follow_up.dimension != low.dimension:
        return False
    if not follow_up.respondents:
        return True
    names = {person(low.respondent), low.respondent}
    return any(x in names or person(x) in names for x in follow_up.respondents)


def covering(survey, low: LowScore) -> list[int]:
    """Indexes of the follow-ups that cover ``low``."""
    return [j for j, f in enumerate(survey.follow_ups) if covers(f, low)]


def key_of(survey) -> str:
    """The SAT document key of a survey's results summary: its date (``2026-04-10``)."""
    return survey.date.isoformat()
