"""Check rendered files: extracted DOCX / PDF text → findings for R-COM-5, R-COM-6 and R-COM-7.

What a reviewer would look for by eye: every required heading in order, the key values, no
leftover template syntax, no None / nan / TODO / 【待填】, 大写 amounts that read back to their
小写 figure (in a sentence or in a table cell beside the 小写 column), Chinese dates in prose, and no
character of the data that the fonts cannot show (named by the field that holds it).
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import money
from .extract import DocxText, Table
from .loader import Path_, format_path
from .rules import Finding

if TYPE_CHECKING:
    from .facts import Facts

PLACEHOLDERS = (
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "残留模板语法"),
    (re.compile(r"(?<![A-Za-z])(None|nan|NaN|inf|TODO|XXX)(?![A-Za-z])"), "残留占位内容"),
    (re.compile(r"【待填】"), "残留占位内容"),
)
#: A 大写 amount beside its 小写 figure, as people write it (on squashed text): 人民币X（¥Y）,
#: 人民币X（小写：¥Y）, 大写：[人民币]X[，；]小写：¥Y. X takes the traditional forms 应受理 and the
#: forbidden characters too, so that a 两 or 一 is reported rather than skipped.
_UPPER_CHARS = money.UPPER_CHARS + money.FORBIDDEN
_FIGURE = r"[¥￥]\s*([0-9]+(?:[,，][0-9]+)*(?:\.[0-9]+)?)"
UPPER_AMOUNT = re.compile(
    rf"(?:大写[：:]\s*|(?=人民币))((?:人民币)?[{_UPPER_CHARS}]+)\s*"
    rf"(?:[（(]\s*(?:小写[：:]?\s*)?{_FIGURE}\s*[）)]|[，,；;、]?\s*[（(]?小写[：:]?\s*{_FIGURE})"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
PADDED_DATE = re.compile(r"\d{4}年0\d月|月0\d日")
#: Fonts the HTML templates name, in fallback order (see templates/html/base.css): CJK; Latin, Hebrew
#: and Arabic; emoji and symbols; rare CJK (Extension B and later). scripts/install-system-deps.sh
#: installs them.
PDF_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC", "DejaVu Sans", "Symbola", "HanaMinB")


#: Characters that draw nothing (soft hyphen, zero-width space and joiners, variation selectors…):
#: a PDF's text layer does not keep them.
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                       "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]")


def squash(text: str) -> str:
    """Text without white space (PDF extraction breaks lines where the layout wrapped them) and
    without invisible characters (a PDF's text layer does not keep them)."""
    return re.sub(r"\s+", "", INVISIBLE.sub("", text))


def _ltr(text: str) -> str:
    return "".join(c for c in text if unicodedata.bidirectional(c) == "L")


def _across(value: str, pages: list[str]) -> bool:
    """``value`` is on one page, or cut by page breaks into pieces on consecutive pages."""
    for first in range(len(pages)):
        rest = value
        for page in pages[first:]:
            low, high = 0, len(rest)
            while low < high:  # the longest prefix of ``rest`` on this page
                mid = (low + high + 1) // 2
                low, high = (mid, high) if rest[:mid] in page else (low, mid - 1)
            if low == len(rest):
                return True
            if not low:
                break
            rest = rest[low:]
    return not value


def shown(value: str, pages: list[str]) -> bool:
    """``value`` is in the squashed text ``pages`` (one item for a DOCX, one per page for a PDF).

    A PDF keeps right-to-left runs (Hebrew, Arabic, with the digits and signs between them) in
    visual order, and a page break puts the running header and footer, and a table row's other
    cells, between the pieces of a text it cuts. Left-to-right characters never move: a value with
    right-to-left text is compared on them, and each of its characters must be there.
    """
    return _Pages(pages).shows(value)


class _Pages:
    """The squashed pages of one rendered file, prepared once for every value looked up in them
    (``shown``): a document's key values grow with its data (a weekly report names each task behind
    plan), and preparing the pages for each value again made the check quadratic."""

    def __init__(self, pages: list[str]):
        self.pages = [unicodedata.normalize("NFKC", p) for p in pages]
        # the pages squashed have no line break, nor a value: one search finds a value on one page
        self.joined = "\n".join(self.pages)
        self._rtl: bool | None = None
        self._folded: list[str] | None = None

    @property
    def rtl(self) -> bool:
        if self._rtl is None:
            self._rtl = any(_rtl(c) for c in self.joined)
        return self._rtl

    def shows(self, value: str) -> bool:
        """``shown(value, pages)``."""
        flat = unicodedata.normalize("NFKC", squash(value))  # a ligature glyph reads back as ﬁ
        if "\n" not in flat and flat in self.joined and not any(_rtl(c) for c in flat):
            return True  # on one page: what ``_across`` finds first or last, in one search
        if _shown(flat, self.pages):
            return True
        # WeasyPrint maps a glyph to the first text drawn with it: a bracket drawn mirrored in
        # right-to-left text reads back as its partner everywhere else in the document
        if self.rtl:
            if self._folded is None:
                self._folded = [_fold_mirrored(p) for p in self.pages]
            return _shown(_fold_mirrored(flat), self._folded)
        return False


def _rtl(c: str) -> bool:
    return unicodedata.bidirectional(c) in ("R", "AL")


def _fold_mirrored(text: str) -> str:
    return "".join("◇" if unicodedata.mirrored(c) else c for c in text)


def _shown(flat: str, pages: list[str]) -> bool:
    if any(_rtl(c) for c in flat):
        return _across(_ltr(flat), [_ltr(p) for p in pages]) and not Counter(flat) - Counter("".join(pages))
    return _across(flat, pages)


def text_findings(rule_doc: str, fmt: str, location: str, text: str, headings: list[str],
                  sections: Iterable[str], key_values: Iterable[str],
                  data_strings: Iterable[str] = (), pages: list[str] | None = None) -> list[Finding]:
    """R-COM-5 and R-COM-6 on one rendered file: its extracted text (and a PDF's text page by page)
    and its headings."""
    found: list[Finding] = []
    flat = squash(text)
    flat_pages = [squash(p) for p in pages] if pages else [flat]

    def add(rule: str, message: str, severity: str = "E") -> None:
        found.append(Finding(rule, severity, rule_doc, location, message))

    titles = [squash(h) for h in headings]
    position = 0
    for section in sections:
        wanted = squash(section)
        at = next((i for i in range(position, len(titles)) if wanted in titles[i]), None)
        if at is None:
            where = "顺序不对：" if any(wanted in t for t in titles) else "缺少"
            add("R-COM-6", f"{fmt.upper()} 正文{where}必备章节标题「{section}」")
        else:
            position = at + 1
    prepared = _Pages(flat_pages)
    for value in key_values:
        if value and not prepared.shows(value):
            add("R-COM-6", f"{fmt.upper()} 正文缺少关键内容「{value[:60]}」")
    data_strings = data_strings if isinstance(data_strings, (list, tuple)) else list(data_strings)
    in_data: dict[str, bool] = {}  # each placeholder text looked up in the data once
    for pattern, label in PLACEHOLDERS:
        for match in pattern.finditer(text):
            context = text[max(match.start() - 15, 0): match.end() + 15].replace("\n", " ")
            said = in_data.get(match.group())
            if said is None:
                said = in_data[match.group()] = any(match.group() in s for s in data_strings)
            if said:
                continue  # the data itself says it (rendered literally, as typed)
            add("R-COM-6", f"{fmt.upper()} 中{label}「{match.group()}」：…{context}…")
            break
    for match in UPPER_AMOUNT.finditer(flat):
        written, raw = match.group(1), match.group(2) or match.group(3)
        try:
            figure: Decimal = money.to_decimal(raw)
        except money.MoneyError as exc:
            add("R-COM-5", f"{fmt.upper()} 中大写「{written}」旁的小写 ¥{raw}：{exc}")
            continue
        try:
            value = money.from_upper(written)
        except money.MoneyError as exc:
            add("R-COM-5", f"{fmt.upper()} 中{exc}")
            continue
        if value != figure:
            add("R-COM-5", f"{fmt.upper()} 中大写「{written}」为 {value}，与小写 ¥{figure:,.2f} 不符")
    return found


#: A table cell that is wholly a 大写 amount: [大写：][人民币]X (forbidden characters included, so
#: that a 两 or 一 in a 大写 column is reported rather than skipped).
_UPPER_CELL = re.compile(rf"(?:大写[：:]?)?((?:人民币)?[{_UPPER_CHARS}]+)")
#: A table cell that is wholly a 小写 figure: [小写：][−]¥1,500,000.00, or a bare number (with 元 or
#: 万元) that counts only in a column or beside a label naming 小写 or 金额.
_FIGURE_CELL = re.compile(r"(?:小写[：:]?)?([-−]?)([¥￥]?)\s*([0-9]+(?:[,，][0-9]+)*(?:\.[0-9]+)?)(万?)元?")
_PARENTHESES = re.compile(r"[（(][^（）()]*[）)]")


def _plainly_upper(written: str) -> bool:
    """A 大写 amount recognisable without a header: 人民币 before it, or proper 大写 digits with a unit
    (ordinary words made of the same characters, such as 十分 or 三角, are not)."""
    body = written.removeprefix(money.PREFIX)
    if written.startswith(money.PREFIX):
        return bool(body)
    return (all(c in money.UPPER_CHARS for c in body) and any(c in money.DIGITS + "貳陸" for c in body)
            and any(c in "元圆圓角分" for c in body))


def _stem(name: str) -> str:
    """What an amount column or label is about: 合同金额（大写） → 合同金额, 小写金额 → 金额."""
    name = _PARENTHESES.sub("", name)
    return re.sub(r"大写|小写|人民币|[：:（）()]", "", name).removesuffix("元")


class _Figure(NamedTuple):
    stem: str | None
    """What the header or label naming the figure is about (``None``: only its ¥ says it is money)."""
    small: bool
    """Named 小写."""
    written: str
    value: Decimal | money.MoneyError


class _Grid:
    """One table for the R-COM-5 check: squashed cells, column headers and row labels."""

    def __init__(self, table: Table):
        self.rows = [[squash(c) if c is not None else None for c in row] for row in table.rows]
        self.width = max((len(r) for r in self.rows), default=0)
        self.body = max(table.header_rows, 1)  # unmarked: the first row is the header
        self.heads = [""] * self.width
        for row in self.rows[:self.body]:
            text = ""
            for c in range(self.width):
                cell = row[c] if c < len(row) else ""
                text = text if cell is None else cell
                self.heads[c] += text

    def cell(self, r: int, c: int) -> str:
        row = self.rows[r]
        return (row[c] or "") if c < len(row) else ""

    def label(self, r: int, c: int) -> str:
        """The text cell left of ``(r, c)``, which names it in a 「名称 | 值」 row."""
        row = self.rows[r]
        left = next((row[i] for i in range(min(c, len(row)) - 1, -1, -1) if row[i] is not None), "")
        if not left or _FIGURE_CELL.fullmatch(left) or _UPPER_CELL.fullmatch(left):
            return ""
        return left

    def names(self, r: int, c: int) -> list[str]:
        """The column header (for a body row) and the label that name cell ``(r, c)``."""
        head = self.heads[c] if r >= self.body and c < self.width else ""
        return [n for n in (head, self.label(r, c)) if n]

    def upper(self, r: int, c: int) -> tuple[str, bool] | None:
        """The 大写 amount in ``(r, c)`` and whether a header or label says it is 大写."""
        cell = self.cell(r, c)
        match = _UPPER_CELL.fullmatch(cell) if cell else None
        if match is None:
            return None
        written = match.group(1)
        named = cell.startswith("大写") or any("大写" in n for n in self.names(r, c))
        return (written, named) if named or _plainly_upper(written) else None

    def figure(self, r: int, c: int) -> _Figure | None:
        """The 小写 figure in ``(r, c)``, if the cell wholly holds one."""
        cell = self.cell(r, c)
        match = _FIGURE_CELL.fullmatch(cell) if cell else None
        if not match:
            return None
        sign, yen, digits, wan = match.groups()
        names = self.names(r, c)
        about = next((n for n in names if re.search("小写|金额", n) and "大写" not in n), None)
        if not yen and about is None:
            return None  # a count, a score, a number of days: not an amount
        try:
            value = money.to_decimal(digits)
            if wan or (not yen and "万元" in (about or "")):
                value = money.to_decimal(value * 10000)
            value = -value if sign else value
        except money.MoneyError as exc:
            value = exc
        return _Figure(_stem(about) if about else None, cell.startswith("小写") or "小写" in (about or ""),
                       cell, value)


def table_findings(doc: str, fmt: str, location: str, tables: Iterable[Table]) -> list[Finding]:
    """R-COM-5 on tables: a cell that is wholly a 大写 amount against its 小写 figure.

    The figure is in the same row (期次 | 金额 | 金额（大写）, or 小写金额 | ¥… | 大写金额 | 人民币…):
    the one whose column header or label has the same stem (合同金额（大写） ↔ 合同金额（小写）), else
    the one named 小写, else every figure of the row. A cell named 大写 whose row has no figure is
    paired with the figures of its column (「合同金额（大写）| 人民币…」 under 「合同金额（小写）| ¥…」).
    Among several candidates the 大写 must equal one of them. Header and 合计 rows count like any row.
    """
    found: list[Finding] = []
    seen: set[str] = set()

    def add(message: str) -> None:
        if message not in seen:
            seen.add(message)
            found.append(Finding("R-COM-5", "E", doc, location, message))

    for t, table in enumerate(tables, 1):
        grid = _Grid(table)
        for r, row in enumerate(grid.rows):
            for c in range(len(row)):
                hit = grid.upper(r, c)
                if hit is None:
                    continue
                written, named = hit
                mine = next((_stem(n) for n in grid.names(r, c) if "大写" in n), None)
                figures = [f for c2 in range(len(row)) if c2 != c and (f := grid.figure(r, c2))]
                if not figures and named:
                    figures = [f for r2 in range(len(grid.rows)) if r2 != r and (f := grid.figure(r2, c))]
                figures = ([f for f in figures if mine is not None and f.stem == mine]
                           or [f for f in figures if f.small] or figures)
                first = next((x for i, x in enumerate(row) if x and i != c), "")
                where = f"{fmt.upper()} 第 {t} 个表格第 {r + 1} 行" + (f"「{first[:16]}」" if first else "")
                try:
                    value = money.from_upper(written)
                except money.MoneyError as exc:
                    if figures or named:
                        add(f"{where}：{exc}")
                    continue
                good = [f for f in figures if isinstance(f.value, Decimal)]
                for f in figures:
                    if not isinstance(f.value, Decimal):
                        add(f"{where}：大写「{written}」旁的小写「{f.written}」：{f.value}")
                if good and value not in {f.value for f in good}:
                    shown = "、".join(f"¥{f.value:,.2f}" for f in good[:4])
                    against = f"小写 {shown} " if len(good) == 1 else f"可对应的小写金额 {shown} 均"
                    add(f"{where}：大写「{written}」读作 ¥{value:,.2f}，与{against}不符")
    return found


def docx_findings(doc: str, location: str, extracted: DocxText) -> list[Finding]:
    """Checks only a DOCX allows: page fields, empty tables, dates in prose (R-COM-6, R-COM-7)."""
    found: list[Finding] = []
    fields = " ".join(extracted.fields)
    if "NUMPAGES" not in fields or not re.search(r"\bPAGE\b", fields):
        found.append(Finding("R-COM-6", "E", doc, location, "页脚缺少「第 X 页 共 Y 页」页码域（PAGE / NUMPAGES）"))
    for i, table in enumerate(extracted.tables):
        if len(table) < 2:
            head = " / ".join(table[0][:3]) if table else ""
            found.append(Finding("R-COM-6", "E", doc, location, f"第 {i + 1} 个表格只有表头、没有内容：{head}"))
    for paragraph in extracted.prose:
        match = ISO_DATE.search(paragraph) or PADDED_DATE.search(paragraph)
        if match:
            found.append(Finding("R-COM-7", "W", doc, location,
                                 f"正文日期应写作「2026年1月5日」格式：「{paragraph[:50]}」"))
    return found


@lru_cache(maxsize=1)
def _font_coverage() -> frozenset[int]:
    """Code points that the PDF font stack can draw.

    Read from fontconfig's cache (``fc-match -f %{charset}``: the same face Pango picks, its
    character set as ranges, in milliseconds); a font fontconfig gives no charset for is read from
    its cmap with fontTools (about a second for the Noto CJK collections).
    """
    covered: set[int] = set()
    for family in PDF_FONTS:
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}|%{charset}", family], capture_output=True,
                                   text=True, check=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        path, _, charset = found.partition("|")
        if charset.strip():
            for part in charset.split():
                first, _, last = part.partition("-")
                covered.update(range(int(first, 16), int(last or first, 16) + 1))
        elif path:
            covered.update(_cmap_coverage(path))
    return frozenset(covered)


def _cmap_coverage(path: str) -> set[int]:
    from fontTools.ttLib import TTCollection, TTFont

    fonts = TTCollection(path, lazy=True).fonts[:1] if path.endswith(".ttc") else [TTFont(path, lazy=True)]
    return {code for font in fonts for code in (font.getBestCmap() or {})}


def missing_glyphs(strings: Iterable[str]) -> list[str]:
    """Characters of ``strings`` that no PDF font covers: they would print as tofu boxes.

    White space and invisible characters (``INVISIBLE``: zero-width characters, variation selectors,
    tags) are never drawn, with or without a glyph.
    """
    covered = _font_coverage()
    if not covered:
        return []
    missing = []
    for s in strings:
        for ch in s:
            if (ord(ch) > 0x20 and ord(ch) not in covered and ch not in missing and not ch.isspace()
                    and not INVISIBLE.match(ch)):
                missing.append(ch)
    return missing


def strings_in(value: object) -> list[str]:
    """Every string in a template context (what the documents may show)."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return out


def strings_at(value: object, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every string in ``value`` with its key path: ``(('risks', 2, 'description'), '…')``."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_at(item, (*path, key))
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        for i, item in enumerate(value):
            yield from strings_at(item, (*path, i))


#: At most this many fields are named, one finding each; one more finding counts the rest.
MAX_GLYPH_FIELDS = 10


def _codes(chars: list[str]) -> str:
    shown = "、".join(f"「{c}」（U+{ord(c):04X}）" for c in chars[:8])
    return shown + (f" 等 {len(chars)} 个" if len(chars) > 8 else "")


def pdf_font_findings(doc: str, location: str, context: object, facts: Facts | None = None) -> list[Finding]:
    """R-COM-6: a character that no embedded font can show prints as a box in the PDF.

    Each finding names the field holding such characters, and the characters with their code
    points. ``context`` is what the template shows (its key paths name the fields); with ``facts``
    a field is named by its key path in the project data and its file and line instead, when the
    data holds the text as the document shows it.
    """
    shown = list(strings_at(context))
    lost = missing_glyphs(s for _, s in shown)
    if not lost:
        return []
    data = [(p, s) for p, s in strings_at(facts.project.model_dump())
            if any(c in s for c in lost)] if facts is not None else []
    fields: dict[str, list[str]] = {}  # field → its characters, in order
    for ch in lost:
        texts = [s for _, s in shown if ch in s]
        holders = [_data_field(facts, p) for p, s in data if ch in s and any(s in t for t in texts)]
        holders = holders or [format_path(p) or "（正文）" for p, s in shown if ch in s]
        for name in dict.fromkeys(holders):
            fields.setdefault(name, []).append(ch)
    found = [Finding("R-COM-6", "E", doc, location,
                     f"{name}{'' if name.endswith('）') else ' '}中的字符{_codes(chars)}没有任何内置字体能显示，"
                     "PDF 中将显示为方框：请改用常用字或删除")
             for name, chars in list(fields.items())[:MAX_GLYPH_FIELDS]]
    rest = list(fields)[MAX_GLYPH_FIELDS:]
    if rest:
        chars = list(dict.fromkeys(c for name in rest for c in fields[name]))
        found.append(Finding("R-COM-6", "E", doc, location,
                             f"另有 {len(rest)} 个字段（{'、'.join(rest[:3])} 等）含没有任何内置字体能显示的字符"
                             f"{_codes(chars)}，PDF 中将显示为方框：请改用常用字或删除"))
    return found


def _data_field(facts: Facts, path: Path_) -> str:
    """``client.name（projects/acme/project.yaml:24）``."""
    file, line = facts.source.locate(path)
    place = f"{file}:{line}" if line else file
    return f"{format_path(path)}（{place}）" if place else format_path(path)


def docx_path(path: Path) -> str:
    return path.as_posix()
