"""Layout elements: the one description of a document that every format is generated from.

A layout is a tuple of blocks. Text fields are Jinja snippets (``"{{ doc.title }}"``,
``"{{ b.amount|yuan }}"``), valid in the Word template (docxtpl) and in the HTML template alike:
they only *word* and *format* values of the template context, they never compute them.

The writers (``layout/html.py``, ``layout/word.py``, and ``render/xlsx.py`` for the registers: the
tables with a ``sheet``) turn the same blocks into each format; whatever a block cannot express is a ``Named`` block with a
writer of its own per format, never a hand-kept copy of a template.
"""

from __future__ import annotations

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
    ``{计划工期}``); ``{@状态日期}`` is the status date on the 文档信息 sheet. Macros, expanded by
    the workbook writer: ``WORKDAYS(a, b)`` working days from a to b inclusive on the Chinese
    calendar (0 when b < a), ``DELTA(plan, actual)`` signed working days (positive when late); both
    give a blank when an argument is blank, so the layout need not guard them."""
    sheet_total: str | None = None
    """The formula of this column in the register's 合计 row, where ``{标题}`` is the whole data
    range of that column: ``=SUBTOTAL(109,{工作量})``, ``=SUMPRODUCT({工作量},{完成})/SUM({工作量})``."""
    choices: str | None = None
    """A Jinja expression giving the register's drop-down list for this column (``lists.status``)."""


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


def walk(blocks: tuple[Block, ...]):
    """Every block, depth first (the branches of ``If`` included)."""
    for block in blocks:
        yield block
        if isinstance(block, If):
            yield from walk(block.then)
            yield from walk(block.otherwise)
