"""Extract: a rendered DOCX or PDF → the text a person reads (for checks and tests).

DOCX text comes from the XML in reading order (body, tables, headers, footers); PDF text from
PDFium's extraction of the text layer (``pypdfium2``), i.e. what copy and paste would give. PDFium
reads a tagged PDF with its structure tree about ten times faster than pypdf, which parsed every
object stream to find the outline and the pages. A PDF's text layer does not keep table cells:
``html_tables`` reads them from the HTML the PDF is printed from.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree
import pypdfium2

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Table:
    """One table on its grid, as a reader sees it: a row per table row, a column per grid column.

    A cell merged across columns (DOCX ``gridSpan``, HTML ``colspan``) gives its text to its first
    column and ``None`` to the others, so every row has the same columns as its header.
    ``header_rows`` counts the leading rows marked as the table's header (DOCX ``tblHeader``, HTML
    ``<thead>``): 0 when none is marked.
    """

    rows: list[list[str | None]]
    header_rows: int = 0


@dataclass
class DocxText:
    """Text of a DOCX: everything, prose paragraphs (outside tables), tables, header and footer."""

    text: str
    prose: list[str]
    tables: list[list[list[str]]]
    header: str
    footer: str
    fields: list[str]
    headings: list[str]
    grids: list[Table] = field(default_factory=list)
    """The tables again, cell by cell on the table grid (merged cells kept apart): see ``Table``."""


def _paragraph_text(p) -> str:
    parts = []
    for node in p.iter(W + "t", W + "tab", W + "br"):
        parts.append(node.text or "" if node.tag == W + "t" else ("\t" if node.tag == W + "tab" else "\n"))
    return "".join(parts)


def docx_text(path: Path) -> DocxText:
    """Read every paragraph of a DOCX in order."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        parts = {n: etree.fromstring(z.read(n)) for n in z.namelist()
                 if n.startswith("word/header") or n.startswith("word/footer")}
    lines, prose, tables, headings = [], [], [], []
    for p in body.iter(W + "p"):
        text = _paragraph_text(p)
        lines.append(text)
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and (style.get(W + "val") or "").startswith(("Heading", "Title")):
            headings.append(text)
        if not any(a.tag == W + "tbl" for a in p.iterancestors()):
            prose.append(text)
    for tbl in body.iter(W + "tbl"):
        rows = []
        for tr in tbl.iter(W + "tr"):
            rows.append(["\n".join(_paragraph_text(p) for p in tc.iter(W + "p")) for tc in tr.iter(W + "tc")])
        tables.append(rows)
    header = "\n".join(_paragraph_text(p) for n, x in sorted(parts.items()) if "header" in n for p in x.iter(W + "p"))
    footer = "\n".join(_paragraph_text(p) for n, x in sorted(parts.items()) if "footer" in n for p in x.iter(W + "p"))
    fields = [f.get(W + "instr") or "" for x in parts.values() for f in x.iter(W + "fldSimple")]
    fields += [t.text or "" for x in parts.values() for t in x.iter(W + "instrText")]
    return DocxText("\n".join([header, *lines, footer]), prose, tables, header, footer,
                    [f.strip() for f in fields], headings, [_docx_grid(tbl) for tbl in body.iter(W + "tbl")])


#: Elements that wrap rows or cells without being one (content controls, custom XML).
_WRAPPERS = (W + "sdt", W + "sdtContent", W + "customXml")


def _children(element, tag: str):
    """The ``tag`` children of ``element``, looking through content controls and custom XML."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _int(value: str | None, default: int) -> int:
    """A span or skip count as written, within what HTML allows (0 to 1000)."""
    try:
        return min(max(int(value), 0), 1000) if value is not None else default
    except ValueError:
        return default


def _docx_grid(tbl) -> Table:
    """A DOCX table on its grid: ``gridBefore`` / ``gridSpan`` honoured, nested tables left out."""
    rows: list[list[str | None]] = []
    header_rows = 0
    for tr in _children(tbl, W + "tr"):
        before = tr.find(f"{W}trPr/{W}gridBefore")
        row: list[str | None] = [""] * (_int(before.get(W + "val"), 0) if before is not None else 0)
        for tc in _children(tr, W + "tc"):
            own = [p for p in tc.iter(W + "p") if next(p.iterancestors(W + "tbl"), None) is tbl]
            row.append("\n".join(_paragraph_text(p) for p in own))
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            row += [None] * (_int(span.get(W + "val"), 1) - 1 if span is not None else 0)
        rows.append(row)
        marked = tr.find(f"{W}trPr/{W}tblHeader")
        if marked is not None and marked.get(W + "val", "true") not in ("0", "false", "off") \
                and header_rows == len(rows) - 1:
            header_rows += 1
    return Table(rows, header_rows)


def _html_cell_text(cell) -> str:
    """The text of an HTML cell as printed: ``<br>`` breaks a line; nested tables, scripts and
    styles are not the cell's own text."""
    parts: list[str] = []

    def walk(node, top: bool) -> None:
        if not isinstance(node.tag, str):  # comment, processing instruction
            return
        if not top and node.tag in ("table", "script", "style", "template"):
            return
        if node.tag == "br":
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child, False)
            parts.append(child.tail or "")

    walk(cell, True)
    return "".join(parts)


def html_tables(html: str) -> list[Table]:
    """The tables of an HTML document (the source of a PDF), in document order, on their grids.

    A PDF's text layer loses the cells; the HTML it is printed from keeps them. Rows come in
    document order (``<thead>``, ``<tbody>``, ``<tfoot>`` as written), ``colspan`` as in ``Table``.
    """
    if not html.strip():
        return []
    document = lxml.html.document_fromstring(html)
    tables = []
    for table in document.iter("table"):
        rows: list[list[str | None]] = []
        header_rows = 0
        for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
            row: list[str | None] = []
            for cell in tr.xpath("./td | ./th"):
                row.append(_html_cell_text(cell))
                row += [None] * (_int(cell.get("colspan"), 1) - 1)
            rows.append(row)
            if tr.getparent().tag == "thead" and header_rows == len(rows) - 1:
                header_rows += 1
        tables.append(Table(rows, header_rows))
    return tables


def pdf_read(path: Path) -> tuple[list[str], list[str]]:
    """What the rendered checks read of a PDF, opened once: each page's text (lines separated by
    ``\\n``) and the outline (bookmarks, which WeasyPrint makes from the HTML headings), in order."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for page in document:
            text = page.get_textpage().get_text_bounded()
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
        return pages, [item.get_title() for item in document.get_toc()]
    finally:
        document.close()


def pdf_headings(path: Path) -> list[str]:
    """The PDF outline (bookmarks), which WeasyPrint makes from the HTML headings, in order."""
    return pdf_read(path)[1]


def pdf_pages(path: Path) -> list[str]:
    """The extracted text of each page (lines separated by ``\\n``)."""
    return pdf_read(path)[0]


def pdf_text(path: Path) -> tuple[str, int]:
    """The extracted text of every page, and the page count."""
    pages = pdf_pages(path)
    return "\n".join(pages), len(pages)
