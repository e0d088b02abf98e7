"""RES 资源分配表: people, materials and equipment, the budget by category, and each person's weekly load.

The figures come from ``figures/load.py``: ``resource_totals`` (the cost by budget category, which
the charter's budget must equal, R-CHT-5) and ``weekly_load`` (each person's load per ISO week from
the WBS assignments), both derived once per build. Budget shares are ``facts.budget_shares``
(largest remainder: the one-decimal column adds up to 100.0%, the very figures the charter shows).
Rules R-RES-1…5 (ARTIFACTS.md §4). Also an XLSX register: 金额 = ROUND(数量 × 单价, 2) and the
totals stay live, 占比 is 金额 / the lines' sum, drop-downs for 科目 and 姓名.
"""

from __future__ import annotations

from decimal import Decimal

from ..facts import Facts
from ..figures.load import DETAILED, PersonWeek, material_amount, resource_totals, weekly_load
from ..money import format_yuan, to_upper
from ..rules import rule
from ..templating import number
from .registry import Artifact, register

SECTIONS = ("编制说明", "人力", "物料与设备", "预算", "人员负荷", "审批签字")

DEPENDS = ("project", "client", "team", "budget", "wbs", "resources", "documents")

#: where each detailed budget category comes from, for messages and the 预算 table
SOURCES = {"人工": "人力成本合计（resources.people[].cost）",
           "物料": "物料与设备中物料类金额合计（resources.materials）",
           "外采": "物料与设备中外采类金额合计（resources.materials）"}
#: the same, as the 预算 table's 核对依据 column says it
SHOWN = {"人工": "人力成本合计（第二节）", "物料": "物料与设备中物料类合计（第三节）",
         "外采": "物料与设备中外采类合计（第三节）"}
#: tasks a message lists before 「等 N 项」
LISTED = 5


def _tasks(week: PersonWeek) -> str:
    return "、".join(f"{s.code}「{s.name}」{s.shown}%" for s in week.shares)


def _week_label(week: PersonWeek) -> str:
    return f"{week.week}（{week.monday.isoformat()} 至 {week.sunday.isoformat()}）"


def _peak_weeks(person, peak: PersonWeek) -> str:
    """「2026-W47（2026-11-16 至 2026-11-22）」, 「… 等 3 周」 when other weeks reach the same load."""
    same = sum(1 for w in person.weeks if w.load == peak.load)
    return _week_label(peak) + (f" 等 {same} 周" if same > 1 else "")


@rule("R-RES-1", "E", "金额 = 数量 × 单价（精确到分）")
def amounts_multiply(facts: Facts, artifact, key):
    for i, m in enumerate(facts.project.resources.materials):
        computed = material_amount(m)
        if m.amount is not None and m.amount != computed:
            yield ("resources", "materials", i, "amount"), (
                f"「{m.name}」的金额 {format_yuan(m.amount)} 不等于 数量 {number(m.quantity)} × 单价 "
                f"{format_yuan(m.unit_price)} = {format_yuan(computed)}（精确到分）")


@rule("R-RES-2", "E", "各项合计与项目章程预算一致")
def totals_reconcile(facts: Facts, artifact, key):
    p = facts.project
    lines = p.budget.lines
    if p.budget.total is None:
        yield ("budget",), "缺少预算总额（budget.total），资源分配表无法与项目章程的预算核对"
    elif facts.budget_lines_total != p.budget.total:
        yield ("budget", "total"), (f"预算各科目合计 {format_yuan(facts.budget_lines_total)} 不等于项目章程的预算总额"
                                    f"（budget.total）{format_yuan(p.budget.total)}")
    totals = facts.derive(resource_totals)
    for category in DETAILED:
        detail = totals.by_category[category]
        where = [k for k, line in enumerate(lines) if line.category == category]
        stated = sum((lines[k].amount for k in where), Decimal("0.00"))
        if stated == detail:
            continue
        if not where:
            yield ("budget", "lines"), (f"预算缺少{category}科目（budget.lines），而{SOURCES[category]}为 "
                                        f"{format_yuan(detail)}")
        else:
            yield ("budget", "lines", where[0], "amount"), (
                f"预算{category}科目 {format_yuan(stated)} 不等于{SOURCES[category]} {format_yuan(detail)}，"
                f"相差 {format_yuan(abs(stated - detail))}")


@rule("R-RES-3", "E", "占比合计 100%")
def shares_add_up(facts: Facts, artifact, key):
    shares = facts.budget_shares
    if not shares:
        return
    if not facts.budget_lines_total:
        yield ("budget", "lines"), "预算各科目金额合计为 0，无法计算占比"
        return
    shown = sum((s for _, _, s in shares), Decimal(0))
    if shown != 100:
        yield ("budget", "lines"), f"预算占比按一位小数显示的合计为 {shown}%，应为 100.0%"


@rule("R-RES-4", "E", "任何人任何一周的负荷不超过 100%")
def nobody_overloaded(facts: Facts, artifact, key):
    load = facts.derive(weekly_load)
    for week in load.over:
        yield week.shares[-1].path, (f"{week.name} 在 {_week_label(week)}的负荷为 {week.shown}%，超过 100%，"
                                     f"来自任务 {_tasks(week)}")
    for i, person in enumerate(facts.project.resources.people):
        mine = load.people.get(person.name)
        if mine is None:
            continue
        for field, label, outside in (("start", "投入开始日期", lambda item: item.start < person.start),
                                      ("end", "投入结束日期", lambda item: item.end > person.end)):
            day = getattr(person, field)
            if day is None:
                continue
            items = [item for _, item, _ in mine.tasks if outside(item)]
            if not items:
                continue
            shown = "、".join(f"{t.code}「{t.name}」（{t.start.isoformat()} 至 {t.end.isoformat()}）"
                              for t in items[:LISTED])
            more = f"等 {len(items)} 项" if len(items) > LISTED else ""
            yield ("resources", "people", i, field), (
                f"{person.name} 的{label}为 {day.isoformat()}，但其参与的任务 {shown}{more}在投入期之外")


@rule("R-RES-5", "E", "每个责任人与分派人员都在人力表中")
def owners_listed(facts: Facts, artifact, key):
    listed = {p.name for p in facts.project.resources.people}
    reported: set[str] = set()
    for i, item in enumerate(facts.project.wbs):
        found = [(("wbs", i, "owner"), item.owner, "责任人（owner）")] if item.owner else []
        found += [(("wbs", i, "assignments", j), a.name, "分派人员（assignments）")
                  for j, a in enumerate(item.assignments)]
        for path, name, role in found:
            if name in listed or name in reported:
                continue
            reported.add(name)
            yield path, (f"{name} 是任务 {item.code}「{item.name}」的{role}，但不在资源分配表的人力"
                         f"（resources.people）中")


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    load = facts.derive(weekly_load)
    totals = facts.derive(resource_totals)
    team = {m.name: m for m in p.team}
    people = []
    for r in p.resources.people:
        member, mine = team.get(r.name), load.people.get(r.name)
        start = r.start or (mine.start if mine else None)
        end = r.end or (mine.end if mine else None)
        people.append({"name": r.name, "role": member.role if member else None,
                       "department": member.department if member else None,
                       "allocation": member.allocation if member else None,
                       "start": start, "end": end, "cost": r.cost, "note": r.note})
    materials = [{**m.model_dump(), "amount": m.amount if m.amount is not None else material_amount(m)}
                 for m in p.resources.materials]
    budget = [{"category": c, "amount": a, "share": s, "note": line.note,
               "source": SHOWN.get(c, "按预算科目列示")}
              for (c, a, s), line in zip(facts.budget_shares, p.budget.lines)]
    names = [r.name for r in p.resources.people]
    names += [n for n in load.people if n not in set(names)]
    summary = []
    for name in names:
        mine = load.people.get(name)
        peak = mine.peak if mine else None
        summary.append({"name": name, "role": team[name].role if name in team else None,
                        "tasks": len(mine.tasks) if mine else 0,
                        "peak": peak.shown if peak else None,
                        "peak_week": _peak_weeks(mine, peak) if peak else None,
                        "average": mine.average if mine else None})
    over = [{"name": w.name, "week": w.week, "dates": f"{w.monday.isoformat()} 至 {w.sunday.isoformat()}",
             "load": w.shown, "tasks": _tasks(w)} for w in load.over]
    total = facts.budget_lines_total
    return {
        "staff": people,
        "staff_total": totals.people,
        "materials": materials,
        "materials_total": sum((m["amount"] for m in materials), Decimal("0.00")),
        "budget": {"lines": budget, "total": total, "upper": to_upper(total),
                   "share_total": sum((b["share"] for b in budget), Decimal(0)),
                   "stated": p.budget.total},
        "load": {"people": summary, "over": over, "leaves": sum(len(m.tasks) for m in load.people.values())},
        "lists": {"names": sorted({m.name for m in p.team}), "categories": ["物料", "外采"],
                  "budget_categories": ["人工", "物料", "外采", "差旅", "其他", "不可预见费"]},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, RESOURCES, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    p = facts.project
    return [p.project.name, *(r.name for r in p.resources.people[:3]),
            *(m.name for m in p.resources.materials[:2])]


RESOURCES = register(Artifact(
    code="RES",
    sections=SECTIONS,
    context=context,
    rules=(amounts_multiply, totals_reconcile, shares_add_up, nobody_overloaded, owners_listed),
    present=lambda project: bool(project.resources.people or project.resources.materials),
    key_values=key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf", "xlsx"),
))
