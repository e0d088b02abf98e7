"""INIT 项目立项申请: the rendered application as a reader checks it, R-INIT-1…5 on broken data
(exact messages, located at file:line: key), R-CHT-5 against the approved 立项 budget, and the
document's declared reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from salespm_docs.artifacts.init import SECTIONS, margin
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, facts_from, in_order, make_workspace
from test_declared_reads import check_declarations, instances_of

load_all()
INIT = REGISTRY["INIT"]
CHT = REGISTRY["CHT"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"
FILE = "projects/huaxing-crm/initiation.yaml:"


def render(facts, folder: Path):
    """INIT alone (no whole build): (DocumentResult, docx text, pdf text)."""
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(Workspace(ROOT)).render(facts, Instance(INIT), folder)
    files = {f.format: f.path for f in result.files}
    return result, docx_text(files["docx"]), pdf_text(files["pdf"])[0]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("init")
    return {slug: render(load_facts(Workspace(ROOT), slug), base / slug) for slug in EXAMPLES}


def findings(facts, rule_id: str, artifact=INIT) -> list:
    return [f for f in run_data_rules(facts, artifact, None, artifact.code) if f.rule == rule_id]


def init(d: dict) -> dict:
    return d["initiation"]


# -- the rendered examples -------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_pass_every_rule_and_render_clean(rendered, slug):
    result, docx, pdf = rendered[slug]
    assert result.findings == []
    for text in (docx.text, pdf):
        assert "None" not in text and "{{" not in text and "不适用" not in text


@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_in_order_in_docx_and_pdf(rendered, slug):
    _, docx, pdf = rendered[slug]
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)
    assert in_order(pdf, ("基本信息", "客户名称", "销售负责人", "预计签约金额", "预计签约日期", "商机来源"))


def test_huaxing_application_as_a_reader_checks_it(rendered):
    """Budget 380万 in 大写 and 小写 with its lines adding up; 毛利率 (500万 − 380万) / 500万 = 24.0%;
    expected amount 500万 (the opportunity's figure, before the contract's 480万); the committee's
    decision, approvers and date."""
    _, docx, pdf = rendered[HUAXING]
    flat = squash(pdf)
    for text in ("立项预算总额：人民币叁佰捌拾万元整（¥3,800,000.00）",
                 "人民币伍佰万元整（¥5,000,000.00）", "2026年1月5日", "申请日期2025年12月16日",
                 "预计收入¥5,000,000.00", "预算成本¥3,800,000.00", "预计毛利¥1,200,000.00", "毛利率24.0%",
                 "合计¥3,800,000.00100.0%", "审批结论同意立项",
                 "王建国（项目发起人）、郑华（质量经理）、刘洋（交付负责人）", "审批日期2025年12月18日"):
        assert squash(text) in flat, text
    [budget] = [t for t in docx.tables if t and t[0][:2] == ["科目", "金额"]]
    assert budget[-1][:3] == ["合计", "¥3,800,000.00", "100.0%"]
    assert sum(Decimal(r[1].lstrip("¥").replace(",", "")) for r in budget[1:-1]) == Decimal("3800000")
    [ms] = [t for t in docx.tables if t and t[0][:2] == ["序号", "里程碑"]]
    assert [r[2] for r in ms[1:]] == ["2026-01-09", "2026-02-06", "2026-03-06", "2026-04-24", "2026-05-15",
                                      "2026-05-29", "2026-06-18"]
    [risks] = [t for t in docx.tables if t and t[0][:2] == ["序号", "风险描述"]]
    assert len(risks) == 4 and [r[2] for r in risks[1:]] == ["高", "高", "中"]
    assert "毛利率" in docx.text and "24.0%" in docx.text and "人民币叁佰捌拾万元整" in docx.text


def test_yuanhang_margin_is_rounded_to_one_decimal(rendered):
    """(1,920,000 − 1,450,000) / 1,920,000 = 24.479…% → 24.5% (half up, one decimal)."""
    _, docx, pdf = rendered[YUANHANG]
    assert squash("毛利率24.5%") in squash(pdf)
    assert squash("人民币壹佰肆拾伍万元整（¥1,450,000.00）") in squash(pdf)
    facts = load_facts(Workspace(ROOT), YUANHANG)
    assert facts.derive(margin).rate == Decimal("24.5")


def test_the_approved_budget_is_above_the_charter_in_both_examples():
    """INIT.预算 ≥ CHT.预算 (ARTIFACTS.md §5): 380万 ≥ 360万, 145万 ≥ 138万; applied after the
    opportunity assessment."""
    for slug, amount in ((HUAXING, "3800000"), (YUANHANG, "1450000")):
        facts = load_facts(Workspace(ROOT), slug)
        i = facts.project.initiation
        assert i.budget.total == Decimal(amount) > facts.budget_total
        assert i.approval.decision == "同意立项" and i.date > facts.project.opportunity.date
        assert [m.date for m in i.milestones] == [m.date for m in facts.project.milestones]
        assert findings(facts, "R-CHT-5", CHT) == []


# -- R-INIT-1…5 on broken data ---------------------------------------------------------------

def test_intact_example_has_no_finding(example_data):
    assert run_data_rules(facts_from(example_data), INIT, None, "INIT") == []


def test_budget_lines_must_add_up_to_the_total(example_data):
    facts = facts_from(example_data, lambda d: init(d)["budget"]["lines"][0].update(amount="2200000.00"))
    [f] = findings(facts, "R-INIT-1")
    assert f.message == "立项预算总额 ¥3,800,000.00 不等于各科目之和 ¥3,720,000.00，总额多出 ¥80,000.00"
    assert f.location.startswith(FILE) and f.location.endswith(": initiation.budget.total")
    assert f.severity == "E"


def test_budget_without_lines(example_data):
    [f] = findings(facts_from(example_data, lambda d: init(d)["budget"].update(lines=[])), "R-INIT-1")
    assert f.message == "立项预算缺少科目明细（initiation.budget.lines）"


def test_typed_margin_differs_from_the_recomputed_one(example_data):
    facts = facts_from(example_data, lambda d: init(d).update(gross_margin="25"))
    [f] = findings(facts, "R-INIT-2")
    assert f.message == ("毛利率填写为 25%，重算为 24.0%：(预计收入 ¥5,000,000.00 − 预算成本 ¥3,800,000.00) / 预计收入，"
                         "按一位小数四舍五入；请改为 24.0% 或删除该字段")
    assert f.location.startswith(FILE) and f.location.endswith(": initiation.gross_margin")


def test_margin_typed_as_the_rounded_figure_or_absent_is_fine(example_data):
    facts = facts_from(example_data, lambda d: init(d).update(expected_revenue="4999999.00", gross_margin="24"))
    assert findings(facts, "R-INIT-2") == []  # 23.99999…% → 24.0%
    assert findings(facts_from(example_data, lambda d: init(d).pop("gross_margin")), "R-INIT-2") == []


@pytest.mark.parametrize("revenue, path, message", [
    (None, ": initiation", "缺少预计收入（initiation.expected_revenue），无法计算毛利率，文档中毛利率显示为不适用"),
    ("0", ": initiation.expected_revenue",
     "预计收入（initiation.expected_revenue）为 ¥0.00，无法计算毛利率，文档中毛利率显示为不适用"),
])
def test_no_revenue_prints_not_applicable_never_a_crash(example_data, tmp_path, revenue, path, message):
    def edit(d):
        init(d).pop("expected_revenue") if revenue is None else init(d).update(expected_revenue=revenue)
    facts = facts_from(example_data, edit)
    [f] = findings(facts, "R-INIT-2")
    assert f.message == message and f.location.endswith(path)
    result, docx, pdf = render(facts, tmp_path)
    assert squash("毛利率不适用（缺少预计收入）") in squash(pdf)
    assert "不适用（缺少预计收入）" in docx.text
    assert "inf" not in pdf.lower().replace("info", "") and "None" not in pdf


def test_milestone_dated_before_the_application(example_data):
    facts = facts_from(example_data, lambda d: init(d)["milestones"][0].update(date=dt.date(2025, 12, 10)))
    [f] = findings(facts, "R-INIT-3")
    assert f.message == ("关键里程碑「项目启动会」日期 2025-12-10 早于立项申请日期 2025-12-16："
                         "里程碑是立项后的计划，不能早于申请日期")
    assert f.location.startswith(FILE) and f.location.endswith(": initiation.milestones[0].date")


def test_milestones_out_of_order(example_data):
    facts = facts_from(example_data, lambda d: init(d)["milestones"][3].update(date=dt.date(2026, 3, 1)))
    [f] = findings(facts, "R-INIT-3")
    assert f.message == ("关键里程碑「UAT 通过」（2026-03-01）早于前一个里程碑「方案评审通过」（2026-03-06），"
                         "应按日期先后排列")
    assert f.location.endswith(": initiation.milestones[3].date")


def test_no_milestone(example_data):
    [f] = findings(facts_from(example_data, lambda d: init(d).update(milestones=[])), "R-INIT-3")
    assert f.message == "至少需要一个关键里程碑（initiation.milestones）"


def test_at_least_one_risk(example_data):
    [f] = findings(facts_from(example_data, lambda d: init(d).update(risks=[])), "R-INIT-4")
    assert f.message == "至少需要一项主要风险（initiation.risks）"
    assert f.location.startswith(FILE) and f.location.endswith(": initiation")


def test_decision_missing(example_data):
    [f] = findings(facts_from(example_data, lambda d: init(d)["approval"].pop("decision")), "R-INIT-5")
    assert f.message == "审批意见缺少审批结论（approval.decision：同意立项 / 不同意 / 补充材料）"
    assert f.location.endswith(": initiation.approval")


def test_approval_dated_before_the_application(example_data):
    facts = facts_from(example_data, lambda d: init(d)["approval"].update(date=dt.date(2025, 12, 1)))
    [f] = findings(facts, "R-INIT-5")
    assert f.message == "审批日期 2025-12-01 早于立项申请日期 2025-12-16"


def test_decision_outside_the_list_is_a_located_validation_error(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "initiation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("decision: 同意立项", "decision: 原则同意"),
                    encoding="utf-8")
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0 and "Traceback" not in out
    assert "projects/huaxing-crm/initiation.yaml" in out and "initiation.approval.decision" in out


# -- R-CHT-5 against INIT ----------------------------------------------------------------------

def test_charter_budget_above_the_approved_initiation_budget(example_data):
    facts = facts_from(example_data, lambda d: init(d)["budget"].update(total="3500000.00"))
    [f] = findings(facts, "R-CHT-5", CHT)
    assert f.message == ("预算 ¥3,600,000.00 超出立项批准预算 ¥3,500,000.00（initiation.budget.total），"
                         "超出 ¥100,000.00")
    assert f.location.startswith("projects/huaxing-crm/project.yaml:") and f.location.endswith(": budget.total")


def test_charter_equal_to_the_initiation_budget_is_fine(example_data):
    facts = facts_from(example_data, lambda d: init(d)["budget"].update(total="3600000.00"))
    assert findings(facts, "R-CHT-5", CHT) == []


@pytest.mark.parametrize("decision, said", [("补充材料", "审批结论为「补充材料」"), ("不同意", "审批结论为「不同意」"),
                                            (None, "尚无审批结论")])
def test_application_not_approved_leaves_the_cap_unknown(example_data, decision, said):
    """Only an application decided 同意立项 approves a budget: otherwise the charter cannot be held
    to it, and says so (even when its budget is below the amount applied for)."""
    def edit(d):
        init(d)["approval"].pop("decision") if decision is None else init(d)["approval"].update(decision=decision)
    [f] = findings(facts_from(example_data, edit), "R-CHT-5", CHT)
    assert f.message == f"项目立项申请未获批准（{said}），立项批准预算未知，无法核对预算上限"
    assert f.location.startswith(FILE) and f.location.endswith(": initiation.approval")


def test_project_without_an_initiation(example_data):
    [f] = findings(facts_from(example_data, lambda d: d.pop("initiation")), "R-CHT-5", CHT)
    assert f.message == "缺少项目立项申请（initiation.yaml），立项批准预算未知，无法核对预算上限"
    assert f.location.endswith(": budget")


def test_project_without_an_initiation_has_no_init_document(example_data):
    facts = facts_from(example_data, lambda d: d.pop("initiation"))
    assert not INIT.present(facts.project)


def test_approved_budget_is_no_longer_a_project_field(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "project.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  contract_amount: 4800000.00",
                                                             "  contract_amount: 4800000.00\n  approved_budget: 3800000.00"),
                    encoding="utf-8")
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0 and "Traceback" not in out and "approved_budget" in out


# -- declarations --------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["INIT", "CHT"])
def test_reads_exactly_what_it_declares(code):
    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    artifact = REGISTRY[code]
    runs = instances_of(examples, artifact)
    assert len(runs) == 2
    assert check_declarations(artifact, runs) == []
