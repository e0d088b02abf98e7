"""The XLSX register: one layout gives the document and the workbook, and the workbook's live
formulas compute what the document shows (recalculated by LibreOffice), on the Chinese calendar."""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from salespm_docs.figures.calendar import WorkCalendar
from salespm_docs.layout import generate
from salespm_docs.layout.elements import (INFO_LABELS, Column as C, If, Input, Layout, LayoutError, Para, Table, money,
                                          value_column)
from salespm_docs.render.xlsx import (CALENDAR_SHEET, INFO_SHEET, LISTS_SHEET, Formulas, XlsxError,
                                      calendar_days, render_xlsx, xlsx_text)
from salespm_docs.templating import make_env

from xlsx_tools import cached_results, recalculated, stale_formulas

d = dt.date
STAMP = dt.datetime(2026, 10, 12)
#: the project's calendar: the tables (2026 National Day: 10-01 … 10-07 off, 09-20 and 10-10
#: worked), corrected by the company: 09-29 off, Sunday 10-11 worked
CALENDAR = WorkCalendar(holidays=frozenset({d(2026, 9, 29)}), workdays=frozenset({d(2026, 10, 11)}))
STATUS_DATE = d(2026, 10, 9)
INJECTIONS = ("=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")')

PROGRESS = Table((
    C("WBS编码", "{{ r.code }}", .06),
    C("任务", "{{ r.name }}", .14),
    C("责任人", "{{ r.owner }}", .07, choices="lists.owners"),
    C("状态", "{{ r.status }}", .06, choices="lists.status", status="'绿' if r.status == '已完成' else '黄'"),
    value_column("计划开始", "r.start", "date", .08),
    value_column("计划结束", "r.end", "date", .08),
    value_column("实际结束", "r.actual", "date", .08),
    C("计划\n工期", "{{ r.duration }}", .05, "right", value="r.duration", fmt="int",
      formula="=WORKDAYS({计划开始},{计划结束})"),
    C("偏差\n天数", "{{ r.delta|signed }}", .05, "right", value="r.delta", fmt="int",
      formula="DELTA({计划结束},{实际结束})"),
    C("剩余\n工作日", "{{ r.remaining }}", .05, "right", value="r.remaining", fmt="int",
      formula="=WORKDAYS({@状态日期}+1,{计划结束})"),
    C("完成%", "{{ r.pct|pct(1, true) }}", .06, "right", value="r.pct", fmt="pct", places=1,
      sheet_total="=SUMPRODUCT({工作量},{完成%})/SUM({工作量})"),
    C("工作量", "{{ r.effort|num(1) }}", .06, "right", value="r.effort", fmt="num", places=1,
      sheet_total="=SUBTOTAL(109,{工作量})"),
), loop="r in rows", sheet="进度表",
    total=("合计", "", "", "", "", "", "", "", "", "", "{{ totals.pct|pct(1, true) }}", "{{ totals.effort|num(1) }}"))

ISSUES = Table((C("编号", "{{ i.id }}", .1), C("问题", "{{ i.text }}"), C("责任人", "{{ i.owner }}", .15, choices="lists.owners")),
               loop="i in issues", sheet="问题清单")

LAYOUT = Layout("PRG", (
    Para("本表为测试用进度表。"),
    If("rows", (PROGRESS,), (Para("暂无任务。"),)),
    Table((C("说明", "{{ x }}"),), loop="x in notes"),  # a document table, no register
    If("issues", (ISSUES,), (Para("暂无问题。"),)),
), landscape=True)

# (code, name, start, end, actual): around 2026 National Day, early, late, on time, unfinished,
# end before start, the make-up days, across the year end
PLAN = (
    ("1.1", "需求调研", d(2026, 9, 28), d(2026, 10, 9), d(2026, 10, 12)),    # late over the make-up Sat/Sun
    ("1.2", "方案设计", d(2026, 9, 18), d(2026, 9, 30), d(2026, 9, 25)),     # early, 09-20 worked, 09-29 off
    ("1.3", "系统开发", d(2026, 10, 1), d(2026, 10, 8), d(2026, 10, 8)),     # on time, holiday start
    ("1.4", "测试", d(2026, 10, 8), d(2026, 10, 10), None),                  # unfinished
    ("1.5", "部署", d(2026, 10, 3), d(2026, 10, 2), d(2026, 10, 7)),         # end before start; done in holidays
    ("2.1", "上线支持", d(2026, 12, 28), d(2027, 1, 6), d(2027, 1, 4)),      # across the year end
)


def _rows(calendar: WorkCalendar = CALENDAR) -> list[dict]:
    owners = ("张三", "李四", "王五")
    rows = []
    for n, (code, name, start, end, actual) in enumerate(PLAN):
        rows.append({
            "code": code, "name": name, "owner": owners[n % 3], "status": "进行中" if actual is None else "已完成",
            "start": start, "end": end, "actual": actual,
            "duration": calendar.workdays_between(start, end),
            "delta": None if actual is None else calendar.delta(end, actual),
            "remaining": calendar.workdays_between(STATUS_DATE + dt.timedelta(days=1), end),
            "pct": Decimal("40") if actual is None else Decimal("100"),
            "effort": Decimal(f"{n + 1}.5"),
        })
    return rows


def _context(rows: list[dict] | None = None, calendar: WorkCalendar = CALENDAR, **extra) -> dict:
    rows = _rows(calendar) if rows is None else rows
    effort = sum((r["effort"] for r in rows), Decimal(0))
    pct = sum((r["effort"] * r["pct"] for r in rows), Decimal(0)) / effort if effort else Decimal(0)
    context = {
        "doc": {"title": "项目进度表", "number": "HX-PRG-2026-01", "version": "V1.2", "classification": "内部",
                "status": "已批准", "draft": False,
                "prepared": {"name": "王五", "date": d(2026, 10, 9)},
                "reviewed": {"name": "李四", "date": d(2026, 10, 10)},
                "approved": {"name": None, "date": None}},
        "project": {"name": "华星CRM实施项目", "code": "HX-2026"},
        "client": {"name": "华星集团"},
        "company": {"name": "远航软件"},
        "status_date": STATUS_DATE,
        "calendar_days": calendar_days(calendar, (2026, 2027)),
        "rows": rows,
        "totals": {"pct": pct, "effort": effort},
        "notes": ["文档中的说明"],
        "issues": [],
        "lists": {"owners": ["张三", "李四", "王五"], "status": ["未开始", "进行中", "已完成", "已延期"]},
    }
    context.update(extra)
    return context


PROPERTIES = {"title": "华星CRM实施项目 项目进度表（HX-PRG-2026-01）", "author": "王五", "subject": "华星CRM实施项目",
              "keywords": "HX-PRG-2026-01 V1.2 内部", "identifier": "HX-PRG-2026-01", "company": "远航软件"}


def _render(path: Path, context: dict | None = None, layout: Layout = LAYOUT) -> Path:
    render_xlsx(layout, _context() if context is None else context, make_env(), path, PROPERTIES, STAMP)
    return path


def _document_text(source: str, row: dict) -> str:
    """What the document shows in a cell: the layout's ``cell`` rendered for the row."""
    return make_env().from_string(source).render(r=row)


def _sheet_rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in line))) for line in ws.iter_rows(min_row=2)]


def _as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


# -- the original, as openpyxl reads it ------------------------------------------------------

def test_sheets_and_control_block(tmp_path):
    wb = openpyxl.load_workbook(_render(tmp_path / "prg.xlsx"))
    assert wb.sheetnames == [INFO_SHEET, "进度表", "问题清单", CALENDAR_SHEET, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert wb.active.title == "进度表"
    info = {row[0]: row[1:] for row in wb[INFO_SHEET].iter_rows(values_only=True)}
    assert info["文档名称"][0] == "项目进度表" and info["文档编号"][0] == "HX-PRG-2026-01"
    assert info["版本号"][0] == "V1.2" and info["密级"][0] == "内部" and info["状态"][0] == "已批准"
    assert info["项目名称"][0] == "华星CRM实施项目" and info["项目编号"][0] == "HX-2026"
    assert info["客户名称"][0] == "华星集团"
    assert info["编制"][0] == "王五" and _as_date(info["编制"][1]) == d(2026, 10, 9)
    assert info["批准"] == ("—", "—")
    assert _as_date(info["状态日期"][0]) == STATUS_DATE
    name = wb.defined_names["状态日期"]
    sheet, cell = next(iter(name.destinations))
    assert sheet == INFO_SHEET and _as_date(wb[INFO_SHEET][cell.replace("$", "")].value) == STATUS_DATE
    # the calendar sheet: the weekdays off and the weekend days worked of the project's calendar
    cal = [tuple(_as_date(v) for v in row) for row in wb[CALENDAR_SHEET].iter_rows(min_row=2, values_only=True)]
    holidays = {r[0] for r in cal if r[0]}
    workdays = {r[1] for r in cal if r[1]}
    assert {d(2026, 10, 1), d(2026, 10, 7), d(2026, 9, 29)} <= holidays and d(2026, 10, 3) not in holidays
    assert {d(2026, 9, 20), d(2026, 10, 10), d(2026, 10, 11)} <= workdays
    props = wb.properties
    assert props.title == PROPERTIES["title"] and props.creator == "王五"
    assert props.created == STAMP and props.modified == STAMP


def test_register_sheet_survives_in_the_original(tmp_path):
    path = _render(tmp_path / "prg.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["进度表"]
    n = len(PLAN)
    assert ws.freeze_panes == "A2"
    [table] = ws.tables.values()
    assert table.ref == f"A1:L{n + 1}" and table.displayName == "T_PRG_1"
    assert table.autoFilter is not None and table.autoFilter.ref == table.ref
    assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
    assert ws[1][7].value == "计划工期"  # header without its line break
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("E8EEF4") for c in ws[1])
    # drop-downs: lists on the hidden 列表 sheet, one list per distinct choice list
    lists = wb[LISTS_SHEET]
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert set(validations) == {f"C2:C{n + 1}", f"D2:D{n + 1}"}
    for dv, values in ((validations[f"C2:C{n + 1}"], ["张三", "李四", "王五"]),
                       (validations[f"D2:D{n + 1}"], ["未开始", "进行中", "已完成", "已延期"])):
        assert dv.type == "list" and dv.showErrorMessage
        sheet, _, cells = dv.formula1.rpartition("!")
        assert sheet.strip("'") == LISTS_SHEET
        assert [c.value for line in lists[cells.replace("$", "")] for c in line] == values
    # print setup
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert "HX-PRG-2026-01" in ws.oddHeader.left.text and "V1.2" in ws.oddHeader.left.text
    assert "内部" in ws.oddHeader.right.text
    assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"
    # widths: shares of the text width, at least the header
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width >= 9
    # values: real dates and numbers in the document's formats, percent as 0–100
    rows = _sheet_rows(ws)
    first = rows[0]
    assert _as_date(first["计划开始"]) == d(2026, 9, 28) and ws["E2"].number_format == "yyyy-mm-dd"
    assert first["完成%"] == 100 and ws["K2"].number_format == '0.0"%"'
    assert first["工作量"] == 1.5 and ws["L2"].number_format == "0.0"
    assert ws["H2"].data_type == "f" and ws["H2"].number_format == "0"
    assert rows[3]["实际结束"] is None
    assert ws["D2"].font.color.rgb.endswith("1A7F37") and ws["D5"].font.color.rgb.endswith("9A6700")
    # formulas carry the documents' figures as cached results, for viewers that do not compute
    shown = _sheet_rows(openpyxl.load_workbook(path, data_only=True)["进度表"])
    expected = _rows()
    assert [r["计划工期"] for r in shown[:n]] == [r["duration"] for r in expected]
    assert [r["偏差天数"] for r in shown[:n]] == [r["delta"] for r in expected]  # a blank for None
    assert cached_results(path)["进度表", "I5"] == ""
    assert openpyxl.load_workbook(path).calculation.fullCalcOnLoad
    total = rows[n]
    assert total["WBS编码"] == "合计" and total["工作量"] == f"=SUBTOTAL(109,L2:L{n + 1})"
    assert total["完成%"] == f"=SUMPRODUCT(L2:L{n + 1},K2:K{n + 1})/SUM(L2:L{n + 1})"
    # the document-only table is no sheet; the register in an If branch is one, rows or not
    assert wb.sheetnames[1:3] == ["进度表", "问题清单"] and not wb["问题清单"].tables


def test_formula_injection_stays_text(tmp_path):
    rows = _rows()
    for row, text in zip(rows, INJECTIONS):
        row["name"] = text
    path = _render(tmp_path / "prg.xlsx", _context(rows))
    ws = openpyxl.load_workbook(path)["进度表"]
    for n, text in enumerate(INJECTIONS, start=2):
        assert ws[f"B{n}"].value == text and ws[f"B{n}"].data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    formulas = re.findall(r"<f>(.*?)</f>", sheet)
    assert formulas and not any("cmd" in f or "HYPERLINK" in f or "SUM(1,2)" in f for f in formulas)
    assert "calc" in xlsx_text(path)


def test_reproducible_bytes(tmp_path):
    first = _render(tmp_path / "a.xlsx").read_bytes()
    time.sleep(1.1)  # openpyxl stamps the time of saving; the writer must not keep it
    second = _render(tmp_path / "b.xlsx").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert all(i.date_time == (2026, 10, 12, 0, 0, 0) for i in z.infolist())
    assert "2026-10-12T00:00:00Z" in core and core.count("2026-10-12T00:00:00Z") == 2


def test_zero_rows(tmp_path):
    path = _render(tmp_path / "empty.xlsx", _context(rows=[]))
    wb = openpyxl.load_workbook(path)
    for name in ("问题清单",):
        ws = wb[name]
        assert not ws.tables  # Excel refuses a table without data rows
        assert ws.auto_filter.ref == "A1:C1" and ws.freeze_panes == "A2"
        assert ws.max_row == 1
        assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["C2:C101"]
    # "rows" is empty: the If takes the other branch in the document, yet the register is the same
    ws = wb["进度表"]
    assert not ws.tables and ws.max_row == 1  # no data, no 合计 row


def test_xlsx_text(tmp_path):
    text = xlsx_text(_render(tmp_path / "prg.xlsx", _context(issues=[{"id": "I-1", "text": "接口延期", "owner": "李四"}])))
    assert "None" not in text and "{{" not in text and "{%" not in text
    for shown in ("HX-PRG-2026-01", "## 问题清单", "接口延期", "2026-09-28", "100.0%", "40.0%", "1.5", "合计"):
        assert shown in text
    # formula cells show their cached figure, not the formula
    assert "NETWORKDAYS" not in text and "2026-10-09\t2026-10-12\t4\t3\t0\t100.0%" in text


def test_layout_errors(tmp_path):
    env = make_env()

    def layout(*columns, sheet="表"):
        return Layout("X", (Table(columns, loop="r in rows", sheet=sheet),))

    ctx = _context()
    with pytest.raises(LayoutError, match="不存在的列"):
        render_xlsx(layout(C("甲", "{{ r.code }}", formula="={乙}+1")), ctx, env, tmp_path / "x.xlsx", {}, STAMP)
    with pytest.raises(LayoutError, match="工作表名"):
        render_xlsx(layout(C("甲", "{{ r.code }}"), sheet="a/b"), ctx, env, tmp_path / "x.xlsx", {}, STAMP)
    with pytest.raises(LayoutError, match="重复"):
        render_xlsx(layout(C("甲", "{{ r.code }}"), C("甲", "{{ r.name }}")), ctx, env, tmp_path / "x.xlsx", {}, STAMP)
    with pytest.raises(XlsxError, match="nope"):
        render_xlsx(layout(C("甲", "{{ r.code }}", value="r.nope")), ctx, env, tmp_path / "x.xlsx", {}, STAMP)
    long = _rows()
    long[0]["name"] = "长" * 40000
    with pytest.raises(XlsxError, match="32767"):
        _render(tmp_path / "x.xlsx", _context(long))
    no_calendar = {k: v for k, v in ctx.items() if k != "calendar_days"}
    with pytest.raises(XlsxError, match="calendar_days"):
        render_xlsx(layout(C("甲", "{{ r.code }}", value="r.start"), C("乙", "", formula="=WORKDAYS({甲},{甲})")),
                    no_calendar, env, tmp_path / "x.xlsx", {}, STAMP)
    assert not (tmp_path / "x.xlsx").exists()


def test_macros_expand_textually():
    f = Formulas("H!$A$2:$A$9", "H!$B$2:$B$9", {"状态日期": "'文档信息'!$B$14"})
    cells = {"开始": "E2", "结束": "F2"}
    assert f.expand("NETWORKDAYS({开始},{结束})", cells, "") == "=NETWORKDAYS(E2,F2)"  # no macro inside a name
    out = f.expand("=WORKDAYS({开始},{@状态日期}+1)", cells, "")
    assert out == ('=IF(OR(E2="",(\'文档信息\'!$B$14+1)=""),"",IF((\'文档信息\'!$B$14+1)<E2,0,'
                   "NETWORKDAYS(E2,('文档信息'!$B$14+1),H!$A$2:$A$9)"
                   "+COUNTIFS(H!$B$2:$B$9,\">=\"&E2,H!$B$2:$B$9,\"<=\"&('文档信息'!$B$14+1))))")
    assert f.expand('=IF({开始}="x",DELTA({开始},{结束}),0)', cells, "").startswith('=IF(E2="x",IF(OR(E2="",F2=""),"",IF(F2>=E2,')
    assert f.expand("=SUM({1,2,3})", cells, "") == "=SUM({1,2,3})"
    with pytest.raises(LayoutError):
        f.expand("=WORKDAYS({开始})", cells, "")


# -- after LibreOffice has computed the formulas --------------------------------------------

#: LibreOffice is installed by the test when missing (``xlsx_tools.ensure_calc``): never skipped
needs_calc = pytest.mark.clients


def _expect_formula_values(ws, rows: list[dict]) -> list[dict]:
    """Every formula cell equals the Python figure and the document's text for that cell."""
    columns = {c.header.replace("\n", ""): c for c in PROGRESS.columns}
    got = _sheet_rows(ws)
    for row, shown in zip(rows, got):
        for header, key in (("计划工期", "duration"), ("偏差天数", "delta"), ("剩余工作日", "remaining")):
            value, text = shown[header], _document_text(columns[header].cell, row)
            if row[key] is None:
                assert value in (None, ""), (row["code"], header, value)
                assert text == "—"
            else:
                assert value == row[key], (row["code"], header, value, row[key])
                assert int(text.replace("−", "-")) == value, (row["code"], header, text)
    return got


@pytest.mark.clients
@needs_calc
def test_formulas_compute_what_the_document_shows(tmp_path):
    rows = _rows()
    for row, text in zip(rows, INJECTIONS):
        row["name"] = text
    context = _context(rows)
    path = _render(tmp_path / "prg.xlsx", context)
    # the figures this test stands on (the calendar's own, not the workbook's)
    assert [r["duration"] for r in rows[:5]] == [4, 8, 1, 3, 0]
    assert [r["delta"] for r in rows] == [3, -2, 0, None, 0, -2]
    wb = recalculated(path)
    ws = wb["进度表"]
    got = _expect_formula_values(ws, rows)
    # totals: the document's 合计 row, computed in Python
    total = got[len(rows)]
    env = make_env()
    assert f"{total['工作量']:.1f}" == env.from_string(PROGRESS.total[11]).render(context) == "24.0"
    assert f"{total['完成%']:.1f}%" == env.from_string(PROGRESS.total[10]).render(context)
    # injected strings stay text after a spreadsheet has loaded and computed the workbook
    assert [r["任务"] for r in got[:len(INJECTIONS)]] == list(INJECTIONS)
    # the generic check the registers' own tests use: every live formula = the cached figure
    assert len(cached_results(path)) == 3 * len(rows)
    assert stale_formulas(path) == []


@pytest.mark.clients
@needs_calc
def test_recalculation_computes_rather_than_trusting_the_cache(tmp_path):
    """A figure the Python side got wrong is caught: LibreOffice computes the formula, and it
    differs from the cached (document) figure."""
    rows = _rows()
    rows[1]["duration"] += 1
    path = _render(tmp_path / "prg.xlsx", _context(rows))
    assert openpyxl.load_workbook(path, data_only=True)["进度表"]["H3"].value == 9
    assert recalculated(path)["进度表"]["H3"].value == 8
    assert stale_formulas(path) == ["进度表!H3: 文档 9，公式 8"]


@pytest.mark.clients
@needs_calc
def test_a_pm_edits_the_workbook_and_the_figures_follow(tmp_path):
    path = _render(tmp_path / "prg.xlsx")
    wb = openpyxl.load_workbook(path)
    ws, cal = wb["进度表"], wb[CALENDAR_SHEET]
    ws["G2"] = d(2026, 10, 13)          # 1.1 finished a day later still
    ws["G5"] = d(2026, 10, 9)           # 1.4 finished early (plan 10-10, a make-up Saturday)
    holidays = [c.value for c in cal["A"][1:] if c.value is not None]
    cal.cell(len(holidays) + 2, 1).value = d(2026, 10, 12)  # a holiday the table did not know
    wb.save(tmp_path / "edited.xlsx")
    wb.close()
    # the same edits, on the Python side
    edited = WorkCalendar(holidays=CALENDAR.holidays | {d(2026, 10, 12)}, workdays=CALENDAR.workdays)
    rows = _rows(edited)
    rows[0]["actual"], rows[3]["actual"] = d(2026, 10, 13), d(2026, 10, 9)
    for row in rows:
        row["delta"] = None if row["actual"] is None else edited.delta(row["end"], row["actual"])
    assert rows[0]["delta"] == 3 and rows[3]["delta"] == -1
    _expect_formula_values(recalculated(tmp_path / "edited.xlsx")["进度表"], rows)


@pytest.mark.clients
@needs_calc
def test_an_empty_register_opens(tmp_path):
    wb = recalculated(_render(tmp_path / "empty.xlsx", _context(rows=[])))
    assert [c.value for c in wb["问题清单"][1]] == ["编号", "问题", "责任人"]
    assert wb["进度表"].max_row == 1


def test_layouts_without_registers_are_unchanged():
    column = C("甲", "{{ x }}")
    assert (column.formula, column.sheet_total, column.choices, column.places) == (None, None, None, None)
    assert (column.bounds, column.fills, Layout("X", ()).inputs) == (None, (), ())
    assert Table((column,)).sheet is None
    assert value_column("率", "x", "pct").places == 1 and value_column("额", "x", "yuan").places is None
    assert copy.deepcopy(LAYOUT) == LAYOUT


# -- input cells, conditional fills, numeric bounds (风险登记册 / 回款跟踪表) ----------------------

LEVEL = 'IF({风险值}>={@高风险下限},"高",IF({风险值}>={@中风险下限},"中","低"))'
LEVEL_FILLS = (('{等级}="高"', "F4B6B0"), ('{等级}="中"', "FBE3A6"), ('{等级}="低"', "CFE8CF"))
AGING = ('IF({未收金额}<=0,"",IF({@报告日期}-{计划日期}<=0,"未到期",'
         'IF({@报告日期}-{计划日期}<=30,"逾期30天内","逾期30天以上")))')
OVERDUE = 'IF({未收金额}<=0,"",MAX(0,{@报告日期}-{计划日期}))'
RISKS = Table((
    C("编号", "{{ k.id }}", .1, value="k.id"),
    C("风险", "{{ k.name }}", value="k.name"),
    C("可能性", "{{ k.p }}", .1, "right", value="k.p", fmt="int", bounds=(1, 5)),
    C("影响", "{{ k.i }}", .1, "right", value="k.i", fmt="int", bounds=(1, 5)),
    C("风险值", "{{ k.score }}", .1, "right", value="k.score", fmt="int", formula="{可能性}*{影响}"),
    C("等级", "{{ k.level }}", .1, value="k.level", formula=LEVEL, fills=LEVEL_FILLS),
), loop="k in risks", sheet="风险登记册")
PAYMENTS = Table((
    C("期次", "{{ p.id }}", .1, value="p.id"),
    value_column("计划日期", "p.due", "date", .2),
    money("未收金额", "p.open", .2),
    C("账龄", "{{ p.aging }}", value="p.aging", formula=AGING),
    C("逾期天数", "{{ p.overdue }}", .15, "right", value="p.overdue", fmt="int", formula=OVERDUE),
), loop="p in payments", sheet="回款跟踪表")
INPUTS = (Input("报告日期", "report.date", "date", "可修改：逾期天数与账龄按此日期重新计算"),
          Input("高风险下限", "matrix.high_min", "int"), Input("中风险下限", "matrix.medium_min", "int"),
          Input("复核日期", "report.review", "date"))
RISK_LAYOUT = Layout("RISK", (Para("风险与回款。"), RISKS, PAYMENTS), landscape=True, inputs=INPUTS)
REPORT_DATE = d(2026, 10, 12)


def _level(score: int, high: int, medium: int) -> str:
    return "高" if score >= high else "中" if score >= medium else "低"


def _aging(due: dt.date, amount: Decimal, on: dt.date) -> tuple[str | None, int | None]:
    if amount <= 0:
        return None, None
    days = (on - due).days
    return ("未到期" if days <= 0 else "逾期30天内" if days <= 30 else "逾期30天以上"), max(0, days)


def _risk_context(high: int = 15, medium: int = 8, on: dt.date = REPORT_DATE) -> dict:
    risks = [{"id": f"R{n}", "name": name, "p": p, "i": i, "score": p * i, "level": _level(p * i, high, medium)}
             for n, (name, p, i) in enumerate((("关键人员离职", 5, 4), ("接口延期", 3, 4), ("需求变更", 2, 3),
                                               ("数据迁移", 3, 3), ("上线窗口", 4, 4)), start=1)]
    payments = []
    for n, (due, amount) in enumerate(((d(2026, 10, 20), Decimal("1000.00")), (d(2026, 10, 1), Decimal("500.50")),
                                       (d(2026, 8, 1), Decimal("200.00")), (d(2026, 9, 1), Decimal("0"))), start=1):
        aging, overdue = _aging(due, amount, on)
        payments.append({"id": f"第{n}期", "due": due, "open": amount, "aging": aging, "overdue": overdue})
    return _context(risks=risks, payments=payments, report={"date": on, "review": None},
                    matrix={"high_min": high, "medium_min": medium})


def _named_cell(wb, name: str):
    sheet, cell = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][cell.replace("$", "")]


def test_input_cells_on_the_info_sheet(tmp_path):
    path = _render(tmp_path / "risk.xlsx", _risk_context(), RISK_LAYOUT)
    wb = openpyxl.load_workbook(path)
    info = wb[INFO_SHEET]
    rows = {row[0].value: row for row in info.iter_rows(max_col=3)}
    labels = [row[0].value for row in info.iter_rows(max_col=1)]
    assert labels[-5:] == ["状态日期", "报告日期", "高风险下限", "中风险下限", "复核日期"]  # under 状态日期
    date, note = rows["报告日期"][1], rows["报告日期"][2]
    assert _as_date(date.value) == REPORT_DATE and date.number_format == "yyyy-mm-dd" and date.data_type == "d"
    assert note.value == "可修改：逾期天数与账龄按此日期重新计算"
    assert rows["高风险下限"][1].value == 15 and rows["高风险下限"][1].number_format == "0"
    assert rows["中风险下限"][1].value == 8 and rows["中风险下限"][2].value is None
    assert rows["复核日期"][1].value is None and rows["复核日期"][1].number_format == "yyyy-mm-dd"  # None: blank
    assert all(rows[label][0].font.b for label in ("报告日期", "高风险下限", "复核日期"))
    for item in INPUTS:  # a workbook name per input, on its value cell
        sheet, cell = next(iter(wb.defined_names[item.label].destinations))
        assert sheet == INFO_SHEET and cell == f"$B${rows[item.label][1].row}"
    assert _as_date(_named_cell(wb, "状态日期").value) == STATUS_DATE
    # {@报告日期} is the absolute cell of the input, in every row
    ws = wb["回款跟踪表"]
    where = f"'{INFO_SHEET}'!$B${rows['报告日期'][1].row}"
    assert ws["D2"].value == ('=IF(C2<=0,"",IF(' + where + '-B2<=0,"未到期",IF(' + where
                              + '-B2<=30,"逾期30天内","逾期30天以上")))')
    assert ws["E5"].value == f'=IF(C5<=0,"",MAX(0,{where}-B5))'
    high, medium = (f"'{INFO_SHEET}'!$B${rows[label][1].row}" for label in ("高风险下限", "中风险下限"))
    assert wb["风险登记册"]["F3"].value == f'=IF(E3>={high},"高",IF(E3>={medium},"中","低"))'
    # the cached results: the documents' figures, Chinese text included
    shown = openpyxl.load_workbook(path, data_only=True)
    assert [shown["风险登记册"][f"F{n}"].value for n in range(2, 7)] == ["高", "中", "低", "中", "高"]
    assert [shown["回款跟踪表"][f"D{n}"].value for n in range(2, 6)] == ["未到期", "逾期30天内", "逾期30天以上", None]
    assert [shown["回款跟踪表"][f"E{n}"].value for n in range(2, 6)] == [0, 11, 72, None]
    assert cached_results(path)["回款跟踪表", "D5"] == ""


def test_the_label_list_of_the_layout_is_the_info_sheet(tmp_path):
    """``INFO_LABELS`` (what an input may not be called) = the names ``{@…}`` can take on 文档信息."""
    wb = openpyxl.load_workbook(_render(tmp_path / "risk.xlsx", _risk_context(), RISK_LAYOUT))
    labels = {row[0] for row in wb[INFO_SHEET].iter_rows(min_row=2, max_col=1, values_only=True)}
    assert set(INFO_LABELS) - {"编制日期", "审核日期", "批准日期"} == labels - {i.label for i in INPUTS}
    from salespm_docs.render import xlsx
    r = xlsx._Renderer(Layout("X", ()), _context(), make_env())
    assert set(xlsx._info_sheet(openpyxl.Workbook().active, r, _context()["doc"])) == set(INFO_LABELS)


def test_conditional_fills_and_bounds_survive_read_back(tmp_path):
    path = _render(tmp_path / "risk.xlsx", _risk_context(), RISK_LAYOUT)
    ws = openpyxl.load_workbook(path)["风险登记册"]
    rules = [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]
    assert [(ref, rule.type, rule.formula) for ref, rule in rules] == [
        ("F2:F6", "expression", ['$F2="高"']), ("F2:F6", "expression", ['$F2="中"']),
        ("F2:F6", "expression", ['$F2="低"'])]
    for (_, rule), (_, colour) in zip(rules, LEVEL_FILLS):
        fill = rule.dxf.fill
        assert fill.fill_type == "solid" and fill.fgColor.rgb.endswith(colour) and fill.bgColor.rgb.endswith(colour)
    assert ws["F2"].fill.fill_type is None  # the colour is the rule's, not the cell's
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert set(validations) == {"C2:C6", "D2:D6"}
    for ref, header in (("C2:C6", "可能性"), ("D2:D6", "影响")):
        dv = validations[ref]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "1", "5")
        assert dv.showErrorMessage and dv.allow_blank and dv.error == f"{header}应为 1–5 的整数"
    # an empty register: the rules cover the rows a user fills in
    context = _risk_context()
    context["risks"] = []
    ws = openpyxl.load_workbook(_render(tmp_path / "empty.xlsx", context, RISK_LAYOUT))["风险登记册"]
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {"F2:F101"}
    assert {str(v.sqref) for v in ws.data_validations.dataValidation} == {"C2:C101", "D2:D101"}


def test_a_fill_may_span_columns_and_inputs(tmp_path):
    """A condition is expanded like a formula: the columns absolute, the row relative, inputs absolute."""
    layout = Layout("RISK", (Table(RISKS.columns[:4] + (
        C("风险值", "{{ k.score }}", value="k.score", fmt="int", formula="{可能性}*{影响}",
          fills=(("{可能性}*{影响}>={@高风险下限}", "f4b6b0"),)),), loop="k in risks", sheet="风险"),),
        inputs=INPUTS[1:2])
    wb = openpyxl.load_workbook(_render(tmp_path / "x.xlsx", _risk_context(), layout))
    [cf] = wb["风险"].conditional_formatting
    row = _named_cell(wb, "高风险下限").row
    assert str(cf.sqref) == "E2:E6" and cf.rules[0].formula == [f"$C2*$D2>='{INFO_SHEET}'!$B${row}"]
    assert cf.rules[0].dxf.fill.fgColor.rgb.endswith("F4B6B0")


def test_bad_inputs_fills_and_bounds():
    for label in ("A1", "xfd1048576", "R1C1", "r", "1期", "报告 日期", "报告-日期", "TRUE", "", "长" * 256):
        with pytest.raises(LayoutError, match=r"RISK.*输入项名称") as found:
            Layout("RISK", (), inputs=(Input(label, "report.date"),))
        assert f"「{label}」" in str(found.value)
    for label in ("状态日期", "文档编号", "批准日期"):
        with pytest.raises(LayoutError, match=f"RISK.*「{label}」.*同名"):
            Layout("RISK", (), inputs=(Input(label, "x"),))
    with pytest.raises(LayoutError, match="重复"):
        Layout("RISK", (), inputs=(Input("Limit", "x"), Input("limit", "y")))
    with pytest.raises(LayoutError, match="数字格式"):
        Layout("RISK", (), inputs=(Input("报告日期", "x", "day"),))
    assert Layout("RISK", (), inputs=(Input("_x.1", "x"), Input("高风险下限2", "y"), Input("ABCD1", "z"))).inputs
    for bounds in ((5, 1), (1,), (1.0, 5), (True, 5)):
        with pytest.raises(LayoutError, match="可能性.*bounds"):
            C("可能性", "", bounds=bounds)
    for fills in ((("{等级}=1", "red"),), (("", "FFFFFF"),), (("{等级}=1",),)):
        with pytest.raises(LayoutError, match="等级.*fills"):
            C("等级", "", fills=fills)


def test_bad_fill_condition_names_the_column(tmp_path):
    layout = Layout("RISK", (Table((C("等级", "{{ k.level }}", fills=(("{级别}=1", "FFFFFF"),)),),
                                   loop="k in risks", sheet="风险"),))
    with pytest.raises(LayoutError, match="等级.*条件格式.*级别"):
        _render(tmp_path / "x.xlsx", _risk_context(), layout)
    layout = Layout("RISK", (Table((C("等级", "{{ k.level }}", fills=(("{@上限}=1", "FFFFFF"),)),),
                                   loop="k in risks", sheet="风险"),))
    with pytest.raises(LayoutError, match="上限"):
        _render(tmp_path / "x.xlsx", _risk_context(), layout)


def test_documents_ignore_inputs():
    with_inputs = RISK_LAYOUT
    without = Layout("RISK", RISK_LAYOUT.body, landscape=True)
    assert generate.html_template(with_inputs) == generate.html_template(without)
    assert generate.docx_template(with_inputs) == generate.docx_template(without)


def test_a_workbook_only_table_is_a_sheet_and_not_in_the_documents(tmp_path):
    """``Table(document=False)``: the register's all-columns sheet, which the documents replace by
    narrower tables; its headers appear in the workbook only."""
    wide = Table((C("编号", "{{ r.id }}", .2, value="r.id"), C("仅工作簿列", "{{ r.level }}", value="r.level")),
                 loop="r in risks", sheet="全部列", document=False)
    narrow = Table((C("编号", "{{ r.id }}", .3), C("等级", "{{ r.level }}")), loop="r in risks")
    layout = Layout("RISK", (Para("登记册："), wide, narrow), landscape=True)
    html = generate.html_template(layout).decode("utf-8")
    docx = generate.docx_template(layout)
    assert "仅工作簿列" not in html and "等级" in html
    assert "仅工作簿列".encode("utf-8") not in zipfile.ZipFile(__import__("io").BytesIO(docx)).read("word/document.xml")
    path = _render(tmp_path / "wide.xlsx", _risk_context(), layout)
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["全部列"][1]] == ["编号", "仅工作簿列"]
    with pytest.raises(LayoutError, match="document=False"):
        Table((C("编号", "{{ r.id }}"),), loop="r in risks", document=False)


@pytest.mark.clients
@needs_calc
def test_formulas_over_inputs_compute_and_follow_an_edit(tmp_path):
    path = _render(tmp_path / "risk.xlsx", _risk_context(), RISK_LAYOUT)
    computed = recalculated(path)
    assert stale_formulas(path, computed) == []
    assert [computed["风险登记册"][f"F{n}"].value for n in range(2, 7)] == ["高", "中", "低", "中", "高"]
    assert [computed["回款跟踪表"][f"D{n}"].value for n in range(2, 6)] == ["未到期", "逾期30天内", "逾期30天以上", None]
    assert [computed["回款跟踪表"][f"E{n}"].value for n in range(2, 5)] == [0, 11, 72]
    # LibreOffice read the rules and the validations (it writes them back when it saves)
    ws = computed["风险登记册"]
    assert [rule.formula for cf in ws.conditional_formatting for rule in cf.rules] == [
        ['$F2="高"'], ['$F2="中"'], ['$F2="低"']]
    assert {str(v.sqref) for v in ws.data_validations.dataValidation if v.type == "whole"} == {"C2:C6", "D2:D6"}
    # a PM lowers the high-risk threshold and moves the report date; the register follows
    wb = openpyxl.load_workbook(path)
    _named_cell(wb, "高风险下限").value = 10
    _named_cell(wb, "报告日期").value = d(2026, 11, 30)
    wb.save(tmp_path / "edited.xlsx")
    wb.close()
    edited = recalculated(tmp_path / "edited.xlsx")
    expected = _risk_context(high=10, on=d(2026, 11, 30))
    assert [edited["风险登记册"][f"F{n}"].value for n in range(2, 7)] == [k["level"] for k in expected["risks"]]
    assert edited["风险登记册"]["F3"].value == "高"  # 3 × 4 = 12 ≥ 10
    assert [edited["回款跟踪表"][f"D{n}"].value for n in range(2, 6)] == [
        p["aging"] for p in expected["payments"]] == ["逾期30天以上", "逾期30天以上", "逾期30天以上", None]
    assert [edited["回款跟踪表"][f"E{n}"].value for n in range(2, 5)] == [41, 60, 121]
