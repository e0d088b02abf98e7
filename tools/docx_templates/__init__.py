"""Building blocks for the Word templates in ``templates/docx/``.

The committed ``.docx`` files are the real templates: users open and restyle them in Word or WPS.
This package only (re)creates them from code so that they stay consistent: ``make templates``.
Each module ``<code>.py`` here defines ``build(doc: TemplateDoc) -> None`` for one artifact.
"""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT = "宋体"       # 宋体-style serif for the body (小四, 12 pt)
HEADING_FONT = "黑体"    # 黑体-style sans for headings
LATIN_FONT = "Times New Roman"


def set_fonts(rpr_owner, east: str, latin: str = LATIN_FONT) -> None:
    """Name the East-Asian font explicitly (w:eastAsia), otherwise Word uses the theme font."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east), ("w:cs", latin)):
        fonts.set(qn(attr), value)
    fonts.attrib.pop(qn("w:asciiTheme"), None)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    fonts.attrib.pop(qn("w:hAnsiTheme"), None)


class TemplateDoc:
    """A Word document being written as a docxtpl template, with the house style."""

    def __init__(self, landscape: bool = False):
        self.doc = Document()
        self._styles()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_height, section.page_width = section.page_width, section.page_height
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.4)
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
            style.font.color.rgb = RGBColor(0x1F, 0x2D, 0x3D)
            style.font.name = LATIN_FONT
            set_fonts(style.element, HEADING_FONT)
        styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for name in ("Table Grid", "List Bullet", "Header", "Footer"):
            set_fonts(styles[name].element, BODY_FONT)

    def _header_footer(self, section) -> None:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._run(header, "{{ '【草稿】' if doc.draft else '' }}{{ company.name }}　文档编号：{{ doc.number }}　版本：{{ doc.version }}",
                  size=9)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(footer, "第 ", size=9)
        self._field(footer, "PAGE")
        self._run(footer, " 页 共 ", size=9)
        self._field(footer, "NUMPAGES")
        self._run(footer, " 页", size=9)

    def _field(self, paragraph, instr: str) -> None:
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), f" {instr} ")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    def _run(self, paragraph, text: str, *, bold: bool = False, size: float | None = None,
             color: RGBColor | None = None, east: str = BODY_FONT):
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
        set_fonts(run._r, east)
        return run

    # -- content ----------------------------------------------------------------------------
    def tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl ``{%p … %}`` tag (removed on rendering)."""
        self._run(self.doc.add_paragraph(), text)

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph(style="Title")
        self._run(p, text, east=HEADING_FONT)

    def heading(self, text: str, level: int = 1) -> None:
        p = self.doc.add_heading(level=level)
        self._run(p, text, east=HEADING_FONT)

    def para(self, text: str, *, bold: bool = False, center: bool = False, size: float | None = None,
             color: RGBColor | None = None, style: str | None = None) -> None:
        p = self.doc.add_paragraph(style=style)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, text, bold=bold, size=size, color=color)

    def bullets(self, loop: str, text: str) -> None:
        """A bulleted list: ``loop`` like ``x in scope.included``, ``text`` like ``{{ x }}``."""
        self.tag(f"{{%p for {loop} %}}")
        self.para(text, style="List Bullet")
        self.tag("{%p endfor %}")

    def either(self, condition: str, body, empty: str) -> None:
        """``body()`` when ``condition`` holds, else the sentence ``empty`` (a section is never blank)."""
        self.tag(f"{{%p if {condition} %}}")
        body()
        self.tag("{%p else %}")
        self.para(empty)
        self.tag("{%p endif %}")

    def table(self, headers: list[str], cells: list[str], loop: str | None = None,
              widths: list[float] | None = None) -> None:
        """A plain grid table: header row, then one row per item of ``loop`` (or one fixed row)."""
        rows = 2 + (2 if loop else 0)
        t = self.doc.add_table(rows=rows, cols=len(headers))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, headers):
            self._cell(cell, text, bold=True, shade=True)
        self._repeat_header(t.rows[0])
        if loop:
            self._cell(t.rows[1].cells[0], f"{{%tr for {loop} %}}")
            for cell, text in zip(t.rows[2].cells, cells):
                self._cell(cell, text)
            self._cell(t.rows[3].cells[0], "{%tr endfor %}")
        else:
            for cell, text in zip(t.rows[1].cells, cells):
                self._cell(cell, text)
        if widths:
            for row in t.rows:
                for cell, w in zip(row.cells, widths):
                    cell.width = Cm(w)
        self.doc.add_paragraph()

    def kv_table(self, pairs: list[tuple[str, str]], widths: tuple[float, float] = (4.0, 12.2)) -> None:
        """A two-column label / value table (control blocks, summaries)."""
        t = self.doc.add_table(rows=len(pairs), cols=2)
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row, (label, value) in zip(t.rows, pairs):
            self._cell(row.cells[0], label, bold=True, shade=True)
            self._cell(row.cells[1], value)
            row.cells[0].width, row.cells[1].width = Cm(widths[0]), Cm(widths[1])
        self.doc.add_paragraph()

    def _cell(self, cell, text: str, *, bold: bool = False, shade: bool = False) -> None:
        p = cell.paragraphs[0]
        self._run(p, text, bold=bold, size=10.5, east=HEADING_FONT if bold else BODY_FONT)
        if shade:
            props = cell._tc.get_or_add_tcPr()
            fill = OxmlElement("w:shd")
            fill.set(qn("w:val"), "clear")
            fill.set(qn("w:color"), "auto")
            fill.set(qn("w:fill"), "E8EEF4")
            props.append(fill)

    def _repeat_header(self, row) -> None:
        props = row._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        props.append(flag)

    # -- common blocks ----------------------------------------------------------------------
    def draft_banner(self) -> None:
        self.tag("{%p if doc.draft %}")
        self.para("「草稿」本文档尚未批准或未通过完整性检查，不得作为正式文件使用", bold=True, center=True,
                  size=14, color=RGBColor(0xC0, 0x1B, 0x1B))
        self.tag("{%p endif %}")

    def control_block(self) -> None:
        """Cover: title, then 文档名称 · 编号 · 版本 · 密级 · 项目 · 客户 · 状态 · 编制/审核/批准."""
        self.draft_banner()
        self.title("{{ doc.title }}")
        self.para("{{ project.name }}", center=True, size=14)
        self.kv_table([
            ("文档名称", "{{ doc.title }}"),
            ("文档编号", "{{ doc.number }}"),
            ("版本号", "{{ doc.version }}"),
            ("密级", "{{ doc.classification }}"),
            ("项目名称", "{{ project.name }}"),
            ("项目编号", "{{ project.code }}"),
            ("客户名称", "{{ client.name }}"),
            ("状态", "{{ doc.status }}"),
            ("编制", "{{ doc.prepared.name }}　{{ doc.prepared.date|iso }}"),
            ("审核", "{{ doc.reviewed.name }}　{{ doc.reviewed.date|iso }}"),
            ("批准", "{{ doc.approved.name }}　{{ doc.approved.date|iso }}"),
        ])
        self.para("修订记录", bold=True)
        self.table(["版本", "日期", "修订人", "修订内容"],
                   ["{{ r.version }}", "{{ r.date|iso }}", "{{ r.author }}", "{{ r.summary }}"],
                   loop="r in doc.revisions", widths=[2.2, 3.0, 2.6, 8.4])

    def internal_signatures(self, heading: str = "审批签字") -> None:
        """编制 / 审核 / 批准 signature table."""
        self.heading(heading)
        self.table(["环节", "姓名", "职务", "签字", "日期"],
                   ["{{ s.label }}", "{{ s.name }}", "{{ s.role }}", "", "{{ s.date|cn_date }}"],
                   loop="s in signatures", widths=[2.4, 2.8, 3.6, 3.6, 3.8])

    def party_signatures(self, heading: str = "双方签字盖章") -> None:
        """甲方 / 乙方 columns: 单位名称（盖章）· 代表签字 · 日期."""
        self.heading(heading)
        t = self.doc.add_table(rows=4, cols=3)
        t.style = self.doc.styles["Table Grid"]
        labels = ["", "甲方", "乙方"]
        for cell, text in zip(t.rows[0].cells, labels):
            self._cell(cell, text, bold=True, shade=True)
        rows = [("单位名称（盖章）", "{{ parties.client.organisation }}", "{{ parties.vendor.organisation }}"),
                ("代表签字", "{{ parties.client.representative }}", "{{ parties.vendor.representative }}"),
                ("日期", "{{ parties.client.date|cn_date }}", "{{ parties.vendor.date|cn_date }}")]
        for row, values in zip(t.rows[1:], rows):
            self._cell(row.cells[0], values[0], bold=True, shade=True)
            self._cell(row.cells[1], values[1])
            self._cell(row.cells[2], values[2])
        self.doc.add_paragraph()

    def fix_grids(self) -> None:
        """Copy each table's cell widths into its grid and fix the layout: LibreOffice and WPS lay
        tables out from ``w:tblGrid``, not from the cell widths, and would make all columns equal."""
        for table in self.doc.tables:
            cells = table.rows[0]._tr.findall(qn("w:tc"))
            widths = [tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}") for tc in cells]
            if any(w is None for w in widths):
                continue
            for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
                col.set(qn("w:w"), width.get(qn("w:w")))
            if table._tbl.tblPr.find(qn("w:tblLayout")) is not None:
                continue
            layout = OxmlElement("w:tblLayout")
            layout.set(qn("w:type"), "fixed")
            props = table._tbl.tblPr
            later = [props.find(qn(f"w:{n}")) for n in ("tblCellMar", "tblLook", "tblCaption", "tblDescription")]
            later = [e for e in later if e is not None]
            if later:
                later[0].addprevious(layout)  # schema order: tblLayout comes before these
            else:
                props.append(layout)

    def save(self, path) -> None:
        self.fix_grids()
        self.doc.save(str(path))
