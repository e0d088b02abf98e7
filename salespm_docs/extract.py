"""Extract: a rendered DOCX or PDF → the text a person reads (for checks and tests).

DOCX text comes from the XML in reading order (body, tables, headers, footers); PDF text from
PDFium's extraction of the text layer (``pypdfium2``), i.e. what copy and paste would give. PDFium
reads a tagged PDF with its structure tree about ten times faster than pypdf, which parsed every
object stream to find the outline and the pages.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
import pypdfium2

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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
                    [f.strip() for f in fields], headings)


def pdf_headings(path: Path) -> list[str]:
    """The PDF outline (bookmarks), which WeasyPrint makes from the HTML headings, in order."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [item.get_title() for item in document.get_toc()]
    finally:
        document.close()


def pdf_pages(path: Path) -> list[str]:
    """The extracted text of each page (lines separated by ``\\n``)."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for page in document:
            text = page.get_textpage().get_text_bounded()
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
        return pages
    finally:
        document.close()


def pdf_text(path: Path) -> tuple[str, int]:
    """The extracted text of every page, and the page count."""
    pages = pdf_pages(path)
    return "\n".join(pages), len(pages)
