"""The S-curve of the 项目进度表 (PRG): cumulative PV, EV and AC by week, as hand-written SVG.

The x axis is the calendar, in whole ISO weeks from the first week (or the status date, when earlier)
to the last (or the status date, when later): each week's values stand at the end of its last day
(the Sunday), and every curve starts from zero at the start of the first week. EV and AC stop at the status week
(they are ``None`` after it). The y axis is in 万元 with "nice" ticks (1, 2, 2.5 or 5 × 10ⁿ). The
status date is a dashed vertical line at the end of that day, labelled 状态日期 YYYY-MM-DD. Weeks
are labelled when there is room (第10周 / W10 / 10), months always (2026年3月, or 3月 when narrow).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal

from ..figures.schedule import EarnedValue
from . import Chart
from .svg import document, fit, n, text, text_width

TEXT = 2.4
SMALL = 2.1
PV, EV, AC = "#1f4e8c", "#2e7d32", "#d35400"
STATUS = "#e07b00"
GRID, AXIS, INK, MUTED = "#e3e7ec", "#8a96a3", "#1f2d3d", "#55606b"
TEN_THOUSAND = Decimal(10000)

SERIES = (("pv", "计划值（PV）", PV, ""), ("ev", "挣值（EV）", EV, ""), ("ac", "实际成本（AC）", AC, "1.6 0.9"))



def y_axis(ticks: list[float], left: float, right: float, top: float, y_at) -> list[str]:
    """The y axis in 万元: a grid line and a label per tick, and the unit above the labels."""
    grid, out = [], []
    for v in ticks:
        y = y_at(v)
        grid.append(f"M{n(left)} {n(y)}H{n(right)}")
        out.append(text(left - 1.2, y + SMALL * 0.36, _tick_label(v), SMALL, anchor="end", fill=MUTED,
                        cls="y-tick"))
    return [*out, f'<path class="y-grid" d="{"".join(grid)}" stroke="{GRID}" stroke-width="0.2" fill="none"/>',
            text(left - 1.2, top - 2.6, "万元", SMALL, anchor="end", fill=MUTED, cls="y-unit")]


def date_line(x: float, top: float, bottom: float, left: float, right: float, label: str) -> list[str]:
    """A dated vertical line across the plot (状态日期, 报告日期): dashed, in the status colour, its
    label above the plot on a white ground, kept within ``left``…``right``."""
    lw = text_width(label, SMALL)
    lx = min(max(x, left + lw / 2), right - lw / 2)
    return [f'<line class="status-line" x1="{n(x)}" y1="{n(top - 1)}" x2="{n(x)}" y2="{n(bottom)}" '
            f'stroke="{STATUS}" stroke-width="0.35" stroke-dasharray="1.2 0.8"/>',
            f'<rect x="{n(lx - lw / 2 - 0.5)}" y="{n(top - 4.2)}" width="{n(lw + 1)}" height="{n(SMALL + 0.9)}" '
            f'fill="#ffffff"/>',
            text(lx, top - 2.2, label, SMALL, anchor="middle", fill=STATUS, cls="status-label")]


def legend(x: float, y: float, lines: list[tuple[str, str, str]], date_label: str) -> list[str]:
    """The legend under a chart: a short line per series (label, colour, stroke attributes), then
    the dashed mark of the dated line (``date_line``) with ``date_label``."""
    out = ['<g class="legend">']
    for label, colour, style in lines:
        out.append(f'<line x1="{n(x)}" y1="{n(y)}" x2="{n(x + 7)}" y2="{n(y)}" stroke="{colour}" {style}/>')
        out.append(text(x + 8, y + TEXT * 0.36, label, TEXT, cls="legend-label"))
        x += 8 + text_width(label, TEXT) + 5
    out.append(f'<line x1="{n(x + 1)}" y1="{n(y - 1.6)}" x2="{n(x + 1)}" y2="{n(y + 1.6)}" stroke="{STATUS}" '
               f'stroke-width="0.35" stroke-dasharray="0.9 0.6"/>')
    out.append(text(x + 3, y + TEXT * 0.36, date_label, TEXT, cls="legend-label"))
    out.append("</g>")
    return out


def _add(day: dt.date, days: int) -> dt.date:
    """``day`` + ``days``, at most the last date Python holds (a plan in year 9999)."""
    return dt.date.fromordinal(min(day.toordinal() + days, dt.date.max.toordinal()))

def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 … a round number ≥ ``top`` in about ``count`` steps of 1, 2, 2.5 or 5 × 10ⁿ."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))
    steps = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def _tick_label(value: float) -> str:
    txt = f"{value:.2f}".rstrip("0").rstrip(".")
    return txt or "0"


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value) / TEN_THOUSAND)


def s_curve(points: Sequence[EarnedValue], status_date: dt.date, *, width_mm: float = 250,
            height_mm: float = 110, title: str = "") -> Chart:
    """The S-curve of ``points`` (cumulative, one per ISO week, in order) as one chart."""
    heading = title or "挣值分析 S 曲线（累计值）"
    out: list[str] = [text(3, 6, fit(heading, 3.0, width_mm - 6), 3.0, bold=True, cls="title")]
    alt = f"{heading}：计划值、挣值与实际成本的累计曲线，状态日期 {status_date.isoformat()}"
    points = sorted(points, key=lambda p: p.end)
    if not points:
        out.append(text(width_mm / 2, height_mm / 2, "暂无挣值数据", 3.5, anchor="middle", fill=MUTED, cls="empty"))
        return Chart(document(width_mm, height_mm, out, label=alt), float(width_mm), float(height_mm),
                     f"{heading}：暂无挣值数据")

    values = [v for p in points for v in (_wan(p.pv), _wan(p.ev), _wan(p.ac)) if v is not None]
    ticks = nice_ticks(max(values + [0.0]))
    top_value = ticks[-1]
    left, right = 20.0, width_mm - 8.0
    top, bottom = 13.0, height_mm - 21.0
    first_week = points[0].end - dt.timedelta(days=6)
    # the axis: whole ISO weeks from the first week (or the status date) to the last (or the status date)
    start = min(first_week, status_date)
    start -= dt.timedelta(days=start.weekday())
    last = max(points[-1].end, status_date)
    last = dt.date.fromordinal(min(last.toordinal() + 6 - last.weekday(), dt.date.max.toordinal()))
    span = (last - start).days + 1

    def x_at(day_end: dt.date) -> float:
        """x of the end of ``day_end``."""
        t = min(max((day_end - start).days + 1, 0), span)
        return left + (right - left) * t / span

    def x_start(day: dt.date) -> float:
        t = min(max((day - start).days, 0), span)
        return left + (right - left) * t / span

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * value / top_value

    out += y_axis(ticks, left, right, top, y_at)
    # x axis: week ticks and labels, month band
    week_w = (right - left) * 7 / span
    ticks_x = []
    # one form for every week (第10周 or W10), or none when a week is too narrow for W53
    form = next((f for f in ("第{}周", "W{}") if text_width(f.format(53), SMALL) + 2.5 <= week_w), None)
    monday = start
    while monday <= last:
        sunday = _add(monday, 6)
        x0, x1 = x_start(monday), x_at(sunday)
        ticks_x.append(f"M{n(x1)} {n(bottom)}V{n(bottom + 1)}")
        if form:
            out.append(text((x0 + x1) / 2, bottom + 1.2 + SMALL, form.format(monday.isocalendar()[1]), SMALL,
                            anchor="middle", fill=MUTED, cls="x-week"))
        if monday.toordinal() + 7 > dt.date.max.toordinal():
            break  # the last week Python's dates hold
        monday = _add(monday, 7)
    out.append(f'<path class="x-ticks" d="M{n(left)} {n(bottom)}V{n(bottom + 1)}{"".join(ticks_x)}" '
               f'stroke="{AXIS}" stroke-width="0.2" fill="none"/>')
    month_y = bottom + 2.2 + 2 * SMALL + 0.6
    band_top = bottom + 1.8 + SMALL if form else bottom
    months: list[tuple[dt.date, dt.date]] = []
    day = start
    while day <= last:
        if day.year == dt.MAXYEAR and day.month == 12:
            months.append((day, last))
            break
        nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        months.append((day, min(nxt - dt.timedelta(days=1), last)))
        day = nxt
    lines, grid = [], []
    for k, (a, b) in enumerate(months):
        x0, x1 = x_start(a), x_at(b)
        if k:
            lines.append(f"M{n(x0)} {n(band_top)}V{n(month_y + 0.8)}")
            grid.append(f"M{n(x0)} {n(top)}V{n(bottom)}")
        for label in ((f"{a.year}年{a.month}月",) if k == 0 or a.month == 1 else ()) + (f"{a.month}月", f"{a.month}"):
            if text_width(label, TEXT) + 0.8 <= x1 - x0:
                out.append(text((x0 + x1) / 2, month_y, label, TEXT, anchor="middle", fill=INK, cls="x-month"))
                break
    if lines:
        out.append(f'<path class="month-lines" d="{"".join(lines)}" stroke="{AXIS}" stroke-width="0.2" fill="none"/>')
        out.append(f'<path class="month-grid" d="{"".join(grid)}" stroke="{GRID}" stroke-width="0.2" fill="none"/>')
    out.append(f'<path class="axes" d="M{n(left)} {n(top)}V{n(bottom)}H{n(right)}" stroke="{AXIS}" '
               f'stroke-width="0.3" fill="none"/>')
    # the series
    for key, label, colour, dash in SERIES:
        pts = [(x_at(p.end), y_at(v)) for p in points if (v := _wan(getattr(p, key))) is not None]
        if not pts:
            continue
        origin = getattr(points[0], key) is not None
        if origin:  # cumulative: zero at the start of the first week
            pts.insert(0, (x_start(first_week), y_at(0)))
        d = "".join(f"{'L' if i else 'M'}{n(x)} {n(y)}" for i, (x, y) in enumerate(pts))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path class="series" data-series="{key}" d="{d}" stroke="{colour}" stroke-width="0.5" '
                   f'fill="none" stroke-linejoin="round"{extra}/>')
        if len(points) <= 60:
            marks = []
            for x, y in pts[1:] if origin else pts:
                if key == "ac":
                    marks.append(f'<rect x="{n(x - 0.55)}" y="{n(y - 0.55)}" width="1.1" height="1.1" fill="{colour}"/>')
                else:
                    marks.append(f'<circle cx="{n(x)}" cy="{n(y)}" r="{0.6 if key == "ev" else 0.45}" fill="{colour}"/>')
            out.append(f'<g class="markers" data-series="{key}">' + "".join(marks) + "</g>")
    # the status date: the axis always reaches it
    out += date_line(x_at(status_date), top, bottom, left, right, f"状态日期 {status_date.isoformat()}")
    out += legend(left, height_mm - 3.5, [(label, colour, 'stroke-width="0.6"' + (f' stroke-dasharray="{dash}"'
                                                                                     if dash else ""))
                                          for _, label, colour, dash in SERIES], "状态日期")
    return Chart(document(width_mm, height_mm, out, label=alt), float(width_mm), float(height_mm), alt)
