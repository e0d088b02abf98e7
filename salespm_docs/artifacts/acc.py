"""ACC 项目验收报告: the final acceptance, deliverable by deliverable against the charter, signed by both parties.

Rules R-ACC-1…5 (ARTIFACTS.md §4). The charter's deliverables (CHT) are the checklist: each one
must carry a result here (the CHT → ACC link of §5). 验收通过率 comes from
``figures.outcomes.pass_rate`` and is shown as a fact.

ACC is client-facing (the client signs it; ARTIFACTS.md, audience): it never shows a verdict against
our internal targets (the configured ``settings.acceptance.pass_rate_target`` or the charter's success
criterion), which would give the client a reason to hold back the 尾款. That comparison is RET's
(项目复盘报告, 目标回顾). R-ACC-2 still checks, in the data, that the charter's criterion can be compared.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..facts import Facts
from ..figures import acceptance as signing, deviation, outcomes
from ..money import format_yuan, to_upper
from ..rules import rule
from ..templating import pct
from .registry import Artifact, register

SECTIONS = ("项目概况", "验收依据", "验收范围与交付物清单", "验收过程", "验收结果", "遗留问题与整改",
            "验收结论", "双方签字盖章")

DEPENDS = ("project", "client", "team", "organisation", "success_criteria", "scope", "deliverables",
           "acceptance", "documents")

#: Results that leave work to do: each needs a 遗留问题 with 责任人 and 整改期限.
NEEDS_FOLLOW_UP = ("有条件通过", "不通过")
#: A pass rate written in the conclusion prose, e.g. 「验收通过率 90%」.
STATED_RATE = re.compile(r"通过率\D{0,6}?(\d+(?:\.\d+)?)\s*[%％]")
#: Counts written in the conclusion prose (on squashed text): 「交付物共 10 项」「9 项通过」「1 项（…）有条件通过」.
STATED_TOTAL = re.compile(r"共(\d+)项")
STATED_PASSED = re.compile(r"(?<![\d.])(\d+)项(?:[（(][^）)]*[）)])?通过")
STATED_CONDITIONAL = re.compile(r"(\d+)项(?:[（(][^）)]*[）)])?有条件通过")
STATED_FAILED = re.compile(r"(\d+)项(?:[（(][^）)]*[）)])?不通过")


def _results_by_id(facts: Facts) -> dict[str, object]:
    acceptance = facts.project.acceptance
    return {r.deliverable: r for r in acceptance.results} if acceptance else {}


# -- rules --------------------------------------------------------------------------------

@rule("R-ACC-1", "E", "章程中的每项交付物都有验收结果")
def every_deliverable_judged(facts: Facts, artifact, key):
    p, acceptance = facts.project, facts.project.acceptance
    if acceptance is None:
        yield ("acceptance",), "缺少验收数据（acceptance）"
        return
    charter = {d.id: d for d in p.deliverables if d.id}
    if not charter:
        yield ("deliverables",), "项目章程中没有带编号的交付物，无法逐项验收（deliverables）"
    if not acceptance.results:
        yield ("acceptance",), "缺少各交付物的验收结果（acceptance.results）"
    seen: set[str] = set()
    for i, r in enumerate(acceptance.results):
        if r.deliverable not in charter:
            yield ("acceptance", "results", i, "deliverable"), (
                f"验收结果引用了项目章程中不存在的交付物 {r.deliverable}")
        elif r.deliverable in seen:
            yield ("acceptance", "results", i, "deliverable"), f"交付物 {r.deliverable} 的验收结果重复出现"
        seen.add(r.deliverable)
    judged = {r.deliverable for r in acceptance.results}
    for i, d in enumerate(p.deliverables):
        if d.id and d.id not in judged:
            yield ("deliverables", i), (
                f"项目章程交付物 {d.id}「{d.name}」没有出现在验收结果中（acceptance.results）")
    for i, item in enumerate(acceptance.open_items):
        if item.deliverable and item.deliverable not in charter:
            yield ("acceptance", "open_items", i, "deliverable"), (
                f"遗留问题引用了项目章程中不存在的交付物 {item.deliverable}")


@rule("R-ACC-2", "E", "验收通过率按 通过 / 总数 重新计算，并与目标对照")
def pass_rate_checked(facts: Facts, artifact, key):
    acceptance = facts.project.acceptance
    if acceptance is None:
        return
    rate = facts.derive(outcomes.pass_rate)
    if rate is None:
        yield ("acceptance",), "没有验收结果，无法计算验收通过率（通过 / 总数）"
    for i, t in enumerate(facts.project.success_criteria):
        if t.measure == "acceptance_pass_rate" and (t.operator is None or t.target is None):
            yield ("success_criteria", i), (
                f"成功标准 {t.id} 计量验收通过率，但缺少比较符或目标值，验收通过率无从对照")
    tally = facts.derive(outcomes.acceptance_tally)
    if tally is not None and acceptance.conclusion:
        stated = re.sub(r"\s+", "", acceptance.conclusion)
        for pattern, actual, label in ((STATED_TOTAL, tally.total, "交付物总数"), (STATED_PASSED, tally.passed, "通过"),
                                       (STATED_CONDITIONAL, tally.conditional, "有条件通过"),
                                       (STATED_FAILED, tally.failed, "不通过")):
            match = pattern.search(stated)
            if match and int(match.group(1)) != actual:
                yield ("acceptance", "conclusion"), (
                    f"验收结论中写的{label} {match.group(1)} 项与验收结果不符：按结果为 {actual} 项"
                    f"（通过 {tally.passed}、有条件通过 {tally.conditional}、不通过 {tally.failed}"
                    f"{f'、未验收 {len(tally.unjudged)}' if tally.unjudged else ''}，共 {tally.total} 项）")
    if rate is not None and acceptance.conclusion:
        for match in STATED_RATE.finditer(acceptance.conclusion):
            if Decimal(match.group(1)) != rate:
                yield ("acceptance", "conclusion"), (
                    f"验收结论中写的验收通过率 {match.group(1)}% 与按结果计算的 {pct(rate)}"
                    f"（通过 {_tally(facts)['passed']} / 总数 {_tally(facts)['total']}）不符")


@rule("R-ACC-3", "E", "有条件通过与遗留问题都有责任人和整改期限")
def open_items_owned(facts: Facts, artifact, key):
    acceptance = facts.project.acceptance
    if acceptance is None:
        return
    covered = {item.deliverable for item in acceptance.open_items if item.deliverable}
    for i, r in enumerate(acceptance.results):
        if r.result in NEEDS_FOLLOW_UP and r.deliverable not in covered:
            yield ("acceptance", "results", i, "result"), (
                f"交付物 {r.deliverable} 验收结果为「{r.result}」，但没有对应的遗留问题"
                f"（acceptance.open_items 中 deliverable: {r.deliverable}）")
    names = {d.id: d.name for d in facts.project.deliverables}
    for i, item in enumerate(acceptance.open_items):
        which = (f"交付物 {item.deliverable}「{names[item.deliverable]}」的遗留问题" if item.deliverable in names
                 else f"遗留问题「{item.description[:20]}…」")
        missing = [label for value, label in ((item.owner, "整改责任人（owner）"), (item.due, "整改期限（due）"))
                   if value is None]
        if missing:
            yield ("acceptance", "open_items", i), f"{which}缺少{'、'.join(missing)}"
        if item.due is not None and item.due < acceptance.date:
            yield ("acceptance", "open_items", i, "due"), (
                f"{which}整改期限 {item.due} 早于验收日期 {acceptance.date}：整改期限应在验收之后")


@rule("R-ACC-4", "E", "甲乙双方签字盖章并注明日期")
def both_parties_sign(facts: Facts, artifact, key):
    acceptance = facts.project.acceptance
    if acceptance is None:
        return
    yield from signing.party_findings(facts.project, acceptance, ("acceptance",),
                                      missing="缺少{label}签字盖章（{field}）", incomplete="{label}签字盖章缺少{what}",
                                      not_before=("验收日期", acceptance.date))


@rule("R-ACC-5", "E", "验收日期不早于最后一项交付物的完成日期")
def accepted_after_completion(facts: Facts, artifact, key):
    acceptance = facts.project.acceptance
    if acceptance is None:
        return
    for i, r in enumerate(acceptance.results):
        if r.completed is None:
            yield ("acceptance", "results", i), (
                f"交付物 {r.deliverable} 缺少完成日期（completed），无法核对验收日期")
        elif r.completed > acceptance.date:
            yield ("acceptance", "results", i, "completed"), (
                f"交付物 {r.deliverable} 的完成日期 {r.completed} 晚于验收日期 {acceptance.date}：不能验收尚未完成的交付物")


# -- context ------------------------------------------------------------------------------

def _tally(facts: Facts) -> dict:
    """通过 + 有条件通过 + 不通过 + 未验收 = 总数 (the charter's deliverables), and the pass rate."""
    t = facts.derive(outcomes.acceptance_tally)
    if t is None:
        total = len([d for d in facts.project.deliverables if d.id])
        return {"total": total, "passed": 0, "conditional": 0, "failed": 0, "unjudged": total,
                "pass_rate": None}
    return {"total": t.total, "passed": t.passed, "conditional": t.conditional, "failed": t.failed,
            "unjudged": len(t.unjudged), "pass_rate": facts.derive(outcomes.pass_rate)}


def _scope_statement(facts: Facts) -> str:
    """What this acceptance covers: the whole charter only when every deliverable was judged."""
    t = facts.derive(outcomes.acceptance_tally)
    names = {d.id: d.name for d in facts.project.deliverables}
    unjudged = t.unjudged if t else tuple(d.id for d in facts.project.deliverables if d.id)
    if not unjudged:
        return "验收范围为项目章程约定的全部工作内容："
    listed = "、".join(f"{i}「{names.get(i, i)}」" for i in unjudged[:5]) + ("等" if len(unjudged) > 5 else "")
    return (f"验收范围为项目章程约定的工作内容，其中 {len(unjudged)} 项交付物（{listed}）"
            "尚无验收结果，不在本次验收范围内。项目章程约定的工作内容：")


def _follow_up(facts: Facts) -> str:
    """The sentence under the 遗留问题 table (or in its place): what the data says is to be done."""
    a = facts.project.acceptance
    return signing.follow_up(a.results, a.open_items)


def _person(facts: Facts, name: str) -> str:
    return signing.person_label(facts.roster, name)


def context(facts: Facts, key: str | None) -> dict:
    p, a = facts.project, facts.project.acceptance
    results = _results_by_id(facts)
    charter_ids = {d.id for d in p.deliverables}
    rows = []
    for d in p.deliverables:
        r = results.get(d.id)
        rows.append({"id": d.id, "name": d.name, "criteria": d.acceptance_criteria, "owner": d.owner,
                     "due": d.due, "completed": r.completed if r else None,
                     "result": r.result if r else "未验收", "note": r.note if r else "验收结果中未列出"})
    for r in a.results:
        if r.deliverable not in charter_ids:
            rows.append({"id": r.deliverable, "name": "（章程中无此交付物）", "criteria": None, "owner": None,
                         "due": None, "completed": r.completed, "result": r.result, "note": r.note})
    names = {d.id: d.name for d in p.deliverables}
    clients = {c.name for c in p.client.contacts}
    open_items = [{**item.model_dump(), "deliverable_name": names.get(item.deliverable, item.deliverable)}
                  for item in a.open_items]
    variance = facts.derive(outcomes.schedule_variance)
    return {
        "acceptance": {"date": a.date, "method": a.method, "location": a.location, "basis": list(a.basis),
                       "conclusion": a.conclusion},
        "overview": {
            "manager": p.organisation.manager,
            "client_contact": p.organisation.client_contact,
            "contract_amount": p.project.contract_amount,
            "deliverable_count": len(p.deliverables),
            "schedule_note": _schedule_note(variance),
        },
        "participants": {
            "client": [_person(facts, n) for n in a.participants if n in clients],
            "vendor": [_person(facts, n) for n in a.participants if n not in clients],
        },
        "scope_statement": _scope_statement(facts),
        "scope_items": list(p.scope.included),
        "rows": rows,
        "tally": _tally(facts),
        "open_items": open_items,
        "follow_up": _follow_up(facts),
        "parties": signing.parties(a.client, a.vendor),
    }


def _schedule_note(variance: int | None) -> str:
    if variance is None:
        return "—"
    if variance == 0:
        return "按计划完工日期验收"
    return f"较计划完工日期{deviation.workdays_phrase(variance)}"


def key_values(facts: Facts, key: str | None) -> list[str]:
    p, a = facts.project, facts.project.acceptance
    values = [p.project.name, p.client.name, "有条件通过" if any(r.result == "有条件通过" for r in a.results) else "",
              "（盖章）"]
    rate = facts.derive(outcomes.pass_rate)
    if rate is not None:
        values.append(pct(rate))
    if p.project.contract_amount is not None:
        values += [format_yuan(p.project.contract_amount), to_upper(p.project.contract_amount)]
    values += [d.name for d in p.deliverables]
    values += [item.owner for item in a.open_items if item.owner]
    values += [s.organisation for s in (a.client, a.vendor) if s and s.organisation]
    return values


ACCEPTANCE = register(Artifact(
    code="ACC",
    sections=SECTIONS,
    context=context,
    rules=(every_deliverable_judged, pass_rate_checked, open_items_owned, both_parties_sign,
           accepted_after_completion),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: project.acceptance is not None,
))
