"""Charts of the schedule documents: the Gantt chart (GNT) and the S-curve (PRG), as SVG.

A chart is drawn once as SVG (hand-written, in millimetres, text in Noto Sans CJK SC) and shown
twice: the PDF embeds the SVG itself (``Chart.uri``; WeasyPrint draws it as vectors with real,
searchable text), the Word document a PNG of it (``Chart.png()``; Word shows no SVG without a PNG
fallback) at 200 dpi with the resolution written in the PNG's ``pHYs`` chunk.

The templates see them as ``charts.gantt`` (a list of ``Chart``, one per page of the Gantt chart)
and ``charts.s_curve`` (a list of one ``Chart``); the Word renderer turns each into ``images.<name>``
(a list of pictures). See ``layout/named.py`` for the blocks that place them.
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass, field

DPI = 200


@dataclass(frozen=True)
class Chart:
    """One picture: SVG text, its size in mm, and its alternative text (for screen readers)."""

    svg: str
    width_mm: float
    height_mm: float
    alt: str
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @property
    def uri(self) -> str:
        """The SVG as a ``data:image/svg+xml;base64,…`` URI (for ``<img src>``)."""
        found = self._cache.get("uri")
        if found is None:
            found = self._cache["uri"] = ("data:image/svg+xml;base64,"
                                          + base64.b64encode(self.svg.encode("utf-8")).decode("ascii"))
        return found

    @property
    def css_width(self) -> str:
        """The width as a CSS length (``267mm``): templates print no floats."""
        return f"{self.width_mm:g}mm"

    @property
    def css_height(self) -> str:
        return f"{self.height_mm:g}mm"

    def png(self, dpi: int = DPI) -> bytes:
        """The chart as a PNG at ``dpi`` (at least 200) with its resolution in the ``pHYs`` chunk;
        drawn by cairosvg once per chart and resolution."""
        dpi = max(int(dpi), DPI)
        key = ("png", dpi)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = rasterise(self.svg, dpi)
        return found


def rasterise(svg: str, dpi: int) -> bytes:
    """An SVG → PNG bytes at ``dpi``: drawn by cairosvg (safe mode: no external files or URLs) on
    white, encoded by Pillow as a 256-colour palette PNG (a chart has few colours; a third of the
    size of RGB, and faster to write) with ``pHYs`` stating ``dpi``."""
    import io

    from PIL import Image

    from ..native import quick_library_lookup

    with quick_library_lookup():  # cairocffi opens libcairo as it is imported
        from cairosvg.parser import Tree
        from cairosvg.surface import PNGSurface

    surface = PNGSurface(Tree(bytestring=svg.encode("utf-8")), io.BytesIO(), dpi, background_color="white")
    cairo = surface.cairo
    cairo.flush()
    size = (cairo.get_width(), cairo.get_height())
    # Drawn on white, every pixel is opaque: cairo's premultiplied B, G, R bytes are the colour, and
    # Pillow reads them straight into RGB from cairo's own buffer (no copy of the buffer and no RGBA
    # image in between: a Gantt page at 200 dpi is 12 MB in each). Then the surface goes.
    image = Image.frombuffer("RGB", size, cairo.get_data(), "raw", "BGRX", cairo.get_stride(), 1)
    image.load()
    cairo.finish()
    del surface, cairo
    image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return with_dpi(out.getvalue(), dpi)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def with_dpi(png: bytes, dpi: int) -> bytes:
    """``png`` with a ``pHYs`` chunk stating ``dpi`` (any existing one replaced)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    ppm = round(dpi / 0.0254)
    out, pos, placed = [png[:8]], 8, False
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        kind = png[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind != b"pHYs":
            out.append(png[pos:end])
        if kind == b"IHDR" and not placed:
            out.append(_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))
            placed = True
        pos = end
    return b"".join(out)


def png_dpi(png: bytes) -> tuple[float, float] | None:
    """(x, y) dpi from a PNG's ``pHYs`` chunk, or None when it has none (or no unit)."""
    pos = 8
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        kind = png[pos + 4:pos + 8]
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", png[pos + 8:pos + 17])
            return (x * 0.0254, y * 0.0254) if unit == 1 else None
        if kind == b"IDAT":
            return None
        pos += 12 + length
    return None


__all__ = ["Chart", "DPI", "png_dpi", "with_dpi"]
