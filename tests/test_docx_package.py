"""DOCX package hygiene: what surrounds ``word/document.xml`` in a template and in a rendered file.

A template made by python-docx (``docx.Document()``) and :func:`tidy` opens in current Word mode,
in Chinese, without the stock blue rule, thumbnail or Word 2011 statistics; ``render_docx`` adds
the document's properties (title, author, company, language) and the company logo, an SVG logo
rasterised to PNG at the right size. The ``clients`` test opens the rendered file in LibreOffice.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import shutil
import signal
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from salespm_docs.errors import DataError
from salespm_docs.layout.word_package import tidy
from salespm_docs.render.docx import render_docx
from salespm_docs.templating import make_env

from conftest import EXAMPLE, ROOT

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
LOGO_SVG = ROOT / "projects" / EXAMPLE / "logo.svg"
COMPANY = "星辰软件科技有限公司"
TITLE = "项目章程"
STAMP = dt.datetime(2025, 3, 14)
PROPERTIES = {"title": TITLE, "subject": "华兴 CRM 项目", "author": "张伟", "keywords": "CHT-001 V1.0",
              "identifier": "CHT-001", "company": COMPANY}
BODY = "本项目为华兴集团建设客户关系管理系统"
SOFFICE_TIMEOUT = 300


# ------------------------------------------------------------------------------------- helpers

def data_uri(blob: bytes, kind: str) -> str:
    return f"data:{kind};base64,{base64.b64encode(blob).decode()}"


def svg_logo() -> str:
    return data_uri(LOGO_SVG.read_bytes(), "image/svg+xml")


def png_size(blob: bytes) -> tuple[int, int]:
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", blob[16:24])


def field(paragraph, instr: str) -> None:
    """A ``w:fldSimple`` with the cached result "1", as the template generator writes it."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def make_template(path: Path, *, tidy_it: bool = True, **options) -> Path:
    """A small template with the styles the generator uses, the cover logo and page fields."""
    doc = Document()
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    field(footer, "PAGE")
    footer.add_run(" 页 共 ")
    field(footer, "NUMPAGES")
    footer.add_run(" 页")
    doc.sections[0].header.paragraphs[0].add_run("{{ company.name }}　文档编号：{{ doc.number }}")
    doc.add_paragraph("{%p if images.logo %}")
    logo = doc.add_paragraph()
    logo.alignment = WD_ALIGN_PARAGRAPH.CENTER
    logo.add_run("{{ images.logo }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ doc.title }}", style="Title")
    doc.add_heading("一、项目概述", level=1)
    doc.add_paragraph(BODY + "，由{{ company.name }}实施。")
    doc.add_heading("1.1 范围", level=2)
    doc.add_paragraph("范围内容", style="List Bullet")
    doc.add_heading("1.1.1 细节", level=3)
    table = doc.add_table(rows=1, cols=2)
    table.style = doc.styles["Table Grid"]
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "里程碑", "日期"
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("二、第二页", level=1)
    if tidy_it:
        tidy(doc, **options)
    doc.save(str(path))
    return path


def context(logo: str | None = None) -> dict:
    return {"doc": {"title": TITLE, "number": "CHT-001"},
            "company": {"name": COMPANY, "code": "XC", "logo": logo}}


def render(template: Path, target: Path, ctx: dict, properties: dict = PROPERTIES) -> Path:
    render_docx(template, ctx, make_env(), target, dict(properties), STAMP)
    return target


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def xml(blob: bytes):
    return etree.fromstring(blob)


def style(styles, style_id: str):
    found = styles.xpath(f"w:style[@w:styleId='{style_id}']", namespaces=NS)
    assert found, f"style {style_id} missing"
    return found[0]


def is_bold(node) -> bool:
    b = node.find(f"{{{W}}}rPr/{{{W}}}b")
    return b is not None and b.get(f"{{{W}}}val") in (None, "1", "true", "on")


# ------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("tpl") / "T.docx")


@pytest.fixture(scope="module")
def rendered(template, tmp_path_factory) -> Path:
    return render(template, tmp_path_factory.mktemp("out") / "T-out.docx", context(svg_logo()))


# ---------------------------------------------------------------------------------- the checks

def check_package(files: dict[str, bytes]) -> None:
    """What both the tidied template and a rendered file must satisfy."""
    assert not any(n.startswith("docProps/thumbnail") for n in files), "stock thumbnail still present"
    assert b"thumbnail" not in files["_rels/.rels"]
    assert "word/stylesWithEffects.xml" not in files
    assert b"jpeg" not in files["[Content_Types].xml"]

    settings = xml(files["word/settings.xml"])
    modes = settings.xpath("w:compat/w:compatSetting[@w:name='compatibilityMode']/@w:val", namespaces=NS)
    assert modes == ["15"]
    assert settings.xpath("w:themeFontLang/@w:eastAsia", namespaces=NS) == ["zh-CN"]
    assert not settings.xpath("w:updateFields", namespaces=NS), "updateFields makes Word ask on opening"
    assert not settings.xpath("w:savePreviewPicture", namespaces=NS)

    styles = xml(files["word/styles.xml"])
    lang = styles.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang", namespaces=NS)
    assert len(lang) == 1
    assert (lang[0].get(f"{{{W}}}val"), lang[0].get(f"{{{W}}}eastAsia")) == ("en-US", "zh-CN")
    title = style(styles, "Title")
    assert title.find(f"{{{W}}}pPr/{{{W}}}pBdr") is None, "blue rule under the Title"
    for style_id in ("Title", "Heading1", "Heading2", "Heading3", "Heading1Char"):
        assert is_bold(style(styles, style_id)), f"{style_id} is not bold"

    theme = xml(files["word/theme/theme1.xml"])
    for kind, face in (("majorFont", "黑体"), ("minorFont", "宋体")):
        hans = theme.xpath(f"//a:{kind}/a:font[@script='Hans']/@typeface", namespaces=NS)
        assert hans == [face]
        assert theme.xpath(f"//a:{kind}/a:ea/@typeface", namespaces=NS) == [face]

    app = xml(files["docProps/app.xml"])
    assert app.findtext("ep:Application", namespaces=NS) == "salespm-docs"
    for stale in ("Pages", "Words", "Characters", "CharactersWithSpaces", "Lines", "Paragraphs", "AppVersion"):
        assert app.find(f"ep:{stale}", namespaces=NS) is None, f"stale {stale} in app.xml"
    assert b"Macintosh" not in files["docProps/app.xml"]
    assert b"python-docx" not in files["docProps/core.xml"]
    assert xml(files["docProps/core.xml"]).findtext("dc:language", namespaces=NS) == "zh-CN"


def test_tidy_template_package(template):
    files = parts(template)
    check_package(files)
    app = xml(files["docProps/app.xml"])
    assert (app.findtext("ep:Company", namespaces=NS) or "") == ""
    assert app.find("ep:TitlesOfParts", namespaces=NS) is None


def test_untidied_template_fails_the_checks(tmp_path):
    """The control: python-docx's stock document does not pass (so the checks can fail)."""
    files = parts(make_template(tmp_path / "raw.docx", tidy_it=False))
    with pytest.raises(AssertionError):
        check_package(files)
    assert b"Macintosh" in files["docProps/app.xml"] and "docProps/thumbnail.jpeg" in files


def test_tidy_is_deterministic(tmp_path):
    a = parts(make_template(tmp_path / "a.docx"))
    b = parts(make_template(tmp_path / "b.docx"))
    assert a == b


def test_tidy_is_idempotent_and_can_ask_for_field_updates(tmp_path):
    doc = Document()
    tidy(doc)
    tidy(doc, update_fields=True)
    out = io.BytesIO()
    doc.save(out)
    settings = xml(zipfile.ZipFile(out).read("word/settings.xml"))
    assert settings.xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]
    assert len(settings.xpath("w:compat/w:compatSetting[@w:name='compatibilityMode']", namespaces=NS)) == 1
    # w:updateFields sits before w:compat (schema order), or Word refuses the file
    names = [etree.QName(c).localname for c in settings]
    assert names.index("updateFields") < names.index("compat") < names.index("themeFontLang")


def test_rendered_package(rendered):
    files = parts(rendered)
    check_package(files)
    core = xml(files["docProps/core.xml"])
    assert core.findtext("dc:title", namespaces=NS) == TITLE
    assert core.findtext("dc:creator", namespaces=NS) == "张伟"
    app = xml(files["docProps/app.xml"])
    assert app.findtext("ep:Company", namespaces=NS) == COMPANY
    assert app.xpath("ep:TitlesOfParts/vt:vector/vt:lpstr/text()", namespaces=NS) == [TITLE]
    assert app.xpath("ep:HeadingPairs/vt:vector/vt:variant/vt:i4/text()", namespaces=NS) == ["1"]


def test_svg_logo_is_a_png_of_the_right_size(rendered):
    files = parts(rendered)
    media = sorted(n for n in files if n.startswith("word/media/"))
    assert media == ["word/media/image1.png"]
    # logo.svg is 240 × 64: 16 mm high would be 60 mm wide, exactly the maximum; 300 dpi
    assert png_size(files[media[0]]) == (709, 189)
    body = xml(files["word/document.xml"])
    inline = body.xpath("//w:drawing/wp:inline", namespaces=NS)
    assert len(inline) == 1
    extent = inline[0].find("wp:extent", namespaces=NS)
    assert (int(extent.get("cx")), int(extent.get("cy"))) == (Mm(60), Mm(16))
    assert inline[0].find("wp:docPr", namespaces=NS).get("descr") == COMPANY
    rels = xml(files["word/_rels/document.xml.rels"])
    assert rels.xpath("rel:Relationship[@Target='media/image1.png']", namespaces=NS)
    # the logo paragraph comes before the title, and no template tag is left
    text = "".join(body.itertext())
    assert "{{" not in text and "{%" not in text
    assert text.index(TITLE) > 0


def test_png_and_jpeg_logos_keep_their_bytes_and_aspect(template, tmp_path):
    from PIL import Image as PILImage

    for size, kind, fmt, box in (((100, 200), "image/png", "PNG", (8, 16)),     # tall: 16 mm high
                                 ((1000, 100), "image/jpeg", "JPEG", (60, 6))):  # wide: 60 mm wide
        out = io.BytesIO()
        PILImage.new("RGB", size, (31, 78, 121)).save(out, fmt)
        blob = out.getvalue()
        files = parts(render(template, tmp_path / f"{fmt}.docx", context(data_uri(blob, kind))))
        media = [n for n in files if n.startswith("word/media/")]
        assert len(media) == 1 and files[media[0]] == blob
        extent = xml(files["word/document.xml"]).xpath("//wp:inline/wp:extent", namespaces=NS)[0]
        assert (int(extent.get("cx")), int(extent.get("cy"))) == (Mm(box[0]), Mm(box[1]))


def test_no_logo_no_picture_and_context_untouched(template, tmp_path):
    ctx = context(None)
    files = parts(render(template, tmp_path / "none.docx", ctx))
    assert not [n for n in files if n.startswith("word/media/")]
    assert b"<w:drawing" not in files["word/document.xml"]
    assert "images" not in ctx


def test_properties_without_company_or_language(template, tmp_path):
    props = {k: v for k, v in PROPERTIES.items() if k != "company"}
    files = parts(render(template, tmp_path / "plain.docx", context(None), props))
    app = xml(files["docProps/app.xml"])
    assert (app.findtext("ep:Company", namespaces=NS) or "") == ""
    assert xml(files["docProps/core.xml"]).findtext("dc:language", namespaces=NS) == "zh-CN"


def test_rendering_is_reproducible(template, rendered, tmp_path):
    again = render(template, tmp_path / "again.docx", context(svg_logo()))
    assert again.read_bytes() == rendered.read_bytes()


def test_images_key_is_reserved(template, tmp_path):
    ctx = context(None) | {"images": {}}
    with pytest.raises(ValueError, match="images"):
        render(template, tmp_path / "clash.docx", ctx)


@pytest.mark.parametrize("logo, message", [
    (data_uri(b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * (1024 * 1024) + b"</svg>", "image/svg+xml"),
     "过大"),
    (data_uri(b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "image/svg+xml"), "SVG"),
    (data_uri(b"<svg xmlns='http://www.w3.org/2000/svg' width='100%'/>", "image/svg+xml"), "宽高"),
    (data_uri(b"not a png", "image/png"), "无法读取"),
    (data_uri(b"GIF89a", "image/gif"), "不支持"),
])
def test_bad_logos_are_data_errors(template, tmp_path, logo, message):
    with pytest.raises(DataError, match=message):
        render(template, tmp_path / "bad.docx", context(logo))


def test_svg_cannot_reach_files(template, tmp_path):
    """An SVG logo referring to a local file renders without it (cairosvg's safe mode)."""
    secret = tmp_path / "secret.png"
    from PIL import Image as PILImage
    PILImage.new("RGB", (64, 64), (255, 0, 0)).save(secret)
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
           f"width='64' height='64'><image xlink:href='{secret.as_uri()}' width='64' height='64'/></svg>")
    files = parts(render(template, tmp_path / "ref.docx", context(data_uri(svg.encode(), "image/svg+xml"))))
    png = PILImage.open(io.BytesIO(files["word/media/image1.png"])).convert("RGBA")
    assert png.getcolors(maxcolors=1 << 16) is not None
    assert not any(c[:3] == (255, 0, 0) and c[3] for _n, c in png.getcolors(maxcolors=1 << 16))


# ------------------------------------------------------------------------------ a real client

@pytest.fixture(scope="module")
def soffice() -> str:
    """LibreOffice and poppler-utils, installed when missing (as tests/test_clients.py does)."""
    if not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")):
        done = subprocess.run(["bash", str(ROOT / "scripts" / "install-system-deps.sh"),
                               "libreoffice-writer-nogui", "poppler-utils"],
                              capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, f"安装 LibreOffice 失败：\n{done.stdout}\n{done.stderr}"
    path = shutil.which("soffice")
    assert path, "安装后仍找不到 soffice"
    return path


@pytest.mark.clients
def test_libreoffice_opens_the_rendered_file(soffice, rendered, tmp_path):
    profile, outdir = tmp_path / "profile", tmp_path / "pdf"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "pdf", "--outdir", str(outdir), str(rendered)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "HOME": str(tmp_path)})
    try:
        stdout, stderr = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice 超过 {SOFFICE_TIMEOUT} 秒未完成")
    pdf = outdir / (rendered.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice 没有写出 PDF：\n{stdout}\n{stderr}"

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    for expected in (TITLE, BODY, COMPANY, "一、项目概述", "二、第二页",
                     "第1页共2页", "第2页共2页"):  # page fields recomputed without w:updateFields
        assert expected in flat, f"「{expected}」不在 LibreOffice 的 PDF 中"

    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(png)], check=True)
    from PIL import Image as PILImage
    page = PILImage.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    width, height = page.size
    # the logo (#1f4e79 square and bar, #f2a900 dot, #8aa9c8 bar) is the first thing on page 1,
    # a band of rows in the top third, centred, about 60 mm wide (189 px at 80 dpi)
    colours = ((0x1F, 0x4E, 0x79), (0xF2, 0xA9, 0x00), (0x8A, 0xA9, 0xC8))

    def logo_xs(y: int) -> list[int]:
        return [x for x in range(width)
                if any(sum(abs(a - b) for a, b in zip(page.getpixel((x, y)), c)) < 40 for c in colours)]

    rows = [(y, logo_xs(y)) for y in range(height // 3)]
    first = next((i for i, (_, xs) in enumerate(rows) if xs), None)
    assert first is not None, "no logo on page 1"
    band = []
    for y, xs in rows[first:]:
        if not xs:
            break
        band.append((y, xs))
    xs = [x for _, row in band for x in row]
    assert 30 < len(band) < 60, f"logo band {len(band)} px high, expected about 16 mm (50 px)"
    assert abs((min(xs) + max(xs)) / 2 - width / 2) < width * 0.03, "logo not centred"
    assert 160 < max(xs) - min(xs) < 200, f"logo {max(xs) - min(xs)} px wide, expected about 60 mm"
    dot = [x for y, row in band for x in row
           if sum(abs(a - b) for a, b in zip(page.getpixel((x, y)), colours[1])) < 40]
    assert dot and max(dot) < min(xs) + (max(xs) - min(xs)) / 4, "the orange dot is not in the logo's square"


def test_logo_is_converted_only_when_the_template_shows_it(tmp_path):
    """A template without ``images.logo`` never reads the logo (no cairo for it, no error)."""
    doc = Document()
    doc.add_paragraph("{{ doc.title }}")
    tidy(doc)
    doc.save(str(tmp_path / "plain.docx"))
    broken = data_uri(b"<svg", "image/svg+xml")
    files = parts(render(tmp_path / "plain.docx", tmp_path / "out.docx", context(broken)))
    assert not [n for n in files if n.startswith("word/media/")]
