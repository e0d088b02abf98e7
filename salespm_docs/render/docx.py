"""DOCX: a Word template (``templates/docx/<CODE>.docx``) + context → a .docx, through docxtpl.

Autoescaped and sandboxed like the HTML side. Template errors name the template, the variable and
the text around the tag. The zip is written with fixed timestamps so that output is reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate

from ..errors import TemplateError


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
    if not template.is_file():
        raise TemplateError(f"找不到 Word 模板：{template}")
    tpl = _Template(str(template))
    name = f"templates/docx/{template.name}"
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{name}: 模板使用了未定义的变量：{exc.message}{_text_around(tpl, _template_line(exc))}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{name}: 模板语法错误：{exc.message}{_text_around(tpl, exc.lineno)}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"{name}: 模板试图访问受限的内部属性，已拒绝：{exc}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{name}: 模板渲染失败：{exc}") from None
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
    tmp = target.with_suffix(".unsorted")
    tpl.save(str(tmp))
    _normalise_zip(tmp, target, stamp)
    tmp.unlink()


def _property(properties: dict[str, str], name: str) -> str:
    """A core property as Word stores it: at most 255 characters (python-docx refuses more)."""
    value = properties.get(name, "")
    return value if len(value) <= 255 else value[:254] + "…"


def _normalise_zip(source: Path, target: Path, stamp: dt.datetime) -> None:
    """Rewrite the package with fixed entry timestamps (reproducible bytes)."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, zin.read(item.filename))
