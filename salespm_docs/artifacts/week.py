"""WEEK 周进度报告: one document per reported ISO week, from ``weekly/<week>.yaml`` and the WBS.

Every figure comes from the 项目进度表 (PRG) snapshot of that week (``figures/progress.py``), so
the report and the 进度表 cannot disagree. Rules R-WEEK-1…4 (ARTIFACTS.md §4):

- R-WEEK-1: no missing week between the first report and the *current date*, which is the
  project's status date (``project.status_date``, else today), or the day the project finished
  (acceptance date; the planned end once in 收尾) if that is earlier: a closed project is not asked
  for reports after it ended. The frequency is the 沟通计划's: the 周进度报告 row of ``communication``
  (``progress.report_frequency``; the configured ``communication.report_frequency`` when the project
  has no such row) (每周: every week;
  每两周: at most one week in a row without a report). A week with no working day (春节) needs no
  report; a week needs one once its last working day has come. This is a *series* rule: it runs
  once over all the reports and each gap is reported once, at the file that should be created; it
  makes no existing report a draft. Two reports for one week, or a file whose name is not its week,
  are findings on that week's report (same rule ID, see ``one_report_per_week``).
- R-WEEK-2: every task behind plan has 延期原因 and 纠正措施.
- R-WEEK-3: a 红 status names an issue or a risk with an owner; every issue open that week has an
  owner and every 需客户配合事项 a client contact and a due date. The issues are not written in the
  report: it shows those of the 问题清单 (``issues.yaml``) open during its week, as they stood at
  the week's end (``figures/issues.py``), so the report and the register are one list.
- R-WEEK-4: the stated figures agree with the snapshot: tasks are WBS leaves, 完成% agrees with
  the actual dates and never goes back, actual dates lie within the reported week, active tasks
  are reported, milestones and risks exist, cost data is present and consistent; and every figure
  the report shows (each task's dates, 完成%, 偏差 and 状态; PV, EV, AC, SV, CV, SPI, CPI) equals
  the 项目进度表 (PRG) of that week (``prg.week_disagreements``).
- R-CHG-1 (``artifacts/chg.py``): the week's actual or forecast cost exceeds the budget baseline in
  force on the report's date by more than ``change.overrun_percent`` without an approved change.

下周计划 and 需客户配合事项 also carry the action items of the 会议纪要 open at the week's end
(``figures/actions.py``, ``_week_actions``), each marked with its source meeting; an item the report's
file already lists is marked, not repeated. Their owners and due dates are checked by R-MIN-1 in
the minutes, not by R-WEEK-3 here.

The budget a report shows (BAC, 成本执行) is the baseline on the report's date (its own approval
date, else preparation date, else the week's Sunday; ``figures/baseline.py``), with the 变更记录 of
the changes approved by then.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import PurePosixPath

from ..dates import cn_date
from ..facts import Facts
from ..figures import actions as action_figures
from ..figures import baseline
from ..figures import issues as issue_figures
from ..figures import progress
from ..money import format_yuan, to_upper
from ..rules import Rule, rule
from .chg import overrun_covered
from .registry import Artifact, register

SECTIONS = ("报告期", "总体状态", "本周完成", "下周计划", "里程碑状态", "进度偏差", "成本执行",
            "风险与问题", "需客户配合事项")

DEPENDS = ("project", "client", "team", "organisation", "milestones", "budget", "changes", "risks", "issues", "wbs",
           "weekly",
           "documents")


def _report(facts: Facts, key: str):
    """(index, report) of the week ``key`` (the first, if the week is duplicated)."""
    return facts.own_index("WEEK", key)


def _file_of(facts: Facts, index: int) -> str:
    return facts.source.locate(("weekly", index))[0]


# -- R-WEEK-1 -------------------------------------------------------------------------------

def _missing_runs(required: list[str], reported: set[str]) -> list[list[str]]:
    runs, run = [], []
    for week in required:
        if week in reported:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(week)
    return runs + ([run] if run else [])


def _horizon_text(facts: Facts, last: str) -> str:
    finish = progress.finish_date(facts)
    if finish and finish <= facts.today:
        how = "验收" if facts.project.acceptance is not None else "结束"
        return f"应报至 {last}（项目已于{cn_date(finish)}{how}，此后不再要求周报）"
    if facts.project.project.status_date is not None:
        return f"应报至 {last}（数据截至{cn_date(facts.today)}）"
    return (f"应报至 {last}（截至今天{cn_date(facts.today)}；若项目数据只更新到更早的某一天，"
            "请在 project.yaml 中填写 project.status_date（数据截至日期））")


@rule("R-WEEK-1", "E", "周进度报告按沟通频率连续，无缺周")
def series_complete(facts: Facts, artifact, key):
    """Series rule (``key`` is ``None``): each gap in the reports, located at the first missing file."""
    reports = facts.project.weekly
    frequency, _ = progress.report_frequency(facts)
    step = progress.FREQUENCY_WEEKS[frequency]
    required = progress.required_weeks(facts)
    if not required:
        return
    reported = {w.week for w in reports}
    first = min(reported)
    for run in _missing_runs(required, reported):
        if len(run) < step:
            continue
        before = max((w for w in reported if w < run[0]), default=first)
        index = next(i for i, w in enumerate(reports) if w.week == before)
        folder = PurePosixPath(_file_of(facts, index)).parent
        where = f"{folder}/{run[0]}.yaml"
        horizon = _horizon_text(facts, required[-1])
        if step == 1:
            files = "、".join(f"weekly/{w}.yaml" for w in run[:3]) + ("等" if len(run) > 3 else "")
            yield where, (f"缺少 {'、'.join(run)} 的周进度报告（{files}）：报告频率为「{frequency}」，"
                          f"自首份周报 {first} 起每周都应有报告，{horizon}")
        else:
            yield where, (f"{run[0]} 至 {run[-1]} 连续 {len(run)} 周没有周进度报告：报告频率为「{frequency}」，"
                          f"每 {step} 周至少应有一份，{horizon}")


def _one_report_per_week(facts: Facts, artifact, key):
    reports = facts.project.weekly
    same = [i for i, w in enumerate(reports) if w.week == key]
    for i in same[1:]:
        yield ("weekly", i, "week"), (f"{key} 有 {len(same)} 份周报（"
                                      f"{'、'.join(_file_of(facts, j) for j in same)}）；每周只能有一份")
    for i in same:
        stem = PurePosixPath(_file_of(facts, i)).stem
        if stem != key and stem[:4].isdigit():
            yield ("weekly", i, "week"), f"文件名 {stem}.yaml 与 week: {key} 不一致"


#: R-WEEK-1's findings about one week's own files. Unlike a missing week, which concerns no
#: existing document (it is a series finding), these make *that* week's report doubtful: with two
#: files for one week, the report shows one (``_report``: the first) while the 进度表 snapshot takes
#: the other (``reports_in_order``: the later), and a file named for another week may describe the
#: wrong week. So they are instance findings, and that report stays a draft until it is fixed. Same
#: rule ID (ARTIFACTS.md has one rule for the series); not registered in ``RULES`` a second time.
one_report_per_week = Rule(series_complete.id, series_complete.severity, "每周只有一份周报，文件名与 week 一致",
                           _one_report_per_week)


# -- R-WEEK-2 -------------------------------------------------------------------------------

def _task_paths(report, index: int) -> dict[str, tuple]:
    """Task code → the path of its (first) entry in the report."""
    paths: dict[str, tuple] = {}
    for j, t in enumerate(report.tasks):
        paths.setdefault(t.task, ("weekly", index, "tasks", j))
    return paths


@rule("R-WEEK-2", "E", "落后于计划的任务有延期原因与纠正措施")
def delays_explained(facts: Facts, artifact, key):
    i, report = _report(facts, key)
    paths = _task_paths(report, i)
    for row in progress.snapshot(facts, key).behind:
        missing = [label for value, label in ((row.delay_reason, "延期原因（delay_reason）"),
                                              (row.corrective_action, "纠正措施（corrective_action）"))
                   if not value]
        if missing:
            actual = "实际" if row.finished else "预计"
            yield paths.get(row.code, ("weekly", i, "tasks")), (
                f"任务 {row.code}「{row.name}」落后于计划 {row.deviation} 个工作日（计划 {row.planned_days} 个工作日，"
                f"{actual} {row.actual_days} 个工作日），缺少{'和'.join(missing)}")


# -- R-WEEK-3 -------------------------------------------------------------------------------

@rule("R-WEEK-3", "E", "红色状态指明带责任人的问题或风险；问题与客户配合事项有责任人")
def red_has_owner(facts: Facts, artifact, key):
    i, report = _report(facts, key)
    register_ = {r.id: r for r in facts.project.risks}
    open_issues = _week_issues(facts, key)
    if report.status == "红":
        owned = [s for s in open_issues if s.issue.owner] + \
                [register_[r] for r in report.risks if r in register_ and register_[r].owner]
        if not owned:
            yield ("weekly", i, "status"), ("总体状态为红，但本周没有开放的、有责任人的问题（问题清单 issues.yaml）"
                                            "或列出的风险（risks，风险登记册中须有责任人）")
    index = {x.id: n for n, x in enumerate(facts.project.issues)}
    for s in open_issues:
        if not s.issue.owner:
            yield ("issues", index[s.issue.id]), f"本周开放的{issue_figures.named(s.issue)}缺少责任人（owner）"
    contacts = {c.name for c in facts.project.client.contacts}
    for j, action in enumerate(report.client_actions):
        if not action.contact:
            yield ("weekly", i, "client_actions", j), f"需客户配合事项「{action.item[:40]}」缺少客户方负责人（contact）"
        elif action.contact not in contacts:
            yield ("weekly", i, "client_actions", j, "contact"), (
                f"需客户配合事项「{action.item[:40]}」的负责人 {action.contact} 不是客户联系人（client.contacts）")
        if action.due is None:
            yield ("weekly", i, "client_actions", j), f"需客户配合事项「{action.item[:40]}」缺少期限（due）"


# -- R-WEEK-4 -------------------------------------------------------------------------------

@rule("R-WEEK-4", "E", "周报数据与项目进度表快照一致")
def matches_snapshot(facts: Facts, artifact, key):
    i, report = _report(facts, key)
    snap = progress.snapshot(facts, key)
    before = progress.previous(facts, key)
    yield from _check_tasks(facts, i, report, snap, before)
    yield from _check_milestones(facts, i, report, snap)
    known = {r.id for r in facts.project.risks}
    for j, risk in enumerate(report.risks):
        if risk not in known:
            yield ("weekly", i, "risks", j), f"风险 {risk} 不在风险登记册（risks）中"
    yield from _check_cost(i, report, snap, before)
    # what this report shows, against the 项目进度表 of the same week (PRG's ``register_rows``)
    from .prg import week_disagreements

    for difference in week_disagreements(facts, key, context(facts, key)):
        yield ("weekly", i), f"周报的数字与 {key} 的项目进度表不一致：{difference}"


def _check_tasks(facts: Facts, i: int, report, snap, before):
    wbs = {w.code for w in facts.project.wbs}
    rows = {r.code: r for r in snap.rows}
    old = {r.code: r for r in before.rows} if before else {}
    seen: set[str] = set()
    for j, t in enumerate(report.tasks):
        path, name = ("weekly", i, "tasks", j), t.task
        if t.task in seen:
            yield path, f"任务 {t.task} 在本周周报中出现了两次"
        seen.add(t.task)
        if t.task not in rows:
            yield (path + ("task",)), (f"任务 {t.task} 不是工作分解结构的叶子任务，周报只报告叶子任务" if t.task in wbs
                                       else f"任务 {t.task} 不在工作分解结构（wbs）中")
            continue
        name = f"{t.task}「{rows[t.task].name}」"
        if t.percent == 100 and t.actual_end is None:
            yield (path + ("actual_end",)), f"任务 {name}完成 100%，但没有填写实际结束日期（actual_end）"
        if t.actual_end is not None and t.percent != 100:
            yield (path + ("percent",)), f"任务 {name}已填写实际结束日期 {t.actual_end}，完成% 应为 100%，实际为 {t.percent}%"
        if t.actual_end is not None and t.actual_start is None:
            yield (path + ("actual_start",)), f"任务 {name}已结束但缺少实际开始日期（actual_start）"
        if t.percent > 0 and t.actual_start is None:
            yield (path + ("actual_start",)), f"任务 {name}完成 {t.percent}%，但缺少实际开始日期（actual_start）"
        if t.actual_start and t.actual_end and t.actual_end < t.actual_start:
            yield (path + ("actual_end",)), f"任务 {name}的实际结束 {t.actual_end} 早于实际开始 {t.actual_start}"
        for field, label in (("actual_start", "实际开始"), ("actual_end", "实际结束")):
            day = getattr(t, field)
            if day is not None and day > snap.end:
                yield (path + (field,)), f"任务 {name}的{label} {day} 晚于报告期末 {snap.end}"
        if t.task in old and t.percent < old[t.task].percent:
            yield (path + ("percent",)), (f"任务 {name}的完成% 从上周的 {old[t.task].percent}% "
                                          f"降到 {t.percent}%，进度不能倒退")
    for row in snap.active:
        if not row.reported and not (row.finished and row.actual_end < snap.start):
            yield ("weekly", i, "tasks"), (f"任务 {row.code}「{row.name}」本周处于计划期内或正在进行，"
                                           f"但周报没有报告其进展（tasks 中缺少 {row.code}）")


def _check_milestones(facts: Facts, i: int, report, snap):
    known = {m.id for m in facts.project.milestones}
    for j, m in enumerate(report.milestones):
        path = ("weekly", i, "milestones", j)
        if m.id not in known:
            yield path, f"里程碑 {m.id} 不在里程碑计划（milestones）中"
        elif m.status in ("已完成", "延期") and m.forecast is None:
            yield path, f"里程碑 {m.id} 状态为{m.status}，须填写{'实际' if m.status == '已完成' else '预计'}日期（forecast）"
        elif m.status == "已完成" and m.forecast > snap.end:
            yield (path + ("forecast",)), f"里程碑 {m.id} 标为已完成，但日期 {m.forecast} 晚于报告期末 {snap.end}"
    for row in snap.milestones:
        if row.planned <= snap.end and row.status not in ("已完成", "延期"):
            yield ("weekly", i, "milestones"), (
                f"里程碑 {row.id}「{row.name}」计划日期 {row.planned} 已到，状态仍为「{row.status}」："
                "应标为已完成（填实际日期）或延期（填预计日期）")


def _check_cost(i: int, report, snap, before):
    if report.cost is None:
        yield ("weekly", i), "缺少截至本周的成本执行数据（cost.actual_to_date），无法与项目进度表快照核对"
        return
    cost, path = report.cost, ("weekly", i, "cost")
    old = before.cost.actual_cost if before else None
    if old is not None and cost.actual_to_date < old:
        yield (path + ("actual_to_date",)), (f"累计实际成本 {format_yuan(cost.actual_to_date)} 低于上周的 "
                                             f"{format_yuan(old)}，累计值不能减少")
    if cost.forecast_at_completion is not None and cost.forecast_at_completion < cost.actual_to_date:
        yield (path + ("forecast_at_completion",)), (
            f"完工预测成本 {format_yuan(cost.forecast_at_completion)} 低于累计实际成本 {format_yuan(cost.actual_to_date)}")
    pv = snap.cost.planned_value
    if cost.planned_to_date is not None and pv is not None and abs(cost.planned_to_date - pv) >= 1:
        yield (path + ("planned_to_date",)), (
            f"累计计划成本（PV）{format_yuan(cost.planned_to_date)} 与项目进度表快照按 WBS 与预算计算的 "
            f"{format_yuan(pv)} 不一致（可删去该字段，由系统计算）")


# -- context --------------------------------------------------------------------------------

def context(facts: Facts, key: str | None) -> dict:
    _, report = _report(facts, key)
    snap = progress.snapshot(facts, key)
    register_ = {r.id: r for r in facts.project.risks}
    return {
        "week": {"label": key, "number": int(key.split("-W")[1]), "start": snap.start, "end": snap.end,
                 "workdays": snap.workdays, "frequency": progress.report_frequency(facts)[0]},
        "status": {"value": report.status, "reason": report.status_reason},
        "done": list(report.done),
        "finished": [f"{r.code} {r.name}" for r in snap.rows
                     if r.finished and r.actual_end and snap.start <= r.actual_end <= snap.end],
        "next": _week_actions(facts, key, report)[0],
        "milestones": [asdict(m) for m in snap.milestones],
        "tasks": [_row_dict(r) for r in snap.active],
        "behind": [_row_dict(r) for r in snap.behind],
        "cost": _cost(snap.cost, key),
        "cost_lines": [{"label": label, "value": getattr(snap.cost, name), "kind": kind,
                        "note": _budget_note(facts, snap) if name == "budget" else note}
                       for label, name, kind, note in COST_LINES],
        "baseline": _baseline(facts, report, snap),
        "risks": [{"id": r, "description": register_[r].description, "level": register_[r].level,
                   "owner": register_[r].owner, "actions": register_[r].actions}
                  for r in report.risks if r in register_],
        "open_high": [f"{r.id} {r.description}" for r in facts.project.risks
                      if r.level == "高" and _open_on(r, snap.end)],
        "issues": [{"id": s.issue.id, "description": s.issue.description, "owner": s.issue.owner,
                    "due": s.issue.due, "status": s.status, "level": s.level, "age": s.age}
                   for s in _week_issues(facts, key)],
        "escalation": {"manager": facts.settings.issues.escalate_manager_days,
                       "management": facts.settings.issues.escalate_management_days},
        "client_actions": _week_actions(facts, key, report)[1],
        "signatures": _signatures(facts, key),
    }


#: The fields of a 进度表 row, in order (``_row_dict``).
_ROW_FIELDS = tuple(f.name for f in fields(progress.TaskRow))


def _row_dict(row: progress.TaskRow) -> dict:
    """``dataclasses.asdict(row)`` without its deep copies: every field of a row is an immutable
    scalar (text, number, ``Decimal``, date, flag), so a plain new dict holds equal values."""
    return {name: getattr(row, name) for name in _ROW_FIELDS}


def _week_actions(facts: Facts, key: str, report) -> tuple[list[str], list[dict]]:
    """下周计划 and 需客户配合事项 of week ``key``: the report's own, then the open action items of the
    会议纪要 (``figures/actions.py``: from the first report whose week ends on or after the meeting,
    until closed; our team's in 下周计划, client contacts' in 需客户配合事项, each marked with its
    source meeting; a line or row the report already has is marked, not repeated)."""
    start, end = progress.week_bounds(key)
    titles = {c.name: c.title for c in facts.project.client.contacts}
    lines, rows = action_figures.week_items(facts, start, end, list(report.next),
                                            [a.model_dump() for a in report.client_actions])
    return lines, [{**r, "title": titles.get(r.get("contact") or "")} for r in rows]


def _week_issues(facts: Facts, key: str) -> list:
    """The issues of the 问题清单 open during week ``key``, as they stood at its end."""
    start, end = progress.week_bounds(key)
    return issue_figures.open_during(facts, start, end)


def _open_on(risk, day) -> bool:
    """Whether a register risk was open on ``day``: identified by then, not closed by then."""
    if risk.identified is not None and risk.identified > day:
        return False
    if risk.closed is not None:
        return risk.closed > day
    return risk.status != "已关闭"


#: Rows of the 成本执行 table: label, CostFigures field, format, explanation.
COST_LINES = (
    ("预算总额（BAC）", "budget", "yuan", "项目章程批准的成本预算"),
    ("累计计划成本（PV）", "planned_value", "yuan", "按 WBS 计划进度与工作量折算的应发生成本"),
    ("累计挣值（EV）", "earned_value", "yuan", "按各任务完成% 与工作量折算的已完成工作价值"),
    ("累计实际成本（AC）", "actual_cost", "yuan", "截至本周实际发生的成本"),
    ("成本偏差（CV = EV − AC）", "cost_variance", "yuan", "负数表示超支"),
    ("进度偏差（SV = EV − PV）", "schedule_variance", "yuan", "负数表示进度落后"),
    ("成本绩效指数（CPI = EV / AC）", "cpi", "ratio", "小于 1 表示超支"),
    ("进度绩效指数（SPI = EV / PV）", "spi", "ratio", "小于 1 表示进度落后"),
    ("预算执行率（AC / BAC）", "spent_percent", "pct", "已发生成本占预算的比例"),
    ("完工预测成本（EAC）", "forecast_at_completion", "yuan", "项目经理预测的完工总成本"),
    ("完工偏差（EAC − BAC）", "forecast_variance", "yuan", "正数表示预计超支"),
)


def _budget_note(facts: Facts, snap) -> str:
    """The 说明 of the BAC line: the charter budget, or the baseline moved by approved changes."""
    if snap.cost.budget == facts.budget_total:
        return "项目章程批准的成本预算"
    return "章程预算加已批准变更的预算调整（见变更记录）"


def _baseline(facts: Facts, report, snap) -> dict:
    """The budget baseline of this report (``figures/baseline.py``): the charter budget, the changes
    approved by the report's date (the 变更记录) and the baseline they leave (the BAC shown)."""
    day = baseline.report_date(report)
    log = [{"id": e.id, "title": e.title, "approved": e.approved, "budget_change": e.budget_change,
            "after": e.after} for e in baseline.log_until(facts, day)]
    moved = snap.cost.budget - facts.budget_total
    return {"date": day, "original": facts.budget_total, "current": snap.cost.budget, "changed": bool(moved),
            "moved": moved, "moved_text": ("+" if moved > 0 else "−") + format_yuan(abs(moved)) if moved else "",
            "log": log}


def _cost(cost: progress.CostFigures, key: str) -> dict:
    variance = cost.forecast_variance_percent
    direction = None if variance is None else ("超支" if variance > 0 else "节余" if variance < 0 else "持平")
    return {**asdict(cost), "carried": cost.reported_week not in (None, key), "direction": direction,
            "variance_share": abs(variance) if variance is not None else None}


def _signatures(facts: Facts, key: str) -> list[dict]:
    from ..context import doc_block, signatures

    return signatures(doc_block(facts, WEEKLY, key, False))


def key_values(facts: Facts, key: str | None) -> list[str]:
    _, report = _report(facts, key)
    snap = progress.snapshot(facts, key)
    values = [facts.project.project.name, key, f"总体状态：{report.status}", report.status_reason or "",
              cn_date(snap.start), cn_date(snap.end), format_yuan(snap.cost.budget)]
    if snap.cost.actual_cost is not None:
        values += [format_yuan(snap.cost.actual_cost), to_upper(snap.cost.actual_cost)]
    for row in snap.behind:
        values += [row.name, row.delay_reason or "", row.corrective_action or ""]
    values += [s.issue.owner for s in _week_issues(facts, key) if s.issue.owner]
    values += [a.contact for a in report.client_actions if a.contact]
    values += [a.source for a in action_figures.open_in_week(facts, *progress.week_bounds(key))]
    values += [m.name for m in facts.project.milestones]
    return values


def _weeks(project) -> list[str | None]:
    return sorted({w.week for w in project.weekly})


def _wbs_dump(facts: Facts) -> list[dict]:
    """The WBS as JSON data, dumped once per build (``facts.derive``) for every week's fingerprint:
    the same for all of them, and thousands of tasks long in a large programme. Read-only."""
    return [w.model_dump(mode="json") for w in facts.project.wbs]


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """What one week's report is made from: its own data, the snapshot its context shows (which
    carries forward earlier weeks' task states), and what R-WEEK-4 compares it with (the previous
    week's 完成% and cost). Not the rest of the series: R-WEEK-1 is a series rule, recomputed on
    every build, so adding a missing week rebuilds only that week (and the weeks after it whose
    snapshot changes), never the report before the gap."""
    week = next(w for w in facts.project.weekly if w.week == key)
    p = facts.project
    before = progress.previous(facts, key)
    return {
        "week": week.model_dump(mode="json"),
        "context": context(facts, key),
        "previous": None if before is None else {
            "week": before.week, "percent": {r.code: str(r.percent) for r in before.rows},
            "actual_cost": str(before.cost.actual_cost)},
        "files": [_file_of(facts, i) for i, w in enumerate(p.weekly) if w.week == key],
        # the 报告频率 the context shows comes from the 沟通计划 (``communication``), which is not in
        # ``depends_on``: R-COM-4 / R-COM-6 check the plan's names and text in COM, not in every week
        "frequency": progress.report_frequency(facts),
        "wbs": facts.derive(_wbs_dump),
        "risks": [r.model_dump(mode="json") for r in p.risks],
        "issues": [x.model_dump(mode="json") for x in p.issues],
        "organisation": p.organisation.model_dump(mode="json"),
        "milestones": [m.model_dump(mode="json") for m in p.milestones],
        # the whole budget, not only the BAC the context shows: R-COM-4 / R-COM-6 check its text
        "budget": p.budget.model_dump(mode="json"),
        # which action items of the 会议纪要 this report carries (their text, owner, due date and source
        # are in the context above). ``meetings`` is read here, not declared: R-COM-4 / R-COM-6 check
        # a meeting's data in its own 会议纪要, not in every weekly report (as RET with ``weekly``)
        "minutes": [[m.id, j] for m in p.meetings if m.date <= progress.week_bounds(key)[1]
                    for j, a in enumerate(m.actions) if a.closed is None or a.closed > progress.week_bounds(key)[1]],
        # the approved changes behind the baseline and the changes R-CHG-1 names (``figures/baseline.py``)
        "changes": [[c.id, c.title, c.types, str(c.budget_change), c.decision.result, str(c.decision.date)]
                    for c in p.changes],
    }


WEEKLY = register(Artifact(
    code="WEEK",
    sections=SECTIONS,
    context=context,
    rules=(one_report_per_week, delays_explained, red_has_owner, matches_snapshot, overrun_covered),
    series_rules=(series_complete,),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: bool(project.weekly),
    instances=_weeks,
    instance_of=("weekly", "week"),
    fingerprint=_fingerprint,
))
