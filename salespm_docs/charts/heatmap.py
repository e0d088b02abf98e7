"""The risk heat map of the 风险登记册 (RSK): a 5 × 5 matrix of 可能性 × 影响, as hand-written SVG.

The x axis is 影响 1–5 (left to right), the y axis 可能性 1–5 (bottom to top). Each cell is coloured
by the configured matrix: its 风险值 (可能性 × 影响) is 高 when at least ``high_min`` (red, a dark
red border), 中 when at least ``medium_min`` (amber), else 低 (green); the value stands small in
the cell's top-right corner. The risks placed in a cell are shown by ID as small labels ("chips"),
open ones first, in the order given: an open risk (开放 / 监控中) is a white chip with a dark border,
a closed one (已关闭) a hollow chip with a dashed grey border and grey text. The chips wrap onto
lines; when more than fit, the last one shown is followed by "+N" (N: the risks not shown). A risk
without 可能性 or 影响 (or with a value outside 1–5) is not placed: the caller lists it elsewhere.
Below, a legend: 高 / 中 / 低 with their ranges of 风险值, and the two kinds of chips.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from . import Chart
from .svg import document, fit, n, text, text_width

TEXT = 2.4
SMALL = 2.1
CHIP = 2.2
AXIS, INK, MUTED = "#8a96a3", "#1f2d3d", "#55606b"
CLOSED_INK = "#8a96a3"

#: level → (fill, border, border width)
LEVELS = {"高": ("#f4b6b0", "#c0392b", 0.5), "中": ("#fbe3a6", "#ffffff", 0.5), "低": ("#cfe8cf", "#ffffff", 0.5)}
CLOSED = "已关闭"


def _get(item: object, name: str) -> object:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _grade(value: object) -> int | None:
    """A 可能性 or 影响 as 1–5, or None when missing or not one of 1–5."""
    if value is None or isinstance(value, bool):
        return None
    try:
        grade = int(value)
    except (TypeError, ValueError):
        return None
    return grade if grade == value and 1 <= grade <= 5 else None


def level(value: int, high_min: int, medium_min: int) -> str:
    """高 / 中 / 低 of a 风险值 on the configured matrix (as ``Config.risk_level``)."""
    if value >= high_min:
        return "高"
    return "中" if value >= medium_min else "低"


def band_label(name: str, high_min: int, medium_min: int) -> str:
    """``高（15–25）``: a level with its range of 风险值 (1–25), ``高（无）`` when it holds none."""
    lo, hi = {"高": (high_min, 25), "中": (medium_min, high_min - 1), "低": (1, medium_min - 1)}[name]
    lo, hi = max(lo, 1), min(hi, 25)
    if lo > hi:
        return f"{name}（无）"
    return f"{name}（{lo}）" if lo == hi else f"{name}（{lo}–{hi}）"


def _chip(x: float, y: float, label: str, width: float, closed: bool) -> str:
    """One risk ID at (x, y) (top left), ``width`` wide."""
    h = CHIP + 1.0
    if closed:
        box = (f'<rect x="{n(x)}" y="{n(y)}" width="{n(width)}" height="{n(h)}" rx="0.6" fill="none" '
               f'stroke="{CLOSED_INK}" stroke-width="0.25" stroke-dasharray="0.8 0.5"/>')
        ink = CLOSED_INK
    else:
        box = (f'<rect x="{n(x)}" y="{n(y)}" width="{n(width)}" height="{n(h)}" rx="0.6" fill="#ffffff" '
               f'stroke="{INK}" stroke-width="0.25"/>')
        ink = INK
    kind = "closed" if closed else "open"
    return (f'<g class="risk" data-state="{kind}">{box}'
            + text(x + width / 2, y + h / 2 + CHIP * 0.36, label, CHIP, anchor="middle", fill=ink, cls="risk-id")
            + "</g>")


def _layout(labels: list[str], width: float, lines: int) -> tuple[list[tuple[int, int, float]], int]:
    """Where the chips go: ``(line, index, x offset)`` for each shown, and how many are not shown.
    The chips fill lines of ``width`` mm; when not all fit in ``lines`` lines, as many as leave room
    for a "+N" chip after them."""
    gap = 0.8

    def place(count: int, extra: str | None) -> list[tuple[int, int, float]] | None:
        out, line, x = [], 0, 0.0
        widths = [_chip_width(labels[i], width) for i in range(count)]
        if extra is not None:
            widths.append(_chip_width(extra, width))
        for i, w in enumerate(widths):
            if x and x + w > width:
                line, x = line + 1, 0.0
            if line >= lines:
                return None
            out.append((line, i, x))
            x += w + gap
        return out

    if lines <= 0:
        return [], len(labels)
    found = place(len(labels), None)
    if found is not None:
        return found, 0
    for count in range(len(labels) - 1, -1, -1):
        found = place(count, f"+{len(labels) - count}")
        if found is not None:
            return found, len(labels) - count
    return [], len(labels)


def _chip_width(label: str, room: float) -> float:
    return min(text_width(label, CHIP) + 1.4, room)


def heat_map(risks: Iterable[object], high_min: int, medium_min: int, *, width_mm: float = 160,
             height_mm: float = 125, title: str = "") -> Chart:
    """The heat map of ``risks`` (objects or dicts with ``id``, ``probability``, ``impact`` and
    optionally ``status``) on the matrix of ``high_min`` / ``medium_min``."""
    heading = title or "风险热力图（可能性 × 影响）"
    out: list[str] = [text(3, 6, fit(heading, 3.0, width_mm - 6), 3.0, bold=True, cls="title")]

    cells: dict[tuple[int, int], list[tuple[str, bool]]] = {}
    unplaced = 0
    for risk in risks:
        p, i = _grade(_get(risk, "probability")), _grade(_get(risk, "impact"))
        if p is None or i is None:
            unplaced += 1
            continue
        rid = _get(risk, "id")
        cells.setdefault((p, i), []).append(("" if rid is None else str(rid), _get(risk, "status") == CLOSED))

    left, right = 16.0, width_mm - 6.0
    top, bottom = 11.0, height_mm - 21.0
    cw, ch = (right - left) / 5, (bottom - top) / 5

    def cell_x(impact: int) -> float:
        return left + (impact - 1) * cw

    def cell_y(probability: int) -> float:
        return bottom - probability * ch

    counts = {"高": 0, "中": 0, "低": 0}
    closed_count = 0
    for p in range(5, 0, -1):
        for i in range(1, 6):
            value = p * i
            name = level(value, high_min, medium_min)
            fill, border, stroke = LEVELS[name]
            x, y = cell_x(i), cell_y(p)
            out.append(f'<rect class="cell" data-probability="{p}" data-impact="{i}" data-value="{value}" '
                       f'data-level="{name}" x="{n(x)}" y="{n(y)}" width="{n(cw)}" height="{n(ch)}" '
                       f'fill="{fill}" stroke="#ffffff" stroke-width="0.6"/>')
            if name == "高":  # the strong border, inside the cell so that neighbours do not cover it
                out.append(f'<rect class="cell-border" x="{n(x + 0.55)}" y="{n(y + 0.55)}" width="{n(cw - 1.1)}" '
                           f'height="{n(ch - 1.1)}" fill="none" stroke="{border}" stroke-width="{n(stroke)}"/>')
            out.append(text(x + cw - 1.3, y + 1.2 + SMALL * 0.8, str(value), SMALL, anchor="end", fill=MUTED,
                            cls="cell-value"))
            placed = sorted(cells.get((p, i), ()), key=lambda r: r[1])  # open first, stable
            counts[name] += len(placed)
            closed_count += sum(1 for _, closed in placed if closed)
            if not placed:
                continue
            room = cw - 2.6
            line_h = CHIP + 1.0 + 0.7
            lines = int((ch - 1.3 - SMALL - 0.9 - 1.0 + 0.7) // line_h)
            labels = [fit(rid, CHIP, room - 1.4) or "…" for rid, _ in placed]
            spots, hidden = _layout(labels, room, lines)
            out.append(f'<g class="cell-risks" data-probability="{p}" data-impact="{i}" data-hidden="{hidden}">')
            y0 = y + 1.3 + SMALL + 0.9
            for line, k, dx in spots:
                cx, cy = x + 1.3 + dx, y0 + line * line_h
                if k < len(labels) - hidden or not hidden:
                    out.append(_chip(cx, cy, labels[k], _chip_width(labels[k], room), placed[k][1]))
                else:  # the "+N" chip
                    more = f"+{hidden}"
                    out.append(text(cx + 0.2, cy + (CHIP + 1.0) / 2 + CHIP * 0.36, more, CHIP, bold=True, fill=INK,
                                    cls="more"))
            out.append("</g>")

    # axes: ticks 1–5, titles
    for k in range(1, 6):
        out.append(text(cell_x(k) + cw / 2, bottom + 1.2 + TEXT, str(k), TEXT, anchor="middle", fill=MUTED,
                        cls="x-tick"))
        out.append(text(left - 1.5, cell_y(k) + ch / 2 + TEXT * 0.36, str(k), TEXT, anchor="end", fill=MUTED,
                        cls="y-tick"))
    out.append(text((left + right) / 2, bottom + 3.4 + 2 * TEXT, "影响 →", TEXT, anchor="middle", bold=True,
                    fill=INK, cls="x-title"))
    yx, yy = 5.0, (top + bottom) / 2
    out.append(f'<g transform="rotate(-90 {n(yx)} {n(yy)})">'
               + text(yx, yy + TEXT * 0.36, "可能性 →", TEXT, anchor="middle", bold=True, fill=INK, cls="y-title")
               + "</g>")

    # legend
    ly = height_mm - 3.5
    lx = left
    out.append('<g class="legend">')
    for name in ("高", "中", "低"):
        fill, border, _ = LEVELS[name]
        edge = border if name == "高" else AXIS
        out.append(f'<rect x="{n(lx)}" y="{n(ly - 1.6)}" width="5" height="3.2" fill="{fill}" stroke="{edge}" '
                   f'stroke-width="{"0.4" if name == "高" else "0.15"}"/>')
        label = band_label(name, high_min, medium_min)
        out.append(text(lx + 6, ly + TEXT * 0.36, label, TEXT, cls="legend-label"))
        lx += 6 + text_width(label, TEXT) + 4
    lx += 2
    for closed, label in ((False, "未关闭"), (True, "已关闭")):
        w = _chip_width("R01", 99)
        out.append(_chip(lx, ly - (CHIP + 1.0) / 2, "R01", w, closed).replace('class="risk"', 'class="legend-chip"')
                   .replace('class="risk-id"', 'class="legend-chip-id"'))
        out.append(text(lx + w + 1, ly + TEXT * 0.36, label, TEXT, cls="legend-label"))
        lx += w + 1 + text_width(label, TEXT) + 4
    out.append("</g>")

    total = sum(counts.values())
    alt = (f"{heading}：共 {total} 项风险，高 {counts['高']} 项、中 {counts['中']} 项、低 {counts['低']} 项"
           + (f"（其中已关闭 {closed_count} 项）" if closed_count else "")
           + (f"；另有 {unplaced} 项未评估可能性或影响，未列入" if unplaced else ""))
    return Chart(document(width_mm, height_mm, out, label=alt), float(width_mm), float(height_mm), alt)
