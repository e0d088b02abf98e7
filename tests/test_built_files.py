"""Every built file of both examples, as a client's software sees it: Word opens the DOCX in
current mode with Chinese settings, its properties name the document, the logo is there, and
the PDF names the project and the document number in its title."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree
import pypdfium2

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/",
      "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}


def _files(examples_built):
    root, results = examples_built
    for slug, result in results.items():
        for document in result.documents:
            files = {f.format: f.path for f in document.files}
            if {"docx", "pdf"} <= set(files):  # not the weekly mail (.eml only: tests/test_mail.py)
                yield slug, result, document, files


def test_docx_packages_open_as_current_chinese_word_documents(examples_built):
    count = 0
    for slug, result, document, files in _files(examples_built):
        label = f"{slug} {document.instance.label}"
        with zipfile.ZipFile(files["docx"]) as z:
            names = set(z.namelist())
            settings = z.read("word/settings.xml").decode()
            styles = z.read("word/styles.xml").decode()
            app = etree.fromstring(z.read("docProps/app.xml"))
            core = etree.fromstring(z.read("docProps/core.xml"))
            body = z.read("word/document.xml").decode()
        assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"' in settings, label
        assert 'w:eastAsia="zh-CN"' in styles and "ja-JP" not in styles, label
        assert not any("thumbnail" in n for n in names), label
        assert "Macintosh" not in etree.tostring(app, encoding="unicode"), label
        assert app.findtext("ep:Pages", namespaces=NS) is None, label
        assert app.findtext("ep:Company", namespaces=NS) == _project(slug)["company"], label
        assert core.findtext("dc:language", namespaces=NS) == "zh-CN", label
        title = core.findtext("dc:title", namespaces=NS)
        assert title.startswith(f"{_project_name(slug)} {document.instance.artifact.title}"), (label, title)
        assert "（" in title and title.endswith("）") and "-" in title, (label, title)  # （文档编号）
        if slug == "huaxing-crm":  # the example with a logo shows it on the cover, as the PDF does
            assert "<w:drawing>" in body and any(n.startswith("word/media/") for n in names), label
        count += 1
    assert count == (29 + 3 + 4 + 4 + 9 + 5) + (13 + 3 + 4 + 4 + 7 + 2)  # WBS, GNT, PRG, the four registers, the four plans, the execution paperwork (REQ, SOL, CTR, PACC, MIN, CHG), SAT, PERF, SALES


def _project(slug: str) -> dict:
    import yaml

    from conftest import ROOT

    return yaml.safe_load((ROOT / "projects" / slug / "project.yaml").read_text(encoding="utf-8"))["project"]


def _project_name(slug: str) -> str:
    return _project(slug)["name"]


#: per-item documents titled by what they are about rather than by their key (``Artifact.subtitle``)
SUBTITLED = ("华星精密 CRM 系统部署项目 会议纪要（2026年1月9日项目启动会）（HX-P2026017-MIN-01）",
             "华星精密 CRM 系统部署项目 阶段性验收报告（UAT 阶段验收）（HX-P2026017-PACC-01）")


def test_pdf_titles_name_the_project_and_the_document_number(examples_built):
    titles = []
    for slug, _result, document, files in _files(examples_built):
        pdf = pypdfium2.PdfDocument(str(files["pdf"]))   # the Info dictionary alone: 100× quicker than pypdf
        metadata = pdf.get_metadata_dict()
        pdf.close()
        title, keywords = metadata.get("Title", ""), metadata.get("Keywords") or ""
        number = keywords.split(",")[0].strip()
        instance = document.instance
        titles.append(title)
        if instance.artifact.subtitle is not None:
            assert title.startswith(f"{_project_name(slug)} {instance.artifact.title}（"), title
            # the subtitle, not the bare key (a meeting's file stem), follows the document name
            assert title.endswith(f"）（{number}）") and f"（{instance.key}）" not in title, title
            continue
        assert number and title == f"{_project_name(slug)} {instance.artifact.title}" \
            + (f"（{instance.key}）" if instance.key else "") + f"（{number}）", (slug, title)
    assert set(SUBTITLED) <= set(titles)


def test_examples_build_with_no_error_and_no_warning(examples_built):
    """Both examples are clean — as their README lines say — on any day: huaxing-crm is closed
    (its horizon is the acceptance date), yuanhang-srm is as of its status date. Every document is
    complete, none is a draft, the 完整性报告 says 全部检查通过."""
    root, results = examples_built
    for slug, result in results.items():
        assert [str(f) for f in result.findings] == [], slug
        assert all(d.complete for d in result.documents), slug
        report = (root / "output" / slug / "完整性报告.md").read_text(encoding="utf-8")
        assert "错误 0 个，警告 0 个" in report and "全部检查通过。" in report, slug
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for slug in results:
        line = next(line for line in readme.splitlines() if f"`projects/{slug}/`" in line)
        assert "0 个错误、0 个警告" in line, line
