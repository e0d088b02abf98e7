"""风险登记册 (RISK): the rendered register read as a person would, R-RISK-1…7 on broken data, a
different configured matrix, and the XLSX recalculated by LibreOffice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.risk import SECTIONS
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.charts.heatmap import LEVELS as HEAT_COLOURS
from salespm_docs.extract import docx_text, pdf_read
from salespm_docs.errors import DataError
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, facts_from, in_order, make_workspace
from xlsx_tools import recalculated, stale_formulas

load_all()
RISK = REGISTRY["RISK"]
WEEK = REGISTRY["WEEK"]
YUANHANG = "yuanhang-srm"


def render(root: Path, slug: str, folder: Path):
    """RISK of ``slug`` alone (no whole build): (facts, DocumentResult, {fmt: path})."""
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(RISK), folder)
    return facts, result, {f.format: f.path for f in result.files}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("risk")
    return {slug: render(ROOT, slug, base / slug) for slug in EXAMPLES}


def findings(facts, rule_id: str | None = None) -> list:
    found = run_data_rules(facts, RISK, None, "RISK")
    return [f for f in found if rule_id is None or f.rule == rule_id]


def yuanhang_facts(**changes):
    facts = load_facts(Workspace(ROOT), YUANHANG)
    return dataclasses.replace(facts, **changes) if changes else facts


# -- the rendered examples -------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_pass_every_rule_and_render_clean(rendered, slug):
    _, result, files = rendered[slug]
    assert [str(f) for f in result.findings] == []
    assert set(files) == {"docx", "pdf", "xlsx"}


@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_in_order_in_docx_and_pdf(rendered, slug):
    _, _, files = rendered[slug]
    assert in_order(docx_text(files["docx"]).text, SECTIONS)
    pages, _ = pdf_read(files["pdf"])
    assert in_order("\n".join(pages), SECTIONS)


def test_summary_names_levels_statuses_and_open_high_risks(rendered):
    _, _, files = rendered[YUANHANG]
    for text in (docx_text(files["docx"]).text, "\n".join(pdf_read(files["pdf"])[0])):
        flat = re.sub(r"\s+", "", text)
        assert "共登记风险6项：按等级，高3项、中3项、低0项；按状态，开放2项、监控中3项、已关闭1项。" in flat
        assert "未关闭的高风险3项：R01、R03、R04" in flat
        assert "高（15–25）；中（5–14）；低（1–4）" in flat
        # R03 is due on 2026-11-27, after the status date 2026-11-24: nothing overdue
        assert "截至2026年11月24日，所有未关闭的风险均已安排复核" in flat
        assert "7天内到期复核：R03（2026年11月27日，徐明辉）。" in flat


def test_documents_split_the_wide_register_in_two_tables(rendered):
    """The all-columns table is the XLSX sheet only: a document shows the register, then 应对与应急计划."""
    _, _, files = rendered[YUANHANG]
    tables = docx_text(files["docx"]).tables
    headers = [" ".join(t[0]) for t in tables if t]
    assert sum("风险值" in h for h in headers) == 1 and sum("应急计划" in h for h in headers) == 1
    assert not any("风险值" in h and "应急计划" in h for h in headers)


def test_closed_project_has_no_open_high_risk(rendered):
    _, _, files = rendered["huaxing-crm"]
    flat = re.sub(r"\s+", "", "\n".join(pdf_read(files["pdf"])[0]))
    assert "按状态，开放0项、监控中0项、已关闭6项" in flat and "目前没有未关闭的高风险" in flat
    assert "登记册中的风险均已关闭，无需复核。" in flat and "天内到期复核" not in flat


def test_register_row_shows_the_computed_value_and_level(rendered):
    _, _, files = rendered[YUANHANG]
    flat = re.sub(r"\s+", " ", "\n".join(pdf_read(files["pdf"])[0]))
    # R02: 3 × 4 = 12 → 中 ; R04: 3 × 5 = 15 → 高
    assert re.search(r"R02 .*?技术 3 4 12 中 减轻 杨帆 监控中 2026-09-07 2026-12-04", flat)
    assert re.search(r"R04 .*?回款 3 5 15 高 减轻 高媛 开放 2026-09-07 2027-01-29", flat)


def test_heat_map_places_every_risk_in_its_cell(rendered):
    facts, _, _ = rendered[YUANHANG]
    svg = RISK.context(facts, None)["charts"]["heat_map"][0].svg
    assert 'data-probability="4" data-impact="4" data-value="16" data-level="高"' in svg
    assert 'data-probability="3" data-impact="4" data-value="12" data-level="中"' in svg
    assert svg.count('class="risk" data-state="open"') == 5 and svg.count('class="risk" data-state="closed"') == 1


# -- rules on broken data ----------------------------------------------------------------------

def risk(data: dict, rid: str) -> dict:
    return next(r for r in data["risks"] if r["id"] == rid)


def test_level_disagreeing_with_the_matrix(example_data):
    facts = facts_from(example_data, lambda d: risk(d, "R01").update(level="中"))
    [f] = findings(facts, "R-RISK-1")
    assert f.severity == "E"
    assert f.message == "风险 R01 的等级填写为「中」，但风险值为 4 × 4 = 16，按风险矩阵（高 ≥ 15，中 ≥ 5）应为「高」"
    assert re.fullmatch(r"projects/huaxing-crm/risks\.yaml:\d+: risks\[0\]\.level", f.location), f.location


def test_level_outside_high_medium_low_is_refused_by_the_model(example_data):
    with pytest.raises(DataError) as error:
        facts_from(example_data, lambda d: risk(d, "R01").update(level="极高"))
    assert "risks[0].level" in str(error.value)


def test_missing_probability_is_reported(example_data):
    facts = facts_from(example_data, lambda d: risk(d, "R02").pop("probability"))
    [f] = findings(facts, "R-RISK-1")
    assert f.message == "风险 R02 缺少可能性（probability），无法计算风险值与等级"
    assert "risks[1]" in f.location


def test_open_risk_needs_owner_strategy_and_actions(example_data):
    def reopen(d):
        r = risk(d, "R02")
        r.update(status="监控中")
        for k in ("closed", "owner", "strategy", "actions"):
            r.pop(k)
    [f] = findings(facts_from(example_data, reopen), "R-RISK-2")
    assert f.message == "未关闭的风险 R02（监控中）缺少责任人（owner）、应对策略（strategy）、应对措施（actions）"
    assert re.fullmatch(r"projects/huaxing-crm/risks\.yaml:\d+: risks\[1\]", f.location), f.location


def test_closed_risk_needs_no_owner(example_data):
    facts = facts_from(example_data, lambda d: risk(d, "R02").pop("owner"))
    assert findings(facts, "R-RISK-2") == []


def test_high_risk_needs_trigger_and_contingency(example_data):
    facts = facts_from(example_data, lambda d: [risk(d, "R03").pop(k) for k in ("trigger", "contingency")])
    [f] = findings(facts, "R-RISK-3")
    assert f.message == "高风险 R03（风险值 15）缺少触发条件（trigger）和应急计划（contingency）"
    # a 中 risk raised to 高 by its figures needs them too, whatever its typed level
    facts = facts_from(example_data, lambda d: risk(d, "R05").update(impact=4, level="高"))
    assert [f.message for f in findings(facts, "R-RISK-3")] == ["高风险 R05（风险值 16）缺少触发条件（trigger）"]  # its 应急计划 is in the data (PLAN: R-PLAN-3)


def test_high_opportunity_risk_must_be_registered(example_data):
    def unknown(d):
        d["opportunity"]["risks"][0]["risk_id"] = "R99"
        d["opportunity"]["risks"][1].pop("risk_id")
    found = findings(facts_from(example_data, unknown), "R-RISK-4")
    assert [f.message for f in found] == [
        "机会评估的高风险「客户需求变更频繁，报价审批与移动端需求尚未冻结，可能超出需求说明书范围」对应的风险编号 R99 不在风险登记册（risks）中",
        "机会评估的高风险「尾款比例高达 70%，客户付款审批流程长，尾款回款可能延迟」没有登记到风险登记册：请在风险登记册中登记并填写风险编号（risk_id）",
    ]
    assert re.fullmatch(r"projects/huaxing-crm/opportunity\.yaml:\d+: opportunity\.risks\[0\]\.risk_id", found[0].location)
    assert re.fullmatch(r"projects/huaxing-crm/opportunity\.yaml:\d+: opportunity\.risks\[1\]", found[1].location)


def test_medium_opportunity_risk_without_id_is_fine(example_data):
    facts = facts_from(example_data, lambda d: d["opportunity"]["risks"][2].pop("risk_id"))
    assert findings(facts, "R-RISK-4") == []


def test_review_reminders_follow_the_status_date():
    assert findings(yuanhang_facts(), "R-RISK-5") == []  # R03 due 2026-11-27, status date 2026-11-24
    found = findings(yuanhang_facts(today=dt.date(2026, 11, 30)), "R-RISK-5")
    assert [(f.severity, f.message) for f in found] == [
        ("W", "风险 R03 的下次复核日期 2026-11-27 已过（状态日期2026年11月30日），逾期 3 天：请复核并更新")]
    assert re.fullmatch(r"projects/yuanhang-srm/risks\.yaml:\d+: risks\[2\]\.next_review", found[0].location)
    # the document lists it under 复核提醒
    context = RISK.context(yuanhang_facts(today=dt.date(2026, 11, 30)), None)
    assert [(r["id"], r["review"]) for r in context["review"]] == [("R03", "逾期 3 天")]


def test_open_risk_without_next_review(example_data):
    def reopen(d):
        r = risk(d, "R04")
        r.update(status="开放")
        r.pop("closed")
        r.pop("next_review")
    [f] = findings(facts_from(example_data, reopen), "R-RISK-5")
    assert f.message == "未关闭的风险 R04 没有下次复核日期（next_review）"


def test_closed_risk_needs_a_closing_date_and_an_open_one_has_none(example_data):
    [f] = findings(facts_from(example_data, lambda d: risk(d, "R01").pop("closed")), "R-RISK-6")
    assert f.message == "风险 R01 状态为已关闭，缺少关闭日期（closed）"
    assert "risks[0].status" in f.location
    [f] = findings(facts_from(example_data, lambda d: risk(d, "R02").update(status="监控中")), "R-RISK-6")
    assert f.message == ("风险 R02 填写了关闭日期 2026-05-08，但状态为「监控中」：已关闭的风险请把状态改为已关闭，"
                         "未关闭的请删除关闭日期")
    assert "risks[1].closed" in f.location


def test_duplicate_id_located_at_the_second(example_data):
    [f] = findings(facts_from(example_data, lambda d: risk(d, "R05").update(id="R02")), "R-RISK-7")
    assert f.message == "风险编号 R02 重复（第 2 项已使用）"
    assert re.fullmatch(r"projects/huaxing-crm/risks\.yaml:\d+: risks\[4\]\.id", f.location)


def test_unknown_risk_in_a_weekly_report(example_data):
    def add(d):
        report = next(w for w in d["weekly"] if w["week"] == "2026-W03")
        report["risks"].append("R99")
    facts = facts_from(example_data, add)
    found = [f for f in run_data_rules(facts, WEEK, "2026-W03", "WEEK 2026-W03") if f.rule == "R-WEEK-4"]
    assert [f.message for f in found] == ["风险 R99 不在风险登记册（risks）中"]
    assert re.fullmatch(r"projects/huaxing-crm/weekly/2026-W03\.yaml:\d+: weekly\[\d+\]\.risks\[2\]", found[0].location)


def test_probability_six_is_a_located_error(tmp_path):
    root = make_workspace(tmp_path, (YUANHANG, ROOT / "projects" / YUANHANG))
    path = root / "projects" / YUANHANG / "risks.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("probability: 4", "probability: 6", 1), encoding="utf-8")
    result = cli(root, "check", YUANHANG)
    out = result.stdout + (result.stderr or "")
    assert result.exit_code != 0
    assert "Traceback" not in out
    line = text.splitlines().index("    probability: 4") + 1
    assert f"risks.yaml:{line}" in out and "risks[0].probability" in out and "可能性" in out, out


# -- a different matrix --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def matrix_12(tmp_path_factory):
    """yuanhang-srm with ``risk_matrix: {high_min: 12}``, RISK rendered."""
    root = make_workspace(tmp_path_factory.mktemp("matrix"), (YUANHANG, ROOT / "projects" / YUANHANG))
    config = root / "projects" / YUANHANG / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "risk_matrix:\n  high_min: 12\n", encoding="utf-8")
    return render(root, YUANHANG, root / "out")


def test_configured_matrix_changes_levels_and_findings(matrix_12):
    facts, result, _ = matrix_12
    assert facts.settings.risk_matrix.high_min == 12 and facts.settings.risk_matrix.medium_min == 5
    messages = {(f.rule, f.message) for f in result.findings if f.rule.startswith("R-RISK")}
    assert ("R-RISK-1", "风险 R02 的等级填写为「中」，但风险值为 3 × 4 = 12，按风险矩阵（高 ≥ 12，中 ≥ 5）应为「高」") in messages
    assert ("R-RISK-3", "高风险 R02（风险值 12）缺少触发条件（trigger）") in messages  # 应急计划 given (R-PLAN-3)


@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
def test_configured_matrix_changes_the_heat_map_and_the_workbook_inputs(matrix_12):
    facts, _, files = matrix_12
    svg = RISK.context(facts, None)["charts"]["heat_map"][0].svg
    assert 'data-value="12" data-level="高"' in svg and 'data-value="10" data-level="中"' in svg
    info = {row[0].value: row[1].value for row in openpyxl.load_workbook(files["xlsx"])["文档信息"].iter_rows(max_col=2)}
    assert info["高风险下限"] == 12 and info["中风险下限"] == 5
    values = recalculated(files["xlsx"])["风险登记册"]
    levels = {row[0].value: row[6].value for row in values.iter_rows(min_row=2)}
    assert levels["R02"] == "高" and levels["R05"] == "中"


# -- the XLSX register -----------------------------------------------------------------------------

@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
def test_workbook_formulas_equal_what_the_pdf_shows(rendered):
    _, _, files = rendered[YUANHANG]
    values = recalculated(files["xlsx"])
    assert stale_formulas(files["xlsx"], values) == []
    flat = re.sub(r"\s+", " ", "\n".join(pdf_read(files["pdf"])[0]))
    ws = values["风险登记册"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[0].value]
    assert len(rows) == 6
    for row in rows:
        rid, probability, impact, value, level = row[0], row[3], row[4], row[5], row[6]
        assert value == probability * impact
        assert re.search(rf"{rid} .*? {probability} {impact} {int(value)} {level} ", flat), rid


@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
def test_changed_probability_follows_in_a_copy(rendered, tmp_path):
    _, _, files = rendered[YUANHANG]
    copy = tmp_path / "copy.xlsx"
    shutil.copy(files["xlsx"], copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb["风险登记册"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "R05")
    assert (row[3].value, row[4].value) == (2, 4)
    row[3].value = 4
    wb.save(copy)
    values = {r[0].value: (r[5].value, r[6].value) for r in recalculated(copy)["风险登记册"].iter_rows(min_row=2)}
    assert values["R05"] == (16, "高")
    assert values["R02"] == (12, "中")


def test_workbook_reads_back_with_dropdowns_validation_fills_and_print_setup(rendered):
    _, _, files = rendered[YUANHANG]
    wb = openpyxl.load_workbook(files["xlsx"])
    assert wb.sheetnames[:2] == ["文档信息", "风险登记册"]
    ws = wb["风险登记册"]
    headers = [c.value for c in ws[1]]
    assert headers == ["编号", "描述", "类别", "可能性", "影响", "风险值", "等级", "应对策略", "应对措施", "责任人",
                       "触发条件", "应急计划", "状态", "识别日期", "下次复核日期", "关闭日期"]
    assert ws.freeze_panes == "A2" and ws.tables
    assert ws["F2"].value == '=IF(OR(D2="",E2=""),"",D2*E2)'
    assert ws["G2"].value == ("=IF(F2=\"\",\"\",IF(F2>='文档信息'!$B$14,\"高\",IF(F2>='文档信息'!$B$15,\"中\",\"低\")))")
    validations = {}
    for dv in ws.data_validations.dataValidation:
        for r in dv.sqref.ranges:
            validations[headers[r.min_col - 1]] = dv

    def listed(header):
        sheet, _, cells = validations[header].formula1.lstrip("=").partition("!")
        return [c.value for row in wb[sheet.strip("'")][cells.replace("$", "")] for c in row]

    assert listed("应对策略") == ["规避", "转移", "减轻", "接受"]
    assert listed("状态") == ["开放", "监控中", "已关闭"]
    assert listed("等级") == ["高", "中", "低"]
    assert "徐明辉" in listed("责任人") and "高媛" in listed("责任人")
    for header in ("可能性", "影响"):
        dv = validations[header]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "1", "5")
    rules = [(str(rng.sqref), rule.formula, rule.dxf.fill.fgColor.rgb[-6:])
             for rng in ws.conditional_formatting for rule in rng.rules]
    assert [(f[0], c) for _, f, c in rules] == [
        ('$G2="高"', HEAT_COLOURS["高"][0][1:].upper()), ('$G2="中"', HEAT_COLOURS["中"][0][1:].upper()),
        ('$G2="低"', HEAT_COLOURS["低"][0][1:].upper())]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows in ("1:1", "$1:$1")
