"""项目章程 end to end: build the example, read the DOCX and the PDF as a person would."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from salespm_docs.artifacts.cht import SECTIONS
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text

from conftest import EXAMPLE, ROOT, _copy_of_built, cli, in_order, make_workspace

DOCX = "CHT_项目章程_V1.0.docx"
PDF = "CHT_项目章程_V1.0.pdf"

KEY_VALUES = [
    "华星精密 CRM 系统部署项目", "浙江华星精密制造股份有限公司", "HX-P2026017-CHT-01",
    "人民币叁佰陆拾万元整（¥3,600,000.00）", "客户验收通过率", "≥ 95%", "回款周期", "≤ 30天",
    "王建国", "张伟", "黄志强", "需求说明书", "ERP 集成接口", "2026年1月9日",
]


@pytest.fixture(scope="module")
def texts(example_build):
    out, _ = example_build
    return docx_text(out / DOCX), pdf_text(out / PDF)[0]


def test_docx_has_every_section_in_order(texts):
    assert in_order(texts[0].text, SECTIONS)


def test_pdf_has_every_section_in_order(texts):
    assert in_order(texts[1], SECTIONS)


@pytest.mark.parametrize("value", KEY_VALUES)
def test_key_values_in_docx_and_pdf(texts, value):
    assert squash(value) in squash(texts[0].text)
    assert squash(value) in squash(texts[1])


@pytest.mark.parametrize("junk", ["{{", "{%", "None", "nan", "TODO", "【待填】"])
def test_no_leftovers(texts, junk):
    assert junk not in texts[0].text
    assert junk not in texts[1]


def test_docx_header_and_page_fields(texts):
    docx = texts[0]
    assert "文档编号：HX-P2026017-CHT-01" in docx.header and "版本：V1.0" in docx.header
    assert "第" in docx.footer and "共" in docx.footer
    assert any(f == "PAGE" for f in docx.fields) and any(f == "NUMPAGES" for f in docx.fields)


def test_pdf_header_footer_on_every_page(example_build):
    out, _ = example_build
    reader = PdfReader(str(out / PDF))
    total = len(reader.pages)
    assert total >= 3
    for n, page in enumerate(reader.pages, 1):
        text = squash(page.extract_text())
        assert "文档编号：HX-P2026017-CHT-01" in text and "版本：V1.0" in text
        assert f"第{n}页共{total}页" in text


def test_approved_charter_carries_no_draft_mark(texts):
    assert "草稿" not in texts[0].text
    assert "草稿" not in texts[1]


def test_pdf_embeds_cjk_fonts_and_metadata(example_build):
    out, _ = example_build
    fonts = subprocess.run(["pdffonts", str(out / PDF)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("CJK" in r[0] for r in rows)
    assert all(r[-5] == "yes" and r[-4] == "yes" for r in rows)  # emb, sub
    meta = PdfReader(str(out / PDF)).metadata
    assert meta.title == "华星精密 CRM 系统部署项目 项目章程（HX-P2026017-CHT-01）"  # project and number
    assert "HX-P2026017-CHT-01" in (meta.get("/Keywords") or "")


def test_docx_runs_name_an_east_asian_font(example_build):
    out, _ = example_build
    with zipfile.ZipFile(out / DOCX) as z:
        styles = z.read("word/styles.xml").decode()
        body = z.read("word/document.xml").decode()
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
    runs = re.findall(r"<w:r>.*?</w:r>|<w:r .*?</w:r>", body, flags=re.S)
    cjk_runs = [r for r in runs if re.search(r"<w:t[^>]*>[^<]*[\u4e00-\u9fff]", r)]
    assert cjk_runs and all("w:eastAsia=" in r for r in cjk_runs)


def test_manifest_lists_every_file_with_checksums(example_build):
    import hashlib
    out, _ = example_build
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    cht = [f for f in manifest["files"] if f["artifact"] == "CHT"]
    assert {f["format"] for f in cht} == {"docx", "pdf"}
    for f in manifest["files"]:
        assert set(f) >= {"artifact", "title", "format", "path", "sha256", "complete"}
        assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    assert all(f["complete"] for f in cht)
    assert (out / "完整性报告.md").read_text(encoding="utf-8").startswith("# 完整性检查报告：华星精密 CRM 系统部署项目")


@pytest.mark.slow
def test_draft_status_shows_the_draft_mark(tmp_path_factory):
    root = _copy_of_built(tmp_path_factory, "draft")  # only the charter's control block changes: it alone renders
    docs = root / "projects" / EXAMPLE / "documents.yaml"
    docs.write_text(docs.read_text(encoding="utf-8").replace("status: 已批准", "status: 评审中", 1), encoding="utf-8")
    assert cli(root, "build", EXAMPLE).exit_code == 0
    out = root / "output" / EXAMPLE
    assert "「草稿」" in docx_text(out / DOCX).text
    assert "【草稿】" in docx_text(out / DOCX).header
    pdf = pdf_text(out / PDF)[0]
    assert "「草稿」本文档尚未批准" in pdf


@pytest.mark.slow
def test_failed_strict_build_leaves_previous_output_untouched(tmp_path_factory):
    root = _copy_of_built(tmp_path_factory, "strict")  # the example built once per session: reused here
    assert cli(root, "build", EXAMPLE).exit_code == 0
    out = root / "output" / EXAMPLE
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # the charter approved before it was prepared (R-COM-3): an error in the charter's own control
    # block, which no other document reads, so the strict build renders the charter alone
    documents = root / "projects" / EXAMPLE / "documents.yaml"
    text = documents.read_text(encoding="utf-8")
    wrong = text.replace("    approved: {name: 王建国, date: 2026-01-09}", "    approved: {name: 王建国, date: 2026-01-06}", 1)
    assert wrong != text
    documents.write_text(wrong, encoding="utf-8")
    result = cli(root, "build", "--strict", EXAMPLE)
    assert result.exit_code == 1
    assert "R-COM-3" in result.stderr and "CHT" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in (root / "output").iterdir() if p.name.startswith(f".{EXAMPLE}.tmp")] == []


def test_check_reports_findings_and_exits_1(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    project = root / "projects" / EXAMPLE / "project.yaml"
    text = project.read_text(encoding="utf-8").replace("    acceptance_criteria: 运维手册评审通过\n", "")
    text = text.replace("    acceptance_criteria: 客户 IT 部评审通过\n", "", 1)
    project.write_text(text, encoding="utf-8")
    result = cli(root, "check", EXAMPLE, "--only", "CHT")
    assert result.exit_code == 1
    assert "检查了 1 份文档" in result.stdout
    line = next(l for l in result.stdout.splitlines() if l.startswith("[R-CHT-2]"))
    assert line.startswith("[R-CHT-2] E 错误 CHT projects/huaxing-crm/project.yaml:")
    assert line.endswith("deliverables[8]: 交付物「运维手册」缺少验收标准（acceptance_criteria）")
    assert not (root / "output" / EXAMPLE).exists()


def test_check_only_refuses_a_code_the_project_does_not_have(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    result = cli(root, "check", EXAMPLE, "--only", "CHT,CHX")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("错误：--only：没有文档代码「CHX」；是否想写「CHT」？；本项目可检查的文档：INIT、OPP、CHT、")
    assert not (root / "output" / EXAMPLE).exists()


def test_schema_describes_fields_in_chinese(tmp_path):
    result = cli(tmp_path, "schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "salespm-docs 项目数据"
    assert schema["additionalProperties"] is False
    member = schema["$defs"]["Member"]
    assert member["properties"]["name"]["description"] == "姓名（全项目唯一）。"
    assert "team" in schema["required"]


def test_committed_schema_is_up_to_date():
    """The editor schema the example files point to (regenerate with `make schema`)."""
    from salespm_docs.schema import project_schema
    committed = json.loads((ROOT / "salespm-project.schema.json").read_text(encoding="utf-8"))
    assert committed == project_schema(), "salespm-project.schema.json is stale: run `make schema`"
