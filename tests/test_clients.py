"""Real clients: every generated file of the example opens in the programs people use.

DOCX: LibreOffice (headless) converts each one to PDF, and that PDF shows every required section
heading and every key value. PDF: ``qpdf --check`` passes, every font is embedded (pypdf and
``pdffonts`` agree), and every string of the document's data that the DOCX shows can be read back
from the PDF's text layer, so no glyph was lost.

The files come from the example's ``manifest.json``; the parameters come from the build plan, so a
failure names the file, and a file the plan expects but the build did not write fails too.
The system packages are installed when missing; a failed install fails the tests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.build import Workspace, file_name, load_facts, plan
from salespm_docs.check import squash, strings_in
from salespm_docs.context import build_context, is_draft
from salespm_docs.extract import docx_text

from conftest import EXAMPLE, ROOT

pytestmark = pytest.mark.clients

SYSTEM_PACKAGES = ("libreoffice-writer-nogui", "qpdf", "poppler-utils")
INSTALL_TIMEOUT = 1800
SOFFICE_TIMEOUT = 900
BROKEN_DOCX = "control_truncated.docx"


# ---------------------------------------------------------------- the files the build must write

def _planned() -> list:
    """(param id, file name, artifact code, key, format) of every file the example should produce."""
    load_all()
    facts = load_facts(Workspace(ROOT), EXAMPLE)
    instances, _missing = plan(facts)
    files = []
    for instance in instances:
        version = facts.control(instance.artifact.code, instance.key)[0].version or "V0.1"
        for fmt in instance.artifact.formats:
            ident = "-".join(p for p in (instance.artifact.code, instance.key, fmt) if p)
            files.append((ident, file_name(instance, version, fmt), instance.artifact.code, instance.key, fmt))
    return files


try:
    PLANNED = _planned()
    PLAN_ERROR = None
except Exception as exc:  # broken example data: every test below fails with this message
    PLANNED, PLAN_ERROR = [], f"{type(exc).__name__}: {exc}"


def _params(fmt: str) -> list:
    if PLAN_ERROR:
        return [pytest.param(None, id=f"plan-failed-{fmt}")]
    return [pytest.param(f, id=f[0]) for f in PLANNED if f[4] == fmt]


def _need_plan(entry) -> tuple:
    assert PLAN_ERROR is None, f"无法读取示例项目的文档计划：{PLAN_ERROR}"
    return entry


# ------------------------------------------------------------------------------- session fixtures

@pytest.fixture(scope="session")
def client_tools() -> dict[str, str]:
    """Install LibreOffice, qpdf and poppler-utils when missing; the paths of the programs."""
    script = ROOT / "scripts" / "install-system-deps.sh"
    try:
        done = subprocess.run(["bash", str(script), *SYSTEM_PACKAGES], capture_output=True, text=True,
                              timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"安装 {' '.join(SYSTEM_PACKAGES)} 超过 {INSTALL_TIMEOUT} 秒未完成")
    assert done.returncode == 0, (f"安装 {' '.join(SYSTEM_PACKAGES)} 失败（退出码 {done.returncode}）：\n"
                                  f"{done.stdout}\n{done.stderr}")
    tools = {name: shutil.which(name) for name in ("soffice", "qpdf", "pdffonts")}
    missing = [name for name, path in tools.items() if not path]
    assert not missing, f"安装后仍找不到程序：{', '.join(missing)}"
    return tools


@pytest.fixture(scope="session")
def manifest(example_build) -> dict:
    out, _result = example_build
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def by_name(manifest) -> dict[str, dict]:
    return {f["path"]: f for f in manifest["files"]}


@pytest.fixture(scope="session")
def facts(example_build):
    out, _result = example_build
    load_all()
    return load_facts(Workspace(out.parent.parent), EXAMPLE)


@pytest.fixture(scope="session")
def libreoffice_pdfs(client_tools, example_build, manifest, tmp_path_factory) -> dict:
    """Every DOCX of the build converted to PDF by ONE headless LibreOffice run."""
    out, _result = example_build
    docx = [out / f["path"] for f in manifest["files"] if f["format"] == "docx"]
    assert docx, "manifest.json 中没有 DOCX 文件"
    work = tmp_path_factory.mktemp("libreoffice")
    target, profile = work / "pdf", work / "profile"
    target.mkdir()
    # A control in the same run: a truncated DOCX that LibreOffice must refuse (it still exits 0,
    # so only the missing PDF tells, which is what the per-file test looks for).
    broken = work / BROKEN_DOCX
    broken.write_bytes(docx[0].read_bytes()[:4096])
    command = [client_tools["soffice"], f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(target),
               *map(str, docx), str(broken)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "HOME": str(work)})
    try:
        stdout, stderr = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice 转换 {len(docx)} 个 DOCX 超过 {SOFFICE_TIMEOUT} 秒未完成")
    assert proc.returncode == 0, f"LibreOffice 退出码 {proc.returncode}：\n{stdout}\n{stderr}"
    return {"dir": target, "log": f"{stdout}\n{stderr}"}


# ----------------------------------------------------------------------------------------- helpers

def in_order(flat: str, headings) -> list[str]:
    """The headings not found in ``flat`` (squashed text) in the given order."""
    missing, position = [], 0
    for heading in headings:
        at = flat.find(squash(heading), position)
        if at < 0:
            missing.append(heading)
        else:
            position = at + len(squash(heading))
    return missing


def pages_text(path: Path) -> list[str]:
    """The PDF's text layer, page by page, with white space removed."""
    return [squash(page.extract_text() or "") for page in PdfReader(str(path)).pages]


def shows(pages: list[str], value: str) -> bool:
    """Whether ``value`` can be read from the pages: whole on one page, or continued on the next.

    A paragraph or a table cell may break across a page: its first part is on one page, and the
    rest on the next, after the running header and a repeated table header (and, in a table, the
    other cells' continuations). Every character must still be there, in order, page after page.
    """
    value = squash(value)
    if not value:
        return True
    for start in range(len(pages)):
        rest = value
        for page in pages[start:]:
            low, high = 0, len(rest)  # the longest prefix of ``rest`` on this page
            while low < high:
                mid = (low + high + 1) // 2
                if rest[:mid] in page:
                    low = mid
                else:
                    high = mid - 1
            if low == len(rest):
                return True
            if low == 0:
                break
            rest = rest[low:]
    return False


def font_report(path: Path) -> list[tuple[str, str, bool]]:
    """(font name, subtype, embedded) of every font a page or a form on it uses."""
    reader = PdfReader(str(path))
    seen: dict[object, tuple[str, str, bool]] = {}

    def descriptor_embeds(descriptor) -> bool:
        descriptor = descriptor.get_object() if descriptor is not None else None
        return bool(descriptor) and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def walk(resources, depth=0) -> None:
        if resources is None or depth > 10:
            return
        resources = resources.get_object()
        fonts = resources["/Font"].get_object() if "/Font" in resources else {}
        for name in fonts:
            ref = fonts.raw_get(name) if hasattr(fonts, "raw_get") else fonts[name]
            font = ref.get_object()
            key = getattr(ref, "idnum", None) or id(font)
            subtype = str(font.get("/Subtype"))
            if subtype == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                embedded = descriptor_embeds(descendant["/FontDescriptor"] if "/FontDescriptor" in descendant
                                             else None)
            elif subtype == "/Type3":
                embedded = True  # glyphs are drawn by content streams inside the file
                if "/Resources" in font:
                    walk(font["/Resources"], depth + 1)
            else:
                embedded = descriptor_embeds(font["/FontDescriptor"] if "/FontDescriptor" in font else None)
            seen[key] = (str(font.get("/BaseFont")), subtype, embedded)
        xobjects = resources["/XObject"].get_object() if "/XObject" in resources else {}
        for name in xobjects:
            xobject = xobjects[name].get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"], depth + 1)

    for page in reader.pages:
        if "/Resources" in page:
            walk(page["/Resources"])
    return list(seen.values())


def pdffonts_unembedded(tool: str, path: Path) -> tuple[int, list[str]]:
    """``pdffonts``: how many fonts it lists, and the names of those not embedded."""
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"pdffonts {path.name} 失败：{done.stderr}"
    lines = done.stdout.splitlines()
    assert len(lines) >= 2 and lines[1].startswith("---"), f"pdffonts 输出无法识别：{done.stdout}"
    rows = [line for line in lines[2:] if line.strip()]
    # the last columns are: emb sub uni object-number generation
    return len(rows), [row for row in rows if row.split()[-5] != "yes"]


def _file(entry, by_name: dict, out: Path, fmt: str) -> Path:
    _ident, name, _code, _key, _fmt = _need_plan(entry)
    assert name in by_name, f"manifest.json 未列出 {name}（构建计划中有此文件）"
    path = out / name
    assert path.is_file(), f"manifest.json 列出的 {name} 不存在"
    assert by_name[name]["format"] == fmt
    return path


# --------------------------------------------------------------------------------------- coverage

def test_manifest_covers_every_planned_file(example_build, manifest):
    """Every file the plan expects is in the manifest and on disk; nothing else is written."""
    assert PLAN_ERROR is None, f"无法读取示例项目的文档计划：{PLAN_ERROR}"
    out, _result = example_build
    listed = sorted(f["path"] for f in manifest["files"])
    assert listed == sorted(f[1] for f in PLANNED)
    on_disk = sorted(p.name for p in out.iterdir() if p.suffix in (".docx", ".pdf", ".xlsx", ".eml"))
    assert on_disk == listed
    assert len(listed) >= 2


# ------------------------------------------------------------------------------------------- DOCX

@pytest.mark.parametrize("entry", _params("docx"))
def test_libreoffice_opens_docx(entry, example_build, by_name, libreoffice_pdfs, facts):
    """LibreOffice converts the DOCX; its PDF shows every required heading in order and every key value."""
    out, _result = example_build
    path = _file(entry, by_name, out, "docx")
    _ident, name, code, key, _fmt = entry
    converted = libreoffice_pdfs["dir"] / (path.stem + ".pdf")
    assert converted.is_file() and converted.stat().st_size > 0, (
        f"LibreOffice 未能把 {name} 转换为 PDF：\n{libreoffice_pdfs['log']}")
    reader = PdfReader(str(converted))
    assert len(reader.pages) >= 1, f"{name} 经 LibreOffice 转换后没有页面"
    pages = pages_text(converted)
    artifact = REGISTRY[code]
    assert artifact.sections, f"{code} 没有必备章节"
    missing = in_order("".join(pages), artifact.sections)
    assert not missing, f"LibreOffice 打开 {name} 后缺少（或顺序不对的）必备章节标题：{missing}"
    values = [v for v in artifact.key_values(facts, key) if v]
    lost = [v for v in values if not shows(pages, v)]
    assert not lost, f"LibreOffice 打开 {name} 后看不到关键内容：{lost}"


# -------------------------------------------------------------------------------------------- PDF

@pytest.mark.parametrize("entry", _params("pdf"))
def test_qpdf_check(entry, example_build, by_name, client_tools):
    out, _result = example_build
    path = _file(entry, by_name, out, "pdf")
    done = subprocess.run([client_tools["qpdf"], "--check", str(path)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"qpdf --check {path.name} 退出码 {done.returncode}：\n{done.stdout}\n{done.stderr}"
    assert "No syntax or stream encoding errors found" in done.stdout, done.stdout


@pytest.mark.parametrize("entry", _params("pdf"))
def test_pdf_fonts_embedded(entry, example_build, by_name, client_tools):
    out, _result = example_build
    path = _file(entry, by_name, out, "pdf")
    fonts = font_report(path)
    assert fonts, f"{path.name} 中找不到任何字体"
    assert not [f for f in fonts if not f[2]], f"{path.name} 中未嵌入的字体：{[f for f in fonts if not f[2]]}"
    count, unembedded = pdffonts_unembedded(client_tools["pdffonts"], path)
    assert count == len(fonts), f"pdffonts 列出 {count} 个字体，pypdf 找到 {len(fonts)} 个：{fonts}"
    assert not unembedded, f"pdffonts：{path.name} 中未嵌入的字体：{unembedded}"


@pytest.mark.parametrize("entry", _params("pdf"))
def test_pdf_shows_every_string_the_docx_shows(entry, example_build, by_name, facts):
    """No glyph lost: each data string the DOCX shows can be read back from the PDF text layer."""
    out, _result = example_build
    path = _file(entry, by_name, out, "pdf")
    _ident, name, code, key, _fmt = entry
    docx_name = next((f[1] for f in PLANNED if f[2] == code and f[3] == key and f[4] == "docx"), None)
    assert docx_name and (out / docx_name).is_file(), f"{name} 没有对应的 DOCX"
    artifact = REGISTRY[code]
    draft = is_draft(facts, artifact, key, by_name[name]["errors"] > 0)
    context = build_context(facts, artifact, key, draft)
    docx = squash(docx_text(out / docx_name).text)
    shown = sorted({squash(s) for s in strings_in(context)} - {""})
    shown = [s for s in shown if s in docx]
    assert len(shown) >= 5, f"{docx_name} 中只找到 {len(shown)} 个数据字符串，比较没有意义"
    pages = pages_text(path)
    lost = [s for s in shown if not shows(pages, s)]
    assert not lost, f"{name} 的文本中读不到 DOCX 显示的以下数据（{len(lost)}/{len(shown)}）：{lost}"


# ------------------------------------------------- the checks above can fail: controls and helpers

def test_libreoffice_refuses_a_truncated_docx(libreoffice_pdfs):
    assert not (libreoffice_pdfs["dir"] / BROKEN_DOCX.replace(".docx", ".pdf")).exists()
    assert "source file could not be loaded" in libreoffice_pdfs["log"]


def test_qpdf_finds_a_damaged_stream(example_build, manifest, client_tools, tmp_path):
    out, _result = example_build
    source = next(out / f["path"] for f in manifest["files"] if f["format"] == "pdf")
    data = bytearray(source.read_bytes())
    at = data.index(b"stream\n") + len(b"stream\n")
    data[at:at + 64] = bytes(64)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(bytes(data))
    done = subprocess.run([client_tools["qpdf"], "--check", str(damaged)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0


def test_font_checks_see_an_unembedded_font(client_tools, tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    path = tmp_path / "helvetica.pdf"
    writer.write(path)
    assert font_report(path) == [("/Helvetica", "/Type1", False)]
    count, unembedded = pdffonts_unembedded(client_tools["pdffonts"], path)
    assert count == 1 and len(unembedded) == 1 and unembedded[0].startswith("Helvetica")


def test_shows_follows_a_string_across_a_page_break():
    pages = [squash("正文……历史数据迁移有条件通过：客户\n第 3 页 共 5 页"),
             squash("文档编号 编号 指标 原因 率 提供的 Excel 导出不一致")]
    assert shows(pages, "历史数据迁移有条件通过：客户提供的 Excel 导出不一致")
    assert shows(pages, "第 3 页")
    assert not shows(pages, "历史数据迁移有条件通过：客户提供的 Excel 导入")  # a character lost
    assert not shows(pages, "客户提供的 Excel 导出不一致历史")  # out of order
    assert not shows(pages[::-1], "历史数据迁移有条件通过：客户提供的 Excel 导出不一致")  # wrong page order
    assert not shows(pages, "一致正文")  # a page does not continue on the one before


def test_in_order_reports_missing_and_misordered_headings():
    flat = squash("一、项目概况 …… 二、项目目标 …… 三、范围")
    assert in_order(flat, ["项目概况", "项目目标", "范围"]) == []
    assert in_order(flat, ["项目目标", "项目概况"]) == ["项目概况"]
    assert in_order(flat, ["项目概况", "里程碑"]) == ["里程碑"]
