"""Check rendered files: extracted DOCX / PDF text → findings for R-COM-5, R-COM-6 and R-COM-7.

What a reviewer would look for by eye: every required heading in order, the key values, no
leftover template syntax, no None / nan / TODO / 【待填】, 大写 amounts that read back to their
小写 figure, Chinese dates in prose, and no character of the data that the fonts cannot show.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from . import money
from .extract import DocxText
from .rules import Finding

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
    flat = unicodedata.normalize("NFKC", squash(value))  # a ligature glyph reads back as ﬁ
    pages = [unicodedata.normalize("NFKC", p) for p in pages]
    if _shown(flat, pages):
        return True
    # WeasyPrint maps a glyph to the first text drawn with it: a bracket drawn mirrored in
    # right-to-left text reads back as its partner everywhere else in the document
    if any(_rtl(c) for page in pages for c in page):
        return _shown(_fold_mirrored(flat), [_fold_mirrored(p) for p in pages])
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
    for value in key_values:
        if value and not shown(value, flat_pages):
            add("R-COM-6", f"{fmt.upper()} 正文缺少关键内容「{value[:60]}」")
    for pattern, label in PLACEHOLDERS:
        for match in pattern.finditer(text):
            context = text[max(match.start() - 15, 0): match.end() + 15].replace("\n", " ")
            if any(match.group() in s for s in data_strings):
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
    """Code points that the PDF font stack can draw (read from the font files' cmaps)."""
    from fontTools.ttLib import TTCollection, TTFont

    covered: set[int] = set()
    for family in PDF_FONTS:
        try:
            path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True,
                                  text=True, check=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        if not path:
            continue
        fonts = TTCollection(path, lazy=True).fonts[:1] if path.endswith(".ttc") else [TTFont(path, lazy=True)]
        for font in fonts:
            covered.update(font.getBestCmap() or {})
    return frozenset(covered)


def missing_glyphs(strings: Iterable[str]) -> list[str]:
    """Characters of ``strings`` that no PDF font covers: they would print as tofu boxes."""
    covered = _font_coverage()
    if not covered:
        return []
    missing = []
    for s in strings:
        for ch in s:
            if ord(ch) > 0x20 and ord(ch) not in covered and ch not in missing and not ch.isspace():
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


def pdf_font_findings(doc: str, location: str, strings: Iterable[str]) -> list[Finding]:
    """R-COM-6: a character that no embedded font can show is lost in the PDF."""
    lost = missing_glyphs(strings)
    if not lost:
        return []
    shown = "、".join(f"「{c}」U+{ord(c):04X}" for c in lost[:8])
    return [Finding("R-COM-6", "E", doc, location, f"PDF 字体缺字，以下字符将无法显示：{shown}")]


def docx_path(path: Path) -> str:
    return path.as_posix()
