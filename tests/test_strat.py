"""STRAT 销售策略: the document as a sales PM reads it (sections, the breakdown table and its bar
chart, the action plan), rules R-STRAT-1/2 on broken data, the bar chart's geometry, and the
artifact's declared reads. STRAT is rendered alone (no whole build)."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.strat import SECTIONS
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.charts import png_dpi
from salespm_docs.charts.bars import bar_chart
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, facts_from, in_order, make_workspace

load_all()
STRAT = REGISTRY["STRAT"]
SVG = "{http://www.w3.org/2000/svg}"


def findings(facts, rule_id: str | None = None) -> list:
    return [f for f in run_data_rules(facts, STRAT, None, "STRAT") if rule_id is None or f.rule == rule_id]


def raw_strategy(slug: str) -> dict:
    return yaml.safe_load((ROOT / "projects" / slug / "strategy.yaml").read_text(encoding="utf-8"))["strategy"]


def render(root: Path, slug: str, folder: Path):
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(STRAT), folder)
    return result, {f.format: f.path for f in result.files}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("strat")
    out = {}
    for slug in EXAMPLES:
        result, files = render(ROOT, slug, base / slug)
        out[slug] = (result, files, docx_text(files["docx"]), pdf_text(files["pdf"])[0])
    return out


# -- the rendered document ------------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_in_order_and_no_finding(rendered, slug):
    result, files, docx, pdf = rendered[slug]
    assert set(files) == {"docx", "pdf"}
    assert in_order(docx.text, SECTIONS + ("审批签字",)) and in_order(pdf, SECTIONS + ("审批签字",))
    assert [f for f in result.findings if f.severity == "E"] == []
    for bad in ("None", "nan", "{{", "{%"):
        assert bad not in docx.text and bad not in pdf


@pytest.mark.parametrize("slug, total", [("huaxing-crm", "¥5,000,000.00"), ("yuanhang-srm", "¥1,860,000.00")])
def test_breakdown_table_amounts_and_shares_add_up(rendered, slug, total):
    """Every row as written in strategy.yaml; 占比 = 金额 / 合计 to one decimal, adding up to 100.0%."""
    _, _, docx, pdf = rendered[slug]
    [table] = [t for t in docx.tables if t and t[0][:4] == ["序号", "分解项", "金额", "占比"]]
    written = raw_strategy(slug)["breakdown"]
    rows, last = table[1:-1], table[-1]
    assert [r[1] for r in rows] == [b["label"] for b in written]
    amounts = [Decimal(r[2].replace("¥", "").replace(",", "")) for r in rows]
    assert amounts == [Decimal(str(b["amount"])) for b in written]
    shares = [Decimal(r[3].rstrip("%")) for r in rows]
    assert sum(shares) == Decimal("100.0")
    for a, s in zip(amounts, shares):
        assert abs(a * 100 / sum(amounts) - s) < Decimal("0.1")
    assert last[0] == "合计" and last[2] == total and last[3] == "100.0%"
    flat = squash(pdf)
    assert squash(total) in flat and "100.0%" in flat
    for b in written:
        assert squash(b["label"]) in flat


def test_target_stated_and_huaxing_shares(rendered):
    _, _, docx, pdf = rendered["huaxing-crm"]
    sentence = "项目章程的销售额目标为 O2「销售额 ≥ 500万元」，即 ¥5,000,000.00；下表按产品线分解，合计与目标一致。"
    assert squash(sentence) in squash(docx.text) and squash(sentence) in squash(pdf)
    [table] = [t for t in docx.tables if t and t[0][:2] == ["序号", "分解项"]]
    assert [r[3] for r in table[1:]] == ["40.0%", "30.0%", "18.0%", "12.0%", "100.0%"]


@pytest.mark.parametrize("slug", EXAMPLES)
def test_action_plan_with_owners_and_dates(rendered, slug):
    _, _, docx, _ = rendered[slug]
    [table] = [t for t in docx.tables if t and t[0] == ["序号", "行动", "负责人", "完成日期"]]
    assert [(r[1], r[2], r[3]) for r in table[1:]] == [(a["action"], a["owner"], a["due"].isoformat())
                                                       for a in raw_strategy(slug)["actions"]]


@pytest.mark.parametrize("slug", EXAMPLES)
def test_bar_chart_in_both_formats(rendered, slug):
    """PDF: the SVG with its searchable title; Word: one 200-dpi PNG."""
    _, files, _, pdf = rendered[slug]
    assert "销售目标分解（按产品线，万元）" in squash(pdf)
    with zipfile.ZipFile(files["docx"]) as z:
        pngs = [z.read(n) for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
    assert len(pngs) >= 1 and any(png_dpi(p) == pytest.approx((200, 200), abs=0.1) for p in pngs)


# -- R-STRAT-1 ------------------------------------------------------------------------------------

def test_intact_examples_have_no_finding(example_data):
    assert findings(facts_from(example_data)) == []


def _breakdown_location(f) -> None:
    assert f.location.startswith("projects/huaxing-crm/strategy.yaml:") and f.location.endswith("strategy.breakdown")


def test_breakdown_one_yuan_short(example_data):
    def breaks(d):
        d["strategy"]["breakdown"][3]["amount"] = Decimal("599999.00")
    [f] = findings(facts_from(example_data, breaks))
    assert f.rule == "R-STRAT-1" and f.severity == "E"
    assert f.message == ("销售目标分解之和 ¥4,999,999.00 与项目章程的销售额目标 O2（销售额 ≥ 500万元，即 ¥5,000,000.00）"
                         "不一致，少 ¥1.00")
    _breakdown_location(f)


def test_breakdown_one_fen_over(example_data):
    def breaks(d):
        d["strategy"]["breakdown"][0]["amount"] = Decimal("2000000.01")
    [f] = findings(facts_from(example_data, breaks), "R-STRAT-1")
    assert f.message.endswith("（销售额 ≥ 500万元，即 ¥5,000,000.00）不一致，多 ¥0.01")
    assert "¥5,000,000.01" in f.message


def test_no_sales_target_in_the_charter(example_data):
    def breaks(d):
        for o in d["objectives"]:
            o.pop("measure", None) if o.get("measure") == "sales_amount" else None
    [f] = findings(facts_from(example_data, breaks), "R-STRAT-1")
    assert f.message == ("项目章程中没有销售额目标（objectives 或 success_criteria 中 measure 为 sales_amount 的一项），"
                         "无法核对销售目标分解")
    _breakdown_location(f)


def test_target_in_yuan_or_among_the_success_criteria(example_data):
    def in_yuan(d):
        o2 = next(o for o in d["objectives"] if o["id"] == "O2")
        o2.update(target=5000000, unit="元")

    def criterion(d):
        o2 = next(o for o in d["objectives"] if o["id"] == "O2")
        d["objectives"].remove(o2)
        d["success_criteria"].append({**o2, "id": "S9"})
    assert findings(facts_from(example_data, in_yuan), "R-STRAT-1") == []
    assert findings(facts_from(example_data, criterion), "R-STRAT-1") == []

    def criterion_short(d):
        criterion(d)
        d["strategy"]["breakdown"][1]["amount"] = Decimal("1400000.00")
    [f] = findings(facts_from(example_data, criterion_short), "R-STRAT-1")
    assert "销售额目标 S9（销售额 ≥ 500万元，即 ¥5,000,000.00）" in f.message and f.message.endswith("少 ¥100,000.00")


def test_target_unit_that_cannot_be_converted(example_data):
    def breaks(d):
        next(o for o in d["objectives"] if o["id"] == "O2")["unit"] = "美元"
    [f] = findings(facts_from(example_data, breaks), "R-STRAT-1")
    assert f.message == ("项目章程的销售额目标 O2（销售额 ≥ 500美元）缺少目标值或单位无法换算为元（unit 应为 元、万元、亿元），"
                         "无法核对销售目标分解")
    assert f.location.startswith("projects/huaxing-crm/project.yaml:") and f.location.endswith("objectives[1].unit")


def test_empty_breakdown(example_data):
    def breaks(d):
        d["strategy"]["breakdown"] = []
    [f] = findings(facts_from(example_data, breaks), "R-STRAT-1")
    assert f.message == "缺少销售目标分解（breakdown）：应将项目章程的销售额目标 O2（¥5,000,000.00）按产品线分解"


# -- R-STRAT-2 and the roster ---------------------------------------------------------------------

def test_action_without_owner_or_date(example_data):
    def breaks(d):
        d["strategy"]["actions"][1].pop("owner")
        d["strategy"]["actions"][3].pop("owner")
        d["strategy"]["actions"][3].pop("due")
    found = findings(facts_from(example_data, breaks), "R-STRAT-2")
    assert [(f.location.rsplit(": ", 1)[1], f.message) for f in found] == [
        ("strategy.actions[1]", "行动计划第 2 项「完成与用友 U9 订单接口的技术澄清并形成接口方案」缺少负责人（owner）"),
        ("strategy.actions[3]", "行动计划第 4 项「组织客户管理层参观同行业标杆客户」缺少负责人（owner）和完成日期（due）"),
    ]
    assert all(f.location.startswith("projects/huaxing-crm/strategy.yaml:") for f in found)


def test_no_actions(example_data):
    def breaks(d):
        d["strategy"]["actions"] = []
    [f] = findings(facts_from(example_data, breaks), "R-STRAT-2")
    assert f.message == "缺少行动计划（actions）" and f.location.endswith("strategy.actions")


def test_owner_not_on_the_roster_is_r_com_4(example_data):
    def breaks(d):
        d["strategy"]["actions"][0]["owner"] = "钱多多"
    found = findings(facts_from(example_data, breaks))
    assert [(f.rule, f.location.rsplit(": ", 1)[1]) for f in found] == [("R-COM-4", "strategy.actions[0].owner")]
    assert "钱多多" in found[0].message


# -- validation errors ----------------------------------------------------------------------------

def _check(tmp_path, edit) -> str:
    root = make_workspace(tmp_path, ("huaxing-crm", ROOT / "projects" / "huaxing-crm"))
    path = root / "projects" / "huaxing-crm" / "strategy.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli(root, "check", "huaxing-crm")
    assert result.exit_code != 0 and "Traceback" not in result.output
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_amount_that_is_not_money_is_located(tmp_path):
    out = _check(tmp_path, lambda t: t.replace("amount: 900000.00", "amount: 九十万"))
    assert re.search(r"projects/huaxing-crm/strategy\.yaml:\d+", out) and "strategy.breakdown[2].amount" in out


def test_unknown_breakdown_dimension_is_located(tmp_path):
    out = _check(tmp_path, lambda t: t.replace("breakdown_by: 产品线", "breakdown_by: 月份"))
    assert "projects/huaxing-crm/strategy.yaml" in out and "strategy.breakdown_by" in out


# -- the bar chart --------------------------------------------------------------------------------

def _bars(chart) -> list[ElementTree.Element]:
    return ElementTree.fromstring(chart.svg).findall(f".//{SVG}rect[@class='bar']")


def _texts(chart, cls: str) -> list[str]:
    return [t.text for t in ElementTree.fromstring(chart.svg).iter(f"{SVG}text") if t.get("class") == cls]


def test_bar_heights_are_proportional_to_amounts():
    items = [("CRM 软件许可", Decimal(2000000)), ("实施服务", Decimal(1500000)), ("定制开发与集成", Decimal(900000)),
             ("培训与运维", Decimal(600000))]
    chart = bar_chart(items, title="销售目标分解")
    bars = _bars(chart)
    heights = [float(b.get("height")) for b in bars]
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
    assert len(bottoms) == 1                                    # one baseline
    for h, (_, a) in zip(heights, items):
        assert h / heights[0] == pytest.approx(float(a / items[0][1]), abs=0.005)
    xs = [float(b.get("x")) for b in bars]
    assert xs == sorted(xs)                                      # in the given order
    assert [b.get("data-label") for b in bars] == [label for label, _ in items]
    assert _texts(chart, "bar-value") == ["200", "150", "90", "60"]
    assert _texts(chart, "x-label") == [label for label, _ in items]
    assert "万元" in _texts(chart, "y-unit")
    # the axis: 0 … 200 万元; the tallest bar reaches the top tick
    ticks = _texts(chart, "y-tick")
    assert ticks[0] == "0" and ticks[-1] == "200"


def test_labels_are_escaped_and_long_ones_shortened():
    chart = bar_chart([("A<&>\"'B", Decimal(10000)), ("一个非常非常非常非常非常非常非常非常长的分解项名称", Decimal(20000))] * 7,
                      title="<script>&", unit="元")
    root = ElementTree.fromstring(chart.svg)                     # well-formed
    assert root.find(f".//{SVG}text[@class='title']").text == "<script>&"
    labels = _texts(chart, "x-label")
    assert labels[0] + labels[1] == "A<&>\"'B"                  # wrapped onto two lines, nothing lost
    assert _bars(chart)[0].get("data-label") == "A<&>\"'B"
    assert any(t.endswith("…") for t in labels) and all(len(t) < 20 for t in labels)
    assert _texts(chart, "bar-value")[:2] == ["10000", "20000"]
    assert _texts(chart, "y-unit") == ["元"]
    assert len(_bars(chart)) == 14
    assert chart.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_edge_cases():
    empty = bar_chart([], title="销售目标分解")
    assert _bars(empty) == [] and "暂无数据" in _texts(empty, "empty")
    one = bar_chart([{"label": "全部", "amount": Decimal("1860000.00")}], title="t")
    [bar] = _bars(one)
    assert float(bar.get("height")) > 0 and _texts(one, "bar-value") == ["186"]
    zeros = bar_chart([("甲", Decimal(0)), ("乙", Decimal(0))], title="t")
    assert [float(b.get("height")) for b in _bars(zeros)] == [0.0, 0.0]
    assert _texts(zeros, "bar-value") == ["0", "0"]
    assert len(ElementTree.fromstring(zeros.svg).findall(f".//{SVG}line[@class='zero-bar']")) == 2
    many = bar_chart([(f"{m}月", Decimal(m * 12345)) for m in range(1, 13)], title="t")
    assert len(_bars(many)) == 12 and _texts(many, "bar-value")[0] == "1.23"
    for chart in (empty, one, zeros, many):
        png = chart.png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png_dpi(png) == pytest.approx((200, 200), abs=0.1)
    with pytest.raises(ValueError):
        bar_chart([], title="t", unit="美元")


# -- declared reads -------------------------------------------------------------------------------

def test_strat_reads_exactly_what_it_declares():
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    runs = instances_of(examples, STRAT)
    assert len(runs) == 2
    assert check_declarations(STRAT, runs) == []
