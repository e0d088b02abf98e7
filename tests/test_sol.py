"""SOL 解决方案: the document as the client reads it (sections, the 功能清单 traced to requirement IDs
and WBS codes, the implementation period by phase, the quote in 小写 and 大写 equal to the contract),
R-SOL-1…3 on broken data with exact messages and locations, bad input through the CLI, no internal
figure, and the artifact's declared reads. SOL is rendered alone (no whole build)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.sol import SECTIONS, main_contract
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.money import format_yuan, to_upper
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, facts_from, in_order, make_workspace

load_all()
SOL = REGISTRY["SOL"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"


def findings(facts, rule_id: str | None = None) -> list:
    return [f for f in run_data_rules(facts, SOL, None, "SOL") if rule_id is None or f.rule == rule_id]


def located(finding) -> str:
    return finding.location.rsplit(": ", 1)[1]


def raw_solution(slug: str) -> dict:
    return yaml.safe_load((ROOT / "projects" / slug / "solution.yaml").read_text(encoding="utf-8"))["solution"]


def render(root: Path, slug: str, folder: Path):
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(SOL), folder)
    return result, {f.format: f.path for f in result.files}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("sol")
    out = {}
    for slug in EXAMPLES:
        result, files = render(ROOT, slug, base / slug)
        out[slug] = (result, files, docx_text(files["docx"]), pdf_text(files["pdf"])[0])
    return out


# -- the rendered documents ---------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_in_order_and_no_finding(rendered, slug):
    result, files, docx, pdf = rendered[slug]
    assert set(files) == {"docx", "pdf"}
    assert in_order(docx.text, SECTIONS + ("审批签字",)) and in_order(pdf, SECTIONS + ("审批签字",))
    assert result.findings == []
    for bad in ("None", "nan", "{{", "{%", "草稿"):
        assert bad not in docx.text and bad not in pdf


@pytest.mark.parametrize("slug", EXAMPLES)
def test_function_list_as_written(rendered, slug):
    _, _, docx, _ = rendered[slug]
    written = raw_solution(slug)["functions"]
    [table] = [t for t in docx.tables if t and t[0][:3] == ["编号", "模块", "功能名称"]]
    assert [r[0] for r in table[1:]] == [f["id"] for f in written]
    for row, f in zip(table[1:], written):
        assert row[2] == f["name"] and row[4] == "、".join(f["requirements"]) and row[5] == "、".join(f["wbs"])


@pytest.mark.parametrize("slug, total, words", [
    (HUAXING, "¥4,800,000.00", "人民币肆佰捌拾万元整"), (YUANHANG, "¥1,860,000.00", "人民币壹佰捌拾陆万元整")])
def test_quote_lines_add_up_to_the_contract_amount_in_figures_and_words(rendered, slug, total, words):
    """Each line: 数量 × 单价 = 金额 to the fen; the 合计 row and the 大写 equal the project's contract amount."""
    _, _, docx, pdf = rendered[slug]
    written = raw_solution(slug)["quote"]
    [table] = [t for t in docx.tables if t and t[0][:2] == ["序号", "项目"]]
    body, last = table[1:-1], table[-1]
    assert [r[1] for r in body] == [q["item"] for q in written]
    for row, q in zip(body, written):
        amount = Decimal(str(q["quantity"])) * Decimal(str(q["unit_price"]))
        assert row[5] == format_yuan(Decimal(str(q["unit_price"]))) and row[6] == format_yuan(amount)
    assert last[0] == "合计" and last[-1] == total
    assert sum(Decimal(str(q["quantity"])) * Decimal(str(q["unit_price"])) for q in written) == \
        Decimal(total[1:].replace(",", ""))
    project = yaml.safe_load((ROOT / "projects" / slug / "project.yaml").read_text(encoding="utf-8"))
    assert format_yuan(Decimal(str(project["project"]["contract_amount"]))) == total
    assert to_upper(Decimal(total[1:].replace(",", ""))) == words
    flat = squash(pdf)
    assert squash(f"报价合计（小写） {total}") in flat and squash(f"报价合计（大写） {words}") in flat


@pytest.mark.parametrize("slug, period", [
    (HUAXING, "实施周期：2026年1月5日至2026年6月30日"), (YUANHANG, "实施周期：2026年9月7日至2027年1月29日")])
def test_period_and_phases(rendered, slug, period):
    _, _, docx, pdf = rendered[slug]
    assert squash(period) in squash(pdf)
    [table] = [t for t in docx.tables if t and t[0] == ["阶段", "阶段名称", "开始", "结束"]]
    wbs = yaml.safe_load((ROOT / "projects" / slug / "wbs.yaml").read_text(encoding="utf-8"))["wbs"]
    assert [r[1] for r in table[1:]] == [i["name"] for i in wbs if "." not in i["code"]]


@pytest.mark.parametrize("slug", EXAMPLES)
def test_no_internal_figure(rendered, slug):
    """Client-facing: neither our budget nor its lines appear (R-COM-8 found nothing either)."""
    _, _, docx, pdf = rendered[slug]
    project = yaml.safe_load((ROOT / "projects" / slug / "project.yaml").read_text(encoding="utf-8"))
    for amount in [project["budget"]["total"], *(line["amount"] for line in project["budget"]["lines"])]:
        shown = format_yuan(Decimal(str(amount)))
        assert shown not in docx.text and shown not in pdf
    assert "预算" not in pdf and "成本" not in pdf


# -- rules on broken data -------------------------------------------------------------------------

def function(data: dict, ident: str) -> dict:
    return next(f for f in data["solution"]["functions"] if f["id"] == ident)


def test_intact_examples_have_no_finding(example_data):
    assert findings(facts_from(example_data)) == []
    assert findings(load_facts(Workspace(ROOT), YUANHANG)) == []


def test_function_rows_reference_existing_requirements_and_wbs(example_data):
    def breaks(d):
        function(d, "F01")["requirements"] = ["FR-01", "FR-99"]
        function(d, "F02")["requirements"] = []
        function(d, "F11")["wbs"] = ["4.2.3", "4.2.9"]
    found = findings(facts_from(example_data, breaks), "R-SOL-1")
    assert {located(f): f.message for f in found} == {
        "solution.functions[0].requirements[1]": "功能 F01「客户管理」引用的需求 FR-99 不在需求说明书中",
        "solution.functions[1]": "功能 F02「商机管理」没有引用任何需求编号（requirements）",
        "solution.functions[10].wbs[1]": "功能 F11「U9 双向接口」引用的 WBS 元素 4.2.9 不在工作分解结构中",
    }
    assert all(f.location.startswith("projects/huaxing-crm/solution.yaml:") for f in found)


def test_function_rows_without_a_wbs(example_data):
    """No WBS at all: one finding, not one per code."""
    found = findings(facts_from(example_data, lambda d: d.update(wbs=[])), "R-SOL-1")
    assert [(located(f), f.message) for f in found] == [
        ("solution.functions", "项目没有工作分解结构（wbs.yaml），功能清单中的 WBS 编码无从核对")]


def test_function_rows_without_a_requirements_document(example_data):
    found = findings(facts_from(example_data, lambda d: d.pop("requirements")), "R-SOL-1")
    assert len(found) == sum(len(f["requirements"]) for f in example_data["solution"]["functions"])
    assert found[0].message == "功能 F01「客户管理」引用的需求 FR-01 不在需求说明书（项目没有 requirements.yaml）中"


def test_period_must_match_the_gantt_span(example_data):
    def breaks(d):
        d["solution"]["implementation"]["end"] = dt.date(2026, 6, 26)
        d["solution"]["implementation"].pop("start")
    found = findings(facts_from(example_data, breaks), "R-SOL-2")
    assert all(f.severity == "W" for f in found)
    assert {located(f): f.message for f in found} == {
        "solution.implementation": ("解决方案未写实施周期的开始日期（solution.implementation.start）；"
                                    "项目进度计划的开始日期为2026年1月5日"),
        "solution.implementation.end": ("解决方案的实施周期结束日期2026年6月26日与项目进度计划（甘特图）的结束日期"
                                        "2026年6月30日不一致"),
    }


def test_quote_line_amount_is_quantity_times_unit_price(example_data):
    """A line off by ¥1,000: the line, and the total no longer the sum of the lines."""
    facts = facts_from(example_data, lambda d: d["solution"]["quote"][2].update(amount=Decimal("335000.00")))
    found = findings(facts, "R-SOL-3")
    assert [(located(f), f.message) for f in found] == [
        ("solution.quote[2].amount",
         "报价第 3 行「需求调研与方案设计」的金额 ¥335,000.00 与 数量 × 单价 = 120 × ¥2,800.00 = ¥336,000.00 不符"),
        ("solution.quote_total", "报价合计 ¥4,800,000.00 与 10 行明细之和 ¥4,799,000.00 不符"),
    ]


def test_quote_to_the_fen(example_data):
    """3 × ¥0.335 is not a price (Money takes two decimals); 3 × ¥33.33 = ¥99.99, not ¥100.00."""
    def breaks(d):
        d["solution"]["quote"].append({"item": "资料印刷", "quantity": 3, "unit": "套", "unit_price": Decimal("33.33"),
                                       "amount": Decimal("100.00")})
    found = findings(facts_from(example_data, breaks), "R-SOL-3")
    assert found[0].message == "报价第 11 行「资料印刷」的金额 ¥100.00 与 数量 × 单价 = 3 × ¥33.33 = ¥99.99 不符"


def test_quote_total_must_equal_the_contract(example_data):
    def breaks(d):
        d["solution"]["quote"][9].update(unit_price=Decimal("320000.00"), amount=Decimal("320000.00"))
        d["solution"]["quote_total"] = Decimal("4900000.00")
    found = findings(facts_from(example_data, breaks), "R-SOL-3")
    assert [(located(f), f.message) for f in found] == [
        ("solution.quote_total",
         "报价合计 ¥4,900,000.00 与合同 HX-XS-2026-017「华星精密 CRM 系统部署合同」的金额 ¥4,800,000.00 不一致")]


def test_without_total_the_sum_is_held_to_the_contract(example_data):
    def breaks(d):
        d["solution"].pop("quote_total")
        d["solution"]["quote"].pop()
    [f] = findings(facts_from(example_data, breaks), "R-SOL-3")
    assert located(f) == "solution.quote"
    assert f.message.startswith("报价合计 ¥4,580,000.00 与合同 HX-XS-2026-017")


def test_no_quote(example_data):
    [f] = findings(facts_from(example_data, lambda d: d["solution"].update(quote=[])), "R-SOL-3")
    assert (located(f), f.message) == ("solution", "解决方案没有报价明细（solution.quote）")


def test_the_contract_is_the_one_of_the_contract_amount(example_data):
    """Two contracts: the quote is held to the one whose amount is project.contract_amount."""
    def breaks(d):
        other = {**d["contracts"][0], "id": "HX-XS-2026-099", "name": "华星精密 CRM 运维合同",
                 "amount": Decimal("360000.00")}
        other.pop("document", None)
        d["contracts"].insert(0, other)
    facts = facts_from(example_data, breaks)
    assert main_contract(facts.project).id == "HX-XS-2026-017"
    assert findings(facts, "R-SOL-3") == []
    facts.project.project.contract_amount = Decimal("1")
    assert main_contract(facts.project).id == "HX-XS-2026-099"


def test_duplicate_function_id_is_a_located_error(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "solution.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    - id: F02\n", "    - id: F01\n"), encoding="utf-8")
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0 and "Traceback" not in out
    assert "projects/huaxing-crm/solution.yaml:" in out and "功能编号 F01 重复" in out


# -- declared reads -----------------------------------------------------------------------------

def test_sol_reads_exactly_what_it_declares():
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    runs = instances_of(examples, SOL)
    assert len(runs) == 2
    assert check_declarations(SOL, runs) == []
