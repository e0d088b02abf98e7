"""Word writer: a ``Layout`` → the docxtpl template ``templates/docx/<CODE>.docx`` (python-docx).

The house style lives in the template's styles (宋体-style body, 黑体-style headings, named
East-Asian fonts), so a company can restyle the committed template in Word or WPS. Tables are
laid out from their grid (LibreOffice and WPS read ``w:tblGrid``), their widths add up to the text
width exactly, rows never split across pages, header rows repeat, and short tables (key-value,
signatures) keep together.
"""

from __future__ import annotations

import unicodedata

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips

from .common import COVER, expand
from .elements import (Block, Bullets, Column, Heading, If, KeyValue, Layout, LayoutError, Named, Para,
                       Picture, Table)

BODY_FONT = "宋体"       # 宋体-style serif for the body (小四, 12 pt)
HEADING_FONT = "黑体"    # 黑体-style sans for headings
LATIN_FONT = "Times New Roman"
CELL_SIZE = 10.5          # 五号, table text
SMALL_SIZE = 9.0          # 小五, tables with many narrow columns
CELL_MARGIN = 108         # twips each side: Word's default cell margin
SIGN_ROW = 680            # twips ≈ 12 mm: room to sign by hand
STATUS_COLOURS = {"绿": RGBColor(0x1A, 0x7F, 0x37), "黄": RGBColor(0x9A, 0x67, 0x00), "红": RGBColor(0xC0, 0x1B, 0x1B)}
HEADER_FILL = "E8EEF4"
INK = RGBColor(0x1F, 0x2D, 0x3D)


def set_fonts(rpr_owner, east: str, latin: str = LATIN_FONT) -> None:
    """Name the East-Asian font explicitly (w:eastAsia), otherwise Word uses the theme font."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east), ("w:cs", latin)):
        fonts.set(qn(attr), value)
    for attr in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def text_points(text: str, size: float) -> float:
    """Width of ``text`` on one line at ``size`` pt: a CJK character is one em, others about 0.6 em,
    with 10% to spare (Word, WPS and LibreOffice measure a little differently)."""
    return 1.1 * sum(size if unicodedata.east_asian_width(c) in ("W", "F") else size * 0.6 for c in text)


def _literal(value: str) -> str:
    """The visible text of a template snippet (Jinja tags removed), to measure it."""
    import re
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", value)


class WordWriter:
    """Writes one layout into a python-docx ``Document``."""

    def __init__(self, layout: Layout, named: dict | None = None):
        self.layout = layout
        self.named = named or {}
        self.doc = Document()
        self._styles()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        if layout.landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_height, section.page_width = section.page_width, section.page_height
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.4)
        self.text_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
        self._header_footer(section)

    # -- style ------------------------------------------------------------------------------
    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.size = Pt(12)
        normal.font.name = LATIN_FONT
        set_fonts(normal.element, BODY_FONT)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.3
        for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
            style = styles[name]
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = INK
            style.font.name = LATIN_FONT
            set_fonts(style.element, HEADING_FONT)
            style.paragraph_format.keep_with_next = True
        styles["Heading 1"].paragraph_format.space_before = Pt(14)
        styles["Heading 1"].paragraph_format.space_after = Pt(6)
        styles["Heading 2"].paragraph_format.space_before = Pt(8)
        styles["Heading 2"].paragraph_format.space_after = Pt(4)
        title = styles["Title"].paragraph_format
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.space_before, title.space_after = Pt(12), Pt(6)
        for name in ("Table Grid", "List Bullet", "Header", "Footer"):
            set_fonts(styles[name].element, BODY_FONT)

    def _header_footer(self, section) -> None:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._run(header, "{{ '【草稿】' if doc.draft else '' }}"
                          "{{ '【' ~ doc.audience_mark ~ '】' if doc.audience_mark else '' }}"
                          "{{ company.name }}　文档编号：{{ doc.number }}"
                          "　版本：{{ doc.version }}", size=9)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(footer, "第 ", size=9)
        self._field(footer, "PAGE")
        self._run(footer, " 页 共 ", size=9)
        self._field(footer, "NUMPAGES")
        self._run(footer, " 页", size=9)

    def _field(self, paragraph, instr: str) -> None:
        """A PAGE / NUMPAGES field. Word, WPS and LibreOffice compute it when they lay out the pages;
        its cached result is left empty, so a viewer that does not compute fields shows a blank,
        never a false 「第 1 页 共 1 页」. (``w:updateFields`` / ``w:dirty`` would make Word ask on
        every opening whether to update the fields.)"""
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), f" {instr} ")
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "18")
        props.append(size)
        run.append(props)
        run.append(OxmlElement("w:t"))
        field.append(run)
        paragraph._p.append(field)

    def _run(self, paragraph, text: str, *, bold: bool = False, size: float | None = None,
             color: RGBColor | None = None, east: str = BODY_FONT):
        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
        set_fonts(run._r, east)
        return run

    def _tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl ``{%p … %}`` tag (removed on rendering)."""
        self._run(self.doc.add_paragraph(), text)

    def _status_runs(self, paragraph, text: str, status: str, *, bold: bool = False, size: float | None = None,
                     east: str = BODY_FONT) -> None:
        """``text`` in the colour of the 绿/黄/红 value ``status`` (docxtpl run tags pick one run)."""
        first = True
        for value, colour in STATUS_COLOURS.items():
            self._run(paragraph, f"{{%r {'if' if first else 'elif'} ({status}) == '{value}' %}}")
            self._run(paragraph, text, bold=bold, size=size, color=colour, east=east)
            first = False
        self._run(paragraph, "{%r else %}")
        self._run(paragraph, text, bold=bold, size=size, east=east)
        self._run(paragraph, "{%r endif %}")

    # -- blocks -----------------------------------------------------------------------------
    def blocks(self, items) -> None:
        for b in items:
            self.block(b)

    def block(self, b: Block) -> None:
        if isinstance(b, Heading):
            p = self.doc.add_heading(level=b.level)
            self._run(p, b.text, east=HEADING_FONT)
        elif isinstance(b, Para):
            self._para(b)
        elif isinstance(b, KeyValue):
            self._kv(b)
        elif isinstance(b, Table):
            if b.document:
                self._table(b)
        elif isinstance(b, Bullets):
            self._tag(f"{{%p for {b.loop} %}}")
            self._run(self.doc.add_paragraph(style="List Bullet"), b.item)
            self._tag("{%p endfor %}")
        elif isinstance(b, If):
            self._tag(f"{{%p if {b.condition} %}}")
            self.blocks(b.then)
            if b.otherwise:
                self._tag("{%p else %}")
                self.blocks(b.otherwise)
            self._tag("{%p endif %}")
        elif isinstance(b, Picture):
            self._tag(f"{{%p if images.{b.name} %}}")
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, f"{{{{ images.{b.name} }}}}")
            self._tag("{%p endif %}")
        elif isinstance(b, Named):
            if b.name not in self.named:
                raise LayoutError(f"版式 {self.layout.code}：命名块「{b.name}」没有 Word 写法（salespm_docs/layout/named.py）")
            self.named[b.name](self, *b.args)
        else:
            expanded = expand(b)
            if expanded == (b,):
                raise LayoutError(f"版式 {self.layout.code}：无法识别的版式元素 {b!r}")
            self.blocks(expanded)

    def _para(self, b: Para) -> None:
        if b.role == "title":
            p = self.doc.add_paragraph(style="Title")
            self._run(p, b.text, east=HEADING_FONT)
            return
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        size, color, east = None, None, BODY_FONT
        if b.center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if b.label:
            fmt.keep_with_next = True
        if b.role == "subtitle":
            size, east = 14, HEADING_FONT
            fmt.space_after = Pt(12)
        elif b.role == "banner":
            size, color, east = 14, STATUS_COLOURS["红"], HEADING_FONT
        elif b.role == "seal":
            fmt.tab_stops.add_tab_stop(Twips(self.text_width // 2), WD_TAB_ALIGNMENT.LEFT)
            fmt.space_before, fmt.space_after = Pt(12), Pt(72)
            fmt.keep_together = True
        if b.status:
            self._status_runs(p, b.text, b.status, bold=b.bold, size=13, east=HEADING_FONT)
            return
        self._run(p, b.text, bold=b.bold, size=size, color=color, east=HEADING_FONT if b.bold else east)

    # -- tables -----------------------------------------------------------------------------
    def _widths(self, shares: list[float | None]) -> list[int]:
        """Column widths in twips, adding up to the text width exactly."""
        fixed = sum(s for s in shares if s is not None)
        free = [i for i, s in enumerate(shares) if s is None]
        if fixed > 1.0001 or (not free and abs(fixed - 1) > 0.0001):
            raise LayoutError(f"版式 {self.layout.code}：表格各列宽度（width）之和为 {fixed:.3f}，应为 1（不足时留一列不写宽度）：{shares}")
        rest = (1 - fixed) / len(free) if free else 0
        widths = [int(self.text_width * (s if s is not None else rest)) for s in shares]
        widths[-1] += self.text_width - sum(widths)
        return widths

    def _new_table(self, rows: int, widths: list[int]):
        t = self.doc.add_table(rows=rows, cols=len(widths))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl = t._tbl
        props = tbl.tblPr
        tblw = props.find(qn("w:tblW"))
        if tblw is None:
            tblw = OxmlElement("w:tblW")
            props.append(tblw)
        tblw.set(qn("w:type"), "dxa")
        tblw.set(qn("w:w"), str(sum(widths)))
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        later = [props.find(qn(f"w:{n}")) for n in ("tblCellMar", "tblLook", "tblCaption", "tblDescription")]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(layout)  # schema order: tblLayout comes before these
        else:
            props.append(layout)
        margins = OxmlElement("w:tblCellMar")  # a little air above and below the text, as in the PDF
        for side, value in (("top", 28), ("left", CELL_MARGIN), ("bottom", 28), ("right", CELL_MARGIN)):
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), str(value))
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        look = props.find(qn("w:tblLook"))
        if look is not None:
            look.addprevious(margins)
        else:
            props.append(margins)
        for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
            col.set(qn("w:w"), str(w))
        for row in t.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Twips(w)
            self._row_props(row, cant_split=True)
        return t

    @staticmethod
    def _row_props(row, *, cant_split: bool = False, header: bool = False, height: int | None = None) -> None:
        props = row._tr.get_or_add_trPr()
        # schema order inside w:trPr does not matter for these (a choice group), but keep it tidy
        if cant_split and props.find(qn("w:cantSplit")) is None:
            props.append(OxmlElement("w:cantSplit"))
        if height:
            h = OxmlElement("w:trHeight")
            h.set(qn("w:val"), str(height))
            h.set(qn("w:hRule"), "atLeast")
            props.append(h)
        if header:
            flag = OxmlElement("w:tblHeader")
            props.append(flag)

    def _cell(self, cell, text: str, *, bold: bool = False, shade: bool = False, align: str = "left",
              size: float = CELL_SIZE, status: str | None = None, keep: bool = False,
              lines: tuple[str, ...] = ()) -> None:
        p = cell.paragraphs[0]
        east = HEADING_FONT if bold else BODY_FONT
        for i, line in enumerate((text, *lines)):
            if i:
                p = cell.add_paragraph()
            fmt = p.paragraph_format
            fmt.space_after = Pt(0)
            fmt.line_spacing = 1.15
            if keep:
                fmt.keep_with_next = True
            if align == "right":
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif align == "center":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if status and line:
                self._status_runs(p, line, status, bold=bold, size=size, east=east)
            elif line:
                self._run(p, line, bold=bold, size=size, east=east)
        if shade:
            props = cell._tc.get_or_add_tcPr()
            fill = OxmlElement("w:shd")
            fill.set(qn("w:val"), "clear")
            fill.set(qn("w:color"), "auto")
            fill.set(qn("w:fill"), HEADER_FILL)
            props.append(fill)

    def _check_headers(self, columns: tuple[Column, ...], widths: list[int], size: float) -> None:
        for c, w in zip(columns, widths):
            longest = max(c.header.split("\n"), key=lambda line: text_points(_literal(line), size))
            need = text_points(_literal(longest), size) * 20 + 2 * CELL_MARGIN
            if need > w:
                raise LayoutError(f"版式 {self.layout.code}：列标题「{c.header}」单行需要 {need:.0f} twips，"
                                  f"该列只有 {w} twips：请加宽该列，或在标题中用 \\n 分行")

    def _table(self, t: Table) -> None:
        widths = self._widths([c.width for c in t.columns])
        size = SMALL_SIZE if t.small else CELL_SIZE
        self._check_headers(t.columns, widths, size)
        n_rows = 1 + len(t.rows) + (3 if t.loop else 0) + (1 if t.total else 0)
        table = self._new_table(n_rows, widths)
        rows = iter(table.rows)
        head = next(rows)
        for cell, c in zip(head.cells, t.columns):
            first, *more = c.header.split("\n")
            self._cell(cell, first, bold=True, shade=True, align=c.align, size=size, keep=True, lines=tuple(more))
        self._row_props(head, header=True)
        for fixed in t.rows:
            row = next(rows)
            if t.sign:
                self._row_props(row, height=SIGN_ROW)
            for i, (cell, c, value) in enumerate(zip(row.cells, t.columns, fixed)):
                label = t.row_headers and i == 0
                self._cell(cell, value, bold=label, shade=label, align="left" if label else c.align, size=size,
                           keep=t.keep)
        if t.loop:
            self._cell(next(rows).cells[0], f"{{%tr for {t.loop} %}}")
            row = next(rows)
            if t.sign:
                self._row_props(row, height=SIGN_ROW)
            for cell, c in zip(row.cells, t.columns):
                self._cell(cell, c.cell, align=c.align, size=size, status=c.status, keep=t.keep, lines=c.lines)
            self._cell(next(rows).cells[0], "{%tr endfor %}")
        if t.total:
            row = next(rows)
            for cell, c, value in zip(row.cells, t.columns, t.total):
                self._cell(cell, value, bold=True, align=c.align, size=size, keep=t.keep)
        self._spacer()

    def _kv(self, kv: KeyValue) -> None:
        widths = self._widths([kv.label_width, None])
        table = self._new_table(len(kv.rows), widths)
        last = len(kv.rows) - 1
        for i, (row, (label, value)) in enumerate(zip(table.rows, kv.rows)):
            self._cell(row.cells[0], label, bold=True, shade=True, keep=i < last)
            self._cell(row.cells[1], value, keep=i < last)
        self._spacer()

    def _spacer(self) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.space_after = Pt(2)

    # -- whole document ---------------------------------------------------------------------
    def write(self):
        if self.layout.cover:
            self.blocks(COVER)
        self.blocks(self.layout.body)
        return self.doc


def render(layout: Layout, named: dict | None = None):
    """The python-docx ``Document`` of ``layout`` (a docxtpl template), before packaging."""
    return WordWriter(layout, named).write()
