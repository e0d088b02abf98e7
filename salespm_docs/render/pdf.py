"""PDF: an HTML template (``templates/html/<CODE>.html``) + context → a PDF, through WeasyPrint.

One ``PdfRenderer`` serves a whole build, so fonts are configured once per process. Resources are
served only from ``templates/``: the URL fetcher refuses every other file and the network.
"""

from __future__ import annotations

import io
import logging
import mimetypes
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2

from ..native import quick_library_lookup

with quick_library_lookup():  # WeasyPrint opens pango, harfbuzz and fontconfig as it is imported
    import pydyf
    from weasyprint import HTML, Attachment, Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..confine import regular_file_inside
from ..errors import RenderError, TemplateError
from ..templating import TemplateLimit, TemplateRefused, make_env, template_location
from . import pdf_tuning


def _data_url(url: str) -> URLFetcherResponse:
    """A ``data:`` URL (the charts' SVG) decoded here, as RFC 2397 says, without urllib: nothing in
    a build goes through a URL opener."""
    import base64

    header, _, payload = url[len("data:"):].partition(",")
    params = header.split(";")
    mime = params[0] or "text/plain"
    body = base64.b64decode(payload) if "base64" in params[1:] else unquote(payload).encode("utf-8")
    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


class TemplatesOnlyFetcher(URLFetcher):
    """Serves ``file:`` URLs under the templates folder and ``data:`` URLs; refuses the rest."""

    def __init__(self, root: Path):
        super().__init__(fail_on_errors=False, allowed_protocols=("file", "data"))
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return _data_url(url)
        if parsed.scheme == "file":
            # the same check as the Jinja loader's: resolved inside templates/, and a regular file
            path = regular_file_inside(self.root, Path(unquote(parsed.path)))
            if path is not None:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"拒绝访问模板目录之外的资源：{url[:200]}")


class PdfRenderer:
    """Renders HTML templates to PDF, sharing one font configuration across documents.

    The PDFs are tagged (``/StructTreeRoot``, ``/MarkInfo /Marked true``): screen readers and
    reflow get headings, paragraphs, tables and lists from the HTML structure, for a few per cent
    more time and size.
    """

    tagged = True

    def __init__(self, templates: Path):
        templates = templates.resolve()
        self.templates = templates
        self.html_dir = templates / "html"
        self.env = make_env(self.html_dir, "templates/html")
        self.fetcher = TemplatesOnlyFetcher(templates)
        self.fonts = FontConfiguration()
        self.tunings = pdf_tuning.apply()
        logging.getLogger("weasyprint").setLevel(logging.ERROR)

    def html(self, name: str, context: dict) -> str:
        """The rendered HTML of ``templates/html/<name>``."""
        label = f"templates/html/{name}"
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"找不到 HTML 模板：templates/html/{exc.name}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{label}:{exc.lineno}: 模板语法错误：{exc.message}") from None
        except jinja2.UndefinedError as exc:
            line = _line(exc, name)
            raise TemplateError(f"{label}:{line}: 模板使用了未定义的变量：{exc.message}") from None
        except TemplateRefused as exc:
            raise TemplateError(f"{self._where(exc)}{exc.message}") from None
        except TemplateLimit as exc:
            raise TemplateError(f"{self._where(exc, label)}模板超出资源限制：{exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(f"{label}:{_line(exc, name)}: 模板试图访问受限的内部属性，已拒绝：{exc}") from None
        except MemoryError:
            raise TemplateError(f"{label}: 模板渲染耗尽了内存，请检查模板中的循环与运算") from None
        except RecursionError as exc:
            raise TemplateError(f"{self._where(exc, label)}模板递归过深（宏调用自身？）") from None

    def _where(self, exc: BaseException, fallback: str | None = None) -> str:
        """``templates/html/<name>:<line>: `` of the innermost template line of ``exc``, or
        ``<fallback>: `` (or nothing) when no template line is on the traceback."""
        found = template_location(exc, self.html_dir)
        if found is not None:
            return f"templates/html/{found[0]}:{found[1]}: "
        return f"{fallback}: " if fallback else ""

    def warm(self) -> None:
        """Lay out and write a few lines in every face of the house style (body, headings, bold,
        Latin), in memory: fonts are found, opened and shaped once, here, not in each worker."""
        sample = ('<!DOCTYPE html><html lang="zh-CN"><head><link rel="stylesheet" href="base.css"></head><body>'
                  '<h1 class="title">项目文档 Warm-up</h1><h2>一、概述</h2><p>正文 <strong>加粗</strong> Latin 0123 ¥1,234.00</p>'
                  '<table class="data"><thead><tr><th>项目</th></tr></thead><tbody><tr><td>内容</td></tr></tbody></table>'
                  '</body></html>')
        try:
            self._lay_out_and_write(sample, io.BytesIO())
        except Exception:  # noqa: BLE001 - only a warm-up: a real document reports what is wrong
            pass

    def write(self, html: str, target: Path, *, variant: str | None = None,
              attachments: Sequence[Attachment] | None = None,
              finisher: Callable[[Document, pydyf.PDF], None] | None = None) -> None:
        """Lay out ``html`` and write the PDF to ``target``.

        ``variant`` is a WeasyPrint ``pdf_variant`` (``"pdf/a-3b"`` for the archive: XMP
        identification, sRGB output intent, file identifier), ``attachments`` are WeasyPrint
        attachments (embedded files; with a PDF/A-3 variant, associated files listed in ``/AF``) and
        ``finisher`` is WeasyPrint's hook on the PDF objects before they are written. Without them
        the PDF is the one every build writes, unchanged."""
        try:
            with pdf_tuning.gc_paused():
                if variant is None and not attachments and finisher is None:
                    self._lay_out_and_write(html, target)
                else:
                    self._lay_out_and_write(html, target, pdf_variant=variant, attachments=list(attachments or ()),
                                            finisher=finisher)
        except Exception as exc:  # WeasyPrint raises many kinds; the user needs one message
            raise RenderError(f"生成 PDF 失败（{target.name}）：{type(exc).__name__}: {exc}") from exc

    def _lay_out_and_write(self, html: str, target: Path | io.BytesIO, **options) -> None:
        # A function of its own, so that the laid-out document is released before the collection
        # that ends ``gc_paused`` (otherwise it would survive into the oldest generation).
        document = HTML(string=html, base_url=self.html_dir.as_uri() + "/",
                        url_fetcher=self.fetcher).render(font_config=self.fonts)
        document.write_pdf(target, pdf_tags=self.tagged, **options)


def _line(exc: BaseException, name: str) -> str:
    tb = exc.__traceback__
    line = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line

