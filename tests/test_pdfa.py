"""PDF/A-3b archive files (``salespm_docs.archive.pdfa``): the example's 项目章程 written as PDF/A-3b with
two YAML files and a DOCX embedded, read back with pikepdf, qpdf and pdftotext, compared with the
build's normal PDF; and ``pdfa_problems`` on files that are not archive files.

No open PDF/A validator installs here (veraPDF is Java, on none of PyPI, Debian or npm), so what
ISO 19005-3 asks of these files is checked property by property.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from weasyprint import HTML

from salespm_docs.archive import pdfa
from salespm_docs.archive.pdfa import DOCX_MIME, YAML_MIME, Embedded, page_count, pdfa_problems, write_pdfa
from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.context import build_context
from salespm_docs.errors import RenderError

from conftest import EXAMPLE, ROOT, make_workspace

#: qpdf and pdftotext read the files: the full suite's (``make test``), not the fast one's
pytestmark = pytest.mark.clients

DOCX_NAME = "CHT_项目章程_V1.0.docx"
NAMES = ["project.yaml", "weekly-2026-W14.yaml", DOCX_NAME]


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("项目章程", level=1)
    document.add_paragraph("华星精密 CRM 系统部署项目：可编辑原件")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdftotext(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    """The example's CHT rendered as the build does, written once normally and once as PDF/A-3b."""
    folder = tmp_path_factory.mktemp("pdfa")
    # a private copy of templates/ and the example, so nothing (a converted logo) lands in the repository
    ws = Workspace(make_workspace(tmp_path_factory.mktemp("pdfa-root"), (EXAMPLE, ROOT / "projects" / EXAMPLE)))
    facts = load_facts(ws, EXAMPLE)
    load_all()
    context = build_context(facts, REGISTRY["CHT"], None, False)
    renderer = Renderer(ws).pdf
    html = renderer.html("CHT.html", context)
    normal = folder / "normal.pdf"
    renderer.write(html, normal)
    source = ws.projects / EXAMPLE
    embedded = [
        Embedded("project.yaml", (source / "project.yaml").read_bytes(), YAML_MIME, "项目源数据 project.yaml"),
        Embedded("weekly-2026-W14.yaml", (source / "weekly" / "2026-W14.yaml").read_bytes(), YAML_MIME,
                 "项目源数据 weekly/2026-W14.yaml"),
        Embedded(DOCX_NAME, _docx(), DOCX_MIME, "可编辑原件（Word）"),
    ]
    archived = folder / "archived.pdf"
    write_pdfa(renderer, html, archived, embedded)
    return {"folder": folder, "renderer": renderer, "html": html, "normal": normal, "pdfa": archived,
            "embedded": embedded, "project": facts.project.project.name}


def _copy(made: dict, name: str) -> Path:
    path = made["folder"] / name
    shutil.copyfile(made["pdfa"], path)
    return path


def test_pdfa_identification_output_intent_and_identifier(made):
    with pikepdf.open(made["pdfa"]) as pdf:
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")
        assert xmp.pdfa_status == "3B"
        assert str(xmp["dc:title"]).startswith(made["project"])
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == pikepdf.Name.GTS_PDFA1
        icc = intents[0].DestOutputProfile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "
        assert intents[0].DestOutputProfile.N == 3
        assert len(pdf.trailer.ID) == 2 and len(bytes(pdf.trailer.ID[0])) > 0
        assert not pdf.is_encrypted
        assert "/StructTreeRoot" in pdf.Root  # still tagged, as the build's PDFs are
    assert pdfa_problems(made["pdfa"], NAMES) == []


def test_embedded_files_are_source_associated_files_read_back_byte_for_byte(made):
    with pikepdf.open(made["pdfa"]) as pdf:
        keys = [bytes(key) for key in list(pdf.Root.Names.EmbeddedFiles.Names)[0::2]]
        assert keys == sorted(keys) and len(keys) == 3  # a name tree is sorted by key (ISO 32000 §7.9.6)
        af = list(pdf.Root.AF)
        assert len(af) == 3 and len({spec.objgen for spec in af}) == 3  # each file once
        assert all(spec.AFRelationship == pikepdf.Name.Source for spec in af)
        tree = dict(pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles).items())
        assert sorted(tree) == sorted(NAMES)
        assert {spec.objgen for spec in tree.values()} == {spec.objgen for spec in af}
        for item in made["embedded"]:
            spec = tree[item.name]
            assert str(spec.UF) == item.name and str(spec.F) == item.name  # 中文名 reads back, not é¡¹ç…
            assert str(spec.Desc) == item.description
            stream = spec.EF.F
            data = stream.read_bytes()
            assert hashlib.sha256(data).hexdigest() == hashlib.sha256(item.data).hexdigest()
            assert data == item.data
            assert stream.Subtype == pikepdf.Name("/" + item.mime)
            assert int(stream.Params.Size) == len(item.data)
            assert bytes(stream.Params.CheckSum) == hashlib.md5(item.data).digest()
            epoch = int(os.environ["SOURCE_DATE_EPOCH"])  # conftest pins it for the session
            stamp = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ")
            assert str(stream.Params.ModDate) == stamp
        # pikepdf's attachment API (what a reader's attachment panel shows) agrees
        shown = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        assert shown == {item.name: item.data for item in made["embedded"]}


def test_every_font_embedded_and_qpdf_check_clean(made):
    with pikepdf.open(made["pdfa"]) as pdf:
        fonts = {}
        for page in pdf.pages:
            for font in page.obj.Resources.Font.values():
                fonts[font.objgen] = font
        assert fonts
        for font in fonts.values():
            assert font.Subtype == pikepdf.Name.Type0
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
            assert len(descriptor.get("/FontFile3", descriptor.get("/FontFile2")).read_bytes()) > 1000
    done = subprocess.run(["qpdf", "--check", str(made["pdfa"])], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_same_text_and_pages_as_the_normal_pdf(made):
    text = _pdftotext(made["pdfa"])
    assert "项目章程" in text and made["project"] in text
    assert text == _pdftotext(made["normal"])
    assert page_count(made["pdfa"]) == page_count(made["normal"]) > 1
    with pikepdf.open(made["pdfa"]) as pdf:
        assert len(pdf.pages) == page_count(made["pdfa"])


def test_normal_path_unchanged_and_not_an_archive_file(made):
    # PdfRenderer.write without a variant writes what WeasyPrint's plain call writes, byte for byte
    renderer = made["renderer"]
    direct = HTML(string=made["html"], base_url=renderer.html_dir.as_uri() + "/",
                  url_fetcher=renderer.fetcher).render(font_config=renderer.fonts).write_pdf(pdf_tags=True)
    assert made["normal"].read_bytes() == direct
    assert pdfa_problems(made["normal"]) == [
        "缺少 XMP 元数据（目录的 /Metadata）：没有 PDF/A 标识（pdfaid:part 3、pdfaid:conformance B）",
        "缺少输出意图（目录的 /OutputIntents）：PDF/A 需要一项 /S /GTS_PDFA1 及其 ICC 色彩配置文件",
        "文件尾缺少文件标识（/ID）：PDF/A 要求",
    ]
    assert "嵌入文件与预期不符：缺少 project.yaml" in pdfa_problems(made["normal"], ["project.yaml"])


def test_same_input_same_bytes(made):
    again = made["folder"] / "again.pdf"
    write_pdfa(made["renderer"], made["html"], again, list(reversed(made["embedded"])))
    assert again.read_bytes() == made["pdfa"].read_bytes()


def test_wrong_expected_names_reported(made):
    assert pdfa_problems(made["pdfa"], ["project.yaml", "plan.yaml"]) == [
        f"嵌入文件与预期不符：缺少 plan.yaml；多出 {DOCX_NAME}、weekly-2026-W14.yaml"]
    assert pdfa_problems(made["pdfa"], [*NAMES, "project.yaml"]) == ["嵌入文件与预期不符：缺少 project.yaml"]


def test_associated_file_problems_reported(made):
    path = _copy(made, "af.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        tree = dict(pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles).items())
        tree["project.yaml"].AFRelationship = pikepdf.Name.Data
        del tree[DOCX_NAME].EF.F.Subtype
        pdf.Root.AF = pikepdf.Array([s for s in pdf.Root.AF if str(s.UF) != "weekly-2026-W14.yaml"])
        pdf.save(path)
    assert pdfa_problems(path, NAMES) == [
        f"嵌入文件 {DOCX_NAME} 未注明 MIME 类型（嵌入文件流的 /Subtype）",
        "嵌入文件 weekly-2026-W14.yaml 未列入目录的 /AF（关联文件）",
        "关联文件 project.yaml 的 /AFRelationship 为 /Data，应为 /Source",
    ]


def test_unembedded_fonts_reported_through_forms_and_descendants(made):
    # the real archive file with one CJK face's font program removed
    path = _copy(made, "nofont.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        font = next(iter(pdf.pages[0].obj.Resources.Font.values()))
        name = str(font.BaseFont)
        del font.DescendantFonts[0].FontDescriptor.FontFile3
        pdf.save(path)
    assert pdfa_problems(path, NAMES) == [
        f"字体 {name} 未嵌入（第 1 页）：其 CID 字体的 /FontDescriptor 中没有 FontFile、FontFile2 或 FontFile3"]

    # a hand-made PDF: Helvetica (not embedded) on page 1, Times-Roman only inside a Form XObject on page 2
    tiny = made["folder"] / "tiny.pdf"
    with pikepdf.new() as pdf:
        def simple(base):
            return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                        BaseFont=pikepdf.Name(base)))
        pdf.add_blank_page()
        pdf.add_blank_page()
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=simple("/Helvetica")))
        pdf.pages[0].obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
        form = pdf.make_stream(b"BT /F2 12 Tf 72 700 Td (Inside) Tj ET")
        form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 612, 792]
        form.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F2=simple("/Times-Roman")))
        pdf.pages[1].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm1=form))
        pdf.pages[1].obj.Contents = pdf.make_stream(b"/Fm1 Do")
        pdf.save(tiny)
    problems = pdfa_problems(tiny)
    assert "字体 /Helvetica 未嵌入（第 1 页）：/FontDescriptor 中没有 FontFile、FontFile2 或 FontFile3" in problems
    assert "字体 /Times-Roman 未嵌入（第 2 页）：/FontDescriptor 中没有 FontFile、FontFile2 或 FontFile3" in problems


def test_encryption_missing_qpdf_and_broken_file_reported(made, monkeypatch):
    locked = made["folder"] / "locked.pdf"
    with pikepdf.open(made["pdfa"]) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="owner", user="", R=6))
    assert "文件已加密（/Encrypt）：PDF/A 不允许加密" in pdfa_problems(locked, NAMES)

    monkeypatch.setattr(pdfa, "QPDF", str(made["folder"] / "no-such-qpdf"))
    missing = made["folder"] / "no-such-qpdf"
    assert pdfa_problems(made["pdfa"], NAMES) == [
        f"未找到 qpdf 程序（{missing}），无法做结构检查 qpdf --check：请安装 qpdf（apt-get install qpdf）"]
    monkeypatch.undo()

    broken = made["folder"] / "broken.pdf"
    broken.write_bytes(made["pdfa"].read_bytes()[: 20_000])
    problems = pdfa_problems(broken, NAMES)
    assert len(problems) == 1 and problems[0].startswith(f"无法作为 PDF 打开：{broken}")

    # pikepdf opens it and finds everything in place; only qpdf --check decodes the streams
    damaged = made["folder"] / "damaged.pdf"
    with pikepdf.open(made["pdfa"]) as pdf:
        pdf.pages[0].obj.Contents.write(b"not deflate data", filter=pikepdf.Name.FlateDecode)
        pdf.save(damaged)
    problems = pdfa_problems(damaged, NAMES)
    assert len(problems) == 1 and problems[0].startswith("qpdf --check 未通过（退出码 2）：")
    assert "errors while decoding content stream" in problems[0]
    not_pdf = made["folder"] / "not.pdf"
    not_pdf.write_text("这不是 PDF")
    with pytest.raises(RenderError, match="^无法读取 not.pdf 的页数：不是有效的 PDF"):
        page_count(not_pdf)


def test_write_is_atomic_and_refuses_bad_input(made):
    target = made["folder"] / "atomic.pdf"
    target.write_bytes(b"previous archive file")

    class Failing:
        def write(self, html, path, **options):
            Path(path).write_bytes(b"%PDF-1.7 half")
            raise RenderError("生成 PDF 失败（x）：ValueError: boom") from ValueError("boom")

    with pytest.raises(RenderError) as caught:
        write_pdfa(Failing(), made["html"], target, made["embedded"])
    assert str(caught.value) == "生成 PDF/A 归档文件失败（atomic.pdf）：ValueError: boom"
    assert target.read_bytes() == b"previous archive file"
    assert sorted(p.name for p in made["folder"].iterdir() if p.name.startswith(".atomic.pdf.")) == []

    item = made["embedded"][0]
    with pytest.raises(RenderError) as caught:
        write_pdfa(made["renderer"], made["html"], target, [item, item])
    assert str(caught.value) == "PDF/A 归档文件 atomic.pdf 的嵌入文件重名：project.yaml"
    with pytest.raises(RenderError) as caught:
        write_pdfa(made["renderer"], made["html"], target, [Embedded("a.yaml", b"x: 1", "yaml", "说明")])
    assert str(caught.value) == "嵌入文件 a.yaml 的 MIME 类型无效：'yaml'（mime 应形如 application/yaml）"
    # WeasyPrint only logs an attachment it cannot read and writes the PDF without it
    def unreadable(self, url, headers=None):
        raise OSError("disk gone")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdfa._EmbeddedFetcher, "fetch", unreadable)
        with pytest.raises(RenderError) as caught:
            write_pdfa(made["renderer"], made["html"], target, made["embedded"][:2])
    assert str(caught.value) == ("生成 PDF/A 归档文件失败（atomic.pdf）：以下文件未能嵌入：project.yaml、"
                                 "weekly-2026-W14.yaml")
    assert target.read_bytes() == b"previous archive file"
    with pytest.raises(RenderError, match="^无法写入 PDF/A 归档文件 .*：文件不存在"):
        write_pdfa(made["renderer"], made["html"], made["folder"] / "missing" / "x.pdf", made["embedded"])
    assert target.read_bytes() == b"previous archive file"
    assert [p.name for p in made["folder"].iterdir() if p.name.endswith(".tmp")] == []
