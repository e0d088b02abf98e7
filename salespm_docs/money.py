"""Money: ``Decimal`` amount → 大写金额 and back, and ¥ formatting.

Rules from 中国人民银行《正确填写票据和结算凭证的基本规定》: digits 零壹贰叁肆伍陆柒捌玖,
units 拾佰仟万亿 元角分, 人民币 prefix, 整 (or 正) after 元 and optionally after 角, never
after 分, a run of zeros written as one 零, 零 required where 角 is 0 and 分 is not.
Never float: a float or more than two decimals is an error, not a truncation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿")
PREFIX = "人民币"
CENT = Decimal("0.01")
#: 大写 is written for amounts below 一万亿; no sales contract comes near it.
LIMIT = Decimal(10) ** 12
FORBIDDEN = "一二三四五六七八九十百千两毛另〇"


class MoneyError(ValueError):
    """An amount that cannot be written or read as money (Chinese message)."""


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a two-decimal ``Decimal``; refuse floats and sub-fen digits."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"金额必须是精确小数（Decimal），不能是浮点数：{value!r}")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"不是有效的金额：{value!r}") from None
    if not isinstance(value, Decimal):
        raise MoneyError(f"不是有效的金额：{value!r}")
    if not value.is_finite():
        raise MoneyError(f"不是有效的金额：{value}")
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
    """Every permitted way of writing ``amount`` (without the 人民币 prefix)."""
    canonical = to_upper(amount, prefix=False)
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    forms = {canonical}
    if canonical.endswith("整"):
        forms.add(canonical[:-1] + "正")
    if jiao and not fen:
        forms |= {canonical + "整", canonical + "正"}
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
    """Read 大写金额 back to a ``Decimal``; any form the rules do not permit is an error."""
    original = text
    text = text.strip()
    if text.startswith(PREFIX):
        text = text[len(PREFIX):]
    bad = [ch for ch in text if ch in FORBIDDEN]
    if bad:
        raise MoneyError(f"大写金额「{original}」含不允许的字「{bad[0]}」（应使用壹贰叁…、不得用两/毛/另）")
    if not text:
        raise MoneyError(f"大写金额为空：「{original}」")
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
    if text not in _accepted_forms(amount):
        raise MoneyError(
            f"大写金额「{original}」书写不规范，应为「{to_upper(amount)}」"
        )
    return amount


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
