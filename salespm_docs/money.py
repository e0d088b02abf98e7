"""Money: ``Decimal`` amount → 大写金额 and back, and ¥ formatting.

Rules from 中国人民银行《正确填写票据和结算凭证的基本规定》: digits 零壹贰叁肆伍陆柒捌玖,
units 拾佰仟万亿 元角分, 人民币 prefix, 整 (or 正) after 元 and optionally after 角, never
after 分, a run of zeros written as one 零, 零 required where 角 is 0 and 分 is not.
Never float: a float or more than two decimals is an error, not a truncation.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿")
PREFIX = "人民币"
CENT = Decimal("0.01")
#: 大写 is written for amounts below 一万亿; no sales contract comes near it.
LIMIT = Decimal(10) ** 12
FORBIDDEN = "一二三四五六七八九十百千两毛另〇"
#: Traditional forms that rule 1 says 应受理, read as their simplified form (圆 for 元 too).
VARIANTS = {"貳": "贰", "陸": "陆", "億": "亿", "萬": "万", "圓": "元", "圆": "元"}
#: Every character a 大写金额 may contain (after 人民币).
UPPER_CHARS = DIGITS + "拾佰仟万亿元角分整正" + "".join(VARIANTS)


class MoneyError(ValueError):
    """An amount that cannot be written or read as money (Chinese message)."""


_KINDS = ((list, "列表"), (tuple, "列表"), (dict, "映射"), (dt.date, "日期"), (bytes, "二进制数据"))
#: ``1,500`` / ``1,500,000.00``: a thousands separator every three digits, none after the point.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def shown_number(value: object) -> str:
    """``value`` as text for a message, shortened when it is absurdly long (a 5,000-digit amount)."""
    text = str(value)
    return f"{text[:20]}…（共 {len(text)} 个字符）" if len(text) > 40 else text


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a two-decimal ``Decimal``; refuse floats, sub-fen digits, misplaced
    thousands separators, amounts of 一万亿 or more and anything that is not an amount."""
    if value is None:
        raise MoneyError("缺少金额（值为空）")
    if isinstance(value, bool):
        raise MoneyError(f"应为金额，实际为布尔值 {'true' if value else 'false'}")
    if isinstance(value, float):
        raise MoneyError(f"金额必须是精确小数（Decimal），不能是浮点数：{value!r}")
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        raw = value
        text = value.strip().lstrip("¥￥").strip().replace("，", ",")
        digit = next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)
        if digit:
            raise MoneyError(f"金额「{raw}」含非半角数字「{digit}」，请只用 0–9")
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise MoneyError(f"金额「{raw}」的千分位逗号位置不对（应每三位一个，如 1,500,000.00）")
            text = text.replace(",", "")
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise MoneyError(f"不是有效的金额：「{raw}」") from None
    elif not isinstance(value, Decimal):
        kind = next((name for typ, name in _KINDS if isinstance(value, typ)), type(value).__name__)
        raise MoneyError(f"应为金额，实际为{kind}")
    if not value.is_finite():
        raise MoneyError(f"不是有效的金额：{value}")
    if value.copy_abs() >= LIMIT:
        raise MoneyError(f"金额超出范围：须小于一万亿元（大写金额的上限），实际为 {shown_number(value)}")
    if value != value.quantize(CENT):
        raise MoneyError(f"金额最多两位小数（分），实际为 {value}；不做截断，请修正数据")
    return value.quantize(CENT)


def _integer_upper(n: int) -> str:
    """Write a non-negative integer below 10^12 in 大写 (without 元)."""
    digits = str(n)
    out: list[str] = []
    zero_pending = False
    group_has_digit = False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        d = int(ch)
        if d == 0:
            zero_pending = True
        else:
            if zero_pending and out:
                out.append("零")
            zero_pending = False
            out.append(DIGITS[d] + SMALL_UNITS[pos % 4])
            group_has_digit = True
        if pos % 4 == 0:
            if pos and group_has_digit:
                out.append(GROUP_UNITS[pos // 4])
                # zeros at the end of a 万/亿 group are not carried into the next group
                zero_pending = False
            group_has_digit = False
    return "".join(out)


def to_upper(value: object, prefix: bool = True) -> str:
    """Write ``value`` as 大写金额, e.g. ``Decimal('1680.32')`` → 人民币壹仟陆佰捌拾元零叁角贰分."""
    amount = to_decimal(value)
    if amount < 0:
        raise MoneyError(f"大写金额不能为负数：{amount}")
    if amount >= LIMIT:
        raise MoneyError(f"金额超出大写范围（一万亿元以内）：{amount}")
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    head = PREFIX if prefix else ""
    if cents == 0:
        return head + "零元整"
    text = ""
    if yuan:
        text = _integer_upper(yuan) + "元"
    if jiao == 0 and fen == 0:
        return head + text + "整"
    if jiao:
        if yuan and yuan % 10 == 0:
            text += "零"
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return head + text


def _accepted_forms(amount: Decimal) -> set[str]:
    """Every permitted way of writing ``amount`` (without the 人民币 prefix, simplified characters)."""
    canonical = to_upper(amount, prefix=False)
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    forms = {canonical}
    # rule 4(3): 万位 (亿位) is 0 but 千位 (千万位) is not: 零 after 万 (亿) may be written
    for unit, place in (("万", 4), ("亿", 8)):
        group = yuan // 10**place % 10**4 if unit == "万" else yuan // 10**place
        if group and yuan // 10**place % 10 == 0 and yuan // 10 ** (place - 1) % 10:
            forms |= {f.replace(unit, unit + "零", 1) for f in forms}
    if canonical.endswith("整"):
        forms |= {f[:-1] + "正" for f in forms}
    if jiao and not fen:
        forms |= {f + end for f in forms for end in "整正"}
    if jiao and yuan and yuan % 10 == 0:
        forms |= {f.replace("元零", "元", 1) for f in forms}
    return forms


def _parse_integer(text: str) -> int:
    """Read the integer part (before 元), tolerant of 零; well-formedness is checked by the caller."""
    total = 0
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        if big in text:
            left, text = text.split(big, 1)
            total += _parse_group(left) * factor
    return total + _parse_group(text)


def _parse_group(text: str) -> int:
    value = 0
    digit = None
    for ch in text:
        if ch == "零":
            digit = None
            continue
        if ch in DIGITS:
            if digit is not None:
                raise MoneyError("两个数字之间缺少单位")
            digit = DIGITS.index(ch)
        elif ch in "拾佰仟":
            if digit is None:
                raise MoneyError(f"单位「{ch}」前缺少数字")
            value += digit * 10 ** ("拾佰仟".index(ch) + 1)
            digit = None
        else:
            raise MoneyError(f"无法识别的字符「{ch}」")
    return value + (digit or 0)


def from_upper(text: str) -> Decimal:
    """Read 大写金额 back to a ``Decimal``; any form the rules do not permit is an error.

    Permitted: 整 or 正 after 元 (and optionally after 角), 零 after 元 optional when 角 is not 0,
    零 after 万 or 亿 when that digit is 0 and the next is not, and 圆 圓 貳 陸 萬 億.
    """
    original = text
    text = text.strip()
    if text.startswith(PREFIX):
        text = text[len(PREFIX):]
    bad = [ch for ch in text if ch in FORBIDDEN]
    if bad:
        raise MoneyError(f"大写金额「{original}」含不允许的字「{bad[0]}」（应使用壹贰叁…、不得用两/毛/另）")
    unknown = [ch for ch in text if ch not in UPPER_CHARS]
    if unknown:
        raise MoneyError(f"大写金额「{original}」含无法识别的字「{unknown[0]}」")
    if not text:
        raise MoneyError(f"大写金额为空：「{original}」")
    text = "".join(VARIANTS.get(ch, ch) for ch in text)
    body = text.rstrip("整正")
    try:
        yuan_text, rest = body.split("元", 1) if "元" in body else ("", body)
        yuan = _parse_integer(yuan_text)
        jiao = fen = 0
        rest = rest.lstrip("零")
        if "角" in rest:
            jiao_text, rest = rest.split("角", 1)
            jiao = _parse_group(jiao_text)
        if "分" in rest:
            fen_text, rest = rest.split("分", 1)
            fen = _parse_group(fen_text.lstrip("零"))
        if rest or jiao > 9 or fen > 9:
            raise MoneyError("角、分部分格式不正确")
    except MoneyError as exc:
        raise MoneyError(f"无法解析大写金额「{original}」：{exc}") from None
    amount = Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100
    amount = amount.quantize(CENT)
    if amount >= LIMIT:
        raise MoneyError(f"大写金额「{original}」超出范围（一万亿元以内）")
    if text in _accepted_forms(amount):
        return amount
    expected = f"应为「{to_upper(amount)}」"
    if text.endswith("元") and amount:
        raise MoneyError(f"大写金额「{original}」在「元」后缺少「整」（或「正」），{expected}")
    for tail in ("零角", "零分"):
        if tail in text:
            raise MoneyError(f"大写金额「{original}」不应写「{tail}」（角为 0 时只写一个「零」，角分都为 0 时写「整」），{expected}")
    raise MoneyError(f"大写金额「{original}」书写不规范，{expected}")


def format_yuan(value: object, symbol: str = "¥") -> str:
    """``Decimal('5000000')`` → ``¥5,000,000.00`` (tables)."""
    amount = to_decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def format_wan(value: object) -> str:
    """``Decimal('5000000')`` → ``500万元`` (prose); keeps up to two decimals of 万."""
    amount = to_decimal(value) / 10000
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return f"{text}万元"
