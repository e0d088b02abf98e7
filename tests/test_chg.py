"""CHG 变更申请 and the moving budget baseline: the rendered change requests of both examples, the
weekly reports before and after yuanhang's approved budget change (BAC, 变更记录, earned value),
R-CHG-1 on each weekly report, R-CHG-2 on each change, and the bad inputs (one ID twice, a missing
WBS task, a missing requirement)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from salespm_docs import rules
from salespm_docs.artifacts import ret
from salespm_docs.artifacts.chg import SECTIONS
from salespm_docs.artifacts.prg import context as prg_context
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.week import context as week_context
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.facts import Facts
from salespm_docs.figures import baseline, outcomes, progress
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, example_facts, in_order, make_workspace

load_all()
CHG = REGISTRY["CHG"]
WEEK = REGISTRY["WEEK"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"


def project_facts(slug: str, mutate=None) -> Facts:
    """Facts of (a mutated copy of) an example, as of its status date (else today)."""
    return example_facts(slug, mutate, default=dt.date.today())


def week_findings(facts: Facts, week: str, rule_id: str = "R-CHG-1") -> list:
    return [f for f in run_data_rules(facts, WEEK, week, f"WEEK {week}") if f.rule == rule_id]


def chg_findings(facts: Facts, key: str = "CR-01", rule_id: str | None = "R-CHG-2") -> list:
    return [f for f in run_data_rules(facts, CHG, key, f"CHG {key}") if rule_id is None or f.rule == rule_id]


def change(data: dict, ident: str = "CR-01") -> dict:
    return next(c for c in data["changes"] if c["id"] == ident)


def weekly(data: dict, week: str) -> dict:
    return next(w for w in data["weekly"] if w["week"] == week)


# -- rendered documents (each rendered alone, no whole build) ------------------------------------

def _render(root: Path, slug: str, artifact, key: str, folder: Path) -> tuple[str, str, object]:
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(artifact, key), folder)
    files = {f.format: f.path for f in result.files}
    return docx_text(files["docx"]), pdf_text(files["pdf"])[0], result


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("chg")
    out = {(slug, "CHG"): _render(ROOT, slug, CHG, "CR-01", base / slug) for slug in EXAMPLES}
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        out[(YUANHANG, week)] = _render(ROOT, YUANHANG, WEEK, week, base / "weeks")
    return out


@pytest.mark.parametrize("slug", EXAMPLES)
def test_change_request_is_final_with_its_sections_in_order(rendered, slug):
    docx, pdf, result = rendered[(slug, "CHG")]
    assert [str(f) for f in result.findings] == []
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)
    for text in (squash(docx.text), squash(pdf)):
        assert "None" not in text and "{{" not in text
        for dimension in ("范围", "进度", "成本", "质量", "资源", "风险"):
            assert dimension in text


def test_yuanhang_change_shows_the_budget_adjustment_and_the_baseline(rendered):
    docx, pdf, _ = rendered[(YUANHANG, "CHG")]
    for text in (squash(docx.text), squash(pdf)):
        assert "HX-P2026042-CHG-01" in text and "供应商门户移动端适配与多轮议价变更" in text
        assert "申请日期2026年11月10日" in text and "申请人徐明辉（项目经理）" in text
        assert "变更类型■范围□进度■成本□质量" in text
        assert "4.2.1供应商门户开发（注册准入、报价）、4.2.2供应商门户开发（订单、送货、对账开票）" in text
        assert "审批结果批准审批人王建国（项目发起人）审批日期2026年11月12日" in text
        assert "预算调整+¥148,000.00（预算基线¥1,380,000.00→¥1,528,000.00）" in text
        assert "此后各周周进度报告与项目进度表的成本预算基线为¥1,528,000.00" in text
    impact = next(t for t in docx.tables if t and t[0] == ["维度", "影响"])
    assert [r[0] for r in impact[1:]] == ["范围", "进度", "成本", "质量", "资源", "风险"]
    assert "合计 ¥148,000.00" in impact[3][1]


def test_huaxing_change_is_the_scope_change_absorbed_within_the_budget(rendered):
    docx, pdf, _ = rendered[(HUAXING, "CHG")]
    for text in (squash(docx.text), squash(pdf)):
        assert "HX-P2026017-CHG-01" in text and "新增经销商协同与合同模板管理模块" in text
        assert "申请人林晓（客户方销售管理部经理）" in text
        assert "变更类型■范围■进度□成本□质量" in text
        assert "涉及WBS任务3.1.1方案设计、4.1.2客户与商机模块配置、4.1.3合同与回款模块配置" in text
        assert "FR-11" in text and "FR-12" in text
        assert "预算调整不调整预算（预算基线¥3,600,000.00）" in text
        assert "审批日期2026年2月24日" in text


# -- the weekly reports before and after the approved change --------------------------------------

def test_week_before_the_change_shows_the_charter_budget(rendered):
    docx, pdf, _ = rendered[(YUANHANG, "2026-W45")]
    for text in (squash(docx.text), squash(pdf)):
        assert "项目预算总额人民币壹佰叁拾捌万元整（¥1,380,000.00）" in text
        assert "预算总额（BAC）¥1,380,000.00项目章程批准的成本预算" in text
        assert "截至本周报告日（2026年11月6日）没有已批准的变更申请，预算即项目章程批准的成本预算。" in text
        assert "1,528,000" not in text


@pytest.mark.parametrize("week, date", [("2026-W46", "2026年11月13日"), ("2026-W47", "2026年11月20日")])
def test_weeks_after_the_change_show_the_moved_baseline_and_the_change_log(rendered, week, date):
    docx, pdf, result = rendered[(YUANHANG, week)]
    assert [str(f) for f in result.findings] == []
    for text in (squash(docx.text), squash(pdf)):
        assert ("项目成本预算基线为人民币壹佰伍拾贰万捌仟元整（¥1,528,000.00），为项目章程预算¥1,380,000.00加截至本周"
                f"报告日（{date}）已批准变更的预算调整+¥148,000.00。") in text
        assert "预算总额（BAC）¥1,528,000.00章程预算加已批准变更的预算调整（见变更记录）" in text
        assert "完工预测成本¥1,528,000.00，与预算持平" in text
        assert "变更记录" in text
    log = next(t for t in docx.tables if t and t[0] == ["编号", "变更名称", "批准日期", "预算调整", "调整后预算"])
    assert log[1:] == [["CR-01", "供应商门户移动端适配与多轮议价变更", "2026-11-12", "¥148,000.00", "¥1,528,000.00"]]


def test_earned_value_takes_up_the_change_budget_with_the_work_it_pays_for():
    """BAC moves on the report after the approval; the 148,000 is planned and earned on 4.2.1/4.2.2
    (by effort), so PV and EV rise with that work and SPI/CPI do not jump on approval day."""
    facts = project_facts(YUANHANG)
    snaps = facts.derive(progress.snapshots)
    figures = {w: (s.cost.budget, s.cost.planned_value, s.cost.earned_value, s.cost.actual_cost, s.cost.spi, s.cost.cpi)
               for w, s in snaps.items() if w >= "2026-W45"}
    assert figures == {
        "2026-W45": (Decimal("1380000.00"), Decimal("359785.71"), Decimal("359292.86"), Decimal("372400.00"),
                     Decimal("1.00"), Decimal("0.96")),
        "2026-W46": (Decimal("1528000.00"), Decimal("479078.57"), Decimal("474519.64"), Decimal("468500.00"),
                     Decimal("0.99"), Decimal("1.01")),
        "2026-W47": (Decimal("1528000.00"), Decimal("661471.43"), Decimal("647667.86"), Decimal("639800.00"),
                     Decimal("0.98"), Decimal("1.01")),
    }
    # the change's share of W47's EV: 4.2.1 (45 人天, 75%) of 4.2.1 + 4.2.2 (90 人天)
    w47 = snaps["2026-W47"]
    without = progress._cost(facts, w47.rows, w47.end, None, None, dt.date(2026, 11, 11))
    assert w47.cost.earned_value - without.earned_value == Decimal("55500.00")
    assert without.budget == Decimal("1380000.00")
    # PRG shows the latest baseline and says how it was moved
    context = prg_context(facts, None)
    assert context["cost"]["bac"] == Decimal("1528000.00")
    assert context["baseline"] == {"changed": True, "original": Decimal("1380000.00"), "ids": "CR-01",
                                   "moved_text": "+¥148,000.00"}


def test_baseline_and_change_log():
    facts = project_facts(YUANHANG)
    assert baseline.baseline_at(facts, dt.date(2026, 11, 11)) == Decimal("1380000.00")
    assert baseline.baseline_at(facts, dt.date(2026, 11, 12)) == Decimal("1528000.00")
    assert baseline.final(facts) == Decimal("1528000.00")
    [entry] = facts.derive(baseline.change_log)
    assert (entry.id, entry.approved, entry.budget_change, entry.before, entry.after) == (
        "CR-01", dt.date(2026, 11, 12), Decimal("148000.00"), Decimal("1380000.00"), Decimal("1528000.00"))
    # the report date: own approval date, else preparation date, else the Sunday of the week
    w46 = facts.project.weekly[[w.week for w in facts.project.weekly].index("2026-W46")]
    assert baseline.report_date(w46) == dt.date(2026, 11, 13)
    assert baseline.report_date(w46.model_copy(update={"document": w46.document.model_copy(
        update={"approved": None})})) == dt.date(2026, 11, 13)
    assert baseline.report_date(w46.model_copy(update={"document": None})) == dt.date(2026, 11, 15)
    # the cost deviation (RET's 成本偏差) is measured against the final baseline
    assert outcomes.cost_variance(facts) == Decimal("0.0")
    huaxing = project_facts(HUAXING)
    assert [(e.id, e.budget_change, e.after) for e in huaxing.derive(baseline.change_log)] == [
        ("CR-01", Decimal("0.00"), Decimal("3600000.00"))]


def test_retrospective_names_the_budget_and_the_scope_change():
    facts = project_facts(HUAXING)
    assert ret.basis(facts, "cost_variance") == (
        "2026-W27 周报完工预测成本 ¥3,720,000.00 / 预算 ¥3,600,000.00（已批准变更 CR-01 未调整预算）")
    assert [f for f in run_data_rules(facts, REGISTRY["RET"], None, "RET") if f.rule == "R-RET-6"] == []

    def no_scope_change(d):
        d["retrospective"]["results"]["范围"] = "章程约定的模块全部交付，未发生范围变更。"
    found = [f for f in run_data_rules(project_facts(HUAXING, no_scope_change), REGISTRY["RET"], None, "RET")
             if f.rule == "R-RET-6"]
    assert [f.message for f in found] == [
        "结果评估「范围」写明「未发生范围变更」，但数据显示：变更申请 CR-01「新增经销商协同与合同模板管理模块」"
        "（范围变更）已于2026年2月24日批准；请按数据改写该评估"]


def test_budget_change_is_an_internal_figure():
    figures = {(path, label): amount for path, label, amount in rules.internal_figures(project_facts(YUANHANG))}
    assert figures[(("changes", 0, "budget_change"), "变更 CR-01 的预算调整")] == Decimal("148000.00")
    assert figures[(("changes", 0, "budget_change"), "变更 CR-01 批准后的预算基线")] == Decimal("1528000.00")


# -- R-CHG-1 on the weekly reports ----------------------------------------------------------------

W46_FAC = "weekly[9].cost.forecast_at_completion"


def test_examples_have_no_overrun_finding():
    for slug in EXAMPLES:
        facts = project_facts(slug)
        assert [f for w in facts.project.weekly for f in week_findings(facts, w.week)] == [], slug


def test_overrun_without_a_change():
    facts = project_facts(YUANHANG, lambda d: d.pop("changes"))
    assert [(f.rule, f.severity) for f in week_findings(facts, "2026-W46")] == [("R-CHG-1", "E")]
    [found] = week_findings(facts, "2026-W46")
    assert found.message == (
        "2026-W46 周报的完工预测成本（forecast_at_completion）¥1,528,000.00 比项目章程预算 ¥1,380,000.00 超出 "
        "¥148,000.00（10.7%），超过须有已批准变更申请的阈值 10%；截至本周报告日2026年11月13日没有已批准的调整预算的"
        "变更申请；请提交变更申请（changes/），并在周报发出前获得批准")
    assert re.fullmatch(rf"projects/{YUANHANG}/weekly/2026-W46\.yaml:\d+: {re.escape(W46_FAC)}", found.location)
    assert len(week_findings(facts, "2026-W47")) == 1 and week_findings(facts, "2026-W45") == []


def test_change_approved_after_the_report():
    def late(d):
        change(d)["decision"]["date"] = dt.date(2026, 11, 16)
    facts = project_facts(YUANHANG, late)
    [found] = week_findings(facts, "2026-W46")
    assert found.message == (
        "2026-W46 周报的完工预测成本（forecast_at_completion）¥1,528,000.00 比项目章程预算 ¥1,380,000.00 超出 "
        "¥148,000.00（10.7%），超过须有已批准变更申请的阈值 10%；截至本周报告日2026年11月13日没有已批准的调整预算的"
        "变更申请；变更申请 CR-01 于2026年11月16日批准，晚于本周报告日2026年11月13日，不能覆盖本周的超支")
    assert week_findings(facts, "2026-W47") == []  # reported 2026-11-20, after the approval


@pytest.mark.parametrize("decision, state", [
    ({"result": "暂缓", "by": "王建国", "date": dt.date(2026, 11, 12)}, "审批结果：暂缓"),
    ({}, "审批结果：未审批"),
    ({"result": "批准", "by": "王建国"}, "审批结果为批准，但没有审批日期（decision.date）"),
])
def test_change_not_approved(decision, state):
    def pending(d):
        change(d)["decision"] = decision
    facts = project_facts(YUANHANG, pending)
    for week, date in (("2026-W46", "2026年11月13日"), ("2026-W47", "2026年11月20日")):
        [found] = week_findings(facts, week)
        assert found.message == (
            f"{week} 周报的完工预测成本（forecast_at_completion）¥1,528,000.00 比项目章程预算 ¥1,380,000.00 超出 "
            f"¥148,000.00（10.7%），超过须有已批准变更申请的阈值 10%；截至本周报告日{date}没有已批准的调整预算的"
            f"变更申请；变更申请 CR-01「供应商门户移动端适配与多轮议价变更」尚未批准（{state}）")
    # and the pending change's own document shows what it would do
    context = CHG.context(facts, "CR-01")
    assert context["decision"]["approved"] is False
    assert (context["budget"]["before"], context["budget"]["after"]) == (Decimal("1380000.00"), Decimal("1528000.00"))


def test_change_too_small_to_cover_the_overrun():
    def small(d):
        change(d)["budget_change"] = Decimal("5000.00")
    facts = project_facts(YUANHANG, small)
    [found] = week_findings(facts, "2026-W46")
    assert found.message == (
        "2026-W46 周报的完工预测成本（forecast_at_completion）¥1,528,000.00 比报告日2026年11月13日的预算基线 "
        "¥1,385,000.00 超出 ¥143,000.00（10.3%），超过须有已批准变更申请的阈值 10%；比项目章程原预算 ¥1,380,000.00 "
        "超出 ¥148,000.00（10.7%），已批准的变更 CR-01 不足以覆盖；请提交变更申请（changes/），并在周报发出前获得批准")


def test_overrun_within_the_threshold_or_covered_is_no_finding():
    def within(d):
        d.pop("changes")
        for week in ("2026-W46", "2026-W47"):
            weekly(d, week)["cost"]["forecast_at_completion"] = Decimal("1518000.00")  # exactly +10%
    assert [f for w in ("2026-W46", "2026-W47") for f in week_findings(project_facts(YUANHANG, within), w)] == []
    covered = project_facts(YUANHANG)  # the example: approved 2026-11-12, reports 11-13 and 11-20
    assert week_findings(covered, "2026-W46") == [] and week_findings(covered, "2026-W47") == []


def test_actual_cost_over_the_threshold_is_located_there():
    def spent(d):
        d.pop("changes")
        cost = weekly(d, "2026-W47")["cost"]
        cost["actual_to_date"] = Decimal("1600000.00")
        cost["forecast_at_completion"] = None
    [found] = week_findings(project_facts(YUANHANG, spent), "2026-W47")
    assert found.location.endswith("weekly[10].cost.actual_to_date")
    assert found.message.startswith("2026-W47 周报的累计实际成本（actual_to_date）¥1,600,000.00 比项目章程预算 "
                                    "¥1,380,000.00 超出 ¥220,000.00（15.9%）")


# -- R-CHG-2 ----------------------------------------------------------------------------------------

def test_examples_pass_r_chg_2():
    for slug in EXAMPLES:
        assert chg_findings(project_facts(slug), rule_id=None) == [], slug


def test_missing_impact_dimensions_and_decision():
    def broken(d):
        c = change(d)
        del c["impact"]["risk"]
        c["impact"]["quality"] = None
        c["decision"] = {}
    found = chg_findings(project_facts(HUAXING, broken))
    assert [f.message for f in found] == [
        "变更申请 CR-01 的影响分析缺少「质量」（impact.quality）：范围、进度、成本、质量、资源、风险六个维度都须填写，"
        "无影响写「无影响」及理由",
        "变更申请 CR-01 的影响分析缺少「风险」（impact.risk）：范围、进度、成本、质量、资源、风险六个维度都须填写，"
        "无影响写「无影响」及理由",
        "变更申请 CR-01 没有记录审批决定（decision.result：批准 / 驳回 / 暂缓）、审批人（decision.by）与审批日期"
        "（decision.date）"]
    assert found[0].location.startswith(f"projects/{HUAXING}/changes/CR-01.yaml:")
    assert found[0].location.endswith("changes[0].impact")


def test_decision_without_person_or_date_or_before_the_application():
    def no_by(d):
        change(d)["decision"] = {"result": "驳回", "date": dt.date(2026, 2, 24)}

    def early(d):
        change(d)["decision"]["date"] = dt.date(2026, 2, 9)
    assert [f.message for f in chg_findings(project_facts(HUAXING, no_by))] == [
        "变更申请 CR-01 的审批决定「驳回」缺少审批人（decision.by）"]
    [found] = chg_findings(project_facts(HUAXING, early))
    assert found.message == "变更申请 CR-01 的审批日期 2026-02-09 早于申请日期 2026-02-10：变更须先申请、后审批"
    assert found.location.endswith("changes[0].decision.date")


def test_change_referencing_a_missing_wbs_task():
    def missing(d):
        change(d)["tasks"] = ["3.1.1", "3.1.9", "31.1", "9.9.9"]
    found = chg_findings(project_facts(HUAXING, missing))
    assert [f.message for f in found] == [
        "变更申请 CR-01 涉及的 WBS 任务 3.1.9 不在工作分解结构（wbs）中；3.1 下的任务有 3.1.1、3.1.2、3.1.3",
        "变更申请 CR-01 涉及的 WBS 任务 31.1 不在工作分解结构（wbs）中；是否想写「3.1.1」？",
        "变更申请 CR-01 涉及的 WBS 任务 9.9.9 不在工作分解结构（wbs）中"]
    assert re.fullmatch(rf"projects/{HUAXING}/changes/CR-01\.yaml:\d+: changes\[0\]\.tasks\[1\]", found[0].location)


def test_change_referencing_a_missing_requirement():
    def requirements(d):
        d["requirements"] = {"functional": [{"id": "FR-11", "title": "经销商协同", "priority": "必须"}]}
    found = chg_findings(project_facts(HUAXING, requirements))
    assert [f.message for f in found] == [
        "变更申请 CR-01 涉及的需求 FR-12 不在需求说明书（requirements）中；是否想写「FR-11」？"]
    assert found[0].location.endswith("changes[0].requirements[1]")


def test_two_change_requests_with_one_id_is_a_located_error(tmp_path):
    root = make_workspace(tmp_path, (YUANHANG, ROOT / "projects" / YUANHANG))
    folder = root / "projects" / YUANHANG / "changes"
    shutil.copy(folder / "CR-01.yaml", folder / "CR-02.yaml")
    result = cli(root, "check", YUANHANG)
    out = result.stdout + (result.stderr or "")
    assert result.exit_code != 0 and "Traceback" not in out
    line = (folder / "CR-02.yaml").read_text(encoding="utf-8").splitlines().index("id: CR-01") + 1
    assert (f"projects/{YUANHANG}/changes/CR-02.yaml:{line}: changes[1].id: 变更编号 CR-01 重复：每个变更编号只能使用一次"
            in out), out


# -- declared reads -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["CHG", "PRG", "GNT", "RET"])
def test_declared_reads(code):
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    runs = instances_of(examples, REGISTRY[code])
    assert runs and check_declarations(REGISTRY[code], runs) == []


def test_declared_reads_of_the_weekly_reports_around_the_change():
    from test_declared_reads import check_declarations

    facts = load_facts(Workspace(ROOT), YUANHANG)
    runs = [(facts, week) for week in ("2026-W45", "2026-W46", "2026-W47")]
    assert check_declarations(WEEK, runs) == []


def test_week_context_lists_the_log_as_of_its_report_date():
    facts = project_facts(YUANHANG)
    assert week_context(facts, "2026-W45")["baseline"]["log"] == []
    [row] = week_context(facts, "2026-W46")["baseline"]["log"]
    assert (row["id"], row["approved"], row["budget_change"], row["after"]) == (
        "CR-01", dt.date(2026, 11, 12), Decimal("148000.00"), Decimal("1528000.00"))
