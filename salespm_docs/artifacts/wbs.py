"""WBS 工作分解结构: the three-level task list, to a person and a post, with effort and dates.

The rows are the WBS as written; the 工期 of a leaf is its working days on the project calendar,
a parent's effort and dates are rolled up from its leaves (``figures/schedule.py``). Rules
R-WBS-1…7 (ARTIFACTS.md §4). Also an XLSX register (live roll-ups and working-day formulas).
"""

from __future__ import annotations

from decimal import Decimal

from ..facts import Facts
from ..figures import schedule as sched
from ..figures.progress import leaves
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("编制说明", "工作分解结构", "工作量汇总")

DEPENDS = ("project", "client", "team", "deliverables", "wbs", "documents")


def _parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


@rule("R-WBS-1", "E", "WBS 编码层级式、唯一，上级编码是前缀")
def codes_hierarchical(facts: Facts, artifact, key):
    items = facts.project.wbs
    if not items:
        yield ("wbs",), "工作分解结构为空（wbs.yaml 中的 wbs）"
        return
    codes = [i.code for i in items]
    seen: set[str] = set()
    known = set(codes)
    for n, item in enumerate(items):
        code = item.code
        parts = code.split(".")
        if not all(p.isdigit() and not (len(p) > 1 and p.startswith("0")) for p in parts):
            yield ("wbs", n, "code"), f"WBS 编码「{code}」应为以点分隔的数字，如 1、1.2、1.2.3"
        if code in seen:
            yield ("wbs", n, "code"), f"WBS 编码 {code} 重复"
        seen.add(code)
        parent = _parent_code(code)
        if parent is not None and parent not in known:
            yield ("wbs", n, "code"), f"WBS 编码 {code} 的上级 {parent} 不存在：上级编码应是下级编码的前缀"


@rule("R-WBS-2", "E", "WBS 分为规定的层级，叶子任务都在最末一级")
def three_levels(facts: Facts, artifact, key):
    levels = facts.settings.wbs.levels
    items = facts.project.wbs
    leaf_codes = {i.code for i in leaves(items)}
    for n, item in enumerate(items):
        depth = item.code.count(".") + 1
        if depth > levels:
            yield ("wbs", n, "code"), f"WBS 编码 {item.code} 在第 {depth} 级，超过规定的 {levels} 级（wbs.levels）"
        elif item.code in leaf_codes and depth != levels:
            yield ("wbs", n, "code"), (f"叶子任务 {item.code}「{item.name}」在第 {depth} 级：叶子任务都应在第 {levels} 级"
                                       f"（wbs.levels），请继续分解或并入上级")


@rule("R-WBS-3", "E", "叶子任务到人、责任到岗")
def leaves_owned(facts: Facts, artifact, key):
    positions = {i.code: n for n, i in enumerate(facts.project.wbs)}
    for item in leaves(facts.project.wbs):
        missing = [label for value, label in ((item.owner, "责任人（owner）"), (item.post, "岗位（post）")) if not value]
        if missing:
            yield ("wbs", positions[item.code]), f"叶子任务 {item.code}「{item.name}」缺少{'和'.join(missing)}"


@rule("R-WBS-4", "E", "叶子任务有工作量与计划日期")
def leaves_planned(facts: Facts, artifact, key):
    positions = {i.code: n for n, i in enumerate(facts.project.wbs)}
    for item in leaves(facts.project.wbs):
        missing = [label for value, label in ((item.effort, "工作量（effort）"), (item.start, "计划开始（start）"),
                                              (item.end, "计划结束（end）")) if value is None]
        if item.milestone and item.effort is None:
            missing = missing[1:]
        if missing:
            yield ("wbs", positions[item.code]), f"叶子任务 {item.code}「{item.name}」缺少{'、'.join(missing)}"


@rule("R-WBS-5", "E", "上级的工作量等于其下级之和")
def effort_sums(facts: Facts, artifact, key):
    items = facts.project.wbs
    children: dict[str, list] = {}
    for item in items:
        parent = _parent_code(item.code)
        if parent is not None:
            children.setdefault(parent, []).append(item)
    totals: dict[str, Decimal | None] = {}

    def total(item) -> Decimal | None:
        if item.code in totals:
            return totals[item.code]
        kids = children.get(item.code)
        if not kids:
            value = item.effort
        else:
            parts = [total(k) for k in kids]
            value = None if any(p is None for p in parts) else sum(parts, Decimal(0))
        totals[item.code] = value
        return value

    for item in sorted(items, key=lambda i: -i.code.count(".")):  # deepest first: no deep recursion
        total(item)
    for n, item in enumerate(items):
        if item.code in children and item.effort is not None:
            summed = totals[item.code]
            if summed is not None and summed != item.effort:
                yield ("wbs", n, "effort"), (f"{item.code}「{item.name}」的工作量写为 {item.effort:f} 人天，"
                                             f"而其下级合计 {summed:f} 人天；上级工作量应等于下级之和（或不填，由下级汇总）")


@rule("R-WBS-6", "E", "每项章程交付物对应 WBS 要素，且有项目管理分支")
def deliverables_covered(facts: Facts, artifact, key):
    p = facts.project
    mapped = {i.deliverable for i in p.wbs if i.deliverable}
    for n, d in enumerate(p.deliverables):
        if d.id not in mapped:
            yield ("deliverables", n), f"交付物 {d.id}「{d.name}」没有对应的 WBS 要素（wbs[].deliverable: {d.id}）"
    known = {d.id for d in p.deliverables}
    for n, item in enumerate(p.wbs):
        if item.deliverable and item.deliverable not in known:
            yield ("wbs", n, "deliverable"), f"WBS {item.code} 引用了章程中不存在的交付物 {item.deliverable}"
    if p.wbs and not any("项目管理" in i.name for i in p.wbs if "." not in i.code):
        yield ("wbs",), "缺少项目管理分支：应有一个名为「项目管理」的一级 WBS 要素（启动、计划、监控、收尾工作）"


@rule("R-WBS-7", "W", "叶子任务工期在规定范围内")
def leaf_durations(facts: Facts, artifact, key):
    cfg = facts.settings.wbs
    positions = {i.code: n for n, i in enumerate(facts.project.wbs)}
    for item in leaves(facts.project.wbs):
        if item.milestone or item.start is None or item.end is None:
            continue
        days = facts.calendar.workdays_between(item.start, item.end)
        if days > cfg.leaf_max_days:
            yield ("wbs", positions[item.code]), (f"叶子任务 {item.code}「{item.name}」工期 {days} 个工作日，超过 "
                                                  f"{cfg.leaf_max_days} 个工作日（wbs.leaf_max_days），建议继续分解")
        elif days < cfg.leaf_min_days:
            yield ("wbs", positions[item.code]), (f"叶子任务 {item.code}「{item.name}」工期 {days} 个工作日，不足 "
                                                  f"{cfg.leaf_min_days} 个工作日（wbs.leaf_min_days），建议并入相邻任务")


def rows(facts: Facts) -> list[dict]:
    """Every WBS element in code order, parents rolled up from their leaves."""
    s = facts.derive(sched.schedule)
    items = {i.code: i for i in facts.project.wbs}
    names = {d.id: d.name for d in facts.project.deliverables}
    out = []
    for r in s.rows:
        item = items[r.code]
        leaf = isinstance(r, sched.Task)
        start, end = (item.start, item.end) if leaf else (r.start, r.end)
        out.append({
            "code": r.code, "name": r.name, "level": r.level, "leaf": leaf,
            "indent": "　" * (r.level - 1),
            "deliverable": item.deliverable, "deliverable_name": names.get(item.deliverable or ""),
            "owner": item.owner, "post": item.post,
            "effort": r.effort if r.effort is not None else None,
            "start": start, "end": end,
            "days": (0 if item.milestone else facts.calendar.workdays_between(start, end)) if start and end else None,
            "predecessors": "、".join(r.predecessors) if leaf else "",
            "milestone": leaf and item.milestone,
        })
    return out


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    s = facts.derive(sched.schedule)
    table = rows(facts)
    tops = [r for r in table if r["level"] == 1]
    total = sum((r["effort"] or Decimal(0) for r in table if r["leaf"]), Decimal(0))
    by_owner: dict[str, Decimal] = {}
    for r in table:
        if r["leaf"] and r["owner"]:
            by_owner[r["owner"]] = by_owner.get(r["owner"], Decimal(0)) + (r["effort"] or Decimal(0))
    return {
        "wbs": table,
        "wbs_tops": tops,
        "wbs_summary": {"elements": len(table), "leaves": len(s.tasks), "levels": facts.settings.wbs.levels,
                        "effort": total, "start": s.start, "finish": s.finish,
                        "days": facts.calendar.workdays_between(s.start, s.finish) if s.start and s.finish else 0,
                        "milestones": sum(1 for t in s.tasks if t.milestone)},
        "owners": [{"name": n, "role": facts.roster.get(n), "effort": e,
                    "share": (e * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)}
                   for n, e in sorted(by_owner.items(), key=lambda x: (-x[1], x[0]))],
        "deliverables": [d.model_dump() for d in p.deliverables],
        "status_date": facts.today,
        "calendar_days": calendar_days(facts),
        "lists": {"kinds": ["汇总", "任务", "里程碑"], "owners": sorted({m.name for m in p.team}), "posts": sorted({i.post for i in p.wbs if i.post})},
        "signatures": _signatures(facts),
    }


def calendar_days(facts: Facts) -> dict:
    """The project calendar's non-working weekdays and working weekends over the plan (for registers)."""
    s = facts.derive(sched.schedule)
    if not s.workdays:
        return {"holidays": [], "workdays": []}
    import datetime as dt

    day, last, one = s.workdays[0], s.workdays[-1], dt.timedelta(days=1)
    holidays, workdays = [], []
    cal = facts.calendar
    while day <= last:
        working = cal.is_workday(day)
        if day.weekday() < 5 and not working:
            holidays.append(day)
        elif day.weekday() >= 5 and working:
            workdays.append(day)
        day += one
    return {"holidays": holidays, "workdays": workdays}


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, WBS, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    leaves_ = leaves(facts.project.wbs)
    return [facts.project.project.name, *(i.code for i in leaves_[:3]), *(i.name for i in leaves_[:3])]


WBS = register(Artifact(
    code="WBS",
    sections=SECTIONS,
    context=context,
    rules=(codes_hierarchical, three_levels, leaves_owned, leaves_planned, effort_sums, deliverables_covered,
           leaf_durations),
    present=lambda project: bool(project.wbs),
    key_values=key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf", "xlsx"),
))

__all__ = ["WBS", "rows", "calendar_days"]
