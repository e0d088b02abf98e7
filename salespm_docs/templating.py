"""Templating: the one sandboxed Jinja environment both renderers use, and the formatting filters.

Safe by default: ``StrictUndefined`` (a missing variable is an error naming it, never a blank),
autoescape (data lands as text in XML and HTML, never as markup), a sandbox (no ``__class__``,
``__globals__`` or other internals), and a loader confined to ``templates/``.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import dates, money
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


class Environment(ImmutableSandboxedEnvironment):
    """The sandboxed environment, remembering templates compiled from strings.

    docxtpl compiles the whole document XML with ``from_string`` on every render; the XML of an
    unchanged Word template is the same text, so its compiled form is kept (by exact source).
    """

    cache_size = 64

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled: OrderedDict[str, object] = OrderedDict()

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


def make_env(templates: Path | None = None) -> Environment:
    """A fresh sandboxed environment; ``templates`` confines ``include``/``extends`` to that folder."""
    env = Environment(
        loader=FileSystemLoader(str(templates)) if templates else None,
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals.clear()  # no range/lipsum/dict/cycler/joiner/namespace beyond what we pass in
    return env
