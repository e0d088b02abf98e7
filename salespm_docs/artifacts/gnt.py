"""GNT 项目进度计划 (甘特图): the Gantt chart of the computed schedule and the task table beside it.

Everything shown is computed by ``figures/schedule.py`` (critical-path method on the working-day
calendar): early and late dates, total float, the critical path. Rules R-GNT-1…5 (ARTIFACTS.md §4).
"""

from __future__ import annotations

from ..dates import cn_date
from ..facts import Facts
from ..figures import schedule as sched
from ..figures.progress import leaves
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("编制说明", "甘特图", "任务表", "关键路径")

# the weekly snapshot behind the 完成% (``progress.snapshots``) also reads the milestones and the budget
# (with the approved changes that move it, ``figures/baseline.py``);
# the status line stops at the acceptance date of a finished project. Of the weekly reports GNT shows
# only the latest state of each task (``_fingerprint``): an edit of a report's text rebuilds no Gantt.
DEPENDS = ("project", "client", "team", "milestones", "budget", "changes", "wbs", "acceptance", "documents")


def _positions(facts: Facts) -> dict[str, int]:
    return {i.code: n for n, i in enumerate(facts.project.wbs)}


def _link_path(facts: Facts, code: str, written: str) -> tuple:
    n = _positions(facts)[code]
    for j, dep in enumerate(facts.project.wbs[n].predecessors):
        if str(dep) == written or dep.task == written:
            return ("wbs", n, "predecessors", j)
    return ("wbs", n, "predecessors")


@rule("R-GNT-1", "E", "每个前置关系指向存在的任务")
def links_known(facts: Facts, artifact, key):
    s = facts.derive(sched.schedule)
    for code, written in s.unknown:
        yield _link_path(facts, code, written), (f"任务 {code} 的前置任务 {written} 不存在于工作分解结构（wbs）中，"
                                                 "请检查编码")


@rule("R-GNT-2", "E", "前置关系没有循环")
def no_cycle(facts: Facts, artifact, key):
    s = facts.derive(sched.schedule)
    positions = _positions(facts)
    for cycle in s.cycles:
        ring = " → ".join([*cycle, cycle[0]])
        yield ("wbs", positions[cycle[0]], "predecessors"), (
            f"前置关系形成循环：{ring}；进度无法排定，请删去其中一个前置关系")


@rule("R-GNT-3", "E", "计划日期满足 FS/SS/FF/SF 关系与延隔（工作日）")
def links_hold(facts: Facts, artifact, key):
    s = facts.derive(sched.schedule)
    tasks = {t.code: t for t in s.tasks}
    for link, short in s.violations:
        after, before = tasks[link.after], tasks[link.before]
        lag = f"{link.lag:+d}".replace("-", "−") if link.lag else ""
        relation = f"{link.type}{lag}（{sched.LINK_TYPES[link.type]}{'，延隔 ' + lag + ' 个工作日' if lag else ''}）"
        yield _link_path(facts, link.after, before.code), (
            f"任务 {after.code}「{after.name}」计划 {after.start} 至 {after.end}，不满足与前置任务 {before.code}"
            f"「{before.name}」（计划 {before.start} 至 {before.end}）的 {relation}关系：差 {short} 个工作日；"
            f"按关系最早可于{cn_date(after.early_start)}开始")


@rule("R-GNT-4", "E", "任务在项目期限内，里程碑工期为零")
def within_project(facts: Facts, artifact, key):
    info = facts.project.project
    positions = _positions(facts)
    for item in leaves(facts.project.wbs):
        path = ("wbs", positions[item.code])
        if item.start and item.start < info.start:
            yield path + ("start",), f"任务 {item.code}「{item.name}」计划开始 {item.start} 早于项目开始日期 {info.start}"
        if item.end and item.end > info.end:
            yield path + ("end",), f"任务 {item.code}「{item.name}」计划结束 {item.end} 晚于项目结束日期 {info.end}"
        if item.milestone:
            if item.start and item.end and item.start != item.end:
                yield path + ("end",), (f"里程碑 {item.code}「{item.name}」的计划开始 {item.start} 与计划结束 {item.end} "
                                        "不是同一天：里程碑工期为零")
            if item.effort:
                yield path + ("effort",), f"里程碑 {item.code}「{item.name}」的工作量应为 0，实际为 {item.effort:f} 人天"


@rule("R-GNT-5", "E", "关键路径已计算，其完工日期即项目完工日期")
def critical_path_finish(facts: Facts, artifact, key):
    s = facts.derive(sched.schedule)
    end = facts.project.project.end
    if not s.critical_path:
        yield ("wbs",), "无法计算关键路径：没有带计划日期的叶子任务"
    elif s.finish != end:
        how = "晚于" if s.finish > end else "早于"
        yield ("project", "end"), (f"按前置关系计算的完工日期（关键路径结束）为{cn_date(s.finish)}，{how}项目结束日期"
                                   f"{cn_date(end)}：请调整计划或项目结束日期（project.end），使二者一致")


def task_rows(s: sched.Schedule) -> list[dict]:
    out = []
    for r in s.rows:
        leaf = isinstance(r, sched.Task)
        out.append({
            "code": r.code, "name": r.name, "leaf": leaf, "level": r.level, "indent": "　" * (r.level - 1),
            "owner": r.owner, "milestone": leaf and r.milestone,
            "duration": r.duration if leaf else None,
            "start": r.early_start if leaf else r.start, "finish": r.early_finish if leaf else r.end,
            "late_finish": r.late_finish if leaf else None,
            "predecessors": "、".join(r.predecessors) if leaf else "",
            "float": r.total_float if leaf else None, "critical": leaf and r.critical,
            "percent": r.percent,
        })
    return out


def context(facts: Facts, key: str | None) -> dict:
    from ..charts.gantt import gantt_pages

    s = facts.derive(sched.tracked)
    tasks = {t.code: t for t in s.tasks}
    critical = [tasks[c] for c in s.critical_path]
    baseline = [t for t in s.tasks if t.baseline_start or t.baseline_end]
    return {
        "schedule": {
            "start": s.start, "finish": s.finish,
            "days": facts.calendar.workdays_between(s.start, s.finish) if s.start and s.finish else 0,
            "leaves": len(s.tasks), "milestones": sum(1 for t in s.tasks if t.milestone), "links": len(s.links),
            "critical_count": len(critical), "status_date": s.status_date, "baseline_count": len(baseline),
        },
        "tasks": task_rows(s),
        "critical": [{"code": t.code, "name": t.name, "owner": t.owner, "start": t.early_start,
                      "finish": t.early_finish, "duration": t.duration} for t in critical],
        "charts": {"gantt": gantt_pages(s, title=f"{facts.project.project.name} 甘特图")},
        "signatures": _signatures(facts),
    }


def _signatures(facts: Facts) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, GANTT, None, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    s = facts.derive(sched.schedule)
    return [facts.project.project.name, *s.critical_path[:3]]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """The data the Gantt chart is made from: its own keys, the latest state of each task and the
    status date (the weekly reports' texts, issues and costs do not change it)."""
    from ..figures import progress
    from ..incremental import json_plain

    p = facts.project
    data = {name: json_plain(getattr(p, name)) for name in DEPENDS if name != "documents"}
    state: dict[str, list] = {}
    for report in sorted(p.weekly, key=lambda w: w.week):  # a task keeps its last reported state
        for t in report.tasks:
            state[t.task] = [str(t.actual_start), str(t.actual_end), str(t.forecast_end), str(t.percent)]
    data["progress"] = sorted(state.items())
    data["status_date"] = str(progress.horizon(facts))
    return data


GANTT = register(Artifact(
    code="GNT",
    sections=SECTIONS,
    context=context,
    rules=(links_known, no_cycle, links_hold, within_project, critical_path_finish),
    present=lambda project: bool(project.wbs),
    key_values=key_values,
    depends_on=DEPENDS,
    fingerprint=_fingerprint,
))
