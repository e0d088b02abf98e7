"""The computed schedule (critical-path method on the Chinese working-day calendar) and the rules
of the schedule documents: R-WBS-*, R-GNT-*, R-PRG-* on broken data give located findings, never
a traceback or a hang."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.figures.schedule import schedule
from salespm_docs.rules import run_data_rules

from conftest import facts_from

load_all()
D = dt.date


def leaf(code, start, end, *preds, effort=5, **more):
    return {"code": code, "name": f"任务{code}", "owner": "张伟", "post": "项目经理", "effort": effort,
            "start": start, "end": end, "predecessors": list(preds), **more}


def plan(example_data, *leaves, project_end=None):
    """Facts of the example with its WBS replaced by one branch ``1`` / ``1.1`` holding ``leaves``."""
    def mutate(data):
        data["wbs"] = [{"code": "1", "name": "项目管理", "owner": "张伟", "post": "项目经理"},
                       {"code": "1.1", "name": "实施", "owner": "张伟", "post": "项目经理"}, *leaves]
        data["weekly"] = []
        if project_end:
            data["project"]["end"] = project_end
    return facts_from(example_data, mutate)


def tasks_of(facts):
    return {t.code: t for t in facts.derive(schedule).tasks}


def findings(facts, code, rule_id):
    return [f for f in run_data_rules(facts, REGISTRY[code], None, code) if f.rule == rule_id]


def test_fs_link_skips_the_qingming_holiday(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-04-01", "2026-04-03"),
                 leaf("1.1.2", "2026-04-07", "2026-04-09", "1.1.1"))
    t = tasks_of(facts)
    assert t["1.1.1"].duration == 3
    # Saturday 4 April to Monday 6 April are the holiday: the successor starts on Tuesday 7 April
    assert t["1.1.2"].early_start == D(2026, 4, 7)
    assert facts.derive(schedule).violations == []


def test_lag_counts_working_days_across_spring_festival(example_data):
    # Friday 13 Feb, then Saturday 14 Feb is a make-up working day, 15–23 Feb the holiday
    facts = plan(example_data, leaf("1.1.1", "2026-02-12", "2026-02-13"),
                 leaf("1.1.2", "2026-02-26", "2026-02-27", "1.1.1 FS+3"))
    t = tasks_of(facts)
    # after the 13th: 14 Feb (make-up), 24 Feb, 25 Feb are the three days of lag
    assert t["1.1.2"].early_start == D(2026, 2, 26)
    assert facts.derive(schedule).violations == []


@pytest.mark.parametrize("link, start, end, earliest", [
    ("1.1.1 SS+2", "2026-03-04", "2026-03-06", D(2026, 3, 4)),     # start ≥ A.start + 2 working days
    ("1.1.1 FF", "2026-03-06", "2026-03-13", D(2026, 3, 6)),        # finish ≥ A.finish: 6 days ending on the 13th
    ("1.1.1 SF+1", "2026-03-02", "2026-03-03", D(2026, 3, 2)),      # finish ≥ A.start + 1
    ("1.1.1 FS-2", "2026-03-12", "2026-03-13", D(2026, 3, 12)),     # a lead of two days: A's last two (12th, 13th)
])
def test_link_types_with_lags(example_data, link, start, end, earliest):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-13"), leaf("1.1.2", start, end, link))
    s = facts.derive(schedule)
    assert tasks_of(facts)["1.1.2"].early_start == earliest
    assert s.violations == []


def test_a_broken_link_is_a_located_rule_finding(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-13"),
                 leaf("1.1.2", "2026-03-12", "2026-03-20", "1.1.1"))
    found = findings(facts, "GNT", "R-GNT-3")
    assert len(found) == 1
    assert found[0].location.startswith("projects/huaxing-crm/wbs.yaml") or "wbs[3].predecessors[0]" in found[0].location
    assert "任务 1.1.2「任务1.1.2」计划 2026-03-12 至 2026-03-20，不满足与前置任务 1.1.1" in found[0].message
    assert "FS（完成—开始）关系：差 2 个工作日；按关系最早可于2026年3月16日开始" in found[0].message
    # the computation follows the link: the task moves to the earliest date it allows
    assert tasks_of(facts)["1.1.2"].early_start == D(2026, 3, 16)


def test_float_and_critical_path(example_data):
    facts = plan(example_data,
                 leaf("1.1.1", "2026-03-02", "2026-03-06"),
                 leaf("1.1.2", "2026-03-09", "2026-03-20", "1.1.1"),     # long branch: critical
                 leaf("1.1.3", "2026-03-09", "2026-03-11", "1.1.1"),     # short branch: 7 days of float
                 leaf("1.1.4", "2026-03-20", "2026-03-20", "1.1.2", "1.1.3", effort=0, milestone=True),
                 project_end="2026-03-20")
    s = facts.derive(schedule)
    t = tasks_of(facts)
    assert [c for c in s.critical_path] == ["1.1.1", "1.1.2", "1.1.4"]
    assert t["1.1.3"].total_float == 7 and not t["1.1.3"].critical
    # a milestone sits at the end of its day: right after the task finishing that day, no float lost
    assert t["1.1.4"].duration == 0 and t["1.1.4"].early_start == t["1.1.4"].early_finish == D(2026, 3, 20)
    assert s.finish == D(2026, 3, 20)
    assert findings(facts, "GNT", "R-GNT-5") == [] and s.violations == []


def test_a_milestone_right_after_its_predecessor_holds(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-06"),
                 leaf("1.1.2", "2026-03-06", "2026-03-06", "1.1.1", effort=0, milestone=True),
                 leaf("1.1.3", "2026-03-09", "2026-03-10", "1.1.2"))
    assert facts.derive(schedule).violations == []
    t = tasks_of(facts)
    assert t["1.1.2"].early_start == D(2026, 3, 6) and t["1.1.3"].early_start == D(2026, 3, 9)


def test_finish_must_be_the_project_end(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-06"), project_end="2026-06-30")
    (found,) = findings(facts, "GNT", "R-GNT-5")
    assert found.message == ("按前置关系计算的完工日期（关键路径结束）为2026年3月6日，早于项目结束日期2026年6月30日："
                             "请调整计划或项目结束日期（project.end），使二者一致")


def test_cycle_is_named_and_located_never_a_hang(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-06", "1.1.3"),
                 leaf("1.1.2", "2026-03-09", "2026-03-13", "1.1.1"),
                 leaf("1.1.3", "2026-03-16", "2026-03-20", "1.1.2"),
                 leaf("1.1.4", "2026-03-23", "2026-03-27", "1.1.3"))
    started = time.perf_counter()
    s = facts.derive(schedule)
    assert time.perf_counter() - started < 5
    assert s.cycles == [["1.1.1", "1.1.2", "1.1.3"]]
    (found,) = findings(facts, "GNT", "R-GNT-2")
    assert found.message == "前置关系形成循环：1.1.1 → 1.1.2 → 1.1.3 → 1.1.1；进度无法排定，请删去其中一个前置关系"
    assert found.location.startswith("wbs[2].predecessors") or ":" in found.location
    # the rest is still scheduled
    assert tasks_of(facts)["1.1.4"].early_start == D(2026, 3, 23)


def test_tangled_cycles_and_a_self_link(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-06", "1.1.2"),
                 leaf("1.1.2", "2026-03-09", "2026-03-13", "1.1.1", "1.1.3"),
                 leaf("1.1.3", "2026-03-16", "2026-03-20", "1.1.2"),
                 leaf("1.1.4", "2026-03-23", "2026-03-27", "1.1.4", "1.1.3"))
    s = facts.derive(schedule)
    # one component {1.1.1, 1.1.2, 1.1.3} (named by its shortest cycle), and the self-link
    assert s.cycles == [["1.1.1", "1.1.2"], ["1.1.4"]]
    messages = [f.message for f in findings(facts, "GNT", "R-GNT-2")]
    assert "前置关系形成循环：1.1.4 → 1.1.4；进度无法排定，请删去其中一个前置关系" in messages
    assert len(s.tasks) == 4 and tasks_of(facts)["1.1.4"].early_start == D(2026, 3, 23)


def test_link_to_a_missing_task_is_located(example_data):
    facts = plan(example_data, leaf("1.1.1", "2026-03-02", "2026-03-06", "9.9.9 SS+1"))
    (found,) = findings(facts, "GNT", "R-GNT-1")
    assert found.message == "任务 1.1.1 的前置任务 9.9.9SS+1 不存在于工作分解结构（wbs）中，请检查编码"
    assert "wbs[2].predecessors[0]" in found.location


def test_link_to_a_parent_stands_for_its_leaves(example_data):
    def mutate(data):
        data["wbs"] = [{"code": "1", "name": "项目管理", "owner": "张伟", "post": "项目经理"},
                       {"code": "1.1", "name": "调研", "owner": "张伟", "post": "项目经理"},
                       leaf("1.1.1", "2026-03-02", "2026-03-06"), leaf("1.1.2", "2026-03-02", "2026-03-11"),
                       {"code": "1.2", "name": "实施", "owner": "张伟", "post": "项目经理"},
                       leaf("1.2.1", "2026-03-12", "2026-03-13", "1.1")]
        data["weekly"] = []
    facts = facts_from(example_data, mutate)
    s = facts.derive(schedule)
    assert {(link.before, link.after) for link in s.links} == {("1.1.1", "1.2.1"), ("1.1.2", "1.2.1")}
    assert s.violations == []


def test_bad_wbs_data_gives_located_findings(example_data):
    def mutate(data):
        data["wbs"] = [{"code": "1", "name": "项目管理", "owner": "张伟", "post": "项目经理", "effort": 99},
                       {"code": "1.1", "name": "实施", "owner": "张伟", "post": "项目经理"},
                       leaf("1.1.1", "2026-03-02", "2026-03-06"),
                       {"code": "1.1.2", "name": "没有日期", "owner": "张伟", "post": "项目经理"}]
        data["weekly"] = []
    facts = facts_from(example_data, mutate)
    (dates,) = findings(facts, "WBS", "R-WBS-4")
    assert dates.message == "叶子任务 1.1.2「没有日期」缺少工作量（effort）、计划开始（start）、计划结束（end）"
    assert "wbs[3]" in dates.location
    # the parent's effort cannot be compared with children of unknown effort; with it given:
    facts = facts_from(example_data, lambda d: (mutate(d), d["wbs"][3].update(effort=2, start="2026-03-09",
                                                                              end="2026-03-10")))
    (sums,) = findings(facts, "WBS", "R-WBS-5")
    assert sums.message == ("1「项目管理」的工作量写为 99 人天，而其下级合计 7 人天；"
                            "上级工作量应等于下级之和（或不填，由下级汇总）")
    assert "wbs[0].effort" in sums.location


def test_weekly_actuals_checked_against_the_plan(example_data):
    last = max(range(len(example_data["weekly"])), key=lambda i: example_data["weekly"][i]["week"])

    def mutate(data):
        week = data["weekly"][last]
        week["tasks"] = [*week.get("tasks", []), {"task": "8.8.8", "percent": 10, "actual_start": "2026-06-22"},
                         {"task": "1.2.2", "actual_start": "2026-06-29", "actual_end": "2031-01-01", "percent": 100}]
    facts = facts_from(example_data, mutate)
    (unknown,) = findings(facts, "PRG", "R-PRG-5")
    assert unknown.message.endswith("报告的任务 8.8.8 不在工作分解结构（wbs）中，无法计入项目进度表")
    future = findings(facts, "PRG", "R-PRG-3")
    assert any("任务 1.2.2 的实际结束 2031-01-01 在报告日期" in f.message and "不能是将来的日期" in f.message
               for f in future)
    assert all(f"weekly[{last}].tasks" in f.location or "weekly/" in f.location for f in future)


def test_example_schedules_hold(examples_facts=None):
    from pathlib import Path

    from salespm_docs.build import Workspace, load_facts

    root = Path(__file__).resolve().parent.parent
    for slug in ("huaxing-crm", "yuanhang-srm"):
        facts = load_facts(Workspace(root), slug)
        s = facts.derive(schedule)
        assert s.unknown == [] and s.cycles == [] and s.violations == []
        assert s.finish == facts.project.project.end
        for code in ("WBS", "GNT", "PRG"):
            assert run_data_rules(facts, REGISTRY[code], None, code) == [], (slug, code)
    yuanhang = load_facts(Workspace(root), "yuanhang-srm").derive(schedule)
    with_baseline = [t.code for t in yuanhang.tasks if t.baseline_end]
    assert with_baseline == ["4.1.3", "4.2.2", "4.3.1"]
    assert {link.type for link in yuanhang.links} == {"FS", "SS", "FF"}


# -- bad input through the command line: located, non-zero, no traceback -------------------------

def _yuanhang(tmp_path):
    from conftest import ROOT, make_workspace

    return make_workspace(tmp_path, ("yuanhang-srm", ROOT / "projects" / "yuanhang-srm"))


@pytest.mark.slow
def test_percent_over_100_in_a_weekly_file_is_refused_with_its_line(tmp_path):
    from conftest import cli

    root = _yuanhang(tmp_path)
    path = root / "projects" / "yuanhang-srm" / "weekly" / "2026-W47.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    percent: 80\n" in text
    line = text[:text.index("    percent: 80\n")].count("\n") + 1
    path.write_text(text.replace("    percent: 80\n", "    percent: 120\n", 1), encoding="utf-8")
    result = cli(root, "check", "yuanhang-srm", "-j", "1")
    assert result.exit_code == 2
    assert f"weekly/2026-W47.yaml:{line}: weekly[10].tasks[0].percent: 百分数应在 0–100 之间，实际为 120" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_dependency_cycle_through_the_command_line(tmp_path):
    from conftest import cli

    root = _yuanhang(tmp_path)
    path = root / "projects" / "yuanhang-srm" / "wbs.yaml"
    text = path.read_text(encoding="utf-8")
    # 2.1.1 comes after 1.1.1; make 1.1.1 come after 2.2.1 (which comes after 2.1.1): a cycle
    anchor = '  - code: "1.1.1"\n'
    at = text.index(anchor)
    end = text.index("    end: 2026-09-11\n", at) + len("    end: 2026-09-11\n")
    line = text[:end].count("\n") + 1
    path.write_text(text[:end] + '    predecessors: ["2.2.1"]\n' + text[end:], encoding="utf-8")
    result = cli(root, "check", "yuanhang-srm", "-j", "1", "--only", "GNT")
    assert result.exit_code == 1, result.output
    assert (f"wbs.yaml:{line}: wbs[2].predecessors: 前置关系形成循环：1.1.1 → 2.1.1 → 2.2.1 → 1.1.1；"
            "进度无法排定，请删去其中一个前置关系") in result.output
    assert "Traceback" not in result.output


def test_a_plan_at_the_end_of_the_calendar_is_scheduled(example_data):
    """Year 9999 (no holiday tables): the working-day axis stops at the last date, no overflow."""
    def mutate(data):
        data["project"]["start"], data["project"]["end"] = "9999-11-01", "9999-12-31"
        data["project"].pop("status_date", None)
        data["wbs"] = [{"code": "1", "name": "项目管理", "owner": "张伟", "post": "项目经理"},
                       {"code": "1.1", "name": "实施", "owner": "张伟", "post": "项目经理"},
                       leaf("1.1.1", "9999-11-01", "9999-12-10"), leaf("1.1.2", "9999-12-13", "9999-12-31", "1.1.1 FS+5")]
        data["weekly"] = []
    facts = facts_from(example_data, mutate)
    s = facts.derive(schedule)
    assert s.workdays[-1] <= D(9999, 12, 31)
    t = tasks_of(facts)
    # the lag pushes 1.1.2 past its planned start: reported (R-GNT-3), never an overflow
    assert t["1.1.2"].early_start == D(9999, 12, 20) and len(s.violations) == 1
    from salespm_docs.charts.gantt import gantt_pages
    from salespm_docs.charts.scurve import s_curve
    from salespm_docs.figures.schedule import earned_value, tracked

    assert len(gantt_pages(facts.derive(tracked))) == 1
    points = facts.derive(earned_value)
    assert points[-1].end == D(9999, 12, 31) or points[-1].end.year == 9999
    assert s_curve(points, facts.today).svg.startswith("<svg")


def test_week_4_compares_a_weekly_report_with_the_progress_register(example_data):
    """R-WEEK-4: the figures a weekly report shows are those of the 进度表 of its week; a report
    whose context says otherwise (here: one task's 完成% and the EV) is a finding naming both."""
    from salespm_docs.artifacts import prg, week

    facts = facts_from(example_data)
    key = max(w.week for w in facts.project.weekly)
    shown = week.context(facts, key)
    assert prg.week_disagreements(facts, key, shown) == []
    assert [f for f in run_data_rules(facts, REGISTRY["WEEK"], key, key) if f.rule == "R-WEEK-4"] == []
    row = shown["tasks"][0]
    shown["tasks"][0] = {**row, "percent": row["percent"] - 10}
    shown["cost"] = {**shown["cost"], "earned_value": shown["cost"]["earned_value"] + 1}
    found = prg.week_disagreements(facts, key, shown)
    assert f"任务 {row['code']} 的完成%：周报为 {row['percent'] - 10}，项目进度表为 {row['percent']}" in found
    assert any(m.startswith("EV：周报为 ") for m in found) and len(found) == 2


@pytest.mark.parametrize("slug", ["huaxing-crm", "yuanhang-srm"])
def test_the_milestone_count_is_said_only_when_there_are_milestones(slug):
    """「28 项叶子任务（含里程碑 0 个）」 read as if the project had no milestones (huaxing-crm has seven,
    kept outside the WBS): the bracket is said only when the WBS holds milestones."""
    import re

    from salespm_docs.build import Renderer, Workspace
    from salespm_docs.context import build_context

    from conftest import ROOT, example_facts

    facts = example_facts(slug)
    renderer = Renderer(Workspace(ROOT))
    milestones = sum(1 for item in facts.project.wbs if item.milestone)
    for code, sentence in (("GNT", r"(\d+) 项叶子任务(（含里程碑 (\d+) 个）)?及其"),
                           ("WBS", r"其中叶子任务 (\d+) 项(（含里程碑 (\d+) 个）)?，")):
        html = renderer.pdf.html(f"{code}.html", build_context(facts, REGISTRY[code], None, False))
        found = re.search(sentence, html)
        assert found, f"{code}: {sentence}"
        assert found.group(3) == (str(milestones) if milestones else None), found.group(0)
    assert (slug == "yuanhang-srm") == (milestones > 0)
