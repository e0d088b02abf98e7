"""PERF 团队绩效评估 (收尾, internal): each team member's scores per dimension, the weighted total
recomputed, the grade from the configured bands, and who was not evaluated and why.

Scale 百分制 0–100 (``figures/performance.py``); 加权总分 = Σ 权重 × 得分 / 100 to one decimal,
the grade read from ``performance.bands`` on that total. A typed ``total`` or ``grade`` is only
checked against the computation, never shown: the document shows the computed figures.

- R-PERF-1 (E) weights add up to 100%; every dimension has a score for every member and none other;
  each score within 0–100; a typed total / grade equals the recomputed one.
- R-PERF-2 (E) every member of the team (``team``) is evaluated or listed under ``exclusions`` with a
  written reason (the finding names the missing ones); nobody off the team is evaluated or excluded;
  nobody is both; a typed role equals the roster's.
- R-PERF-3 (E) the document is internal: 密级 内部 or higher (not 公开): it grades people.
"""

from __future__ import annotations

from ..facts import Facts
from ..figures import performance as fig
from ..rules import rule
from ..templating import number
from .registry import Artifact, register

SECTIONS = ("评估说明", "评估维度与权重", "评估结果", "等级分布", "未参加评估人员", "审批签字")

DEPENDS = ("performance", "project", "client", "team", "documents")

_WHERE = ("performance",)


def _n(value) -> str:
    return number(value)


@rule("R-PERF-1", "E", "维度权重之和为 100%，得分在 0–100 之间，加权总分按权重重算")
def scores_and_weights(facts: Facts, artifact, key):
    perf = facts.project.performance
    if perf is None:
        return
    total = fig.weight_total(perf)
    if total != 100:
        yield _WHERE + ("dimensions",), f"评估维度权重之和为 {_n(total)}%，应为 100%"
    names = [d.name for d in perf.dimensions]
    low, high = fig.SCALE
    rows = facts.derive(fig.scored)
    for n, e in enumerate(perf.evaluations):
        path = _WHERE + ("evaluations", n)
        for d in names:
            if d not in e.scores:
                yield path + ("scores",), f"{e.name}缺少维度「{d}」的得分（scores.{d}）"
        for d, s in e.scores.items():
            if d not in names:
                yield path + ("scores", d), (f"{e.name}的得分维度「{d}」不在评估维度（dimensions）中："
                                             f"可用维度为 {'、'.join(names)}")
            elif not low <= s <= high:
                yield path + ("scores", d), (f"{e.name}的「{d}」得分 {_n(s)} 超出评分范围 "
                                             f"{_n(low)}–{_n(high)}（百分制）")
        row = rows[n]
        if e.total is not None and row.total is not None and e.total != row.total:
            yield path + ("total",), (f"{e.name}的加权总分填写为 {_n(e.total)}，按权重重算为 {number(row.total, 1)}"
                                      "（Σ 权重 × 得分，保留一位小数）：文档显示重算结果，请改正或删除 total")
        if e.grade is not None and row.grade is not None and e.grade != row.grade:
            yield path + ("grade",), (f"{e.name}的等级填写为「{e.grade}」，按加权总分 {number(row.total, 1)} "
                                      f"与等级区间（{_bands(facts)}）应为「{row.grade}」")


def _bands(facts: Facts) -> str:
    return "，".join(f"{text} {grade}" for grade, text in fig.band_ranges(facts.settings))


@rule("R-PERF-2", "E", "项目组名册中的每名成员都参加评估（或书面说明不参加的理由），不评估名册外的人")
def everyone_evaluated(facts: Facts, artifact, key):
    perf = facts.project.performance
    if perf is None:
        return
    team = {m.name: m.role for m in facts.project.team}
    evaluated = {e.name for e in perf.evaluations}
    excluded = {x.name for x in perf.exclusions}
    missing = [name for name in team if name not in evaluated and name not in excluded]
    if missing:
        yield _WHERE + ("evaluations",), (
            "项目组名册（team）中以下成员既没有评估，也没有列入不参加评估人员（exclusions）并说明理由："
            + "、".join(f"{name}（{team[name]}）" for name in missing))
    for n, e in enumerate(perf.evaluations):
        path = _WHERE + ("evaluations", n)
        if e.name not in team:
            yield path + ("name",), (f"被评估人「{e.name}」不在项目组名册（team）中：只评估项目组成员，"
                                     "请改正姓名或先加入 team")
        elif e.role is not None and e.role != team[e.name]:
            yield path + ("role",), f"{e.name}的角色填写为「{e.role}」，与名册（team）中的「{team[e.name]}」不一致"
        if e.name in excluded:
            yield path + ("name",), f"{e.name}既有评估又列在不参加评估人员（exclusions）中，只能选其一"
    for n, x in enumerate(perf.exclusions):
        if x.name not in team:
            yield _WHERE + ("exclusions", n, "name"), (f"不参加评估人员「{x.name}」不在项目组名册（team）中")


@rule("R-PERF-3", "E", "团队绩效评估为内部文档，密级为内部或更高")
def internal_only(facts: Facts, artifact, key):
    control, path = facts.control(artifact.code, key)
    if control.classification == "公开":
        yield (*path, "classification"), ("团队绩效评估含个人评分与评语，密级不能为「公开」，"
                                          "应为内部、秘密或机密")


def _distribution(facts: Facts, rows: list[fig.Scored]) -> list[dict]:
    counted = [r for r in rows if r.grade is not None]
    out = []
    for grade, text in fig.band_ranges(facts.settings):
        names = [r.name for r in counted if r.grade == grade]
        out.append({"grade": grade, "range": text, "count": len(names), "names": names,
                    "share": (fig.Decimal(len(names)) * 100 / len(counted)) if counted else None})
    return out


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    perf = p.performance
    rows = facts.derive(fig.scored)
    dims = perf.dimensions if perf else []
    totals = [r.total for r in rows if r.total is not None]
    top = max(totals) if totals else None
    return {
        "perf": {
            "date": perf.date if perf else None,
            "start": (perf.period_start if perf else None) or p.project.start,
            "end": (perf.period_end if perf else None) or p.project.end,
            "evaluators": [{"name": n, "role": facts.roster.get(n)} for n in (perf.evaluators if perf else [])],
            "basis": list(perf.basis) if perf else [],
            "count": len(rows), "graded": len(totals), "team": len(p.team),
            "average": (sum(totals, fig.Decimal(0)) / len(totals)).quantize(fig.TENTH) if totals else None,
            "top": top, "top_names": [r.name for r in rows if top is not None and r.total == top],
            "scale_low": fig.SCALE[0], "scale_high": fig.SCALE[1],
        },
        "dimensions": [{"name": d.name, "weight": d.weight, "criteria": d.criteria} for d in dims],
        "weight_total": fig.weight_total(perf) if perf else None,
        "rows": [{"n": r.index + 1, "name": r.name, "role": r.role,
                  **_score_lines([f"{d.name} {number(s) if s is not None else '未评'}"
                                  for d, s in zip(dims, r.scores)]),
                  "total": r.total, "grade": r.grade, "comment": r.comment} for r in rows],
        "bands": [{"grade": g, "range": t} for g, t in fig.band_ranges(facts.settings)],
        "distribution": _distribution(facts, rows),
        "exclusions": [{"name": x.name, "role": facts.roster.get(x.name), "reason": x.reason}
                       for x in (perf.exclusions if perf else [])],
        "signatures": _signatures(facts),
    }


def _score_lines(pairs: list[str]) -> dict:
    """The 维度得分 cell: two 「维度 得分」 pairs on its first line, the others on a second line, so a
    pair never breaks inside a narrow column."""
    return {"scores": "；".join(pairs[:2]), "scores_more": "；".join(pairs[2:])}


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, PERFORMANCE, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    perf = facts.project.performance
    return [facts.project.project.name, *(e.name for e in perf.evaluations)] if perf else []


PERFORMANCE = register(Artifact(
    code="PERF",
    sections=SECTIONS,
    context=context,
    rules=(scores_and_weights, everyone_evaluated, internal_only),
    present=lambda project: project.performance is not None,
    key_values=key_values,
    depends_on=DEPENDS,
    audience="internal",
))
