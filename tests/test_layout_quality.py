"""Layout quality of every rendered document of both examples (issue 9, 「Layout defects to fix」).

Both example projects are built once (``force=True``) into a private workspace; every PDF and DOCX
is then held to the layout requirements:

* PDF: every word inside the text area (the running header and footer inside the left/right
  margins); no heading left at a page foot without its content; short key-value tables and
  signature tables on one page; no table row split across pages; no table header wrapped one
  character per line; the WEEK 「总体状态：X」 drawn in its colour.
* DOCX: rows that cannot split, a repeating header row on every data table, signature rows tall
  enough to sign, right-aligned amounts and percentages, coloured 绿/黄/红 status, column grids
  within the text width, short headers on one line, bold headings.

PDF words and lines come from poppler (``pdftotext -bbox-layout``); the outline, the vector
borders and the text colour from pdfium (``pypdfium2``); DOCX checks read the XML (lxml).
The checkers are plain functions that return problem strings; the last tests feed them small,
deliberately broken inputs to show that each one can fail.
"""

from __future__ import annotations

import colorsys
import ctypes
import functools
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from salespm_docs.build import Workspace, build, load_facts, plan

from conftest import ROOT

EXAMPLES = ("huaxing-crm", "yuanhang-srm")
TOL = 1.0
"""Points a PDF word may stray over the text area's edge (glyph boxes are not exact)."""
PT_PER = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "px": 0.75, "pc": 12.0}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SIGN_ROW_MIN = 680
"""Twips (12 mm): the least height of a row to sign by hand."""
DEFAULT_CELL_MARGIN = 108
"""Twips: Word's default left and right cell margin (table style 「Normal Table」)."""
DEFAULT_HALF_POINTS = 21
"""Font size in half-points when neither the run nor its styles say (10.5 pt, 五号)."""
STATUS_HUE = {"绿": "green", "黄": "amber", "红": "red"}
AMOUNT = re.compile(r"[-−]?¥[\d,]+(\.\d+)?")
PERCENT = re.compile(r"[-−+]?\d+(\.\d+)?%")
NUMERIC = re.compile(r"[-−+]?¥?[\d,]+(\.\d+)?%?(（预计）)?")
DASHES = {"", "—", "-", "–", "/"}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- which documents -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    slug: str
    label: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.slug}/{self.label.replace(' ', '-')}"


def _planned() -> list[Planned]:
    """Every laid-out document the examples build (from their data, without rendering anything):
    the weekly mail (``.eml`` only) has no page to lay out."""
    ws = Workspace(ROOT)
    found = []
    for slug in EXAMPLES:
        instances, _ = plan(load_facts(ws, slug))
        found += [Planned(slug, i.label, i.artifact.code) for i in instances if i.artifact.laid_out]
    return found


PLANNED = _planned()
WEEKLY = [p for p in PLANNED if p.code == "WEEK"]


def by_doc(planned: list[Planned]):
    return pytest.mark.parametrize("planned", planned, ids=[p.id for p in planned])


@dataclass(frozen=True)
class Margins:
    """Page margins in points."""

    top: float
    right: float
    bottom: float
    left: float


def css_length(value: str) -> float:
    m = re.fullmatch(r"\s*(-?[\d.]+)\s*([a-z]*)\s*", value)
    if not m:
        raise ValueError(f"not a CSS length: {value!r}")
    number, unit = float(m.group(1)), m.group(2) or "px"
    if unit not in PT_PER:
        raise ValueError(f"unsupported CSS unit in {value!r}")
    return number * PT_PER[unit]


def css_page_margins(css: str) -> Margins:
    """The margins of the first plain ``@page { … }`` rule (shorthand, then longhands)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    m = re.search(r"@page\s*\{", css)
    if not m:
        raise ValueError("no @page rule")
    depth, i, own = 1, m.end(), []
    while depth and i < len(css):
        c = css[i]
        depth += (c == "{") - (c == "}")
        if depth == 1 and c not in "{}":
            own.append(c)
        i += 1
    decls = "".join(own)
    sides = [0.0, 0.0, 0.0, 0.0]
    short_hand = re.search(r"(?<![-\w])margin\s*:\s*([^;]+)", decls)
    if short_hand:
        values = [css_length(v) for v in short_hand.group(1).split()]
        values = {1: values * 4, 2: values * 2, 3: values + values[1:2], 4: values}[len(values)]
        sides = list(values)
    for n, side in enumerate(("top", "right", "bottom", "left")):
        m = re.search(rf"(?<![-\w])margin-{side}\s*:\s*([^;]+)", decls)
        if m:
            sides[n] = css_length(m.group(1))
    return Margins(*sides)


@dataclass(frozen=True)
class Document:
    slug: str
    label: str
    code: str
    pdf: Path
    docx: Path

    @property
    def name(self) -> str:
        return f"output/{self.slug}/{self.pdf.stem}"


@dataclass
class Built:
    root: Path
    margins: Margins
    documents: dict[tuple[str, str], Document] = field(default_factory=dict)

    def get(self, planned: Planned) -> Document:
        assert (planned.slug, planned.label) in self.documents, f"{planned.id} was not built"
        return self.documents[planned.slug, planned.label]


@pytest.fixture(scope="session")
def built(examples_built) -> Built:
    """Both examples, built once per session (``conftest.examples_built``)."""
    root, results = examples_built
    result = Built(root, css_page_margins((root / "templates" / "html" / "base.css").read_text(encoding="utf-8")))
    for slug in EXAMPLES:
        for d in results[slug].documents:
            if not d.instance.artifact.laid_out:
                continue  # MAIL: an .eml, no page
            files = {f.format: f.path for f in d.files}
            result.documents[slug, d.instance.label] = Document(
                slug, d.instance.label, d.instance.artifact.code, files["pdf"], files["docx"])
    return result


# -- PDF reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    block: int = 0
    """For lines: the pdftotext block (roughly a paragraph or a table cell) the line belongs to."""


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Box]
    lines: list[Box]
    """Top to bottom, then left to right."""
    blocks: dict[int, str]
    """Block id → its whole text."""


@functools.cache
def pdf_pages(path: Path) -> tuple[Page, ...]:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True, huge_tree=True))
    pages, block_id = [], 0
    for n, page in enumerate(root.iter(XHTML + "page"), 1):
        words, lines, blocks = [], [], {}
        for block in page.iter(XHTML + "block"):
            block_id += 1
            texts = []
            for line in block.iter(XHTML + "line"):
                ws = [Box(*(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), w.text or "")
                      for w in line.iter(XHTML + "word")]
                words += ws
                text = " ".join(w.text for w in ws)
                texts.append(text)
                lines.append(Box(*(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), text, block_id))
            blocks[block_id] = "\n".join(texts)
        lines.sort(key=lambda b: (round(b.y0, 1), b.x0))
        pages.append(Page(n, float(page.get("width")), float(page.get("height")), words, lines, blocks))
    return tuple(pages)


@functools.cache
def pdf_outline(path: Path) -> tuple[tuple[str, int, float | None], ...]:
    """(title, page number, top of the destination from the page top) of every bookmark."""
    lib = pdfium()
    pdf = lib.PdfDocument(str(path))
    try:
        found = []
        for bookmark in pdf.get_toc():
            dest = bookmark.get_dest()
            if dest is None:
                continue
            number = dest.get_index()
            mode, position = dest.get_view()
            height = pdf.get_page_size(number)[1]
            top = position[1] if mode == 1 and len(position) > 1 else None  # 1: PDFDEST_VIEW_XYZ
            found.append((bookmark.get_title(), number + 1, None if top is None else height - top))
        return tuple(found)
    finally:
        pdf.close()


def pdfium():
    import pypdfium2  # the test extra: reads the PDF outline, borders and colours (never skipped)

    return pypdfium2


@dataclass(frozen=True)
class Rule:
    """A stroke: horizontal (``y0 == y1``) or vertical (``x0 == x1``), in points from the page top."""

    x0: float
    y0: float
    x1: float
    y1: float


@functools.cache
def _table_border_colour() -> tuple[int, int, int]:
    """The colour of the house table and cell borders (``th, td { border: … #rrggbb }`` in base.css)."""
    css = (ROOT / "templates" / "html" / "base.css").read_text(encoding="utf-8")
    found = re.search(r"th,\s*td\s*\{[^}]*?border:[^;#]*#([0-9a-fA-F]{6})", css)
    assert found, "base.css: no border colour for th, td"
    return tuple(int(found.group(1)[k:k + 2], 16) for k in (0, 2, 4))


def _stroke_colour(lib, obj) -> tuple[int, int, int] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    ok = lib.raw.FPDFPageObj_GetStrokeColor(obj.raw, *(ctypes.byref(v) for v in (r, g, b, a)))
    return (r.value, g.value, b.value) if ok else None


def pdf_rules(path: Path) -> tuple[tuple[list[Rule], list[Rule]], ...]:
    """Per page: the horizontal and the vertical thin strokes in the table border colour (table and
    cell borders; the lines of a chart, drawn in its own colours, are not table borders)."""
    lib = pdfium()
    border = _table_border_colour()
    pdf = lib.PdfDocument(str(path))
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            height = page.get_height()
            horizontal, vertical = [], []
            for obj in page.get_objects(filter=[lib.raw.FPDF_PAGEOBJ_PATH]):
                if _stroke_colour(lib, obj) != border:
                    continue
                left, bottom, right, top = obj.get_bounds()
                w, h = right - left, top - bottom
                if w <= 2.5 and h > 3:
                    x = (left + right) / 2
                    vertical.append(Rule(x, height - top, x, height - bottom))
                elif h <= 2.5 and w > 3:
                    y = height - (top + bottom) / 2
                    horizontal.append(Rule(left, y, right, y))
            pages.append((horizontal, vertical))
        return tuple(pages)
    finally:
        pdf.close()


def text_colours(path: Path, needle: str, after: int) -> list[tuple[int, str, tuple[int, int, int] | None]]:
    """Each ``needle`` on the first page that has it: (page, the character ``after`` characters past
    its start, its fill RGB)."""
    lib = pdfium()
    pdf = lib.PdfDocument(str(path))
    found = []
    try:
        for i in range(len(pdf)):
            text = pdf[i].get_textpage()
            searcher = text.search(needle, match_case=True)
            while (hit := searcher.get_next()) is not None:
                index = hit[0] + after
                char = text.get_text_range(index, 1)
                r, g, b, a = (ctypes.c_uint() for _ in range(4))
                ok = lib.raw.FPDFText_GetFillColor(text.raw, index, *(ctypes.byref(v) for v in (r, g, b, a)))
                found.append((i + 1, char, (r.value, g.value, b.value) if ok else None))
            if found:
                break
    finally:
        pdf.close()
    return found


def hue_name(rgb: tuple[int, int, int] | None) -> str:
    """green / amber / red / other for a colour (grey and black are 「other」)."""
    if rgb is None:
        return "unknown"
    r, g, b = (v / 255 for v in rgb)
    hue, saturation, value = colorsys.rgb_to_hsv(r, g, b)
    if saturation < 0.35 or value < 0.25:
        return "other"
    degrees = hue * 360
    if degrees < 20 or degrees >= 330:
        return "red"
    if degrees < 70:
        return "amber"
    if degrees < 170:
        return "green"
    return "other"


# -- PDF checks ------------------------------------------------------------------------------------

def area(page: Page, margins: Margins) -> tuple[float, float, float, float]:
    return margins.left, margins.top, page.width - margins.right, page.height - margins.bottom


def in_body(box: Box, page: Page, margins: Margins) -> bool:
    """Whether a line lies in the body (not in the running header or footer)."""
    _, top, _, bottom = area(page, margins)
    return box.y1 > top + TOL and box.y0 < bottom - TOL


def words_outside(pages: tuple[Page, ...], margins: Margins) -> list[str]:
    """Words outside the text area; header and footer words only need the left/right margins."""
    problems = []
    for page in pages:
        left, top, right, bottom = area(page, margins)
        for w in page.words:
            header = w.y1 <= top + TOL
            footer = w.y0 >= bottom - TOL
            where = []
            if w.x0 < left - TOL:
                where.append(f"{left - w.x0:.1f} pt left of the left margin (x0 {w.x0:.1f} < {left:.1f})")
            if w.x1 > right + TOL:
                where.append(f"{w.x1 - right:.1f} pt right of the right margin (x1 {w.x1:.1f} > {right:.1f})")
            if not (header or footer):
                if w.y0 < top - TOL:
                    where.append(f"above the top margin (y0 {w.y0:.1f} < {top:.1f})")
                if w.y1 > bottom + TOL:
                    where.append(f"below the bottom margin (y1 {w.y1:.1f} > {bottom:.1f})")
            if where:
                part = "header" if header else "footer" if footer else "body"
                problems.append(f"page {page.number} ({part}): 「{short(w.text)}」 at x {w.x0:.1f}–{w.x1:.1f}, "
                                f"y {w.y0:.1f}–{w.y1:.1f} is " + "; ".join(where))
    return problems


def lead_in(text: str) -> bool:
    """A paragraph that introduces what follows (「……如下：」): not content on its own."""
    return text.rstrip().endswith(("：", ":"))


def find_text(lines: list[Box], text: str, near: float | None = None) -> list[Box] | None:
    """The consecutive lines (same block) that read ``text``; the one nearest ``near`` if several."""
    target, matches = squash(text), []
    for i, first in enumerate(lines):
        got, run = "", []
        for line in lines[i:]:
            if run and line.block != first.block:
                continue
            got += squash(line.text)
            run.append(line)
            if got == target:
                matches.append(run)
                break
            if not target.startswith(got):
                break
    if not matches:
        return None
    if near is None:
        return matches[0]
    return min(matches, key=lambda run: abs(run[0].y0 - near))


def stranded_headings(pages: tuple[Page, ...], outline, margins: Margins) -> list[str]:
    """Bookmarked headings with no content after them on their page (lead-ins ending in 「：」 and
    other headings do not count as content)."""
    titles = {squash(t) for t, _, _ in outline}
    problems = []
    for title, number, top in outline:
        page = pages[number - 1]
        body = [ln for ln in page.lines if in_body(ln, page, margins)]
        heading = find_text(body, title, top)
        if heading is None:
            problems.append(f"page {number}: bookmarked heading 「{title}」 not found in the page text")
            continue
        bottom = max(ln.y1 for ln in heading)
        after = [ln for ln in body if ln.y0 >= bottom - TOL and ln not in heading]
        content = [ln for ln in after if squash(ln.text) not in titles and not lead_in(page.blocks[ln.block])]
        if not content:
            rest = "; then only " + " / ".join(f"「{short(ln.text, 30)}」" for ln in after) if after else ""
            problems.append(f"page {number}: heading 「{title}」 (y {heading[0].y0:.0f}–{bottom:.0f} of "
                            f"{page.height:.0f} pt) is left at the page foot without its content{rest}")
    return problems


def reading_order(pages: tuple[Page, ...]) -> list[tuple[int, Box]]:
    return [(p.number, ln) for p in pages for ln in p.lines]


def locate_column(order: list[tuple[int, Box]], labels: list[str]) -> list[tuple[str, int]] | None:
    """The pages of ``labels`` read as consecutive cells of one table column (same left edge)."""
    wanted = [squash(x) for x in labels if squash(x)]
    for i, (_, first) in enumerate(order):
        if squash(first.text) != wanted[0]:
            continue
        column = [(n, ln) for n, ln in order[i:] if abs(ln.x0 - first.x0) <= 2]
        found, k = [], 0
        for j, label in enumerate(wanted):
            while j and k < len(column) and squash(column[k][1].text) == wanted[0]:
                k += 1  # the header row, repeated on the next page
            got, pages = "", []
            while k < len(column) and len(got) < len(label):
                got += squash(column[k][1].text)
                pages.append(column[k][0])
                k += 1
            if got != label:
                break
            found.append((label, pages[0]))
        else:
            return found
    return None


def split_tables(pages: tuple[Page, ...], groups: list[tuple[str, list[str]]]) -> list[str]:
    """Tables (named, by their first-column labels) that do not stand on one page."""
    order = reading_order(pages)
    problems = []
    for name, labels in groups:
        found = locate_column(order, labels)
        if found is None:
            problems.append(f"{name}: labels {'、'.join(x for x in labels if x)} not found as one table column")
            continue
        if len({p for _, p in found}) > 1:
            runs_ = []
            for label, p in found:
                if runs_ and runs_[-1][2] == p:
                    runs_[-1][1] = label
                else:
                    runs_.append([label, label, p])
            spread = ", ".join(f"「{a}」 on page {p}" if a == b else f"「{a}」…「{b}」 on page {p}" for a, b, p in runs_)
            problems.append(f"{name} is split across pages: {spread}")
    return problems


def split_rows(pages: tuple[Page, ...], rules) -> list[str]:
    """Table rows split across pages: cell borders (vertical strokes) that end without a horizontal
    border closing them, i.e. a row cut open by the page break."""
    problems = []
    for page, (horizontal, vertical) in zip(pages, rules):
        opened: dict[tuple[str, float], list[Rule]] = {}
        for v in vertical:
            for end, y in (("bottom", v.y1), ("top", v.y0)):
                closed = any(abs(h.y0 - y) <= 2 and h.x0 - 2 <= v.x0 <= h.x1 + 2 for h in horizontal)
                if not closed:
                    opened.setdefault((end, round(y)), []).append(v)
        for (end, y), strokes in sorted(opened.items(), key=lambda kv: kv[0][1]):
            x0, x1 = min(v.x0 for v in strokes), max(v.x0 for v in strokes)
            top, bottom = min(v.y0 for v in strokes), max(v.y1 for v in strokes)
            inside = [w.text for w in page.words if x0 - 1 <= w.x0 <= x1 + 1 and top - 1 <= w.y0 <= bottom + 1]
            near = inside[-6:] if end == "bottom" else inside[:6]
            where = "continues on the next page" if end == "bottom" else "continues from the previous page"
            problems.append(f"page {page.number}: a table row {where} (cell borders open at the {end}, "
                            f"y {y}, x {x0:.0f}–{x1:.0f}; text {short(' '.join(near), 50)!r})")
    return problems


def wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def wrapped_headers(pages: tuple[Page, ...], headers: set[str]) -> list[str]:
    """Table header texts that the PDF breaks into lines of one character (「编/号」)."""
    problems = []
    wanted = {squash(h) for h in headers if len(squash(h)) >= 2}
    for page in pages:
        for start in page.lines:
            first = squash(start.text)
            candidates = [h for h in wanted if h != first and h.startswith(first)]
            if not first or not candidates:
                continue
            for header in candidates:
                parts, got, last = [first], first, start
                while got != header:
                    below = [ln for ln in page.lines if last.y1 - TOL <= ln.y0 <= last.y1 + (last.y1 - last.y0)
                             and abs(ln.x0 - start.x0) <= 3 and header.startswith(got + squash(ln.text))
                             and squash(ln.text)]
                    if not below:
                        break
                    last = below[0]
                    parts.append(squash(last.text))
                    got += parts[-1]
                if got == header and any(len(p) == 1 for p in parts):
                    problems.append(f"page {page.number}: table header 「{header}」 wraps one character per line "
                                    f"as {' / '.join(parts)} (x {start.x0:.0f}, y {start.y0:.0f})")
    return problems


def uncoloured_status(path: Path) -> list[str]:
    """The 「总体状态：X」 line: X (绿/黄/红) must be drawn green, amber or red."""
    hits = text_colours(path, "总体状态：", len("总体状态："))
    if not hits:
        return ["no 「总体状态：」 line found"]
    problems = []
    for page, char, rgb in hits:
        if char not in STATUS_HUE:
            problems.append(f"page {page}: 「总体状态：{char}」 is not 绿/黄/红")
        elif hue_name(rgb) != STATUS_HUE[char]:
            problems.append(f"page {page}: 「总体状态：{char}」 is drawn in RGB {rgb} ({hue_name(rgb)}), "
                            f"not {STATUS_HUE[char]}")
    return problems


# -- DOCX reading ----------------------------------------------------------------------------------

def on(element) -> bool | None:
    """An OOXML on/off property: None when absent."""
    if element is None:
        return None
    return (element.get(W + "val") or "true").lower() not in ("0", "false", "off", "none")


def twips(element, attribute: str = "w") -> int | None:
    if element is None:
        return None
    value = element.get(W + attribute)
    return None if value is None else int(float(value))


class Styles:
    """styles.xml, with the ``basedOn`` chain and the document defaults."""

    def __init__(self, root):
        self.root = root
        self.by_id = {} if root is None else {s.get(W + "styleId"): s for s in root.iter(W + "style")}
        self.defaults = {} if root is None else {
            s.get(W + "type"): s.get(W + "styleId") for s in root.iter(W + "style") if on(s.find(W + "default")) or
            (s.get(W + "default") or "").lower() in ("1", "true")}

    def chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            based = style.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None

    def name(self, style_id: str | None) -> str:
        style = self.by_id.get(style_id or "")
        name = style.find(W + "name") if style is not None else None
        return (name.get(W + "val") if name is not None else style_id) or ""

    def style_prop(self, style_id: str | None, path: str):
        for style in self.chain(style_id):
            found = style.find(path)
            if found is not None:
                return found
        return None

    def doc_default(self, path: str):
        if self.root is None:
            return None
        return self.root.find(f"{W}docDefaults/{path}")


def paragraph_style(p) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val") if style is not None else None


def run_prop(run, p, styles: Styles, tag: str):
    """A run property, resolved: run, its character style, the paragraph style, the defaults."""
    found = run.find(f"{W}rPr/{W}{tag}")
    if found is not None:
        return found
    rstyle = run.find(f"{W}rPr/{W}rStyle")
    found = styles.style_prop(rstyle.get(W + "val") if rstyle is not None else None, f"{W}rPr/{W}{tag}")
    if found is not None:
        return found
    found = styles.style_prop(paragraph_style(p) or styles.defaults.get("paragraph"), f"{W}rPr/{W}{tag}")
    if found is not None:
        return found
    return styles.doc_default(f"{W}rPrDefault/{W}rPr/{W}{tag}")


def paragraph_prop(p, styles: Styles, tag: str):
    found = p.find(f"{W}pPr/{W}{tag}")
    if found is not None:
        return found
    found = styles.style_prop(paragraph_style(p) or styles.defaults.get("paragraph"), f"{W}pPr/{W}{tag}")
    if found is not None:
        return found
    return styles.doc_default(f"{W}pPrDefault/{W}pPr/{W}{tag}")


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(W + "t"))


def runs(p) -> list:
    return [r for r in p.iter(W + "r") if r.find(W + "t") is not None]


@dataclass
class Cell:
    tc: object
    column: int
    span: int
    text: str


@dataclass
class Table:
    number: int
    element: object
    grid: list[int]
    rows: list[list[Cell]]
    header: bool
    """The first row reads as a header (every non-empty cell shaded or bold)."""
    kind: str
    """``data`` (a header row), ``kv`` (two columns, labels on the left, no header row) or ``plain``."""
    section: int

    @property
    def name(self) -> str:
        return f"table {self.number} 「{short(' | '.join(c.text for c in self.rows[0]), 48)}」" if self.rows else \
            f"table {self.number}"

    @property
    def signature(self) -> bool:
        first_row = {squash(c.text) for c in self.rows[0]} if self.rows else set()
        first_column = {squash(r[0].text) for r in self.rows if r}
        return "签字" in first_row or {"甲方", "乙方"} <= first_row or "代表签字" in first_column


@dataclass
class Docx:
    body: object
    styles: Styles
    tables: list[Table]
    sections: list[object]
    """``w:sectPr`` of each section, in order."""

    @classmethod
    def parse(cls, document: bytes, styles: bytes | None) -> "Docx":
        body = etree.fromstring(document).find(W + "body")
        st = Styles(etree.fromstring(styles) if styles else None)
        tables, sections = [], []
        for child in body:
            if child.tag == W + "tbl":
                tables.append(_table(child, len(tables) + 1, len(sections), st))
            elif child.tag == W + "p" and child.find(f"{W}pPr/{W}sectPr") is not None:
                sections.append(child.find(f"{W}pPr/{W}sectPr"))
            elif child.tag == W + "sectPr":
                sections.append(child)
        return cls(body, st, tables, sections)


@functools.cache
def load_docx(path: Path) -> Docx:
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        styles = z.read("word/styles.xml") if "word/styles.xml" in names else None
        return Docx.parse(z.read("word/document.xml"), styles)


def shaded(tc) -> bool:
    shd = tc.find(f"{W}tcPr/{W}shd")
    return shd is not None and (shd.get(W + "fill") or "auto").upper() not in ("AUTO", "FFFFFF")


def bold_cell(tc, styles: Styles) -> bool:
    rs = [(r, p) for p in tc.iter(W + "p") for r in runs(p) if squash(text_of(r))]
    return bool(rs) and all(on(run_prop(r, p, styles, "b")) for r, p in rs)


def _table(tbl, number: int, section: int, styles: Styles) -> Table:
    grid = [twips(g) or 0 for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    rows = []
    for tr in tbl.findall(W + "tr"):
        column, cells = 0, []
        before = tr.find(f"{W}trPr/{W}gridBefore")
        column += twips(before, "val") or 0
        for tc in tr.findall(W + "tc"):
            span = twips(tc.find(f"{W}tcPr/{W}gridSpan"), "val") or 1
            cells.append(Cell(tc, column, span, "\n".join(text_of(p) for p in tc.iter(W + "p"))))
            column += span
        rows.append(cells)

    def header_like(cell: Cell) -> bool | None:
        if shaded(cell.tc) or bold_cell(cell.tc, styles):
            return True
        return None if not squash(cell.text) else False

    first = [header_like(c) for c in rows[0]] if rows else []
    header = bool(first) and any(first) and all(x is not False for x in first)
    if header:
        kind = "data"
    elif len(grid) == 2 and rows and all(len(r) == 2 and header_like(r[0]) for r in rows):
        kind = "kv"
    else:
        kind = "plain"
    return Table(number, tbl, grid, rows, header, kind, section)


def row_flag(tr, tag: str) -> bool:
    return bool(on(tr.find(f"{W}trPr/{W}{tag}")))


def keep_groups(doc: Docx) -> list[tuple[str, list[str]]]:
    """The tables that must stand on one page, with their first-column labels: key-value tables of
    up to 15 rows and signature tables."""
    groups = []
    for t in doc.tables:
        labels = [squash(r[0].text) for r in t.rows if r and squash(r[0].text)]
        if t.signature and labels:
            groups.append((f"signature {t.name}", labels))
        elif t.kind == "kv" and len(t.rows) <= 15:
            groups.append((f"key-value {t.name}", labels))
    return groups


def header_texts(doc: Docx) -> set[str]:
    return {c.text for t in doc.tables if t.kind == "data" for c in t.rows[0] if squash(c.text)}


# -- DOCX checks -----------------------------------------------------------------------------------

def rows_that_split(doc: Docx) -> list[str]:
    problems = []
    for t in doc.tables:
        bad = [n for n, tr in enumerate(t.element.findall(W + "tr"), 1) if not row_flag(tr, "cantSplit")]
        if bad:
            problems.append(f"{t.name}: rows {_ranges(bad)} of {len(t.rows)} lack w:trPr/w:cantSplit")
    return problems


def header_rows_not_repeated(doc: Docx) -> list[str]:
    problems = []
    for t in doc.tables:
        first = t.element.find(W + "tr")
        if first is None:
            continue
        repeats = row_flag(first, "tblHeader")
        if t.kind == "kv" and repeats:
            problems.append(f"{t.name}: a key-value table has no header row, but its first row is marked w:tblHeader")
        elif t.kind != "kv" and not repeats:
            what = "header row" if t.header else "first row (no header styling found)"
            problems.append(f"{t.name}: the {what} is not a repeating header (w:trPr/w:tblHeader)")
    return problems


def short_signature_rows(doc: Docx) -> list[str]:
    tables = [t for t in doc.tables if t.signature]
    if not tables:
        return ["no signature table found (first row with 签字, or 甲方/乙方 with 代表签字)"]
    problems = []
    for t in tables:
        for n, (cells, tr) in enumerate(zip(t.rows, t.element.findall(W + "tr")), 1):
            if n == 1 and t.header:
                continue
            height = tr.find(f"{W}trPr/{W}trHeight")
            value, rule = twips(height, "val"), (height.get(W + "hRule") if height is not None else None)
            if value is None or value < SIGN_ROW_MIN or (rule or "atLeast") not in ("atLeast", "exact"):
                got = "no w:trHeight" if value is None else f"w:trHeight {value} twips hRule={rule or 'atLeast'}"
                problems.append(f"{t.name} row {n} 「{short(cells[0].text, 12)}」: {got}, "
                                f"needs ≥ {SIGN_ROW_MIN} twips (12 mm) atLeast/exact")
    return problems


def numeric_columns(t: Table) -> set[int]:
    body = t.rows[1:] if t.header else t.rows
    columns: dict[int, list[str]] = {}
    for row in body:
        for c in row:
            columns.setdefault(c.column, []).append(squash(c.text))
    return {col for col, texts in columns.items()
            if any(NUMERIC.fullmatch(x) for x in texts)
            and all(NUMERIC.fullmatch(x) or x in DASHES for x in texts)}


def left_aligned_amounts(doc: Docx) -> list[str]:
    """Cells of data tables reading a ¥ amount, and percentages in numeric columns, that are not
    right-aligned (one line per table column)."""
    problems = []
    for t in doc.tables:
        if t.kind == "kv":
            continue  # a value among labelled values reads left-aligned like the others
        numeric = numeric_columns(t)
        bad: dict[int, list[tuple[int, str, str]]] = {}
        for r, row in enumerate(t.rows, 1):
            for c in row:
                text = squash(c.text)
                if not (AMOUNT.fullmatch(text) or (PERCENT.fullmatch(text) and c.column in numeric)):
                    continue
                for p in c.tc.iter(W + "p"):
                    if not squash(text_of(p)):
                        continue
                    jc = paragraph_prop(p, doc.styles, "jc")
                    value = jc.get(W + "val") if jc is not None else "left (default)"
                    if value not in ("right", "end"):
                        bad.setdefault(c.column, []).append((r, text, value))
        for column, cells in sorted(bad.items()):
            r, text, value = cells[0]
            problems.append(f"{t.name} column {column + 1}: {len(cells)} amount/percentage cell(s) not right-aligned, "
                            f"e.g. row {r} 「{text}」 aligned {value}")
    return problems


def status_runs(doc: Docx) -> list[tuple[str, object, object, str]]:
    """(where, run, paragraph, status) for every 绿/黄/红 status: 「…状态：X」 and cells reading X."""
    found = []
    for p in doc.body.iter(W + "p"):
        text = text_of(p)
        cell = next((a for a in p.iterancestors(W + "tc")), None)
        statuses = []
        for m in re.finditer(r"状态\s*[：:]\s*([绿黄红])", text):
            statuses.append((m.start(1), m.group(1)))
        if cell is not None and squash(text_of(cell)) in STATUS_HUE and squash(text) in STATUS_HUE:
            statuses.append((text.index(squash(text)), squash(text)))
        for index, status in statuses:
            pos = 0
            for run in runs(p):
                length = len(text_of(run))
                if pos <= index < pos + length:
                    found.append((short(text, 30), run, p, status))
                    break
                pos += length
    return found


def uncoloured_docx_status(doc: Docx, required: bool) -> list[str]:
    found = status_runs(doc)
    if required and not found:
        return ["no 「总体状态：绿/黄/红」 paragraph found"]
    problems = []
    for where, run, p, status in found:
        colour = run_prop(run, p, doc.styles, "color")
        value = colour.get(W + "val") if colour is not None else None
        rgb = None
        if value and re.fullmatch(r"[0-9A-Fa-f]{6}", value):
            rgb = tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
        if hue_name(rgb) != STATUS_HUE[status]:
            problems.append(f"「{where}」: the run holding 「{status}」 has "
                            f"{'no w:color' if value is None else f'w:color {value}'}, not {STATUS_HUE[status]}")
    return problems


def text_width(doc: Docx, section: int) -> tuple[int, str]:
    sect = doc.sections[min(section, len(doc.sections) - 1)]
    size, margin = sect.find(W + "pgSz"), sect.find(W + "pgMar")
    width = twips(size) or 0
    left, right, gutter = (twips(margin, k) or 0 for k in ("left", "right", "gutter"))
    how = f"page {width} − margins {left} + {right}" + (f" − gutter {gutter}" if gutter else "")
    return width - left - right - gutter, how


def grids_too_wide(doc: Docx) -> list[str]:
    if not doc.sections:
        return ["no w:sectPr: page size and margins unknown"]
    problems = []
    for t in doc.tables:
        available, how = text_width(doc, t.section)
        if sum(t.grid) > available:
            problems.append(f"{t.name}: column grid {' + '.join(map(str, t.grid))} = {sum(t.grid)} twips, wider than "
                            f"the text width {available} ({how})")
    return problems


def cell_margins(t: Table, tc, styles: Styles) -> tuple[int, int]:
    def side(container, names) -> int | None:
        if container is None:
            return None
        for name in names:
            value = twips(container.find(W + name))
            if value is not None:
                return value
        return None

    style = t.element.find(f"{W}tblPr/{W}tblStyle")
    style_id = style.get(W + "val") if style is not None else styles.defaults.get("table")
    containers = [tc.find(f"{W}tcPr/{W}tcMar"), t.element.find(f"{W}tblPr/{W}tblCellMar")]
    containers += [s.find(f"{W}tblPr/{W}tblCellMar") for s in styles.chain(style_id)]
    containers += [s.find(f"{W}tblPr/{W}tblCellMar") for s in styles.chain(styles.defaults.get("table"))]
    result = []
    for names in (("left", "start"), ("right", "end")):
        value = next((v for c in containers if (v := side(c, names)) is not None), DEFAULT_CELL_MARGIN)
        result.append(value)
    return result[0], result[1]


def headers_that_wrap(doc: Docx) -> list[str]:
    """Header cells whose text does not fit on one line (CJK 1 em, other characters ½ em)."""
    problems = []
    for t in doc.tables:
        if t.kind != "data":
            continue
        for c in t.rows[0]:
            width = sum(t.grid[c.column: c.column + c.span])
            left, right = cell_margins(t, c.tc, doc.styles)
            available = width - left - right
            for p in c.tc.iter(W + "p"):
                needed = 0.0
                for run in runs(p):
                    sz = run_prop(run, p, doc.styles, "sz")
                    half_points = twips(sz, "val") or DEFAULT_HALF_POINTS
                    em = half_points * 10  # twips: half-points × 10
                    needed += sum(em if wide(ch) else em / 2 for ch in text_of(run))
                if needed > available:
                    problems.append(f"{t.name}: header 「{text_of(p)}」 needs {needed:.0f} twips on one line, the cell "
                                    f"holds {available} ({width} − margins {left} + {right})")
    return problems


def heading_paragraph(p, styles: Styles) -> str | None:
    style_id = paragraph_style(p)
    if not style_id:
        return None
    names = {style_id.lower(), styles.name(style_id).lower()}
    for name in names:
        if name == "title" or re.fullmatch(r"heading ?[1-9]", name):
            return style_id
    return None


def headings_not_bold(doc: Docx) -> list[str]:
    problems, seen_styles = [], {}
    for p in doc.body.iter(W + "p"):
        style_id = heading_paragraph(p, doc.styles)
        if style_id is None:
            continue
        if style_id not in seen_styles:
            bold = on(doc.styles.style_prop(style_id, f"{W}rPr/{W}b"))
            seen_styles[style_id] = bold
            if not bold:
                problems.append(f"styles.xml: heading style {style_id!r} is not bold (no w:b in its rPr chain)")
        for run in runs(p):
            b = run.find(f"{W}rPr/{W}b")
            if b is not None and not on(b):
                problems.append(f"{style_id} 「{short(text_of(p), 24)}」: a run carries <w:b w:val="
                                f"\"{b.get(W + 'val')}\"/>")
                break
            rstyle = run.find(f"{W}rPr/{W}rStyle")
            char_style = rstyle.get(W + "val") if rstyle is not None else None
            if b is None and char_style and on(doc.styles.style_prop(char_style, f"{W}rPr/{W}b")) is False:
                problems.append(f"{style_id} 「{short(text_of(p), 24)}」: character style {char_style!r} "
                                "turns bold off")
                break
    return problems


def _ranges(numbers: list[int]) -> str:
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return ", ".join(parts)


def report(document: Document, what: str, problems: list[str]) -> str:
    return f"{document.name}: {what} ({len(problems)}):\n  " + "\n  ".join(problems)


# -- the tests: PDF --------------------------------------------------------------------------------

@by_doc(PLANNED)
def test_pdf_words_inside_text_area(built, planned):
    doc = built.get(planned)
    problems = words_outside(pdf_pages(doc.pdf), built.margins)
    assert not problems, report(doc, f"words outside the text area {built.margins}", problems)


@by_doc(PLANNED)
def test_pdf_no_heading_at_page_foot(built, planned):
    doc = built.get(planned)
    problems = stranded_headings(pdf_pages(doc.pdf), pdf_outline(doc.pdf), built.margins)
    assert not problems, report(doc, "headings at the foot of a page without their content", problems)


@by_doc(PLANNED)
def test_pdf_key_value_and_signature_tables_on_one_page(built, planned):
    doc = built.get(planned)
    groups = keep_groups(load_docx(doc.docx))
    firsts = {labels[0] for _, labels in groups}
    assert "文档名称" in firsts, f"{doc.name}: the cover table (文档名称 … 批准) was not recognised in the DOCX"
    assert any(name.startswith("signature") for name, _ in groups), \
        f"{doc.name}: no signature table (环节 … 日期, or 甲方/乙方) recognised in the DOCX"
    problems = split_tables(pdf_pages(doc.pdf), groups)
    assert not problems, report(doc, "short tables split across pages", problems)


@by_doc(PLANNED)
def test_pdf_table_rows_not_split(built, planned):
    doc = built.get(planned)
    problems = split_rows(pdf_pages(doc.pdf), pdf_rules(doc.pdf))
    assert not problems, report(doc, "table rows split across pages", problems)


@by_doc(PLANNED)
def test_pdf_headers_not_one_character_per_line(built, planned):
    doc = built.get(planned)
    problems = wrapped_headers(pdf_pages(doc.pdf), header_texts(load_docx(doc.docx)))
    assert not problems, report(doc, "table headers wrapped one character per line", problems)


@by_doc(WEEKLY)
def test_pdf_week_status_coloured(built, planned):
    doc = built.get(planned)
    problems = uncoloured_status(doc.pdf)
    assert not problems, report(doc, "「总体状态」 not in its colour", problems)


# -- the tests: DOCX -------------------------------------------------------------------------------

@by_doc(PLANNED)
def test_docx_rows_cannot_split(built, planned):
    doc = built.get(planned)
    problems = rows_that_split(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX table rows allowed to split across pages", problems)


@by_doc(PLANNED)
def test_docx_data_tables_repeat_header_row(built, planned):
    doc = built.get(planned)
    problems = header_rows_not_repeated(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX header rows", problems)


@by_doc(PLANNED)
def test_docx_signature_rows_tall_enough(built, planned):
    doc = built.get(planned)
    problems = short_signature_rows(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX signature rows too low to sign by hand", problems)


@by_doc(PLANNED)
def test_docx_amounts_right_aligned(built, planned):
    doc = built.get(planned)
    problems = left_aligned_amounts(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX amounts and percentages not right-aligned", problems)


@by_doc(PLANNED)
def test_docx_status_coloured(built, planned):
    doc = built.get(planned)
    problems = uncoloured_docx_status(load_docx(doc.docx), required=planned.code == "WEEK")
    assert not problems, report(doc, "DOCX 绿/黄/红 status without its colour", problems)


@by_doc(PLANNED)
def test_docx_table_grids_fit_text_width(built, planned):
    doc = built.get(planned)
    problems = grids_too_wide(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX tables wider than the text area", problems)


@by_doc(PLANNED)
def test_docx_headers_fit_on_one_line(built, planned):
    doc = built.get(planned)
    problems = headers_that_wrap(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX header cells too narrow for their text", problems)


@by_doc(PLANNED)
def test_docx_headings_bold(built, planned):
    doc = built.get(planned)
    problems = headings_not_bold(load_docx(doc.docx))
    assert not problems, report(doc, "DOCX headings not bold", problems)


# -- the checkers catch what they look for -----------------------------------------------------------

def test_page_margins_read_from_css():
    css = "/* x */ @page landscape { margin: 1mm } @page { size: A4; margin: 24mm 20mm 22mm 20mm; " \
          "@top-left { margin: 0 } } @page :first { margin: 0 }"
    m = css_page_margins(css)
    assert [round(v / PT_PER["mm"], 3) for v in (m.top, m.right, m.bottom, m.left)] == [24, 20, 22, 20]
    assert css_page_margins("@page { margin: 10mm 15mm; margin-left: 1in }") == \
        Margins(10 * PT_PER["mm"], 15 * PT_PER["mm"], 10 * PT_PER["mm"], 72.0)


TINY_CSS = """
@page {{ size: A4; margin: {m.top}pt {m.right}pt {m.bottom}pt {m.left}pt;
         @bottom-center {{ content: "第 " counter(page) " 页"; font-size: 9pt; }} }}
html {{ font-family: "Noto Serif CJK SC", serif; font-size: 12pt; line-height: 1.55; }}
h2 {{ font-size: 14.5pt; margin: 7mm 0 2.5mm; break-after: auto !important; }}
p {{ margin: 0 0 2mm; }}
table {{ width: 100%; border-collapse: collapse; font-size: 10pt; table-layout: fixed; margin: 2mm 0; }}
th, td {{ border: 0.6pt solid #8a96a3; padding: 1.4mm 1.8mm; vertical-align: top; }}
th {{ background: #e8eef4; text-align: left; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
.new {{ break-before: page; }}
"""
KV_LABELS = ["名称一", "名称二", "名称三", "名称四", "名称五", "名称六"]


def tiny_pdf(tmp: Path, margins: Margins, broken: bool) -> Path:
    """A small PDF with (``broken``) or without each defect the PDF checkers look for."""
    kv = "".join(f"<tr><th style='width:26%'>{x}</th><td>值{n}</td></tr>" for n, x in enumerate(KV_LABELS))
    rows = "".join(f"<tr><td>R{n}</td><td>内容 {n}</td></tr>" for n in range(12))
    long_cell = "很长的说明文字。" * 160
    spacer = "<div style='height:{}mm'></div>"
    if broken:
        body = f"""
<p style="margin-right:-30mm; text-align:right">越界文字</p>
{spacer.format(205)}
<h2>二、孤立标题</h2><p>如下：</p>
<table style="break-inside: avoid"><thead><tr><th>编号</th><th>内容</th></tr></thead><tbody>{rows}</tbody></table>
<div class="new">{spacer.format(225)}</div>
<table>{kv}</table>
<table class="new"><thead><tr><th style="width:20%">编号</th><th>说明</th></tr></thead>
<tbody>{rows[:400]}<tr style="break-inside: auto"><td>长行</td><td>{long_cell}</td></tr></tbody></table>
<table class="new"><thead><tr><th style="width:2.5%">编号</th><th>说明</th></tr></thead><tbody>{rows[:200]}</tbody></table>
<p>总体状态：绿</p>"""
    else:
        body = f"""
<p style="text-align:right">界内文字</p>
{spacer.format(60)}
<h2>二、标题</h2><p>如下：</p>
<table style="break-inside: avoid"><thead><tr><th>编号</th><th>内容</th></tr></thead><tbody>{rows}</tbody></table>
<table class="new">{kv}</table>
<table><thead><tr><th style="width:20%">编号</th><th>说明</th></tr></thead>
<tbody>{rows[:400]}<tr><td>长行</td><td>{long_cell[:400]}</td></tr></tbody></table>
<p style="color:#1a7f37">总体状态：绿</p>"""
    from weasyprint import HTML

    target = tmp / ("broken.pdf" if broken else "clean.pdf")
    html = f"<html><head><style>{TINY_CSS.format(m=margins)}</style></head><body>{body}</body></html>"
    HTML(string=html).write_pdf(target)
    return target


@pytest.fixture(scope="module")
def tiny_pdfs(tmp_path_factory) -> tuple[Margins, dict[bool, Path]]:
    """The page margins of base.css, and a clean and a broken tiny PDF with those margins."""
    margins = css_page_margins((ROOT / "templates" / "html" / "base.css").read_text(encoding="utf-8"))
    tmp = tmp_path_factory.mktemp("tiny-pdf")
    return margins, {broken: tiny_pdf(tmp, margins, broken) for broken in (False, True)}


@pytest.mark.parametrize("check, expect", [
    ("outside", "越界"),
    ("heading", "二、孤立标题"),
    ("table", "名称"),
    ("row", "continues on the next page"),
    ("header", "编 / 号"),
    ("status", "总体状态：绿"),
])
def test_pdf_checkers_catch_defects(tiny_pdfs, check, expect):
    margins, pdfs = tiny_pdfs

    def run(path: Path) -> list[str]:
        pages = pdf_pages(path)
        return {
            "outside": lambda: words_outside(pages, margins),
            "heading": lambda: stranded_headings(pages, pdf_outline(path), margins),
            "table": lambda: split_tables(pages, [("key-value table", KV_LABELS)]),
            "row": lambda: split_rows(pages, pdf_rules(path)),
            "header": lambda: wrapped_headers(pages, {"编号", "说明", "内容"}),
            "status": lambda: uncoloured_status(path),
        }[check]()

    assert run(pdfs[False]) == [], "false alarm on the clean PDF"
    problems = run(pdfs[True])
    assert problems and any(expect in p for p in problems), problems


def tiny_docx(broken: bool) -> Docx:
    """A small DOCX body (document.xml + styles.xml) with or without each DOCX defect."""
    def row(cells, header=False, height=None, fill=None, jc=None):
        props = ("" if broken else "<w:cantSplit/>") + ("<w:tblHeader/>" if header and not broken else "")
        if height:
            props += f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>'
        tcs = ""
        for n, text in enumerate(cells):
            shade = '<w:shd w:val="clear" w:color="auto" w:fill="E8EEF4"/>' if (header or fill == n) else ""
            align = f'<w:pPr><w:jc w:val="{jc}"/></w:pPr>' if jc and n == len(cells) - 1 else ""
            bold = "<w:b/>" if header or fill == n else ""
            tcs += (f"<w:tc><w:tcPr>{shade}</w:tcPr><w:p>{align}<w:r><w:rPr>{bold}<w:sz w:val=\"21\"/></w:rPr>"
                    f"<w:t>{text}</w:t></w:r></w:p></w:tc>")
        return f"<w:tr><w:trPr>{props}</w:trPr>{tcs}</w:tr>"

    def table(grid, rows):
        cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
        return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tblGrid>{cols}</w:tblGrid>'
                f'{"".join(rows)}</w:tbl>')

    off = '<w:rPr><w:b w:val="0"/></w:rPr>' if broken else ""
    colour = "" if broken else '<w:color w:val="1A7F37"/>'
    body = (
        f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r>{off}<w:t>一、概况</w:t></w:r></w:p>'
        f'<w:p><w:r><w:t>总体状态：</w:t></w:r><w:r><w:rPr>{colour}</w:rPr><w:t>绿</w:t></w:r></w:p>'
        + table([2268, 7000 if broken else 6916], [row(["文档名称", "示例"], fill=0), row(["版本号", "V1.0"], fill=0)])
        + table([624 if broken else 900, 2000, 6000], [row(["编号", "金额", "说明"], header=True),
                                                      row(["1", "x", "¥1,234.00"], jc=None if broken else "right")])
        + table([1361, 1587, 2041, 2041, 2154],
                [row(["环节", "姓名", "职务", "签字", "日期"], header=True)]
                + [row([x, "张三", "经理", "", "2026年1月1日"], height=400 if broken else 680) for x in ("编制", "审核", "批准")])
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1361" w:bottom="1417" '
          'w:left="1361" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>')
    document = f'<w:document xmlns:w="{W[1:-1]}"><w:body>{body}</w:body></w:document>'
    heading_bold = "" if broken else "<w:rPr><w:b/></w:rPr>"
    styles = (f'<w:styles xmlns:w="{W[1:-1]}"><w:style w:type="paragraph" w:styleId="Heading1">'
              f'<w:name w:val="heading 1"/>{heading_bold}</w:style>'
              '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>'
              '</w:styles>')
    return Docx.parse(document.encode(), styles.encode())


@pytest.mark.parametrize("check, expect", [
    (rows_that_split, "lack w:trPr/w:cantSplit"),
    (header_rows_not_repeated, "编号"),
    (short_signature_rows, "编制"),
    (left_aligned_amounts, "¥1,234.00"),
    (lambda doc: uncoloured_docx_status(doc, required=True), "绿"),
    (grids_too_wide, "9268"),
    (headers_that_wrap, "编号"),
    (headings_not_bold, "一、概况"),
], ids=["cantSplit", "tblHeader", "signature-height", "amount-alignment", "status-colour", "grid-width",
        "header-fit", "heading-bold"])
def test_docx_checkers_catch_defects(check, expect):
    assert check(tiny_docx(broken=False)) == [], "false alarm on the clean DOCX"
    problems = check(tiny_docx(broken=True))
    assert problems and any(expect in p for p in problems), problems
