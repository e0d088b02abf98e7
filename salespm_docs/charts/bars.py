"""A bar chart of amounts (the 销售目标分解 of the 销售策略, STRAT), as hand-written SVG.

One vertical bar per item, in the given order, on a y axis in 万元 (or 元) with the S-curve's "nice"
ticks (``nice_ticks``, ``y_axis`` from ``scurve.py``). A bar's height is proportional to its amount
(a zero amount is a flat mark on the axis; a negative amount is drawn as zero, its value label
keeps the sign). Each bar carries its value above it (``180``, ``12.5``, in the axis unit, two
decimals at most) and its label below the axis: on one line when it fits the bar's slot, else on
two, the second shortened with … (the full label stays in the ``data-label`` attribute and in the
alternative text). Money is handled as Decimal; only the coordinates are floats. Every text is
escaped (``svg.text``); no items → a chart that says 暂无数据.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from . import Chart
from .scurve import AXIS, INK, MUTED, PV, SMALL, nice_ticks, y_axis
from .svg import clean, document, esc, fit, n, text, text_width

BAR = PV
#: label and value sizes (mm): a bar chart sits in portrait text, so its words are larger than the S-curve's
LABEL, VALUE = 2.8, 2.5
UNITS = {"万元": Decimal(10000), "元": Decimal(1), "%": Decimal(1)}


def _get(item: object, name: str) -> object:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _pair(item: object) -> tuple[str, Decimal]:
    """(label, amount in yuan) of an item: a (label, amount) pair, a mapping or an object with
    ``label`` and ``amount``."""
    if isinstance(item, tuple):
        label, amount = item
    else:
        label, amount = _get(item, "label"), _get(item, "amount")
    return clean(label), Decimal(amount if amount is not None else 0)


def amount_label(value: Decimal) -> str:
    """``180``, ``12.5``, ``-3``: a value in the axis unit, two decimals at most."""
    amount = Decimal(value).quantize(Decimal("0.01"))
    txt = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount:f}"
    return "0" if txt in ("", "-0") else txt


def _lines(label: str, size: float, width: float) -> list[str]:
    """``label`` on one line if it fits ``width``, else on two (the second shortened with …)."""
    if text_width(label, size) <= width:
        return [label]
    first, used = [], 0.0
    for ch in label:
        w = text_width(ch, size)
        if used + w > width:
            break
        first.append(ch)
        used += w
    if not first:
        return [fit(label, size, width)]
    rest = label[len(first):].strip()
    head = "".join(first).rstrip()
    return [head, fit(rest, size, width)] if rest else [head]


def bar_chart(items: Iterable[object], *, title: str, unit: str = "万元", width_mm: float = 160,
              height_mm: float = 85) -> Chart:
    """A bar chart of ``items`` ((label, amount in yuan) pairs, or mappings / objects with ``label``
    and ``amount``), amounts shown in ``unit`` (万元 or 元)."""
    scale = UNITS.get(unit)
    if scale is None:
        raise ValueError(f"bar_chart: unit {unit!r} is not one of {', '.join(UNITS)}")
    heading = clean(title) or "金额分布"
    out: list[str] = [text(3, 6, fit(heading, 3.0, width_mm - 6), 3.0, bold=True, cls="title")]
    pairs = [_pair(i) for i in items]
    if not pairs:
        out.append(text(width_mm / 2, height_mm / 2, "暂无数据", 3.5, anchor="middle", fill=MUTED, cls="empty"))
        return Chart(document(width_mm, height_mm, out, label=f"{heading}：暂无数据"), float(width_mm),
                     float(height_mm), f"{heading}：暂无数据")

    values = [amount / scale for _, amount in pairs]
    ticks = nice_ticks(float(max(values + [Decimal(0)])))
    top_value = ticks[-1]
    left, right = 20.0, width_mm - 6.0
    top, bottom = 13.0, height_mm - 12.0

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * min(max(value, 0.0), top_value) / top_value

    axis = y_axis(ticks, left, right, top, y_at)
    axis[-1] = text(left - 1.2, top - 2.6, unit, SMALL, anchor="end", fill=MUTED, cls="y-unit")
    out += axis

    slot = (right - left) / len(pairs)
    bar_w = min(slot * 0.6, 22.0)
    label_size = LABEL if all(text_width(label, LABEL) <= slot - 1 for label, _ in pairs) else SMALL
    bars, labels = [], []
    for k, ((label, amount), value) in enumerate(zip(pairs, values)):
        cx = left + slot * (k + 0.5)
        y = y_at(float(value))
        h = bottom - y
        shown = amount_label(value)
        bars.append(f'<rect class="bar" data-label="{esc(label)}" data-value="{esc(shown)}" x="{n(cx - bar_w / 2)}" '
                    f'y="{n(y)}" width="{n(bar_w)}" height="{n(h)}" fill="{BAR}"/>')
        if h == 0:
            bars.append(f'<line class="zero-bar" x1="{n(cx - bar_w / 2)}" y1="{n(bottom)}" x2="{n(cx + bar_w / 2)}" '
                        f'y2="{n(bottom)}" stroke="{BAR}" stroke-width="0.5"/>')
        size = min(VALUE, (slot - 0.6) / max(text_width(shown, 1.0), 0.01))
        labels.append(text(cx, y - 1.0, shown, size, anchor="middle", fill=INK, cls="bar-value"))
        for j, line in enumerate(_lines(label, label_size, slot - 1)):
            labels.append(text(cx, bottom + 1.4 + label_size * (j + 1) * 1.05, line, label_size, anchor="middle",
                               fill=INK, cls="x-label"))
    out += bars
    out.append(f'<path class="axes" d="M{n(left)} {n(top)}V{n(bottom)}H{n(right)}" stroke="{AXIS}" '
               f'stroke-width="0.3" fill="none"/>')
    out += labels
    alt = f"{heading}：" + "，".join(f"{label} {amount_label(v)}{unit}" for (label, _), v in zip(pairs, values))
    return Chart(document(width_mm, height_mm, out, label=alt), float(width_mm), float(height_mm), alt)


__all__ = ["amount_label", "bar_chart"]
