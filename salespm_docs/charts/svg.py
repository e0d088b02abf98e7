"""Small helpers for hand-written SVG: escaping, numbers, text width, the one CJK face.

Every ``<text>`` names ``Noto Sans CJK SC`` and ``xml:lang="zh-CN"`` explicitly, so that neither
cairosvg (PNG for Word) nor WeasyPrint (PDF) falls back to the JP face or to a face without the
characters. Coordinates are in millimetres: the root ``viewBox`` is the chart's size in mm.
"""

from __future__ import annotations

import re
import unicodedata

FONT = "Noto Sans CJK SC"
LANG = "zh-CN"

#: characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str:
    """``value`` as text that XML can hold: forbidden characters dropped, line breaks → spaces."""
    text = "" if value is None else str(value)
    return _NOT_XML.sub("", text).replace("\r", " ").replace("\n", " ").replace("\t", " ")


def esc(value: object) -> str:
    """Escaped for both text content and attribute values (``& < > " '``)."""
    return (clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (mm; 0.01 mm is far below a pixel)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def char_em(ch: str) -> float:
    """Approximate advance of one character in em in Noto Sans CJK SC."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "il.,:;|!'`":
        return 0.3
    if ch in " ()[]-/":
        return 0.38
    if ch.isdigit():
        return 0.56
    if ch.isupper() or ch in "%mwMW@&":
        return 0.72
    return 0.56


def text_width(text: str, size: float) -> float:
    """Approximate width in mm of ``text`` at font size ``size`` (mm)."""
    return sum(char_em(c) for c in text) * size


def fit(text: str, size: float, width: float) -> str:
    """``text`` shortened with … so that it fits ``width`` mm at ``size``; ``""`` if not even … fits."""
    text = clean(text)
    if text_width(text, size) <= width:
        return text
    room = width - text_width("…", size)
    if room < 0:
        return ""
    used, out = 0.0, []
    for ch in text:
        w = char_em(ch) * size
        if used + w > room:
            break
        used += w
        out.append(ch)
    return "".join(out).rstrip() + "…"


def text(x: float, y: float, value: str, size: float, *, anchor: str = "start", bold: bool = False,
         fill: str = "#1f2d3d", cls: str = "") -> str:
    """A ``<text>`` element in the CJK SC face, its content escaped."""
    extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
    if bold:
        extra += ' font-weight="bold"'
    if cls:
        extra += f' class="{cls}"'
    return (f'<text x="{n(x)}" y="{n(y)}" font-family="{FONT}" xml:lang="{LANG}" font-size="{n(size)}" '
            f'fill="{fill}"{extra}>{esc(value)}</text>')


def document(width_mm: float, height_mm: float, body: list[str], *, label: str = "") -> str:
    """The whole SVG: size in mm, a ``viewBox`` in mm, a white background, ``body`` inside."""
    title = f"<title>{esc(label)}</title>" if label else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{n(width_mm)}mm" '
            f'height="{n(height_mm)}mm" viewBox="0 0 {n(width_mm)} {n(height_mm)}" xml:lang="{LANG}">'
            f"{title}"
            f'<rect x="0" y="0" width="{n(width_mm)}" height="{n(height_mm)}" fill="#ffffff"/>'
            + "".join(body) + "</svg>")
