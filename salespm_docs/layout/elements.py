"""Layout elements: the one description of a document that every format is generated from.

A layout is a tuple of blocks. Text fields are Jinja snippets (``"{{ doc.title }}"``,
``"{{ b.amount|yuan }}"``), valid in the Word template (docxtpl) and in the HTML template alike:
they only *word* and *format* values of the template context, they never compute them.

The writers (``layout/html.py``, ``layout/word.py``, and ``render/xlsx.py`` for the registers: the
tables with a ``sheet``) turn the same blocks into each format; whatever a block cannot express is a ``Named`` block with a
writer of its own per format, never a hand-kept copy of a template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Union

from ..errors import SalespmError

Align = Literal["left", "right", "center"]


class LayoutError(SalespmError):
    """A layout that cannot be laid out: raised by ``salespm templates``, never at build time."""


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1: 「一、项目背景与目的」) or a sub-heading (level 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A paragraph. ``label`` marks a short bold line that introduces the block below it (kept
    with it on the page); ``status`` colours the paragraph by the 绿/黄/红 value it names."""

    text: str
    bold: bool = False
    label: bool = False
    center: bool = False
    status: str | None = None
    """A Jinja expression giving 绿 / 黄 / 红, e.g. ``status.value``."""
    role: str | None = None
    """``title`` / ``subtitle`` (the cover), ``seal`` (room for the seals) or ``banner`` (草稿)."""


@dataclass(frozen=True)
class KeyValue:
    """A two-column label / value table, never split across pages (cover, 项目概况 …)."""

    rows: tuple[tuple[str, str], ...]
    label_width: float = 0.26
    """Share of the text width taken by the label column."""


@dataclass(frozen=True)
class Column:
    """One column of a data table."""

    header: str
    cell: str
    width: float | None = None
    """Share of the text width (0–1); ``None`` columns share what the others leave."""
    align: Align = "left"
    status: str | None = None
    """A Jinja expression giving 绿 / 黄 / 红: the cell is coloured by it."""
    lines: tuple[str, ...] = ()
    """Further lines of the cell (e.g. an end date under the start date)."""
    value: str | None = None
    """The cell's raw value as a Jinja expression (``b.amount``), for formats that keep numbers as
    numbers (an XLSX register); ``cell`` is how documents show it."""
    fmt: str | None = None
    """The number format of ``value``: ``yuan``, ``pct``, ``num``, ``int``, ``date`` (see FORMATS)."""
    places: int | None = None
    """Decimals of ``fmt`` where it takes them (``pct``, ``num``), so the register shows the figure
    with the document's decimals; set by ``value_column``."""
    formula: str | None = None
    """An Excel formula the register keeps instead of ``value`` (documents still show ``cell``,
    computed in Python: the same figure), with or without the leading ``=``. ``{标题}`` is the cell
    of the column headed 标题 in the same row (header without its line breaks: ``"计划\\n工期"`` →
    ``{计划工期}``); ``{@状态日期}`` is the status date on the 文档信息 sheet, ``{@名称}`` the input
    cell labelled 名称 there (``Layout.inputs``: ``{@报告日期}``, ``{@高风险下限}``). Macros, expanded by
    the workbook writer: ``WORKDAYS(a, b)`` working days from a to b inclusive on the Chinese
    calendar (0 when b < a), ``DELTA(plan, actual)`` signed working days (positive when late); both
    give a blank when an argument is blank, so the layout need not guard them."""
    sheet_total: str | None = None
    """The formula of this column in the register's 合计 row, where ``{标题}`` is the whole data
    range of that column: ``=SUBTOTAL(109,{工作量})``, ``=SUMPRODUCT({工作量},{完成})/SUM({工作量})``."""
    choices: str | None = None
    """A Jinja expression giving the register's drop-down list for this column (``lists.status``)."""
    bounds: tuple[int, int] | None = None
    """``(low, high)``: the register accepts only whole numbers from low to high in this column
    (data validation, e.g. ``(1, 5)`` for 可能性 / 影响); enumerations use ``choices``."""
    fills: tuple[tuple[str, str], ...] = ()
    """``(condition, colour)`` pairs: the register shades a cell of this column with ``colour``
    (``"F4B6B0"``, RGB hex) while ``condition`` holds, an Excel formula in the language of
    ``formula`` written for the first data row (``'{等级}="高"'``): conditional formatting, so the
    colour follows when the user edits the cells it depends on. The first condition that holds wins."""

    def __post_init__(self):
        if self.bounds is not None:
            if (len(self.bounds) != 2 or not all(isinstance(b, int) and not isinstance(b, bool) for b in self.bounds)
                    or self.bounds[0] > self.bounds[1]):
                raise LayoutError(f"列「{self.header}」的 bounds {self.bounds!r} 应为 (下限, 上限) 两个整数，下限不大于上限")
        for fill in self.fills:
            if len(fill) != 2 or not str(fill[0]).strip() or not _COLOUR.match(str(fill[1])):
                raise LayoutError(f"列「{self.header}」的 fills 项 {fill!r} 应为 (条件公式, 六位十六进制颜色)")


_COLOUR = re.compile(r"^[0-9A-Fa-f]{6}$")


#: Number formats: the filter a document shows a value with, and the Excel number format a
#: register keeps it in (``places`` decimals where the format takes them).
FORMATS = {
    "yuan": ("yuan", '"¥"#,##0.00;[Red]"−¥"#,##0.00'),
    "pct": ("pct({places}, true)", '0.{zeros}"%"'),
    "num": ("num({places})", "0.{zeros}"),
    "int": ("num", "0"),
    "date": ("iso", "yyyy-mm-dd"),
}


def value_column(header: str, value: str, fmt: str, width: float | None = None, *, places: int = 1,
                 align: str | None = None) -> "Column":
    """A column showing ``value`` in number format ``fmt`` (right-aligned unless a date)."""
    shown = FORMATS[fmt][0].format(places=places)
    return Column(header, f"{{{{ {value}|{shown} }}}}", width,
                  align or ("left" if fmt == "date" else "right"), value=value, fmt=fmt,
                  places=places if fmt in ("pct", "num") else None)


def money(header: str, value: str, width: float | None = None) -> "Column":
    """An amount: ``¥1,234.00``, right-aligned."""
    return value_column(header, value, "yuan", width)


def percent(header: str, value: str, width: float | None = None, places: int = 1) -> "Column":
    """A share, with ``places`` decimals always: one decimal policy for the column."""
    return value_column(header, value, "pct", width, places=places)


def decimal(header: str, value: str, width: float | None = None, places: int = 2) -> "Column":
    """A number with ``places`` decimals always."""
    return value_column(header, value, "num", width, places=places)


@dataclass(frozen=True)
class Table:
    """A data table: a repeating header row, one row per item of ``loop`` (or one fixed row), and
    an optional totals row. Rows never split across pages; a long table breaks between rows."""

    columns: tuple[Column, ...]
    loop: str | None = None
    """``r in rows``: one row per item."""
    total: tuple[str, ...] | None = None
    """Cells of a 合计 row under the item rows (same number as columns)."""
    small: bool = False
    """A smaller type size, for tables with many narrow columns."""
    keep: bool = False
    """Never split across pages (short tables)."""
    rows: tuple[tuple[str, ...], ...] = ()
    """Fixed rows (instead of, or before, the ``loop`` rows)."""
    row_headers: bool = False
    """The first cell of each row is a label (bold, shaded)."""
    sign: bool = False
    """A signature table: rows tall enough to sign by hand, kept together."""
    sheet: str | None = None
    """The register's sheet name: every table with a ``sheet`` (``If`` branches included) is one
    worksheet of the document's XLSX, in layout order (``render/xlsx.py``)."""
    document: bool = True
    """``False``: the table is only a register sheet, the DOCX and PDF do not show it. For a register
    wider than a page (all sixteen columns of the 风险登记册 on one sheet) whose documents show the
    same rows in narrower tables."""

    def __post_init__(self):
        if not self.document and not self.sheet:
            raise LayoutError("表格设为只在工作簿中出现（document=False），须有工作表名称（sheet）")


@dataclass(frozen=True)
class Bullets:
    """A bulleted list: ``loop`` like ``x in scope.included``, ``item`` like ``{{ x }}``."""

    loop: str
    item: str = "{{ x }}"


@dataclass(frozen=True)
class If:
    """``then`` when ``condition`` holds, else ``otherwise`` (a sentence, so a section is never blank)."""

    condition: str
    then: tuple["Block", ...]
    otherwise: tuple["Block", ...] = ()


@dataclass(frozen=True)
class Signatures:
    """The internal 编制 / 审核 / 批准 signature table (context variable ``signatures``)."""

    heading: str | None = None


@dataclass(frozen=True)
class PartySignatures:
    """The 甲方 / 乙方 table: 单位名称（盖章）· 代表签字 · 日期 (context variable ``parties``)."""

    heading: str | None = None
    seal_line: bool = True
    """A line 「甲方（盖章）：　乙方（盖章）：」 with room for the seals under the table."""


@dataclass(frozen=True)
class Picture:
    """A picture from the context: ``images.<name>`` in the Word template (an InlineImage made at
    render time), a ``data:`` URI ``source`` in HTML. Nothing is shown when it is empty."""

    name: str
    source: str
    alt: str = ""
    css_class: str = "picture"


@dataclass(frozen=True)
class Named:
    """A block the elements cannot express (a chart with a legend, a special form): each writer
    looks ``name`` up in its own table of named blocks."""

    name: str
    args: tuple[str, ...] = ()


Block = Union[Heading, Para, KeyValue, Table, Bullets, If, Signatures, PartySignatures, Picture, Named]


#: Labels of the 文档信息 sheet of a register (the control block and the status date): each names a
#: cell ``{@名称}`` may refer to, so no ``Input`` may take one (``render/xlsx.py`` writes them)
INFO_LABELS = ("文档名称", "文档编号", "版本号", "密级", "项目名称", "项目编号", "客户名称", "状态",
               "编制", "编制日期", "审核", "审核日期", "批准", "批准日期", "状态日期")
#: An Excel defined name: a letter or ``_`` first, then letters, digits, ``_`` and ``.``; not a
#: cell reference (``A1``, ``XFD1048576``, ``R1C1``, ``R``, ``C``)
_DEFINED_NAME = re.compile(r"^[^\W\d][\w.]{0,254}$")
_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[RrCc]|[Rr]\d*[Cc]\d*|[Rr]\d+|[Cc]\d+)$")


def defined_name_ok(name: str) -> bool:
    """Whether ``name`` can be an Excel workbook defined name (the name of an ``Input``)."""
    return bool(_DEFINED_NAME.match(name)) and not _CELL_LIKE.match(name) and name.upper() not in ("TRUE", "FALSE")


@dataclass(frozen=True)
class Input:
    """A value a register's user may change, on its 文档信息 sheet under 状态日期: ``label`` in
    column A (bold), the value in B in number format ``fmt``, ``note`` in C (how to use it). The
    cell has a workbook defined name equal to ``label`` and formulas (``Column.formula``,
    ``Column.fills``) refer to it as ``{@label}``, like ``{@状态日期}``. Documents ignore inputs."""

    label: str
    """The cell's label and defined name (``报告日期``, ``高风险下限``): a valid Excel name."""
    value: str
    """A Jinja expression of the context (``report.date``); ``None`` leaves the cell blank."""
    fmt: str | None = None
    """The number format (see FORMATS): ``date``, ``int``, ``num``, ``pct``, ``yuan``."""
    note: str | None = None
    """A remark beside the value (「可修改：逾期天数与账龄按此日期重新计算」)."""


@dataclass(frozen=True)
class Layout:
    """One document's layout: the cover (control block) comes first, then ``body``."""

    code: str
    body: tuple[Block, ...]
    landscape: bool = False
    cover: bool = True
    css: str = ""
    """Extra CSS for this document's HTML (narrow tables …); the house style is base.css."""
    meta: dict = field(default_factory=dict)
    inputs: tuple[Input, ...] = ()
    """The register's input cells (``Input``), on its 文档信息 sheet; the documents ignore them."""

    def __post_init__(self):
        seen: set[str] = set()
        for item in self.inputs:
            label = item.label
            if not isinstance(label, str) or not defined_name_ok(label):
                raise LayoutError(f"版式 {self.code}：输入项名称「{label}」不是有效的 Excel 名称"
                                  "（以字母或下划线开头，只含字母、数字、下划线和点，不能像单元格地址）")
            if label in INFO_LABELS or label.casefold() in seen:
                raise LayoutError(f"版式 {self.code}：输入项名称「{label}」重复或与文档信息的项目同名")
            if item.fmt is not None and item.fmt not in FORMATS:
                raise LayoutError(f"版式 {self.code}：输入项「{label}」的数字格式 {item.fmt!r} 未定义（FORMATS）")
            seen.add(label.casefold())


def walk(blocks: tuple[Block, ...]):
    """Every block, depth first (the branches of ``If`` included)."""
    for block in blocks:
        yield block
        if isinstance(block, If):
            yield from walk(block.then)
            yield from walk(block.otherwise)
