"""HTML writer: a ``Layout`` → the Jinja HTML template ``templates/html/<CODE>.html`` (for WeasyPrint).

The generated template extends ``base.html`` (page furniture: running header, footer, watermark)
and is styled by ``base.css``. Literal text is HTML-escaped here; Jinja tags pass through, and
the data they print is escaped by the environment's autoescape.
"""

from __future__ import annotations

import html
import re

from .common import COVER, expand
from .elements import (Block, Bullets, Column, Heading, If, KeyValue, Layout, LayoutError, Named, Para,
                       Picture, Table)

HEADER = "{# Generated from salespm_docs/layouts/%s.py by `make templates`: edit the layout, not this file. #}\n"
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.S)
#: 大写金额 (``|upper_cny``) is never broken across lines: a break splits it for copy and search.
_UPPER = re.compile(r"(\{\{[^}]*\|upper_cny[^}]*\}\})")


def text(value: str) -> str:
    """Literal parts escaped, Jinja tags kept; a 大写金额 kept on one line."""
    parts = _TAG.split(value)
    out = "".join(p if i % 2 else html.escape(p, quote=False) for i, p in enumerate(parts))
    return _UPPER.sub(r'<span class="amount">\1</span>', out)


def _width(column: Column) -> str:
    return f' style="width:{column.width * 100:.1f}%"' if column.width is not None else ""


NEWLINE = "\n"


def _num(column: Column) -> str:
    return ' class="num"' if column.align == "right" else ""


def _cell_class(column: Column) -> str:
    classes = []
    if column.align != "left":
        classes.append({"right": "num", "center": "center"}[column.align])
    if column.status:
        classes.append(f"status-{{{{ {column.status} }}}}")
    return f' class="{" ".join(classes)}"' if classes else ""


def _cell(column: Column) -> str:
    return "<br>".join(text(x) for x in (column.cell, *column.lines))


def _table(t: Table) -> str:
    classes = ["data"] + (["small"] if t.small else []) + (["keep"] if t.keep else []) + (["sign"] if t.sign else [])
    out = [f'<table class="{" ".join(classes)}">']
    # column widths on <col>: in a fixed-layout table they include the cells' padding, as Word's do
    out.append("<colgroup>" + "".join(f"<col{_width(c)}>" for c in t.columns) + "</colgroup>")
    out.append("<thead><tr>" + "".join(
        f"<th{_num(c)}>{'<br>'.join(text(line) for line in c.header.split(NEWLINE))}</th>"
        for c in t.columns) + "</tr></thead>")
    out.append("<tbody>")
    for row in t.rows:
        cells = []
        for i, (c, value) in enumerate(zip(t.columns, row)):
            tag = "th" if t.row_headers and i == 0 else "td"
            cells.append(f"<{tag}{_cell_class(c)}>{text(value)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    if t.loop:
        out.append(f"{{% for {t.loop} %}}<tr>"
                   + "".join(f"<td{_cell_class(c)}>{_cell(c)}</td>" for c in t.columns)
                   + "</tr>\n{% endfor %}")
    if t.total:
        out.append('<tr class="total">' + "".join(
            f"<th{_num(c)}>{text(v)}</th>"
            for c, v in zip(t.columns, t.total)) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _kv(kv: KeyValue) -> str:
    rows = "\n".join(f"<tr><th>{text(label)}</th><td>{text(value)}</td></tr>" for label, value in kv.rows)
    return (f'<table class="kv keep"><colgroup><col style="width:{kv.label_width * 100:.1f}%"><col></colgroup>\n'
            f"{rows}\n</table>")


def _para(p: Para) -> str:
    if p.role == "title":
        return f'<h1 class="title">{text(p.text)}</h1>'
    if p.role == "seal":
        left, _, right = p.text.partition("\t")
        return f'<div class="seal"><div>{text(left)}</div><div>{text(right)}</div></div>'
    classes = [c for c in (p.role, "label" if p.label else None, "center" if p.center else None) if c]
    if p.status:
        classes += ["status", f"status-{{{{ {p.status} }}}}"]
    body = text(p.text)
    if p.bold and p.role not in ("subtitle", "banner"):
        body = f"<strong>{body}</strong>"
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<p{attr}>{body}</p>"


def block(b: Block, named: dict | None = None) -> str:
    """One block as HTML template text."""
    if isinstance(b, Heading):
        return f"<h{b.level + 1}>{text(b.text)}</h{b.level + 1}>"
    if isinstance(b, Para):
        return _para(b)
    if isinstance(b, KeyValue):
        return _kv(b)
    if isinstance(b, Table):
        return _table(b) if b.document else ""
    if isinstance(b, Bullets):
        return f"<ul>{{% for {b.loop} %}}<li>{text(b.item)}</li>{{% endfor %}}</ul>"
    if isinstance(b, If):
        out = f"{{% if {b.condition} %}}\n{blocks(b.then, named)}\n"
        if b.otherwise:
            out += f"{{% else %}}\n{blocks(b.otherwise, named)}\n"
        return out + "{% endif %}"
    if isinstance(b, Picture):
        return (f'{{% if {b.source} %}}<img class="{b.css_class}" src="{{{{ {b.source} }}}}" '
                f'alt="{text(b.alt)}">{{% endif %}}')
    if isinstance(b, Named):
        if not named or b.name not in named:
            raise LayoutError(f"命名块「{b.name}」没有 HTML 写法（salespm_docs/layout/named.py）")
        return named[b.name](*b.args)
    expanded = expand(b)
    if expanded == (b,):
        raise LayoutError(f"无法识别的版式元素 {b!r}")
    return blocks(expanded, named)


def blocks(items, named: dict | None = None) -> str:
    return "\n".join(block(b, named) for b in items)


def render(layout: Layout, named: dict | None = None) -> str:
    """The whole HTML template of ``layout``."""
    out = [HEADER % layout.code.lower(), '{% extends "base.html" %}\n']
    if layout.css or layout.landscape:
        css = layout.css + ("\n@page { size: A4 landscape; }" if layout.landscape else "")
        out.append("{% block head %}<style>\n" + css.strip() + "\n</style>{% endblock %}\n")
    out.append("{% block body %}\n")
    if layout.cover:
        out.append(blocks(COVER, named) + "\n")
    out.append(blocks(layout.body, named) + "\n")
    out.append("{% endblock %}\n")
    return "".join(out)
