"""Field types shared by the model: safe text, money, percentages, person references, enumerations."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from ..loader import YamlDecimal, YamlInt
from ..money import LIMIT, MoneyError, shown_number, to_decimal

#: Longest text accepted in one field: a formal document paragraph, not a 10 MB paste.
MAX_TEXT = 5000
#: Characters that XML 1.0 cannot carry: a DOCX containing one is corrupt.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Model(BaseModel):
    """Base of every data class: unknown keys are errors, field docstrings are the documentation
    (read when shown: ``model.docs``)."""

    model_config = ConfigDict(extra="forbid", frozen=False,
                              str_strip_whitespace=True)


def _as_text(value: object) -> object:
    if isinstance(value, (YamlInt, YamlDecimal)):
        return value.raw
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


#: Unicode line and paragraph separators (and NEL): Word shows them as nothing or a box; a plain
#: newline is what the writer meant.
_SEPARATORS = re.compile("\r\n?|[\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(value: str) -> str:
    value = _SEPARATORS.sub("\n", value)
    surrogate = _SURROGATE.search(value)
    if surrogate:
        raise ValueError(
            f"含有无效的 Unicode 代理字符 U+{ord(surrogate.group()):04X}（第 {surrogate.start() + 1} 个字符），"
            "无法保存到文档，请删除"
        )
    bad = _ILLEGAL.search(value)
    if bad:
        raise ValueError(
            f"含有不可见控制字符 U+{ord(bad.group()):04X}（第 {bad.start() + 1} 个字符），"
            "Word 文档无法保存该字符，请删除"
        )
    return value


#: Non-empty text, stripped, without XML-illegal characters, at most ``MAX_TEXT`` characters.
Text = Annotated[
    str,
    BeforeValidator(_as_text),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(_check_text),
]


class PersonRef:
    """Marks a field naming a person, so R-COM-4 can find every name in the data. With
    ``groups=True`` the field may also name a group declared in the project's ``groups``."""

    def __init__(self, *, groups: bool = False) -> None:
        self.groups = groups

    def __repr__(self) -> str:
        return "PersonRef(groups=True)" if self.groups else "PersonRef()"


PERSON = PersonRef()
PERSON_OR_GROUP = PersonRef(groups=True)
#: A person's name, which must be on the roster (team or client contacts).
Person = Annotated[Text, PERSON]
#: A person on the roster, or a group declared in ``groups`` (e.g. 项目组全体).
PersonOrGroup = Annotated[Text, PERSON_OR_GROUP]


def _money(value: object) -> Decimal:
    try:
        amount = to_decimal(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    if amount < 0:
        raise ValueError(f"金额不能为负数：{amount}")
    if amount >= LIMIT:
        raise ValueError(f"金额超出范围：须小于一万亿元（大写金额的上限），实际为 {amount}")
    return amount


#: An amount in yuan: exact ``Decimal``, two decimals at most, not negative.
Money = Annotated[Decimal, BeforeValidator(_money)]


def _percent(value: object) -> Decimal:
    if isinstance(value, str):
        value = value.strip().rstrip("%％")
        digit = non_ascii_digit(value)
        if digit:
            raise ValueError(f"百分数「{value}」含非半角数字「{digit}」，请只用 0–9")
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except Exception:
        raise ValueError(f"应为百分数（0–100），实际为「{value}」") from None
    if isinstance(value, float) or not number.is_finite():
        raise ValueError(f"应为百分数（0–100），实际为「{value}」")
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError(f"百分数应在 0–100 之间，实际为 {number}")
    return number


#: A percentage 0–100 (``95`` or ``"95%"``).
Percent = Annotated[Decimal, BeforeValidator(_percent)]


#: Largest magnitude of a plain number (scores, targets, efforts): beyond it, rounding overflows.
NUMBER_LIMIT = Decimal(10) ** 12


def non_ascii_digit(text: str) -> str | None:
    """The first digit of ``text`` that is not ASCII 0–9 (full-width ５, Arabic-Indic ٥ …), if any."""
    return next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)


def _number(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(f"数值必须是精确小数，不能是浮点数：{value}")
    if isinstance(value, str):
        digit = non_ascii_digit(value)
        if digit:
            raise ValueError(f"数值「{value}」含非半角数字「{digit}」，请只用 0–9")
    return value


def _number_range(number: Decimal) -> Decimal:
    if not number.is_finite():
        raise ValueError(f"不是有效的数值：{number}")
    if number.copy_abs() >= NUMBER_LIMIT:
        raise ValueError(f"数值超出范围：绝对值须小于一万亿，实际为 {shown_number(number)}")
    return number


#: Any exact number (scores, targets): ints and decimals from YAML, never float.
Number = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_number_range)]


def _whole(number: int | float | Decimal) -> bool:
    finite = number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)
    return finite and number % 1 == 0


def scale(low: int, high: int, label: str = "") -> object:
    """A whole number on a fixed scale, e.g. ``scale(1, 5, "评分")``: out of range and YAML
    ``true`` / ``false`` (an ``int`` in Python) are refused with a Chinese message; the bounds
    also go to the JSON schema."""

    def check(value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"{label}应为 {low}–{high} 的整数，实际为布尔值 {'true' if value else 'false'}")
        number = value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
            number = int(value)
        if isinstance(number, (int, float, Decimal)) and _whole(number) and not low <= number <= high:
            raise ValueError(f"{label}应在 {low}–{high} 之间，实际为 {getattr(value, 'raw', value)}")
        return value

    return Annotated[int, Field(ge=low, le=high), BeforeValidator(check)]


#: A survey answer on the 1–5 scale.
Score = scale(1, 5, "评分")
#: 推荐意愿 (Net Promoter Score answer), 0–10.
Nps = scale(0, 10, "推荐意愿（NPS）")
#: A risk's 可能性 and 影响, each 1–5 (风险值 = 可能性 × 影响, read against ``risk_matrix``).
Probability = scale(1, 5, "可能性")
Impact = scale(1, 5, "影响")


def _operator(value: object) -> object:
    return {">=": "≥", "<=": "≤", "==": "="}.get(value, value) if isinstance(value, str) else value


Operator = Annotated[Literal["≥", "≤", "=", ">", "<"], BeforeValidator(_operator)]
Stage = Literal["启动", "规划", "执行", "监控", "收尾"]
STAGES: tuple[str, ...] = ("启动", "规划", "执行", "监控", "收尾")
Level = Literal["高", "中", "低"]
DocStatus = Literal["草稿", "评审中", "已批准", "已作废"]
Version = Annotated[str, StringConstraints(pattern=r"^V[0-9]+\.[0-9]+$")]
Ident = Annotated[str, BeforeValidator(_as_text), StringConstraints(strip_whitespace=True,
                                                                    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]


def _project_file(value: str) -> str:
    text = value.replace("\\", "/")
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts or text.startswith("~") or ":" in text:
        raise ValueError(f"文件路径「{value}」必须是项目文件夹内的相对路径（不能以 / 开头，不能包含 ..）")
    return path.as_posix()


#: A file inside the project folder, e.g. ``logo.png``; never absolute, never ``..``.
ProjectFile = Annotated[Text, AfterValidator(_project_file)]


def unique(values: list, field: str, what: str, hint: str | None = None) -> list:
    """Refuse a list in which two items share ``field`` (编号重复 is a located validation error)."""
    seen: set = set()
    for item in values:
        value = getattr(item, field)
        if value in seen:
            raise ValueError(f"{what} {value} 重复：{hint or f'每个{what}只能使用一次'}")
        seen.add(value)
    return values
