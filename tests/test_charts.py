"""Charts of the schedule documents: the paginated Gantt chart, the S-curve, and the named blocks
that place them in the PDF (SVG) and the Word document (PNG at 200 dpi)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from salespm_docs.charts import Chart, png_dpi
from salespm_docs.charts import gantt as g
from salespm_docs.charts.gantt import gantt_pages, rows_per_page
from salespm_docs.charts import scurve
from salespm_docs.charts.scurve import s_curve
from salespm_docs.figures.progress import _code_key
from salespm_docs.figures.schedule import EarnedValue, Link, Schedule, Summary, Task

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# -- building schedules by hand ---------------------------------------------------------------

def workdays(first: dt.date, count: int) -> list[dt.date]:
    """``count`` Monday–Friday days from ``first`` (no holidays)."""
    out, day = [], first
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def leaf(code: str, name: str, start: int, days: int, *, critical: bool = False, percent: int | str = 0,
         baseline: tuple[int, int] | None = None, owner: str = "张三") -> dict:
    """A leaf starting on working day ``start`` for ``days`` working days (0: a milestone)."""
    return dict(code=code, name=name, start=start, days=days, critical=critical, percent=Decimal(percent),
                baseline=baseline, owner=owner)


def make_schedule(specs: list[dict], links: list[tuple] = (), *, first: dt.date = dt.date(2026, 3, 2),
                  length: int | None = None, status: int | dt.date = 0,
                  earned_value: list[EarnedValue] = ()) -> Schedule:
    """A ``Schedule`` as the CPM would compute it, from leaves given by working-day index; every
    code prefix becomes a ``Summary`` over the leaves under it. ``links``: (before, after, type,
    critical)."""
    length = length or max(s["start"] + max(s["days"], 1) for s in specs) + 5
    days = workdays(first, length)
    tasks = []
    for s in specs:
        es = days[s["start"]]
        ef = days[s["start"] + max(s["days"], 1) - 1]
        base = s["baseline"]
        bs = days[base[0]] if base else None
        be = days[base[0] + max(base[1], 1) - 1] if base else None
        code = s["code"]
        parent = code.rsplit(".", 1)[0] if "." in code else None
        tasks.append(Task(
            code=code, name=s["name"], parent=parent, level=code.count(".") + 1, owner=s["owner"], post="实施",
            deliverable=None, effort=Decimal(s["days"]), milestone=s["days"] == 0, duration=s["days"],
            start=es, end=ef, early_start=es, early_finish=ef, late_start=es, late_finish=ef,
            total_float=0 if s["critical"] else 3, critical=s["critical"], predecessors=(),
            baseline_start=bs, baseline_end=be, percent=s["percent"],
            es=s["start"], ef=s["start"] + s["days"]))
    summaries = []
    codes = {t.code for t in tasks}
    prefixes = sorted({t.code[:k] for t in tasks for k, ch in enumerate(t.code) if ch == "."} - codes,
                      key=_code_key)
    for p in prefixes:
        under = [t for t in tasks if t.code.startswith(p + ".")]
        summaries.append(Summary(code=p, name=f"阶段{p}", parent=p.rsplit(".", 1)[0] if "." in p else None,
                                 level=p.count(".") + 1, owner=None, start=min(t.start for t in under),
                                 end=max(t.end for t in under), effort=Decimal(len(under)), percent=Decimal(0)))
    rows = sorted([*tasks, *summaries], key=lambda r: _code_key(r.code))
    resolved = [Link(b, a, kind, 0, crit) for b, a, kind, crit in links]
    status_date = days[status] if isinstance(status, int) else status
    return Schedule(tasks=tasks, summaries=summaries, rows=rows, links=resolved, workdays=days,
                    start=days[0], finish=max(t.early_finish for t in tasks),
                    critical_path=[t.code for t in tasks if t.critical], status_date=status_date,
                    earned_value=list(earned_value))


def sample_schedule() -> Schedule:
    """A small CRM implementation: three phases, all link types, a milestone, baselines on some."""
    specs = [
        leaf("1.1", "项目启动会", 0, 2, critical=True, percent=100, baseline=(0, 2)),
        leaf("1.2", "需求调研与访谈（销售、市场、客服三个部门）", 2, 5, critical=True, percent=60, baseline=(2, 4)),
        leaf("1.3", "需求规格说明书评审", 7, 0, critical=True, baseline=(6, 0)),
        leaf("2.1", "方案设计", 7, 6, critical=True, percent=20),
        leaf("2.2", "数据迁移方案", 9, 4, percent=0),
        leaf("2.3", "接口设计 <ERP & OA>", 9, 3),
        leaf("3.1", "系统配置与开发", 13, 12, critical=True),
        leaf("3.2", "用户培训", 20, 5),
        leaf("3.3", "上线验收", 25, 0, critical=True),
    ]
    links = [("1.1", "1.2", "FS", True), ("1.2", "1.3", "FS", True), ("1.3", "2.1", "FS", True),
             ("2.1", "2.2", "SS", False), ("2.1", "2.3", "SS", False), ("2.1", "3.1", "FS", True),
             ("2.2", "3.2", "FF", False), ("3.1", "3.2", "SF", False), ("3.1", "3.3", "FS", True)]
    return make_schedule(specs, links, status=5, length=32)


def big_schedule(leaves: int = 2000, months: int = 18) -> Schedule:
    """``leaves`` leaves under 10 × 10 parents over about ``months`` months, chained FS in phases."""
    span = months * 21
    specs, links = [], []
    for i in range(leaves):
        a, b, c = i // 200 + 1, (i // 20) % 10 + 1, i % 20 + 1
        start = (i * (span - 10)) // leaves
        specs.append(leaf(f"{a}.{b}.{c}", f"任务{i + 1}：系统模块配置与联调", start, 3 + i % 7,
                          critical=i % 5 == 0, percent=(i * 7) % 101, baseline=(start, 4) if i % 3 == 0 else None))
        if i % 20:
            links.append((specs[-2]["code"], specs[-1]["code"], "FS", i % 5 == 0))
    return make_schedule(specs, links, length=span + 10, status=span // 2)


# -- reading the SVG ---------------------------------------------------------------------------

def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(SVG + "text")]


def rect_of(group: ET.Element, cls: str = "task") -> tuple[float, float]:
    r = next(e for e in group.iter(SVG + "rect") if e.get("class") == cls)
    return float(r.get("x")), float(r.get("width"))


def axis_of(schedule: Schedule, chart: Chart) -> tuple[float, float]:
    """(x where working day 0 would start, width of one working day) as the chart draws them."""
    (axis,) = by_class(parse(chart), "time-axis")
    day = float(axis.get("data-day"))
    first = schedule.index(dt.date.fromisoformat(axis.get("data-first")))
    return float(axis.get("data-x0")) - first * day, day


# -- Gantt: what is drawn ----------------------------------------------------------------------

def test_one_bar_per_leaf_at_its_working_day_position():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    bars = by_class(root, "bar")
    diamonds = by_class(root, "milestone")
    leaves = [t for t in schedule.tasks if not t.milestone]
    assert sorted(b.get("data-code") for b in bars) == sorted(t.code for t in leaves)
    assert sorted(d.get("data-code") for d in diamonds) == ["1.3", "3.3"]
    x0, day = axis_of(schedule, page)
    for bar in bars:
        task = next(t for t in schedule.tasks if t.code == bar.get("data-code"))
        x, w = rect_of(bar)
        assert x == pytest.approx(x0 + schedule.index(task.early_start) * day, abs=0.01)
        assert w == pytest.approx((schedule.index(task.early_finish) + 1 - schedule.index(task.early_start)) * day,
                                  abs=0.02)


def test_five_working_days_over_a_weekend_are_five_day_widths():
    schedule = sample_schedule()
    task = next(t for t in schedule.tasks if t.code == "1.2")
    assert task.early_start.weekday() == 2 and (task.early_finish - task.early_start).days == 6  # Wed → Tue
    (page,) = gantt_pages(schedule)
    _, day = axis_of(schedule, page)
    bar = next(b for b in by_class(parse(page), "bar") if b.get("data-code") == "1.2")
    assert rect_of(bar)[1] == pytest.approx(5 * day, abs=0.02)


def test_a_milestone_is_a_diamond_at_its_day():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    x0, day = axis_of(schedule, page)
    group = next(d for d in by_class(parse(page), "milestone") if d.get("data-code") == "3.3")
    path = next(group.iter(SVG + "path")).get("d")
    points = [tuple(map(float, p.split())) for p in re.findall(r"[-\d.]+ [-\d.]+", path)]
    assert len(points) == 4 and path.endswith("Z")  # four corners, closed
    xs, ys = sorted({p[0] for p in points}), sorted({p[1] for p in points})
    assert len(xs) == 3 and len(ys) == 3  # a diamond: top, right, bottom, left
    assert xs[1] == pytest.approx(x0 + 25 * day, abs=0.01)
    assert "critical" in group.get("class")


def test_one_arrow_per_link_and_the_right_ends():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    arrows = by_class(root, "link")
    assert len(arrows) == len(schedule.links)
    assert not by_class(root, "stub")
    x0, day = axis_of(schedule, page)
    ends = {}
    for a in arrows:
        d = next(a.iter(SVG + "path")).get("d")
        assert re.fullmatch(r"M[-\d.]+ [-\d.]+V[-\d.]+(H[-\d.]+V[-\d.]+)?H[-\d.]+", d), d  # an elbow
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
        tip = a.find(SVG + "polygon").get("points").split()[0].split(",")
        assert float(tip[0]) == pytest.approx(numbers[-1], abs=0.01)  # the arrowhead is at the end
        ends[(a.get("data-before"), a.get("data-after"), a.get("data-type"))] = (numbers[0], numbers[-1])

    def leaves_near(x: float, day_index: int) -> bool:
        """The path leaves the predecessor vertically just inside the bar's end (or start) ``day_index``."""
        edge = x0 + day_index * day
        return abs(x - edge) <= g.ARM

    # FS: end of 1.1 (day 2) → start of 1.2 (day 2); SS: start of 2.1 (day 7) → start of 2.2 (day 9)
    start, end = ends[("1.1", "1.2", "FS")]
    assert leaves_near(start, 2) and start < x0 + 2 * day and end == pytest.approx(x0 + 2 * day, abs=0.01)
    start, end = ends[("2.1", "2.2", "SS")]
    assert leaves_near(start, 7) and start > x0 + 7 * day and end == pytest.approx(x0 + 9 * day, abs=0.01)
    # FF: end of 2.2 (day 13) → end of 3.2 (day 25); SF: start of 3.1 (day 13) → end of 3.2 (day 25)
    start, end = ends[("2.2", "3.2", "FF")]
    assert leaves_near(start, 13) and start < x0 + 13 * day and end == pytest.approx(x0 + 25 * day, abs=0.01)
    start, end = ends[("3.1", "3.2", "SF")]
    assert leaves_near(start, 13) and start > x0 + 13 * day and end == pytest.approx(x0 + 25 * day, abs=0.01)
    # into a milestone: at its left tip
    start, end = ends[("1.2", "1.3", "FS")]
    assert end == pytest.approx(x0 + 7 * day - 1.5, abs=0.01)


def test_critical_bars_and_links_are_red_the_others_not():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    for bar in by_class(root, "bar"):
        task = next(t for t in schedule.tasks if t.code == bar.get("data-code"))
        fill = next(e for e in bar.iter(SVG + "rect") if e.get("class") == "task").get("fill")
        assert (fill == g.CRITICAL) == task.critical, task.code
        assert ("critical" in bar.get("class")) == task.critical
    assert g.CRITICAL.startswith("#e") and g.NORMAL.startswith("#5b")  # red, blue
    for arrow in by_class(root, "link"):
        stroke = next(arrow.iter(SVG + "path")).get("stroke")
        critical = (arrow.get("data-before"), arrow.get("data-after")) in {
            (l.before, l.after) for l in schedule.links if l.critical}
        assert (stroke == g.CRITICAL_LINK) == critical


def test_the_status_line_stands_at_the_end_of_the_status_day_with_its_label():
    schedule = sample_schedule()  # status: working day 5 (2026-03-09, a Monday)
    (page,) = gantt_pages(schedule)
    root = parse(page)
    x0, day = axis_of(schedule, page)
    (line,) = by_class(root, "status-line")
    assert float(line.get("x1")) == pytest.approx(x0 + 6 * day, abs=0.01)
    assert line.get("stroke-dasharray")
    assert "状态日期 2026-03-09" in texts(root)
    # a status date on a Sunday stands where the Friday ends
    sunday = make_schedule([leaf("1", "任务", 0, 10)], status=dt.date(2026, 3, 8))
    (page,) = gantt_pages(sunday)
    x0, day = axis_of(sunday, page)
    (line,) = by_class(parse(page), "status-line")
    assert float(line.get("x1")) == pytest.approx(x0 + 5 * day, abs=0.01)


def test_baseline_bars_only_where_a_baseline_exists():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    drawn = sorted(e.get("data-code") for e in by_class(root, "baseline") if e.get("data-code"))
    assert drawn == ["1.1", "1.2"]  # 1.3's baseline is a milestone: a hollow diamond
    assert len(by_class(root, "baseline")) == 3
    x0, day = axis_of(schedule, page)
    base = next(e for e in by_class(root, "baseline") if e.get("data-code") == "1.2")
    assert float(base.get("width")) == pytest.approx(4 * day, abs=0.02)
    none = make_schedule([leaf("1", "任务", 0, 5), leaf("2", "任务", 5, 5)])
    assert by_class(parse(gantt_pages(none)[0]), "baseline") == []


def test_percent_complete_is_a_darker_fill_and_a_label():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    bar = next(b for b in by_class(root, "bar") if b.get("data-code") == "1.2")
    (_, width), (_, done) = rect_of(bar, "task"), rect_of(bar, "done")
    assert done == pytest.approx(width * 0.6, abs=0.02)
    percents = [e.text for e in by_class(root, "percent")]
    assert "60%" in percents and "100%" in percents and "20%" in percents
    assert len(percents) == len([t for t in schedule.tasks if not t.milestone])
    idle = next(b for b in by_class(root, "bar") if b.get("data-code") == "2.2")
    assert [e for e in idle.iter(SVG + "rect") if e.get("class") == "done"] == []


def test_summaries_are_bold_bracket_bars_over_their_span():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    assert sorted(e.get("data-code") for e in by_class(root, "summary") if e.tag == SVG + "g") == ["1", "2", "3"]
    bold = [e.text for e in root.iter(SVG + "text") if e.get("font-weight") == "bold"
            and "task-name" in (e.get("class") or "")]
    assert [b.split()[0] for b in bold] == ["1", "2", "3"]


def test_names_are_escaped_truncated_and_every_text_names_the_sc_face():
    specs = [leaf("1", 'A<B & "C" \'D\' \x01 非常非常非常非常非常非常非常非常非常非常非常非常非常长的任务名称', 0, 5)]
    (page,) = gantt_pages(make_schedule(specs), title="<title>&")
    root = parse(page)  # valid XML, or this raises
    assert "<B" not in page.svg and "&amp;" in page.svg and "\x01" not in page.svg
    (name,) = [t for t in texts(root) if t.startswith("1 ")]
    assert name.startswith('1 A<B & "C" \'D\'') and name.endswith("…")
    assert "<title>&" in texts(root)
    for e in root.iter(SVG + "text"):
        assert e.get("font-family") == "Noto Sans CJK SC" and e.get(XML_LANG) == "zh-CN"
    assert "JP" not in page.svg


def test_the_time_scale_has_month_and_week_bands():
    schedule = sample_schedule()
    (page,) = gantt_pages(schedule)
    root = parse(page)
    months = [e.text for e in by_class(root, "month")]
    assert months == ["2026年3月", "2026年4月"]
    weeks = [e.text for e in by_class(root, "week")]
    assert weeks[:3] == ["第10周", "第11周", "第12周"]
    assert by_class(root, "week-grid")


def test_a_legend_on_every_page():
    (page,) = gantt_pages(sample_schedule())
    legend = [e.text for e in by_class(parse(page), "legend-label")]
    assert legend == ["关键任务", "非关键任务", "已完成部分", "基线", "摘要任务", "里程碑", "状态日期"]


# -- Gantt: pagination -------------------------------------------------------------------------

def test_pages_repeat_the_scale_and_the_task_column_and_lose_no_row():
    schedule = big_schedule(200, 6)
    pages = gantt_pages(schedule)
    per_page = rows_per_page(150)
    assert per_page * g.ROW <= 150 and g.ROW >= 4
    assert len(pages) == -(-len(schedule.rows) // per_page) > 1
    seen = []
    for k, page in enumerate(pages, 1):
        root = parse(page)
        assert f"第 {k} / {len(pages)} 页" in texts(root)
        assert "WBS编码　任务名称" in texts(root)
        assert [e.text for e in by_class(root, "month")][:1] == ["2026年3月"]
        assert by_class(root, "legend-label")
        names = [e.text.split()[0] for e in by_class(root, "task-name")]
        assert len(names) <= per_page
        seen += names
    assert seen == [r.code for r in schedule.rows]  # every row once, in WBS order


def test_links_across_pages_are_stubs_and_none_is_lost():
    schedule = big_schedule(200, 6)
    pages = gantt_pages(schedule)
    per_page = rows_per_page(150)
    page_of = {r.code: i // per_page for i, r in enumerate(schedule.rows)}
    for k, page in enumerate(pages):
        root = parse(page)
        full = [a for a in by_class(root, "link") if "stub" not in a.get("class")]
        stubs = by_class(root, "stub")
        assert len(full) == sum(1 for l in schedule.links if page_of[l.before] == page_of[l.after] == k)
        assert len(stubs) == sum(1 for l in schedule.links if page_of[l.before] != page_of[l.after]
                                 and k in (page_of[l.before], page_of[l.after]))


def test_two_thousand_leaves_over_eighteen_months():
    schedule = big_schedule(2000, 18)
    pages = gantt_pages(schedule)
    assert len(pages) == -(-len(schedule.rows) // rows_per_page(150))
    assert 60 <= len(pages) <= 80
    root = parse(pages[-1])
    months = [e.text for e in by_class(root, "month")]
    assert len(months) >= 18 and months[0] in ("2026年3月", "26年3月")  # compressed, still labelled
    assert "2027年1月" in months or "27年1月" in months  # the year shows where it changes
    for e in by_class(root, "month"):
        assert float(e.get("x")) < pages[-1].width_mm
    bars = by_class(root, "bar")
    x1 = max(rect_of(b)[0] + rect_of(b)[1] for b in bars)
    assert x1 <= pages[-1].width_mm - g.MARGIN


def test_the_axis_shows_the_weeks_of_the_plan_not_the_whole_working_day_axis():
    schedule = make_schedule([leaf("1", "任务", 3, 10), leaf("2", "任务", 13, 5)], length=300, status=8)
    (page,) = gantt_pages(schedule)
    (axis,) = by_class(parse(page), "time-axis")
    assert axis.get("data-first") == "2026-03-02"  # the Monday of the first bar's week
    x0, x1, day = float(axis.get("data-x0")), float(axis.get("data-x1")), float(axis.get("data-day"))
    assert (x1 - x0) / day == pytest.approx(20)  # four whole weeks: the last bar ends on a Friday
    # the status date after the plan is shown: the axis reaches it
    late = make_schedule([leaf("1", "任务", 0, 5)], length=300, status=42)
    (page,) = gantt_pages(late)
    root = parse(page)
    x0, day = axis_of(late, page)
    (line,) = by_class(root, "status-line")
    assert float(line.get("x1")) == pytest.approx(x0 + 43 * day, abs=0.01)
    assert float(line.get("x1")) <= float(by_class(root, "time-axis")[0].get("data-x1")) + 0.01


def test_no_rows_no_pages():
    empty = Schedule(tasks=[], summaries=[], rows=[], links=[], workdays=[], start=None, finish=None,
                     critical_path=[], status_date=dt.date(2026, 3, 2))
    assert gantt_pages(empty) == []


# -- S-curve -----------------------------------------------------------------------------------

def weeks_of_value(n: int = 12, status: int = 6) -> list[EarnedValue]:
    out = []
    for i in range(n):
        end = dt.date(2026, 3, 8) + dt.timedelta(weeks=i)
        pv = Decimal(500000) * Decimal((i + 1) ** 2) / Decimal(n ** 2)
        known = i < status
        out.append(EarnedValue(f"2026-W{10 + i:02d}", end, pv.quantize(Decimal("0.01")),
                               (pv * Decimal("0.85")).quantize(Decimal("0.01")) if known else None,
                               (pv * Decimal("1.1")).quantize(Decimal("0.01")) if known else None))
    return out


def test_s_curve_draws_three_lines_in_wan_with_the_status_line():
    points = weeks_of_value()
    chart = s_curve(points, dt.date(2026, 4, 12))
    root = parse(chart)
    lines = {e.get("data-series"): e for e in by_class(root, "series")}
    assert set(lines) == {"pv", "ev", "ac"}
    count = lambda e: len(re.findall(r"[ML]", e.get("d")))
    assert count(lines["pv"]) == len(points) + 1  # from zero at the start of the first week
    assert count(lines["ev"]) == count(lines["ac"]) == 6 + 1
    assert "万元" in " ".join(texts(root))
    labels = [e.text for e in by_class(root, "y-tick")]
    assert labels[0] == "0" and labels[-1] == "50"  # 500,000 yuan = 50 万元, nice ticks
    assert "计划值（PV）" in texts(root) and "挣值（EV）" in texts(root) and "实际成本（AC）" in texts(root)
    assert "状态日期 2026-04-12" in texts(root)
    (status,) = by_class(root, "status-line")
    assert status.get("stroke-dasharray")
    for e in root.iter(SVG + "text"):
        assert e.get("font-family") == "Noto Sans CJK SC" and e.get(XML_LANG) == "zh-CN"


def test_s_curve_points_are_where_their_values_are():
    points = weeks_of_value(4, 4)
    chart = s_curve(points, dt.date(2026, 3, 29))
    root = parse(chart)
    pv = next(e for e in by_class(root, "series") if e.get("data-series") == "pv")
    ys = [float(v) for v in re.findall(r"[ML][-\d.]+ ([-\d.]+)", pv.get("d"))]
    assert ys == sorted(ys, reverse=True)  # cumulative: rising on the page (y grows downwards)
    base, top = ys[0], ys[-1]
    ticks = [(float(e.text), float(e.get("y")) - scurve.SMALL * 0.36) for e in by_class(root, "y-tick")]
    assert [v for v, _ in ticks] == [0, 20, 40, 60]  # AC reaches 55 万元
    (v0, y0), (v1, y1) = ticks[0], ticks[-1]
    at = lambda v: y0 + (y1 - y0) * (v - v0) / (v1 - v0)
    assert base == pytest.approx(at(0), abs=0.05)
    assert top == pytest.approx(at(50), abs=0.05)  # 500,000 yuan = 50 万元


def test_s_curve_without_points_says_so():
    chart = s_curve([], dt.date(2026, 3, 2))
    assert "暂无挣值数据" in texts(parse(chart))


# -- pictures ----------------------------------------------------------------------------------

def test_png_is_200_dpi_with_phys_and_the_right_size():
    (page,) = gantt_pages(sample_schedule())
    png = page.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    dpi = png_dpi(png)
    assert dpi is not None and dpi[0] >= 199.9 and dpi[1] >= 199.9
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == pytest.approx(267 / 25.4 * 200, abs=2)
    assert height == pytest.approx(page.height_mm / 25.4 * 200, abs=2)
    assert page.png() is png  # cached
    assert page.uri.startswith("data:image/svg+xml;base64,")


# -- the named blocks, rendered through the real writers and renderers ------------------------

def _layout():
    from salespm_docs.layout import Heading, Layout, Named, Para

    return Layout("X", (Heading("项目进度计划"), Para("甘特图如下。"), Named("gantt"),
                        Heading("挣值分析"), Named("s_curve")), landscape=True, cover=False)


def _context(charts: dict) -> dict:
    doc = dict(title="项目进度计划", number="HX-GNT-001", version="V1.0", classification="内部", status="已发布",
               generated=dt.date(2026, 3, 9), draft=False, audience_mark="", prepared=dict(name="张三"))
    return dict(project=dict(name="华兴CRM项目"), client=dict(name="华兴集团"), company=dict(name="星辰软件", logo=None),
                doc=doc, charts=charts)


def _charts(gantt: list[Chart] | None = None) -> dict:
    schedule = sample_schedule()
    return {"gantt": gantt_pages(schedule) if gantt is None else gantt,
            "s_curve": [s_curve(weeks_of_value(), schedule.status_date)]}


def test_named_blocks_write_the_chart_loops_in_both_formats():
    from salespm_docs.layout import generate, html, word

    text = html.render(_layout(), generate.named_blocks("html"))
    assert "{% for page in charts.gantt %}" in text and "{% for page in charts.s_curve %}" in text
    assert '<img src="{{ page.uri }}" alt="{{ page.alt }}">' in text
    assert "break-inside:avoid" in text and "break-before:page" in text
    document = word.render(_layout(), generate.named_blocks("docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert "{%p for img in images.gantt %}" in paragraphs and "{%p for img in images.s_curve %}" in paragraphs
    assert paragraphs.count("{%p endfor %}") == 2
    picture = next(p for p in document.paragraphs if p.text.endswith("{{ img }}"))
    assert picture.alignment == 1  # centred


def _render_pdf(tmp_path: Path, context: dict) -> Path:
    import shutil

    from conftest import ROOT
    from salespm_docs.layout import generate
    from salespm_docs.render.pdf import PdfRenderer

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "html", templates / "html")
    (templates / "html" / "X.html").write_bytes(generate.html_template(_layout()))
    renderer = PdfRenderer(templates)
    target = tmp_path / "x.pdf"
    renderer.write(renderer.html("X.html", context), target)
    return target


def _render_docx(tmp_path: Path, context: dict) -> Path:
    from salespm_docs.layout import generate
    from salespm_docs.render.docx import render_docx
    from salespm_docs.templating import make_env

    folder = tmp_path / "templates" / "docx"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "X.docx").write_bytes(generate.docx_template(_layout()))
    target = tmp_path / "x.docx"
    render_docx(folder / "X.docx", context, make_env(), target, {"title": "项目进度计划"},
                dt.datetime(2026, 3, 9))
    return target


def test_the_pdf_shows_the_charts_as_text_in_the_sc_face(tmp_path):
    from salespm_docs.extract import pdf_read

    pdf = _render_pdf(tmp_path, _context(_charts()))
    pages, headings = pdf_read(pdf)
    assert headings == ["项目进度计划", "挣值分析"]
    text = "\n".join(pages)
    for shown in ("需求调研与访谈", "接口设计 <ERP & OA>", "状态日期 2026-03-09", "关键任务", "第 1 / 1 页",
                  "计划值（PV）", "挣值（EV）", "万元"):
        assert shown in text, shown
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\+Noto-Sans-CJK-SC\s", fonts), fonts  # the regular sans face: only the charts use it
    assert "JP" not in fonts and "Type 3" not in fonts


def test_each_gantt_page_is_a_page_of_the_pdf(tmp_path):
    from salespm_docs.extract import pdf_read

    pages = gantt_pages(big_schedule(200, 6))
    assert len(pages) > 2
    pdf_pages, _ = pdf_read(_render_pdf(tmp_path, _context(_charts(pages))))
    for k in range(1, len(pages) + 1):
        holding = [i for i, text in enumerate(pdf_pages) if f"第 {k} / {len(pages)} 页" in text]
        assert len(holding) == 1, k  # each chart page whole on one PDF page
        if k > 1:
            previous = next(i for i, text in enumerate(pdf_pages) if f"第 {k - 1} / {len(pages)} 页" in text)
            assert holding[0] == previous + 1


def test_nothing_is_shown_for_empty_chart_lists(tmp_path):
    from salespm_docs.extract import docx_text, pdf_read

    context = _context({"gantt": [], "s_curve": []})
    pages, _ = pdf_read(_render_pdf(tmp_path, context))
    assert "第 1 / 1 页" not in "\n".join(pages) and "<figure" not in "\n".join(pages)
    docx = _render_docx(tmp_path, context)
    with zipfile.ZipFile(docx) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    assert "{{" not in docx_text(docx).text


def test_the_docx_embeds_each_page_as_a_200_dpi_picture_within_the_text_area(tmp_path):
    from docx import Document
    from docx.shared import Mm

    pages = gantt_pages(big_schedule(120, 4))
    context = _context(_charts(pages))
    docx = _render_docx(tmp_path, context)
    with zipfile.ZipFile(docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        assert len(media) == len(pages) + 1  # the Gantt pages and the S-curve
        for name in media:
            dpi = png_dpi(z.read(name))
            assert dpi and min(dpi) >= 199.9, name
        body = z.read("word/document.xml").decode()
    document = Document(str(docx))
    section = document.sections[0]
    text_w = section.page_width - section.left_margin - section.right_margin
    text_h = section.page_height - section.top_margin - section.bottom_margin
    shapes = document.inline_shapes
    assert len(shapes) == len(pages) + 1
    for shape, chart in zip(shapes, [*pages, context["charts"]["s_curve"][0]]):
        assert shape.width <= text_w and shape.height <= text_h
        assert shape.width / shape.height == pytest.approx(chart.width_mm / chart.height_mm, rel=0.01)
        assert shape.width >= Mm(200)
    assert body.count('w:type="page"') == len(pages) - 1  # a page break between Gantt pages
    assert "甘特图" in body or "项目进度计划（甘特图）" in body  # the alternative text (descr)
    assert "{{" not in body and "{%" not in body


def test_a_long_title_is_shortened_and_leaves_room_for_the_page_label():
    (page,) = gantt_pages(sample_schedule(), title="很长的项目名称" * 20)
    root = parse(page)
    (title,) = [e for e in by_class(root, "title")]
    assert title.text.endswith("…")
    x = float(title.get("x")) + len(title.text) * float(title.get("font-size"))  # an upper bound of its width
    label = next(e for e in by_class(root, "page-label"))
    assert x < float(label.get("x")) - len(label.text) * 0.56 * float(label.get("font-size"))


def test_s_curve_edge_cases_give_valid_charts():
    status = dt.date(2026, 3, 9)
    one = [EarnedValue("2026-W10", dt.date(2026, 3, 8), Decimal("0"), Decimal("0"), Decimal("0"))]
    for points in (one, weeks_of_value(1, 1), weeks_of_value(30, 0), weeks_of_value(200, 100)):
        chart = s_curve(points, status)
        root = parse(chart)
        assert by_class(root, "series") and [e.text for e in by_class(root, "y-tick")][0] == "0"
        for e in root.iter():
            if e is root:
                continue
            for attr in ("x", "y", "x1", "x2", "cx", "cy", "width", "height"):
                if e.get(attr) is not None:
                    assert -1 <= float(e.get(attr)) <= chart.width_mm + 1, (e.tag, attr, e.get(attr))
    # a status date after the last week (the project is over): the axis reaches it
    after = parse(s_curve(weeks_of_value(12, 12), dt.date(2026, 9, 30)))
    (line,) = by_class(after, "status-line")
    pv = next(e for e in by_class(after, "series") if e.get("data-series") == "pv")
    last_x = float(re.findall(r"[ML]([-\d.]+) ", pv.get("d"))[-1])
    assert last_x < float(line.get("x1")) <= 250 - 8 + 0.01
    assert "9月" in [e.text for e in by_class(after, "x-month")]
