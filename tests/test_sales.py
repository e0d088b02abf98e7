"""SALES 销售数据分析: the KPIs as a sales PM reads them (rendered DOCX and PDF: each KPI's formula,
inputs and value against an independent computation from the YAML), zero denominators (不适用, a
R-SALES-2 warning, never inf/NaN or a crash), R-SALES-1 (typed values recomputed, missing inputs),
R-SALES-3 (contract ↔ payment plan) with exact messages and locations, audience and declared reads."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest
import yaml

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.sales import SECTIONS, by_key
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.config import load_settings
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.facts import Facts
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, example_facts, in_order, make_workspace

load_all()
SALES = REGISTRY["SALES"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"
FOLDER = ROOT / "projects" / HUAXING
SALES_FILE = "projects/huaxing-crm/sales.yaml"
PAY_FILE = "projects/huaxing-crm/payments.yaml"


def read(name: str) -> dict:
    return yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))


def facts_of(mutate=None) -> Facts:
    return example_facts(HUAXING, mutate, default=dt.date(2026, 7, 31))


def findings(facts: Facts, rule: str | None = None) -> list[tuple[str, str, str]]:
    return [(f.severity, f.location, f.message) for f in run_data_rules(facts, SALES, None, "SALES")
            if rule is None or f.rule == rule]


def yuan(x: Decimal) -> str:
    return f"¥{x:,.2f}"


def pct(x: Decimal) -> str:
    return f"{x.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def expected() -> dict[str, tuple[list[str], str]]:
    """KPI → (its input values as shown, its value), computed from the YAML files here."""
    contracts = read("contracts.yaml")["contracts"]
    amount = sum(Decimal(str(c["amount"])) for c in contracts)
    objective = next(o for o in read("project.yaml")["objectives"] if o.get("measure") == "sales_amount")
    assert objective["unit"] == "万元"
    target = Decimal(str(objective["target"])) * 10000
    sales = read("sales.yaml")["sales"]
    prev = Decimal(str(sales["previous"]["amount"]))
    cost, clients = Decimal(str(sales["acquisition"]["cost"])), sales["acquisition"]["new_clients"]
    survey = max(read("surveys.yaml")["surveys"], key=lambda s: s["date"])
    scores = [v for r in survey["responses"] for v in r["scores"].values()]
    high = sum(1 for v in scores if v >= 4)
    payments = read("payments.yaml")["payments"]
    received = sum(Decimal(str(p.get("received_amount") or 0)) for p in payments)
    last = sorted((ROOT / "projects" / HUAXING / "weekly").glob("*.yaml"))[-1]
    final_cost = Decimal(str(yaml.safe_load(last.read_text(encoding="utf-8"))["cost"]["forecast_at_completion"]))
    return {
        "销售额": ([yuan(amount)], yuan(amount)),
        "目标达成率": ([yuan(amount), yuan(target)], pct(amount * 100 / target)),
        "销售额增长率": ([yuan(amount), yuan(prev)], pct((amount - prev) * 100 / prev)),
        "客户获取成本": ([yuan(cost), f"{clients} 个"], yuan(cost / clients)),
        "客户满意度": ([f"{high} 项", f"{len(scores)} 项"], pct(Decimal(high) * 100 / len(scores))),
        "回款率": ([yuan(received), yuan(amount)], pct(received * 100 / amount)),
        "毛利率": ([yuan(amount), yuan(final_cost)], pct((amount - final_cost) * 100 / amount)),
    }


def render(root, folder) -> tuple[list, dict]:
    ws = Workspace(root)
    facts = load_facts(ws, HUAXING)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(SALES, None), folder)
    return result.findings, {f.format: f.path for f in result.files}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[list, object, str, str]:
    found, files = render(ROOT, tmp_path_factory.mktemp("sales"))
    return found, docx_text(files["docx"]), pdf_text(files["pdf"])[0], files


# -- the rendered analysis --------------------------------------------------------------------

def test_rendered_analysis_is_clean_with_every_section(built):
    found, docx, pdf, files = built
    assert found == []
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)
    assert files["docx"].name == "SALES_销售数据分析_V1.0.docx"
    assert "HX-P2026017-SALES-01" in docx.text and "HX-P2026017-SALES-01" in pdf


def test_the_example_figures(built):
    """The story: 480万 signed against the charter's 500万 (96.0%), paid in full, CSAT of the closing survey."""
    want = expected()
    assert want["目标达成率"][1] == "96.0%" and want["回款率"][1] == "100.0%"
    assert want["毛利率"][1] == "22.5%" and want["销售额增长率"][1] == "14.3%"
    assert want["客户获取成本"][1] == "¥186,000.00"


def test_every_kpi_shows_formula_and_value_in_the_summary_table(built):
    _, docx, pdf, _ = built
    [table] = [t for t in docx.tables if t and t[0][:3] == ["序号", "指标", "计算公式"]]
    want = expected()
    assert len(table) - 1 == len(want)
    for row, (name, (_, value)) in zip(table[1:], want.items()):
        assert squash(row[1]).startswith(name)
        assert row[3] == value
        assert "=" in row[2]
        assert row[4].startswith("来源：")
    flat = squash(pdf)
    for name, (_, value) in want.items():
        assert squash(name) in flat and value in flat


def test_every_kpi_shows_its_inputs_with_their_source(built):
    _, docx, pdf, _ = built
    [table] = [t for t in docx.tables if t and t[0] == ["指标", "输入项", "数值", "来源"]]
    rows: dict[str, list[list[str]]] = {}
    for r in table[1:]:
        rows.setdefault(squash(r[0]).split("（")[0], []).append(r)
    for name, (inputs, _) in expected().items():
        shown = [r[2] for r in rows[name]]
        assert shown == inputs, (name, shown, inputs)
        assert all(r[3] for r in rows[name])
    sources = {squash(r[1]): r[3] for r in table[1:]}
    assert sources["合同HX-XS-2026-017金额"] == "合同评审表 CTR"
    assert squash(sources["销售目标O2「销售额≥500万元」"]) == "项目章程CHT"
    assert squash(sources["已回款金额（2期实收合计）"]) == "回款跟踪表PAY"
    assert any(k.startswith("完工成本（2026-W27周报完工预测成本）") for k in sources)
    flat = squash(pdf)
    for inputs, _ in expected().values():
        for value in inputs:
            assert squash(value) in flat


def test_target_reconciliation_and_margin_sections(built):
    _, docx, pdf, _ = built
    for text in (squash(docx.text), squash(pdf)):
        assert "销售额¥4,800,000.00（480万元），销售目标¥5,000,000.00（500万元），目标达成率96.0%；未达成目标，差额¥200,000.00。" in text
        assert "客户预算缩减" in text                      # RET's cause, the same words
        assert "已回款¥4,800,000.00，未回款¥0.00，回款率100.0%。" in text
        assert "立项预期毛利率24.0%（预计收入¥5,000,000.00，预算成本¥3,800,000.00）" in text
        assert "−1.5个百分点" in text
        assert "内部文档" in text
    [rec] = [t for t in docx.tables if t and t[0] == ["核对项", "金额", "与销售额"]]
    assert [r[2] for r in rec[1:]] == ["一致"] * 4
    assert "inf" not in pdf.lower().replace("information", "") and "nan" not in pdf.lower()


def test_charts_vector_in_pdf_png_in_docx(built):
    """The two bar charts: drawn as vector in the PDF (their words are in its text layer), PNG
    pictures in Word (their words are not in its text)."""
    _, docx, pdf, files = built
    import zipfile

    with zipfile.ZipFile(files["docx"]) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]) >= 2
    for title in ("比率类指标（%）", "销售额、目标与回款（万元）"):
        assert title in squash(pdf) and title not in squash(docx.text)
    assert "销售额（合同）" in squash(pdf) and "已回款" in squash(pdf)


# -- zero denominators: 不适用, a warning, never inf or a crash -------------------------------

def _set(path, value):
    def mutate(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


@pytest.mark.parametrize("path, value, kpi, location, message", [
    (("sales", "previous", "amount"), 0, "growth", f"{SALES_FILE}:11: sales.previous.amount",
     "销售额增长率的分母上期销售额（2025年度，大客户销售部 2025 年度签约的同类项目（制造业 CRM 实施，3 个）平均合同额）"
     "为 0，无法计算，文档中显示为不适用（增长率 = (销售额 − 上期销售额) ÷ 上期销售额 × 100%）"),
    (("sales", "acquisition", "new_clients"), 0, "cac", f"{SALES_FILE}:15: sales.acquisition.new_clients",
     "客户获取成本（CAC）的分母新客户数为 0，无法计算，文档中显示为不适用（CAC = 销售与市场费用 ÷ 新客户数）"),
])
def test_zero_denominator_is_not_applicable_with_a_warning(path, value, kpi, location, message):
    facts = facts_of(_set(path, value))
    k = by_key(facts)[kpi]
    assert k.value is None and k.shown == "不适用"
    assert findings(facts, "R-SALES-2") == [("W", location, message)]
    assert findings(facts, "R-SALES-1") == []


def test_zero_target_and_zero_contract_give_not_applicable_everywhere():
    def mutate(data):
        next(o for o in data["objectives"] if o.get("measure") == "sales_amount")["target"] = 0
        for c in data["contracts"]:
            c["amount"] = 0
    facts = facts_of(mutate)
    k = by_key(facts)
    assert [k[x].shown for x in ("achievement", "collection", "margin")] == ["不适用"] * 3
    assert k["growth"].value == Decimal("-100.0")
    found = findings(facts, "R-SALES-2")
    assert {m.split("的分母")[0] for _, _, m in found} == {"目标达成率", "回款率", "毛利率"}
    assert all(s == "W" for s, _, _ in found)
    [(_, where, message)] = [f for f in found if f[2].startswith("目标达成率")]
    assert where.startswith("projects/huaxing-crm/project.yaml:") and where.endswith(": objectives[1].target")
    assert message == ("目标达成率的分母销售目标 O2「销售额 ≥ 0万元」为 0，无法计算，文档中显示为不适用"
                       "（目标达成率 = 销售额 ÷ 销售目标 × 100%）")


def test_no_survey_answers_and_no_cost_data():
    def mutate(data):
        for s in data["surveys"]:
            s["responses"] = []
        for w in data["weekly"]:
            w.pop("cost", None)
    facts = facts_of(mutate)
    k = by_key(facts)
    assert k["csat"].shown == "不适用" and k["margin"].shown == "不适用"
    from salespm_docs.artifacts.sales import _why

    assert _why(k["margin"]) == "缺少完工成本，不适用" and _why(k["csat"]) == "评分总数为 0，不适用"
    messages = [m for _, _, m in findings(facts, "R-SALES-1")]
    assert any(m.startswith("毛利率缺少输入「完工成本」") for m in messages)


def test_zero_denominators_render_without_crash(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, FOLDER))
    path = root / "projects" / HUAXING / "sales.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("amount: 4200000.00", "amount: 0").replace("new_clients: 1", "new_clients: 0")
    text = text.replace("  reported:\n    achievement: 96.0\n    collection: 100.0\n", "")
    path.write_text(text, encoding="utf-8")
    found, files = render(root, tmp_path / "out")
    assert {f.rule for f in found} == {"R-SALES-2"}
    docx, pdf = docx_text(files["docx"]).text, pdf_text(files["pdf"])[0]
    [table] = [t for t in docx_text(files["docx"]).tables if t and t[0][:3] == ["序号", "指标", "计算公式"]]
    assert [r[3] for r in table[1:] if r[3] == "不适用"] == ["不适用", "不适用"]
    assert "上期销售额为 0，不适用" in docx and "新客户数为 0，不适用" in docx
    for t in (docx, pdf):
        assert "inf" not in t.lower().replace("information", "") and "nan" not in t.lower()
        assert "None" not in t


def test_negative_client_count_is_a_located_validation_error():
    from salespm_docs.errors import DataError

    with pytest.raises(DataError) as exc:
        facts_of(_set(("sales", "acquisition", "new_clients"), -1))
    assert (f"{SALES_FILE}:15: sales.acquisition.new_clients: 新客户数应在 0–100000 之间，实际为 -1"
            in str(exc.value))


# -- R-SALES-1: inputs shown and recomputed ------------------------------------------------------

def test_typed_kpi_must_match_the_recomputed_value():
    facts = facts_of(_set(("sales", "reported", "achievement"), 95))
    assert findings(facts, "R-SALES-1") == [
        ("E", f"{SALES_FILE}:20: sales.reported.achievement",
         "目标达成率填写为 95%，重算为 96.0%（目标达成率 = 销售额 ÷ 销售目标 × 100%）；请改为 96.0% 或删除该字段")]


def test_missing_own_inputs_are_findings():
    def mutate(data):
        del data["sales"]["previous"]
        del data["sales"]["acquisition"]
    found = findings(facts_of(mutate), "R-SALES-1")
    assert [(s, loc.split(": ")[0].rsplit(":", 1)[0], loc.split(": ")[-1], m) for s, loc, m in found] == [
        ("E", SALES_FILE, "sales.previous",
         "销售额增长率缺少输入「上期销售额」（未填写（sales.previous），来源：本表录入），该指标显示为不适用"),
        ("E", SALES_FILE, "sales.acquisition",
         "客户获取成本（CAC）缺少输入「销售与市场费用」、「新客户数」（未填写（sales.acquisition），来源：本表录入），"
         "该指标显示为不适用")]


# -- R-SALES-3: reconciliation with CTR and PAY ---------------------------------------------------

def test_payment_plan_that_does_not_add_up_to_the_contract():
    facts = facts_of(_set(("payments", 1, "amount"), "3350000.00"))
    assert findings(facts, "R-SALES-3") == [
        ("E", f"{PAY_FILE}:2: payments",
         "回款计划各期金额合计 ¥4,790,000.00 与销售额（合同金额）¥4,800,000.00 不一致，少 ¥10,000.00")]


def test_project_contract_amount_differs_from_the_contract():
    facts = facts_of(_set(("project", "contract_amount"), "5000000.00"))
    [(sev, loc, msg)] = findings(facts, "R-SALES-3")
    assert sev == "E" and loc.startswith("projects/huaxing-crm/project.yaml:") and loc.endswith(": project.contract_amount")
    assert msg == ("项目合同金额（project.contract_amount）¥5,000,000.00 与合同金额合计 ¥4,800,000.00"
                   "（合同评审表 CTR）不一致")


def test_received_more_than_the_contract():
    facts = facts_of(_set(("payments", 1, "received_amount"), "3400000.00"))
    assert findings(facts, "R-SALES-3") == [
        ("E", f"{PAY_FILE}:2: payments", "已回款合计 ¥4,840,000.00 超过销售额（合同金额）¥4,800,000.00，多收 ¥40,000.00")]


# -- audience, presence, declared reads ----------------------------------------------------------

def test_internal_and_only_where_there_is_sales_data():
    settings = load_settings(ROOT, FOLDER)
    assert not settings.is_client_facing("SALES")
    assert SALES.audience_for(settings) != "client"
    assert read("documents.yaml")["documents"]["SALES"]["classification"] == "内部"
    yuanhang = load_facts(Workspace(ROOT), YUANHANG)
    assert yuanhang.project.sales is None and not SALES.present(yuanhang.project)


def test_declared_reads():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    assert check_declarations(SALES, instances_of(examples, SALES)) == []
