"""One layout per document: the committed templates are what the layouts generate, a template
edited in Word is never overwritten silently, and the DOCX and the PDF of every built document
show the same headings in the same order and the same data."""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from salespm_docs.build import load_facts, Workspace
from salespm_docs.check import squash, strings_in
from salespm_docs.context import build_context
from salespm_docs.extract import docx_text, pdf_headings, pdf_pages
from salespm_docs.layout import Column, Heading, If, KeyValue, Layout, Para, Signatures, Table, generate, html, word
from salespm_docs.layout.word import LayoutError

from conftest import ROOT, cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# -- generated templates ----------------------------------------------------------------------

def test_committed_templates_are_what_the_layouts_generate():
    assert generate.stale(ROOT / "templates") == [], "run `make templates` and commit the result"
    assert generate.edited(ROOT / "templates") == []


def test_every_registered_document_has_a_layout():
    """Every document rendered to DOCX, PDF or XLSX has a layout, and only those: MAIL (``.eml``
    only) has its own renderer (``render/mail.py``), no layout and no templates."""
    from salespm_docs.artifacts.registry import buildable

    documents = buildable()
    assert {a.code for a in documents if a.laid_out} == set(generate.layouts())
    assert {a.code for a in documents if not a.laid_out} == {"MAIL"}
    assert all(a.formats == ("eml",) for a in documents if not a.laid_out)


def _copy_templates(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path / "templates"


def _restyle_in_word(path: Path) -> None:
    """What Word does when a user restyles the template: the package is rewritten."""
    import docx

    document = docx.Document(str(path))
    document.styles["Normal"].font.size = docx.shared.Pt(11)
    document.save(str(path))


@pytest.mark.slow
def test_regenerating_keeps_a_template_edited_in_word(tmp_path):
    templates = _copy_templates(tmp_path)
    _restyle_in_word(templates / "docx" / "CHT.docx")
    edited = (templates / "docx" / "CHT.docx").read_bytes()
    outcome = generate.write_templates(templates)
    assert outcome.kept == ["docx/CHT.docx"]
    assert outcome.written == []
    assert (templates / "docx" / "CHT.docx").read_bytes() == edited
    result = cli(tmp_path, "templates", "CHT")  # the CLI on the charter alone (every template: above)
    assert result.exit_code == 1
    assert "未覆盖 templates/docx/CHT.docx：它在上次生成之后被修改过" in result.stderr
    check = cli(tmp_path, "templates", "--check", "cht")
    assert check.exit_code == 1 and "templates/docx/CHT.docx：已手动修改" in check.stdout
    unknown = cli(tmp_path, "templates", "CHX")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("错误：没有文档代码「CHX」的版式；是否想写「CHT」？")
    forced = generate.write_templates(templates, ["CHT"], force=True)
    assert forced.written == ["docx/CHT.docx"]
    assert generate.stale(templates) == []


@pytest.mark.slow
def test_regenerating_rewrites_an_untouched_outdated_template(tmp_path):
    """A template as last generated, whose layout has changed since, is regenerated."""
    templates = _copy_templates(tmp_path)
    target = templates / "html" / "ACC.html"
    target.write_text(target.read_text(encoding="utf-8") + "<!-- older layout -->\n", encoding="utf-8")
    record = generate.read_record(templates)
    record["html/ACC.html"] = generate._sha(target.read_bytes())  # as if it had been generated so
    (templates / generate.RECORD).write_text(__import__("json").dumps(record), encoding="utf-8")
    assert generate.stale(templates) == ["html/ACC.html"]
    check = cli(tmp_path, "templates", "--check", "ACC")
    assert check.exit_code == 1 and "templates/html/ACC.html：与版式描述不一致" in check.stdout
    result = cli(tmp_path, "templates")
    assert result.exit_code == 0, result.output
    assert "已生成 templates/html/ACC.html" in result.stdout
    assert cli(tmp_path, "templates", "--check").stdout.strip() == "模板与版式描述一致。"


def test_generated_templates_are_reproducible():
    layout = generate.layouts()["WEEK"]
    assert generate.docx_template(layout) == generate.docx_template(layout)
    assert generate.html_template(layout) == generate.html_template(layout)


# -- the writers ------------------------------------------------------------------------------

def test_a_column_too_narrow_for_its_header_is_refused():
    layout = Layout("X", (Table((Column("关键决策人", "{{ x }}", .05), Column("说明", "{{ y }}")), loop="r in rows"),),
                    cover=False)
    with pytest.raises(LayoutError, match="版式 X：列标题「关键决策人」单行需要"):
        word.render(layout)


def test_column_shares_over_the_text_width_are_refused():
    layout = Layout("X", (Table((Column("甲", "", .7), Column("乙", "", .4)), loop="r in rows"),), cover=False)
    with pytest.raises(LayoutError, match="各列宽度（width）之和为 1.100"):
        word.render(layout)


def test_grid_widths_add_up_to_the_text_width():
    layout = Layout("X", (Table((Column("编号", "", .08), Column("说明", ""), Column("日期", "", .15)),
                                loop="r in rows"), KeyValue((("甲", "乙"),))), cover=False)
    document = word.render(layout)
    section = document.sections[0]
    text_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    for table in document.tables:
        cols = [int(c.get(W + "w")) for c in table._tbl.tblGrid.findall(W + "gridCol")]
        assert sum(cols) == text_width


def test_literal_text_is_escaped_in_html_and_tags_kept():
    out = html.block(Para("< {{ a|num }} 分 & {% if b %}x{% endif %}"))
    assert out == "<p>&lt; {{ a|num }} 分 &amp; {% if b %}x{% endif %}</p>"


def test_upper_amount_never_breaks_in_html():
    out = html.block(Para("总额：{{ t|upper_cny }}（{{ t|yuan }}）"))
    assert '<span class="amount">{{ t|upper_cny }}</span>' in out


def test_if_and_signatures_in_both_writers():
    layout = Layout("X", (If("items", (Heading("有"),), (Para("无。"),)), Signatures("签字")), cover=False)
    text = html.render(layout)
    assert "{% if items %}" in text and "{% else %}" in text and '<table class="data keep sign">' in text
    document = word.render(layout)
    paragraphs = [p.text for p in document.paragraphs]
    assert "{%p if items %}" in paragraphs and "{%p else %}" in paragraphs and "{%p endif %}" in paragraphs
    rows = document.tables[0]._tbl.findall(W + "tr")
    heights = [tr.find(f"{W}trPr/{W}trHeight") for tr in rows]
    assert heights[0] is None and int(heights[2].get(W + "val")) >= 680  # the loop row is tall


# -- parity of the built formats --------------------------------------------------------------

def _docx_paragraphs(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(W + "t")) for p in body.iter(W + "p")]


FURNITURE = re.compile(r"^(.*文档编号：.*版本：.*|第 \d+ 页 共 \d+ 页|•\s*)$")


def _pdf_body(path: Path) -> str:
    """The PDF's text without the running header, the footer and bullet marks, pages joined."""
    lines = [line for page in pdf_pages(path) for line in page.splitlines() if not FURNITURE.match(line)]
    return unicodedata.normalize("NFKC", squash("\n".join(lines)))


def _documents(examples_built):
    root, results = examples_built
    for slug, result in results.items():
        for document in result.documents:
            files = {f.format: f.path for f in document.files}
            if {"docx", "pdf"} <= set(files):  # not the weekly mail (.eml only: tests/test_mail.py)
                yield slug, document, files


def test_docx_and_pdf_show_the_same_headings(examples_built):
    checked = 0
    for slug, document, files in _documents(examples_built):
        docx_headings = [squash(h) for h in docx_text(files["docx"]).headings if squash(h)]
        pdf = [squash(h) for h in pdf_headings(files["pdf"])]
        # the PDF outline holds the section headings (h1 … h3); the DOCX adds the cover title
        assert docx_headings[1:] == pdf[1:] and docx_headings[0] == pdf[0], (
            f"{slug} {document.instance.label}: DOCX {docx_headings} ≠ PDF {pdf}")
        checked += 1
    assert checked == (29 + 3 + 4 + 4 + 9 + 5) + (13 + 3 + 4 + 4 + 7 + 2)  # huaxing-crm and yuanhang-srm; schedule, registers, plans, the execution paperwork (REQ, SOL, CTR, PACC, MIN ×4/×3, CHG) and the closing documents (SAT ×3/×2, PERF, SALES) included


def test_docx_and_pdf_show_the_same_text_and_data(examples_built):
    root, _ = examples_built
    ws = Workspace(root)
    for slug, document, files in _documents(examples_built):
        pdf_all = _pdf_body(files["pdf"])
        docx_all = unicodedata.normalize("NFKC", squash("\n".join(_docx_paragraphs(files["docx"]))))
        for paragraph in _docx_paragraphs(files["docx"]):
            text = unicodedata.normalize("NFKC", squash(paragraph))
            if text:
                assert text in pdf_all, f"{slug} {document.instance.label}: PDF lacks DOCX text 「{paragraph}」"
        facts = load_facts(ws, slug)
        context = build_context(facts, document.instance.artifact, document.instance.key,
                                draft=not document.complete or facts.control(document.instance.artifact.code,
                                                                              document.instance.key)[0].status != "已批准")
        for value in strings_in(context):
            value = unicodedata.normalize("NFKC", squash(value))
            if len(value) < 2 or value.startswith("data:"):
                continue
            in_pdf, in_docx = value in pdf_all, value in docx_all
            assert in_pdf == in_docx, (f"{slug} {document.instance.label}: 「{value[:40]}」 "
                                       f"{'only in the PDF' if in_pdf else 'only in the DOCX'}")


def test_value_columns_keep_the_raw_value_and_one_number_policy():
    from salespm_docs.layout import money, percent
    from salespm_docs.layout.elements import FORMATS
    from salespm_docs.templating import make_env

    amount, share = money("金额", "b.amount", .2), percent("占比", "b.share", .1)
    assert (amount.value, amount.fmt, amount.align) == ("b.amount", "yuan", "right")
    assert FORMATS[share.fmt][1].format(zeros="0") == '0.0"%"'  # what an XLSX register will use
    env = make_env()
    from decimal import Decimal
    rows = [{"amount": Decimal("-1500"), "share": Decimal("7")}, {"amount": Decimal("2"), "share": Decimal("60.9")}]
    shown = [env.from_string(f"{amount.cell}|{share.cell}").render(b=r) for r in rows]
    assert shown == ["\u2212¥1,500.00|7.0%", "¥2.00|60.9%"]


UPPER = re.compile(r"人民币[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整正]+")


def test_upper_amounts_never_break_across_lines_in_the_pdf(examples_built):
    """A 大写金额 split over two lines breaks copy and search: every one stands on one line."""
    import subprocess

    seen = 0
    for slug, document, files in _documents(examples_built):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(files["pdf"]), "-"], capture_output=True,
                              text=True, check=True).stdout
        lines = [squash(line) for line in text.splitlines()]
        whole = squash(text)
        for match in UPPER.finditer(whole):
            seen += 1
            assert any(match.group() in line for line in lines), (
                f"{slug} {document.instance.label}: 「{match.group()}」 is broken across lines")
    assert seen >= 29  # every weekly report, the charter, the assessment and the acceptance report


def test_page_fields_carry_no_stale_cached_page_count(examples_built):
    """PAGE / NUMPAGES are computed by Word, WPS and LibreOffice; the cached result a non-computing
    viewer would show is empty, never 「第 1 页 共 1 页」."""
    for slug, document, files in _documents(examples_built):
        with zipfile.ZipFile(files["docx"]) as z:
            footers = [etree.fromstring(z.read(n)) for n in z.namelist() if n.startswith("word/footer")]
        fields = [f for x in footers for f in x.iter(W + "fldSimple")]
        assert sorted(f.get(W + "instr").strip() for f in fields) == ["NUMPAGES", "PAGE"], slug
        assert all("".join(t.text or "" for t in f.iter(W + "t")) == "" for f in fields), (
            f"{slug} {document.instance.label}: a cached page number in the footer")


def test_a_named_block_has_a_writer_per_format_and_a_missing_one_is_refused():
    from salespm_docs.layout import Named
    from salespm_docs.layout.word import WordWriter

    def html_chart(source: str) -> str:
        return f'<figure class="chart"><img src="{{{{ {source} }}}}"></figure>'

    def docx_chart(writer: WordWriter, source: str) -> None:
        writer.doc.add_paragraph(f"{{{{ {source} }}}}")

    named = {"html": {"chart": html_chart}, "docx": {"chart": docx_chart}}
    layout = Layout("X", (Heading("图表"), Named("chart", ("charts.s_curve",))), cover=False)
    assert '<figure class="chart"><img src="{{ charts.s_curve }}"></figure>' in html.render(layout, named["html"])
    assert "{{ charts.s_curve }}" in [p.text for p in word.render(layout, named["docx"]).paragraphs]
    with pytest.raises(LayoutError, match="命名块「chart」没有 HTML 写法"):
        html.render(layout, {})
    with pytest.raises(LayoutError, match="命名块「chart」没有 Word 写法"):
        word.render(layout, {})
