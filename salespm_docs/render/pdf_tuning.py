"""PDF tuning: measured changes to WeasyPrint 70, applied once per process, and a GC pause per document.

Font subsetting and stream compression are most of the time WeasyPrint spends writing a CJK PDF
(the Noto CJK fonts hold 65,000 glyphs each), and the fonts were most of each file. These changes
keep the output equivalent (same text, same glyphs on every page) and cut a 4-page document from
about 0.26 s to 0.20 s (``make bench``) and from about 370 KB to 90 KB:

1. **One HarfBuzz subsetting pass instead of two.** WeasyPrint 70 subsets each font with
   ``RETAIN_GIDS``, then subsets the result again to drop the empty glyphs after the last one
   used. HarfBuzz already ends a ``RETAIN_GIDS`` subset at the last retained glyph, so one pass
   with the same flags and dropped tables gives the same glyphs.
2. **zlib level 6 instead of 9** for PDF streams (pydyf): the files are the same size within a few
   per cent, the compression takes a third of the time.
3. **The whole font file is copied only when something reads it.** WeasyPrint 70 copies each
   font's complete file (16–24 MB for Noto CJK) into a Python ``bytes`` when a document first
   uses the font, only to replace it with the subset a moment later. The copy is deferred until
   ``Font.file_content`` is read, which after the one-pass subset above it never is (about 17 ms
   per document with three faces). Any other path (fontTools fallback, bitmap or colour fonts)
   reads it and gets the same bytes as before.
4. **Compact font subsets** (``compact-font-subsets``). ``RETAIN_GIDS`` keeps a placeholder for
   every glyph up to the last one used (an outline offset, a width and a vertical metric each), so
   each Noto CJK subset was 140–250 KB whatever the page held: 95 % of a PDF. The subset is made
   without it, so the kept glyphs are renumbered 0, 1, 2…, and WeasyPrint's PDF is left as it is:
   the content streams, the widths (``/W``) and the ``ToUnicode`` maps keep showing the original
   glyph ids as CIDs, and the font tells the reader which new glyph each CID is:

   - *CID-keyed CFF* (Noto CJK): the CFF ``charset`` of a HarfBuzz subset keeps each glyph's
     original CID, and the PDF spec looks CIDs up through it (ISO 32000 §9.7.4.2). The bare CFF
     table is embedded (``/FontFile3 /CIDFontType0C``, the form Acrobat writes) rather than the
     OpenType file: poppler and PDFium read CIDs as glyph indices in an OpenType-wrapped CFF.
     The subset is used only if its charset gives every new glyph the CID that equals its old
     glyph id (true for Noto CJK, whose CIDs are its glyph ids).
   - *TrueType* (DejaVu Sans, Symbola, HanaMinB): a ``/CIDToGIDMap`` stream maps each CID (old
     glyph id) to its new glyph id, read from HarfBuzz's subset plan.

   Other fonts (name-keyed CFF, CFF2, variable, colour or bitmap fonts, fonts in forms) keep the
   ``RETAIN_GIDS`` subset. Checked against plain WeasyPrint with poppler, MuPDF, Ghostscript and
   PDFium: same text, same pixels (PDFium's anti-aliasing differs by a few levels of grey).
5. **No garbage-collector passes during one document** (``gc_paused``). Layout allocates hundreds
   of thousands of short-lived objects; Python's collector otherwise runs dozens of times per
   document and rescans the long-lived font and style caches each time. Collection is paused while
   one document is laid out and written, then the young generations are collected once (that time
   is part of the document's time in ``make bench``). A 4-page document drops from about 0.23 s to
   0.20 s, and peak memory falls because the document's garbage is freed right after it.

6. **SVG text: each letter laid out once per document** (``svg-text-runs``). WeasyPrint 70 draws
   an SVG ``<text>`` (the Gantt chart and the S-curve are ``<img>`` of hand-written SVG) letter by
   letter, and makes three Pango layouts for it: one of the whole text, whose width and height it
   uses only for ``textLength`` and ``display-anchor``, and two for every letter (one to measure
   it, one again to draw it). WeasyPrint's ``svg.text.text`` is replaced by a copy of it (applied
   only if WeasyPrint's source is the very one copied: its SHA-256 is checked) that differs in
   three places: each letter's layout, made by the same calls, is kept for the document, keyed by
   face, size and letter (white space, which is never drawn, keeps only its advance); the whole
   text is laid out only when ``textLength`` or ``display-anchor`` uses it; and once a letter has
   been drawn by WeasyPrint's ``draw_first_line``, drawing it again writes what that wrote (its
   ``TJ``, through ``Stream.set_font_size`` for the ``Tf``) at the new text matrix. Every letter
   is still placed and drawn where WeasyPrint places it, so the PDF is the same byte for byte
   (the tests compare the bytes, for the charts and for every kind of SVG text: anchors, bold,
   per-letter positions, ``tspan``, rotation, spacing, ``textLength``, ``xml:space``, fallback
   fonts, .notdef). The Gantt chart's PDF (``tests/test_charts.py``'s document, rendered with
   ``PdfRenderer``, CPU time of the render, median of three processes): 8 Gantt pages 4.4 s →
   2.5 s on a first render (2.6 s → 1.3 s on a later one in the same process), 71 pages (2,000
   tasks) 24.0 s → 11.0 s; the same peak memory (the letters go with their document).

   Laying out a plain ``<text>`` as one run instead (drawn by one ``draw_first_line``) is not the
   same picture: that function writes each glyph's advance rounded to 1/1000 em, where WeasyPrint
   puts each letter at its exact Pango position, and at 100 dpi poppler drew some ``%`` signs of
   the Gantt labels one anti-aliasing step apart (2 of 11 pages differed).

The first four and the sixth are guarded: they are applied only to the versions they were written
and tested against, and ``SALESPM_PLAIN_PDF=1`` turns them off (a comma-separated list of names turns
off only those: ``harfbuzz-one-pass``, ``zlib-level-6``, ``lazy-font-data``, ``compact-font-subsets``,
``svg-text-runs``). ``tests/test_pdf_tuning.py`` compares a tuned PDF with a plain one (same text,
same pixels, fonts embedded and subset, ``qpdf --check`` clean; for ``svg-text-runs`` the same bytes).
"""

from __future__ import annotations

import gc
import inspect
import os
import threading
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

APPLIED: list[str] = []
_TABLES_TO_DROP = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                   b"PCLT", b"SVG ")


def switched_off() -> str:
    """What ``SALESPM_PLAIN_PDF`` turns off (``1``/``all``, or names); it changes every PDF, so the
    fingerprints and the no-op digest record it."""
    return os.environ.get("SALESPM_PLAIN_PDF", "").strip()


def apply() -> list[str]:
    """Apply the tunings that fit the installed versions; returns their names (once per process)."""
    plain = switched_off()
    if APPLIED or plain in ("1", "all"):
        return APPLIED
    skip = {name.strip() for name in plain.split(",")}
    # compact-font-subsets comes after harfbuzz-one-pass: fonts it cannot compact go to that one.
    for name, tuning in (("harfbuzz-one-pass", _one_pass_subset), ("zlib-level-6", _faster_zlib),
                         ("lazy-font-data", _lazy_font_data), ("compact-font-subsets", _compact_subsets),
                         ("svg-text-runs", _svg_text_runs)):
        if name not in skip:
            tuning()
    return APPLIED


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one document, then collect its garbage once."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def _subset_request(font, to_unicode, hinting: bool, retain_gids: bool):
    """A HarfBuzz subset input for ``font``: its used glyphs, WeasyPrint 70's flags and dropped tables."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    request = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(request)
    used = ffi.new(f"hb_codepoint_t[{len(to_unicode)}]", sorted(to_unicode))
    harfbuzz.hb_set_add_sorted_array(glyphs, used, len(to_unicode))
    flags = (harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED |
             harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if retain_gids:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(request, flags)
    drop = harfbuzz_subset.hb_subset_input_set(request, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = tuple(harfbuzz.hb_tag_from_string(name, -1) for name in _TABLES_TO_DROP)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    return request


def _one_pass_subset() -> None:
    import weasyprint
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    if not weasyprint.__version__.startswith("70.") or harfbuzz_subset is None:
        return
    original = fonts.Font._harfbuzz_subset
    if "HB_SUBSET_FLAGS_RETAIN_GIDS" not in inspect.getsource(original):
        return

    def subset(self, to_unicode, hinting):
        request = _subset_request(self, to_unicode, hinting, retain_gids=True)
        face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(self.hb_face, request), harfbuzz.hb_face_destroy)
        content = get_hb_object_data(face) if face else None
        if content:
            self.file_content = content
        else:  # let WeasyPrint's own path (and its warning) handle a font HarfBuzz cannot subset
            original(self, to_unicode, hinting)

    fonts.Font._harfbuzz_subset = subset
    APPLIED.append("harfbuzz-one-pass")


class _Zlib:
    """``zlib`` as pydyf sees it: level 9 becomes 6, everything else is untouched."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=-1, *args, **kwargs):
        return zlib.compressobj(6 if level == 9 else level, *args, **kwargs)


def _faster_zlib() -> None:
    import pydyf

    if getattr(pydyf, "zlib", None) is not zlib or "compressobj(level=9)" not in inspect.getsource(pydyf.Stream):
        return
    pydyf.zlib = _Zlib()
    APPLIED.append("zlib-level-6")


_PENDING = object()


def _lazy_font_data() -> None:
    import threading

    from weasyprint.pdf import fonts
    from weasyprint.text.fonts import get_hb_object_data

    if ("self.file_content = get_hb_object_data(self.hb_face)" not in inspect.getsource(fonts.Font.__init__)
            or "file_content" in vars(fonts.Font) or fonts.get_hb_object_data is not get_hb_object_data):
        return
    state = threading.local()
    original_init = fonts.Font.__init__

    def init(self, *args, **kwargs):
        state.deferring = True
        try:
            original_init(self, *args, **kwargs)
        finally:
            state.deferring = False

    def face_data(hb_object, *args, **kwargs):
        if getattr(state, "deferring", False) and not args and not kwargs:
            return _PENDING  # the whole face, asked for by Font.__init__: read it when needed
        return get_hb_object_data(hb_object, *args, **kwargs)

    def read(self):
        value = self.__dict__.get("_salespm_file_content", _PENDING)
        if value is _PENDING:
            value = self.__dict__["_salespm_file_content"] = get_hb_object_data(self.hb_face)
        return value

    def write(self, value):
        self.__dict__["_salespm_file_content"] = value

    fonts.get_hb_object_data = face_data
    fonts.Font.__init__ = init
    fonts.Font.file_content = property(read, write, doc="The font file (read from HarfBuzz on first use).")
    APPLIED.append("lazy-font-data")


# HarfBuzz's subset plan (public since 4.4; WeasyPrint 70 declares only hb_subset_or_fail): it tells
# which original glyph each glyph of a subset is. Declared on WeasyPrint's own FFI, so the functions
# come from the libraries it has loaded (a dlopen by name could run ldconfig and gcc to find them).
_PLAN_CDEF = """
    typedef ... hb_subset_plan_t;
    typedef ... hb_map_t;
    hb_subset_plan_t * hb_subset_plan_create_or_fail (hb_face_t *face, const hb_subset_input_t *input);
    void hb_subset_plan_destroy (hb_subset_plan_t *plan);
    hb_face_t * hb_subset_plan_execute_or_fail (hb_subset_plan_t *plan);
    const hb_map_t * hb_subset_plan_new_to_old_glyph_mapping (const hb_subset_plan_t *plan);
    hb_codepoint_t hb_map_get (const hb_map_t *map, hb_codepoint_t key);
"""
# While WeasyPrint writes the fonts of a PDF: .fonts, {font hash: how its compact subset is embedded};
# .maps, {font hash: reference of its CIDToGIDMap stream}.
_COMPACT = threading.local()


def _compact_subsets() -> None:
    import cffi
    import pydyf
    import weasyprint
    import weasyprint.pdf
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi as text_ffi
    from weasyprint.text.fonts import get_hb_object_data

    ffi, harfbuzz = text_ffi.ffi, text_ffi.harfbuzz
    if (not weasyprint.__version__.startswith("70.") or text_ffi.harfbuzz_subset is None
            or not harfbuzz.hb_version_atleast(4, 4, 0)
            or weasyprint.pdf.build_fonts_dictionary is not fonts.build_fonts_dictionary
            or "build_fonts_dictionary(pdf, document.fonts" not in inspect.getsource(weasyprint.pdf.generate_pdf)
            or "font.clean(to_unicode" not in inspect.getsource(fonts.build_fonts_dictionary)
            or "font_references_by_file_hash[font.hash]" not in inspect.getsource(fonts.build_fonts_dictionary)
            or "'CIDToGIDMap': '/Identity'" not in inspect.getsource(fonts._build_vector_font_dictionary)
            or "self._harfbuzz_subset(to_unicode, hinting)" not in inspect.getsource(fonts.Font.subset)):
        return
    try:
        if "hb_subset_plan_t" not in ffi.list_types()[0]:
            ffi.cdef(_PLAN_CDEF)
        subset_lib = text_ffi.harfbuzz_subset
        create, execute = subset_lib.hb_subset_plan_create_or_fail, subset_lib.hb_subset_plan_execute_or_fail
        destroy, new_to_old = subset_lib.hb_subset_plan_destroy, subset_lib.hb_subset_plan_new_to_old_glyph_mapping
        map_get = harfbuzz.hb_map_get
    except (AttributeError, cffi.CDefError, cffi.FFIError):  # a library without the plan API
        return
    previous = fonts.Font._harfbuzz_subset
    build_fonts_dictionary = fonts.build_fonts_dictionary
    build_vector_font_dictionary = fonts._build_vector_font_dictionary

    def compact(font, to_unicode, hinting):
        """(subset file, embedding) for a compact subset of ``font``; None if it cannot have one."""
        if (font.png or font.svg or font.colr or "fvar" in font.tables
                or ("glyf" not in font.tables and not _cid_keyed(font))):
            return None
        request = _subset_request(font, to_unicode, hinting, retain_gids=False)
        plan = create(font.hb_face, request)
        if plan == ffi.NULL:
            return None
        plan = ffi.gc(plan, destroy)
        face = execute(plan)
        if face == ffi.NULL:
            return None
        face = ffi.gc(face, harfbuzz.hb_face_destroy)
        content = get_hb_object_data(face)
        mapping = new_to_old(plan)
        old_gids = [map_get(mapping, gid) for gid in range(harfbuzz.hb_face_get_glyph_count(face))]
        if not content or not old_gids or 0xFFFFFFFF in old_gids:
            return None
        if "glyf" in font.tables:
            return content, ("CIDToGIDMap", {old: new for new, old in enumerate(old_gids)})
        cff = _sfnt_table(content, b"CFF ")
        if cff is None or _cff_charset(cff) != old_gids:  # a CID must name the glyph of the same old id
            return None
        return content, ("CIDFontType0C", cff)

    def subset(self, to_unicode, hinting):
        embeddings = getattr(_COMPACT, "fonts", None)
        done = compact(self, to_unicode, hinting) if embeddings is not None else None
        if done is None:
            previous(self, to_unicode, hinting)
        else:
            self.file_content, embeddings[self.hash] = done

    def fonts_dictionary(*args, **kwargs):
        _COMPACT.fonts, _COMPACT.maps = {}, {}
        try:
            return build_fonts_dictionary(*args, **kwargs)
        finally:
            _COMPACT.fonts = _COMPACT.maps = None

    def vector_font_dictionary(font_dictionary, pdf, font, widths, compress, reference, pdf_version):
        build_vector_font_dictionary(font_dictionary, pdf, font, widths, compress, reference, pdf_version)
        kind, data = (getattr(_COMPACT, "fonts", None) or {}).get(font.hash, (None, None))
        if kind is None:
            return
        cid_font = _pdf_object(pdf, font_dictionary["DescendantFonts"][0])
        if kind == "CIDFontType0C":  # the bare CFF table instead of the OpenType file
            font_file = _pdf_object(pdf, reference)
            font_file.stream, font_file.extra["Subtype"] = [data], "/CIDFontType0C"
            cid_font.pop("CIDToGIDMap", None)  # for TrueType CIDFonts only; CFF has its charset
            return
        if font.hash not in _COMPACT.maps:  # one map for the fonts that share this font file
            table = bytearray(2 * (max(data) + 1))  # CID → GID, two bytes each, 0 (.notdef) if unused
            for cid, gid in data.items():
                table[2 * cid:2 * cid + 2] = gid.to_bytes(2, "big")
            cid_to_gid = pydyf.Stream([bytes(table)], compress=compress)
            pdf.add_object(cid_to_gid)
            _COMPACT.maps[font.hash] = cid_to_gid.reference
        cid_font["CIDToGIDMap"] = _COMPACT.maps[font.hash]

    fonts.Font._harfbuzz_subset = subset
    fonts.build_fonts_dictionary = weasyprint.pdf.build_fonts_dictionary = fonts_dictionary
    fonts._build_vector_font_dictionary = vector_font_dictionary
    APPLIED.append("compact-font-subsets")


def _pdf_object(pdf, reference: bytes):
    """The pydyf object that ``reference`` (``b"12 0 R"``) names."""
    obj = pdf.objects[int(reference.split()[0])]
    if obj.reference != reference:
        raise RuntimeError(f"PDF object {reference!r} not found")
    return obj


def _cid_keyed(font) -> bool:
    """Whether ``font`` has a CID-keyed CFF table (read from its first bytes, not the whole table)."""
    from weasyprint.text.ffi import ffi, harfbuzz

    if "CFF " not in font.tables:
        return False
    blob = harfbuzz.hb_face_reference_table(font.hb_face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        head = bytes(ffi.buffer(data, min(length[0], 4096))) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)
    try:
        return (12, 30) in _cff_top_dict(head)
    except (IndexError, ValueError):
        return False


def _sfnt_table(font: bytes, tag: bytes) -> bytes | None:
    """One table of an OpenType file."""
    for i in range(int.from_bytes(font[4:6], "big")):
        record = font[12 + 16 * i:28 + 16 * i]
        if record[:4] == tag:
            start, length = int.from_bytes(record[8:12], "big"), int.from_bytes(record[12:16], "big")
            return font[start:start + length]
    return None


def _cff_index(cff: bytes, pos: int) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) of each item of the CFF INDEX at ``pos``, and where the INDEX ends."""
    count = int.from_bytes(cff[pos:pos + 2], "big")
    if not count:
        return [], pos + 2
    size = cff[pos + 2]
    offsets = [int.from_bytes(cff[pos + 3 + i * size:pos + 3 + (i + 1) * size], "big") for i in range(count + 1)]
    base = pos + 2 + (count + 1) * size  # offsets count from the byte before the data
    if len(cff) < base + offsets[-1]:
        raise IndexError("truncated CFF INDEX")
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)], base + offsets[-1]


def _cff_top_dict(cff: bytes) -> dict:
    """The operators of a CFF font's Top DICT (``12 30`` is ``(12, 30)``) with their integer operands."""
    _, pos = _cff_index(cff, cff[2])  # the header, then the Name INDEX
    tops, _ = _cff_index(cff, pos)
    data = cff[tops[0][0]:tops[0][1]]
    operands, found, i = [], {}, 0
    while i < len(data):
        b = data[i]
        if b <= 21:
            found[(12, data[i + 1]) if b == 12 else b], operands = operands, []
            i += 2 if b == 12 else 1
        elif b in (28, 29):
            size = 2 if b == 28 else 4
            operands.append(int.from_bytes(data[i + 1:i + 1 + size], "big", signed=True))
            i += 1 + size
        elif b == 30:  # a real number: nibbles up to the one that is 0xF
            i += 1
            while data[i] >> 4 != 0xF and data[i] & 0xF != 0xF:
                i += 1
            operands.append(None)
            i += 1
        elif 32 <= b <= 246:
            operands.append(b - 139)
            i += 1
        elif 247 <= b <= 254:
            operands.append((b - 247) * 256 + data[i + 1] + 108 if b <= 250 else -(b - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise ValueError(f"reserved byte {b} in a CFF DICT")
    return found


def _cff_charset(cff: bytes) -> list[int] | None:
    """The CID of each glyph of a CID-keyed CFF font (glyph 0 is CID 0); None for other fonts."""
    try:
        top = _cff_top_dict(cff)
        if (12, 30) not in top or not top.get(15) or not top.get(17):
            return None
        count = int.from_bytes(cff[top[17][0]:top[17][0] + 2], "big")  # the CharStrings INDEX
        pos = top[15][0]
        form, pos, cids = cff[pos], pos + 1, [0]
        while len(cids) < count:
            if form == 0:
                cids.append(int.from_bytes(cff[pos:pos + 2], "big"))
                pos += 2
            elif form in (1, 2):
                first = int.from_bytes(cff[pos:pos + 2], "big")
                left = cff[pos + 2] if form == 1 else int.from_bytes(cff[pos + 2:pos + 4], "big")
                cids.extend(range(first, first + left + 1))
                pos += 3 if form == 1 else 4
            else:
                return None
            if pos > len(cff):
                return None
    except (IndexError, ValueError, TypeError):
        return None
    return cids[:count]



# SHA-256 of WeasyPrint 70's svg.text.text, which svg-text-runs copies, and of draw.text.draw_first_line,
# whose output for a letter it repeats (any other source: not applied)
_SVG_TEXT_SOURCE = "67a30c3e181b4a8002350771928b86b26dfef05b2706d0b3c6b46943e41af61b"
_DRAW_FIRST_LINE_SOURCE = "1bb8eae6d88e71b17096a034656f3be17da8f1f513c78536c1c38d971927638b"
_SVG_TEXT_TAGS = ("a", "text", "textPath", "tspan")
# per document (its layout context): {(face, letter): [its layout, width, height, baseline, replay]}
_SVG_LETTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _svg_text_runs() -> None:
    import hashlib
    import sys

    import weasyprint
    import weasyprint.svg as svg_package
    from weasyprint.draw import text as draw_text
    from weasyprint.pdf import stream
    from weasyprint.text import line_break

    svg_text = sys.modules.get("weasyprint.svg.text")
    original = getattr(svg_text, "text", None)
    if (not weasyprint.__version__.startswith("70.") or original is None or svg_package.text is not original
            or any(svg_package.TAGS.get(tag) is not original for tag in _SVG_TEXT_TAGS)
            or hashlib.sha256(_source(original).encode()).hexdigest() != _SVG_TEXT_SOURCE
            or "TAGS.get(node.tag) == text" not in inspect.getsource(svg_package.SVG.draw_node)
            or hashlib.sha256(_source(draw_text.draw_first_line).encode()).hexdigest() != _DRAW_FIRST_LINE_SOURCE
            or "layout.deactivate()" not in inspect.getsource(line_break.first_line_metrics)
            or "if (font, size) == self._current_font:" not in inspect.getsource(stream.Stream.set_font_size)):
        return
    text = _svg_text(svg_text, original)
    svg_text.text = svg_package.text = text  # draw_node tells text nodes by ``TAGS.get(tag) == text``
    for tag in _SVG_TEXT_TAGS:
        svg_package.TAGS[tag] = text
    APPLIED.append("svg-text-runs")


def _source(function) -> str:
    """The source of ``function``; empty when there is none to read (made at run time, say)."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def _svg_text(svg_text, original):
    """WeasyPrint 70's ``svg.text.text`` with each letter laid out once per document and face.

    The body is WeasyPrint's, line for line, but for the marked changes: each letter's layout comes
    from ``_SVG_LETTERS`` (made, the first time, by the very calls WeasyPrint makes for it, and kept
    active, so it is not made again for drawing); the layout of the whole text, of which WeasyPrint
    uses the width and height only for ``textLength`` and ``display-anchor``, is made only for those;
    the letters are drawn one by one by WeasyPrint's own ``draw_first_line``, or, for a letter it has
    drawn before in the document, by writing again what it wrote then (``_svg_replay``)."""
    from math import cos, inf, radians, sin

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    Style, TextBox = svg_text.Style, svg_text.TextBox

    def text(svg, node, font_size):
        """Draw text node."""
        # changed: WeasyPrint's own without a document to keep the letters for (an SVG glyph of
        # a font) or without text (a tspan outside a text)
        if svg.context is None or node.text is None:
            return original(svg, node, font_size)
        style = Style()
        style.update(INITIAL_VALUES)
        style.font_config = svg.font_config
        style['font_family'] = [
            font.strip('"\'') for font in
            node.get('font-family', 'sans-serif').split(',')]
        style['font_style'] = node.get('font-style', 'normal')
        style['font_weight'] = node.get('font-weight', 400)
        style['font_size'] = font_size
        if node.get('direction') in ('ltr', 'rtl'):
            style['direction'] = node.get('direction')
        if style['font_weight'] == 'normal':
            style['font_weight'] = 400
        elif style['font_weight'] == 'bold':
            style['font_weight'] = 700
        else:
            try:
                style['font_weight'] = int(style['font_weight'])
            except ValueError:
                style['font_weight'] = 400

        # changed: the whole text's layout only when its width or height is used
        width = height = None
        if (svg.length(node.get('textLength'), font_size) or
                node.get('display-anchor') in ('middle', 'bottom')):
            layout, _, _, width, height, _ = split_first_line(
                node.text, style, svg.context, inf, 0)

        # Get rotations and translations
        x, y, dx, dy, rotate = [], [], [], [], [0]
        if 'x' in node.attrib:
            x = [size(i, font_size, svg.inner_width)
                 for i in normalize(node.attrib['x']).strip().split(' ')]
        if 'y' in node.attrib:
            y = [size(i, font_size, svg.inner_height)
                 for i in normalize(node.attrib['y']).strip().split(' ')]
        if 'dx' in node.attrib:
            dx = [size(i, font_size, svg.inner_width)
                  for i in normalize(node.attrib['dx']).strip().split(' ')]
        if 'dy' in node.attrib:
            dy = [size(i, font_size, svg.inner_height)
                  for i in normalize(node.attrib['dy']).strip().split(' ')]
        if 'rotate' in node.attrib:
            rotate = [radians(float(i)) if i else 0
                      for i in normalize(node.attrib['rotate']).strip().split(' ')]
        last_r = rotate[-1]
        letters_positions = [
            ([pl.pop(0) if pl else None for pl in (x, y, dx, dy, rotate)], char)
            for char in node.text]

        letter_spacing = svg.length(node.get('letter-spacing'), font_size)
        text_length = svg.length(node.get('textLength'), font_size)
        scale_x = 1
        if text_length and node.text:
            # calculate the number of spaces to be considered for the text
            spaces_count = len(node.text) - 1
            if normalize(node.attrib.get('lengthAdjust')) == 'spacingAndGlyphs':
                # scale letter_spacing up/down to textLength
                width_with_spacing = width + spaces_count * letter_spacing
                letter_spacing *= text_length / width_with_spacing
                # calculate the glyphs scaling factor by:
                # - deducting the scaled letter_spacing from textLength
                # - dividing the calculated value by the original width
                spaceless_text_length = text_length - spaces_count * letter_spacing
                scale_x = spaceless_text_length / width
            elif spaces_count:
                # adjust letter spacing to fit textLength
                letter_spacing = (text_length - width) / spaces_count
            width = text_length

        # TODO: use real values
        ascent, descent = font_size * .8, font_size * .2

        # Align text box vertically
        y_align = 0
        display_anchor = node.get('display-anchor')
        alignment_baseline = node.get(
            'dominant-baseline', node.get('alignment-baseline'))
        if display_anchor == 'middle':
            y_align = -height / 2
        elif display_anchor == 'top':
            pass
        elif display_anchor == 'bottom':
            y_align = -height
        elif alignment_baseline in ('central', 'middle'):
            y_align = (ascent + descent) / 2 - descent
        elif alignment_baseline in (
                'text-before-edge', 'before_edge', 'top', 'hanging', 'text-top'):
            y_align = ascent
        elif alignment_baseline in (
                'text-after-edge', 'after_edge', 'bottom', 'text-bottom'):
            y_align = -descent

        # Return early when there’s no text
        if not node.text:
            x = x[0] if x else svg.cursor_position[0]
            y = y[0] if y else svg.cursor_position[1]
            dx = dx[0] if dx else 0
            dy = dy[0] if dy else 0
            svg.cursor_position = (x + dx, y + dy)
            return

        # changed: the letters laid out once per document and face
        letters = _SVG_LETTERS.setdefault(svg.context, {})
        face = (tuple(style['font_family']), style['font_style'], style['font_weight'],
                style['font_size'], style['direction'])

        # Layout letters.
        layouts = []
        for i, ((x, y, dx, dy, r), letter) in enumerate(letters_positions):
            if x:
                svg.cursor_d_position[0] = 0
            if y:
                svg.cursor_d_position[1] = 0
            svg.cursor_d_position[0] += dx or 0
            svg.cursor_d_position[1] += dy or 0
            known = letters.get((face, letter))  # changed: was split_first_line(letter, …)
            if known is None:
                known = letters[face, letter] = _svg_letter(split_first_line, letter, style, svg.context)
            layout, width, height, baseline, _ = known
            x = svg.cursor_position[0] if x is None else x
            y = svg.cursor_position[1] if y is None else y
            width *= scale_x
            if i:
                x += letter_spacing
            svg.cursor_position = x + width, y

            x_position = x + svg.cursor_d_position[0]
            y_position = y + svg.cursor_d_position[1] + y_align
            angle = last_r if r is None else r
            points = (
                (x_position, y_position - baseline),
                (x_position + width, y_position - baseline + height))
            # TODO: Use ink extents instead of logical from line_break.line_size().
            node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)
            layouts.append((known, x_position, y_position, x, y, angle, baseline))

        # Set state after we have bounding box for gradients and patterns, before drawing.
        svg.stream.push_state()
        fill, stroke = svg.set_graphical_state(node, font_size)
        svg.stream.begin_text()

        # Draw letters.
        emoji_lines = []
        for known, x_position, y_position, x, y, angle, baseline in layouts:
            # changed: the letter's layout is active already (layout.reactivate(style) made
            # it anew); white space, which draw_first_line does not draw, has none
            layout, replay = known[0], known[4]
            svg.fill_stroke(fill, stroke, text=True)
            if layout is None:
                emoji_lines.append((x, y, []))
                continue
            matrix = Matrix(a=scale_x, d=-1, e=x_position, f=y_position)
            if angle:
                a, c = cos(angle), sin(angle)
                matrix = Matrix(a, -c, c, a) @ matrix
            if replay is not None:  # changed: what draw_first_line drew for this letter before
                svg.stream.set_text_matrix(*matrix.values)
                svg.stream.set_font_size(*replay[0])
                svg.stream.stream.append(replay[1])
                emoji_lines.append((x, y, []))
                continue
            text_box = TextBox(layout, style)
            text_box.baseline = baseline
            drawn = len(svg.stream.stream)
            emojis = draw_first_line(svg.stream, text_box, 'none', 'none', matrix)
            emoji_lines.append((x, y, emojis))
            known[4] = _svg_replay(svg.stream, drawn, emojis, known)

        svg.stream.end_text()
        svg.stream.pop_state()

        # Draw emojis.
        for x, y, emojis in emoji_lines:
            draw_emojis(svg.stream, style, x, y, emojis)

    return text


def _svg_letter(split_first_line, letter: str, style, context) -> list:
    """[layout, width, height, baseline, None] of one letter, as WeasyPrint 70's SVG text lays it out
    and then reactivates it to draw it; no layout for white space, which is never drawn. The last
    item is for ``_svg_replay``."""
    from math import inf

    layout, _, _, width, height, baseline = split_first_line(letter, style, context, inf, 0)
    if letter.strip():
        layout.reactivate(style)
    else:
        layout = None
    return [layout, width, height, baseline, None]


def _svg_replay(stream, drawn: int, emojis: list, known: list):
    """What ``draw_first_line`` just wrote for a letter, from ``stream.stream[drawn]`` on, if drawing
    that letter again would write the same: ((font, size) for ``Tf``, the ``TJ`` bytes); else None.

    Once a font's glyph has been drawn, its width (``font.widths``) and text (``font.to_unicode``)
    are set for the document, so the letter's ``TJ`` never changes; only the text matrix does, and
    ``Stream.set_font_size`` writes ``Tf`` when the font or size changes. Not for an emoji, a glyph
    no font has (drawn as .notdef, with a warning each time) or a raised glyph (``Ts``)."""
    from weasyprint.text.ffi import ffi, pango

    written = stream.stream[drawn:]
    if (emojis or not 2 <= len(written) <= 3 or not written[0].endswith(b" Tm")
            or not written[-1].endswith(b"] TJ") or (len(written) == 3 and not written[1].endswith(b" Tf"))):
        return None
    line, _ = known[0].get_first_line()
    run = line.runs
    while run != ffi.NULL:
        glyphs, run = run.data.glyphs, run.next
        for i in range(glyphs.num_glyphs):
            if glyphs.glyphs[i].glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                return None
    return stream._current_font, written[-1]
