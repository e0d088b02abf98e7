"""DOCX: a Word template (``templates/docx/<CODE>.docx``) + context → a .docx, through docxtpl.

Autoescaped and sandboxed like the HTML side. Template errors name the template, the variable and
the text around the tag. The zip is written with fixed timestamps so that output is reproducible.

Besides the context, a template sees ``images``: ``images.logo`` is the company logo as a picture
about 16 mm high (at most 60 mm wide), or ``""`` when there is none. An SVG logo is rasterised to a
300 dpi PNG (Word shows no SVG without a PNG fallback); PNG and JPEG are embedded as they are.
For every chart list of the context (``charts.gantt``, ``charts.s_curve``: lists of
``charts.Chart``), ``images.<name>`` is the list of its pages as 200 dpi PNG pictures, each at the
chart's width in mm, within the template's text width and height (proportions kept), with the
chart's alternative text.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import jinja2
from docx.image.image import Image
from docx.shared import Emu, Mm
from docxtpl import DocxTemplate, InlineImage

from ..confine import inside, regular_file_inside
from ..errors import DataError, Problem, TemplateError
from ..templating import TemplateLimit
from ..layout.word_package import LANGUAGE, drop_thumbnail, set_app_properties


class _Template(DocxTemplate):
    """docxtpl's template with its XML clean-up (``patch_xml``, regex heavy) remembered per text."""

    _patched: dict[str, str] = {}

    def patch_xml(self, src_xml: str) -> str:
        patched = self._patched.get(src_xml)
        if patched is None:
            if len(self._patched) > 64:
                self._patched.clear()
            patched = self._patched[src_xml] = super().patch_xml(src_xml)
        return patched


def _template_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return getattr(exc, "lineno", None) or line


def _text_around(tpl: DocxTemplate, line: int | None) -> str:
    if line is None:
        return ""
    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(tpl.get_xml()))
    lines = xml.splitlines()[max(line - 2, 0): line + 1]
    text = " ".join(re.sub(r"<[^>]+>", "", x) for x in lines).strip()
    return f"；标签附近的文字：「{text[:120]}」" if text else ""


def render_docx(template: Path, context: dict, env: jinja2.Environment, target: Path,
                properties: dict[str, str], stamp: dt.datetime) -> None:
    """Render ``template`` with ``context`` into ``target``."""
    name = f"templates/docx/{template.name}"
    if not template.is_file() and not template.is_symlink():
        raise TemplateError(f"找不到 Word 模板：{template}")
    real = regular_file_inside(template.parent, template)
    if real is None:
        where = "指向模板目录之外的文件" if inside(template.parent, template) is None else "不是普通文件"
        raise TemplateError(f"Word 模板 {name} {where}，已拒绝读取")
    tpl = _Template(str(real))
    if "images" in context:
        raise ValueError("the context must not define 'images': render_docx adds it")
    context = dict(context)  # shallow: the caller's context is shared with the PDF side
    company = context.get("company") or {}
    context["images"] = {"logo": _logo(tpl, company.get("logo"), company.get("name") or ""),
                         **_chart_images(tpl, context.get("charts"))}
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{name}: 模板使用了未定义的变量：{exc.message}{_text_around(tpl, _template_line(exc))}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{name}: 模板语法错误：{exc.message}{_text_around(tpl, exc.lineno)}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"{name}: 模板试图访问受限的内部属性，已拒绝：{exc}") from None
    except TemplateLimit as exc:
        raise TemplateError(f"{name}: 模板超出资源限制：{exc}{_text_around(tpl, _template_line(exc))}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{name}: 模板渲染失败：{exc}") from None
    except RecursionError:
        raise TemplateError(f"{name}: 模板递归过深（宏调用自身？）") from None
    except MemoryError:
        raise TemplateError(f"{name}: 模板渲染耗尽了内存，请检查模板中的循环与运算") from None
    core = tpl.docx.core_properties
    core.title = _property(properties, "title")
    core.subject = _property(properties, "subject")
    core.author = _property(properties, "author")
    core.keywords = _property(properties, "keywords")
    core.identifier = _property(properties, "identifier")
    core.comments = "salespm-docs"
    core.last_modified_by = _property(properties, "author")
    core.created = core.modified = stamp.replace(tzinfo=None)
    core.revision = 1
    core.language = _property(properties, "language") or LANGUAGE
    package = tpl.docx.part.package
    drop_thumbnail(package)  # a template saved by Word carries a picture of the template
    set_app_properties(package, company=_property(properties, "company"), title=core.title)
    tmp = target.with_suffix(".unsorted")
    tpl.save(str(tmp))
    _normalise_zip(tmp, target, stamp)
    tmp.unlink()


def _property(properties: dict[str, str], name: str) -> str:
    """A core property as Word stores it: at most 255 characters (python-docx refuses more)."""
    value = properties.get(name) or ""
    return value if len(value) <= 255 else value[:254] + "…"


# ------------------------------------------------------------------------------------------- logo

LOGO_HEIGHT_MM = 16
LOGO_MAX_WIDTH_MM = 60
LOGO_DPI = 300
MAX_LOGO_BYTES = 1024 * 1024
_DATA_URI = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)(?P<params>(?:;[^,;]*)*),(?P<data>.*)", re.S)
_logos: dict[str, tuple[bytes, int, int]] = {}


class _Logo(InlineImage):
    """The logo as an inline picture, with alt text (``wp:docPr/@descr``) for screen readers.

    Converted only when the template prints it, once per process for a given logo: rasterising an
    SVG loads cairo (about a second the first time)."""

    def __init__(self, tpl, uri: str, alt: str):
        super().__init__(tpl, None)
        self.uri, self.alt = uri, alt

    def _insert_image(self) -> str:
        key = hashlib.sha256(self.uri.encode()).hexdigest()
        made = _logos.get(key)
        if made is None:
            made = _logo_picture(self.uri)
            if len(_logos) > 16:
                _logos.clear()
            _logos[key] = made
        blob, width, height = made
        inline = self.tpl.current_rendering_part.new_pic_inline(io.BytesIO(blob), Emu(width), Emu(height))
        if self.alt:
            inline.docPr.set("descr", self.alt)
        return ("</w:t></w:r><w:r><w:drawing>%s</w:drawing></w:r><w:r>"
                '<w:t xml:space="preserve">' % inline.xml)


def _logo_error(message: str) -> DataError:
    return DataError([Problem("project.yaml", None, "project.logo", message)])


def _logo(tpl: DocxTemplate, uri: str | None, alt: str) -> _Logo | str:
    """``company.logo`` (a ``data:`` URI or None) as a picture for Word, or ``""``."""
    return _Logo(tpl, uri, alt) if uri else ""


def _box(ratio: float) -> tuple[float, float]:
    """(width, height) in mm of a picture with aspect ``ratio`` (width / height) in the logo box."""
    width, height = LOGO_HEIGHT_MM * ratio, LOGO_HEIGHT_MM
    if width > LOGO_MAX_WIDTH_MM:
        width, height = LOGO_MAX_WIDTH_MM, LOGO_MAX_WIDTH_MM / ratio
    return width, height


def _logo_picture(uri: str) -> tuple[bytes, int, int]:
    """(PNG or JPEG bytes, width EMU, height EMU) of a logo ``data:`` URI."""
    match = _DATA_URI.fullmatch(uri)
    if match is None:
        raise _logo_error("不是有效的 data: URI")
    kind, data = match["type"].lower(), match["data"]
    if ";base64" in match["params"].lower():
        try:
            blob = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _logo_error("图片数据（base64）已损坏") from None
    else:
        from urllib.parse import unquote_to_bytes
        blob = unquote_to_bytes(data)
    if len(blob) > MAX_LOGO_BYTES:
        raise _logo_error("图片过大（上限 1 MB）")
    if kind == "image/svg+xml":
        return _rasterise(blob)
    if kind not in ("image/png", "image/jpeg"):
        raise _logo_error(f"Word 文档不支持的图片类型「{kind}」")
    try:
        image = Image.from_blob(blob)
    except Exception as exc:  # UnrecognizedImageError, or whatever a truncated header trips on
        raise _logo_error(f"无法读取图片：{type(exc).__name__}") from None
    if not image.px_width or not image.px_height:
        raise _logo_error("图片的宽或高为 0")
    width, height = _box(image.px_width / image.px_height)
    return blob, int(Mm(width)), int(Mm(height))


def _rasterise(svg: bytes) -> tuple[bytes, int, int]:
    """An SVG → a PNG at ``LOGO_DPI`` for the logo box, through ``logo.rasterise_svg``: the SVG is
    checked first (no DOCTYPE or entities, bounded elements, ``<use>`` count, reference depth and
    expansion), then drawn by cairosvg in safe mode (no external files or URLs) with a bounded number
    of steps and time; the pixel size is bounded by the box (at most 709 × 189 at 300 dpi).
    A build hands this module a PNG already (``Facts.logo_uri``); this guards other callers."""
    from ..logo import LogoError, rasterise_svg

    try:
        png, _px_w, _px_h, ratio = rasterise_svg(svg, "SVG 图片")
    except LogoError as exc:
        raise _logo_error(str(exc)) from None
    width, height = _box(ratio)
    return png, int(Mm(width)), int(Mm(height))


# ------------------------------------------------------------------------------------------ charts

CHART_SPARE_MM = 6  # below a picture as high as the page: its line and the paragraph's spacing


class _ChartImage(InlineImage):
    """One chart page as an inline picture: rasterised (``Chart.png``, cached on the chart) only
    when the template prints it, sized to the chart's mm within the template's text area."""

    def __init__(self, tpl, chart):
        super().__init__(tpl, None)
        self.chart = chart

    def _box(self) -> tuple[int, int]:
        """(width, height) in EMU: the chart's size, scaled down to fit the text area if needed."""
        width, height = Mm(self.chart.width_mm), Mm(self.chart.height_mm)
        try:
            section = self.tpl.docx.sections[-1]
            room_w = section.page_width - section.left_margin - section.right_margin
            room_h = section.page_height - section.top_margin - section.bottom_margin - Mm(CHART_SPARE_MM)
            scale = min(1.0, room_w / width, room_h / height)
        except (TypeError, AttributeError, IndexError, ZeroDivisionError):  # a section without sizes
            scale = 1.0
        return int(width * scale), int(height * scale)

    def _insert_image(self) -> str:
        width, height = self._box()
        blob = self.chart.png()
        inline = self.tpl.current_rendering_part.new_pic_inline(io.BytesIO(blob), Emu(width), Emu(height))
        if self.chart.alt:
            inline.docPr.set("descr", self.chart.alt)
        return ("</w:t></w:r><w:r><w:drawing>%s</w:drawing></w:r><w:r>"
                '<w:t xml:space="preserve">' % inline.xml)


def _chart_images(tpl: DocxTemplate, charts) -> dict[str, list[_ChartImage]]:
    """``images.<name>`` for each chart list of ``charts`` (a single chart counts as a list of one)."""
    from ..charts import Chart

    images: dict[str, list[_ChartImage]] = {}
    if not isinstance(charts, Mapping):
        return images
    for name, pages in charts.items():
        if name == "logo":
            continue
        if isinstance(pages, Chart):
            pages = [pages]
        images[name] = [_ChartImage(tpl, page) for page in pages or () if isinstance(page, Chart)]
    return images


def _normalise_zip(source: Path, target: Path, stamp: dt.datetime) -> None:
    """Rewrite the package with fixed entry timestamps (reproducible bytes)."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, zin.read(item.filename))
