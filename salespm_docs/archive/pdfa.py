"""PDF/A-3b: a document's HTML → an archive PDF with its source files embedded, and its verification.

``write_pdfa`` lays a document out with the build's own ``PdfRenderer`` and has WeasyPrint 70 write
it as PDF/A-3b (ISO 19005-3, GB/T 23286.3): XMP identification ``pdfaid:part 3`` /
``conformance B``, the sRGB output intent (``/GTS_PDFA1``), a file identifier, and each source
file (the project's YAML, the document's DOCX) embedded as an *associated file*: listed in the
catalog's ``/AF`` with ``/AFRelationship /Source`` and in ``/Names /EmbeddedFiles``. PDF/A-3, not
-1 or -2: the Noto CJK faces are OpenType-CFF (``/FontFile3``) and PDF/A-3 is the part that allows
embedding files other than PDF/A.

The file is reproducible: the embedded files' dates are ``SOURCE_DATE_EPOCH`` when it is set, else
the document's own date (``dcterms.modified`` of the HTML), and WeasyPrint's ``/ID`` is an MD5 of
the objects, so the same input gives the same bytes.

``pdfa_problems`` says, in Chinese, what keeps a file from being such an archive file (checked
with pikepdf and ``qpdf --check``). It checks what the archive relies on, not all of ISO 19005: no
open validator (veraPDF is Java and is on none of the registries this project can use) is run.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pydyf
from weasyprint import Attachment
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..errors import RenderError, os_reason
from ..render.pdf import PdfRenderer

#: The qpdf program ``pdfa_problems`` runs (a name looked up on PATH, or a path).
QPDF = "qpdf"
#: Seconds ``qpdf --check`` may take before the file is reported as not checked.
QPDF_TIMEOUT = 120.0

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YAML_MIME = "application/yaml"

_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_MODIFIED = re.compile(r"""<meta\s+name=["']dcterms\.modified["']\s+content=["']([^"']+)["']""", re.I)
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class Embedded:
    """A file embedded in the archive PDF as an associated file (``/AFRelationship /Source``)."""

    name: str  # the file name shown in the reader's attachment panel (Chinese allowed)
    data: bytes
    mime: str  # e.g. ``application/yaml``, ``DOCX_MIME``
    description: str  # Chinese, e.g. "项目源数据 project.yaml", "可编辑原件（Word）"


class _EmbeddedFetcher(URLFetcher):
    """Serves the bytes of each embedded file, with its MIME type, to WeasyPrint's attachment writer."""

    def __init__(self, files: dict[str, Embedded]):
        # a failure is logged by WeasyPrint and the file left out: write_pdfa checks every one got in
        super().__init__(fail_on_errors=False, allowed_protocols=("salespm-embedded",))
        self.files = files

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        item = self.files[url]
        return URLFetcherResponse(url, body=item.data, headers={"Content-Type": item.mime})


def write_pdfa(renderer: PdfRenderer, html: str, target: Path, embedded: list[Embedded]) -> None:
    """Lay out ``html`` and write ``target`` as PDF/A-3b with every ``embedded`` file as an
    associated file (``/AFRelationship /Source``), listed in the catalog's ``/AF`` and in
    ``/Names /EmbeddedFiles``. Raises ``RenderError`` with a Chinese message on failure. Writes
    atomically (a temporary file beside ``target``, then ``os.replace``)."""
    target = Path(target)
    _check_embedded(target, embedded)
    stamp = _stamp(html)
    # in name order, so that the same files given in another order make the same bytes
    ordered = sorted(embedded, key=lambda item: _text_bytes(item.name))
    files = {f"salespm-embedded:{i}": item for i, item in enumerate(ordered)}
    fetcher = _EmbeddedFetcher(files)
    attachments = [Attachment(url=url, url_fetcher=fetcher, name=item.name, description=item.description,
                              created=stamp, modified=stamp, relationship="Source")
                   for url, item in files.items()]
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise RenderError(f"无法写入 PDF/A 归档文件 {target}：{os_reason(exc)}") from exc
    os.close(fd)
    temp = Path(temp_name)
    try:
        try:
            renderer.write(html, temp, variant="pdf/a-3b", attachments=attachments, finisher=_tidy_attachments)
        except RenderError as exc:
            cause = exc.__cause__
            reason = f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)
            raise RenderError(f"生成 PDF/A 归档文件失败（{target.name}）：{reason}") from cause
        lost = [a.name for a in attachments if a.md5 is None]  # WeasyPrint only logs a failed attachment
        if lost:
            raise RenderError(f"生成 PDF/A 归档文件失败（{target.name}）：以下文件未能嵌入：{'、'.join(lost)}")
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        raise RenderError(f"无法写入 PDF/A 归档文件 {target}：{os_reason(exc)}") from exc
    finally:
        temp.unlink(missing_ok=True)


def _text_bytes(text: str) -> bytes:
    """The bytes pydyf writes for ``pydyf.String(text)``: ASCII as it is, else UTF-16BE with a BOM."""
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


def _tidy_attachments(document, pdf) -> None:
    """WeasyPrint 70's finisher hook, on the PDF objects of a PDF/A-3 file with attachments:

    - ``/AF`` lists each file once (WeasyPrint 70 adds each file spec twice: from the name tree
      and again from the objects);
    - ``/F`` and the name tree's keys are the file name as a PDF text string, like ``/UF``
      (WeasyPrint writes raw UTF-8 there, which readers decode as PDFDocEncoding: 项目 → é¡¹ç);
    - the name tree ``/EmbeddedFiles`` is sorted by key, as ISO 32000 §7.9.6 requires.
    """
    catalog = pdf.catalog
    reference = catalog.get("Names", {}).get("EmbeddedFiles")
    if reference is None:
        return
    tree = _pdf_object(pdf, reference)
    pairs = []
    for spec_reference in tree["Names"][1::2]:
        spec = _pdf_object(pdf, spec_reference)
        name = spec["UF"].string
        spec["F"] = pydyf.String(name)
        pairs.append((_text_bytes(name), name, spec_reference))
    pairs.sort()
    tree["Names"] = pydyf.Array()
    for _, name, spec_reference in pairs:
        tree["Names"].extend((pydyf.String(name), spec_reference))
    if "AF" in catalog:
        catalog["AF"] = pydyf.Array(dict.fromkeys(catalog["AF"]))


def _pdf_object(pdf, reference: bytes):
    """The pydyf object that ``reference`` (``b"12 0 R"``) names."""
    obj = pdf.objects[int(reference.split()[0])]
    if obj.reference != reference:
        raise RuntimeError(f"PDF object {reference!r} not found")
    return obj


def _check_embedded(target: Path, embedded: list[Embedded]) -> None:
    """Refuse what would make a broken or ambiguous attachment list."""
    counts = Counter(item.name for item in embedded)
    twice = sorted(name for name, n in counts.items() if n > 1)
    if twice:
        raise RenderError(f"PDF/A 归档文件 {target.name} 的嵌入文件重名：{'、'.join(twice)}")
    for item in embedded:
        if not item.name or "/" in item.name or "\\" in item.name:
            raise RenderError(f"PDF/A 归档文件 {target.name} 的嵌入文件名无效：{item.name!r}"
                              "（name 应为不含路径的文件名）")
        if not _MIME.match(item.mime):
            raise RenderError(f"嵌入文件 {item.name} 的 MIME 类型无效：{item.mime!r}（mime 应形如 application/yaml）")
        if not isinstance(item.data, bytes):
            raise RenderError(f"嵌入文件 {item.name} 的内容（data）应为 bytes")


def _stamp(html: str) -> dt.datetime:
    """The embedded files' creation and modification time (UTC, naive: WeasyPrint writes it with
    ``Z``): ``SOURCE_DATE_EPOCH``, else the document's ``dcterms.modified``, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    found = _MODIFIED.search(html)
    if found:
        try:
            value = dt.datetime.fromisoformat(found.group(1).strip())
        except ValueError:
            value = None
        if value is not None:
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def page_count(path: Path) -> int:
    """The number of pages of the PDF ``path`` (``RenderError`` if it cannot be read)."""
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError:
        raise RenderError(f"无法读取 {Path(path).name} 的页数：文件已加密") from None
    except pikepdf.PdfError as exc:
        raise RenderError(f"无法读取 {Path(path).name} 的页数：不是有效的 PDF（{exc}）") from None
    except OSError as exc:
        raise RenderError(f"无法读取 {Path(path).name} 的页数：{os_reason(exc)}") from None


def pdfa_problems(path: Path, expected: list[str] | None = None) -> list[str]:
    """Chinese descriptions of what makes ``path`` not a PDF/A-3b archive file; ``[]`` when it is fine.

    Checks the XMP identification (``pdfaid:part`` 3, ``pdfaid:conformance`` B), the output intent
    (``/GTS_PDFA1`` with an ICC profile), the associated files (every embedded file in the
    catalog's ``/AF`` with ``/AFRelationship /Source``, a MIME type, ``/F`` and ``/UF``; exactly
    the names in ``expected`` when given), that every font of every page (through Form XObjects,
    patterns, soft masks, annotation appearances, Type3 glyph resources and Type0 descendants) is
    embedded, no encryption, a file identifier, and ``qpdf --check``."""
    path = Path(path)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return ["文件已加密且需要密码：PDF/A 不允许加密（/Encrypt）"]
    except pikepdf.PdfError as exc:
        return [f"无法作为 PDF 打开：{exc}"]
    except OSError as exc:
        return [f"无法读取文件：{os_reason(exc)}"]
    problems: list[str] = []
    with pdf:
        if pdf.is_encrypted:
            problems.append("文件已加密（/Encrypt）：PDF/A 不允许加密")
        problems += _identification(pdf)
        problems += _output_intent(pdf)
        problems += _associated_files(pdf, expected)
        problems += _fonts(pdf)
        if "/ID" not in pdf.trailer:
            problems.append("文件尾缺少文件标识（/ID）：PDF/A 要求")
    problems += _qpdf_check(path)
    return problems


def _identification(pdf: pikepdf.Pdf) -> list[str]:
    if "/Metadata" not in pdf.Root:
        return ["缺少 XMP 元数据（目录的 /Metadata）：没有 PDF/A 标识（pdfaid:part 3、pdfaid:conformance B）"]
    try:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False, strict=True)
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except Exception as exc:  # noqa: BLE001 - lxml and pikepdf raise several kinds on bad XMP
        return [f"XMP 元数据无法解析：{type(exc).__name__}: {exc}"]
    problems = []
    if str(part or "").strip() != "3":
        problems.append(f"XMP 元数据未声明 PDF/A-3：pdfaid:part 为 {part or '空'}，应为 3")
    if str(conformance or "").strip() != "B":
        problems.append(f"XMP 元数据未声明 PDF/A-3b 的一致性级别：pdfaid:conformance 为 {conformance or '空'}，应为 B")
    return problems


def _output_intent(pdf: pikepdf.Pdf) -> list[str]:
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array) or not len(intents):
        return ["缺少输出意图（目录的 /OutputIntents）：PDF/A 需要一项 /S /GTS_PDFA1 及其 ICC 色彩配置文件"]
    ours = [i for i in intents if isinstance(i, pikepdf.Dictionary) and i.get("/S") == pikepdf.Name.GTS_PDFA1]
    if not ours:
        return ["输出意图（/OutputIntents）中没有 /S /GTS_PDFA1 一项"]
    profile = ours[0].get("/DestOutputProfile")
    try:
        data = profile.read_bytes() if isinstance(profile, pikepdf.Stream) else b""
    except pikepdf.PdfError:
        data = b""
    if len(data) < 128 or data[36:40] != b"acsp":
        return ["输出意图 /GTS_PDFA1 没有有效的 ICC 色彩配置文件（/DestOutputProfile）"]
    return []


def _file_name(spec: pikepdf.Dictionary, key: str) -> str:
    for field in ("/UF", "/F"):
        value = spec.get(field)
        if isinstance(value, pikepdf.String):
            return str(value)
    return key


def _associated_files(pdf: pikepdf.Pdf, expected: list[str] | None) -> list[str]:
    problems: list[str] = []
    af = pdf.Root.get("/AF")
    af_specs = [s for s in af if isinstance(s, pikepdf.Dictionary)] if isinstance(af, pikepdf.Array) else []
    in_af = {s.objgen for s in af_specs if s.is_indirect}
    names = pdf.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    entries: list[tuple[str, pikepdf.Object]] = []
    if tree is not None:
        try:
            entries = list(pikepdf.NameTree(tree).items())
        except Exception as exc:  # noqa: BLE001 - a broken name tree
            problems.append(f"嵌入文件名称树（/Names /EmbeddedFiles）无法读取：{exc}")
    found: list[str] = []
    for key, spec in entries:
        if not isinstance(spec, pikepdf.Dictionary):
            problems.append(f"嵌入文件 {key} 没有文件说明字典（/Filespec）")
            continue
        name = _file_name(spec, key)
        found.append(name)
        if not spec.is_indirect or spec.objgen not in in_af:
            problems.append(f"嵌入文件 {name} 未列入目录的 /AF（关联文件）")
        if "/F" not in spec or "/UF" not in spec:
            problems.append(f"嵌入文件 {name} 的文件说明缺少 /F 或 /UF 文件名")
        stream = spec.get("/EF", {}).get("/F") if isinstance(spec.get("/EF"), pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            problems.append(f"嵌入文件 {name} 没有内容（/EF /F）")
        else:
            if "/Subtype" not in stream:
                problems.append(f"嵌入文件 {name} 未注明 MIME 类型（嵌入文件流的 /Subtype）")
            params = stream.get("/Params")
            if not isinstance(params, pikepdf.Dictionary) or "/ModDate" not in params:
                problems.append(f"嵌入文件 {name} 未注明修改日期（嵌入文件流的 /Params /ModDate）")
    listed = Counter(s.objgen for s in af_specs if s.is_indirect)
    for spec in af_specs:
        if spec.is_indirect and listed.pop(spec.objgen, 1) > 1:
            problems.append(f"关联文件 {_file_name(spec, '?')} 在目录的 /AF 中重复列出")
    for spec in af_specs:
        relationship = spec.get("/AFRelationship")
        if relationship != pikepdf.Name.Source:
            name = _file_name(spec, "?")
            shown = str(relationship) if relationship is not None else "缺失"
            problems.append(f"关联文件 {name} 的 /AFRelationship 为 {shown}，应为 /Source")
    if expected is not None:
        missing = sorted((Counter(expected) - Counter(found)).elements())
        extra = sorted((Counter(found) - Counter(expected)).elements())
        if missing or extra:
            parts = [f"缺少 {'、'.join(missing)}"] if missing else []
            parts += [f"多出 {'、'.join(extra)}"] if extra else []
            problems.append(f"嵌入文件与预期不符：{'；'.join(parts)}")
    return problems


def _inherited_resources(page: pikepdf.Dictionary):
    node, hops = page, 0
    while isinstance(node, pikepdf.Dictionary) and hops < 64:
        if "/Resources" in node:
            return node.Resources
        node, hops = node.get("/Parent"), hops + 1
    return None


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    """A problem for each font, found anywhere a page draws from, that is not embedded."""
    problems: list[str] = []
    seen: set[tuple[int, int]] = set()
    reported: set[tuple[int, int]] = set()

    def once(obj) -> bool:
        """Whether an indirect object is met for the first time (direct ones always are)."""
        if not obj.is_indirect:
            return True
        if obj.objgen in seen:
            return False
        seen.add(obj.objgen)
        return True

    def report(font, why: str, page: int) -> None:
        key = font.objgen if font.is_indirect else (id(font), -1)
        if key not in reported:
            reported.add(key)
            problems.append(f"字体 {font.get('/BaseFont', '（无名称）')} 未嵌入（第 {page} 页）：{why}")

    def descriptor_embeds(font) -> bool:
        descriptor = font.get("/FontDescriptor")
        return isinstance(descriptor, pikepdf.Dictionary) and any(
            isinstance(descriptor.get(key), pikepdf.Stream) for key in _FONT_FILES)

    def check_font(font, page: int) -> None:
        if not isinstance(font, pikepdf.Dictionary) or not once(font):
            return
        subtype = font.get("/Subtype")
        if subtype == pikepdf.Name.Type3:
            resources(font.get("/Resources"), page)
        elif subtype == pikepdf.Name.Type0:
            descendants = font.get("/DescendantFonts")
            if not isinstance(descendants, pikepdf.Array) or not len(descendants):
                report(font, "Type0 字体缺少 /DescendantFonts", page)
            elif not descriptor_embeds(descendants[0]):
                report(font, "其 CID 字体的 /FontDescriptor 中没有 FontFile、FontFile2 或 FontFile3", page)
        elif not descriptor_embeds(font):
            report(font, "/FontDescriptor 中没有 FontFile、FontFile2 或 FontFile3", page)

    def xobject(obj, page: int) -> None:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Form and once(obj):
            resources(obj.get("/Resources"), page)

    def resources(res, page: int) -> None:
        if not isinstance(res, pikepdf.Dictionary) or not once(res):
            return
        for font in _values(res.get("/Font")):
            check_font(font, page)
        for obj in _values(res.get("/XObject")):
            xobject(obj, page)
        for pattern in _values(res.get("/Pattern")):
            if isinstance(pattern, pikepdf.Stream) and once(pattern):  # a tiling pattern draws
                resources(pattern.get("/Resources"), page)
        for state in _values(res.get("/ExtGState")):
            mask = state.get("/SMask") if isinstance(state, pikepdf.Dictionary) else None
            if isinstance(mask, pikepdf.Dictionary):
                xobject(mask.get("/G"), page)

    for number, page in enumerate(pdf.pages, start=1):
        resources(_inherited_resources(page.obj), number)
        for annotation in _values(page.obj.get("/Annots")):
            appearances = annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary) else None
            for kind in _values(appearances):
                if isinstance(kind, pikepdf.Stream):
                    xobject(kind, number)
                else:
                    for state in _values(kind):
                        xobject(state, number)
    return problems


def _values(container) -> Iterator:
    """The values of a PDF dictionary or the items of an array (nothing for anything else)."""
    if isinstance(container, pikepdf.Dictionary):
        yield from container.values()
    elif isinstance(container, pikepdf.Array):
        yield from container


def _qpdf_check(path: Path) -> list[str]:
    try:
        done = subprocess.run([QPDF, "--check", str(path)], capture_output=True, timeout=QPDF_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return [f"未找到 qpdf 程序（{QPDF}），无法做结构检查 qpdf --check：请安装 qpdf（apt-get install qpdf）"]
    except subprocess.TimeoutExpired:
        return [f"qpdf --check 超过 {QPDF_TIMEOUT:g} 秒未完成，未能检查文件结构"]
    except OSError as exc:
        return [f"无法运行 qpdf（{QPDF}）：{os_reason(exc)}"]
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        detail = "；".join(said[:3]) if said else "无输出"
        return [f"qpdf --check 未通过（退出码 {done.returncode}）：{detail}"]
    return []
