"""The example's PDFs as files: small (compact font subsets), every font embedded and subset, no
glyph lost, tagged for accessibility.

All of it reads the example built once per session (``example_build``); render/pdf_tuning.py says
how the font subsets are made compact, tests/test_pdf_tuning.py compares them with plain WeasyPrint.
"""

from __future__ import annotations

import io
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject

from salespm_docs.build import Workspace, load_facts
from salespm_docs.check import shown, squash, strings_in
from salespm_docs.context import build_context, is_draft
from salespm_docs.extract import docx_text
from salespm_docs.render.pdf_tuning import _cff_charset, _sfnt_table

from conftest import EXAMPLE

MAX_BYTES_PER_PAGE = 40_000  # about 22–25 KB a page now; 90–100 KB with RETAIN_GIDS subsets
MAX_OPP_BYTES = 250_000  # the 6-page OPP: about 175 KB now, 586 KB before


@pytest.fixture(scope="module")
def pdfs(examples_built) -> list[Path]:
    """Every PDF of both example projects."""
    root, _results = examples_built
    found = sorted((root / "output").glob("*/*.pdf"))
    assert len(found) == (29 + 3 + 4 + 4 + 9 + 5) + (13 + 3 + 4 + 4 + 7 + 2), f"示例只生成了 {len(found)} 个 PDF"
    return found


@pytest.fixture(scope="module")
def readers(pdfs) -> dict[Path, PdfReader]:
    """One pypdf reader per PDF, shared by the tests (it keeps the objects it has parsed)."""
    return {path: PdfReader(str(path)) for path in pdfs}


def pdffonts(path: Path) -> list[list[str]]:
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True,
                          timeout=60).stdout.splitlines()[2:]
    return [row.split() for row in rows]


def first_of_each(example_build) -> list:
    """The first document of each kind (OPP, CHT, one WEEK…) that has both a PDF and a DOCX."""
    _out, result = example_build
    docs, seen = [], set()
    for doc in result.documents:
        formats = {f.format for f in doc.files}
        if doc.instance.artifact.code not in seen and {"pdf", "docx"} <= formats:
            seen.add(doc.instance.artifact.code)
            docs.append(doc)
    return docs


# ---------------------------------------------------------------------------------------- size

def test_pdfs_are_small(readers):
    sizes = {p.name: (p.stat().st_size, len(reader.pages)) for p, reader in readers.items()}
    heavy = {name: f"{size // 1024} KB / {pages} 页" for name, (size, pages) in sizes.items()
             if size > MAX_BYTES_PER_PAGE * pages}
    assert not heavy, f"每页平均超过 {MAX_BYTES_PER_PAGE // 1000} KB：{heavy}"
    opp = [size for name, (size, _pages) in sizes.items() if name.startswith("OPP_")]
    assert opp and max(opp) < MAX_OPP_BYTES, f"OPP PDF {max(opp, default=0) // 1024} KB"


# --------------------------------------------------------------------------------------- fonts

def test_every_font_embedded_and_subset(pdfs):
    for path in pdfs:
        fonts = pdffonts(path)
        assert fonts, f"{path.name} 中找不到任何字体"
        for row in fonts:
            name, emb, sub, uni = row[0], row[-5], row[-4], row[-3]
            assert (emb, sub, uni) == ("yes", "yes", "yes"), f"{path.name}: {' '.join(row)}"
            assert "+" in name, f"{path.name}: 子集字体名应带前缀：{name}"
        # Noto CJK goes in as a bare CID-keyed CFF (compact); "(OT)" is the RETAIN_GIDS OpenType file
        cjk = [" ".join(row) for row in fonts if "CJK" in row[0]]
        assert cjk and all("CID Type 0C" in row and "(OT)" not in row for row in cjk), f"{path.name}: {cjk}"


def _used_cids(cid_font) -> set[int]:
    """The CIDs that have a width in /W: the glyphs the pages draw with this font."""
    cids, items, i = set(), list(cid_font.get("/W", ArrayObject())), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1].get_object(), list):
            cids.update(range(first, first + len(items[i + 1].get_object())))
            i += 2
        else:
            cids.update(range(first, int(items[i + 1]) + 1))
            i += 3
    return cids


def _fonts(reader: PdfReader):
    """(name, CIDFont dictionary) of every composite font the pages use."""
    seen = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type0":
                seen[font["/BaseFont"]] = font["/DescendantFonts"][0].get_object()
    return seen.items()


def test_embedded_fonts_hold_every_used_glyph_and_little_else(readers):
    # The CIDs on the pages are the original glyph ids; the CFF charset of a compact subset says
    # which of its glyphs each CID is. Every used CID must be there (else the glyph is lost), and
    # nothing much besides (else the subset is not compact).
    checked = 0
    for path, reader in readers.items():
        for name, cid_font in _fonts(reader):
            font_file = cid_font["/FontDescriptor"]["/FontFile3"].get_object()
            assert font_file["/Subtype"] == "/CIDFontType0C", f"{path.name} {name}: {font_file['/Subtype']}"
            cids = _cff_charset(font_file.get_data())
            used = _used_cids(cid_font)
            assert cids and used, f"{path.name} {name}: 读不到 charset 或 /W"
            assert not used - set(cids), f"{path.name} {name}: 缺字形 CID {sorted(used - set(cids))[:10]}"
            # .notdef, and a few glyphs HarfBuzz's closure keeps (as it does in a RETAIN_GIDS subset)
            assert len(cids) <= len(used) + 10, f"{path.name} {name}: {len(cids)} 个字形，只用到 {len(used)} 个"
            checked += 1
    assert checked >= 2 * len(readers)


def test_no_glyph_lost(example_build):
    """Every data string the DOCX shows reads back from the PDF with pdftotext (the text layer)."""
    out, _result = example_build
    facts = load_facts(Workspace(out.parent.parent), EXAMPLE)
    docs = first_of_each(example_build)
    assert {d.instance.artifact.code for d in docs} >= {"OPP", "WEEK"}
    for doc in docs:
        artifact, key = doc.instance.artifact, doc.instance.key
        files = {f.format: out / f.path.name for f in doc.files}
        context = build_context(facts, artifact, key, is_draft(facts, artifact, key, not doc.complete))
        docx = squash(docx_text(files["docx"]).text)
        wanted = sorted({squash(s) for s in strings_in(context)} - {""})
        wanted = [s for s in wanted if s in docx]
        assert len(wanted) >= 10, f"{files['docx'].name}: 只有 {len(wanted)} 个数据字符串，比较没有意义"
        text = subprocess.run(["pdftotext", "-raw", str(files["pdf"]), "-"], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        # -raw: in drawing order, so the lines of a wrapped table cell stay together
        pages = [squash(page) for page in text.split("\f")]
        lost = [s for s in wanted if not shown(s, pages)]
        assert not lost, (f"{files['pdf'].name}: pdftotext 读不到 {len(lost)}/{len(wanted)} 个数据字符串："
                          f"{lost[:10]}")


def test_cff_charset_reader_refuses_name_keyed_and_broken_fonts():
    # A name-keyed CFF (most Latin OpenType fonts) has no CIDs: it keeps its RETAIN_GIDS subset.
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((250, 500))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({65: "A"})
    builder.setupCFF("Test", {}, {".notdef": pen.getCharString(), "A": pen.getCharString()}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Test", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    data = io.BytesIO()
    builder.save(data)
    cff = _sfnt_table(data.getvalue(), b"CFF ")
    assert cff and _cff_charset(cff) is None
    assert _sfnt_table(data.getvalue(), b"glyf") is None
    for broken in (b"", b"\x01\x00\x04", cff[:40]):
        assert _cff_charset(broken) is None


def test_cff_charset_reader_agrees_with_fonttools(readers):
    from fontTools.cffLib import CFFFontSet

    reader = next(r for p, r in readers.items() if p.name.startswith("OPP_"))
    checked = 0
    for _name, cid_font in _fonts(reader):
        cff = cid_font["/FontDescriptor"]["/FontFile3"].get_object().get_data()
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), None)
        names = fonts[fonts.fontNames[0]].charset
        assert fonts[fonts.fontNames[0]].ROS[1] == "Identity"
        expected = [0] + [int(n[3:]) for n in names[1:]]
        assert _cff_charset(cff) == expected and len(expected) > 10
        checked += 1
    assert checked >= 2


# ---------------------------------------------------------------------------------------- tags

def test_pdfs_are_tagged(readers):
    for path, reader in readers.items():
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root, f"{path.name} 没有结构树"
        assert root.get("/MarkInfo", {}).get("/Marked") == True, f"{path.name} 未标记为 Tagged PDF"  # noqa: E712
        assert root.get("/Lang") == "zh-CN", f"{path.name} 的语言：{root.get('/Lang')!r}"
    # the structure comes from the HTML: a title, section headings, tables with header cells
    kinds, stack = Counter(), [next(iter(readers.values())).trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kinds[node.get("/S")] += 1
            if "/K" in node:
                stack.append(node["/K"])
    assert all(kinds[k] for k in ("/Document", "/H1", "/H2", "/Table", "/TH", "/TD", "/P")), kinds
