"""Stages as projects run them, and series findings (issue 10).

- 执行 and 监控 run together (ARTIFACTS.md §3): 周进度报告 are due from the start of 执行.
- R-WEEK-1 (no missing week) is a finding about the series of reports: shown by ``status``, in the
  completeness report, the manifest, the build's totals and ``check``, located at the file to create,
  and it makes no existing report a draft.
- ``project.status_date`` (数据截至日期) pins the date the rules compare against, so a static
  example does not rot as days pass.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import yaml

from salespm_docs import incremental
from salespm_docs.artifacts.registry import REGISTRY, Artifact, Instance, buildable, load_all
from salespm_docs.build import Workspace, build, load_facts, plan, series_findings
from salespm_docs.errors import ChecksFailed, DataError
from salespm_docs.extract import docx_text
from salespm_docs.rules import run_data_rules
from salespm_docs.stages import reached
from salespm_docs.status import is_due, statuses

from conftest import EXAMPLE, EXAMPLES, ROOT, cli, facts_from, make_workspace, write_yaml

load_all()
WEEK = REGISTRY["WEEK"]
MIDWAY = "yuanhang-srm"


def epoch(year: int, month: int, day: int) -> str:
    return str(int(dt.datetime(year, month, day, tzinfo=dt.timezone.utc).timestamp()))


@pytest.fixture
def december(monkeypatch):
    """"Today" is 2026-12-01 (Tuesday of 2026-W49): 2026-W48 is over."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2026, 12, 1))


def set_line(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- 1. stages ------------------------------------------------------------------------------

def test_monitoring_runs_with_execution():
    assert reached("监控", "执行") and reached("执行", "监控")
    assert reached("启动", "执行") and reached("监控", "收尾")
    assert not reached("收尾", "执行") and not reached("收尾", "监控")
    assert not reached("执行", "规划") and not reached("监控", "规划")


def test_weekly_reports_are_due_from_execution_and_execution_documents_in_monitoring():
    assert is_due(WEEK, "执行") and is_due(WEEK, "监控")
    assert not is_due(WEEK, "规划")
    requirements = Artifact(code="REQ", sections=(), context=lambda facts, key: {})  # an 执行 document
    assert is_due(requirements, "监控") and is_due(requirements, "执行") and not is_due(requirements, "规划")
    assert not is_due(REGISTRY["ACC"], "执行") and not is_due(REGISTRY["ACC"], "监控")


def test_status_of_the_midway_example_has_its_weekly_reports_due(december):
    [s] = statuses(ROOT, MIDWAY)
    assert s.stage == "执行"
    weeks = [d for d in s.documents if d.artifact.code == "WEEK"]
    assert len(weeks) == 11 and all(d.due for d in weeks)
    result = cli(ROOT, "status", MIDWAY)
    assert result.exit_code == 0
    # only the 回款跟踪表 is listed before its stage: the payments are tracked from the first one
    assert [line for line in result.stdout.splitlines() if "未到阶段" in line] == [
        line for line in result.stdout.splitlines() if "PAY 回款跟踪表" in line and "收尾（未到阶段）" in line]
    assert "未到阶段" in result.stdout


def test_status_says_not_yet_due_only_for_documents_truly_not_due(tmp_path):
    """A 收尾 document whose data exists while the project is in 执行 is shown, not due: the
    closed example's 收尾 documents (ACC, PAY, RET, PERF, SALES), and no other."""
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    set_line(root / "projects" / EXAMPLE / "project.yaml", "  stage: 收尾", "  stage: 执行")
    [s] = statuses(root, EXAMPLE)
    due = {d.artifact.code: d.due for d in s.documents}
    assert due["WEEK"] and due["OPP"] and due["CHT"] and due["MAIL"]
    assert not due["ACC"] and not due["RET"] and not due["PAY"] and not due["PERF"] and not due["SALES"]
    project = load_facts(Workspace(root), EXAMPLE).project
    closing = [a for a in buildable() if a.stage == "收尾" and a.present(project) and not a.made_by]
    assert {code for code, d in due.items() if not d} == {a.code for a in closing}
    lines = cli(root, "status", EXAMPLE).stdout.splitlines()
    not_due = [line for line in lines if "未到阶段" in line]
    assert len(not_due) == sum(len(a.instances(project)) for a in closing)
    for a in closing:
        assert any(f"{a.code} {a.title}" in line and "收尾（未到阶段）" in line for line in not_due), a.code


# -- 2. R-WEEK-1 belongs to the series -------------------------------------------------------

def test_a_missing_week_is_no_finding_of_the_report_before_it(tmp_path, december):
    """Without a status date, on 2026-12-01, yuanhang-srm lacks 2026-W48: a series finding only."""
    root = make_workspace(tmp_path, (MIDWAY, ROOT / "projects" / MIDWAY))
    set_line(root / "projects" / MIDWAY / "project.yaml", "  status_date: 2026-11-24\n", "")
    facts = load_facts(Workspace(root), MIDWAY)
    assert facts.today == dt.date(2026, 12, 1)
    for key in WEEK.instances(facts.project):
        assert [str(f) for f in run_data_rules(facts, WEEK, key, f"WEEK {key}")] == [], key
    [f] = series_findings(facts)
    assert (f.rule, f.severity, f.document) == ("R-WEEK-1", "E", "WEEK 系列")
    assert f.location == "projects/yuanhang-srm/weekly/2026-W48.yaml"
    assert f.message == (
        "缺少 2026-W48 的周进度报告（weekly/2026-W48.yaml）：报告频率为「每周」，自首份周报 2026-W37 起每周都应有报告，"
        "应报至 2026-W48（截至今天2026年12月1日；若项目数据只更新到更早的某一天，"
        "请在 project.yaml 中填写 project.status_date（数据截至日期））")
    [s] = statuses(root, MIDWAY)
    [series] = s.series
    assert (series.artifact.code, series.count, series.state, series.errors) == ("WEEK", 11, "incomplete", 1)
    assert all(d.state == "complete" for d in s.documents if d.artifact.code == "WEEK")


def test_a_gap_in_the_middle_is_located_at_the_file_to_create(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    (root / "projects" / EXAMPLE / "weekly" / "2026-W12.yaml").unlink()
    facts = load_facts(Workspace(root), EXAMPLE)
    assert [f.rule for key in WEEK.instances(facts.project)
            for f in run_data_rules(facts, WEEK, key, key) if f.rule == "R-WEEK-1"] == []
    [f] = series_findings(facts)
    assert f.location == "projects/huaxing-crm/weekly/2026-W12.yaml"
    assert f.message == ("缺少 2026-W12 的周进度报告（weekly/2026-W12.yaml）：报告频率为「每周」，"
                         "自首份周报 2026-W02 起每周都应有报告，应报至 2026-W25（项目已于2026年6月18日验收，此后不再要求周报）")


def test_two_reports_for_one_week_stay_a_finding_of_that_weeks_report(example_data):
    """A duplicate makes that week's report doubtful (which file is it?): an instance finding."""
    def duplicate(d):
        d["weekly"].append(dict(next(w for w in d["weekly"] if w["week"] == "2026-W18")))
    facts = facts_from(example_data, duplicate)
    found = [f for key in WEEK.instances(facts.project) for f in run_data_rules(facts, WEEK, key, f"WEEK {key}")
             if f.rule == "R-WEEK-1"]
    assert [f.document for f in found] == ["WEEK 2026-W18"]
    assert "2026-W18 有 2 份周报" in found[0].message
    assert series_findings(facts) == []


@pytest.fixture(scope="module")
def gap(tmp_path_factory):
    """yuanhang-srm cut at 2026-W41 with data as of 2026-10-27: 2026-W42 and W43 are missing."""
    root = make_workspace(tmp_path_factory.mktemp("gap"), (MIDWAY, ROOT / "projects" / MIDWAY))
    folder = root / "projects" / MIDWAY
    for n in range(42, 48):
        (folder / "weekly" / f"2026-W{n}.yaml").unlink()
    set_line(folder / "project.yaml", "status_date: 2026-11-24", "status_date: 2026-10-27")
    for later in (*(folder / "meetings").glob("2026-11-*.yaml"), *(folder / "changes").iterdir()):
        later.unlink()  # the 周例会 of 11月10日 and 17日, and CR-01 (11月11日), had not happened yet
    # nor had the 执行-stage satisfaction survey (11月13日)
    surveys = yaml.safe_load((folder / "surveys.yaml").read_text(encoding="utf-8"))["surveys"]
    assert surveys and all(x["date"] > dt.date(2026, 10, 27) for x in surveys)
    (folder / "surveys.yaml").unlink()
    # the 问题清单 as it stood on 10月27日: I01 solved, I02 (raised 10月21日) still being worked on
    issues = yaml.safe_load((folder / "issues.yaml").read_text(encoding="utf-8"))["issues"][:2]
    for key in ("resolved", "resolution"):
        issues[1].pop(key)
    issues[1]["status"] = "处理中"
    write_yaml(folder / "issues.yaml", {"issues": issues})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", epoch(2026, 12, 1))
        result = build(root, MIDWAY)
    return root, result


def added_week(root, week: str) -> set[str]:
    """What writing a missing week rebuilds: that week's documents (its report and its mail); the
    Gantt chart's progress, the 进度表 and PLAN (whose KPIs show the latest week's SPI and CPI); and
    every client-facing document (REQ, SOL, every week's mail …): a week's cost is an internal
    figure they must not show (R-COM-8), so adding one re-checks them (incremental.Fingerprints
    hashes the internal figures for them)."""
    facts = load_facts(Workspace(root), MIDWAY)
    documents = plan(facts)[0]
    own = {i.label for i in documents
           if i.artifact.instance_of is not None and i.artifact.instance_of[0] == "weekly" and i.key == week}
    assert {f"WEEK {week}", f"MAIL {week}"} <= own
    client = {i.label for i in documents if i.artifact.audience_for(facts.settings) == "client"}
    assert {"REQ", "SOL", f"MAIL {week}"} <= client
    return own | {"GNT", "PRG", "PLAN"} | client

GAP_MESSAGE = ("缺少 2026-W42、2026-W43 的周进度报告（weekly/2026-W42.yaml、weekly/2026-W43.yaml）："
               "报告频率为「每周」，自首份周报 2026-W37 起每周都应有报告，应报至 2026-W43（数据截至2026年10月27日）")


def test_build_counts_the_series_finding_and_keeps_the_report_before_the_gap_final(gap):
    root, result = gap
    [f] = result.series_findings
    assert (f.rule, f.document, f.location) == ("R-WEEK-1", "WEEK 系列", "projects/yuanhang-srm/weekly/2026-W42.yaml")
    assert f.message == GAP_MESSAGE
    assert f in result.findings and result.errors() == [f]  # the only error: `check` fails because of it
    weeks = {d.instance.key: d for d in result.documents if d.instance.artifact.code == "WEEK"}
    assert sorted(weeks) == [f"2026-W{n}" for n in range(37, 42)]
    last = weeks["2026-W41"]
    assert last.complete and not any(x.rule == "R-WEEK-1" for x in last.findings)
    docx = next(x.path for x in last.files if x.format == "docx")
    assert "「草稿」" not in docx_text(docx).text  # approved and complete: final, not a draft


def test_the_report_and_the_manifest_show_the_series(gap):
    root, result = gap
    out = root / "output" / MIDWAY
    report = (out / "完整性报告.md").read_text(encoding="utf-8")
    assert "数据截至：2026年10月27日" in report
    assert "## 系列检查\n\n- WEEK 周进度报告（共 5 份）[R-WEEK-1] 周进度报告按沟通频率连续，无缺周：1 个错误\n" in report
    assert (f"- **[R-WEEK-1] 错误** WEEK 系列　`projects/yuanhang-srm/weekly/2026-W42.yaml`：{GAP_MESSAGE}"
            in report)
    errors = len(result.errors())
    assert f"错误 {errors} 个，警告 {len(result.warnings())} 个（含系列检查发现 1 个）" in report
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["series_findings"] == [{
        "artifact": "WEEK", "rule": "R-WEEK-1", "severity": "E",
        "location": "projects/yuanhang-srm/weekly/2026-W42.yaml", "message": GAP_MESSAGE}]
    assert manifest["status_date"] == "2026-10-27"
    assert {"project", "project_code", "project_name", "stage", "generated", "generator", "files",
            "missing"} <= set(manifest)
    for entry in manifest["files"]:
        assert {"artifact", "title", "format", "path", "sha256", "complete"} <= set(entry)
        if entry["artifact"] == "WEEK":
            assert entry["complete"] and entry["errors"] == 0


def test_check_and_strict_and_status_report_the_series_finding(gap, monkeypatch):
    root, _ = gap
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2026, 12, 1))
    checked = cli(root, "check", MIDWAY)
    assert checked.exit_code == 1
    assert (f"[R-WEEK-1] E 错误 WEEK 系列 projects/yuanhang-srm/weekly/2026-W42.yaml: {GAP_MESSAGE}"
            in checked.stdout.replace("\n", ""))
    with pytest.raises(ChecksFailed, match="weekly/2026-W42.yaml"):
        build(root, MIDWAY, strict=True)
    built = cli(root, "build", MIDWAY)
    assert (f"[R-WEEK-1] 错误 WEEK 系列 projects/yuanhang-srm/weekly/2026-W42.yaml：{GAP_MESSAGE}"
            in built.stdout.replace("\n", ""))
    shown = cli(root, "status", MIDWAY).stdout
    assert "当前阶段：执行  数据截至 2026年10月27日" in shown
    assert "WEEK 周进度报告（系列，共 5 份）" in shown and "不完整" in shown
    assert (f"[R-WEEK-1] 错误 WEEK 系列 projects/yuanhang-srm/weekly/2026-W42.yaml：{GAP_MESSAGE}"
            in shown.replace("\n", ""))


def test_series_findings_are_recomputed_and_do_not_hold_back_reuse(gap, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2026, 12, 1))
    root = tmp_path / "ws"
    shutil.copytree(gap[0], root, symlinks=True)
    again = build(root, MIDWAY)
    assert again.rebuilt == [] and [f.message for f in again.series_findings] == [GAP_MESSAGE]
    # Writing the missing 2026-W42 renders that week only: the reports before the gap are reused.
    weekly = root / "projects" / MIDWAY / "weekly"
    shutil.copy(ROOT / "projects" / MIDWAY / "weekly" / "2026-W42.yaml", weekly / "2026-W42.yaml")
    added = build(root, MIDWAY)
    # the new latest report moves the Gantt chart's progress and adds a week to the 进度表
    # and PLAN, whose KPIs show the latest week's SPI and CPI
    assert {d.instance.label for d in added.rebuilt} == added_week(root, "2026-W42")
    [f] = added.series_findings
    assert f.location == "projects/yuanhang-srm/weekly/2026-W43.yaml"
    assert f.message.startswith("缺少 2026-W43 的周进度报告（weekly/2026-W43.yaml）")
    shutil.copy(ROOT / "projects" / MIDWAY / "weekly" / "2026-W43.yaml", weekly / "2026-W43.yaml")
    complete = build(root, MIDWAY)
    assert {d.instance.label for d in complete.rebuilt} == added_week(root, "2026-W43")
    assert complete.series_findings == []


def test_a_weeks_fingerprint_does_not_depend_on_later_weeks(example_data):
    facts = facts_from(example_data)
    fewer = facts_from(example_data, lambda d: d["weekly"].pop())  # without the last report
    prints = incremental.Fingerprints(facts, ROOT / "templates")
    prints_fewer = incremental.Fingerprints(fewer, ROOT / "templates")
    for key in ("2026-W02", "2026-W20"):
        assert prints.of(Instance(WEEK, key)) == prints_fewer.of(Instance(WEEK, key))


# -- 3. the status date -----------------------------------------------------------------------

def test_status_date_is_what_the_rules_compare_against(december):
    facts = load_facts(Workspace(ROOT), MIDWAY)
    assert facts.project.project.status_date == dt.date(2026, 11, 24)
    assert facts.today == dt.date(2026, 11, 24)
    assert series_findings(facts) == []


@pytest.mark.parametrize("day", [(2026, 12, 1), (2027, 3, 1), (2028, 6, 30)])
def test_the_examples_do_not_rot(monkeypatch, day):
    """Months later both examples still show every weekly report due and complete, no missing week."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(*day))
    for s in statuses(ROOT):
        if s.slug not in EXAMPLES:
            continue
        assert s.error is None, s.error
        weeks = [d for d in s.documents if d.artifact.code == "WEEK"]
        assert weeks and all(d.due and d.state == "complete" for d in weeks), s.slug
        [series] = s.series
        assert series.findings == [], [str(f) for f in series.findings]


def _with_status_date(tmp_path, value: str):
    root = make_workspace(tmp_path, (MIDWAY, ROOT / "projects" / MIDWAY))
    set_line(root / "projects" / MIDWAY / "project.yaml", "status_date: 2026-11-24", f"status_date: {value}")
    return root


def test_a_status_date_in_the_future_is_a_located_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2026, 11, 20))
    root = _with_status_date(tmp_path, "2026-11-24")
    with pytest.raises(DataError) as info:
        load_facts(Workspace(root), MIDWAY)
    assert "projects/yuanhang-srm/project.yaml:" in str(info.value)
    assert ("project.status_date: 数据截至日期 2026-11-24 晚于今天（2026-11-20）：项目数据不能截至未来的日期"
            in str(info.value))


def test_a_status_date_before_the_project_start_is_a_located_error(tmp_path):
    root = _with_status_date(tmp_path, "2026-09-01")
    with pytest.raises(DataError) as info:
        load_facts(Workspace(root), MIDWAY)
    assert "project.status_date: 数据截至日期 2026-09-01 早于项目开始日期 2026-09-07" in str(info.value)


def test_a_missing_week_message_names_the_status_date(tmp_path, december):
    root = _with_status_date(tmp_path, "2026-11-30")
    [f] = series_findings(load_facts(Workspace(root), MIDWAY))
    assert f.message.endswith("应报至 2026-W48（数据截至2026年11月30日）")


# -- R-WEEK-1 as a series rule: frequency and closed projects (formerly per-document) ---------

def test_the_report_frequency_comes_from_config(tmp_path):
    """Without a 周进度报告 row in the 沟通计划 (the row's frequency wins: tests/test_com.py)."""
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    folder = root / "projects" / EXAMPLE
    (folder / "weekly" / "2026-W12.yaml").unlink()
    assert [f.location for f in series_findings(load_facts(Workspace(root), EXAMPLE))] == [
        "projects/huaxing-crm/weekly/2026-W12.yaml"]
    data = folder / "project.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("  - name: 周进度报告\n", "  - name: 周报（旧）\n"),
                    encoding="utf-8")
    (folder / "config.yaml").write_text("communication:\n  report_frequency: 每两周\n", encoding="utf-8")
    assert series_findings(load_facts(Workspace(root), EXAMPLE)) == []
    (folder / "weekly" / "2026-W13.yaml").unlink()
    [f] = series_findings(load_facts(Workspace(root), EXAMPLE))
    assert f.location == "projects/huaxing-crm/weekly/2026-W12.yaml"
    assert f.message == ("2026-W12 至 2026-W13 连续 2 周没有周进度报告：报告频率为「每两周」，每 2 周至少应有一份，"
                         "应报至 2026-W25（项目已于2026年6月18日验收，此后不再要求周报）")


def test_a_closed_project_without_acceptance_reports_until_its_end(example_data):
    facts = facts_from(example_data, lambda d: [d.pop("acceptance"), d["weekly"].pop()])
    [f] = series_findings(facts)
    assert f.location == "projects/huaxing-crm/weekly/2026-W27.yaml"
    assert f.message.startswith("缺少 2026-W27 的周进度报告")
    assert f.message.endswith("应报至 2026-W27（项目已于2026年6月30日结束，此后不再要求周报）")
