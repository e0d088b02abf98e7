"""PAY 回款跟踪表: the register rendered for both examples (DOCX, PDF, XLSX), its rules R-PAY-1…6 on
good and broken data, and the live XLSX (未收金额, 逾期天数, 账龄 against the 报告日期 input cell).

Only the PAY document is rendered (``Renderer.render`` into a private folder, about 6 s per project),
never a whole example build."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from salespm_docs.artifacts.pay import PAYMENTS
from salespm_docs.artifacts.registry import Instance
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.figures import outcomes
from salespm_docs.money import from_upper
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, facts_from, make_workspace
from xlsx_tools import recalculated, stale_formulas

SECTIONS = ("合同与回款概况", "回款计划与执行", "逾期与账龄", "回款曲线", "跟进事项", "审批签字")
COLUMNS = ["期次", "节点", "比例", "计划金额", "计划日期", "开票日期", "开票金额", "实收日期", "实收金额",
           "未收金额", "逾期天数", "账龄", "状态", "跟进人", "下一步"]
#: the documents show the register in two tables (fifteen columns do not fit a page): the plan and
#: its execution up to 状态, and the follow-up of every installment with 跟进人 and 下一步
SHOWN = COLUMNS[:13]
FOLLOW = ["期次", "节点", "状态", "未收金额", "跟进人", "下一步"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """slug → (folder, findings) of the PAY document of each example."""
    tmp = tmp_path_factory.mktemp("pay")
    root = make_workspace(tmp / "ws", *((s, ROOT / "projects" / s) for s in EXAMPLES))
    ws = Workspace(root)
    renderer = Renderer(ws)
    out = {}
    for slug in EXAMPLES:
        folder = tmp / slug
        folder.mkdir()
        result = renderer.render(load_facts(ws, slug), Instance(PAYMENTS), folder)
        out[slug] = (folder, result.findings)
    return out


def _file(folder: Path, ext: str) -> Path:
    (path,) = folder.glob(f"PAY_*.{ext}")
    return path


@pytest.fixture(scope="module")
def texts(rendered) -> dict:
    """slug → (DOCX text, PDF text), squashed."""
    return {slug: (docx_text(_file(folder, "docx")), squash(pdf_text(_file(folder, "pdf"))[0]))
            for slug, (folder, _) in rendered.items()}


def findings(facts, rule_id=None):
    return [f for f in run_data_rules(facts, PAYMENTS, None, "PAY") if rule_id is None or f.rule == rule_id]


# -- the examples ---------------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_have_no_findings(rendered, slug):
    assert rendered[slug][1] == []


@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_and_columns_in_docx_and_pdf(texts, slug):
    docx, pdf = texts[slug]
    headings = [squash(h) for h in docx.headings]
    at = [next(i for i, h in enumerate(headings) if s in h) for s in SECTIONS]
    assert at == sorted(at)
    register = next(t for t in docx.tables if t and [squash(c) for c in t[0]] == SHOWN)
    assert register[-1][0] == "合计"
    follow = next(t for t in docx.tables if t and [squash(c) for c in t[0]] == FOLLOW)
    assert len(follow) == len(register) - 1  # every installment, no 合计
    assert all(row[4] != "—" and row[5] != "—" for row in follow[1:])
    for section in SECTIONS:
        assert section in pdf
    for header in SHOWN + FOLLOW:
        assert header in pdf


def test_huaxing_final_paid_late_is_said_truthfully(texts):
    docx, pdf = texts["huaxing-crm"]
    register = next(t for t in docx.tables if t and squash(t[0][0]) == "期次")
    final = dict(zip(COLUMNS, register[2]))
    assert final["计划日期"] == "2026-07-03" and final["实收日期"] == "2026-07-06"
    assert final["逾期天数"] == "3" and final["状态"] == "延期收清" and final["未收金额"] == "¥0.00"
    for text in (squash(docx.text), pdf):
        assert "即回款周期18天" in text and "≤30天" in text and "已达成" in text
        assert "实际晚于到期日3天到账" in text
        assert "人民币肆佰捌拾万元整（¥4,800,000.00）" in text
    assert from_upper("人民币肆佰捌拾万元整") == Decimal("4800000")


def test_yuanhang_final_awaits_acceptance(texts):
    docx, pdf = texts["yuanhang-srm"]
    register = next(t for t in docx.tables if t and squash(t[0][0]) == "期次")
    final = dict(zip(COLUMNS, register[2]))
    assert squash(final["计划日期"]) == "验收后15天"
    assert final["未收金额"] == "¥1,302,000.00" and final["逾期天数"] == "0" and final["账龄"] == "未到期"
    total = dict(zip(COLUMNS, register[-1]))
    assert total["比例"] == "100%" and total["计划金额"] == "¥1,860,000.00" and total["实收金额"] == "¥558,000.00"
    for text in (squash(docx.text), pdf):
        assert "人民币壹佰捌拾陆万元整（¥1,860,000.00）" in text
        assert "回款周期待尾款到账后计算" in text and "None" not in text


# -- the XLSX register ------------------------------------------------------------------------

@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
@pytest.mark.parametrize("slug", EXAMPLES)
def test_xlsx_recalculates_to_the_documents_figures(rendered, slug):
    xlsx = _file(rendered[slug][0], "xlsx")
    values = recalculated(xlsx)
    assert stale_formulas(xlsx, values) == []
    rows = [dict(zip(COLUMNS, r)) for r in values["回款跟踪表"].iter_rows(min_row=2, values_only=True)]
    facts_rows = outcomes.payment_rows(load_facts(Workspace(ROOT), slug))
    for row, fact in zip(rows, facts_rows):
        assert Decimal(str(row["未收金额"])) == fact.outstanding
        assert row["逾期天数"] == fact.days_overdue and row["账龄"] == fact.aging and row["状态"] == fact.status
    total = rows[-1]
    assert total["期次"] == "合计"
    assert Decimal(str(total["计划金额"])) == sum(f.amount for f in facts_rows)
    assert Decimal(str(total["未收金额"])) == sum(f.outstanding for f in facts_rows)
    formulas = openpyxl.load_workbook(str(xlsx))
    sheet = formulas["回款跟踪表"]
    assert sheet.freeze_panes == "A2"
    assert sheet.page_setup.orientation == "landscape"
    checked = {str(v.sqref).split(":")[0][:1] for v in sheet.data_validations.dataValidation}
    assert {"M", "N"} <= checked  # 状态, 跟进人
    assert "'文档信息'!" in formulas.defined_names["报告日期"].attr_text


def _set_report_date(xlsx: Path, day: dt.date, due: dt.date | None, tmp: Path) -> Path:
    """A copy of ``xlsx`` with 报告日期 = ``day`` and (if given) the 尾款's 计划日期 typed in."""
    copy = tmp / f"copy-{day}.xlsx"
    shutil.copy(xlsx, copy)
    wb = openpyxl.load_workbook(str(copy))
    sheet, cell = next(iter(wb.defined_names["报告日期"].destinations))
    wb[sheet][cell.replace("$", "")].value = dt.datetime.combine(day, dt.time())
    if due is not None:
        wb["回款跟踪表"]["E3"].value = dt.datetime.combine(due, dt.time())
    wb.save(str(copy))
    return copy


@pytest.mark.parametrize("day, days, bucket", [(dt.date(2027, 2, 1), 53, "31–60 天"),
                                               (dt.date(2027, 4, 15), 126, "> 90 天")])
@pytest.mark.clients  # LibreOffice Calc recalculates the workbook
def test_changing_the_report_date_moves_overdue_and_aging(rendered, tmp_path, day, days, bucket):
    xlsx = _file(rendered["yuanhang-srm"][0], "xlsx")
    values = recalculated(_set_report_date(xlsx, day, dt.date(2026, 12, 10), tmp_path))["回款跟踪表"]
    assert (values["K3"].value, values["L3"].value, values["M3"].value) == (days, bucket, "逾期")
    assert (values["K2"].value, values["L2"].value, values["M2"].value) == (0, "已收清", "已收清")  # paid on time: stays put


# -- rules on broken data ---------------------------------------------------------------------

def _only(facts, rule_id):
    return [(f.location, f.message) for f in findings(facts, rule_id)]


def test_ratio_total_95(example_data):
    def mutate(d):
        d["payments"][0]["ratio"] = 25
    found = _only(facts_from(example_data, mutate), "R-PAY-1")
    messages = [m for _, m in found]
    assert "各期比例之和为 95%，应为 100%" in messages
    assert any("第 1 期计划金额 ¥1,440,000.00 不等于合同金额 × 比例 25% = ¥1,200,000.00" == m for m in messages)
    assert any(loc.startswith("projects/huaxing-crm/payments.yaml:") and "payments[0].amount" in loc
               for loc, _ in found)


def test_amounts_not_summing_to_contract(example_data):
    def mutate(d):
        d["payments"][1]["amount"] = 3000000
    messages = [m for _, m in _only(facts_from(example_data, mutate), "R-PAY-1")]
    assert ("各期计划金额之和为 ¥4,440,000.00，与合同金额 ¥4,800,000.00 不符（相差 ¥360,000.00）" in messages)


def test_received_more_than_invoiced(example_data):
    def mutate(d):
        d["payments"][0]["invoice_amount"] = 1000000
    found = _only(facts_from(example_data, mutate), "R-PAY-3")
    assert len(found) == 1
    loc, message = found[0]
    assert "payments.yaml:" in loc and "payments[0].received_amount" in loc
    assert message == "第 1 期「合同签订（预付款）」实收金额 ¥1,440,000.00 大于开票金额 ¥1,000,000.00"


def test_received_more_than_planned(example_data):
    def mutate(d):
        d["payments"][1]["received_amount"] = 3400000
        d["payments"][1]["invoice_amount"] = 3400000
    messages = [m for _, m in _only(facts_from(example_data, mutate), "R-PAY-3")]
    assert "第 2 期「最终验收（尾款）」实收金额 ¥3,400,000.00 大于计划金额 ¥3,360,000.00，未收金额为负" in messages
    assert "第 2 期「最终验收（尾款）」开票金额 ¥3,400,000.00 大于计划金额 ¥3,360,000.00" in messages


def test_final_due_disagreeing_with_acceptance(example_data):
    def mutate(d):
        d["payments"][1]["due"] = dt.date(2026, 7, 10)
    found = _only(facts_from(example_data, mutate), "R-PAY-2")
    assert [m for _, m in found] == ["尾款（第 2 期）计划日期 2026-07-10 与约定不符：验收日期 2026-06-18 后 15 天应为 "
                                     "2026-07-03（可删除 due，由验收日期推算）"]
    assert "payments[1].due" in found[0][0]


def test_final_ratio_and_missing_final(example_data):
    def ratio(d):
        d["payments"][0]["ratio"], d["payments"][1]["ratio"] = 40, 60
    assert [m for _, m in _only(facts_from(example_data, ratio), "R-PAY-2")] == [
        "尾款（第 2 期）比例为 60%，约定为 70%（settings.payment.final_ratio）"]

    def no_final(d):
        d["payments"][1]["final"] = False
    assert [m for _, m in _only(facts_from(example_data, no_final), "R-PAY-2")] == [
        "回款计划中没有尾款（final: true）：应有一期 70% 的尾款，验收后 15 天内到期"]


def test_overdue_needs_owner_and_next_step(example_data):
    def mutate(d):
        for field in ("received_date", "received_amount", "owner", "next_step"):
            d["payments"][1].pop(field, None)
    facts = facts_from(example_data, mutate)
    days = (facts.today - dt.date(2026, 7, 3)).days
    found = _only(facts, "R-PAY-6")
    assert [m for _, m in found] == [f"第 2 期「最终验收（尾款）」已逾期 {days} 天，缺少跟进人（owner）",
                                     f"第 2 期「最终验收（尾款）」已逾期 {days} 天，缺少下一步（next_step）"]
    (row,) = [r for r in outcomes.payment_rows(facts) if r.final]
    assert row.status == "逾期" and row.aging == "> 90 天"


def test_missing_due_and_future_receipt(example_data):
    def mutate(d):
        d["payments"][0].pop("due")
        d["payments"][1]["received_date"] = dt.date(2099, 1, 1)
    messages = [m for _, m in _only(facts_from(example_data, mutate), "R-PAY-4")]
    assert "第 1 期「合同签订（预付款）」缺少计划日期（due），无法计算逾期天数与账龄" in messages
    assert any(m.startswith("第 2 期「最终验收（尾款）」的实收日期 2099-01-01 在报告日期") for m in messages)


def test_cycle_needs_acceptance_before_receipt(example_data):
    def mutate(d):
        d["payments"][1]["received_date"] = dt.date(2026, 6, 1)
    found = _only(facts_from(example_data, mutate), "R-PAY-5")
    assert [m for _, m in found] == ["尾款（第 2 期）实收日期 2026-06-01 早于验收日期 2026-06-18，回款周期为负，请核对"]


def test_aging_buckets():
    cases = [(0, "未到期"), (1, "0–30 天"), (30, "0–30 天"), (31, "31–60 天"), (60, "31–60 天"),
             (61, "61–90 天"), (90, "61–90 天"), (91, "> 90 天")]
    assert [outcomes.aging_bucket(d, Decimal(1)) for d, _ in cases] == [b for _, b in cases]
    assert outcomes.aging_bucket(200, Decimal(0)) == "已收清"


def test_reads_exactly_what_it_declares():
    """As tests/test_declared_reads.py checks every document (PAY to be added to its lists there)."""
    from salespm_docs.build import plan
    from test_declared_reads import check_declarations

    examples = [load_facts(Workspace(ROOT), slug) for slug in EXAMPLES]
    runs = [(facts, i.key) for facts in examples for i in plan(facts)[0] if i.artifact.code == "PAY"]
    assert len(runs) == 2
    assert check_declarations(PAYMENTS, runs) == []
