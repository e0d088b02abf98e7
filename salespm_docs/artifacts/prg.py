"""PRG 项目进度表: plan against actual for every WBS leaf, the earned-value figures and the S-curve.

The rows are the 项目进度表 snapshot of the latest weekly report (``figures/progress.py``), the very
figures each 周进度报告 shows for its week (R-WEEK-4 compares them with ``register`` below); the
plan comes from the computed schedule and the cumulative PV / EV / AC from ``schedule.earned_value``.
Rules R-PRG-1…5 (ARTIFACTS.md §4). Also an XLSX register whose 工期, 偏差天数, 完成% roll-up, SPI
and CPI stay live formulas.
"""

from __future__ import annotations

from decimal import Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import progress
from ..figures import schedule as sched
from ..rules import rule
from .registry import Artifact, register
from .wbs import calendar_days

SECTIONS = ("编制说明", "进度表", "延期原因与纠正措施", "挣值分析", "S 曲线")

# Of the weekly reports PRG reads the task entries and the costs (``_fingerprint``), not their texts.
DEPENDS = ("project", "client", "team", "milestones", "budget", "changes", "wbs", "documents")

CENT = Decimal("0.01")


def _entries(facts: Facts):
    """(weekly index, task index, entry) of every task entry of every weekly report."""
    for i, report in enumerate(facts.project.weekly):
        for j, t in enumerate(report.tasks):
            yield i, j, report, t


def _latest_entry_paths(facts: Facts) -> dict[str, tuple]:
    """Task code → path of the entry its current state comes from (the latest report that lists it)."""
    paths: dict[str, tuple] = {}
    order = sorted(range(len(facts.project.weekly)), key=lambda i: facts.project.weekly[i].week)
    for i in order:
        for j, t in enumerate(facts.project.weekly[i].tasks):
            paths[t.task] = ("weekly", i, "tasks", j)
    return paths


@rule("R-PRG-1", "E", "滞后任务有延期原因与纠正措施")
def late_explained(facts: Facts, artifact, key):
    snap = progress.latest(facts)
    if snap is None:
        return
    paths = _latest_entry_paths(facts)
    # a task no report lists yet: the latest report, where its progress should be reported
    latest = max(range(len(facts.project.weekly)), key=lambda i: facts.project.weekly[i].week)
    for row in snap.rows:
        if not row.behind:
            continue
        missing = [label for value, label in ((row.delay_reason, "延期原因（delay_reason）"),
                                              (row.corrective_action, "纠正措施（corrective_action）")) if not value]
        if missing:
            yield paths.get(row.code, ("weekly", latest, "tasks")), (
                f"任务 {row.code}「{row.name}」落后于计划 {row.deviation} 个工作日，缺少{'和'.join(missing)}")


@rule("R-PRG-2", "E", "完成% 在 0–100 之间，实际结束时恰为 100%")
def percent_consistent(facts: Facts, artifact, key):
    for i, j, report, t in _entries(facts):
        path = ("weekly", i, "tasks", j)
        if not Decimal(0) <= t.percent <= Decimal(100):
            yield path + ("percent",), f"{report.week} 任务 {t.task} 的完成% 为 {t.percent}，应在 0–100 之间"
        elif t.actual_end is not None and t.percent != 100:
            yield path + ("percent",), (f"{report.week} 任务 {t.task} 已填写实际结束 {t.actual_end}，完成% 应为 100%，"
                                        f"实际为 {t.percent}%")
        elif t.actual_end is None and t.percent == 100:
            yield path + ("actual_end",), f"{report.week} 任务 {t.task} 完成 100%，但没有填写实际结束日期（actual_end）"


@rule("R-PRG-3", "E", "实际开始 ≤ 实际结束 ≤ 报告日期")
def actual_dates(facts: Facts, artifact, key):
    today = facts.today
    for i, j, report, t in _entries(facts):
        path = ("weekly", i, "tasks", j)
        if t.actual_end is not None and t.actual_start is None:
            yield path + ("actual_start",), f"{report.week} 任务 {t.task} 有实际结束 {t.actual_end}，缺少实际开始"
        if t.actual_start and t.actual_end and t.actual_end < t.actual_start:
            yield path + ("actual_end",), (f"{report.week} 任务 {t.task} 的实际结束 {t.actual_end} 早于实际开始 "
                                           f"{t.actual_start}")
        for field, label in (("actual_start", "实际开始"), ("actual_end", "实际结束")):
            day = getattr(t, field)
            if day is not None and day > today:
                yield path + (field,), (f"{report.week} 任务 {t.task} 的{label} {day} 在报告日期{cn_date(today)}之后："
                                        "实际日期不能是将来的日期（未完成的任务请填预计结束 forecast_end）")


@rule("R-PRG-4", "E", "SPI 与 CPI 按挣值重新计算")
def indices_recomputed(facts: Facts, artifact, key):
    for point in facts.derive(sched.earned_value):
        if point.ev is None:
            continue
        snap = progress.snapshot(facts, point.week)
        if snap is None:
            continue
        c = snap.cost
        for name, value, part, whole in (("SPI", c.spi, c.earned_value, c.planned_value),
                                         ("CPI", c.cpi, c.earned_value, c.actual_cost)):
            expected = (part / whole).quantize(CENT) if part is not None and whole else None
            if value != expected:
                yield ("weekly",), f"{point.week} 的 {name} 为 {value}，按挣值重新计算应为 {expected}"


@rule("R-PRG-5", "E", "进度表的行即 WBS 叶子任务")
def rows_are_leaves(facts: Facts, artifact, key):
    wbs = {w.code for w in facts.project.wbs}
    leaf_codes = {w.code for w in progress.leaves(facts.project.wbs)}
    for i, j, report, t in _entries(facts):
        if t.task not in leaf_codes:
            what = ("是上级要素，不是叶子任务：进度只按叶子任务报告" if t.task in wbs
                    else "不在工作分解结构（wbs）中，无法计入项目进度表")
            yield ("weekly", i, "tasks", j, "task"), f"{report.week} 报告的任务 {t.task} {what}"


def register_rows(facts: Facts, week: str | None = None) -> dict:
    """The 进度表 of ``week`` (default: the latest report): rows and to-date earned value.
    The figures the 周进度报告 of that week shows (R-WEEK-4)."""
    snap = progress.snapshot(facts, week) if week else progress.latest(facts)
    if snap is None:
        return {"week": None, "rows": [], "cost": None}
    milestones = {i.code for i in facts.project.wbs if i.milestone}
    rows = []
    for r in snap.rows:
        rows.append({
            "code": r.code, "name": r.name, "owner": r.owner, "effort": r.effort,
            "planned_start": r.planned_start, "planned_end": r.planned_end,
            "planned_days": 0 if r.code in milestones else r.planned_days,
            "actual_start": r.actual_start, "actual_end": r.actual_end, "basis": r.basis,
            "finished": r.finished, "percent": r.percent, "status": r.status, "deviation": r.deviation,
            "behind": r.behind, "delay_reason": r.delay_reason, "corrective_action": r.corrective_action,
        })
    c = snap.cost
    cost = {"bac": c.budget, "pv": c.planned_value, "ev": c.earned_value, "ac": c.actual_cost,
            "sv": c.schedule_variance, "cv": c.cost_variance, "spi": c.spi, "cpi": c.cpi,
            "eac": c.forecast_at_completion, "earned_percent": c.earned_percent,
            "planned_percent": c.planned_percent, "reported_week": c.reported_week}
    return {"week": snap.week, "end": snap.end, "rows": rows, "cost": cost}


def context(facts: Facts, key: str | None) -> dict:
    from ..charts.scurve import s_curve

    reg = register_rows(facts)
    points = facts.derive(sched.earned_value)
    weeks = [{"week": p.week, "end": p.end, "pv": p.pv, "ev": p.ev, "ac": p.ac,
              "sv": p.ev - p.pv if p.ev is not None else None,
              "cv": p.ev - p.ac if p.ev is not None and p.ac is not None else None,
              "spi": progress._ratio(p.ev, p.pv, CENT, 1), "cpi": progress._ratio(p.ev, p.ac, CENT, 1)}
             for p in points if p.ev is not None]
    rows = reg["rows"]
    effort, done = sched.rolled_up((r["effort"], r["percent"]) for r in rows)
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    status_date = reg.get("end") or facts.today
    return {
        "report": {"week": reg["week"], "date": status_date, "leaves": len(rows),
                   "behind": sum(1 for r in rows if r["behind"]), "effort": effort, "percent": done,
                   "counts": "、".join(f"{k} {v} 项" for k, v in counts.items()) or "—"},
        "rows": rows,
        "behind": [r for r in rows if r["behind"]],
        "cost": reg["cost"],
        "baseline": _baseline(facts, reg),
        "weeks": weeks,
        "status_date": status_date,
        "calendar_days": calendar_days(facts),
        "lists": {"status": ["未开始", "进行中", "滞后", "已完成", "延期完成"],
                  "owners": sorted({m.name for m in facts.project.team})},
        "charts": {"s_curve": [s_curve(points, status_date)] if points else []},
        "signatures": _signatures(facts),
    }


def _baseline(facts: Facts, reg: dict) -> dict:
    """The budget (BAC) the 挣值分析 shows: the baseline of the latest report, moved from the charter
    budget by the approved changes with a budget adjustment (``figures/baseline.py``)."""
    from ..figures import baseline
    from ..money import format_yuan

    bac = reg["cost"]["bac"] if reg["cost"] else facts.budget_total
    moved = bac - facts.budget_total
    week = next((w for w in facts.project.weekly if w.week == reg["week"]), None)
    day = baseline.report_date(week) if week is not None else facts.today
    ids = "、".join(e.id for e in baseline.log_until(facts, day) if e.budget_change)
    return {"changed": bool(moved), "original": facts.budget_total, "ids": ids,
            "moved_text": ("+" if moved > 0 else "−") + format_yuan(abs(moved)) if moved else ""}


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, PROGRESS, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    return [facts.project.project.name, *(r.code for r in progress.leaves(facts.project.wbs)[:3])]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """The data the 进度表 is made from: its own keys and, of every weekly report, the week, the task
    entries and the cost (not the report's texts, issues or client actions)."""
    from ..figures import baseline
    from ..incremental import json_plain

    p = facts.project
    data = {name: json_plain(getattr(p, name)) for name in DEPENDS if name != "documents"}
    # a report's date decides which approved changes its budget baseline includes (figures/baseline.py)
    data["weekly"] = [[w.week, json_plain(w.tasks), json_plain(w.cost),
                       str(baseline.report_date(w)) if p.changes else ""] for w in p.weekly]
    data["today"] = str(facts.today)
    return data


PROGRESS = register(Artifact(
    code="PRG",
    sections=SECTIONS,
    context=context,
    rules=(late_explained, percent_consistent, actual_dates, indices_recomputed, rows_are_leaves),
    present=lambda project: bool(project.wbs),
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
    formats=("docx", "pdf", "xlsx"),
))


#: What a weekly report shows of each task and of the cost, and the 进度表 field it must equal.
_TASK_FIGURES = (("percent", "percent", "完成%"), ("deviation", "deviation", "偏差天数"),
                 ("actual_start", "actual_start", "实际开始"), ("actual_end", "actual_end", "实际结束"),
                 ("planned_start", "planned_start", "计划开始"), ("planned_end", "planned_end", "计划结束"),
                 ("status", "status", "状态"))
_COST_FIGURES = (("planned_value", "pv", "PV"), ("earned_value", "ev", "EV"), ("actual_cost", "ac", "AC"),
                 ("schedule_variance", "sv", "SV"), ("cost_variance", "cv", "CV"), ("spi", "spi", "SPI"),
                 ("cpi", "cpi", "CPI"))


def week_disagreements(facts: Facts, week: str, shown: dict) -> list[str]:
    """R-WEEK-4: the figures a 周进度报告 shows (its template context ``shown``) against the 项目进度表
    of the same week (``register_rows``): each task row and the earned value. Empty when they agree."""
    reg = register_rows(facts, week)
    rows = {r["code"]: r for r in reg["rows"]}
    out = []
    for task in shown.get("tasks", []):
        row = rows.get(task["code"])
        if row is None:
            out.append(f"周报列出的任务 {task['code']} 不在 {week} 的项目进度表中")
            continue
        for mine, theirs, label in _TASK_FIGURES:
            if task.get(mine) != row.get(theirs):
                out.append(f"任务 {task['code']} 的{label}：周报为 {task.get(mine)}，项目进度表为 {row.get(theirs)}")
    cost = reg["cost"] or {}
    for mine, theirs, label in _COST_FIGURES:
        if shown.get("cost", {}).get(mine) != cost.get(theirs):
            out.append(f"{label}：周报为 {shown.get('cost', {}).get(mine)}，项目进度表为 {cost.get(theirs)}")
    return out
