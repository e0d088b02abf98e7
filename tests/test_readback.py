"""Reading rendered files back (issue 10): 大写 amounts in table cells (R-COM-5), PDF text with
fallback fonts and unusual line breaks (R-COM-6), characters no font can draw named by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from conftest import EXAMPLE, ROOT, make_workspace
from salespm_docs.build import Renderer, Workspace, load_facts, plan
from salespm_docs.check import missing_glyphs, pdf_font_findings, squash, table_findings
from salespm_docs.extract import Table, docx_text, html_tables, pdf_pages
from salespm_docs.manifest import write_manifest
from salespm_docs.results import BuildResult

PAYMENTS = [
    ["期次", "金额", "金额（大写）"],
    ["1", "¥1,409.50", "人民币壹仟肆佰零玖元伍角"],
    ["2", "¥6,007.14", "人民币陆仟零柒元壹角肆分"],
    ["合计", "¥7,416.64", "人民币柒仟肆佰壹拾陆元陆角肆分"],
]


def messages(rows, header_rows=0, fmt="docx"):
    return [f.message for f in table_findings("PAY", fmt, f"x.{fmt}", [Table(rows, header_rows)])]


def with_row(rows, r, c, text):
    rows = [list(row) for row in rows]
    rows[r][c] = text
    return rows


# -- 1. R-COM-5: a 大写 amount in a table cell beside its 小写 column -----------------------------

def test_a_correct_payment_table_has_no_finding():
    assert messages(PAYMENTS) == []
    assert messages(PAYMENTS, header_rows=1) == []


def test_a_wrong_upper_cell_is_reported_with_table_and_row():
    found = table_findings("PAY", "docx", "x.docx", [Table([["说明"], ["x"]]),
                                                     Table(with_row(PAYMENTS, 2, 2, "人民币陆仟零柒元壹角伍分"))])
    assert [(f.rule, f.severity, f.location) for f in found] == [("R-COM-5", "E", "x.docx")]
    assert found[0].message == ("DOCX 第 2 个表格第 3 行「2」：大写「人民币陆仟零柒元壹角伍分」读作 ¥6,007.15，"
                                "与小写 ¥6,007.14 不符")


def test_the_total_row_counts_like_any_row():
    [message] = messages(with_row(PAYMENTS, 3, 2, "人民币柒仟肆佰壹拾陆元"))
    assert message.startswith("DOCX 第 1 个表格第 4 行「合计」：大写金额「人民币柒仟肆佰壹拾陆元」在「元」后缺少「整」")


def test_an_invalid_upper_cell_is_reported():
    [message] = messages(with_row(PAYMENTS, 1, 2, "人民币壹仟肆佰零玖元伍毛"))
    assert "含不允许的字「毛」" in message and "第 2 行" in message


def test_small_and_upper_columns_named_by_their_headers():
    rows = [["小写金额", "大写金额"], ["1,680.32", "壹仟陆佰捌拾元叁角贰分"], ["107,000.53", "壹拾万零柒仟元伍角叁分"]]
    assert messages(rows) == []  # permitted variants, and bare numbers under a 小写 header
    [message] = messages(with_row(rows, 2, 1, "壹拾万柒仟元伍角肆分"))
    assert "与小写 ¥107,000.53 不符" in message


def test_the_upper_cell_is_paired_with_the_figure_of_the_same_name():
    rows = [["合同金额", "已回款金额", "合同金额（大写）"], ["¥5,000,000.00", "¥1,000.00", "人民币伍佰万元整"]]
    assert messages(rows) == []
    [message] = messages(with_row(rows, 1, 2, "人民币壹仟元整"))  # equals the other column, not its own
    assert message.endswith("与小写 ¥5,000,000.00 不符")


def test_a_label_value_table_pairs_upper_and_small_rows():
    rows = [["合同金额（小写）", "¥5,000,000.00"], ["合同金额（大写）", "人民币伍佰万元整"], ["已回款（小写）", "¥100.00"]]
    assert messages(rows) == []
    assert messages(with_row(rows, 1, 1, "人民币肆佰万元整")) == [
        "DOCX 第 1 个表格第 2 行「合同金额（大写）」：大写「人民币肆佰万元整」读作 ¥4,000,000.00，与小写 ¥5,000,000.00 不符"]
    assert messages([["小写金额", "¥5,000,000.00", "大写金额", "人民币伍佰万两元整"]]) == [
        "DOCX 第 1 个表格第 1 行「小写金额」：大写金额「人民币伍佰万两元整」含不允许的字「两」（应使用壹贰叁…、不得用两/毛/另）"]


def test_numbers_that_are_not_amounts_and_words_that_are_not_upper_are_left_alone():
    rows = [["项", "数量", "说明", "工期"], ["三角", "3", "十分", "5"], ["人民币", "2", "万元", "1"],
            ["人工", "1,200", "壹仟贰佰元整", "3"]]  # no ¥ and no 金额 / 小写 column: nothing to compare with
    assert messages(rows) == []
    assert messages([["金额（万元）", "金额（大写）"], ["500", "人民币伍佰万元整"], ["480万元", "人民币肆佰捌拾万元整"]]) == []


def _docx_with_table(path: Path, rows: list[list[str]], merge_first_two_of_last_row: bool = False) -> Path:
    document = Document()
    document.add_paragraph("回款计划")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
    if merge_first_two_of_last_row:
        last = table.rows[-1]
        last.cells[0].merge(last.cells[1])
    document.save(path)
    return path


def test_a_hand_made_docx_with_a_wrong_upper_cell(tmp_path):
    extracted = docx_text(_docx_with_table(tmp_path / "ok.docx", PAYMENTS))
    assert extracted.grids[0].header_rows == 1  # the tblHeader row
    assert extracted.grids[0].rows == PAYMENTS
    assert table_findings("PAY", "docx", "ok.docx", extracted.grids) == []
    extracted = docx_text(_docx_with_table(tmp_path / "wrong.docx", with_row(PAYMENTS, 1, 2, "人民币壹仟肆佰零玖元伍角伍分")))
    [finding] = table_findings("PAY", "docx", "wrong.docx", extracted.grids)
    assert finding.message == ("DOCX 第 1 个表格第 2 行「1」：大写「人民币壹仟肆佰零玖元伍角伍分」读作 ¥1,409.55，"
                               "与小写 ¥1,409.50 不符")


def test_merged_cells_keep_the_columns_in_place(tmp_path):
    """合计 merged across 期次 and 金额 would shift the 大写 cell under the wrong header otherwise."""
    rows = [["期次", "金额", "金额（大写）"], ["1", "¥1,000.00", "人民币壹仟元整"], ["合计", "", "人民币壹仟元"]]
    extracted = docx_text(_docx_with_table(tmp_path / "merged.docx", rows, merge_first_two_of_last_row=True))
    assert extracted.grids[0].rows[2][1] is None
    [finding] = table_findings("PAY", "docx", "merged.docx", extracted.grids)
    assert finding.message.startswith("DOCX 第 1 个表格第 3 行「合计」：大写金额「人民币壹仟元」在「元」后缺少「整」")


def test_html_tables_keep_thead_colspan_and_cells():
    html = ("<html><body><table><thead><tr><th>期次</th><th colspan='2'>金额</th></tr>"
            "<tr><th></th><th>小写</th><th>大写</th></tr></thead><tbody>"
            "<tr><td>1</td><td>¥1,000.00</td><td>人民币<br>壹仟元整</td></tr>"
            "<tr><td>2</td><td>¥2,000.00<table><tr><td>¥9.00</td></tr></table></td><td>人民币贰仟元整</td></tr>"
            "<tr><td colspan='2'>合计</td><td>人民币叁仟元整</td></tr></tbody></table></body></html>")
    outer, inner = html_tables(html)
    assert outer.header_rows == 2
    assert outer.rows[0] == ["期次", "金额", None]
    assert outer.rows[2] == ["1", "¥1,000.00", "人民币\n壹仟元整"]
    assert outer.rows[3][1] == "¥2,000.00"  # the nested table is not the cell's own text
    assert outer.rows[4] == ["合计", None, "人民币叁仟元整"]
    assert inner.rows == [["¥9.00"]]
    assert table_findings("PAY", "pdf", "x.pdf", [outer, inner]) == []
    [finding] = table_findings("PAY", "pdf", "x.pdf", html_tables(html.replace("人民币贰仟元整", "人民币贰佰元整")))
    assert finding.message == "PDF 第 1 个表格第 4 行「2」：大写「人民币贰佰元整」读作 ¥200.00，与小写 ¥2,000.00 不符"


def _render(root: Path, *labels: str):
    """Render only the named documents of the example in ``root`` (a full build renders all 29)."""
    ws = Workspace(root)
    facts = load_facts(ws, EXAMPLE)
    renderer = Renderer(ws)
    folder = root / "out"
    folder.mkdir(exist_ok=True)
    instances = {i.label: i for i in plan(facts)[0]}
    documents = [renderer.render(facts, instances[label], folder) for label in labels]
    write_manifest(folder, BuildResult(EXAMPLE, folder, documents, []), facts)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    complete = {(f["artifact"] + (f" {f['instance']}" if f["instance"] else "")): f["complete"]
                for f in manifest["files"]}
    return documents, complete


@pytest.mark.slow
def test_render_checks_upper_cells_in_the_docx_and_in_the_html_of_the_pdf(tmp_path):
    """The whole path: a template with a 大写 column; the DOCX and the PDF are each reported."""
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    cells = [["项目", "金额", "金额（大写）"], ["预算总额", "{{ budget.total|yuan }}", "人民币壹元整"],
             ["预算总额（复核）", "{{ budget.total|yuan }}", "{{ budget.total|upper_cny }}"]]
    html = root / "templates" / "html" / "CHT.html"
    text = html.read_text(encoding="utf-8")
    table = ("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in cells[0]) + "</tr></thead><tbody>"
             + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells[1:])
             + "</tbody></table>\n")
    end = text.rindex("{% endblock %}")
    html.write_text(text[:end] + table + text[end:], encoding="utf-8")
    docx = root / "templates" / "docx" / "CHT.docx"
    document = Document(str(docx))
    added = document.add_table(rows=3, cols=3)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            added.cell(r, c).text = value
    document.save(str(docx))

    [charter], complete = _render(root, "CHT")
    upper = [f for f in charter.findings if f.rule == "R-COM-5"]
    assert sorted(Path(f.location).suffix for f in upper) == [".docx", ".pdf"]
    for f in upper:
        fmt = Path(f.location).suffix[1:].upper()
        assert f.message.startswith(f"{fmt} 第 ") and "个表格第 2 行「预算总额」：大写「人民币壹元整」读作 ¥1.00，与小写 ¥" in f.message
    assert complete == {"CHT": False}


def test_the_examples_have_no_false_upper_amount_findings(examples_built):
    _, results = examples_built
    for slug, result in results.items():
        assert [str(f) for f in result.findings if f.rule == "R-COM-5"] == [], slug


# -- 2. PDF text read-back with fallback fonts, U+2028 and U+0085 --------------------------------

def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{name} 中没有「{old}」"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_fallback_fonts_and_unusual_line_breaks_read_back_without_false_findings(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    folder = root / "projects" / EXAMPLE
    # 𠀾 (CJK Extension B, drawn by HanaMinB), ☃ ⚙ (drawn by DejaVu Sans / Symbola), U+2028 and U+0085
    # (YAML escapes \L and \N) inside sentences; client name, status reason, delay reason and
    # milestone name are key values that the PDF text must show
    _edit(folder, "project.yaml", "name: 浙江华星精密制造股份有限公司", "name: 浙江华星𠀾精密制造股份有限公司")
    _edit(folder, "project.yaml", "name: 方案评审通过", "name: 方案评审通过☃")
    _edit(folder, "risks.yaml", "description: ERP 接口技术瓶颈，U9 接口文档不完整",
          "description: ERP 接口⚙技术瓶颈☃，U9 接口文档不完整")
    week = "weekly/2026-W10.yaml"
    _edit(folder, week, "status_reason: 方案评审于3月6日如期通过，进度恢复正常。",
          'status_reason: "方案评审于3月6日如期通过\\L进度恢复正常\\N继续推进。"')
    _edit(folder, week, "  - 3月3日完成 ERP 集成与数据迁移方案", '  - "3月3日完成 ERP 集成\\L与数据迁移方案☃\\N已归档"')
    _edit(folder, week, "    delay_reason: 前序任务方案设计延期 2 个工作日，本任务顺延开始",
          '    delay_reason: "前序任务方案设计延期 2 个工作日\\N本任务顺延开始𠀾"')

    documents, complete = _render(root, "CHT", "OPP", "WEEK 2026-W10")

    facts = load_facts(Workspace(root), EXAMPLE)  # the fallback characters as written; the separators
    assert facts.project.client.name == "浙江华星𠀾精密制造股份有限公司"  # are read as plain line breaks
    assert facts.project.weekly[7].status_reason == "方案评审于3月6日如期通过\n进度恢复正常\n继续推进。"
    rendered = [f for d in documents for f in d.findings if f.rule in ("R-COM-5", "R-COM-6")]
    assert [str(f) for f in rendered] == []
    assert complete == {"CHT": True, "OPP": True, "WEEK 2026-W10": True}
    texts = {d.instance.label: "\n".join(pdf_pages(next(f.path for f in d.files if f.format == "pdf")))
             for d in documents}
    assert "【草稿】" not in texts["CHT"]
    assert "浙江华星𠀾精密制造股份有限公司" in squash(texts["OPP"])
    assert "ERP接口⚙技术瓶颈☃" in squash(texts["CHT"])
    for ch in "𠀾☃⚙":
        assert ch in texts["WEEK 2026-W10"]
    assert "方案评审于3月6日如期通过进度恢复正常继续推进。" in squash(texts["WEEK 2026-W10"])


# -- 3. characters no font can draw, named by field ----------------------------------------------

@pytest.mark.parametrize("ch", ["\ue000", "\U00033000", "\U000F0001"])
def test_the_chosen_characters_have_no_glyph(ch):
    assert missing_glyphs([ch]) == [ch]


def test_invisible_characters_are_not_missing_glyphs():
    """A variation selector or a tag draws nothing with or without a glyph: not a box."""
    assert missing_glyphs(["葛\U000E0100", "标签\U000E0001\U000E007F", "\u200b\ufe0f"]) == []


def test_the_finding_names_the_context_field_and_the_character():
    context = {"client": {"name": "浙江\ue000华星"}, "risks": [{"id": "R01"}, {"description": "风险\U00033000\ue000"}]}
    found = pdf_font_findings("CHT", "x.pdf", context)
    assert [(f.rule, f.severity, f.location) for f in found] == [("R-COM-6", "E", "x.pdf")] * 2
    assert [f.message for f in found] == [
        "client.name 中的字符「\ue000」（U+E000）没有任何内置字体能显示，PDF 中将显示为方框：请改用常用字或删除",
        "risks[1].description 中的字符「\ue000」（U+E000）、「\U00033000」（U+33000）没有任何内置字体能显示，"
        "PDF 中将显示为方框：请改用常用字或删除",
    ]


def test_many_fields_are_capped():
    found = pdf_font_findings("CHT", "x.pdf", {"items": [f"第{i}项\ue000" for i in range(14)]})
    assert len(found) == 11
    assert found[-1].message.startswith("另有 4 个字段（items[10]、items[11]、items[12] 等）含没有任何内置字体能显示的字符「\ue000」")


@pytest.mark.slow
def test_a_character_no_font_has_is_named_by_data_field_and_line(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    folder = root / "projects" / EXAMPLE
    _edit(folder, "project.yaml", "name: 浙江华星精密制造股份有限公司", "name: 浙江华星\ue000精密制造股份有限公司")
    _edit(folder, "risks.yaml", "description: ERP 接口技术瓶颈，U9 接口文档不完整",
          "description: ERP 接口技术瓶颈\U00033000，U9 接口文档不完整")
    line = next(n for n, text in enumerate((folder / "project.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if "浙江华星\ue000" in text)

    [charter], complete = _render(root, "CHT")
    glyphs = [f for f in charter.findings if "内置字体" in f.message]
    assert [(f.rule, f.severity, Path(f.location).suffix) for f in glyphs] == [("R-COM-6", "E", ".pdf")] * 2
    assert glyphs[0].message == (f"client.name（projects/{EXAMPLE}/project.yaml:{line}）中的字符「\ue000」（U+E000）"
                                 "没有任何内置字体能显示，PDF 中将显示为方框：请改用常用字或删除")
    assert glyphs[1].message.startswith(f"risks[1].description（projects/{EXAMPLE}/risks.yaml:")
    assert "「\U00033000」（U+33000）" in glyphs[1].message
    assert complete == {"CHT": False}  # an E finding: the document is a draft
    pdf = next(f.path for f in charter.files if f.format == "pdf")
    assert "【草稿】" in "\n".join(pdf_pages(pdf))
