"""The Gantt chart of the 项目进度计划 (GNT), page by page, as hand-written SVG.

What each page shows:

- the task column (WBS code and name, shortened with … to fit; parents in bold, indented by level)
  and the time area on the **working-day scale**: x is the position on ``Schedule.workdays`` (a
  weekend takes no room; a task of 5 working days is 5 day-widths wide whatever it spans), with a
  month band and a week band on top (a label only where it fits) and light week grid lines;
- one bar per leaf from its early start to the end of its early finish day, red when critical,
  blue otherwise; the part done (完成%) as a darker fill from the left, and the percentage beside it;
- a thin grey baseline bar under the bar of every row that has a baseline (nowhere else);
- a black bracket-style summary bar for each WBS parent over its planned span;
- a diamond for each milestone (its date beside it);
- one arrow per dependency (an elbow path and an arrowhead): FS from the end of the predecessor to
  the start of the successor, SS start → start, FF end → end, SF start → end; red when the link is
  critical. A link with one end on another page is drawn as a dashed **stub**: from the bar to the
  top or bottom edge of the rows (towards the page holding the other end), or from that edge to the
  bar, so that no dependency silently disappears;
- the status-date line (dashed, at the end of the status day), labelled 状态日期 YYYY-MM-DD;
- a legend and 「第 k / n 页」.

Pagination: a fixed number of rows per page (each row at least 4 mm high); every page repeats the
time scale, the task column header and the legend; the rows of ``Schedule.rows`` are cut into
consecutive pages, none lost or repeated. The whole project is on the axis of every page, so that
pages line up; an 18-month project compresses the day width, and the labels shorten to fit.

The default page, 267 × 150 mm, fits A4 landscape under the section heading in both formats (the
PDF's text area is 257 × 164 mm, Word's 249 × 160 mm; the picture is scaled down a little to the
text width) and holds 30 rows. Linear in rows and links: 2,000 leaves (about 70 pages) take well
under a second.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from decimal import Decimal

from ..figures.schedule import Schedule, Summary, Task
from . import Chart
from .svg import document, esc, fit, n, text, text_width

# geometry (mm)
MARGIN = 3.0
TITLE_BAND = 6.0
BAND = 4.6           # month band, then week band
ROW = 4.0            # row height; at least 4 mm
FOOT = 11.0          # status label strip + legend
TEXT = 2.25          # task names (≈ 6.4 pt)
SMALL = 1.9          # percentages, week labels, milestone dates
BAR = 2.1            # bar height
BASE = 0.75          # baseline bar height
ARM = 1.3            # arrow: length of the first and last segments
HEAD = 0.95          # arrowhead length (its half width is 0.45 of it)

# colours
CRITICAL, CRITICAL_DONE = "#e0463c", "#8f1d15"
NORMAL, NORMAL_DONE = "#5b9bd5", "#1f4e8c"
CRITICAL_LINK, NORMAL_LINK = "#c62828", "#6b7785"
BASELINE = "#9aa3ad"
SUMMARY = "#222222"
STATUS = "#e07b00"
GRID, MONTH_LINE = "#e6eaef", "#b9c2cc"
INK, MUTED = "#1f2d3d", "#55606b"


def _pct(value: Decimal) -> str:
    q = Decimal(value).quantize(Decimal("0.1"))
    txt = f"{q:f}"
    if "." in txt:
        txt = txt.rstrip("0").rstrip(".")
    return f"{txt}%"


class _Axis:
    """The shown part of the working-day axis, ``Schedule.workdays[lo:hi]``: day index → x in mm."""

    def __init__(self, schedule: Schedule, x0: float, x1: float, lo: int, hi: int):
        self.all = schedule.workdays
        self.lo, self.hi = lo, hi
        self.days = self.all[lo:hi]
        self.x0, self.x1 = x0, x1
        self.day = (x1 - x0) / max(hi - lo, 1)
        self._schedule = schedule

    def x(self, index: float) -> float:
        return self.x0 + (min(max(index, self.lo), self.hi) - self.lo) * self.day

    def start(self, day: dt.date) -> float:
        """x of the start of ``day`` (a non-working day → the next working day)."""
        return self.x(self._schedule.index(day))

    def end(self, day: dt.date) -> float:
        """x of the end of ``day`` (a non-working day → the end of the working day before)."""
        return self.x(bisect_right(self.all, day))


def _span(schedule: Schedule, rows: list) -> tuple[int, int]:
    """(lo, hi): the working days the chart shows — from the week of the earliest bar, baseline or
    summary to the end of the week of the latest one, the status date included when it is on the
    axis. ``Schedule.workdays`` runs far past the plan (room for the forward pass): only this part
    is drawn, so the bars use the width."""
    days = schedule.workdays
    if not days:
        return 0, 0
    index = schedule.index
    found: list[int] = []
    for row in rows:
        if isinstance(row, Task):
            found += [index(row.early_start), max(bisect_right(days, row.early_finish), index(row.early_start) + 1)]
        elif row.start and row.end:
            found += [index(row.start), bisect_right(days, row.end)]
        if row.baseline_start and row.baseline_end:
            found += [index(row.baseline_start), bisect_right(days, row.baseline_end)]
    if days[0] <= schedule.status_date <= days[-1]:
        found += [index(schedule.status_date), bisect_right(days, schedule.status_date)]
    if not found:
        return 0, len(days)
    lo, hi = max(min(found), 0), min(max(found), len(days))
    lo = min(lo, len(days) - 1)
    week = lambda i: days[i].isocalendar()[:2]
    while lo > 0 and week(lo - 1) == week(lo):
        lo -= 1
    hi = max(hi, lo + 1)
    while hi < len(days) and week(hi) == week(hi - 1):
        hi += 1
    return lo, hi


def _months(axis: _Axis) -> list[tuple[int, int, int, int]]:
    """(year, month, first index, end index) of each month on the axis."""
    out: list[tuple[int, int, int, int]] = []
    for i, day in enumerate(axis.days, axis.lo):
        if out and (out[-1][0], out[-1][1]) == (day.year, day.month):
            continue
        if out:
            y, m, s, _ = out[-1]
            out[-1] = (y, m, s, i)
        out.append((day.year, day.month, i, i))
    if out:
        y, m, s, _ = out[-1]
        out[-1] = (y, m, s, axis.hi)
    return out


def _weeks(axis: _Axis) -> list[tuple[int, int, int]]:
    """(ISO week number, first index, end index) of each ISO week on the axis."""
    out: list[tuple[int, int, int]] = []
    key = None
    for i, day in enumerate(axis.days, axis.lo):
        iso = day.isocalendar()
        k = (iso[0], iso[1])
        if k != key:
            if out:
                w, s, _ = out[-1]
                out[-1] = (w, s, i)
            out.append((iso[1], i, i))
            key = k
    if out:
        w, s, _ = out[-1]
        out[-1] = (w, s, axis.hi)
    return out


def _scale(axis: _Axis, top: float, task_x0: float, bottom: float) -> list[str]:
    """Month band, week band, their grid lines down to ``bottom``, and the task column header."""
    out: list[str] = []
    months, weeks = _months(axis), _weeks(axis)
    mid = top + BAND
    head = top + 2 * BAND
    out.append(f'<rect x="{n(task_x0)}" y="{n(top)}" width="{n(axis.x1 - task_x0)}" height="{n(2 * BAND)}" '
               f'fill="#eef2f6" stroke="{MONTH_LINE}" stroke-width="0.2"/>')
    out.append(f'<line x1="{n(axis.x0)}" y1="{n(mid)}" x2="{n(axis.x1)}" y2="{n(mid)}" stroke="{MONTH_LINE}" '
               f'stroke-width="0.2"/>')
    # week grid (light) — only when weeks are wide enough to be told apart
    week_w = 5 * axis.day
    grid = []
    if week_w >= 1.2:
        for _, s, _ in weeks:
            x = axis.x(s)
            grid.append(f"M{n(x)} {n(mid)}V{n(bottom)}")
    if grid:
        out.append(f'<path class="week-grid" d="{"".join(grid)}" stroke="{GRID}" stroke-width="0.15" fill="none"/>')
    # week labels
    # one form for all weeks (第10周, W10 or 10), the longest that a full week holds; none if none fits
    size = SMALL
    form = next((f for f in ("第{}周", "W{}", "{}") if text_width(f.format(53), size) + 0.6 <= week_w), None)
    for w, s, e in weeks if form else ():
        label = form.format(w)
        if text_width(label, size) + 0.6 <= (e - s) * axis.day:
            out.append(text((axis.x(s) + axis.x(e)) / 2, mid + BAND / 2 + size * 0.36, label, size,
                            anchor="middle", fill=MUTED, cls="week"))
    # month lines and labels
    lines = []
    full = all(text_width(f"{y}年{m}月", TEXT) + 1 <= (e - s) * axis.day for y, m, s, e in months[1:-1] or months)
    for k, (y, m, s, e) in enumerate(months):
        x = axis.x(s)
        lines.append(f"M{n(x)} {n(top)}V{n(bottom)}")
        width = (e - s) * axis.day
        first = k == 0 or m == 1
        candidates = ([f"{y}年{m}月"] if full or first else []) + ([f"{y % 100:02d}年{m}月"] if first else []) \
            + [f"{m}月", f"{m}"]
        for label in candidates:
            if text_width(label, TEXT) + 0.8 <= width:
                out.append(text((axis.x(s) + axis.x(e)) / 2, top + BAND / 2 + TEXT * 0.36, label, TEXT,
                                anchor="middle", cls="month"))
                break
    lines.append(f"M{n(axis.x1)} {n(top)}V{n(bottom)}")
    out.append(f'<path class="month-grid" d="{"".join(lines)}" stroke="{MONTH_LINE}" stroke-width="0.2" fill="none"/>')
    # task column header
    out.append(f'<rect x="{n(task_x0)}" y="{n(top)}" width="{n(axis.x0 - task_x0)}" height="{n(2 * BAND)}" '
               f'fill="#e3e9f0" stroke="{MONTH_LINE}" stroke-width="0.2"/>')
    out.append(text(task_x0 + 1, head - BAND / 2 + TEXT * 0.36, "WBS编码　任务名称", TEXT, bold=True,
                    cls="task-head"))
    return out


def _bar_x(axis: _Axis, task: Task) -> tuple[float, float]:
    """(x0, x1) of a leaf's bar: from the start of its early start to the end of its early finish."""
    if task.milestone:
        x = axis.start(task.early_start)
        return x, x
    return axis.start(task.early_start), max(axis.end(task.early_finish), axis.start(task.early_start))


def _diamond(x: float, y: float, r: float, fill: str, cls: str, stroke: str = "none") -> str:
    return (f'<path class="{cls}" d="M{n(x)} {n(y - r)}L{n(x + r)} {n(y)}L{n(x)} {n(y + r)}L{n(x - r)} {n(y)}Z" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="0.25"/>')


def _arrowhead(x: float, y: float, dx: int, dy: int, colour: str) -> str:
    """A filled triangle whose tip is (x, y), pointing along (dx, dy) (one of ±1, 0)."""
    w = HEAD * 0.45
    bx, by = x - dx * HEAD, y - dy * HEAD
    if dx:
        pts = f"{n(x)},{n(y)} {n(bx)},{n(by - w)} {n(bx)},{n(by + w)}"
    else:
        pts = f"{n(x)},{n(y)} {n(bx - w)},{n(by)} {n(bx + w)},{n(by)}"
    return f'<polygon points="{pts}" fill="{colour}"/>'


#: (leaves from the predecessor's end?, arrives at the successor's start?) per link type
_ENDS = {"FS": (True, True), "SS": (False, True), "FF": (True, False), "SF": (False, False)}


def _route(xa: float, ya: float, x2: float, y2: float, ex: int, gap_y: float) -> str:
    """Elbow path leaving a bar vertically at (xa, ya) (its bottom or top edge) and arriving at
    (x2, y2) horizontally along ``ex`` (+1: into a start, moving right; −1: into an end, moving
    left); round the successor through the row boundary ``gap_y`` when there is no room."""
    if ex * (x2 - xa) >= ARM:
        return f"M{n(xa)} {n(ya)}V{n(y2)}H{n(x2)}"
    b = x2 - ex * ARM
    return f"M{n(xa)} {n(ya)}V{n(gap_y)}H{n(b)}V{n(y2)}H{n(x2)}"


def _legend(x: float, y: float) -> list[str]:
    out = ['<g class="legend">']
    items = [("critical", "关键任务"), ("normal", "非关键任务"), ("done", "已完成部分"), ("baseline", "基线"),
             ("summary", "摘要任务"), ("milestone", "里程碑"), ("status", "状态日期")]
    cx = x
    cy = y
    for kind, label in items:
        if kind in ("critical", "normal"):
            colour = CRITICAL if kind == "critical" else NORMAL
            out.append(f'<rect x="{n(cx)}" y="{n(cy - BAR / 2)}" width="6" height="{n(BAR)}" fill="{colour}"/>')
            sw = 6
        elif kind == "done":
            out.append(f'<rect x="{n(cx)}" y="{n(cy - BAR / 2)}" width="6" height="{n(BAR)}" fill="{NORMAL}"/>'
                       f'<rect x="{n(cx)}" y="{n(cy - BAR / 2)}" width="3.5" height="{n(BAR)}" fill="{NORMAL_DONE}"/>')
            sw = 6
        elif kind == "baseline":
            out.append(f'<rect x="{n(cx)}" y="{n(cy - BASE / 2)}" width="6" height="{n(BASE)}" fill="{BASELINE}"/>')
            sw = 6
        elif kind == "summary":
            out.append(_summary_shape(cx, cx + 6, cy - 0.7))
            sw = 6
        elif kind == "milestone":
            out.append(_diamond(cx + 1.3, cy, 1.3, INK, "legend-milestone"))
            sw = 2.6
        else:
            out.append(f'<line x1="{n(cx + 1)}" y1="{n(cy - 1.6)}" x2="{n(cx + 1)}" y2="{n(cy + 1.6)}" '
                       f'stroke="{STATUS}" stroke-width="0.35" stroke-dasharray="0.9 0.6"/>')
            sw = 2
        out.append(text(cx + sw + 1, cy + TEXT * 0.36, label, TEXT, cls="legend-label"))
        cx += sw + 1 + text_width(label, TEXT) + 4
    out.append("</g>")
    return out


def _summary_shape(x0: float, x1: float, top: float) -> str:
    """The black bracket: a thin bar with a downward tooth at each end."""
    h, t = 0.9, 1.0
    t = min(t, max((x1 - x0) / 2, 0.3))
    return (f'<path class="summary-bar" d="M{n(x0)} {n(top)}H{n(x1)}V{n(top + h + t)}L{n(x1 - t)} {n(top + h)}'
            f'H{n(x0 + t)}L{n(x0)} {n(top + h + t)}Z" fill="{SUMMARY}"/>')


def rows_per_page(height_mm: float) -> int:
    """How many rows a page of ``height_mm`` holds (each row ``ROW`` mm)."""
    area = height_mm - MARGIN - TITLE_BAND - 2 * BAND - FOOT
    return max(int(area // ROW), 1)


def _exit_x(x0: float, x1: float, milestone: bool, from_end: bool) -> float:
    """Where an arrow leaves a bar: just inside its end (or start), so that it never runs through
    the percentage written to the right of the bar; a milestone's centre."""
    if milestone:
        return (x0 + x1) / 2
    inset = min(ARM * 0.7, (x1 - x0) / 2)
    return x1 - inset if from_end else x0 + inset


def gantt_pages(schedule: Schedule, *, width_mm: float = 267, height_mm: float = 150,
                title: str = "") -> list[Chart]:
    """The Gantt chart of ``schedule`` as pages of ``width_mm`` × ``height_mm`` (the last page only
    as high as its rows need); ``[]`` without rows."""
    rows = list(schedule.rows)
    if not rows:
        return []
    per_page = rows_per_page(height_mm)
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)]
    total = len(pages)
    # where each leaf is: (page, row on the page)
    where: dict[str, tuple[int, int]] = {}
    for p, page_rows in enumerate(pages):
        for r, row in enumerate(page_rows):
            if isinstance(row, Task):
                where[row.code] = (p, r)
    links_by_page: dict[int, list] = {}
    for link in schedule.links:
        a, b = where.get(link.before), where.get(link.after)
        if a is None or b is None:
            continue
        links_by_page.setdefault(a[0], []).append(link)
        if b[0] != a[0]:
            links_by_page.setdefault(b[0], []).append(link)
    leaves = {row.code: row for row in rows if isinstance(row, Task)}
    has_baseline = any(row.baseline_start and row.baseline_end for row in rows)
    lift = 0.45 if has_baseline else 0.0  # the bar sits a little high to leave room for the baseline

    task_x0 = MARGIN
    task_w = min(max(width_mm * 0.27, 45.0), 90.0)
    lo, hi = _span(schedule, rows)
    axis = _Axis(schedule, task_x0 + task_w, width_mm - MARGIN - 6.0, lo, hi)  # 6 mm: room for a last 100%
    top = MARGIN + TITLE_BAND
    rows_top = top + 2 * BAND
    status_x = None
    if schedule.workdays and schedule.workdays[0] <= schedule.status_date <= schedule.workdays[-1]:
        status_x = axis.end(schedule.status_date)
    scales: dict[float, str] = {}
    heading = title or "项目进度计划（甘特图）"

    charts = []
    for p, page_rows in enumerate(pages):
        rows_bottom = rows_top + (per_page if p < total - 1 else len(page_rows)) * ROW
        page_height = min(height_mm, rows_bottom + FOOT + MARGIN)
        out: list[str] = []
        shown = fit(heading, 3.0, width_mm - 2 * MARGIN - 25)  # room for 「第 k / n 页」
        out.append(text(MARGIN, MARGIN + TITLE_BAND / 2 + 3.0 * 0.36, shown, 3.0, bold=True, cls="title"))
        out.append(text(width_mm - MARGIN, MARGIN + TITLE_BAND / 2 + TEXT * 0.36, f"第 {p + 1} / {total} 页",
                        TEXT, anchor="end", fill=MUTED, cls="page-label"))
        # row shading (behind the grid), then the grid and the scale
        shade = []
        for r, row in enumerate(page_rows):
            y = rows_top + r * ROW
            if isinstance(row, Summary) or r % 2:
                shade.append(f'<rect x="{n(task_x0)}" y="{n(y)}" width="{n(axis.x1 - task_x0)}" height="{n(ROW)}" '
                             f'fill="{"#eef2f7" if isinstance(row, Summary) else "#fafbfc"}"/>')
        out.append('<g class="shading">' + "".join(shade) + "</g>")
        if rows_bottom not in scales:
            scales[rows_bottom] = "".join(_scale(axis, top, task_x0, rows_bottom))
        out.append(scales[rows_bottom])
        out.append(f'<g class="time-axis" data-x0="{n(axis.x0)}" data-x1="{n(axis.x1)}" data-day="{axis.day:.6f}" '
                   f'data-first="{axis.days[0].isoformat() if axis.days else ""}"/>')
        out.append(f'<rect class="frame" x="{n(task_x0)}" y="{n(top)}" width="{n(axis.x1 - task_x0)}" '
                   f'height="{n(rows_bottom - top)}" fill="none" stroke="{MONTH_LINE}" stroke-width="0.25"/>')
        out.append(f'<line x1="{n(axis.x0)}" y1="{n(top)}" x2="{n(axis.x0)}" y2="{n(rows_bottom)}" '
                   f'stroke="{MONTH_LINE}" stroke-width="0.25"/>')
        # task column
        names = []
        for r, row in enumerate(page_rows):
            y = rows_top + r * ROW + ROW / 2 + TEXT * 0.36
            x = task_x0 + 1.0 + 1.6 * max(row.level - 1, 0)
            room = axis.x0 - 1.0 - x - text_width(row.code, TEXT) - 1.2
            bold = isinstance(row, Summary)
            label = f"{row.code} {fit(row.name, TEXT, room)}" if room > TEXT else fit(row.code, TEXT, axis.x0 - 1 - x)
            names.append(text(x, y, label, TEXT, bold=bold, cls="task-name summary" if bold else "task-name"))
        out.append("".join(names))
        # bars whose end receives an arrow (FF, SF) keep their percentage clear of it
        page_links = links_by_page.get(p, [])
        end_entries = {link.after for link in page_links if not _ENDS.get(link.type, (True, True))[1]}
        bars = []
        for r, row in enumerate(page_rows):
            y = rows_top + r * ROW
            mid = y + ROW / 2 - lift
            bs, be = row.baseline_start, row.baseline_end
            if bs and be:
                b0 = axis.start(bs)
                b1 = max(axis.end(be), b0)
                if isinstance(row, Task) and row.milestone or b1 - b0 < 0.01:
                    bars.append(_diamond(b0, mid + BAR / 2 + 0.2, 0.8, "#ffffff", "baseline", stroke=BASELINE))
                else:
                    bars.append(f'<rect class="baseline" data-code="{esc(row.code)}" x="{n(b0)}" '
                                f'y="{n(mid + BAR / 2 + 0.25)}" width="{n(b1 - b0)}" height="{n(BASE)}" '
                                f'fill="{BASELINE}"/>')
            if isinstance(row, Summary):
                if row.start and row.end:
                    s0 = axis.start(row.start)
                    s1 = max(axis.end(row.end), s0 + 0.3)
                    bars.append(f'<g class="summary" data-code="{esc(row.code)}">'
                                + _summary_shape(s0, s1, mid - 0.9) + "</g>")
                continue
            x0, x1 = _bar_x(axis, row)
            critical = row.critical
            if row.milestone:
                colour = CRITICAL if critical else NORMAL_DONE
                bars.append(f'<g class="milestone{" critical" if critical else ""}" data-code="{esc(row.code)}">'
                            + _diamond(x0, mid, 1.5, colour, "diamond") + "</g>")
                dx = 2.1 + (ARM if row.code in end_entries else 0)
                bars.append(text(x0 + dx, mid + SMALL * 0.36, row.early_start.strftime("%m-%d"), SMALL,
                                 fill=INK, cls="milestone-date"))
                continue
            colour, done_colour = (CRITICAL, CRITICAL_DONE) if critical else (NORMAL, NORMAL_DONE)
            percent = max(min(Decimal(row.percent or 0), Decimal(100)), Decimal(0))
            width = x1 - x0
            bar = (f'<g class="bar{" critical" if critical else ""}" data-code="{esc(row.code)}">'
                   f'<rect class="task" x="{n(x0)}" y="{n(mid - BAR / 2)}" width="{n(width)}" height="{n(BAR)}" '
                   f'fill="{colour}"/>')
            if percent > 0:
                bar += (f'<rect class="done" x="{n(x0)}" y="{n(mid - BAR / 2)}" '
                        f'width="{n(width * float(percent) / 100)}" height="{n(BAR)}" fill="{done_colour}"/>')
            bars.append(bar + "</g>")
            label = _pct(percent)
            lw = text_width(label, SMALL)
            lx = x1 + 0.6 + (ARM + 0.3 if row.code in end_entries else 0)
            if lx + lw <= width_mm - MARGIN:
                bars.append(text(lx, mid + SMALL * 0.36, label, SMALL, fill=INK, cls="percent"))
            else:
                bars.append(text(x0 - 0.6, mid + SMALL * 0.36, label, SMALL, anchor="end", fill=INK, cls="percent"))
        out.append("".join(bars))
        # dependency arrows
        arrows = []
        for link in page_links:
            before, after = leaves[link.before], leaves[link.after]
            (pa, ra), (pb, rb) = where[link.before], where[link.after]
            from_end, to_start = _ENDS.get(link.type, (True, True))
            a0, a1 = _bar_x(axis, before)
            b0, b1 = _bar_x(axis, after)
            if after.milestone:
                b0, b1 = b0 - 1.5, b1 + 1.5
            xa = _exit_x(a0, a1, before.milestone, from_end)
            x2, ex = (b0, 1) if to_start else (b1, -1)
            down = (pb, rb) > (pa, ra)
            half = (1.5 if before.milestone else BAR / 2)
            ya = rows_top + ra * ROW + ROW / 2 - lift + (half if down else -half)
            yb = rows_top + rb * ROW + ROW / 2 - lift
            colour = CRITICAL_LINK if link.critical else NORMAL_LINK
            cls = "link critical" if link.critical else "link"
            attrs = (f'data-before="{esc(link.before)}" data-after="{esc(link.after)}" data-type="{esc(link.type)}" '
                     f'data-x1="{n(a1 if from_end else a0)}" data-x2="{n(x2)}"')
            if pa == pb:
                gap = rows_top + rb * ROW + (0 if down else ROW)  # the row boundary next to the successor
                d = _route(xa, ya, x2, yb, ex, gap)
                arrows.append(f'<g class="{cls}" {attrs}><path d="{d}" fill="none" stroke="{colour}" '
                              f'stroke-width="0.25"/>{_arrowhead(x2, yb, ex, 0, colour)}</g>')
            elif pa == p:
                # the successor is on another page: from the bar to the edge towards it
                edge, dy = (rows_bottom, 1) if down else (rows_top, -1)
                d = f"M{n(xa)} {n(ya)}V{n(edge)}"
                arrows.append(f'<g class="{cls} stub" {attrs}><path d="{d}" fill="none" stroke="{colour}" '
                              f'stroke-width="0.25" stroke-dasharray="0.8 0.5"/>{_arrowhead(xa, edge, 0, dy, colour)}</g>')
            else:
                # the predecessor is on another page: from the edge towards it to the bar
                c = x2 - ex * ARM
                edge = rows_top if down else rows_bottom
                d = f"M{n(c)} {n(edge)}V{n(yb)}H{n(x2)}"
                arrows.append(f'<g class="{cls} stub" {attrs}><path d="{d}" fill="none" stroke="{colour}" '
                              f'stroke-width="0.25" stroke-dasharray="0.8 0.5"/>{_arrowhead(x2, yb, ex, 0, colour)}</g>')
        out.append("".join(arrows))
        # status-date line
        if status_x is not None:
            out.append(f'<line class="status-line" x1="{n(status_x)}" y1="{n(rows_top)}" x2="{n(status_x)}" '
                       f'y2="{n(rows_bottom + 1.2)}" stroke="{STATUS}" stroke-width="0.35" stroke-dasharray="1.2 0.8"/>')
            label = f"状态日期 {schedule.status_date.isoformat()}"
            lw = text_width(label, SMALL)
            lx = min(max(status_x, axis.x0 + lw / 2 + 0.5), width_mm - MARGIN - lw / 2)
            out.append(f'<rect x="{n(lx - lw / 2 - 0.5)}" y="{n(rows_bottom + 1.2)}" width="{n(lw + 1)}" '
                       f'height="{n(SMALL + 0.9)}" fill="#ffffff"/>')
            out.append(text(lx, rows_bottom + 1.4 + SMALL, label, SMALL, anchor="middle", fill=STATUS,
                            cls="status-label"))
        out.extend(_legend(task_x0, page_height - MARGIN - 2.0))
        first, last = page_rows[0].code, page_rows[-1].code
        alt = f"{heading}，第 {p + 1} / {total} 页（{first} 至 {last}）"
        charts.append(Chart(document(width_mm, page_height, out, label=alt), float(width_mm), float(page_height), alt))
    return charts
