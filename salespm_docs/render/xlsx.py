"""Workbook writer: a ``Layout`` + context → the XLSX register (openpyxl).

Every ``Table`` of the layout with a ``sheet`` (``If`` branches included) becomes one worksheet, in
layout order, with the rows the documents show: raw values (``Column.value``) as numbers and real
dates in the number format of ``Column.fmt``, the rendered ``cell`` text otherwise, and live
formulas (``Column.formula``, ``Column.sheet_total``) where the layout gives them. The sheets:

- ``文档信息``: the control block (文档名称 … 批准), the 状态日期 cell (named range ``状态日期``) and
  under it the layout's input cells (``Layout.inputs``): label in A (bold), value in B in the
  input's number format (blank when the value is ``None``), its note in C, each cell a workbook
  name equal to its label (``报告日期``, ``高风险下限``), so a user changes a threshold or the
  report date in one place and every formula that refers to it follows;
- one sheet per register: header row bold and shaded, frozen, filtered, an Excel table, drop-downs
  (``Column.choices``, lists on the hidden ``列表`` sheet), whole-number validation
  (``Column.bounds``: 可能性 1–5), conditional fills (``Column.fills``), printed landscape on A4,
  one page wide, the header row repeated, 文档编号 / 版本 / 密级 in the page header and
  「第 n 页 共 m 页」 in the footer;
- ``节假日``: the Chinese calendar's non-working weekdays (放假日期) and working weekends
  (调休上班日), which the ``WORKDAYS`` / ``DELTA`` macros count with, so a PM who adds a holiday
  there sees every duration and deviation follow;
- ``列表`` (hidden): the drop-down lists (an inline list over 255 characters breaks the file).

A formula cell also carries its cached result, the column's ``value`` computed in Python (what the
documents show), for viewers that do not compute; Excel and LibreOffice recompute on load.

Formulas (``Column.formula``): ``{标题}`` is the cell of the column headed 标题 in the same row (the
header without line breaks), ``{@状态日期}`` the status-date cell of ``文档信息`` and ``{@名称}`` the
cell of the input labelled 名称 (absolute: ``'文档信息'!$B$14``), any control-block item too
(``{@文档编号}``). Nested ``IF``s, string literals in Chinese and comparisons (``<=``) are written as
given; the cached result is the column's ``value`` as always. Two macros are expanded here,
textually, before the formula is written:

- ``WORKDAYS(a, b)``: working days from a to b inclusive, 0 when b < a, blank when a or b is
  blank: ``IF(OR(a="",b=""),"",IF(b<a,0,NETWORKDAYS(a,b,<放假日期>)+COUNTIFS(<调休上班日>,
  ">="&a,<调休上班日>,"<="&b)))``;
- ``DELTA(plan, actual)``: signed working days, positive when late, 0 when equal, blank when either
  is blank: ``IF(OR(p="",a=""),"",IF(a>=p,WORKDAYS(p+1,a),-WORKDAYS(a+1,p)))``.

The writer guards the macro arguments against blanks, so layouts need not. Functions newer than the
OOXML standard are written with their ``_xlfn.`` prefix (``_xlfn.IFS``), as Excel itself stores
them, and the workbook asks for a full recalculation on load.

Conditional fills (``Column.fills``, ``(condition, colour)`` pairs): each condition is expanded
like a formula written for the first data row, with the columns absolute and the row relative
(``{等级}="高"`` → ``$F2="高"``), and becomes a ``FormulaRule`` over the column's data range (rows 2
to the last, or the ``EMPTY_ROOM`` rows of an empty register, like the drop-downs), its fill solid
in ``colour`` (foreground and background both set: Excel paints a differential fill with the
background, LibreOffice reads either). The colour lives in the rule, not the cell, so it follows
when the user edits 可能性 and the sheet recomputes; when two hold, the first listed colours the
cell. ``bounds``
``(low, high)`` is a whole-number validation ``between`` low and high on the same range, its error
message built from the header (「可能性应为 1–5 的整数」).

Why ``NETWORKDAYS`` and not ``NETWORKDAYS.INTL``: with weekend code 1 (Saturday and Sunday) the two
count the same days, but ``NETWORKDAYS.INTL`` came with Excel 2010 and Excel saves it with the
``_xlfn.`` prefix of the functions newer than the file format, a spelling LibreOffice 7 reads as
``#NAME?`` (checked by the tests' recalculation). ``NETWORKDAYS`` is a core function since Excel
2007 and needs no prefix in any spreadsheet.

Data is never a formula: a string starting with ``=`` (or ``+ - @``) is written as a string cell.
Two renders of the same input give the same bytes (fixed timestamps in the package and in
``docProps/core.xml``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable, TableStyleInfo

from ..errors import TemplateError
from ..layout.elements import FORMATS, Column, Input, Layout, LayoutError, Named, Table, walk

INFO_SHEET = "文档信息"
CALENDAR_SHEET = "节假日"
LISTS_SHEET = "列表"
RESERVED = (INFO_SHEET, CALENDAR_SHEET, LISTS_SHEET)
STATUS_LABEL = "状态日期"
TOTAL_LABEL = "合计"
DRAFT_TEXT = "「草稿」本文档尚未批准或未通过完整性检查，不得作为正式文件使用"
HEADER_FILL = "E8EEF4"
#: characters across a landscape A4 register at 100%: ``Column.width`` shares are of this
TEXT_WIDTH_CHARS = 150
MAX_COLUMN_CHARS = 80
#: the 节假日 ranges run to this row at least: room to add days by hand
CALENDAR_ROWS = 1000
#: blank rows an empty register offers its drop-downs on (no data rows, nothing to extend)
EMPTY_ROOM = 100
DATE_FORMAT = "yyyy-mm-dd"
#: height of one line of 11 pt text (CJK included), in points
LINE_POINTS = 15
#: characters a cell holds in Excel (more and Excel repairs the file, cutting the text)
MAX_CELL_CHARS = 32767
#: font colours of the 绿 / 黄 / 红 values a ``Column.status`` names (as in the documents)
STATUS_COLOURS = {"绿": "1A7F37", "黄": "9A6700", "红": "C01B1B"}
#: functions newer than the OOXML standard: stored with the ``_xlfn.`` prefix, or Excel shows #NAME?
XLFN = ("IFS", "SWITCH", "MAXIFS", "MINIFS", "CONCAT", "TEXTJOIN",
        "XLOOKUP", "DAYS", "ISOWEEKNUM", "IFNA", "AGGREGATE")
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_PLACEHOLDER = re.compile(r"\{(@?)([^{}]*)\}")
_ARRAY_CONSTANT = re.compile(r'^[-\d.,;"\s]*$')
_SIMPLE = re.compile(r"^\$?[A-Z]{1,3}\$?\d+$|^'[^']+'!\$?[A-Z]{1,3}\$?\d+$|^\d+$")
_MACRO = re.compile(r"(?<![A-Za-z0-9_.])(WORKDAYS|DELTA)\s*\(")
_XLFN = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(re.escape(f) for f in XLFN) + r")\s*\(", re.I)
_FORMAT_PLACES = re.compile(r"\|\s*(?:pct|num)\s*\(\s*(\d+)")


class XlsxError(TemplateError):
    """A register that cannot be written (a missing context key, a bad expression in the layout)."""


# ----------------------------------------------------------------------------------- formats

def excel_format(column: Column) -> str | None:
    """The Excel number format of ``column`` (``None``: General)."""
    if column.fmt is None:
        return None
    places = column.places
    if places is None:
        found = _FORMAT_PLACES.search(column.cell)
        places = int(found.group(1)) if found else 1
    return excel_number_format(column.fmt, places, f"列「{column.header}」")


def excel_number_format(fmt: str | None, places: int = 1, where: str = "") -> str | None:
    """The Excel number format of FORMATS key ``fmt`` with ``places`` decimals where it takes them."""
    if fmt is None:
        return None
    if fmt not in FORMATS:
        raise LayoutError(f"{where}的数字格式 {fmt!r} 未定义（FORMATS）")
    pattern = FORMATS[fmt][1]
    if "{zeros}" in pattern and places == 0:
        pattern = pattern.replace(".{zeros}", "")
    return pattern.format(zeros="0" * places)


def display_width(text: str) -> int:
    """Width of ``text`` in Excel character units: a CJK character counts double."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def header_name(header: str) -> str:
    """A column's header as the register writes it and formulas name it: line breaks removed."""
    return header.replace("\r", "").replace("\n", "")


def calendar_days(calendar, years) -> dict[str, list[dt.date]]:
    """``context["calendar_days"]`` for ``years``: the weekdays ``calendar`` does not work
    (``holidays``) and the weekend days it does (``workdays``), in order. With these, the workbook's
    ``WORKDAYS`` counts exactly what ``calendar.workdays_between`` counts in those years."""
    holidays, workdays = [], []
    for year in sorted(set(years)):
        day = dt.date(year, 1, 1)
        while day.year == year:
            weekday = day.weekday() < 5
            if weekday != calendar.is_workday(day):
                (holidays if weekday else workdays).append(day)
            day += dt.timedelta(days=1)
    return {"holidays": holidays, "workdays": workdays}


# ---------------------------------------------------------------------------------- formulas

def _split_args(text: str, start: int) -> tuple[list[str], int]:
    """The comma-separated arguments of a call whose ``(`` is at ``start - 1``, and the index after
    its ``)``: commas inside parentheses or string literals do not split."""
    depth, i, args, current, quoted = 0, start, [], [], False
    while i < len(text):
        c = text[i]
        if quoted:
            current.append(c)
            if c == '"':
                quoted = False
        elif c == '"':
            quoted = True
            current.append(c)
        elif c == "(":
            depth += 1
            current.append(c)
        elif c == ")":
            if depth == 0:
                args.append("".join(current).strip())
                return args, i + 1
            depth -= 1
            current.append(c)
        elif c == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    raise LayoutError(f"公式括号不配对：{text}")


def _group(arg: str) -> str:
    return arg if _SIMPLE.match(arg) else f"({arg})"


@dataclass
class Formulas:
    """Expands layout formulas: placeholders, then the WORKDAYS / DELTA macros."""

    holidays: str
    """Absolute range of the 放假日期 column of the 节假日 sheet."""
    makeup: str
    """Absolute range of its 调休上班日 column."""
    info: dict[str, str]
    """``{@名称}`` → absolute cell of the 文档信息 sheet."""
    used_calendar: bool = False

    def workdays(self, a: str, b: str) -> str:
        self.used_calendar = True
        a, b = _group(a), _group(b)
        return (f"IF({b}<{a},0,NETWORKDAYS({a},{b},{self.holidays})"
                f'+COUNTIFS({self.makeup},">="&{a},{self.makeup},"<="&{b}))')

    def macros(self, text: str) -> str:
        out, pos = [], 0
        while True:
            found = _MACRO.search(text, pos)
            if not found:
                out.append(text[pos:])
                return "".join(out)
            args, end = _split_args(text, found.end())
            name = found.group(1)
            if len(args) != 2 or not all(args):
                raise LayoutError(f"公式中的 {name} 需要两个参数：{text}")
            a, b = (self.macros(x) for x in args)
            blank = f'IF(OR({_group(a)}="",{_group(b)}=""),"",'
            if name == "WORKDAYS":
                body = self.workdays(a, b)
            else:  # DELTA(plan, actual)
                p, x = _group(a), _group(b)
                body = f"IF({x}>={p},{self.workdays(f'{p}+1', x)},-{self.workdays(f'{x}+1', p)})"
            out.append(text[pos:found.start()] + blank + body + ")")
            pos = end

    def expand(self, template: str, cells: dict[str, str], where: str) -> str:
        """``template`` with ``{标题}`` → ``cells[标题]`` and ``{@名称}`` → the info cell, macros
        expanded, newer functions prefixed, and the leading ``=``."""
        def place(m: re.Match) -> str:
            at, name = m.group(1), m.group(2)
            if at:
                if name not in self.info:
                    raise LayoutError(f"{where}: 公式引用了未知的文档信息 {{@{name}}}（可用：{'、'.join(self.info)}）")
                return self.info[name]
            if name in cells:
                return cells[name]
            if _ARRAY_CONSTANT.match(name):
                return m.group(0)  # an array constant {1,2,3}
            raise LayoutError(f"{where}: 公式引用了不存在的列 {{{name}}}（可用：{'、'.join(cells)}）")

        body = template.strip()
        body = body[1:] if body.startswith("=") else body
        body = self.macros(_PLACEHOLDER.sub(place, body))
        body = _XLFN.sub(lambda m: "_xlfn." + m.group(0), body)
        return "=" + body.replace("_xlfn._xlfn.", "_xlfn.")


# --------------------------------------------------------------------------------- rendering

@dataclass
class _Sheet:
    table: Table
    name: str
    columns: list[tuple[Column, str]] = field(default_factory=list)
    """(column, header name) pairs."""


def register_tables(layout: Layout) -> list[Table]:
    """The tables of ``layout`` that are registers (``sheet`` set), in layout order."""
    return [b for b in walk(layout.body) if isinstance(b, Table) and b.sheet]


def _check_sheets(layout: Layout) -> list[_Sheet]:
    sheets, seen = [], set()
    for table in register_tables(layout):
        name = table.sheet
        if len(name) > 31 or _BAD_SHEET.search(name) or name.strip("'") != name or not name.strip():
            raise LayoutError(f"{layout.code}: 工作表名「{name}」不合 Excel 要求（至多 31 个字符，不含 []:*?/\\）")
        if name in RESERVED or name.casefold() in seen:
            raise LayoutError(f"{layout.code}: 工作表名「{name}」重复或为保留名称")
        seen.add(name.casefold())
        sheet = _Sheet(table, name)
        headers = set()
        for column in table.columns:
            header = header_name(column.header)
            if not header or header in headers:
                raise LayoutError(f"{layout.code}: 工作表「{name}」的列标题「{header}」为空或重复")
            headers.add(header)
            sheet.columns.append((column, header))
        if any(c.formula for c in table.columns) and not table.loop:
            raise LayoutError(f"{layout.code}: 工作表「{name}」有公式列，但没有 loop 行")
        sheets.append(sheet)
    return sheets


class _Renderer:
    def __init__(self, layout: Layout, context: dict, env: jinja2.Environment):
        self.layout = layout
        self.context = context
        self.env = env
        # each cell template and expression compiled once per workbook, not once per row: a
        # register of 2,000 rows would otherwise compile each of them 2,000 times
        self._templates: dict[str, jinja2.Template] = {}
        self._expressions: dict[str, object] = {}

    def where(self, what: str) -> str:
        return f"{self.layout.code} 工作簿：{what}"

    def text(self, source: str, scope: dict) -> str:
        """A cell template rendered as plain text (no HTML escaping: a workbook is not markup)."""
        try:
            template = self._templates.get(source)
            if template is None:
                template = self._templates[source] = self.env.from_string(
                    "{% autoescape false %}" + source + "{% endautoescape %}")
            return template.render(scope)
        except jinja2.UndefinedError as exc:
            raise XlsxError(self.where(f"模板使用了未定义的变量：{exc.message}（{source}）")) from None
        except jinja2.TemplateError as exc:
            raise XlsxError(self.where(f"模板渲染失败：{exc}（{source}）")) from None

    def value(self, expression: str, scope: dict):
        try:
            compiled = self._expressions.get(expression)
            if compiled is None:
                compiled = self._expressions[expression] = self.env.compile_expression(expression,
                                                                                       undefined_to_none=False)
            result = compiled(**scope)
            if isinstance(result, jinja2.Undefined):
                result._fail_with_undefined_error()  # StrictUndefined: raises, naming what is missing
        except jinja2.UndefinedError as exc:
            raise XlsxError(self.where(f"表达式使用了未定义的变量：{exc.message}（{expression}）")) from None
        except jinja2.TemplateError as exc:
            raise XlsxError(self.where(f"表达式求值失败：{exc}（{expression}）")) from None
        return result

    def items(self, table: Table) -> tuple[list[str], list]:
        """The loop's variable names and its items."""
        if not table.loop:
            return [], []
        target, sep, source = table.loop.partition(" in ")
        names = [n.strip() for n in target.split(",")]
        if not sep or not all(n.isidentifier() for n in names):
            raise LayoutError(self.where(f"无法解析的 loop：{table.loop!r}"))
        items = self.value(source.strip(), self.context)
        if items is None:
            return names, []
        return names, list(items)

    def scope(self, names: list[str], item) -> dict:
        if len(names) == 1:
            return {**self.context, names[0]: item}
        values = list(item)
        if len(values) != len(names):
            raise XlsxError(self.where(f"loop 变量 {', '.join(names)} 与元素 {item!r} 数目不符"))
        return {**self.context, **dict(zip(names, values))}


# --------------------------------------------------------------------------------- cell writing

THIN = Side(style="thin", color="B0B7C3")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_FONT = Font(bold=True)
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _plain(value):
    """A context value as openpyxl stores it, or ``None`` (blank)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    return str(value)


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """Write ``value`` as data: a string is a string cell even when it reads like a formula."""
    cell = ws.cell(row=row, column=col)
    value = _plain(value)
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise XlsxError(f"工作表「{ws.title}」单元格 {cell.coordinate} 的内容有 {len(value)} 个字符，"
                        f"超过 Excel 的上限 {MAX_CELL_CHARS}")
    if isinstance(value, Decimal):
        # openpyxl writes Decimal through str(); normalise so 87.50 and 87.5 give the same bytes
        value = int(value) if value == value.to_integral_value() else float(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula (=cmd|…) nor anything Excel would evaluate
    if isinstance(value, dt.datetime) and number_format is None:
        number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date) and number_format is None:
        number_format = DATE_FORMAT
    if number_format:
        cell.number_format = number_format
    return cell


def _formula(ws, row: int, col: int, formula: str, number_format: str | None):
    cell = ws.cell(row=row, column=col)
    cell.value = formula
    cell.data_type = "f"
    if number_format:
        cell.number_format = number_format
    return cell


def _safe_name(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", code) or "X"


def _header_footer_text(text: str) -> str:
    """Header/footer text with Excel's ``&`` codes escaped, at most 250 characters."""
    text = text.replace("&", "&&")
    return text if len(text) <= 250 else text[:249] + "…"


def _text_units(text: str) -> float:
    """Width of ``text`` as rendered, in Excel character units: a CJK character about 1.8 (the
    column widths count it as 2, which leaves a margin)."""
    return sum(1.8 if unicodedata.east_asian_width(c) in ("W", "F") else 1.0 for c in text)


def _fit_rows(ws, widths: list[float], first: int, last: int) -> None:
    """Heights of the rows whose wrapped text takes more than one line: Excel fits a row to its
    text only when the row is edited, and LibreOffice does not when it prints a file as opened."""
    for row in range(first, last + 1):
        lines = 1
        for col, width in enumerate(widths, start=1):
            value = ws.cell(row=row, column=col).value
            if isinstance(value, str) and not (ws.cell(row=row, column=col).data_type == "f"):
                room = max(1.0, width - 0.5)
                lines = max(lines, sum(max(1, math.ceil(_text_units(part) / room)) for part in value.split("\n")))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_POINTS * lines + 3


def _column_widths(columns: list[tuple[Column, str]]) -> list[float]:
    given = sum(c.width for c, _ in columns if c.width is not None)
    free = [c for c, _ in columns if c.width is None]
    share = max(0.0, 1.0 - given) / len(free) if free else 0.0
    widths = []
    for column, header in columns:
        chars = (column.width if column.width is not None else share) * TEXT_WIDTH_CHARS
        longest = max(display_width(line) for line in column.header.split("\n"))
        widths.append(round(min(MAX_COLUMN_CHARS, max(chars, longest + 2, 6)), 1))
    return widths


def render_xlsx(layout: Layout, context: dict, env: jinja2.Environment, target: Path,
                properties: dict[str, str], stamp: dt.datetime) -> None:
    """Write the registers of ``layout`` (its tables with a ``sheet``) to ``target``.

    ``context`` is the document's template context: ``doc``, ``project``, ``client``, the loop
    lists, what ``layout.inputs`` refer to, ``status_date`` (a date, or absent) and ``calendar_days``
    (``{"holidays": [...], "workdays": [...]}``, see ``calendar_days``; required when a formula uses
    WORKDAYS/DELTA).
    ``env`` is the sandboxed environment of ``templating.make_env()``. ``properties`` like
    ``render_docx``'s (title, subject, author, keywords, identifier, company); ``stamp`` is the
    created/modified time written into the package."""
    sheets = _check_sheets(layout)
    if not sheets:
        raise LayoutError(f"{layout.code}: 版式中没有登记表（Table.sheet）")
    r = _Renderer(layout, context, env)
    doc = context.get("doc") or {}
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    info_cells = _info_sheet(info, r, doc)
    registers = [wb.create_sheet(s.name) for s in sheets]
    calendar = wb.create_sheet(CALENDAR_SHEET)
    holidays, makeup = _calendar_sheet(calendar, context.get("calendar_days"))
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    formulas = Formulas(holidays, makeup, info_cells)
    choice_ranges: dict[tuple[str, ...], str] = {}
    cached: dict[str, dict[str, object]] = {}
    for n, (sheet, ws) in enumerate(zip(sheets, registers), start=1):
        # openpyxl writes the n-th worksheet as xl/worksheets/sheet<n>.xml
        cached[f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"] = _register(
            ws, sheet, r, formulas, lists, choice_ranges, f"T_{_safe_name(layout.code)}_{n}")
        _print_setup(ws, doc, context)
    _chart_sheets(wb, layout, context, doc)
    if formulas.used_calendar and not isinstance(context.get("calendar_days"), dict):
        raise XlsxError(r.where("公式使用了 WORKDAYS/DELTA，但上下文缺少 calendar_days（节假日与调休上班日）"))
    if lists.max_row == 1 and lists.max_column == 1 and lists["A1"].value is None:
        lists["A1"] = "（无）"
    for ws in (info, calendar):
        _print_setup(ws, doc, context, landscape=False)
    # open on the first register
    wb.active = 1
    info.sheet_view.tabSelected = False
    registers[0].sheet_view.tabSelected = True
    wb.calculation.fullCalcOnLoad = True
    _properties(wb, properties, stamp)
    target = Path(target)
    tmp = target.with_name(target.name + ".unsorted")
    with _scratch_in(target.parent):
        wb.save(str(tmp))
    try:
        _normalise_zip(tmp, target, stamp, cached)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _scratch_in(folder: Path):
    """openpyxl writes each worksheet to a temporary file first (``NamedTemporaryFile``, the system's
    temp folder by default): keep those beside the target, in the build's staging folder, so a
    build writes nothing outside ``output/`` and a crash leaves nothing behind elsewhere."""
    import tempfile

    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before


#: Sheet names of the charts a layout shows (``Named`` blocks with pictures in ``context["charts"]``).
CHART_SHEETS = {"gantt": "甘特图", "s_curve": "S曲线"}
#: openpyxl sizes a picture in pixels at 96 per inch
_PX_PER_MM = 96 / 25.4


def _chart_sheets(wb: Workbook, layout: Layout, context: dict, doc: dict) -> None:
    """One sheet per chart the layout shows, holding its pages as PNG pictures at 200 dpi (the same
    pictures as the Word document), one under the other, printed landscape one page each."""
    import io

    from openpyxl.drawing.image import Image as XlImage

    charts = context.get("charts") or {}
    for block in walk(layout.body):
        if not isinstance(block, Named) or block.name not in CHART_SHEETS or not charts.get(block.name):
            continue
        ws = wb.create_sheet(CHART_SHEETS[block.name], wb.sheetnames.index(CALENDAR_SHEET))  # after the registers
        row = 1
        for chart in charts[block.name]:
            picture = XlImage(io.BytesIO(chart.png(200)))
            picture.width = round(chart.width_mm * _PX_PER_MM)
            picture.height = round(chart.height_mm * _PX_PER_MM)
            ws.add_image(picture, f"A{row}")
            row += math.ceil(chart.height_mm * _PX_PER_MM / 20) + 1  # default rows are 20 px high
        _print_setup(ws, doc, context)


def _shown(value, empty: str = "—"):
    return empty if value is None or value == "" else value


def _info_sheet(ws, r: _Renderer, doc: dict) -> dict[str, str]:
    """The control block, 状态日期 and the layout's inputs; returns ``{名称: absolute cell}`` for
    ``{@名称}`` (its labels are ``INFO_LABELS`` of the layout elements, plus the inputs')."""
    project = r.context.get("project") or {}
    client = r.context.get("client") or {}
    row = 1
    if doc.get("draft"):
        put(ws, row, 1, DRAFT_TEXT).font = Font(bold=True, color="C01B1B")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        row += 1
    for col, text in enumerate(("项目", "内容", "日期"), start=1):
        cell = put(ws, row, col, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, PatternFill("solid", fgColor=HEADER_FILL), BORDER
    row += 1
    cells: dict[str, str] = {}
    entries = [("文档名称", doc.get("title")), ("文档编号", doc.get("number")), ("版本号", doc.get("version")),
               ("密级", doc.get("classification")), ("项目名称", project.get("name")),
               ("项目编号", project.get("code")), ("客户名称", client.get("name")), ("状态", doc.get("status"))]
    for label, value in entries:
        put(ws, row, 1, label).font = HEADER_FONT
        put(ws, row, 2, _shown(value))
        cells[label] = f"{quote_sheetname(ws.title)}!$B${row}"
        row += 1
    for key, label in (("prepared", "编制"), ("reviewed", "审核"), ("approved", "批准")):
        signoff = doc.get(key) or {}
        put(ws, row, 1, label).font = HEADER_FONT
        put(ws, row, 2, _shown(signoff.get("name")))
        put(ws, row, 3, _shown(signoff.get("date")))
        cells[label] = f"{quote_sheetname(ws.title)}!$B${row}"
        cells[label + "日期"] = f"{quote_sheetname(ws.title)}!$C${row}"
        row += 1
    put(ws, row, 1, STATUS_LABEL).font = HEADER_FONT
    status = r.context.get("status_date")
    if status is not None:
        put(ws, row, 2, status)
    cells[STATUS_LABEL] = f"{quote_sheetname(ws.title)}!$B${row}"
    ws.parent.defined_names[STATUS_LABEL] = DefinedName(STATUS_LABEL, attr_text=cells[STATUS_LABEL])
    for item in r.layout.inputs:
        row += 1
        _input_row(ws, row, item, r, cells)
    for line in ws.iter_rows(min_row=1 if not doc.get("draft") else 2, max_row=row, max_col=3):
        for cell in line:
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    widths = [max([12] + [display_width(i.label) + 2 for i in r.layout.inputs]), 48,
              min(48, max([14] + [display_width(i.note) + 2 for i in r.layout.inputs if i.note]))]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _fit_rows(ws, widths, row - len(r.layout.inputs) + 1, row)
    return cells


def _input_row(ws, row: int, item: Input, r: _Renderer, cells: dict[str, str]) -> None:
    """One ``Layout.inputs`` cell: label, value (blank when ``None``), note; named like its label."""
    if item.label in cells:  # the layout checks this; the two lists of labels must agree
        raise LayoutError(r.where(f"输入项「{item.label}」与文档信息的项目同名"))
    put(ws, row, 1, item.label).font = HEADER_FONT
    cell = put(ws, row, 2, r.value(item.value, r.context))
    fmt = excel_number_format(item.fmt, where=f"输入项「{item.label}」")
    if fmt:
        cell.number_format = fmt  # also on a blank cell: ready for the value the user types
    if item.note:
        put(ws, row, 3, item.note)
    cells[item.label] = f"{quote_sheetname(ws.title)}!$B${row}"
    ws.parent.defined_names[item.label] = DefinedName(item.label, attr_text=cells[item.label])


def _calendar_sheet(ws, days) -> tuple[str, str]:
    """Column A 放假日期, column B 调休上班日; the macros' ranges run to row ``CALENDAR_ROWS`` at
    least, so a day a PM adds under the list counts (blank cells count for nothing)."""
    days = days if isinstance(days, dict) else {}
    for col, (key, title) in enumerate((("holidays", "放假日期"), ("workdays", "调休上班日")), start=1):
        cell = put(ws, 1, col, title)
        cell.font, cell.fill, cell.border = HEADER_FONT, PatternFill("solid", fgColor=HEADER_FILL), BORDER
        for row, day in enumerate(sorted(set(days.get(key) or ())), start=2):
            if not isinstance(day, dt.date):
                raise XlsxError(f"calendar_days.{key} 中有非日期的值：{day!r}")
            put(ws, row, col, day)
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.freeze_panes = "A2"
    last_a = max(CALENDAR_ROWS, len(days.get("holidays") or ()) + 1)
    last_b = max(CALENDAR_ROWS, len(days.get("workdays") or ()) + 1)
    sheet = quote_sheetname(ws.title)
    return f"{sheet}!$A$2:$A${last_a}", f"{sheet}!$B$2:$B${last_b}"


def _register(ws, sheet: _Sheet, r: _Renderer, formulas: Formulas, lists, choice_ranges: dict,
              table_name: str) -> dict[str, object]:
    """One register sheet; returns the cached results of its formula cells (``{coordinate: the
    column's Python value}``), for viewers that show a workbook without computing it."""
    table, columns = sheet.table, sheet.columns
    cached: dict[str, object] = {}
    ncol = len(columns)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, (column, header) in enumerate(columns, start=1):
        cell = put(ws, 1, col, header)
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, fill, HEADER_ALIGN, BORDER
    widths = _column_widths(columns)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    letters = {header: get_column_letter(col) for col, (_, header) in enumerate(columns, start=1)}
    number_formats = [excel_format(c) for c, _ in columns]
    row = 2
    for fixed in table.rows:
        for col, source in enumerate(fixed, start=1):
            put(ws, row, col, r.text(source, r.context))
        row += 1
    names, items = r.items(table)
    for item in items:
        scope = r.scope(names, item)
        cells = {h: f"{letter}{row}" for h, letter in letters.items()}
        for col, ((column, header), number_format) in enumerate(zip(columns, number_formats), start=1):
            if column.formula:
                where = f"工作表「{sheet.name}」列「{header}」"
                cell = _formula(ws, row, col, formulas.expand(column.formula, cells, r.where(where)), number_format)
                if column.value is not None:
                    cached[cell.coordinate] = _plain(r.value(column.value, scope))
            elif column.value is not None:
                cell = put(ws, row, col, r.value(column.value, scope), number_format)
            else:
                text = "\n".join(r.text(x, scope) for x in (column.cell, *column.lines))
                cell = put(ws, row, col, text)
            if column.status:
                colour = STATUS_COLOURS.get(str(r.value(column.status, scope)))
                if colour:
                    cell.font = Font(color=colour, bold=True)
        row += 1
    last = row - 1
    for line in ws.iter_rows(min_row=2, max_row=last, max_col=ncol):
        for cell, (column, _) in zip(line, columns):
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal=column.align if column.align != "left" else None)
    _fit_rows(ws, widths, 1, last)
    ref = f"A1:{get_column_letter(ncol)}{max(last, 1)}"
    if last >= 2:
        xl = XlTable(displayName=table_name, ref=ref)
        xl.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(xl)
    else:
        ws.auto_filter.ref = ref  # header only: a filter, no table (Excel refuses a table without rows)
    ws.freeze_panes = "A2"
    if any(c.sheet_total for c, _ in columns) and last >= 2:
        ranges = {h: f"{letter}2:{letter}{last}" for h, letter in letters.items()}
        total_row = last + 1
        for col, ((column, header), number_format) in enumerate(zip(columns, number_formats), start=1):
            if column.sheet_total:
                where = r.where(f"工作表「{sheet.name}」列「{header}」的合计")
                cell = _formula(ws, total_row, col, formulas.expand(column.sheet_total, ranges, where), number_format)
            elif col == 1:
                cell = put(ws, total_row, col, TOTAL_LABEL)
            else:
                cell = ws.cell(row=total_row, column=col)
            cell.font, cell.fill, cell.border = HEADER_FONT, fill, BORDER
    rows_to = last if last >= 2 else 1 + EMPTY_ROOM
    for col, (column, header) in enumerate(columns, start=1):
        if not column.choices:
            continue
        values = r.value(column.choices, r.context)
        values = tuple(str(v) for v in (values or ()) if v is not None and str(v) != "")
        if not values:
            continue
        source = choice_ranges.get(values)
        if source is None:
            lcol = len(choice_ranges) + 1
            put(lists, 1, lcol, header)
            for i, v in enumerate(values, start=2):
                put(lists, i, lcol, v)
            letter = get_column_letter(lcol)
            source = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
            choice_ranges[values] = source
        dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                            showErrorMessage=True, errorTitle="输入无效",
                            error=f"「{header}」请从下拉列表中选择", promptTitle=header)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{rows_to}")
        ws.add_data_validation(dv)
    _bounds_and_fills(ws, sheet, r, formulas, rows_to)
    return cached


def _bounds_and_fills(ws, sheet: _Sheet, r: _Renderer, formulas: Formulas, rows_to: int) -> None:
    """``Column.bounds`` (whole-number validation) and ``Column.fills`` (conditional formatting)
    over each column's data range, rows 2 to ``rows_to``. A fill's condition is written for row 2
    with the columns absolute and the row relative (``$K2="高"``), as conditional formatting wants."""
    anchors = {header: f"${get_column_letter(col)}2" for col, (_, header) in enumerate(sheet.columns, start=1)}
    for col, (column, header) in enumerate(sheet.columns, start=1):
        letter = get_column_letter(col)
        data = f"{letter}2:{letter}{rows_to}"
        if column.bounds is not None:
            low, high = column.bounds
            dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                                allow_blank=True, showErrorMessage=True, errorTitle="输入无效",
                                error=f"{header}应为 {low}–{high} 的整数", promptTitle=header)
            dv.add(data)
            ws.add_data_validation(dv)
        for condition, colour in column.fills:
            where = r.where(f"工作表「{sheet.name}」列「{header}」的条件格式")
            rule = FormulaRule(formula=[formulas.expand(condition, anchors, where)[1:]],
                               fill=PatternFill("solid", start_color=colour.upper(), end_color=colour.upper()))
            ws.conditional_formatting.add(data, rule)


def _print_setup(ws, doc: dict, context: dict, landscape: bool = True) -> None:
    setup = ws.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = ws.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if ws.max_row >= 1 and ws.title not in (INFO_SHEET,):
        ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    draft = "【草稿】" if doc.get("draft") else ""
    number = doc.get("number") or "未编号"
    version = doc.get("version") or ""
    classification = doc.get("classification") or ""
    for hf in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        hf.left.text = _header_footer_text(f"{draft}文档编号：{number}　版本：{version}")
        hf.left.size = 9
        hf.right.text = _header_footer_text(f"密级：{classification}" if classification else "")
        hf.right.size = 9
    company = (context.get("company") or {}).get("name") or ""
    for hf in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        hf.left.text = _header_footer_text(f"{company}　{doc.get('title') or ''}".strip("　"))
        hf.left.size = 9
        hf.right.text = "第 &P 页 共 &N 页"
        hf.right.size = 9


def _properties(wb: Workbook, properties: dict[str, str], stamp: dt.datetime) -> None:
    def prop(name: str) -> str | None:
        value = properties.get(name) or ""
        return (value if len(value) <= 255 else value[:254] + "…") or None

    p = wb.properties
    p.title = prop("title")
    p.subject = prop("subject")
    p.creator = prop("author")
    p.lastModifiedBy = prop("author")
    p.keywords = prop("keywords")
    p.identifier = prop("identifier")
    p.description = "salespm-docs"
    p.language = "zh-CN"
    p.created = p.modified = stamp.replace(tzinfo=None, microsecond=0)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)?</c>', re.S)


def _cached_value(value) -> tuple[bytes, bytes]:
    """(type attribute, ``<v>`` text) of a formula's cached result."""
    if value is None or value == "":
        return b' t="str"', b""
    if isinstance(value, bool):
        return b' t="b"', b"1" if value else b"0"
    if isinstance(value, (dt.date, dt.datetime)):
        value = to_excel(value)
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return b"", (str(value) if isinstance(value, int) or not value.is_integer() else str(int(value))).encode()
    return b' t="str"', xml_escape(str(value)).encode("utf-8")


def _with_results(xml: bytes, results: dict[str, object]) -> bytes:
    """Sheet XML with the formulas' cached results (openpyxl writes none: a viewer that does not
    compute, a preview or a reader of the file, would show blanks). Excel and LibreOffice still
    compute every formula on load (``fullCalcOnLoad``)."""
    def fill(m: re.Match) -> bytes:
        coordinate = m.group(1).decode()
        if coordinate not in results or b" t=" in m.group(2):
            return m.group(0)
        kind, text = _cached_value(results[coordinate])
        return b'<c r="%s"%s%s><f>%s</f><v>%s</v></c>' % (m.group(1), m.group(2), kind, m.group(3), text)

    return _FORMULA_CELL.sub(fill, xml)


def _normalise_zip(source: Path, target: Path, stamp: dt.datetime,
                   cached: dict[str, dict[str, object]] | None = None) -> None:
    """Rewrite the package with fixed entry timestamps, and ``modified`` = ``stamp`` (openpyxl
    writes the time of saving): reproducible bytes. ``cached``: per sheet part, the cached
    results of its formula cells."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    iso = stamp.replace(tzinfo=None, microsecond=0).isoformat().encode() + b"Z"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _MODIFIED.sub(lambda m: m.group(1) + iso + m.group(2), data)
            elif cached and cached.get(item.filename):
                data = _with_results(data, cached[item.filename])
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)


# ------------------------------------------------------------------------------------- reading

def _number_text(value, number_format: str) -> str:
    places_match = re.search(r"0\.(0+)", number_format)
    places = len(places_match.group(1)) if places_match else 0
    if "¥" in number_format:
        text = f"¥{abs(value):,.{places}f}"
        return ("−" + text) if value < 0 else text
    if number_format == "General":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    text = f"{value:.{places}f}"
    return text + "%" if '"%"' in number_format else text


def cell_text(cell) -> str:
    """What a cell shows (a formula: its text; a date: yyyy-mm-dd; a number: in its format)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value, cell.number_format or "General")
    return str(value)


def xlsx_text(path: Path) -> str:
    """Every cell's shown text, sheet by sheet (``## 名称`` lines), a row per line, cells separated
    by tabs: for the completeness checks (no ``None``, no ``{{``) and to find a document's values.
    A formula shows its cached result (the document's figure); blank where it has none (a blank
    result, the 合计 row: what a viewer that does not compute shows)."""
    formulas = load_workbook(str(path))
    values = load_workbook(str(path), data_only=True)
    out = []
    try:
        for ws in formulas.worksheets:
            out.append(f"## {ws.title}")
            shown = values[ws.title]
            for row in ws.iter_rows():
                texts = []
                for cell in row:
                    texts.append(cell_text(shown[cell.coordinate] if cell.data_type == "f" else cell))
                if any(texts):
                    out.append("\t".join(texts).rstrip("\t"))
    finally:
        formulas.close()
        values.close()
    return "\n".join(out) + "\n"
