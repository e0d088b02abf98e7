"""PLAN 项目管理方案: the plan restates nothing — every figure it shows comes from the charter, the
WBS, the 资源分配表, the 沟通计划 and the 风险登记册 — its KPIs are measured, and R-PLAN-1…3 on
broken data with exact messages and locations. PLAN is rendered alone (no whole build)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from salespm_docs import incremental
from salespm_docs.artifacts.plan import SECTIONS, context
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_read
from salespm_docs.facts import Facts
from salespm_docs.figures import progress
from salespm_docs.figures.load import resource_totals
from salespm_docs.figures.schedule import rolled_up, schedule
from salespm_docs.money import format_yuan
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, example_facts, facts_from, in_order, make_workspace

load_all()
PLAN = REGISTRY["PLAN"]
HUAXING, YUANHANG = EXAMPLES


def render(root: Path, slug: str, folder: Path):
    """PLAN of ``slug`` alone: (facts, DocumentResult, {fmt: path}, flat text of DOCX, of PDF)."""
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(PLAN), folder)
    files = {f.format: f.path for f in result.files}
    return facts, result, files, docx_text(files["docx"]).text, "\n".join(pdf_read(files["pdf"])[0])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("plan")
    return {slug: render(ROOT, slug, base / slug) for slug in EXAMPLES}


def findings(facts, rule_id: str | None = None) -> list:
    return [f for f in run_data_rules(facts, PLAN, None, "PLAN") if rule_id is None or f.rule == rule_id]


def midway_facts(mutate=None) -> Facts:
    return example_facts(YUANHANG, mutate)


def both(rendered, slug):
    _, _, _, docx, pdf = rendered[slug]
    return squash(docx), squash(pdf)


# -- the rendered examples ------------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_pass_every_rule_and_render_clean(rendered, slug):
    _, result, files, _, _ = rendered[slug]
    assert [str(f) for f in result.findings] == []
    assert set(files) == {"docx", "pdf"}


@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_in_order_in_docx_and_pdf(rendered, slug):
    _, _, _, docx, pdf = rendered[slug]
    assert in_order(docx, SECTIONS) and in_order(pdf, SECTIONS)


@pytest.mark.parametrize("slug", EXAMPLES)
def test_derived_figures_equal_the_other_documents(rendered, slug):
    """Budget total and lines = CHT's (= RES total); total and per-branch effort = WBS roll-up;
    milestones with dates; people with 投入比例; every risk ID with its contingency; COM rows."""
    facts, _, _, _, _ = rendered[slug]
    p = facts.project
    sched = facts.derive(schedule)
    total, _ = rolled_up((t.effort, t.percent) for t in sched.tasks)
    assert facts.budget_total == facts.derive(resource_totals).total
    for text in both(rendered, slug):
        assert squash(f"预算总额{format_yuan(facts.budget_total)}") in text
        assert squash(f"总工作量 {total.normalize():f} 人天") in text
        for line in p.budget.lines:
            assert squash(f"{line.category}{format_yuan(line.amount)}") in text
        for s in (s for s in sched.summaries if s.level == 1):
            assert squash(f"{s.code}{s.name}{s.owner}") in text and f"{s.effort.normalize():f}" in text
        for m in p.milestones:
            assert squash(f"{m.id}{m.name}{m.date.isoformat()}") in text
        team = {m.name: m for m in p.team}
        for r in p.resources.people:
            assert squash(f"{r.name}{team[r.name].role}{team[r.name].allocation:.0f}%{format_yuan(r.cost)}") in text
        for r in p.risks:
            assert r.id in text and squash(r.contingency) in text
        for c in p.communication:
            assert squash(c.name) in text
        for o in p.objectives:
            assert squash(f"{o.id}{o.description}") in text and o.deadline.isoformat() in text


def test_huaxing_text_figures(rendered):
    for text in both(rendered, HUAXING):
        assert squash("预算总额人民币叁佰陆拾万元整（¥3,600,000.00），与资源分配表合计¥3,600,000.00一致") in text
        assert squash("工作分解结构共 28 项工作包，总工作量 1200 人天") in text
        assert squash("项目投入 8 人，人力成本合计 ¥2,160,000.00") in text
        assert squash("共识别风险 6 项，其中高风险 2 项（R01、R03），未关闭 0 项") in text
        assert squash("每项风险均有应对措施与应急计划") in text
        assert squash("O3项目成本控制在预算以内成本偏差 ≤ 5%2026-06-30") in text


def test_overrun_threshold_comes_from_the_configuration(rendered):
    facts = rendered[HUAXING][0]
    assert facts.settings.change.overrun_percent == 10
    for text in both(rendered, HUAXING):
        assert squash("超出预算 10% 以上的，须提交变更申请") in text


def test_kpi_current_values_huaxing(rendered):
    """回款率 100%; SPI/CPI of the latest weekly snapshot; targets of the KPIs the charter also
    measures (验收通过率, 回款周期, CSAT) are the charter's success criteria."""
    facts = rendered[HUAXING][0]
    rows = {k["name"]: k for k in context(facts, None)["kpis"]}
    cost = progress.latest(facts).cost
    assert (rows["回款率"]["current"], rows["回款率"]["verdict"]) == ("100%", "达成")
    assert rows["进度绩效指数（SPI）"]["current"] == f"{cost.spi:.2f}"
    assert rows["成本绩效指数（CPI）"]["current"] == f"{cost.cpi:.2f}"
    assert rows["成本绩效指数（CPI）"]["verdict"] == ("达成" if cost.cpi >= Decimal("0.95") else "未达成")
    assert rows["客户满意度（CSAT）"]["target"] == "≥ 85%"
    assert rows["回款周期"]["target"] == "≤ 30 天" and rows["验收通过率"]["target"] == "≥ 95%"
    for text in both(rendered, HUAXING):
        assert squash("回款率已回款金额 / 合同金额≥ 100%项目结束时李娜100%达成") in text
        assert squash(f"挣值 EV / 实际成本 AC≥ 0.95每周张伟{cost.cpi:.2f}") in text


def test_kpi_values_midway(rendered):
    """At 2026-11-24: 回款率 counted 项目结束时 is 未到评估期; no acceptance yet. The 执行-stage
    survey of 2026-11-13 (surveys.yaml) gives a CSAT: 16 of its 20 scores (4 respondents × 5
    dimensions) are 4 or 5, 80%; counted 项目结束时, it is 未到评估期 too."""
    facts = rendered[YUANHANG][0]
    rows = {k["name"]: k for k in context(facts, None)["kpis"]}
    assert rows["回款率"]["verdict"] == "未到评估期"
    assert rows["验收通过率"]["current"] is None and rows["验收通过率"]["verdict"] == "尚无数据"
    assert (rows["客户满意度（CSAT）"]["current"], rows["客户满意度（CSAT）"]["verdict"]) == ("80%", "未到评估期")
    spi = progress.latest(facts).cost.spi
    assert rows["进度绩效指数（SPI）"]["current"] == f"{spi:.2f}"
    for text in both(rendered, YUANHANG):
        assert "未到评估期" in text and "尚无数据" in text and "None" not in text


# -- the plan restates nothing: an edit to the source data changes PLAN -----------------------------

def test_plan_follows_wbs_budget_and_milestone_edits(tmp_path):
    """Edit the WBS effort, one budget line and one milestone date: PLAN's text changes with each,
    and its fingerprint changes (an incremental build rebuilds it)."""
    root = make_workspace(tmp_path / "root", (HUAXING, ROOT / "projects" / HUAXING))
    folder = root / "projects" / HUAXING

    def fingerprint():
        ws = Workspace(root)
        facts = load_facts(ws, HUAXING)
        return incremental.Fingerprints(facts, ws.templates).of(Instance(PLAN))

    def edit(name, old, new):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")

    before = fingerprint()
    _, _, _, _, pdf0 = render(root, HUAXING, tmp_path / "0")
    assert "总工作量 1200 人天" in pdf0 and "2026-03-06" in pdf0

    edit("wbs.yaml", "effort: 10\n    start: 2026-01-05", "effort: 15\n    start: 2026-01-05")
    fp1 = fingerprint()
    _, _, _, _, pdf1 = render(root, HUAXING, tmp_path / "1")
    assert "总工作量 1205 人天" in pdf1 and "1200" not in squash(pdf1).split("四、任务分解")[1].split("五、")[0]
    assert fp1 != before

    edit("project.yaml", "category: 其他\n      amount: 144000.00", "category: 其他\n      amount: 154000.00")
    fp2 = fingerprint()
    _, _, _, docx2, pdf2 = render(root, HUAXING, tmp_path / "2")
    assert "¥154,000.00" in pdf2 and "¥154,000.00" in docx2 and "¥144,000.00" not in pdf2
    assert fp2 != fp1

    edit("project.yaml", "name: 方案评审通过\n    date: 2026-03-06", "name: 方案评审通过\n    date: 2026-03-13")
    fp3 = fingerprint()
    _, _, _, docx3, pdf3 = render(root, HUAXING, tmp_path / "3")
    assert squash("M3方案评审通过2026-03-13") in squash(pdf3) and squash("M3方案评审通过2026-03-13") in squash(docx3)
    assert fp3 != fp2


def test_depends_on_is_exact():
    """The declaration check of test_declared_reads, run for PLAN over both examples."""
    from test_declared_reads import check_declarations

    runs = [(load_facts(Workspace(ROOT), slug), None) for slug in EXAMPLES]
    assert check_declarations(PLAN, runs) == []


# -- rules on broken data -----------------------------------------------------------------------------

def test_r_plan_1_goal_without_deadline_or_measure(example_data):
    def breaks(data):
        del data["objectives"][2]["deadline"]
        del data["objectives"][1]["unit"]

    found = findings(facts_from(example_data, breaks), "R-PLAN-1")
    assert [(f.location.rsplit(": ", 1)[1], f.message) for f in found] == [
        ("objectives[1]", "目标 O2「实现项目销售额 500 万元」不符合 SMART 原则：缺少单位（unit）"),
        ("objectives[2]", "目标 O3「项目成本控制在预算以内」不符合 SMART 原则：缺少完成期限（deadline）"),
    ]
    assert found[1].location.startswith("projects/huaxing-crm/project.yaml:")
    assert found[1].severity == "E"


def test_r_plan_1_no_objectives(example_data):
    found = findings(facts_from(example_data, lambda d: d.update(objectives=[])), "R-PLAN-1")
    assert [f.message for f in found] == ["项目管理方案至少需要一条项目目标（objectives，取自项目章程）"]


def test_r_plan_2_kpi_without_formula_target_or_frequency(example_data):
    def breaks(data):
        kpi = data["plan"]["kpis"][1]
        del kpi["formula"], kpi["target"], kpi["frequency"]

    [f] = findings(facts_from(example_data, breaks), "R-PLAN-2")
    assert f.location.startswith("projects/huaxing-crm/plan.yaml:") and f.location.endswith("plan.kpis[1]")
    assert f.message == "KPI「进度绩效指数（SPI）」缺少计算公式（formula）、目标值（target）、统计频率（frequency）"


def test_r_plan_2_kpi_contradicting_the_charter(example_data):
    """A KPI measuring what a charter success criterion measures takes the charter's target; typing a
    different one is restating a different number."""
    def breaks(data):
        data["plan"]["kpis"][5].update(operator="≥", target=90, unit="%")

    [f] = findings(facts_from(example_data, breaks), "R-PLAN-2")
    assert f.location.endswith("plan.kpis[5]")
    assert f.message == ("KPI「客户满意度（CSAT）」的目标（≥ 90%）与项目章程的成功标准 S3（客户满意度（CSAT） ≥ 85%）"
                         "不一致：该指标的目标取自项目章程，请删除 KPI 的 operator / target / unit")
    same = findings(facts_from(example_data, lambda d: d["plan"]["kpis"][5].update(operator="≥", target=85, unit="%")),
                    "R-PLAN-2")
    assert same == []


def test_r_plan_2_no_kpis(example_data):
    found = findings(facts_from(example_data, lambda d: d["plan"].update(kpis=[])), "R-PLAN-2")
    assert [(f.location.rsplit(": ", 1)[1], f.message) for f in found] == [
        ("plan", "项目管理方案至少需要一项 KPI（plan.kpis）")]


def test_r_plan_3_every_identified_risk_has_a_contingency(example_data):
    """Open or closed, 高 or 中: each risk of the register needs its 应急计划."""
    def breaks(data):
        del data["risks"][1]["contingency"]     # R02, 中, 已关闭

    [f] = findings(facts_from(example_data, breaks), "R-PLAN-3")
    assert f.location.startswith("projects/huaxing-crm/risks.yaml:") and f.location.endswith("risks[1]")
    assert f.message == ("风险 R02（中，已关闭）缺少应急计划（contingency）：每项已识别的风险都须有风险发生时的应急预案，"
                         "应对措施（actions）不能代替")


def test_r_plan_3_open_risk_midway_and_the_text_says_so(tmp_path):
    facts = midway_facts(lambda d: d["risks"][4].pop("contingency"))
    [f] = findings(facts, "R-PLAN-3")
    assert f.message.startswith("风险 R05（中，监控中）缺少应急计划（contingency）")
    assert context(facts, None)["risk_count"]["missing"] == "R05"


def test_r_plan_3_empty_register(example_data):
    found = findings(facts_from(example_data, lambda d: d.update(risks=[])), "R-PLAN-3")
    assert [f.message for f in found] == ["风险登记册中没有已识别的风险（risks），无法制定应急预案"]


def test_bad_kpi_frequency_is_a_located_validation_error(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("frequency: 每周", "frequency: 每旬", 1),
                    encoding="utf-8")
    result = cli(root, "check", HUAXING)
    out = result.stdout + (result.stderr or "")
    assert result.exit_code != 0 and "Traceback" not in out
    assert re.search(r"plan\.yaml:\d+", out) and "frequency" in out
