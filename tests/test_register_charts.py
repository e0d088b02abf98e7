"""Charts of the registers: the risk heat map (风险登记册) and the collection chart (回款跟踪表), and
the named blocks that place them."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import pytest

from salespm_docs.charts import Chart, png_dpi
from salespm_docs.charts import scurve
from salespm_docs.charts.collection import collection_chart
from salespm_docs.charts.heatmap import heat_map

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RED, AMBER, GREEN = "#f4b6b0", "#fbe3a6", "#cfe8cf"


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(SVG + "text")]


def box(e: ET.Element) -> tuple[float, float, float, float]:
    x, y = float(e.get("x")), float(e.get("y"))
    return x, y, x + float(e.get("width")), y + float(e.get("height"))


def all_coordinates_inside(chart: Chart) -> None:
    root = parse(chart)
    for e in root.iter():
        if e is root:
            continue
        for attr, limit in (("x", chart.width_mm), ("x1", chart.width_mm), ("x2", chart.width_mm),
                            ("cx", chart.width_mm), ("y", chart.height_mm), ("y1", chart.height_mm),
                            ("y2", chart.height_mm), ("cy", chart.height_mm)):
            if e.get(attr) is not None:
                assert -0.01 <= float(e.get(attr)) <= limit + 0.01, (e.tag, attr, e.get(attr))
        if e.get("d"):
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", e.get("d"))]
            assert all(-0.01 <= v <= max(chart.width_mm, chart.height_mm) + 0.01 for v in numbers), e.get("d")


# -- the heat map -------------------------------------------------------------------------------

def sample_risks() -> list:
    """R01–R08 over several cells, some closed, one unassessed; seven risks in the (3, 4) cell."""
    risks = [
        dict(id="R01", probability=4, impact=5, status="开放"),
        dict(id="R02", probability=3, impact=4, status="监控中"),
        SimpleNamespace(id="R03", probability=2, impact=2, status="已关闭"),  # objects as well as dicts
        dict(id="R04", probability=5, impact=3),
        dict(id="R05", probability=1, impact=2, status="已关闭"),
        dict(id="R06", probability=3, impact=3),
        dict(id="R07", probability=4, impact=5, status="已关闭"),
        dict(id="R08", probability=None, impact=3),  # not assessed: not placed
    ]
    risks += [dict(id=f"R{k:02d}", probability=3, impact=4, status="已关闭" if k % 3 == 0 else "开放")
              for k in range(9, 15)]
    return risks


def cells(root: ET.Element) -> dict[tuple[int, int], ET.Element]:
    """(probability, impact) → the cell's rect."""
    found = {(int(e.get("data-probability")), int(e.get("data-impact"))): e for e in by_class(root, "cell")}
    assert len(found) == 25
    return found


def cell_at(root: ET.Element, x: float, y: float) -> tuple[int, int]:
    """The (probability, impact) of the cell holding the point (x, y), by coordinates."""
    holding = [pi for pi, e in cells(root).items()
               if (b := box(e))[0] <= x <= b[2] and b[1] <= y <= b[3]]
    assert len(holding) == 1, (x, y, holding)
    return holding[0]


def level_of(value: int, high_min: int, medium_min: int) -> str:
    return "高" if value >= high_min else "中" if value >= medium_min else "低"


@pytest.mark.parametrize("high_min, medium_min", [(15, 5), (10, 3), (20, 8)])
def test_each_cell_is_coloured_by_the_configured_matrix(high_min, medium_min):
    root = parse(heat_map([], high_min, medium_min))
    colour = {"高": RED, "中": AMBER, "低": GREEN}
    for (p, i), rect in cells(root).items():
        assert rect.get("fill") == colour[level_of(p * i, high_min, medium_min)], (p, i)
    # the high cells, and only they, have a strong border
    borders = by_class(root, "cell-border")
    assert len(borders) == sum(1 for p in range(1, 6) for i in range(1, 6) if p * i >= high_min)


def test_other_thresholds_change_the_colours():
    default = cells(parse(heat_map([], 15, 5)))
    other = cells(parse(heat_map([], 10, 3)))
    assert default[(2, 5)].get("fill") == AMBER and other[(2, 5)].get("fill") == RED  # 风险值 10
    assert default[(1, 3)].get("fill") == GREEN and other[(1, 3)].get("fill") == AMBER  # 风险值 3


def test_impact_runs_left_to_right_and_probability_bottom_to_top():
    found = cells(parse(heat_map([], 15, 5)))
    assert box(found[(1, 1)])[0] < box(found[(1, 2)])[0] < box(found[(1, 5)])[0]
    assert box(found[(1, 1)])[1] > box(found[(2, 1)])[1] > box(found[(5, 1)])[1]  # y grows downwards
    root = parse(heat_map([], 15, 5))
    assert [e.text for e in by_class(root, "x-tick")] == ["1", "2", "3", "4", "5"]
    assert "影响" in "".join(texts(root)) and "可能性" in "".join(texts(root))


def test_each_cell_shows_its_risk_value_in_a_corner():
    root = parse(heat_map([], 15, 5))
    for label in by_class(root, "cell-value"):
        p, i = cell_at(root, float(label.get("x")) - 0.1, float(label.get("y")) - 0.5)
        assert label.text == str(p * i)
        b = box(cells(root)[(p, i)])
        assert float(label.get("x")) > (b[0] + b[2]) / 2 and float(label.get("y")) < (b[1] + b[3]) / 2  # top right


def test_each_risk_id_stands_in_its_cell_and_unassessed_ones_are_left_out():
    risks = sample_risks()
    root = parse(heat_map(risks, 15, 5))
    placed = {}
    for e in by_class(root, "risk-id"):
        placed[e.text] = cell_at(root, float(e.get("x")), float(e.get("y")))
    expected = {(r["id"] if isinstance(r, dict) else r.id): ((r["probability"], r["impact"]) if isinstance(r, dict)
                                                              else (r.probability, r.impact)) for r in risks}
    del expected["R08"]
    assert placed == expected
    # seven in one cell: all shown, on two lines, without a "+N"
    in_cell = [e for e in by_class(root, "risk-id") if placed[e.text] == (3, 4)]
    assert len(in_cell) == 7 and not by_class(root, "more")
    assert len({e.get("y") for e in in_cell}) == 2


def test_closed_risks_are_hollow_dashed_and_grey_and_the_legend_says_so():
    root = parse(heat_map(sample_risks(), 15, 5))
    state = {}
    for group in by_class(root, "risk"):
        (label,) = [e for e in group.iter(SVG + "text")]
        (chip,) = [e for e in group.iter(SVG + "rect")]
        state[label.text] = (group.get("data-state"), chip.get("fill"), chip.get("stroke-dasharray"), label.get("fill"))
    assert state["R07"][0] == "closed" and state["R07"][1] == "none" and state["R07"][2]
    assert state["R01"][0] == "open" and state["R01"][1] == "#ffffff" and not state["R01"][2]
    assert state["R07"][3] != state["R01"][3]
    assert {k for k, v in state.items() if v[0] == "closed"} == {"R03", "R05", "R07", "R09", "R12"}
    legend = [e.text for e in by_class(root, "legend-label")]
    assert "已关闭" in legend and "未关闭" in legend
    # open risks first in a cell
    in_cell = [e.text for e in by_class(root, "risk-id") if e.text in {"R01", "R07"}]
    assert in_cell == ["R01", "R07"]


def test_many_ids_wrap_and_end_with_plus_n_inside_the_cell():
    risks = [dict(id=f"RISK-{k:03d}", probability=5, impact=5) for k in range(30)]
    root = parse(heat_map(risks, 15, 5))
    cell = box(cells(root)[(5, 5)])
    chips = [e for g in by_class(root, "risk") for e in g.iter(SVG + "rect")]
    (more,) = by_class(root, "more")
    hidden = int(more.text.lstrip("+"))
    assert len(chips) + hidden == 30 and hidden > 0
    assert len({c.get("y") for c in chips}) > 1  # wrapped onto lines
    for c in chips:
        x0, y0, x1, y1 = box(c)
        assert cell[0] < x0 and x1 < cell[2] and cell[1] < y0 and y1 < cell[3]
    from salespm_docs.charts.svg import text_width
    right = float(more.get("x")) + text_width(more.text, float(more.get("font-size")))
    assert right < cell[2] and float(more.get("y")) < cell[3]
    # a very long ID is shortened, not spilled
    root = parse(heat_map([dict(id="R-" + "很长的编号" * 10, probability=1, impact=1)], 15, 5))
    (label,) = by_class(root, "risk-id")
    assert label.text.endswith("…")
    (chip,) = [e for g in by_class(root, "risk") for e in g.iter(SVG + "rect")]
    assert box(chip)[2] < box(cells(root)[(1, 1)])[2]


def test_ids_are_escaped():
    chart = heat_map([dict(id="<R&1>", probability=2, impact=3), dict(id='"\'', probability=2, impact=3)], 15, 5)
    root = parse(chart)  # parses
    assert "<R&1>" in [e.text for e in by_class(root, "risk-id")]
    assert "<R&1>" not in chart.svg


def test_the_legend_gives_the_ranges_of_the_configured_levels():
    legend = lambda h, m: [e.text for e in by_class(parse(heat_map([], h, m)), "legend-label")][:3]
    assert legend(15, 5) == ["高（15–25）", "中（5–14）", "低（1–4）"]
    assert legend(10, 3) == ["高（10–25）", "中（3–9）", "低（1–2）"]
    assert legend(25, 2) == ["高（25）", "中（2–24）", "低（1）"]
    assert legend(26, 1) == ["高（无）", "中（1–25）", "低（无）"]


def test_text_names_the_sc_face_and_the_alt_counts_the_levels():
    chart = heat_map(sample_risks(), 15, 5)
    for e in parse(chart).iter(SVG + "text"):
        assert e.get("font-family") == "Noto Sans CJK SC" and e.get(XML_LANG) == "zh-CN"
    # 高: R01, R07 (20), R04 (15); 中: R02, R09–R14 (12), R06 (9); 低: R03 (4), R05 (2)
    assert "共 13 项风险，高 3 项、中 8 项、低 2 项" in chart.alt
    assert "已关闭 5 项" in chart.alt and "1 项未评估" in chart.alt


def test_heat_map_edge_cases():
    for risks in ([], [dict(id=None, probability=0, impact=6)], [dict(id="R1", probability=5, impact=5)] * 200,
                  [dict(id="R1", probability="3", impact=2.5)]):
        chart = heat_map(risks, 15, 5)
        all_coordinates_inside(chart)


# -- the collection chart -----------------------------------------------------------------------

REPORT = dt.date(2026, 7, 10)
CONTRACT = Decimal("4800000")


def installments() -> list:
    return [dict(planned_date=dt.date(2026, 1, 20), planned_amount=Decimal("1440000"),
                 received_date=dt.date(2026, 1, 20), received_amount=Decimal("1440000")),
            SimpleNamespace(planned_date=dt.date(2026, 7, 3), planned_amount=Decimal("3360000"),
                            received_date=dt.date(2026, 7, 6), received_amount=Decimal("3360000"))]


def series(root: ET.Element, key: str) -> list[tuple[float, float]]:
    """The corners of a step line: (x, y) after each M, H and V."""
    (path,) = [e for e in by_class(root, "series") if e.get("data-series") == key]
    x = y = 0.0
    out = []
    for cmd, a, b in re.findall(r"([MHV])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d")):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "H":
            x = float(a)
        else:
            y = float(a)
        out.append((x, y))
    return out


def value_at(root: ET.Element):
    """y on the page → 万元, from the tick labels."""
    ticks = [(float(e.text), float(e.get("y")) - scurve.SMALL * 0.36) for e in by_class(root, "y-tick")]
    (v0, y0), (v1, y1) = ticks[0], ticks[-1]
    return lambda y: v0 + (v1 - v0) * (y - y0) / (y1 - y0)


def axis(root: ET.Element) -> tuple[float, float]:
    (axes,) = by_class(root, "axes")
    numbers = [float(v) for v in re.findall(r"[\d.]+", axes.get("d"))]
    return numbers[0], numbers[-1]  # left, right


def test_step_heights_are_the_cumulative_amounts():
    root = parse(collection_chart(installments(), REPORT, CONTRACT))
    wan = value_at(root)
    planned = series(root, "planned")
    levels = []
    for (_, y) in planned:
        if not levels or abs(wan(y) - levels[-1]) > 0.1:
            levels.append(round(wan(y)))  # coordinates have 0.01 mm: about 0.06 万元 here
    assert levels == [0, 144, 480]
    received = series(root, "received")
    assert wan(received[-1][1]) == pytest.approx(480, abs=0.1)
    assert [e.text for e in by_class(root, "y-tick")] == ["0", "100", "200", "300", "400", "500"]


def test_steps_stand_at_their_dates_and_the_received_line_stops_at_the_report_date():
    root = parse(collection_chart(installments(), REPORT, CONTRACT))
    left, right = axis(root)
    start, days = dt.date(2026, 1, 1), (dt.date(2026, 8, 1) - dt.date(2026, 1, 1)).days  # Jan–Jul
    x_start = lambda d: left + (right - left) * (d - start).days / days
    x_end = lambda d: x_start(d + dt.timedelta(days=1))
    rises = lambda pts: [pts[k][0] for k in range(1, len(pts)) if pts[k][1] < pts[k - 1][1] - 1e-6]
    assert rises(series(root, "planned")) == pytest.approx([x_start(dt.date(2026, 1, 20)), x_start(dt.date(2026, 7, 3))],
                                                          abs=0.01)
    assert rises(series(root, "received")) == pytest.approx([x_start(dt.date(2026, 1, 20)), x_start(dt.date(2026, 7, 6))],
                                                           abs=0.01)
    (line,) = by_class(root, "status-line")
    assert float(line.get("x1")) == pytest.approx(x_end(REPORT), abs=0.01) and line.get("stroke-dasharray")
    assert series(root, "received")[-1][0] == pytest.approx(float(line.get("x1")), abs=0.01)
    assert series(root, "planned")[-1][0] == pytest.approx(right, abs=0.01)
    assert "报告日期 2026-07-10" in texts(root)
    months = [e.text for e in by_class(root, "x-month")]
    assert months == ["2026年1月", "2月", "3月", "4月", "5月", "6月", "7月"]


def test_the_contract_line_stands_at_the_contract_amount():
    root = parse(collection_chart(installments(), REPORT, CONTRACT))
    (line,) = by_class(root, "contract-line")
    assert line.get("y1") == line.get("y2") and line.get("stroke-dasharray")
    assert value_at(root)(float(line.get("y1"))) == pytest.approx(480, abs=0.1)
    assert "合同金额 480万元" in texts(root)
    legend = [e.text for e in by_class(root, "legend-label")]
    assert legend == ["计划回款", "实际回款", "合同金额", "报告日期"]


def test_received_after_the_report_date_is_not_drawn_and_money_stays_exact():
    points = installments()
    chart = collection_chart(points, dt.date(2026, 7, 4), CONTRACT)
    root = parse(chart)
    wan = value_at(root)
    assert wan(series(root, "received")[-1][1]) == pytest.approx(144, abs=0.1)
    assert "实际回款累计 144万元" in chart.alt and "计划回款累计 480万元" in chart.alt
    odd = [dict(planned_date=dt.date(2026, 3, k), planned_amount=Decimal("411522.63"), received_date=None,
                received_amount=None) for k in range(1, 4)]
    assert "计划回款累计 123.46万元" in collection_chart(odd, REPORT, Decimal("1234567.89")).alt


@pytest.mark.parametrize("case", ["none", "no dates", "one day", "zero", "year 9999", "report first",
                                  "no contract"])
def test_collection_edge_cases_give_valid_charts(case):
    d = dt.date(2026, 5, 5)
    blank = dict(planned_date=None, planned_amount=Decimal(100), received_date=None, received_amount=None)
    points, report, contract = {
        "none": ([], REPORT, CONTRACT),
        "no dates": ([blank, blank], REPORT, CONTRACT),
        "one day": ([dict(planned_date=d, planned_amount=Decimal(5), received_date=d, received_amount=Decimal(5))] * 3,
                    d, Decimal(15)),
        "zero": ([dict(blank, planned_date=d, planned_amount=Decimal(0))], REPORT, Decimal(0)),
        "year 9999": ([dict(blank, planned_date=dt.date(2026, 1, 2)),
                       dict(blank, planned_date=dt.date(9999, 12, 31), received_date=dt.date(9999, 12, 31),
                            received_amount=Decimal(100))], dt.date(9999, 12, 31), CONTRACT),
        "report first": (installments(), dt.date(2025, 11, 2), CONTRACT),
        "no contract": (installments(), REPORT, None),
    }[case]
    chart = collection_chart(points, report, contract)
    root = parse(chart)
    all_coordinates_inside(chart)
    assert len(chart.svg) < 30_000  # 8,000 years of axis: a few labelled bands, not 95,000 month lines
    if case == "none":
        assert "暂无回款计划" in texts(root)
        return
    assert [e.text for e in by_class(root, "y-tick")][0] == "0"
    assert f"报告日期 {report.isoformat()}" in texts(root)
    if case == "no dates":
        assert "回款计划未填日期" in texts(root)
    if case == "report first":
        received = series(root, "received")
        assert len({y for _, y in received}) == 1 and value_at(root)(received[0][1]) == pytest.approx(0, abs=0.1)
        assert received[-1][0] == pytest.approx(float(by_class(root, "status-line")[0].get("x1")), abs=0.01)
        assert "2025年11月" in [e.text for e in by_class(root, "x-month")]
        assert series(root, "planned")[0][0] == axis(root)[0]
    if case == "no contract":
        assert not by_class(root, "contract-line")


def test_many_years_are_labelled_by_year():
    points = [dict(planned_date=dt.date(2026, 1, 1), planned_amount=Decimal(1), received_date=None, received_amount=None),
              dict(planned_date=dt.date(2040, 6, 1), planned_amount=Decimal(1), received_date=None, received_amount=None)]
    root = parse(collection_chart(points, REPORT, None))
    labels = [e.text for e in by_class(root, "x-month")]
    assert labels and all("月" not in t for t in labels)


# -- pictures and named blocks ----------------------------------------------------------------

def test_both_charts_render_to_200_dpi_png():
    for chart in (heat_map(sample_risks(), 15, 5), collection_chart(installments(), REPORT, CONTRACT)):
        png = chart.png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert min(png_dpi(png)) >= 199.9
        width = int.from_bytes(png[16:20], "big")
        assert width == pytest.approx(chart.width_mm / 25.4 * 200, abs=2)


def test_named_blocks_place_the_register_charts_in_both_formats(tmp_path):
    from salespm_docs.layout import Heading, Layout, Named, generate, html, word
    from salespm_docs.render.docx import render_docx
    from salespm_docs.templating import make_env

    layout = Layout("X", (Heading("风险"), Named("heat_map"), Heading("回款"), Named("collection")), cover=False)
    text = html.render(layout, generate.named_blocks("html"))
    assert "{% for page in charts.heat_map %}" in text and "{% for page in charts.collection %}" in text
    paragraphs = [p.text for p in word.render(layout, generate.named_blocks("docx")).paragraphs]
    assert "{%p for img in images.heat_map %}" in paragraphs and "{%p for img in images.collection %}" in paragraphs

    folder = tmp_path / "docx"
    folder.mkdir()
    (folder / "X.docx").write_bytes(generate.docx_template(layout))
    doc = dict(title="风险登记册", number="HX-RSK-001", version="V1.0", classification="内部", status="已发布",
               generated=dt.date(2026, 7, 10), draft=False, audience_mark="", prepared=dict(name="张三"))
    context = dict(project=dict(name="华兴CRM项目"), client=dict(name="华兴集团"), company=dict(name="星辰软件", logo=None),
                   doc=doc, charts={"heat_map": [heat_map(sample_risks(), 15, 5)],
                                    "collection": [collection_chart(installments(), REPORT, CONTRACT)]})
    target = tmp_path / "x.docx"
    render_docx(folder / "X.docx", context, make_env(), target, {"title": "风险登记册"}, dt.datetime(2026, 7, 10))
    with zipfile.ZipFile(target) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        body = z.read("word/document.xml").decode()
    assert len(media) == 2 and "风险热力图" in body and "{%" not in body
    assert 'w:type="page"' not in body  # one chart each, no page break
