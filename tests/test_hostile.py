"""Hostile data renders literally and harms nothing.

Markup, template syntax, URLs, control characters, emoji, rare CJK, right-to-left text and long
unbroken strings in the fields the 项目章程 shows: each appears in the DOCX and the PDF exactly as
typed, nothing is evaluated or fetched, no glyph is lost, nothing runs off the page, and the files
are never corrupt. A control character is refused with a message before anything is written.
"""

from __future__ import annotations

import base64
import mimetypes
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document
from lxml import etree
from pypdf import PdfReader

import salespm_docs
from salespm_docs.build import Renderer, Workspace, build
from salespm_docs.check import PDF_FONTS, _font_coverage, missing_glyphs, pdf_font_findings, squash
from salespm_docs.errors import DataError
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.render.pdf import PdfRenderer, TemplatesOnlyFetcher

from conftest import FIXTURES, make_workspace, write_yaml

SLUG = "minimal"
DOCX = "CHT_项目章程_V0.1.docx"
PDF = "CHT_项目章程_V0.1.pdf"

#: 300 characters without a space or any other break opportunity.
LONG = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[i % 36] for i in range(300))
URL = ("https://example.com/" + "/".join(f"segment{i:03d}" for i in range(30))
       + "?token=" + "abcdef0123456789" * 4)

#: name → a string a user might type into any text field.
HOSTILE = {
    "xml-specials": "& < > \" '",
    "jinja-expression": "{{ 7*7 }}",
    "jinja-statement": "{% for %}",
    "img-file-url": '<img src="file:///etc/passwd">',
    "stylesheet-link": "<link rel=stylesheet href=http://example.com/x.css>",
    "css-url": '<p style="background:url(file:///etc/passwd)">',
    "emoji": "😀🚀",
    "cjk-extension-b": "𠀀𪚥",
    "hebrew": "שלום",
    "arabic": "مرحبا",
    "long-unbroken": LONG,
    "long-url": URL,
}
SHORT = {k: v for k, v in HOSTILE.items() if len(v) < 60}


def hostile_data() -> dict:
    """The minimal fixture with every hostile string in several fields the charter shows."""
    data = yaml.safe_load((FIXTURES / SLUG / "project.yaml").read_text(encoding="utf-8"))
    values = list(HOSTILE.values())
    data["project"]["background"] = "背景：" + " ".join(SHORT.values())
    data["project"]["purpose"] = LONG
    data["scope"] = {"included": values, "excluded": [URL, HOSTILE["img-file-url"]]}
    data["assumptions"] = [HOSTILE["css-url"], HOSTILE["cjk-extension-b"]]
    data["deliverables"] = [{"id": f"D{i}", "name": v, "description": v, "acceptance_criteria": v}
                            for i, v in enumerate(values, 1)]
    data["milestones"] = [{"id": "M1", "name": HOSTILE["jinja-statement"], "date": data["project"]["start"],
                           "deliverables": ["D1", "D2"]}]
    data["risks"] = [{"id": f"R{i}", "description": v, "actions": v} for i, v in enumerate(values, 1)]
    return data


# -- recording what the build touches ---------------------------------------------------------

_EVENTS: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _EVENTS is not None and (event == "open" or event.startswith(("socket.", "urllib."))):
        _EVENTS.append((event, str(args[0]) if args else ""))


sys.addaudithook(_audit)  # permanent for the process, but records only while a build below runs

# The 风险登记册's heat map is drawn into the Word file by cairosvg. Importing it loads cairo through
# ctypes.util.find_library, which runs ldconfig and gcc with /dev/null and temporary files: library
# discovery, once per process, not anything the build opens. Done here, before any recording.
import cairosvg.surface  # noqa: E402,F401


class Built:
    """One build of the hostile data: paths, findings, and everything it fetched or opened."""

    def __init__(self, root: Path, result, fetched: list[str], refused: list[str], html: list[str],
                 events: list[tuple[str, str]]):
        self.root, self.result, self.fetched, self.refused, self.html, self.events = (
            root, result, fetched, refused, html, events)
        self.out = root / "output" / SLUG
        self.docx = docx_text(self.out / DOCX)
        self.pdf = pdf_text(self.out / PDF)[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    global _EVENTS
    root = make_workspace(tmp_path_factory.mktemp("hostile"), (SLUG, FIXTURES / SLUG))
    write_yaml(root / "projects" / SLUG / "project.yaml", hostile_data())
    fetched: list[str] = []
    html: list[str] = []
    original_fetch, original_write = TemplatesOnlyFetcher.fetch, PdfRenderer.write

    def fetch(self, url, headers=None):
        fetched.append(url)
        return original_fetch(self, url, headers)

    def write(self, text, target):
        html.append(text)
        return original_write(self, text, target)

    renderer = Renderer(Workspace(root))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(TemplatesOnlyFetcher, "fetch", fetch)
        mp.setattr(PdfRenderer, "write", write)
        _EVENTS = []
        try:
            result = build(root, SLUG, renderer=renderer)
        finally:
            events, _EVENTS = _EVENTS, None
    return Built(root, result, fetched, renderer.pdf.fetcher.refused, html, events)


# -- the files are whole -----------------------------------------------------------------------

def test_docx_opens_and_every_xml_part_parses(built):
    document = Document(str(built.out / DOCX))
    assert document.tables, "python-docx found no table in the charter"
    with zipfile.ZipFile(built.out / DOCX) as z:
        assert z.testzip() is None
        parts = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
        assert "word/document.xml" in parts
        for name in parts:
            etree.fromstring(z.read(name))  # raises on a corrupt part


def test_pdf_opens(built):
    reader = PdfReader(str(built.out / PDF))
    assert len(reader.pages) >= 2
    assert all(page.extract_text() for page in reader.pages)


# -- literal text ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", HOSTILE)
def test_string_is_in_docx_exactly_as_typed(built, name):
    value = HOSTILE[name]
    rows = [row for table in built.docx.tables for row in table]
    assert any(row[1:4] == [value, value, value] for row in rows), f"交付物表格中没有原样的「{value}」"
    assert any(row[1] == value and row[4] == value for row in rows if len(row) == 6 and row[0].startswith("R"))
    assert value in built.docx.prose, "范围清单中没有原样的该项"


@pytest.mark.parametrize("name", HOSTILE)
def test_string_is_in_pdf(built, name):
    value = HOSTILE[name]
    # a table cell wraps the text, and extraction puts a line break where it wrapped
    assert squash(built.pdf).count(squash(value)) >= 6  # deliverables ×3, risks ×2, scope


@pytest.mark.parametrize("name", SHORT)
def test_short_string_is_a_pdf_line_exactly_as_typed(built, name):
    lines = [line.strip() for line in built.pdf.splitlines()]
    assert SHORT[name] in lines  # the scope bullet, spaces and all


def test_template_syntax_in_data_is_not_evaluated(built):
    for text in (built.docx.text, built.pdf):
        assert "49" not in text
        assert squash(text).count("{{7*7}}") >= 7
    assert built.docx.text.count("{{ 7*7 }}") >= 7
    assert built.docx.text.count("{% for %}") >= 8  # one more: the milestone


def test_markup_in_data_is_escaped_in_the_html(built):
    # the charter, and the 风险登记册 whose risks carry the same strings
    assert len(built.html) == 2
    for page in built.html:
        for value in (HOSTILE["img-file-url"], HOSTILE["stylesheet-link"], HOSTILE["css-url"]):
            assert value not in page
    [html] = [h for h in built.html if "项目章程" in h]
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "&lt;link rel=stylesheet href=http://example.com/x.css&gt;" in html
    assert "&lt;p style=&#34;background:url(file:///etc/passwd)&#34;&gt;" in html
    assert "{{ 7*7 }}" in html and "{% for %}" in html


def test_pdf_has_no_link_and_no_picture(built):
    """Images only as glyphs of a colour emoji font (WeasyPrint names them /i<font prefix><glyph>)."""
    reader = PdfReader(str(built.out / PDF))
    for page in reader.pages:
        assert "/Annots" not in page
        prefixes = tuple("/i" + str(f.get_object()["/BaseFont"]).lstrip("/").split("+")[0]
                         for f in page["/Resources"]["/Font"].values())
        for name, xobject in page["/Resources"].get("/XObject", {}).items():
            if xobject.get_object().get("/Subtype") == "/Image":
                assert name.startswith(prefixes), f"PDF 中有非字形图片 {name}"


def test_rendered_file_rules_find_nothing_in_the_data(built):
    """R-COM-6 sees the hostile strings as data: no leftover syntax, no missing value, no lost glyph."""
    findings = [f for f in built.result.findings if f.rule in ("R-COM-5", "R-COM-6")
                and "表格只有表头" not in f.message]
    assert findings == []


# -- nothing fetched, nothing opened outside -------------------------------------------------------

def test_only_the_stylesheet_is_fetched(built):
    templates = (built.root / "templates").resolve()
    assert built.refused == []
    assert built.fetched, "the fetcher was not used at all: the recording is broken"
    files = [u for u in built.fetched if not u.startswith("data:")]
    for url in files:
        assert url.startswith("file://")
        assert Path(url.removeprefix("file://")).resolve().is_relative_to(templates)
    assert [u.rsplit("/", 1)[-1] for u in files] == ["base.css", "base.css"]
    # the only data URL is the 风险登记册's heat map, our own SVG (decoded by the fetcher, not urllib)
    [chart] = [u for u in built.fetched if u.startswith("data:")]
    assert chart.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(chart.split(",", 1)[1]).startswith(b"<svg ")


def test_no_network_and_no_file_outside_the_workspace_is_opened(built):
    """Python-level opens during the build: the workspace, Python itself, the font files the
    glyph check reads (fontconfig and Pango open fonts in C, unseen here) and the process's own
    ``/proc/self/status`` (its peak memory, for the report)."""
    assert built.events, "the audit hook recorded nothing: the recording is broken"
    assert [e for e in built.events if e[0] != "open"] == []  # no socket, no urllib
    root = built.root.resolve()
    allowed = [root / "templates", root / "projects" / SLUG, root / "output", Path(sys.prefix).resolve(),
               Path(sys.base_prefix).resolve(), Path(salespm_docs.__file__).resolve().parent,
               Path("/usr/share/fonts"), *(Path(f) for f in mimetypes.knownfiles),
               Path("/proc/self/status").resolve()]
    opened = {Path(path).resolve() for event, path in built.events if event == "open" and not path.isdigit()}
    assert any(p.is_relative_to(root / "templates") for p in opened)
    outside = sorted(str(p) for p in opened if not any(p.is_relative_to(a) for a in allowed))
    assert outside == [], outside


def test_the_fetcher_would_have_refused_the_data_urls(tmp_path):
    """The escaping is what keeps these out; the fetcher is the second wall."""
    root = make_workspace(tmp_path)
    renderer = PdfRenderer(root / "templates")
    renderer.write(HOSTILE["img-file-url"] + HOSTILE["stylesheet-link"] + HOSTILE["css-url"] + "x</p>",
                   tmp_path / "raw.pdf")
    assert set(renderer.fetcher.refused) == {"file:///etc/passwd", "http://example.com/x.css"}


# -- fonts: no lost glyph -------------------------------------------------------------------------

def test_pdf_fonts_cover_every_hostile_string():
    coverage = _font_coverage()
    for ch in "😀🚀𠀀𪚥שמ" + "مرحبا":
        assert ord(ch) in coverage, f"PDF 字体不含「{ch}」U+{ord(ch):04X}：请运行 scripts/install-system-deps.sh"
    assert missing_glyphs(HOSTILE.values()) == []
    assert pdf_font_findings("CHT", "x.pdf", HOSTILE.values()) == []


def test_font_check_can_fail():
    """A character no font has (a private-use code point) is reported, so the check above means something."""
    [finding] = pdf_font_findings("CHT", "x.pdf", {"deliverables": [{"name": "交付物\U000F0001"}]})
    assert finding.rule == "R-COM-6"
    assert finding.message == ("deliverables[0].name 中的字符「\U000F0001」（U+F0001）没有任何内置字体能显示，"
                               "PDF 中将显示为方框：请改用常用字或删除")


def test_every_named_font_is_installed():
    for family in PDF_FONTS:
        found = subprocess.run(["fc-match", "-f", "%{family}", family], capture_output=True, text=True,
                               check=True).stdout
        assert family in found.split(","), f"字体 {family} 未安装（fc-match 给出 {found}）：请运行 scripts/install-system-deps.sh"


def test_the_stylesheet_names_the_same_fonts():
    css = (Path(__file__).resolve().parent.parent / "templates" / "html" / "base.css").read_text(encoding="utf-8")
    stack = ", ".join(f'"{f}"' for f in PDF_FONTS)
    assert f"font-family: {stack}," in " ".join(css.split())


def test_rare_glyphs_come_from_the_fallback_fonts(built):
    reader = PdfReader(str(built.out / PDF))
    fonts = {str(f.get_object()["/BaseFont"]).split("+", 1)[-1]
             for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any(f.startswith("HanaMinB") for f in fonts), fonts
    # Pango draws emoji with a colour emoji font when one is installed, else with Symbola
    assert any(f.startswith(("Symbola", "Noto-Color-Emoji")) for f in fonts), fonts
    assert any(f.startswith("DejaVu-Sans") for f in fonts), fonts


# -- layout: nothing runs off the page ---------------------------------------------------------------

MM = 72 / 25.4


def test_no_word_runs_off_the_page(built):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) 未安装：请运行 scripts/install-system-deps.sh")
    xhtml = subprocess.run(["pdftotext", "-bbox", str(built.out / PDF), "-"], capture_output=True,
                           check=True).stdout
    tree = etree.fromstring(xhtml, etree.XMLParser(recover=True))
    pages = tree.findall(".//{*}page")
    assert len(pages) == len(PdfReader(str(built.out / PDF)).pages)
    lines_of_long = set()
    for number, page in enumerate(pages, 1):
        width = float(page.get("width"))
        right = width - 20 * MM + 0.5  # the right margin of base.css, half a point of tolerance
        for word in page.iter("{*}word"):
            x_min, x_max = float(word.get("xMin")), float(word.get("xMax"))
            assert 20 * MM - 0.5 <= x_min and x_max <= right, (
                f"第 {number} 页的「{word.text[:40]}」超出版心：x {x_min:.1f}–{x_max:.1f}，版心右边界 {right:.1f}")
            if word.text and "ABCDEFGHIJ" in word.text:
                lines_of_long.add((number, word.get("yMin")))
    assert len(lines_of_long) >= 3, "the long string did not wrap"


# -- control characters are refused before anything is written ------------------------------------------

@pytest.mark.parametrize("line, message", [
    ('  background: "前\\x0b后"',
     "projects/minimal/project.yaml:7: project.background: 含有不可见控制字符 U+000B（第 2 个字符），"
     "Word 文档无法保存该字符，请删除"),
    ('  background: "前\\x1f后"',
     "projects/minimal/project.yaml:7: project.background: 含有不可见控制字符 U+001F（第 2 个字符），"
     "Word 文档无法保存该字符，请删除"),
    ("  background: 前\x0b后", "projects/minimal/project.yaml:7: 含有不可见控制字符 U+000B，请删除（文件中不允许出现）"),
    ("  background: 前\x1f后", "projects/minimal/project.yaml:7: 含有不可见控制字符 U+001F，请删除（文件中不允许出现）"),
], ids=["yaml-escape-0b", "yaml-escape-1f", "raw-byte-0b", "raw-byte-1f"])
def test_control_character_is_refused_and_the_previous_output_is_untouched(tmp_path, line, message):
    root = make_workspace(tmp_path, (SLUG, FIXTURES / SLUG))
    build(root, SLUG)
    out = root / "output" / SLUG
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert DOCX in before and PDF in before
    path = root / "projects" / SLUG / "project.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  stage: 启动\n", f"  stage: 启动\n{line}\n", 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        build(root, SLUG)
    assert str(info.value) == f"项目数据有误（共 1 处）：\n  {message}"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    Document(str(out / DOCX))
    assert not list((root / "output").glob(f".{SLUG}.tmp-*"))  # no staging folder left behind


# -- invisible characters ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["软\u00ad件交付", "接口\u200b文档"], ids=["soft-hyphen", "zero-width-space"])
def test_invisible_character_in_a_key_value_is_not_missing_content(tmp_path, name):
    """A soft hyphen or a zero-width space draws nothing, so the PDF text has none: R-COM-6 must not
    call the deliverable missing (and mark the charter as a draft) for a character nobody can see."""
    data = yaml.safe_load((FIXTURES / SLUG / "project.yaml").read_text(encoding="utf-8"))
    data["deliverables"] = [{"id": "D1", "name": name}]
    root = make_workspace(tmp_path, (SLUG, FIXTURES / SLUG))
    write_yaml(root / "projects" / SLUG / "project.yaml", data)
    result = build(root, SLUG)
    assert name in docx_text(root / "output" / SLUG / DOCX).text
    assert [f.message for f in result.findings if "关键内容" in f.message] == []
