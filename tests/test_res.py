"""RES 资源分配表: the rules R-RES-1…5 (and R-CHT-5's reconciliation with it) on broken data, the weekly
load, and the documents of both examples as a PM reads them: DOCX and PDF text, and the XLSX register
recalculated by LibreOffice (金额, totals, 占比 by largest remainder) with its drop-downs and print setup.

The documents are rendered once per module for RES alone (``build.Renderer``), not by building the
whole examples."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from salespm_docs import dates
from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.build import Renderer, Workspace, load_facts, plan
from salespm_docs.config import load_settings
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.facts import Facts
from salespm_docs.figures.load import resource_totals, weekly_load
from salespm_docs.loader import load_project
from salespm_docs.rules import run_data_rules
from salespm_docs.templating import pct, yuan
from salespm_docs.validate import validate

from conftest import EXAMPLES, ROOT
from xlsx_tools import recalculated, stale_formulas

load_all()
RES, CHT = REGISTRY["RES"], REGISTRY["CHT"]
HEADINGS = ("一、编制说明", "二、人力", "三、物料与设备", "四、预算", "五、人员负荷", "六、审批签字")


def facts_of(slug: str, mutate=None) -> Facts:
    """Facts of (a mutated copy of) an example's data, with its own settings."""
    folder = ROOT / "projects" / slug
    loaded = load_project(folder, ROOT)
    data = copy.deepcopy(loaded.data)
    if mutate:
        mutate(data)
    loaded.data = data
    return Facts(slug, validate(loaded), load_settings(ROOT, folder), loaded.source, dates.today())


def found(facts: Facts, rule_id: str, artifact=RES) -> list:
    return [f for f in run_data_rules(facts, artifact, None, artifact.code) if f.rule == rule_id]


def leaf_index(data: dict, code: str) -> int:
    return next(i for i, w in enumerate(data["wbs"]) if w["code"] == code)


# -- the examples -------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_have_no_findings(slug):
    facts = facts_of(slug)
    assert run_data_rules(facts, RES, None, "RES") == []
    assert found(facts, "R-CHT-5", CHT) == []


def test_yuanhang_was_overloaded_before_the_split():
    """Without the assignments of 4.4.2 and 5.2.1 their owner 罗建平 carries both at 100% in 2027-W03."""
    def unsplit(d):
        for code in ("4.4.2", "5.2.1"):
            d["wbs"][leaf_index(d, code)].pop("assignments")
    facts = facts_of("yuanhang-srm", unsplit)
    [week] = facts.derive(weekly_load).over
    assert (week.name, week.week, week.shown) == ("罗建平", "2027-W03", Decimal("200.0"))
    [f] = found(facts, "R-RES-4")
    assert f.message == ("罗建平 在 2027-W03（2027-01-18 至 2027-01-24）的负荷为 200.0%，超过 100%，来自任务 "
                         "4.4.2「上线后运行支持」100.0%、5.2.1「用户手册与运维手册编写评审」100.0%")
    index = next(i for i, w in enumerate(facts.project.wbs) if w.code == "5.2.1")
    assert f.location.startswith("projects/yuanhang-srm/wbs.yaml:")
    assert f.location.endswith(f": wbs[{index}].owner")


def test_split_tasks_load_each_assignee():
    load = facts_of("yuanhang-srm").derive(weekly_load)
    week = {w.week: w for w in load.people["罗建平"].weeks}["2027-W03"]
    assert week.shown == Decimal("100.0")
    assert [(s.code, s.shown) for s in week.shares] == [("4.4.2", Decimal("50.0")), ("5.2.1", Decimal("50.0"))]
    assert {w.week: w.shown for w in load.people["曹琳"].weeks}["2027-W03"] == Decimal("100.0")
    assert load.over == []


# -- R-RES-4: the bad input of the brief ----------------------------------------------------------

def _one_fifty(d):
    """吴芳 on her own task (1.2.2, 100%) and at 50% on 1.2.1, both over the whole of 2026-W12."""
    for code, assign in (("1.2.2", None), ("1.2.1", [{"name": "吴芳", "percent": 50}])):
        item = d["wbs"][leaf_index(d, code)]
        item["start"], item["end"] = dt.date(2026, 3, 16), dt.date(2026, 3, 20)
        item.pop("predecessors", None)
        if assign:
            item["assignments"] = assign


def test_a_person_at_150_percent_in_one_week():
    facts = facts_of("huaxing-crm", _one_fifty)
    data = facts.project
    [f] = found(facts, "R-RES-4")
    a, b = (data.wbs[i] for i in (next(i for i, w in enumerate(data.wbs) if w.code == c) for c in ("1.2.1", "1.2.2")))
    assert f.message == (f"吴芳 在 2026-W12（2026-03-16 至 2026-03-22）的负荷为 150.0%，超过 100%，来自任务 "
                         f"1.2.1「{a.name}」50.0%、1.2.2「{b.name}」100.0%")
    index = next(i for i, w in enumerate(data.wbs) if w.code == "1.2.2")
    assert f.location.startswith("projects/huaxing-crm/wbs.yaml:")
    assert f.location.endswith(f": wbs[{index}].owner")
    # the same week in the document's 超负荷 table
    over = RES.context(facts, None)["load"]["over"]
    assert over == [{"name": "吴芳", "week": "2026-W12", "dates": "2026-03-16 至 2026-03-22",
                     "load": Decimal("150.0"), "tasks": f"1.2.1「{a.name}」50.0%、1.2.2「{b.name}」100.0%"}]


def test_partial_weeks_and_holidays_count_working_days():
    """A task on 2 of a week's 5 working days at 100% loads it 40%; over every working day of the
    国庆 week 2026-W40 (fewer than 5) it loads that week 100%, not less."""
    def shape(d):
        item = d["wbs"][leaf_index(d, "1.2.2")]
        item["start"], item["end"] = dt.date(2026, 6, 29), dt.date(2026, 6, 30)
    load = facts_of("huaxing-crm", shape).derive(weekly_load)
    assert [(w.week, w.shown) for w in load.people["吴芳"].weeks] == [("2026-W27", Decimal("40.0"))]

    def national_day(d):
        item = d["wbs"][leaf_index(d, "1.2.2")]
        item["start"], item["end"] = dt.date(2026, 9, 28), dt.date(2026, 10, 2)
    facts = facts_of("huaxing-crm", national_day)
    assert facts.calendar.workdays_between(dt.date(2026, 9, 28), dt.date(2026, 10, 4)) < 5
    assert [(w.week, w.shown) for w in facts.derive(weekly_load).people["吴芳"].weeks] == [("2026-W40", Decimal("100.0"))]


def test_milestones_carry_no_load():
    facts = facts_of("yuanhang-srm")
    loads = facts.derive(weekly_load)
    milestones = {w.code for w in facts.project.wbs if w.milestone}
    assert milestones
    assert not any(s.code in milestones for p in loads.people.values() for w in p.weeks for s in w.shares)


def test_task_outside_the_stated_dates():
    def late_start(d):
        d["resources"]["people"][0]["start"] = dt.date(2026, 2, 2)
    facts = facts_of("huaxing-crm", late_start)
    [f] = found(facts, "R-RES-4")
    assert f.message.startswith("张伟 的投入开始日期为 2026-02-02，但其参与的任务 1.1.1「")
    assert f.message.endswith("在投入期之外")
    assert f.location.endswith(": resources.people[0].start")
    assert f.location.startswith("projects/huaxing-crm/resources.yaml:")


# -- R-RES-1, 2, 3, 5 and R-CHT-5 --------------------------------------------------------------------

def test_amount_must_be_quantity_times_price():
    facts = facts_of("huaxing-crm", lambda d: d["resources"]["materials"][3].update(amount="30000.01"))
    [f] = found(facts, "R-RES-1")
    assert f.message == "「备份介质」的金额 ¥30,000.01 不等于 数量 24 × 单价 ¥1,250.00 = ¥30,000.00（精确到分）"
    assert f.location.startswith("projects/huaxing-crm/resources.yaml:")
    assert f.location.endswith(": resources.materials[3].amount")


def test_missing_amount_is_computed_half_up_to_the_fen():
    def odd(d):
        m = d["resources"]["materials"][3]
        m.pop("amount")
        m.update(quantity="3", unit_price="0.35")
    facts = facts_of("huaxing-crm", odd)
    [row] = [m for m in RES.context(facts, None)["materials"] if m["name"] == "备份介质"]
    assert row["amount"] == Decimal("1.05")
    def half(d):
        m = d["resources"]["materials"][3]
        m.pop("amount")
        m.update(quantity="0.5", unit_price="0.05")   # 0.025 → 0.03 (half up, not to even)
    [row] = [m for m in RES.context(facts_of("huaxing-crm", half), None)["materials"] if m["name"] == "备份介质"]
    assert row["amount"] == Decimal("0.03")


def test_budget_lines_reconcile_with_people_and_materials():
    def cheaper(d):
        d["resources"]["people"][0]["cost"] = "125000.00"
    facts = facts_of("huaxing-crm", cheaper)
    [f] = found(facts, "R-RES-2")
    assert f.message == ("预算人工科目 ¥2,160,000.00 不等于人力成本合计（resources.people[].cost） ¥2,159,000.00，"
                         "相差 ¥1,000.00")
    assert f.location.endswith(": budget.lines[0].amount")
    # the charter sees the same figure, from the same place
    [c] = found(facts, "R-CHT-5", CHT)
    assert c.message == ("预算各分项之和 ¥3,600,000.00 不等于资源分配表合计 ¥3,599,000.00（人工 ¥2,159,000.00、"
                         "物料 ¥180,000.00、外采 ¥720,000.00、差旅 ¥216,000.00、其他 ¥144,000.00、不可预见费 ¥180,000.00）")
    assert facts.derive(resource_totals).total == Decimal("3599000.00")


def test_materials_by_category_and_budget_total():
    def moved(d):
        d["resources"]["materials"][2]["category"] = "外采"       # 测试环境服务器租用 150,000
        d["budget"]["total"] = "3600000.50"
    messages = [f.message for f in found(facts_of("huaxing-crm", moved), "R-RES-2")]
    assert messages == [
        "预算各科目合计 ¥3,600,000.00 不等于项目章程的预算总额（budget.total）¥3,600,000.50",
        "预算物料科目 ¥180,000.00 不等于物料与设备中物料类金额合计（resources.materials） ¥30,000.00，相差 ¥150,000.00",
        "预算外采科目 ¥720,000.00 不等于物料与设备中外采类金额合计（resources.materials） ¥870,000.00，相差 ¥150,000.00",
    ]


def test_missing_category_line():
    def no_materials_line(d):
        d["budget"]["lines"] = [line for line in d["budget"]["lines"] if line["category"] != "物料"]
    [f] = [f for f in found(facts_of("huaxing-crm", no_materials_line), "R-RES-2") if "缺少" in f.message]
    assert f.message == "预算缺少物料科目（budget.lines），而物料与设备中物料类金额合计（resources.materials）为 ¥180,000.00"
    assert f.location.endswith(": budget.lines")


def test_shares_show_100_percent():
    """Largest remainder: 60.9 + 21.7 + 3.3 + 6.9 + 2.4 + 4.8 = 100.0 (rounding each: 7.0 and 100.1)."""
    facts = facts_of("yuanhang-srm")
    shares = [b["share"] for b in RES.context(facts, None)["budget"]["lines"]]
    assert [str(s) for s in shares] == ["60.9", "21.7", "3.3", "6.9", "2.4", "4.8"]
    assert sum(shares) == 100
    def zero(d):
        for line in d["budget"]["lines"]:
            line["amount"] = "0"
        d["budget"]["total"] = "0"
    [f] = found(facts_of("huaxing-crm", zero), "R-RES-3")
    assert f.message == "预算各科目金额合计为 0，无法计算占比"
    assert f.location.endswith(": budget.lines")


def test_every_owner_and_assignee_is_in_the_people_table():
    facts = facts_of("yuanhang-srm", lambda d: d["resources"]["people"].pop(4))   # 韩雪
    messages = [(f.message, f.location.rsplit(": ", 1)[1]) for f in found(facts, "R-RES-5")]
    first = next(i for i, w in enumerate(facts.project.wbs) if w.owner == "韩雪")
    item = facts.project.wbs[first]
    assert messages == [(f"韩雪 是任务 {item.code}「{item.name}」的责任人（owner），但不在资源分配表的人力"
                         f"（resources.people）中", f"wbs[{first}].owner")]

    def assignee_only(d):
        d["wbs"][leaf_index(d, "4.4.2")]["assignments"][1]["name"] = "王建国"   # the sponsor, not in 人力
    [f] = found(facts_of("yuanhang-srm", assignee_only), "R-RES-5")
    i = leaf_index(facts_of("yuanhang-srm").project.model_dump(), "4.4.2")
    assert f.message == "王建国 是任务 4.4.2「上线后运行支持」的分派人员（assignments），但不在资源分配表的人力（resources.people）中"
    assert f.location.endswith(f": wbs[{i}].assignments[1]")


def test_bad_assignment_is_a_located_validation_error():
    from salespm_docs.errors import SalespmError

    def bad(d):
        d["wbs"][leaf_index(d, "4.4.2")]["assignments"][0]["percent"] = "很多"
    with pytest.raises(SalespmError) as err:
        facts_of("yuanhang-srm", bad)
    assert "wbs.yaml" in str(err.value) and "percent" in str(err.value)


def test_a_person_listed_twice_is_a_located_validation_error():
    from salespm_docs.errors import SalespmError

    with pytest.raises(SalespmError) as err:
        facts_of("huaxing-crm", lambda d: d["resources"]["people"].append(dict(d["resources"]["people"][0])))
    assert "resources.yaml" in str(err.value) and "人力中「张伟」出现两次" in str(err.value)


# -- performance ------------------------------------------------------------------------------------

def test_load_is_linear_on_a_2000_leaf_wbs(tmp_path):
    from bench import scale

    root = scale.make_project(tmp_path, 2000)
    facts = load_facts(Workspace(root), "huaxing-crm")
    started = time.perf_counter()
    load = facts.derive(weekly_load)
    seconds = time.perf_counter() - started
    assert sum(len(p.tasks) for p in load.people.values()) >= 2000
    assert seconds < 2.0, seconds
    assert facts.derive(weekly_load) is load       # once per build


# -- the documents ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """slug → format → the RES file, rendered for RES alone."""
    ws, out = Workspace(ROOT), {}
    renderer = Renderer(ws)
    for slug in EXAMPLES:
        facts = load_facts(ws, slug)
        [instance] = [i for i in plan(facts)[0] if i.artifact.code == "RES"]
        folder = tmp_path_factory.mktemp(slug)
        result = renderer.render(facts, instance, folder)
        assert result.findings == []
        out[slug] = {f.format: f.path for f in result.files}
    return out


@pytest.mark.parametrize("slug", EXAMPLES)
def test_pdf_and_docx_show_the_figures(documents, slug):
    facts = facts_of(slug)
    ctx = RES.context(facts, None)
    pdf = pdf_text(documents[slug]["pdf"])[0].replace("\n", "")
    docx = docx_text(documents[slug]["docx"]).text.replace("\n", "")
    for text in (pdf, docx):
        for heading in HEADINGS:
            assert heading in text
        assert "草稿" not in text
        assert f"预算总额 ¥{ctx['budget']['total']:,.2f}（{ctx['budget']['upper']}）" in text
        assert "没有人在任何一周的负荷超过 100%。" in text
        for person in ctx["staff"]:
            assert person["name"] in text
        assert f"¥{ctx['materials_total']:,.2f}" in text
    if slug == "yuanhang-srm":
        for text in (pdf, docx):
            assert "2026-W45（2026-11-02 至 2026-11-08） 等 4 周" in text
            assert "6.9%" in text and "100.0%" in text


@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
def test_register_recalculates_to_the_pdf_figures(documents):
    for slug in EXAMPLES:
        xlsx = documents[slug]["xlsx"]
        values = recalculated(xlsx)
        assert stale_formulas(xlsx, values) == []
        ctx = RES.context(facts_of(slug), None)
        budget = values["预算"]
        rows = list(budget.iter_rows(min_row=2, values_only=True))
        shown = [Decimal(str(r[2])).quantize(Decimal("0.1")) for r in rows[:-1]]
        assert shown == [b["share"] for b in ctx["budget"]["lines"]]
        assert rows[-1][0] == "合计" and round(rows[-1][2], 6) == 100
        assert Decimal(str(rows[-1][1])) == ctx["budget"]["total"]
        goods = list(values["物料与设备"].iter_rows(min_row=2, values_only=True))
        assert [Decimal(str(r[6])) for r in goods[:-1]] == [m["amount"] for m in ctx["materials"]]
        assert Decimal(str(goods[-1][6])) == ctx["materials_total"]
        staff = list(values["人力"].iter_rows(min_row=2, values_only=True))
        assert Decimal(str(staff[-1][6])) == ctx["staff_total"]
        # every recalculated figure is written so in the PDF
        pdf = pdf_text(documents[slug]["pdf"])[0]
        money = lambda v: yuan(Decimal(str(v)).quantize(Decimal("0.01")))
        for row in rows:
            assert money(row[1]) in pdf and pct(Decimal(str(row[2])), 1, True) in pdf, row
        for row in (*goods, staff[-1]):
            assert money(row[6]) in pdf, row


@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
def test_register_follows_an_edit(documents, tmp_path):
    """A PM changes a 数量 and a budget 金额 in a copy: 金额, the totals and every 占比 follow, and the
    shares still add up to 100.0% as displayed."""
    copy_ = tmp_path / "edited.xlsx"
    shutil.copyfile(documents["yuanhang-srm"]["xlsx"], copy_)
    book = openpyxl.load_workbook(copy_)
    book["物料与设备"]["D5"] = 6                     # 备份介质: 4 → 6 块 × ¥750
    book["预算"]["B5"] = 100000                      # 差旅 96,000 → 100,000
    book.save(copy_)
    values = recalculated(copy_)
    goods = values["物料与设备"]
    assert goods["G5"].value == 4500 and goods["G6"].value == 346500
    budget = values["预算"]
    shares = [Decimal(str(budget.cell(row=r, column=3).value)).quantize(Decimal("0.1")) for r in range(2, 8)]
    from salespm_docs.figures.shares import largest_remainder
    amounts = [840000, 300000, 45000, 100000, 33000, 66000]
    assert shares == largest_remainder(amounts)
    assert sum(shares) == 100
    assert budget["B8"].value == sum(amounts)


def test_register_keeps_drop_downs_and_print_setup(documents):
    book = openpyxl.load_workbook(documents["huaxing-crm"]["xlsx"])
    assert {"人力", "物料与设备", "预算", "人员周负荷"} <= set(book.sheetnames)
    for name, column in (("人力", "A"), ("物料与设备", "C"), ("预算", "A"), ("人员周负荷", "A")):
        ws = book[name]
        assert any(v.type == "list" and str(v.sqref).startswith(f"{column}2") for v in ws.data_validations.dataValidation), name
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows
    ws = book["物料与设备"]
    assert ws["G2"].value == "=ROUND(D2*F2,2)"
    assert ws["G6"].value == "=SUM(G2:G5)"
    assert ws["H2"].number_format == "yyyy-mm-dd"
    assert "¥" in ws["F2"].number_format
    assert book["预算"]["C2"].value.startswith("=IF(SUM($B$2:INDEX($B:$B,COUNTA($A:$A)-1))=0,0,")
