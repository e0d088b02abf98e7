"""Named blocks: what the layout elements cannot express, written once per format.

``NAMED[name] = {"html": fn(*args) -> str, "docx": fn(writer, *args) -> None}``. A layout uses one
as ``Named(name, args)``.

The charts of the schedule documents (``salespm_docs/charts``):

- ``Named("gantt")``: the pages of the Gantt chart, ``charts.gantt`` (a list of ``Chart``) in the
  PDF, each page a figure of its own on a page of its own; ``images.gantt`` (the same pages as
  200 dpi PNG pictures, made by ``render/docx.py``) in Word, centred, a page break between pages.
- ``Named("s_curve")``: the S-curve, ``charts.s_curve`` / ``images.s_curve`` (a list of one chart).

The charts of the registers, each placed as the S-curve (a list of one chart, no page break):

- ``Named("heat_map")``: the risk heat map of the 风险登记册, ``charts.heat_map`` / ``images.heat_map``.
- ``Named("collection")``: the collection chart of the 回款跟踪表, ``charts.collection`` /
  ``images.collection``.
- ``Named("bars")``: the bar chart of the 销售目标分解 of the 销售策略 (``charts/bars.py``),
  ``charts.bars`` / ``images.bars``.

Nothing is shown when the list is empty. An optional argument names another key of ``charts``
(``Named("gantt", ("gantt_baseline",))``). In the PDF a chart is as wide as its ``width_mm`` or the
text width, whichever is less, and at most 160 mm high (an A4 landscape page holds it), its
proportions kept; in Word the same, within the template's text width and height.
"""

from __future__ import annotations

from collections.abc import Callable

NAMED: dict[str, dict[str, Callable]] = {}


def register(name: str, *, html: Callable, docx: Callable) -> None:
    """Add a named block with its HTML and Word writers (each format must have one)."""
    if name in NAMED:
        raise ValueError(f"named block {name!r} registered twice")
    NAMED[name] = {"html": html, "docx": docx}


# -- charts ---------------------------------------------------------------------------------------

#: CSS of the chart figures, written once before the first one (base.css knows nothing of charts).
#: The picture keeps its own size (the SVG's mm) unless wider than the text or higher than 160 mm:
#: with width and height auto, max-width and max-height scale it keeping its proportions.
CHART_CSS = ("<style>figure.chart{margin:0 auto 2mm;padding:0;text-align:center;break-inside:avoid;"
             "page-break-inside:avoid}"
             "figure.chart img{display:block;margin:0 auto;width:auto;height:auto;max-width:100%;max-height:160mm}"
             "figure.chart.gantt+figure.chart.gantt{break-before:page;page-break-before:always}</style>")


def _key(name: str, args: tuple[str, ...]) -> str:
    key = args[0] if args else name
    if not key.isidentifier():
        raise ValueError(f"named block {name!r}: the chart key {key!r} is not an identifier")
    return key


def _chart_html(kind: str) -> Callable[..., str]:
    def write(*args: str) -> str:
        key = _key(kind, args)
        return (f"{{% if charts.{key} %}}{CHART_CSS}{{% endif %}}\n"
                f"{{% for page in charts.{key} %}}<figure class=\"chart {kind}\">"
                f"<img src=\"{{{{ page.uri }}}}\" alt=\"{{{{ page.alt }}}}\"></figure>\n{{% endfor %}}")
    return write


def _chart_docx(kind: str, *, break_between: bool) -> Callable[..., None]:
    def write(writer, *args: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.shared import Pt

        key = _key(kind, args)
        writer._tag(f"{{%p for img in images.{key} %}}")
        p = writer.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = p.paragraph_format
        fmt.line_spacing = 1.0  # a "multiple" spacing would stretch the picture's line
        fmt.space_before = fmt.space_after = Pt(0)
        if break_between:
            writer._run(p, "{%r if not loop.first %}")
            writer._run(p, "").add_break(WD_BREAK.PAGE)
            writer._run(p, "{%r endif %}")
        writer._run(p, "{{ img }}")
        writer._tag("{%p endfor %}")
    return write


register("gantt", html=_chart_html("gantt"), docx=_chart_docx("gantt", break_between=True))
register("s_curve", html=_chart_html("s_curve"), docx=_chart_docx("s_curve", break_between=False))
register("heat_map", html=_chart_html("heat_map"), docx=_chart_docx("heat_map", break_between=False))
register("collection", html=_chart_html("collection"), docx=_chart_docx("collection", break_between=False))
register("bars", html=_chart_html("bars"), docx=_chart_docx("bars", break_between=False))
