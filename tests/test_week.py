"""周进度报告: one DOCX + PDF per reported week, read as a person would; rules R-WEEK-1…4 on broken data."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal

import pytest

from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.artifacts.week import SECTIONS, context
from salespm_docs.build import Workspace, load_facts, run_series_rules
from salespm_docs.check import squash
from salespm_docs.errors import DataError
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.figures import outcomes, progress
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLE, ROOT, facts_from, in_order, make_workspace, write_yaml

load_all()
WEEK = REGISTRY["WEEK"]
SLIPPED, RED = "2026-W09", "2026-W18"
WEEKS = sorted(p.stem for p in (ROOT / "projects" / EXAMPLE / "weekly").glob("*.yaml"))


def name(week: str, fmt: str) -> str:
    return f"WEEK_周进度报告_{week}_V1.0.{fmt}"


@pytest.fixture(scope="module")
def texts(example_build):
    out, _ = example_build
    return {w: (docx_text(out / name(w, "docx")), pdf_text(out / name(w, "pdf"))[0]) for w in (SLIPPED, RED)}


def findings(facts, rule_id: str | None = None) -> list:
    """Every WEEK finding: each report's own, then the series' (R-WEEK-1's missing weeks)."""
    found = [f for key in WEEK.instances(facts.project) for f in run_data_rules(facts, WEEK, key, f"WEEK {key}")]
    found += run_series_rules(facts, WEEK)
    return [f for f in found if rule_id is None or f.rule == rule_id]


def week(data: dict, label: str) -> dict:
    return next(w for w in data["weekly"] if w["week"] == label)


def task(data: dict, label: str, code: str) -> dict:
    return next(t for t in week(data, label)["tasks"] if t["task"] == code)


# -- the rendered documents ------------------------------------------------------------------

def test_one_document_per_reported_week(example_build):
    out, result = example_build
    built = sorted(d.instance.key for d in result.documents if d.instance.artifact.code == "WEEK")
    assert built == WEEKS and len(WEEKS) == 25
    assert "2026-W08" not in WEEKS  # 春节: no working day, no report
    for w in WEEKS:
        assert (out / name(w, "docx")).exists() and (out / name(w, "pdf")).exists()
    assert all(d.complete for d in result.documents if d.instance.artifact.code == "WEEK")


@pytest.mark.parametrize("label", [SLIPPED, RED])
@pytest.mark.parametrize("fmt", [0, 1], ids=["docx", "pdf"])
def test_every_section_in_order(texts, label, fmt):
    text = texts[label][fmt].text if fmt == 0 else texts[label][fmt]
    assert in_order(text, SECTIONS)


@pytest.mark.parametrize("label", [SLIPPED, RED])
def test_docx_headings_are_the_sections(texts, label):
    headings = [squash(h) for h in texts[label][0].headings]
    for section in SECTIONS:
        assert any(section in h for h in headings), section


def test_slipped_week_shows_plan_actual_and_reason_in_docx(texts):
    tables = [t for t in texts[SLIPPED][0].tables if t and "延期原因" in t[0]]
    [row] = [r for t in tables for r in t if r[0] == "3.1.1"]
    assert row[:5] == ["3.1.1", "方案设计", "5", "7", "2"]
    assert row[5].startswith("客户需求增加2个模块")
    assert "春节后首日完成" in row[6]
    [progress_row] = [r for t in texts[SLIPPED][0].tables if t and "计划起止" in t[0] for r in t if r[0] == "3.1.1"]
    assert progress_row[3] == "2026-02-09\n2026-02-13" and progress_row[5] == "2026-02-09\n2026-02-24"
    assert [progress_row[i] for i in (4, 6, 7, 8, 9)] == ["5", "7", "100%", "2", "延期完成"]


def test_slipped_week_shows_plan_actual_and_reason_in_pdf(texts):
    flat = squash(texts[SLIPPED][1])
    assert "3.1.1方案设计572客户需求增加2个模块" in flat
    assert "3.1.1方案设计陈刚2026-02-092026-02-1352026-02-092026-02-247100%2延期完成" in flat


def test_red_week_names_issue_and_owner(texts):
    docx, pdf = texts[RED]
    assert "总体状态：红" in docx.text and "总体状态：红" in squash(pdf)
    # the issues of the 问题清单 open during W18 (4月27日–5月3日), as they stood on 5月3日
    [issues] = [t for t in docx.tables if t and t[0] == ["编号", "问题", "责任人", "计划解决\n日期", "当前\n级别", "状态"]]
    assert [r[0] for r in issues[1:]] == ["I05", "I06"]
    assert issues[1][2:] == ["孙磊", "2026-05-08", "管理层", "处理中"] and issues[1][1].startswith("U9 订单同步接口")
    # I06 was raised on 4月29日 and went to 管理层 on 5月6日: at the end of W18 it stood with the 项目经理
    assert issues[2][2:] == ["赵敏", "2026-05-08", "项目经理", "处理中"]
    assert "同步成功率仅96.8%（目标≥99.9%）孙磊2026-05-08管理层处理中" in squash(pdf)


def test_cost_written_in_words_and_figures(texts):
    for text in (texts[RED][0].text, texts[RED][1]):
        flat = squash(text)
        assert "累计实际成本人民币贰佰柒拾柒万捌仟元整（¥2,778,000.00）" in flat
        assert "项目预算总额人民币叁佰陆拾万元整（¥3,600,000.00）" in flat


@pytest.mark.parametrize("junk", ["{{", "{%", "None", "nan", "TODO", "【待填】", "草稿"])
def test_no_leftovers_and_no_draft_mark(texts, junk):
    for docx, pdf in texts.values():
        assert junk not in docx.text and junk not in pdf


def test_header_carries_the_week_number(texts):
    assert "文档编号：HX-P2026017-WEEK-18" in texts[RED][0].header and "版本：V1.0" in texts[RED][0].header
    assert "文档编号：HX-P2026017-WEEK-18" in squash(texts[RED][1])


# -- figures: the WEEK shows the PRG snapshot of its week (R-WEEK-4 by construction) -----

def test_context_figures_equal_the_progress_snapshot(example_data):
    facts = facts_from(example_data)
    for label in WEEKS:
        snap = progress.snapshot(facts, label)
        ctx = context(facts, label)
        assert ctx["tasks"] == [asdict(r) for r in snap.active]
        assert ctx["behind"] == [asdict(r) for r in snap.behind]
        assert ctx["milestones"] == [asdict(m) for m in snap.milestones]
        assert {k: ctx["cost"][k] for k in asdict(snap.cost)} == asdict(snap.cost)
        assert {c["label"]: c["value"] for c in ctx["cost_lines"]}["累计计划成本（PV）"] == snap.cost.planned_value


def test_slip_counted_in_working_days_on_the_chinese_calendar(example_data):
    snap = progress.snapshot(facts_from(example_data), SLIPPED)
    row = next(r for r in snap.rows if r.code == "3.1.1")
    # 2月9日–24日: 7 working days (2月14日 调休上班, 2月15日–23日 春节)
    assert (row.planned_days, row.actual_days, row.deviation, row.behind) == (5, 7, 2, True)
    assert row.delay_reason.startswith("客户需求增加2个模块")


def test_final_week_gives_the_actual_cost_outcome(example_data):
    facts = facts_from(example_data)
    last = progress.latest(facts)
    assert last.cost.actual_cost == Decimal("3720000.00") == outcomes.actual_cost(facts)
    assert outcomes.cost_variance(facts) == Decimal("3.3")
    assert last.cost.planned_value == last.cost.earned_value == facts.budget_total


def test_reports_are_due_until_acceptance_not_after(example_data):
    facts = facts_from(example_data)
    required = progress.required_weeks(facts)
    assert required[0] == "2026-W02" and required[-1] == "2026-W25"  # acceptance 2026-06-18
    assert "2026-W08" not in required


# -- rules -------------------------------------------------------------------------------

def test_intact_example_has_no_week_finding(example_data):
    assert findings(facts_from(example_data)) == []


BREAKS = {
    "R-WEEK-1": lambda d: [d.pop("acceptance"), d["weekly"].pop()],  # W27 then due (project end 6月30日)
    "R-WEEK-2": lambda d: task(d, SLIPPED, "3.1.1").pop("delay_reason"),
    "R-WEEK-3": lambda d: d["issues"][4].pop("owner"),  # I05, open during W18
    "R-WEEK-4": lambda d: week(d, RED)["tasks"].append({"task": "9.9.9", "percent": 10}),
}


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_rule_fires_on_broken_data(example_data, rule_id):
    assert rule_id in {f.rule for f in findings(facts_from(example_data, BREAKS[rule_id]))}


def test_missing_week_message(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    (root / "projects" / EXAMPLE / "weekly" / "2026-W12.yaml").unlink()
    [f] = week_one_findings(root)
    assert f.document == "WEEK 系列"
    assert f.location == "projects/huaxing-crm/weekly/2026-W12.yaml"
    assert f.message == ("缺少 2026-W12 的周进度报告（weekly/2026-W12.yaml）：报告频率为「每周」，"
                         "自首份周报 2026-W02 起每周都应有报告，应报至 2026-W25（项目已于2026年6月18日验收，此后不再要求周报）")


def test_missing_reason_message(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-WEEK-2"]), "R-WEEK-2")
    assert f.location.startswith("projects/huaxing-crm/weekly/2026-W09.yaml:")
    assert f.location.endswith("weekly[6].tasks[0]")
    assert f.message == ("任务 3.1.1「方案设计」落后于计划 2 个工作日（计划 5 个工作日，实际 7 个工作日），"
                         "缺少延期原因（delay_reason）")


def test_missing_corrective_action_on_a_forecast(example_data):
    facts = facts_from(example_data, lambda d: task(d, RED, "4.2.4").pop("corrective_action"))
    [f] = findings(facts, "R-WEEK-2")
    assert f.message == ("任务 4.2.4「ERP 接口联调」落后于计划 3 个工作日（计划 9 个工作日，预计 12 个工作日），"
                         "缺少纠正措施（corrective_action）")


def test_task_overdue_without_any_report_is_behind(example_data):
    # 4.2.4 was planned to end 4月30日; if W18 says nothing new, it is still unfinished at week end
    facts = facts_from(example_data, lambda d: [task(d, RED, "4.2.4").pop(k) for k in
                                                ("forecast_end", "delay_reason", "corrective_action")])
    messages = [f.message for f in findings(facts, "R-WEEK-2")]
    assert messages == ["任务 4.2.4「ERP 接口联调」落后于计划 1 个工作日（计划 9 个工作日，预计 10 个工作日），"
                        "缺少延期原因（delay_reason）和纠正措施（corrective_action）"]


def test_issue_without_owner_message(example_data):
    # the issue is open during W18 and W19: each report that shows it is incomplete, the finding
    # points at the issue in the register
    found = findings(facts_from(example_data, BREAKS["R-WEEK-3"]), "R-WEEK-3")
    assert [f.document for f in found] == ["WEEK 2026-W18", "WEEK 2026-W19"]
    for f in found:
        assert f.location.startswith("projects/huaxing-crm/issues.yaml:") and f.location.endswith("issues[4]")
        assert f.message == "本周开放的问题 I05「U9 订单同步接口在批量并发写入时出现数据库死锁，同步成功率…」缺少责任人（owner）"


def test_red_status_needs_an_owned_issue_or_risk(example_data):
    def strip(d):
        d["issues"] = [i for i in d["issues"] if i["id"] not in ("I05", "I06")]  # nothing open in W18
        week(d, RED)["risks"] = []
    [f] = findings(facts_from(example_data, strip), "R-WEEK-3")
    assert f.location.endswith("weekly[15].status")
    assert f.message == ("总体状态为红，但本周没有开放的、有责任人的问题（问题清单 issues.yaml）"
                         "或列出的风险（risks，风险登记册中须有责任人）")
    # a risk from the register with an owner is enough
    def risk_only(d):
        strip(d)
        week(d, RED)["risks"] = ["R02"]
    assert findings(facts_from(example_data, risk_only), "R-WEEK-3") == []


def test_client_action_needs_a_client_contact_and_due_date(example_data):
    def breaks(d):
        week(d, RED)["client_actions"][0]["contact"] = "孙磊"
        week(d, RED)["client_actions"][1].pop("due")
    messages = [f.message for f in findings(facts_from(example_data, breaks), "R-WEEK-3")]
    assert any("的负责人 孙磊 不是客户联系人（client.contacts）" in m for m in messages)
    assert any(m.endswith("缺少期限（due）") for m in messages)


SNAPSHOT_BREAKS = {
    "unknown task": (lambda d: week(d, RED)["tasks"].append({"task": "9.9.9", "percent": 10}),
                     "任务 9.9.9 不在工作分解结构（wbs）中"),
    "parent task": (lambda d: week(d, RED)["tasks"].append({"task": "4.2", "percent": 10}),
                    "任务 4.2 不是工作分解结构的叶子任务，周报只报告叶子任务"),
    "100% not ended": (lambda d: task(d, RED, "5.1.1").update(percent=100),
                       "任务 5.1.1「培训材料编写」完成 100%，但没有填写实际结束日期（actual_end）"),
    "ended below 100%": (lambda d: task(d, SLIPPED, "3.1.1").update(percent=90),
                         "任务 3.1.1「方案设计」已填写实际结束日期 2026-02-24，完成% 应为 100%，实际为 90%"),
    "end after the week": (lambda d: task(d, RED, "5.1.1").update(actual_end=dt.date(2026, 5, 8), percent=100),
                           "任务 5.1.1「培训材料编写」的实际结束 2026-05-08 晚于报告期末 2026-05-03"),
    "progress goes back": (lambda d: task(d, RED, "4.2.4").update(percent=20),
                           "任务 4.2.4「ERP 接口联调」的完成% 从上周的 40% 降到 20%，进度不能倒退"),
    "active task unreported": (lambda d: week(d, RED)["tasks"].remove(task(d, RED, "5.1.1")),
                               "任务 5.1.1「培训材料编写」本周处于计划期内或正在进行，但周报没有报告其进展（tasks 中缺少 5.1.1）"),
    "milestone passed": (lambda d: week(d, "2026-W17")["milestones"].pop(0),
                         "里程碑 M4「UAT 通过」计划日期 2026-04-24 已到，状态仍为「进行中」：应标为已完成（填实际日期）或延期（填预计日期）"),
    "unknown milestone": (lambda d: week(d, RED)["milestones"].append({"id": "M9", "status": "进行中"}),
                          "里程碑 M9 不在里程碑计划（milestones）中"),
    "unknown risk": (lambda d: week(d, RED)["risks"].append("R99"), "风险 R99 不在风险登记册（risks）中"),
    "no cost": (lambda d: week(d, RED).pop("cost"),
                "缺少截至本周的成本执行数据（cost.actual_to_date），无法与项目进度表快照核对"),
    "cost goes down": (lambda d: week(d, RED)["cost"].update(actual_to_date=Decimal("2400000.00")),
                       "累计实际成本 ¥2,400,000.00 低于上周的 ¥2,486,000.00，累计值不能减少"),
    "forecast below actual": (lambda d: week(d, RED)["cost"].update(forecast_at_completion=Decimal("2700000.00")),
                              "完工预测成本 ¥2,700,000.00 低于累计实际成本 ¥2,778,000.00"),
    "PV differs": (lambda d: week(d, RED)["cost"].update(planned_to_date=Decimal("2500000.00")),
                   "累计计划成本（PV）¥2,500,000.00 与项目进度表快照按 WBS 与预算计算的 ¥2,674,285.71 不一致（可删去该字段，由系统计算）"),
}


@pytest.mark.parametrize("case", sorted(SNAPSHOT_BREAKS))
def test_snapshot_consistency(example_data, case):
    mutate, message = SNAPSHOT_BREAKS[case]
    assert message in [f.message for f in findings(facts_from(example_data, mutate), "R-WEEK-4")]


def test_stated_pv_equal_to_the_snapshot_is_accepted(example_data):
    facts = facts_from(example_data, lambda d: week(d, RED)["cost"].update(planned_to_date=Decimal("2674285.71")))
    assert findings(facts, "R-WEEK-4") == []


def test_percent_out_of_range_is_refused_by_the_model(example_data):
    with pytest.raises(DataError, match="百分数应在 0–100 之间"):
        facts_from(example_data, lambda d: task(d, RED, "5.1.1").update(percent=120))


# -- frequency from configuration ----------------------------------------------------------

def week_one_findings(root) -> list:
    facts = load_facts(Workspace(root), EXAMPLE)
    return findings(facts, "R-WEEK-1")


def test_report_frequency_comes_from_config(tmp_path):
    """Without a 周进度报告 row in the 沟通计划 the configured frequency applies (with one, the row's:
    tests/test_com.py)."""
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    folder = root / "projects" / EXAMPLE
    (folder / "weekly" / "2026-W12.yaml").unlink()
    assert [f.document for f in week_one_findings(root)] == ["WEEK 系列"]

    data = folder / "project.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("  - name: 周进度报告\n", "  - name: 周报（旧）\n"),
                    encoding="utf-8")
    write_yaml(folder / "config.yaml", {"communication": {"report_frequency": "每两周"}})
    assert week_one_findings(root) == []

    (folder / "weekly" / "2026-W13.yaml").unlink()
    [f] = week_one_findings(root)
    assert f.message == ("2026-W12 至 2026-W13 连续 2 周没有周进度报告：报告频率为「每两周」，每 2 周至少应有一份，"
                         "应报至 2026-W25（项目已于2026年6月18日验收，此后不再要求周报）")


def test_closed_project_without_acceptance_reports_until_its_end(example_data):
    facts = facts_from(example_data, lambda d: d.pop("acceptance"))
    assert progress.finish_date(facts) == dt.date(2026, 6, 30)
    assert progress.required_weeks(facts)[-1] == "2026-W27"
    facts = facts_from(example_data, lambda d: [d.pop("acceptance"), d["weekly"].pop()])
    [f] = findings(facts, "R-WEEK-1")
    assert f.message.startswith("缺少 2026-W27 的周进度报告")
    assert f.message.endswith("应报至 2026-W27（项目已于2026年6月30日结束，此后不再要求周报）")


def test_duplicate_week_is_reported_once(example_data):
    def duplicate(d):
        copy = dict(week(d, RED))
        d["weekly"].append(copy)
    found = findings(facts_from(example_data, duplicate), "R-WEEK-1")
    assert len(found) == 1 and "2026-W18 有 2 份周报" in found[0].message


def test_week_control_block_is_merged_over_documents_week(example_data):
    # classification and status come from documents.WEEK; number, dates and revisions from the week file
    control, path = facts_from(example_data).control("WEEK", RED)
    assert path == ("weekly", 15, "document")
    assert (control.classification, control.status, control.number) == ("内部", "已批准", "HX-P2026017-WEEK-18")
    assert (control.prepared.name, control.prepared.date) == ("张伟", dt.date(2026, 4, 29))
    assert [r.version for r in control.revisions] == ["V0.1", "V1.0"]
