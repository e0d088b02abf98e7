"""Templating: the one sandboxed Jinja environment both renderers use, and the formatting filters.

Safe by default: ``StrictUndefined`` (a missing variable is an error naming it, never a blank),
autoescape (data lands as text in XML and HTML, never as markup), a sandbox (no ``__class__``,
``__globals__`` or other internals), and a loader confined to ``templates/``.

Bounded: ``*``, ``**``, ``+``, ``%`` and ``~`` refuse results beyond ``MAX_ITEMS`` characters or
items (and ``**`` beyond ``MAX_INT_BITS``), ``range`` beyond ``MAX_RANGE`` items, and a rendered
template beyond ``MAX_OUTPUT_CHARS``; each is a ``TemplateLimit`` raised inside the template, so the
traceback gives its line. The loader refuses a template that resolves outside its folder (a symlink
out) or is not a regular file (a FIFO would hang the build): ``TemplateRefused``. An environment
without a folder (the one docxtpl renders Word templates with) refuses ``include``/``extends``/
``import`` when the template is compiled.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import jinja2
from jinja2 import BaseLoader, StrictUndefined, nodes
from jinja2.compiler import CodeGenerator
from jinja2.loaders import split_template_path
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

from . import dates, money
from .confine import NotRegularFile, inside, read_regular
from .errors import os_reason
from .figures import deviation
from .figures.deviation import with_minus

NOT_APPLICABLE = "不适用"


def _finalize(value: object) -> object:
    """What ``{{ x }}`` prints: ``None`` never reaches a document (shown as —)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        raise TypeError("模板不能输出浮点数；金额与比例须为 Decimal，并用 money / pct 过滤器格式化")
    if isinstance(value, Decimal) and not value.is_finite():
        return NOT_APPLICABLE
    return value


def pct(value: Decimal | None, places: int = 1, fixed: bool = False) -> str:
    """``Decimal('87.5')`` → ``87.5%``; ``Decimal('95')`` → ``95%``; ``None`` → 不适用.

    ``fixed`` keeps ``places`` decimals (``95.0%``): one decimal policy for a whole column."""
    if value is None or (isinstance(value, Decimal) and not value.is_finite()):
        return NOT_APPLICABLE
    q = Decimal(value).quantize(Decimal(1).scaleb(-places))
    text = f"{q:f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{with_minus(text)}%"


def number(value: Decimal | int | None, places: int | None = None) -> str:
    """A plain number without trailing zeros: ``Decimal('4.20')`` → ``4.2``; with ``places``, that
    many decimals always (``1`` → ``1.00``), so a column keeps one decimal policy."""
    if value is None:
        return NOT_APPLICABLE
    if places is not None:
        return with_minus(f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):f}")
    text = f"{Decimal(value):f}"
    return with_minus(text.rstrip("0").rstrip(".") if "." in text else text)


def signed(value: Decimal | int | None) -> str:
    """A deviation: ``-2`` → ``−2`` (a real minus sign), ``0`` → ``0``, ``None`` → —."""
    if value is None or value == "":
        return "—"
    return deviation.signed(value)


def cn_date(value: dt.date | None) -> str:
    return "—" if value is None else dates.cn_date(value)


def iso(value: dt.date | None) -> str:
    return "—" if value is None else dates.iso_date(value)


def upper(value: Decimal) -> str:
    return money.to_upper(value)


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else with_minus(money.format_yuan(value))


def wan(value: Decimal | None) -> str:
    return "—" if value is None else money.format_wan(value)


def dash(value: object) -> object:
    """Empty values (None, '', []) → —."""
    return "—" if value in (None, "", [], {}) else value


def join_cn(values: list | None, sep: str = "、") -> str:
    return "、".join(str(v) for v in values) if values else "—"


FILTERS = {
    "upper_cny": upper,   # 大写金额：人民币伍佰万元整
    "yuan": yuan,         # ¥5,000,000.00
    "wan": wan,           # 500万元
    "cn_date": cn_date,   # 2026年1月5日
    "iso": iso,           # 2026-01-05
    "pct": pct,           # 95%
    "num": number,        # 4.2; num(2) → 4.20
    "signed": signed,     # −2 (deviations)
    "dash": dash,         # None → —
    "join_cn": join_cn,   # a、b、c
}


# ------------------------------------------------------------------------------------ limits

#: characters of a string, or items of a list, that ``*``, ``+``, ``%`` or ``~`` may produce
MAX_ITEMS = 1_000_000
#: bits of an integer that ``*`` or ``**`` may produce (about 3,000 decimal digits)
MAX_INT_BITS = 10_000
#: characters a rendered template (the HTML, or a Word part's XML) may have
MAX_OUTPUT_CHARS = 20_000_000


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A template asked for more than the limits allow (raised inside it, so its line is known)."""


class TemplateRefused(jinja2.TemplateError):
    """The loader refused a template: it resolves outside its folder, or is not a regular file.

    Not a ``TemplateNotFound``: ``{% include [a, b] %}`` would silently try the next name."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


def template_location(exc: BaseException, folder: Path | None) -> tuple[str, int] | None:
    """(template name relative to ``folder``, line) of the innermost template frame of ``exc``.

    Jinja rewrites a render traceback so that template frames carry the template's file and line;
    with ``folder`` None, a template compiled from a string (``<template>``) counts."""
    base = None if folder is None else str(Path(folder).resolve())
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if base is None:
            if filename == "<template>":
                found = ("<template>", tb.tb_lineno)
        elif filename.startswith(base + os.sep):
            found = (Path(filename).relative_to(base).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _size(value: object) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _too_big(op: str, n: int, unit: str) -> TemplateLimit:
    return TemplateLimit(f"运算 {op} 的结果过大（{n} 个{unit}，上限 {MAX_ITEMS}）")


def _unit(value: object) -> str:
    return "字符" if isinstance(value, str) else "元素"


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_mul(left: object, right: object) -> None:
    for seq, times in ((left, right), (right, left)):
        n = _size(seq)
        if n is not None and _integer(times) and n * max(times, 0) > MAX_ITEMS:
            raise _too_big("*", n * times, _unit(seq))
    if _integer(left) and _integer(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"运算 * 的结果过大（超过 {MAX_INT_BITS} 位二进制数）")


def _check_pow(left: object, right: object) -> None:
    if isinstance(right, (int, float, Decimal)) and not isinstance(right, bool):
        if _integer(left) and _integer(right):
            if right > 0 and abs(left) > 1 and left.bit_length() * right > MAX_INT_BITS:
                raise TemplateLimit(f"运算 ** 的结果过大（超过 {MAX_INT_BITS} 位二进制数）")
        elif abs(right) > 1000:
            raise TemplateLimit(f"运算 ** 的指数过大（{right}，上限 1000）")


_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format(left: object) -> None:
    """``'%999999999s' % x``: a width or precision beyond the limit (or given by ``*``)."""
    if isinstance(left, str):
        for match in _WIDTH.finditer(left):
            for part in match.groups():
                if part == "*" or (part and int(part) > MAX_ITEMS):
                    raise TemplateLimit(f"运算 % 的格式宽度过大（{match.group(0)}，上限 {MAX_ITEMS}）")


def _checked(op: str, value: object) -> object:
    n = _size(value)
    if n is not None and n > MAX_ITEMS:
        raise _too_big(op, n, _unit(value))
    return value


def bounded_range(*args: int) -> range:
    """``range`` for templates: at most ``MAX_RANGE`` items, refused with a message (Jinja's own
    ``safe_range`` raises ``OverflowError``, which is no template error)."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise TemplateLimit(f"range 产生的元素过多（{len(rng)} 个，上限 {MAX_RANGE}）")
    return rng


class _CodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to a concatenation whose length is checked (``~`` is no binop)."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.checked_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedTemplate(jinja2.Template):
    """A template whose output is counted while it is produced: beyond ``MAX_OUTPUT_CHARS`` the
    limit is raised *inside* the template (at the line that wrote too much), before the whole
    output exists in memory."""

    def render(self, *args, **kwargs) -> str:
        pieces: list[str] = []
        size = 0
        gen = self.generate(*args, **kwargs)
        for piece in gen:
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                gen.throw(TemplateLimit(f"模板输出过大（超过 {MAX_OUTPUT_CHARS} 个字符）"))
            pieces.append(piece)
        return "".join(pieces)


_NO_LOADER_TAGS = ((nodes.Include, "include"), (nodes.Extends, "extends"),
                   (nodes.Import, "import"), (nodes.FromImport, "from … import"))


class Environment(ImmutableSandboxedEnvironment):
    """The sandboxed environment, remembering templates compiled from strings.

    docxtpl compiles the whole document XML with ``from_string`` on every render; the XML of an
    unchanged Word template is the same text, so its compiled form is kept (by exact source).
    """

    cache_size = 64
    code_generator_class = _CodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset(("*", "**", "+", "%"))

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled: OrderedDict[str, object] = OrderedDict()

    def call_binop(self, context, operator: str, left, right):
        if operator == "*":
            _check_mul(left, right)
        elif operator == "**":
            _check_pow(left, right)
        elif operator == "%":
            _check_format(left)
        try:
            value = super().call_binop(context, operator, left, right)
        except (OverflowError, decimal.Overflow, MemoryError) as exc:
            raise TemplateLimit(f"运算 {operator} 失败（{type(exc).__name__}）") from None
        return _checked(operator, value) if operator in ("+", "%") else value

    def checked_concat(self, value: str) -> str:
        return _checked("~", value)

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        if self.loader is None:
            # the Word side: one .docx is the whole template; nothing to include, nothing to read
            for kind, tag in _NO_LOADER_TAGS:
                node = tree.find(kind)
                if node is not None:
                    raise jinja2.TemplateSyntaxError(f"Word 模板不能使用 {{% {tag} %}}", node.lineno, name, filename)
        return tree

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            self._compiled[source] = template
            if len(self._compiled) > self.cache_size:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(source)
        return template


class ConfinedLoader(BaseLoader):
    """Templates from one folder, each resolved (symlinks followed) and refused with
    ``TemplateRefused`` unless it lies inside the folder and is a regular file.

    ``label`` is how messages name the folder (``templates/html``)."""

    def __init__(self, folder: Path, label: str):
        self.folder = Path(folder).resolve()
        self.label = label

    def get_source(self, environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))  # no ``..`` segments
        shown = f"{self.label}/{template}"
        real = inside(self.folder, path)
        if real is None:
            raise TemplateRefused(f"模板 {shown} 指向模板目录之外的文件，已拒绝读取", template)
        try:
            data, info = read_regular(real)  # never blocks: a FIFO is refused, not waited on
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except NotRegularFile:
            raise TemplateRefused(f"模板 {shown} 不是普通文件，已拒绝读取", template) from None
        except OSError as exc:
            raise TemplateRefused(f"模板 {shown} 无法读取（{os_reason(exc)}），已拒绝读取", template) from None
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateRefused(f"模板 {shown} 不是 UTF-8 文本（第 {exc.start + 1} 个字节），已拒绝读取",
                                  template) from None
        mtime = info.st_mtime_ns

        def uptodate() -> bool:
            try:
                return inside(self.folder, path) == real and os.stat(real).st_mtime_ns == mtime
            except OSError:
                return False

        return source, str(path), uptodate


def make_env(templates: Path | None = None, label: str | None = None) -> Environment:
    """A fresh sandboxed environment; ``templates`` confines ``include``/``extends`` to that folder
    (``label`` names it in messages, by default ``templates/<folder name>``). Without a folder,
    ``include``/``extends``/``import`` are refused when a template is compiled."""
    loader = ConfinedLoader(templates, label or f"templates/{Path(templates).name}") if templates else None
    env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals.clear()  # no lipsum/dict/cycler/joiner/namespace beyond what we pass in
    env.globals["range"] = bounded_range
    return env
