"""SAT 满意度问卷: two kinds of document under one code and one layout (``layouts/sat.py``).

- key ``问卷``: the blank questionnaire to send to the client — printable (DOCX, PDF: the five
  dimensions 交付质量、进度、沟通响应、团队专业度、培训/售后 on a 1–5 scale with boxes to tick, 推荐意愿
  0–10, open comments, 答卷人 / 日期 lines) and an XLSX form (sheet 答卷: one row per respondent, the
  five scores drop-downs 1–5 and 推荐意愿 a drop-down 0–10). It needs no survey data, but it is
  made only once the project is due a survey: SAT is a 监控 document (ARTIFACTS.md §3, a survey per
  stage), so from the start of 执行 (监控 runs with 执行, ``stages.reached``), or earlier when the
  project already holds a survey. A project in 启动 or 规划 without surveys has no SAT at all
  (``present``). Its control block is ``documents.SAT``.
- key = a survey's date (``2026-04-10``): the results summary of that survey (``surveys[i]``) —
  答卷明细, CSAT per dimension and in all, NPS with promoters / passives / detractors, the comments and
  the follow-up actions. Its control block is the survey's own ``document:`` over ``documents.SAT``.
  The XLSX of a results summary is the same 答卷 sheet filled with the answers (drop-downs kept).

Figures come from ``figures/satisfaction.py`` (also RET's CSAT / NPS through ``outcomes``). The data
types no summary figure unless a survey has ``reported: {csat, nps}``; the documents show the
recomputed figures only.

Rules (on a results summary's own survey; the blank form has none):

- R-SAT-1 (E) answers within scale. The model already refuses a score outside 1–5 or an NPS outside
  0–10 when the data is loaded (a located validation error, 「评分应在 1–5 之间，实际为 6」); the rule
  checks the same on the data it is given, and reports an answer sheet without any answer
  (``responses[j]``) and a survey dated after the status date (``date``).
- R-SAT-2 (E) CSAT / NPS recomputed: a typed ``reported.csat`` / ``reported.nps`` differing from the
  recomputed figure by more than 0.1 is reported there.
- R-SAT-3 (E) every low score (≤ 2) has a follow-up action naming it: a ``follow_ups`` item whose
  ``dimension`` is the score's dimension and whose ``respondents`` is empty or names the respondent
  (``responses[j].scores.<维度>``); a follow-up that covers a low score has 责任人 (owner) and 完成时间
  (due) (``follow_ups[k]``).
"""

from __future__ import annotations

from ..catalogue import CATALOGUE
from ..dates import cn_date
from ..facts import Facts
from ..figures import satisfaction as fig
from ..rules import rule
from ..stages import reached
from .registry import Artifact, register

SECTIONS = ("满意度评分", "推荐意愿", "意见与建议")

DEPENDS = ("project", "client", "team", "surveys", "documents")

FORM = "问卷"

QUESTIONS = {
    "交付质量": "交付的系统功能、文档与成果满足需求和验收标准的程度",
    "进度": "项目按计划推进、里程碑按期达成的情况",
    "沟通响应": "项目团队沟通的及时性、问题响应的速度与质量",
    "团队专业度": "项目团队的业务理解、技术能力与专业素养",
    "培训/售后": "培训的内容与效果，以及上线后的支持服务",
}

SCALE_LABELS = ("非常不满意", "不满意", "一般", "满意", "非常满意")


def _survey(facts: Facts, key: str | None):
    """(index, survey) of a results summary; ``None`` for the blank form."""
    if key in (None, FORM):
        return None
    return facts.own_index("SAT", key)


def _present(project) -> bool:
    """The project is due a survey: it has reached SAT's stage (监控, which runs with 执行), or it
    already holds one. Before that (启动, 规划, no survey) there is nothing to send yet."""
    return bool(project.surveys) or reached(CATALOGUE["SAT"][1], project.project.stage)


def _instances(project) -> list[str]:
    """The blank form once a survey is due, then one results summary per survey, by date."""
    form = [FORM] if _present(project) else []
    return [*form, *(fig.key_of(s) for s in sorted(project.surveys, key=lambda s: s.date))]


# -- rules ----------------------------------------------------------------------------------------

@rule("R-SAT-1", "E", "答卷评分在量表范围内")
def answers_in_scale(facts: Facts, artifact, key):
    found = _survey(facts, key)
    if found is None:
        return
    i, s = found
    at = ("surveys", i)
    if s.date > facts.today:
        yield at + ("date",), f"调研日期 {s.date} 在状态日期{cn_date(facts.today)}之后：结果汇总只记已完成的调研"
    low, high = fig.SCALE
    for j, r in enumerate(s.responses):
        where = at + ("responses", j)
        if not r.scores and r.nps is None:
            yield where, f"答卷人「{r.respondent}」的答卷没有任何评分（scores）和推荐意愿（nps）"
        for d, v in r.scores.items():
            if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
                yield where + ("scores", d), (f"答卷人「{r.respondent}」的「{d}」评分为 {v}，"
                                              f"不在 {low}–{high} 分的量表内")
        if r.nps is not None and (isinstance(r.nps, bool) or not isinstance(r.nps, int)
                                  or not fig.NPS_SCALE[0] <= r.nps <= fig.NPS_SCALE[1]):
            yield where + ("nps",), f"答卷人「{r.respondent}」的推荐意愿为 {r.nps}，不在 0–10 分的量表内"


@rule("R-SAT-2", "E", "CSAT 与 NPS 按答卷重新计算")
def figures_recomputed(facts: Facts, artifact, key):
    found = _survey(facts, key)
    if found is None or found[1].reported is None:
        return
    i, s = found
    for field, label, computed, unit in (("csat", "CSAT", fig.csat(s), "%"), ("nps", "NPS", fig.nps(s), "")):
        typed = getattr(s.reported, field)
        if typed is None:
            continue
        if computed is None:
            yield ("surveys", i, "reported", field), f"填写的 {label} 为 {typed}{unit}，但没有可计算 {label} 的答卷"
        elif abs(typed - computed) > fig.ONE_DECIMAL:
            yield ("surveys", i, "reported", field), (f"填写的 {label} {typed}{unit} 与按答卷重新计算的 "
                                                      f"{computed}{unit} 不一致")


@rule("R-SAT-3", "E", "每个低分项（≤ 2 分）都有跟进措施")
def low_scores_followed(facts: Facts, artifact, key):
    found = _survey(facts, key)
    if found is None:
        return
    i, s = found
    used: set[int] = set()
    for low in fig.low_scores(s):
        covering = fig.covering(s, low)
        used.update(covering)
        if not covering:
            yield (("surveys", i, "responses", low.response, "scores", low.dimension),
                   f"答卷人「{low.respondent}」的「{low.dimension}」评分为 {low.score} 分（≤ {fig.LOW} 分的低分），"
                   f"没有跟进措施：请在 follow_ups 中加一条 dimension 为「{low.dimension}」"
                   f"（respondents 含「{fig.person(low.respondent)}」或留空）的改进措施")
    for j in sorted(used):
        f = s.follow_ups[j]
        missing = [x for x, v in (("责任人（owner）", f.owner), ("完成时间（due）", f.due)) if not v]
        if missing:
            yield ("surveys", i, "follow_ups", j), f"低分项的跟进措施「{f.action[:30]}」缺少{'和'.join(missing)}"


# -- context ----------------------------------------------------------------------------------------

def _response_row(n: int, r) -> dict:
    return {"no": n, "respondent": r.respondent, "scores": {d: r.scores.get(d) for d in fig.DIMENSIONS},
            "low": [d for d, v in r.scores.items() if v <= fig.LOW], "nps": r.nps, "comment": r.comment}


def context(facts: Facts, key: str | None) -> dict:
    found = _survey(facts, key)
    base = {
        "form": found is None,
        "dimensions": [{"no": n, "name": d, "question": QUESTIONS[d]} for n, d in enumerate(fig.DIMENSIONS, 1)],
        "scale_labels": list(SCALE_LABELS),
        "scales": {"score": list(range(fig.SCALE[0], fig.SCALE[1] + 1)),
                   "nps": list(range(fig.NPS_SCALE[0], fig.NPS_SCALE[1] + 1))},
        "nps_boxes": "　".join(f"{v} □" for v in range(0, 11)),
        "responses": [], "survey": None, "rows": [], "tally": None, "comments": [], "follow_ups": [],
        "low": [], "signatures": [],
    }
    if found is None:
        return base
    i, s = found
    tally = fig.nps_tally(s)
    low = fig.low_scores(s)
    base.update({
        "survey": {"stage": s.stage, "date": s.date, "count": len(s.responses), "answers": len(fig.answers(s)),
                   "csat": fig.csat(s), "nps": fig.nps(s), "satisfied": sum(1 for v in fig.answers(s) if v >= 4)},
        "responses": [_response_row(n, r) for n, r in enumerate(s.responses, 1)],
        "rows": [{"name": r.name, "count": r.count, "counts": list(r.counts), "mean": r.mean, "csat": r.csat,
                  "low": r.low} for r in fig.dimension_rows(s)],
        "tally": {"count": tally.count, "promoters": tally.promoters, "passives": tally.passives,
                  "detractors": tally.detractors, "nps": tally.nps},
        "comments": [{"respondent": r.respondent, "comment": r.comment} for r in s.responses if r.comment],
        "low": [{"respondent": x.respondent, "dimension": x.dimension, "score": x.score,
                 "follow_ups": [n + 1 for n in fig.covering(s, x)]} for x in low],
        "follow_ups": [{"no": n, "issue": f.issue, "dimension": f.dimension, "action": f.action, "owner": f.owner,
                        "due": f.due, "respondents": list(f.respondents)} for n, f in enumerate(s.follow_ups, 1)],
        "signatures": _signatures(facts, key),
    })
    return base


def _signatures(facts: Facts, key: str) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, SURVEY, key, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    found = _survey(facts, key)
    if found is None:
        return list(fig.DIMENSIONS)
    _, s = found
    return [*fig.DIMENSIONS, *(r.respondent for r in s.responses)]


def subtitle(facts: Facts, key: str | None) -> str:
    """「空白问卷」 / 「执行阶段调研结果，2026年4月10日」."""
    found = _survey(facts, key)
    if found is None:
        return "空白问卷"
    _, s = found
    return f"{s.stage}阶段调研结果，{cn_date(s.date)}"


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """The blank form reads no survey; a results summary reads its own survey only."""
    p = facts.project
    data = {"client": p.client.model_dump(mode="json"), "team": [x.model_dump(mode="json") for x in p.team],
            "project": p.project.model_dump(mode="json")}
    found = _survey(facts, key)
    if found is not None:
        data["survey"] = found[1].model_dump(mode="json")
        data["file"] = facts.source.locate(("surveys", found[0]))[0]
    return data


SURVEY = register(Artifact(
    code="SAT",
    sections=SECTIONS,
    context=context,
    rules=(answers_in_scale, figures_recomputed, low_scores_followed),
    present=_present,
    instances=_instances,
    instance_of=("surveys", "date"),
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    subtitle=subtitle,
    formats=("docx", "pdf", "xlsx"),
))
