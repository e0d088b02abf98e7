"""Hostile templates and configuration, round two (issue 11).

A template cannot read outside its folder (a symlink out, a FIFO), a configuration file cannot be a
link out of its folder or a FIFO, a template cannot exhaust memory (``*``, ``**``, ``~``, ``%``,
``range``, the size of what it writes), and a Word template cannot ``include``. Each is refused with
a message naming the file (and the template line), exit 2, and nothing of the outside file is
written anywhere.
"""

from __future__ import annotations

import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from salespm_docs.config import load_settings
from salespm_docs.errors import ConfigError, TemplateError
from salespm_docs.extract import pdf_text
from salespm_docs.render.pdf import PdfRenderer
from salespm_docs.templating import make_env

from conftest import FIXTURES, cli, make_workspace

SLUG = "minimal"
ANCHOR = "<h2>一、项目背景与目的</h2>"
#: a line of /etc/passwd on every Linux system
PASSWD = "root:x:0:0"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", (SLUG, FIXTURES / SLUG))


def insert(path: Path, snippet: str) -> int:
    """Put ``snippet`` after the first heading of a copied HTML template; its line number."""
    text = path.read_text(encoding="utf-8")
    assert ANCHOR in text
    path.write_text(text.replace(ANCHOR, ANCHOR + snippet, 1), encoding="utf-8")
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if snippet in line)


def assert_nothing_leaked(root: Path) -> None:
    """No file the build left anywhere under ``root/output`` holds a line of /etc/passwd."""
    for path in (root / "output").rglob("*") if (root / "output").exists() else ():
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert PASSWD.encode() not in data, path
        if path.suffix == ".pdf":
            assert PASSWD not in "".join(pdf_text(path)[0]), path
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                assert not any(PASSWD.encode() in z.read(n) for n in z.namelist()), path


def build_error(root: Path) -> str:
    result = cli(root, "build", SLUG)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stderr.startswith("错误：")
    return result.stderr.removeprefix("错误：").rstrip("\n")


# -- 1. the HTML loader stays inside templates/html -------------------------------------------------

def test_include_of_a_symlink_out_of_the_templates_is_refused(ws):
    os.symlink("/etc/passwd", ws / "templates" / "html" / "evil.html")
    line = insert(ws / "templates" / "html" / "CHT.html", '{% include "evil.html" %}')
    assert build_error(ws) == (f"templates/html/CHT.html:{line}: "
                               "模板 templates/html/evil.html 指向模板目录之外的文件，已拒绝读取")
    assert_nothing_leaked(ws)


def test_a_refused_include_names_the_innermost_including_template(ws):
    html = ws / "templates" / "html"
    os.symlink("../../../outside.html", html / "evil.html")  # relative, out of the workspace
    (ws.parent / "outside.html").write_text(f"<p>{PASSWD}:/root:/bin/bash</p>", encoding="utf-8")
    (html / "part.html").write_text('<p>部分</p>\n{% include "evil.html" %}\n', encoding="utf-8")
    line = insert(html / "CHT.html", '{% include "part.html" %}')
    assert line > 2
    assert build_error(ws) == ("templates/html/part.html:2: "
                               "模板 templates/html/evil.html 指向模板目录之外的文件，已拒绝读取")
    assert_nothing_leaked(ws)


def test_a_symlink_to_another_project_file_is_refused_too(ws):
    """Inside the workspace but outside templates/html: the project data is no template."""
    os.symlink(ws / "projects" / SLUG / "project.yaml", ws / "templates" / "html" / "data.html")
    line = insert(ws / "templates" / "html" / "CHT.html", '{% include "data.html" %}')
    assert build_error(ws) == (f"templates/html/CHT.html:{line}: "
                               "模板 templates/html/data.html 指向模板目录之外的文件，已拒绝读取")


def test_a_list_include_does_not_skip_a_refused_name_silently(ws):
    os.symlink("/etc/passwd", ws / "templates" / "html" / "evil.html")
    line = insert(ws / "templates" / "html" / "CHT.html", '{% include ["evil.html", "base.css"] %}')
    assert build_error(ws) == (f"templates/html/CHT.html:{line}: "
                               "模板 templates/html/evil.html 指向模板目录之外的文件，已拒绝读取")


def test_the_main_template_as_a_symlink_out_is_refused(ws):
    html = ws / "templates" / "html" / "CHT.html"
    html.unlink()
    os.symlink("/etc/passwd", html)
    assert build_error(ws) == "模板 templates/html/CHT.html 指向模板目录之外的文件，已拒绝读取"
    assert_nothing_leaked(ws)


def test_include_of_a_fifo_is_refused_without_reading_it(ws):
    os.mkfifo(ws / "templates" / "html" / "pipe.html")
    line = insert(ws / "templates" / "html" / "CHT.html", '{% include "pipe.html" %}')
    assert build_error(ws) == f"templates/html/CHT.html:{line}: 模板 templates/html/pipe.html 不是普通文件，已拒绝读取"


def test_a_symlink_inside_the_folder_is_still_served(ws):
    html = ws / "templates" / "html"
    (html / "real.html").write_text("<p>{{ project.name }}</p>\n", encoding="utf-8")
    os.symlink("real.html", html / "alias.html")
    (html / "T.html").write_text('{% include "alias.html" %}', encoding="utf-8")
    renderer = PdfRenderer(ws / "templates")
    assert renderer.html("T.html", {"project": {"name": "甲"}}) == "<p>甲</p>\n"


def test_the_url_fetcher_refuses_a_symlink_out_and_a_fifo(ws):
    html = ws / "templates" / "html"
    os.symlink("/etc/passwd", html / "evil.css")
    os.mkfifo(html / "pipe.css")
    renderer = PdfRenderer(ws / "templates")
    target = ws / "x.pdf"
    renderer.write('<link rel="stylesheet" href="evil.css"><link rel="stylesheet" href="pipe.css">'
                   '<link rel="stylesheet" href="base.css"><p>x</p>', target)
    refused = " ".join(renderer.fetcher.refused)
    assert "evil.css" in refused and "pipe.css" in refused and "base.css" not in refused
    assert PASSWD not in "".join(pdf_text(target)[0])


# -- 2. configuration files stay inside their folder ---------------------------------------------------

def test_project_config_symlinked_out_of_the_project_is_refused(ws):
    outside = ws.parent / "config.yaml"
    outside.write_text("payment:\n  cycle_days_target: 45\n", encoding="utf-8")
    os.symlink(outside, ws / "projects" / SLUG / "config.yaml")
    assert build_error(ws) == f"配置文件 projects/{SLUG}/config.yaml 指向项目文件夹之外的文件，已拒绝读取"


def test_project_config_symlinked_to_another_project_is_refused(ws):
    other = ws / "projects" / "other"
    other.mkdir()
    (other / "config.yaml").write_text("payment:\n  cycle_days_target: 45\n", encoding="utf-8")
    os.symlink("../other/config.yaml", ws / "projects" / SLUG / "config.yaml")
    with pytest.raises(ConfigError) as info:
        load_settings(ws, ws / "projects" / SLUG)
    assert str(info.value) == f"配置文件 projects/{SLUG}/config.yaml 指向项目文件夹之外的文件，已拒绝读取"


def test_company_config_symlinked_out_of_the_root_is_refused(ws):
    os.symlink("/etc/passwd", ws / "salespm.yaml")
    assert build_error(ws) == "配置文件 salespm.yaml 指向根目录之外的文件，已拒绝读取"


def test_a_config_symlink_inside_its_folder_is_read(ws):
    folder = ws / "projects" / SLUG
    (folder / "thresholds.yml").write_text("payment:\n  cycle_days_target: 45\n", encoding="utf-8")
    os.symlink("thresholds.yml", folder / "config.yaml")
    assert load_settings(ws, folder).payment.cycle_days_target == 45


@pytest.mark.parametrize("name, display", [("salespm.yaml", "salespm.yaml"),
                                           (f"projects/{SLUG}/config.yaml", f"projects/{SLUG}/config.yaml")],
                         ids=["company", "project"])
def test_a_fifo_config_is_refused_without_hanging(ws, name, display):
    fifo = ws / name
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_settings(ws, ws / "projects" / SLUG)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 -- handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():  # the reader is blocked in open(): release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"reading {display} hung on the FIFO")
    assert isinstance(outcome[0], ConfigError), outcome
    assert str(outcome[0]) == f"配置文件 {display} 不是普通文件，已拒绝读取"


def test_a_folder_named_config_yaml_is_refused(ws):
    (ws / "projects" / SLUG / "config.yaml").mkdir()
    assert build_error(ws) == f"配置文件 projects/{SLUG}/config.yaml 不是普通文件，已拒绝读取"


# -- 3. templates cannot exhaust memory ----------------------------------------------------------------

def test_a_huge_string_product_in_the_html_is_refused(ws):
    line = insert(ws / "templates" / "html" / "CHT.html", "{{ project.name * 100000000 }}")
    n = len("最小示例项目") * 100000000
    assert build_error(ws) == (f"templates/html/CHT.html:{line}: "
                               f"模板超出资源限制：运算 * 的结果过大（{n} 个字符，上限 1000000）")


def test_x_times_ten_to_the_twelve_is_a_template_error_not_an_internal_error(ws):
    line = insert(ws / "templates" / "html" / "CHT.html", "{{ 'x' * 10**12 }}")
    assert build_error(ws) == (f"templates/html/CHT.html:{line}: "
                               "模板超出资源限制：运算 * 的结果过大（1000000000000 个字符，上限 1000000）")


@pytest.mark.parametrize("body, message", [
    ("{{ 'x' * 10**12 }}", "运算 * 的结果过大（1000000000000 个字符，上限 1000000）"),
    ("{{ 10**12 * 'x' }}", "运算 * 的结果过大（1000000000000 个字符，上限 1000000）"),
    ("{{ [0] * 2000000 }}", "运算 * 的结果过大（2000000 个元素，上限 1000000）"),
    ("{{ 9 ** 99999 }}", "运算 ** 的结果过大（超过 10000 位二进制数）"),
    ("{{ 2**4000 * 2**4000 * 2**4000 }}", "运算 * 的结果过大（超过 10000 位二进制数）"),
    ("{{ 2.5 ** 100000 }}", "运算 ** 的指数过大（100000，上限 1000）"),
    ("{{ 10.0 ** 400 }}", "运算 ** 失败（OverflowError）"),
    ("{% set s = 'x' * 600000 %}{{ s ~ s }}", "运算 ~ 的结果过大（1200000 个字符，上限 1000000）"),
    ("{% set s = 'x' * 600000 %}{{ s + s }}", "运算 + 的结果过大（1200000 个字符，上限 1000000）"),
    ("{{ '%999999999999s' % 'x' }}", "运算 % 的格式宽度过大（%999999999999，上限 1000000）"),
    ("{{ '%*s' % (10**9, 'x') }}", "运算 % 的格式宽度过大（%*，上限 1000000）"),
    ("{{ range(10**9) | list | length }}", "range 产生的元素过多（1000000000 个，上限 100000）"),
    ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
     "模板输出过大（超过 20000000 个字符）"),
], ids=["str-times-huge", "huge-times-str", "list-times", "power-tower", "int-times-int", "float-power",
        "float-overflow", "tilde-concat", "plus-concat", "percent-width", "percent-star", "range",
        "output-size"])
def test_every_bound_is_a_located_template_error(ws, body, message):
    (ws / "templates" / "html" / "T.html").write_text(f"<p>前</p>\n<p>中</p>\n{body}\n", encoding="utf-8")
    renderer = PdfRenderer(ws / "templates")
    with pytest.raises(TemplateError) as info:
        renderer.html("T.html", {"project": {"name": "甲"}})
    assert str(info.value) == f"templates/html/T.html:3: 模板超出资源限制：{message}"


def test_the_bounds_leave_ordinary_arithmetic_alone():
    env = make_env()
    text = env.from_string("{{ 3 * 4 }} {{ 'ab' * 3 }} {{ 2 ** 10 }} {{ range(3) | list }} {{ 'a' ~ 1 }} "
                           "{{ '%05d' % 3 }} {{ [1] * 3 }} {{ ('x' * 1000000) | length }}").render()
    assert text == "12 ababab 1024 [0, 1, 2] a1 00003 [1, 1, 1] 1000000"


def test_endless_macro_recursion_is_a_template_error(ws):
    (ws / "templates" / "html" / "T.html").write_text(
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}\n", encoding="utf-8")
    renderer = PdfRenderer(ws / "templates")
    with pytest.raises(TemplateError) as info:
        renderer.html("T.html", {})
    assert str(info.value) == "templates/html/T.html:1: 模板递归过深（宏调用自身？）"


# -- 4. Word templates ------------------------------------------------------------------------------

def _word_template_with(ws: Path, text: str) -> None:
    from docx import Document

    path = ws / "templates" / "docx" / "CHT.docx"
    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))


@pytest.mark.parametrize("tag, shown", [('{% include "x.xml" %}', "{% include %}"),
                                        ('{% import "x.xml" as x %}', "{% import %}"),
                                        ('{% from "x.xml" import y %}', "{% from … import %}")],
                         ids=["include", "import", "from-import"])
def test_include_in_a_word_template_is_a_template_error(ws, tag, shown):
    _word_template_with(ws, f"附件清单{tag}")
    message = build_error(ws)
    assert message.startswith(f"templates/docx/CHT.docx: 模板语法错误：Word 模板不能使用 {shown}"), message
    assert "附件清单" in message  # the text around the tag


def test_a_huge_product_in_a_word_template_is_a_template_error(ws):
    _word_template_with(ws, "{{ 'x' * 10**12 }}")
    assert build_error(ws) == ("templates/docx/CHT.docx: 模板超出资源限制："
                               "运算 * 的结果过大（1000000000000 个字符，上限 1000000）；"
                               "标签附近的文字：「{{ 'x' * 10**12 }}」")


def test_endless_recursion_in_a_word_template_is_a_template_error(ws):
    _word_template_with(ws, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
    assert build_error(ws) == "templates/docx/CHT.docx: 模板递归过深（宏调用自身？）"


def test_word_template_linked_outside_templates_is_refused(ws, tmp_path):
    """docxtpl gets the same resolve-and-check as the HTML loader: a Word template that is a
    symlink out of templates/docx/ is never opened."""
    import shutil

    outside = tmp_path / "outside.docx"
    shutil.copy(ws / "templates" / "docx" / "CHT.docx", outside)
    target = ws / "templates" / "docx" / "CHT.docx"
    target.unlink()
    target.symlink_to(outside)
    assert build_error(ws) == "Word 模板 templates/docx/CHT.docx 指向模板目录之外的文件，已拒绝读取"
    assert not (ws / "output" / SLUG).exists()
