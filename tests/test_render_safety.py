"""Safe by default: escaping, sandbox, StrictUndefined, the URL fetcher, and the rendered-file rules."""

from __future__ import annotations


import pytest
from docx import Document

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, build, load_facts
from salespm_docs.errors import DataError, TemplateError
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.render.pdf import PdfRenderer

from conftest import EXAMPLE, ROOT, _copy_of_built, cli, make_workspace

load_all()
DOCX = "CHT_项目章程_V1.0.docx"
PDF = "CHT_项目章程_V1.0.pdf"


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))


@pytest.fixture
def built(tmp_path_factory):
    """A copy of the examples built once per session: a build after one template or one field
    changes re-renders only the documents that read it, so a test pays for those, not for all."""
    return _copy_of_built(tmp_path_factory, "render-safety")


def set_background(ws, text: str, escape: bool = True) -> None:
    path = ws / "projects" / EXAMPLE / "project.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("  background:"))
    end = next(i for i, l in enumerate(lines) if l.startswith("  purpose:"))
    quoted = text.replace("\\", "\\\\").replace('"', '\\"') if escape else text
    lines[start:end] = [f'  background: "{quoted}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


HOSTILE = "A&B <b>粗</b> \"引号\" '单引号' {{ 7*7 }} {% for x in y %} <img src=\"file:///etc/passwd\">"


def test_hostile_text_is_rendered_literally_in_docx_and_pdf(ws, tmp_path):
    """The charter shows project.background first: rendered alone, with its data and rendered checks."""
    set_background(ws, HOSTILE)
    workspace = Workspace(ws)
    (tmp_path / "out").mkdir()
    result = Renderer(workspace).render(load_facts(workspace, EXAMPLE), Instance(REGISTRY["CHT"]), tmp_path / "out")
    files = {f.format: f.path for f in result.files}
    docx = docx_text(files["docx"]).text
    pdf = pdf_text(files["pdf"])[0]
    for text in (docx, pdf.replace("\n", "")):
        assert HOSTILE in text
        assert "49" not in text.replace("2026-01-09", "")
    assert not any(f.rule == "R-COM-6" for f in result.findings), result.findings


def test_fetcher_serves_templates_only(ws):
    renderer = PdfRenderer(ws / "templates")
    target = ws / "x.pdf"
    renderer.write('<link rel="stylesheet" href="file:///etc/passwd"><img src="file:///etc/hostname">'
                   '<img src="http://example.com/a.png"><p style="background: url(../../../etc/passwd)">x</p>'
                   '<link rel="stylesheet" href="base.css">', target)
    refused = " ".join(renderer.fetcher.refused)
    assert "file:///etc/passwd" in refused and "file:///etc/hostname" in refused
    assert "http://example.com/a.png" in refused
    assert target.exists()


def test_control_characters_are_refused_with_a_message(ws):
    set_background(ws, "正常文字\\x0b垂直制表", escape=False)  # a YAML escape: the parsed text holds U+000B
    with pytest.raises(DataError) as info:
        build(ws, EXAMPLE)
    assert "project.background: 含有不可见控制字符 U+000B（第 5 个字符），Word 文档无法保存该字符，请删除" in str(info.value)


def test_sandbox_blocks_python_internals(ws):
    html = ws / "templates" / "html" / "CHT.html"
    html.write_text(html.read_text(encoding="utf-8").replace(
        "<h2>一、项目背景与目的</h2>", "<h2>一、项目背景与目的</h2>{{ project.__class__.__mro__ }}"), encoding="utf-8")
    line = _line_of(html, "<h2>一、项目背景与目的</h2>")
    with pytest.raises(TemplateError, match=f"templates/html/CHT.html:{line}: 模板试图访问受限的内部属性"):
        build(ws, EXAMPLE)


def _line_of(path, text: str) -> int:
    """The line of ``path`` holding ``text`` (the generated templates move as layouts change)."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_unknown_variable_names_template_line_and_variable(ws):
    html = ws / "templates" / "html" / "CHT.html"
    html.write_text(html.read_text(encoding="utf-8").replace("{{ project.purpose }}", "{{ project.porpose }}"),
                    encoding="utf-8")
    result = cli(ws, "build", EXAMPLE)
    assert result.exit_code == 2
    line = _line_of(html, "{{ project.porpose }}")
    assert result.stderr == (f"错误：templates/html/CHT.html:{line}: 模板使用了未定义的变量："
                             "'dict object' has no attribute 'porpose'\n")


def test_unknown_variable_in_docx_names_the_text_around_it(ws):
    path = ws / "templates" / "docx" / "CHT.docx"
    doc = Document(str(path))
    doc.add_paragraph("客户签收人：{{ client.signer }}")
    doc.save(str(path))
    with pytest.raises(TemplateError) as info:
        build(ws, EXAMPLE)
    message = str(info.value)
    assert message.startswith("templates/docx/CHT.docx: 模板使用了未定义的变量：'dict object' has no attribute 'signer'")
    assert "客户签收人" in message


def test_template_syntax_error_is_reported(ws):
    html = ws / "templates" / "html" / "CHT.html"
    html.write_text(html.read_text(encoding="utf-8").replace("{% for o in objectives %}", "{% for o in %}"),
                    encoding="utf-8")
    with pytest.raises(TemplateError, match=r"templates/html/CHT.html:\d+: 模板语法错误"):
        build(ws, EXAMPLE)


@pytest.mark.slow
def test_missing_heading_and_placeholder_are_found_in_rendered_pdf(built):
    html = built / "templates" / "html" / "CHT.html"
    text = html.read_text(encoding="utf-8").replace("<h2>九、成功标准</h2>", "<h2>九、TODO</h2>")
    html.write_text(text, encoding="utf-8")
    result = build(built, EXAMPLE)
    messages = [f.message for f in result.findings if f.rule == "R-COM-6"]
    assert "PDF 正文缺少必备章节标题「成功标准」" in messages
    assert any(m.startswith("PDF 中残留占位内容「TODO」") for m in messages)
    assert not any(m.startswith("DOCX") for m in messages)
    # a document failing an E rule is marked as a draft even though it is 已批准
    assert "「草稿」本文档尚未批准" in pdf_text(built / "output" / EXAMPLE / PDF)[0]


@pytest.mark.slow
def test_wrong_upper_amount_is_caught(built):
    html = built / "templates" / "html" / "CHT.html"
    html.write_text(html.read_text(encoding="utf-8").replace(
        '<span class="amount">{{ budget.total|upper_cny }}</span>（{{ budget.total|yuan }}）',
        "人民币叁佰陆拾万零壹元整（{{ budget.total|yuan }}）"),
        encoding="utf-8")
    result = build(built, EXAMPLE)
    [f] = [f for f in result.findings if f.rule == "R-COM-5"]
    assert f.message == "PDF 中大写「人民币叁佰陆拾万零壹元整」为 3600001.00，与小写 ¥3,600,000.00 不符"


@pytest.mark.slow
def test_iso_date_in_docx_prose_is_a_warning(built):
    path = built / "templates" / "docx" / "CHT.docx"
    doc = Document(str(path))
    doc.add_paragraph("本章程自 {{ project.start|iso }} 起生效。")
    doc.save(str(path))
    result = build(built, EXAMPLE)
    [f] = [f for f in result.findings if f.rule == "R-COM-7"]
    assert f.severity == "W"
    assert f.message == "正文日期应写作「2026年1月5日」格式：「本章程自 2026-01-05 起生效。」"
    [charter] = [d for d in result.documents if d.instance.artifact.code == "CHT"]
    assert charter.complete  # a warning never blocks


@pytest.mark.slow
def test_strict_check_fails_on_warnings(built):
    path = built / "templates" / "docx" / "CHT.docx"
    doc = Document(str(path))
    doc.add_paragraph("本章程自 {{ project.start|iso }} 起生效。")
    doc.save(str(path))
    assert cli(built, "check", "--strict", EXAMPLE).exit_code == 1


def test_raw_control_character_in_the_file_is_located(ws):
    path = ws / "projects" / EXAMPLE / "project.yaml"
    text = path.read_text(encoding="utf-8").replace("  name: 华星精密 CRM 系统部署项目", "  name: 华星\x1f精密", 1)
    path.write_text(text, encoding="utf-8")
    result = cli(ws, "check", EXAMPLE)
    assert result.exit_code == 2
    assert "projects/huaxing-crm/project.yaml:5: 含有不可见控制字符 U+001F，请删除（文件中不允许出现）" in result.stderr
