"""The collection chart of the 回款跟踪表 (RET): planned and received cumulative amounts, as SVG.

The x axis is the calendar in whole months, from the first month holding a planned date, a received
date or the report date to the last. The y axis is in 万元 with the S-curve's "nice" ticks. Two
step lines start from zero at the left end of the axis: 计划回款 (the cumulative planned amount,
stepping up at the start of each planned date, then level to the right end; wide and light) and
实际回款 (the cumulative received amount, narrow, drawn over it, stepping up at each received date
up to the report date and stopping at the end of that day; a received date after the report date
is not drawn). Installments on the same day make one step; an installment without a date (or, for
实际回款, without an amount) makes none. The contract amount is a horizontal dashed line labelled
合同金额; the report date a dashed vertical line at the end of that day labelled 报告日期
YYYY-MM-DD, as the S-curve's status date. Months are labelled (2026年3月, 3月 or 3 by room); when a
month is too narrow, years (every 1, 2, 5, 10, … years). Money is added up as Decimal; only the
coordinates are floats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from . import Chart
from .scurve import AXIS, EV, GRID, INK, MUTED, PV, SMALL, TEXT, date_line, legend, nice_ticks, y_axis
from .svg import document, fit, n, text, text_width

PLANNED, RECEIVED, CONTRACT = PV, EV, MUTED
TEN_THOUSAND = Decimal(10000)
#: the planned line is wide and light, the received line narrow on top of it: both show where they agree
STYLE = {"planned": 'stroke-width="1.1" stroke-opacity="0.45"', "received": 'stroke-width="0.5"'}


def _get(item: object, name: str) -> object:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _wan(value: Decimal) -> float:
    """Yuan → 万元, as a plotting coordinate."""
    return float(Decimal(value) / TEN_THOUSAND)


def wan_label(value: Decimal) -> str:
    """``480万元``, ``12.5万元``: yuan in 万元, two decimals at most."""
    amount = (Decimal(value) / TEN_THOUSAND).quantize(Decimal("0.01"))
    return f"{amount:f}".rstrip("0").rstrip(".") + "万元"


def _steps(pairs: Iterable[tuple[dt.date, Decimal]]) -> list[tuple[dt.date, Decimal]]:
    """(day, cumulative amount) after each day with an amount, in order of days."""
    by_day: dict[dt.date, Decimal] = {}
    for day, amount in pairs:
        by_day[day] = by_day.get(day, Decimal(0)) + Decimal(amount)
    out, total = [], Decimal(0)
    for day in sorted(by_day):
        total += by_day[day]
        out.append((day, total))
    return out


def _month_end(day: dt.date) -> dt.date:
    if day.year == dt.MAXYEAR and day.month == 12:
        return dt.date.max
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _months(start: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each month from ``start`` (a first of a month) to ``last``."""
    out, day = [], start
    while day <= last:
        end = _month_end(day)
        out.append((day, end))
        if end == dt.date.max:
            break
        day = end + dt.timedelta(days=1)
    return out


def _years(start: dt.date, last: dt.date, mm_per_day: float) -> list[tuple[dt.date, dt.date]]:
    """Bands of 1, 2, 5, 10, 20, … years (each wide enough for its label "2026年") over ``start``–``last``."""
    room = text_width("2026年", TEXT) + 0.8
    step = next(m * 10 ** e for e in range(5) for m in (1, 2, 5) if m * 10 ** e * 365 * mm_per_day >= room
                or m * 10 ** e >= 5000)
    out, year = [], start.year
    while year <= last.year:
        nxt = (year // step + 1) * step
        a = start if year == start.year else dt.date(year, 1, 1)
        b = last if nxt > last.year else dt.date(nxt - 1, 12, 31)
        out.append((a, b))
        year = nxt
    return out


def collection_chart(points: Iterable[object], report_date: dt.date, contract_amount: Decimal | None, *,
                     width_mm: float = 250, height_mm: float = 110, title: str = "") -> Chart:
    """The collection chart of the installments ``points`` (objects or dicts with ``planned_date``,
    ``planned_amount``, ``received_date``, ``received_amount``) as of ``report_date``, with the
    contract amount (yuan, None: no line)."""
    heading = title or "回款跟踪（累计计划回款与实际回款）"
    out: list[str] = [text(3, 6, fit(heading, 3.0, width_mm - 6), 3.0, bold=True, cls="title")]
    items = list(points)
    if not items:
        out.append(text(width_mm / 2, height_mm / 2, "暂无回款计划", 3.5, anchor="middle", fill=MUTED, cls="empty"))
        return Chart(document(width_mm, height_mm, out, label=f"{heading}：暂无回款计划"), float(width_mm),
                     float(height_mm), f"{heading}：暂无回款计划")

    planned = _steps((d, a) for p in items if isinstance(d := _get(p, "planned_date"), dt.date)
                     and (a := _get(p, "planned_amount")) is not None)
    received = _steps((d, a) for p in items if isinstance(d := _get(p, "received_date"), dt.date)
                      and d <= report_date and (a := _get(p, "received_amount")) is not None)
    contract = None if contract_amount is None else Decimal(contract_amount)

    days = [d for d, _ in planned] + [d for d, _ in received] + [report_date]
    start = min(days).replace(day=1)
    last = _month_end(max(days))
    span = (last - start).days + 1
    values = [_wan(v) for _, v in planned + received] + ([_wan(contract)] if contract is not None else [])
    ticks = nice_ticks(max(values + [0.0]))
    top_value = ticks[-1]
    left, right = 20.0, width_mm - 8.0
    top, bottom = 13.0, height_mm - 18.0

    def x_start(day: dt.date) -> float:
        t = min(max((day - start).days, 0), span)
        return left + (right - left) * t / span

    def x_at(day_end: dt.date) -> float:
        """x of the end of ``day_end``."""
        t = min(max((day_end - start).days + 1, 0), span)
        return left + (right - left) * t / span

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * min(max(value, 0.0), top_value) / top_value

    out += y_axis(ticks, left, right, top, y_at)

    # x axis: months, or (when a month is too narrow for its number) years, every 1, 2, 5, 10, … years
    month_count = (last.year - start.year) * 12 + last.month - start.month + 1
    narrow = (right - left) / month_count < text_width("12", TEXT) + 0.8
    bands = _years(start, last, (right - left) / span) if narrow else _months(start, last)
    label_y = bottom + 1.6 + TEXT
    lines, vgrid = [], []
    for k, (a, b) in enumerate(bands):
        x0, x1 = x_start(a), x_at(b)
        if k:
            lines.append(f"M{n(x0)} {n(bottom)}V{n(bottom + 1.2)}")
            vgrid.append(f"M{n(x0)} {n(top)}V{n(bottom)}")
        if narrow:
            options: tuple[str, ...] = (f"{a.year}年", f"{a.year}")
        else:
            options = ((f"{a.year}年{a.month}月",) if k == 0 or a.month == 1 else ()) + (f"{a.month}月", f"{a.month}")
        for label in options:
            if text_width(label, TEXT) + 0.8 <= x1 - x0:
                out.append(text((x0 + x1) / 2, label_y, label, TEXT, anchor="middle", fill=INK, cls="x-month"))
                break
    if lines:
        out.append(f'<path class="month-lines" d="{"".join(lines)}" stroke="{AXIS}" stroke-width="0.2" fill="none"/>')
        out.append(f'<path class="month-grid" d="{"".join(vgrid)}" stroke="{GRID}" stroke-width="0.2" fill="none"/>')
    out.append(f'<path class="axes" d="M{n(left)} {n(top)}V{n(bottom)}H{n(right)}" stroke="{AXIS}" '
               f'stroke-width="0.3" fill="none"/>')

    # the contract amount
    if contract is not None:
        cy = y_at(_wan(contract))
        out.append(f'<line class="contract-line" x1="{n(left)}" y1="{n(cy)}" x2="{n(right)}" y2="{n(cy)}" '
                   f'stroke="{CONTRACT}" stroke-width="0.35" stroke-dasharray="2 1"/>')
        label = f"合同金额 {wan_label(contract)}"
        lw = text_width(label, SMALL)
        ly = cy + 1.0 + SMALL if cy + 1.4 + SMALL <= bottom else cy - 1.0
        out.append(f'<rect x="{n(left + 1.0)}" y="{n(ly - SMALL * 0.9)}" width="{n(lw + 1)}" '
                   f'height="{n(SMALL + 0.4)}" fill="#ffffff" fill-opacity="0.85"/>')
        out.append(text(left + 1.5, ly, label, SMALL, fill=CONTRACT, cls="contract-label"))

    # the two step lines
    end_x = {"planned": right, "received": x_at(report_date)}
    for key, steps, colour in (("planned", planned, PLANNED), ("received", received, RECEIVED)):
        d = f"M{n(left)} {n(y_at(0))}"
        marks = []
        for day, total in steps:
            x, y = x_start(day), y_at(_wan(total))
            d += f"H{n(x)}V{n(y)}"
            marks.append((x, y))
        d += f"H{n(end_x[key])}"
        out.append(f'<path class="series" data-series="{key}" d="{d}" stroke="{colour}" {STYLE[key]} '
                   f'fill="none" stroke-linejoin="round"/>')
        if len(marks) <= 60:
            if key == "planned":
                shapes = [f'<circle cx="{n(x)}" cy="{n(y)}" r="0.55" fill="{colour}"/>' for x, y in marks]
            else:
                shapes = [f'<rect x="{n(x - 0.55)}" y="{n(y - 0.55)}" width="1.1" height="1.1" fill="{colour}"/>'
                          for x, y in marks]
            out.append(f'<g class="markers" data-series="{key}">' + "".join(shapes) + "</g>")
    if not planned and not received:
        out.append(text((left + right) / 2, (top + bottom) / 2, "回款计划未填日期", 3.0, anchor="middle", fill=MUTED,
                        cls="empty"))

    # the report date, and the legend
    out += date_line(x_at(report_date), top, bottom, left, right, f"报告日期 {report_date.isoformat()}")
    out += legend(left, height_mm - 3.5, [("计划回款", PLANNED, STYLE["planned"]), ("实际回款", RECEIVED, STYLE["received"]),
                                          ("合同金额", CONTRACT, 'stroke-width="0.35" stroke-dasharray="2 1"')], "报告日期")

    planned_total = planned[-1][1] if planned else Decimal(0)
    received_total = received[-1][1] if received else Decimal(0)
    alt = (f"{heading}：计划回款累计 {wan_label(planned_total)}，截至报告日期 {report_date.isoformat()} "
           f"实际回款累计 {wan_label(received_total)}"
           + (f"，合同金额 {wan_label(contract)}" if contract is not None else ""))
    return Chart(document(width_mm, height_mm, out, label=alt), float(width_mm), float(height_mm), alt)
