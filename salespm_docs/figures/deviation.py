"""Deviation wording: a signed count of working days → 「−7 个工作日」 (a value) or 「提前 7 个工作日」 (a phrase).

One wording for every deviation a document writes out in words: the unit is always 「个工作日」
when the count comes from the working-day calendar, a value carries its sign with a real minus
sign (U+2212 「−」, never the hyphen-minus ``-``; positive = late, unsigned, like the layout
layer's ``signed`` filter for numeric deviation columns), and a sentence says 提前 / 延后 / 按期
instead of a sign. Deviations handed to templates as numbers stay numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal

MINUS = "\u2212"
WORKDAYS = "个工作日"

_HYPHEN_AS_MINUS = re.compile(r"-(?=[\d¥])")


def with_minus(text: str) -> str:
    """A formatted number with the real minus sign: ``-3.3%`` → ``−3.3%``, ``-¥1.00`` → ``−¥1.00``
    (other hyphens kept). The one place the minus sign is decided: the template filters use it too."""
    return _HYPHEN_AS_MINUS.sub(MINUS, text)


def signed(value: int | Decimal) -> str:
    """``-7`` → ``−7``, ``3`` → ``3``, ``0`` → ``0`` (no trailing zeros)."""
    text = f"{abs(Decimal(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return MINUS + text if value < 0 else text


def workdays(value: int | Decimal) -> str:
    """A deviation as a value: ``-7`` → ``−7 个工作日``; ``3`` → ``3 个工作日``; ``0`` → ``0 个工作日``."""
    return f"{signed(value)} {WORKDAYS}"


def workdays_phrase(value: int | Decimal, on_time: str = "按期") -> str:
    """A deviation in a sentence: ``-7`` → ``提前 7 个工作日``; ``3`` → ``延后 3 个工作日``; ``0`` → 按期."""
    if value == 0:
        return on_time
    return f"{'提前' if value < 0 else '延后'} {signed(abs(value))} {WORKDAYS}"
