"""PACC 阶段性验收报告: one per phase acceptance (``phase_acceptances[]``, key = the phase, a WBS
level-1 code such as ``4``), signed by both parties. Rules R-PACC-1…2 (ARTIFACTS.md §4).

The deliverables of a phase come from the WBS: the charter's deliverables (CHT) that a WBS element
under the phase code (``4``, ``4.1``, ``4.4.1`` …) names in its ``deliverable`` field, in charter
order. Those the charter plans (``due``) no later than the acceptance date — or without a date —
are in the scope of this acceptance and each needs a result (通过 / 有条件通过 / 不通过). One
planned after the acceptance date is not yet due: the report lists it as 「不在本次验收范围」 with
its planned date, and R-PACC-1 asks nothing of it (a result given for it anyway counts: accepted
early). A result for a deliverable of another phase, or one completed after the acceptance date,
is an error.

R-PACC-2: every 遗留问题 has a 整改责任人 and a 整改期限 not before the acceptance; a 有条件通过 or
不通过 result has a 遗留问题 naming its deliverable.

Client-facing (the client signs it): it shows results, tests and open items, never our internal
figures (R-COM-8 checks). What it shares with the final acceptance (ACC) — participants, the
signature block, the tally, the sentence under the 遗留问题 table — is ``figures.acceptance``.
"""

from __future__ import annotations

from ..dates import cn_date
from ..facts import Facts
from ..figures import acceptance as signing
from ..model.execution import PhaseAcceptance
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("阶段与范围", "交付物清单与验收结果", "测试与检查记录", "遗留问题", "结论", "双方签字")

DEPENDS = ("project", "client", "team", "deliverables", "wbs", "phase_acceptances", "documents")


def _own(facts: Facts, key: str | None) -> tuple[int, PhaseAcceptance]:
    return facts.own_index("PACC", key)


def _at(i: int, *rest) -> tuple:
    return ("phase_acceptances", i, *rest)


def _under(code: str, phase: str) -> bool:
    return code == phase or code.startswith(phase + ".")


def phase_name(facts: Facts, phase: str) -> str | None:
    """The WBS level-1 element's name (``4`` → 交付实施), ``None`` if there is none."""
    return next((w.name for w in facts.project.wbs if w.code == phase), None)


def phase_deliverables(facts: Facts, phase: str) -> list:
    """The charter deliverables named by WBS elements under ``phase``, in charter order."""
    named = {w.deliverable for w in facts.project.wbs if w.deliverable and _under(w.code, phase)}
    return [d for d in facts.project.deliverables if d.id in named]


def phase_span(facts: Facts, phase: str) -> tuple:
    """(first planned start, last planned end) of the WBS elements under ``phase``."""
    starts = [w.start for w in facts.project.wbs if _under(w.code, phase) and w.start]
    ends = [w.end for w in facts.project.wbs if _under(w.code, phase) and w.end]
    return (min(starts) if starts else None, max(ends) if ends else None)


def in_scope(deliverable, pa: PhaseAcceptance) -> bool:
    """Due by the acceptance date (or without a planned date): this acceptance must judge it."""
    return deliverable.due is None or deliverable.due <= pa.date


def _label(d) -> str:
    return f"{d.id}「{d.name}」"


# -- rules --------------------------------------------------------------------------------

@rule("R-PACC-1", "E", "本阶段到期的每项交付物都有验收结果")
def every_deliverable_judged(facts: Facts, artifact, key):
    i, pa = _own(facts, key)
    name = phase_name(facts, pa.phase)
    if name is None:
        yield _at(i, "phase"), (f"阶段 {pa.phase} 不是工作分解结构的第一层元素（wbs 中没有编码为 {pa.phase} 的元素）")
        return
    mine = phase_deliverables(facts, pa.phase)
    if not mine:
        yield _at(i, "phase"), (f"阶段 {pa.phase}「{name}」下没有引用项目章程交付物的工作（wbs[].deliverable），"
                                "无法确定本阶段的交付物")
    ids = {d.id for d in mine}
    charter = {d.id for d in facts.project.deliverables}
    shown = "、".join(d.id for d in mine) or "无"
    seen: set[str] = set()
    for j, r in enumerate(pa.results):
        at = _at(i, "results", j, "deliverable")
        if r.deliverable not in charter:
            yield at, f"验收结果引用了项目章程中不存在的交付物 {r.deliverable}"
        elif r.deliverable not in ids:
            yield at, (f"交付物 {r.deliverable} 不属于阶段 {pa.phase}「{name}」（本阶段的交付物：{shown}）")
        elif r.deliverable in seen:
            yield at, f"交付物 {r.deliverable} 的验收结果重复出现"
        seen.add(r.deliverable)
        if r.completed is not None and r.completed > pa.date:
            yield _at(i, "results", j, "completed"), (
                f"交付物 {r.deliverable} 的完成日期 {r.completed} 晚于验收日期 {pa.date}：不能验收尚未完成的交付物")
    for d in mine:
        if in_scope(d, pa) and d.id not in seen:
            due = f"计划于 {d.due} 完成，" if d.due else "没有计划完成日期，"
            yield _at(i, "results"), (f"交付物 {_label(d)}{due}属于阶段 {pa.phase}「{name}」且不晚于验收日期 "
                                      f"{pa.date}，但没有验收结果（results）")


@rule("R-PACC-2", "E", "每个遗留问题都有责任人和整改期限")
def open_items_owned(facts: Facts, artifact, key):
    i, pa = _own(facts, key)
    names = {d.id: d.name for d in facts.project.deliverables}
    for j in signing.uncovered(pa.results, pa.open_items):
        k = next(k for k, r in enumerate(pa.results) if r.deliverable == j)
        yield _at(i, "results", k, "result"), (
            f"交付物 {j} 验收结果为「{pa.results[k].result}」，但没有对应的遗留问题（open_items 中 deliverable: {j}）")
    for j, item in enumerate(pa.open_items):
        which = (f"交付物 {item.deliverable}「{names[item.deliverable]}」的遗留问题" if item.deliverable in names
                 else f"遗留问题「{item.description[:20].rstrip()}{'…' if len(item.description) > 20 else ''}」")
        missing = [label for value, label in ((item.owner, "整改责任人（owner）"), (item.due, "整改期限（due）"))
                   if value is None]
        if missing:
            yield _at(i, "open_items", j), f"{which}缺少{'、'.join(missing)}"
        if item.due is not None and item.due < pa.date:
            yield _at(i, "open_items", j, "due"), (
                f"{which}整改期限 {item.due} 早于验收日期 {pa.date}：整改期限应在验收之后")


# -- context ------------------------------------------------------------------------------

def _row(d, pa: PhaseAcceptance, results: dict) -> dict:
    r = results.get(d.id)
    if r is not None:
        return {"id": d.id, "name": d.name, "criteria": d.acceptance_criteria, "due": d.due,
                "completed": r.completed, "result": r.result, "note": r.note}
    if in_scope(d, pa):
        return {"id": d.id, "name": d.name, "criteria": d.acceptance_criteria, "due": d.due,
                "completed": None, "result": "未验收", "note": "验收结果中未列出"}
    return {"id": d.id, "name": d.name, "criteria": d.acceptance_criteria, "due": d.due, "completed": None,
            "result": "不在本次验收范围",
            "note": f"计划于{cn_date(d.due)}完成，晚于本次验收日期，在后续验收中验收"}


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    _, pa = _own(facts, key)
    mine = phase_deliverables(facts, pa.phase)
    results = {}
    for r in pa.results:
        results.setdefault(r.deliverable, r)
    rows = [_row(d, pa, results) for d in mine]
    ids = {d.id for d in mine}
    rows += [{"id": r.deliverable, "name": "（不属于本阶段）", "criteria": None, "due": None,
              "completed": r.completed, "result": r.result, "note": r.note}
             for r in pa.results if r.deliverable not in ids]
    scoped = [row for row in rows if row["result"] != "不在本次验收范围"]
    count = signing.tally(pa.results)
    later = [row for row in rows if row["result"] == "不在本次验收范围"]
    names = {d.id: d.name for d in p.deliverables}
    start, end = phase_span(facts, pa.phase)
    wbs_name = phase_name(facts, pa.phase)
    return {
        "phase": {"code": pa.phase, "wbs_name": wbs_name, "name": subtitle(facts, key),
                  "date": pa.date, "location": pa.location, "scope": pa.scope, "start": start, "end": end,
                  "conclusion": pa.conclusion},
        "participants": signing.participants(facts.roster, (c.name for c in p.client.contacts), pa.participants),
        "rows": rows,
        "tally": {"scoped": len(scoped), "passed": count.passed, "conditional": count.conditional,
                  "failed": count.failed, "unjudged": sum(1 for row in scoped if row["result"] == "未验收"),
                  "later": len(later), "total": len(rows)},
        "later": "、".join(f"{row['id']}「{row['name']}」" for row in later),
        "tests": [t.model_dump() for t in pa.tests],
        "open_items": [{**item.model_dump(), "deliverable_name": names.get(item.deliverable, item.deliverable)}
                       for item in pa.open_items],
        "follow_up": signing.follow_up(pa.results, pa.open_items),
        "parties": signing.parties(pa.client, pa.vendor),
    }


def subtitle(facts: Facts, key: str | None) -> str:
    """The title after 阶段性验收报告: the acceptance's name (「UAT 阶段验收」), not the bare phase code."""
    _, pa = _own(facts, key)
    return pa.name or f"{phase_name(facts, pa.phase) or pa.phase}阶段验收"


def key_values(facts: Facts, key: str | None) -> list[str]:
    _, pa = _own(facts, key)
    values = [facts.project.project.name, facts.project.client.name, "（盖章）"]
    values += [d.name for d in phase_deliverables(facts, pa.phase)]
    values += [item.owner for item in pa.open_items if item.owner]
    values += [s.organisation for s in (pa.client, pa.vendor) if s and s.organisation]
    return values


PHASE_ACCEPTANCE = register(Artifact(
    code="PACC",
    sections=SECTIONS,
    context=context,
    rules=(every_deliverable_judged, open_items_owned),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: bool(project.phase_acceptances),
    instances=lambda project: [pa.phase for pa in project.phase_acceptances],
    instance_of=("phase_acceptances", "phase"),
    occasional=True,
    subtitle=subtitle,
))
