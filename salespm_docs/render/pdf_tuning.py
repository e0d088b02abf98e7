"""PDF tuning: measured speed-ups to WeasyPrint 70, applied once per process, and a GC pause per document.

Font subsetting and stream compression are most of the time WeasyPrint spends writing a CJK PDF
(the Noto CJK fonts hold 65,000 glyphs each). Two changes keep the output equivalent and cut a
4-page document from about 0.26 s to 0.22 s (``make bench``):

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
4. **No garbage-collector passes during one document** (``gc_paused``). Layout allocates hundreds
   of thousands of short-lived objects; Python's collector otherwise runs dozens of times per
   document and rescans the long-lived font and style caches each time. Collection is paused while
   one document is laid out and written, then the young generations are collected once (that time
   is part of the document's time in ``make bench``). A 4-page document drops from about 0.23 s to
   0.20 s, and peak memory falls because the document's garbage is freed right after it.

The first three are guarded: they are applied only to the versions they were written and tested
against, and ``SALESPM_PLAIN_PDF=1`` turns them off (a comma-separated list of names turns off only
those). ``tests/test_pdf_tuning.py`` compares a tuned PDF with a plain one (same text, fonts
embedded and subset, ``qpdf --check`` clean).
"""

from __future__ import annotations

import gc
import inspect
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

APPLIED: list[str] = []
_TABLES_TO_DROP = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                   b"PCLT", b"SVG ")


def apply() -> list[str]:
    """Apply the tunings that fit the installed versions; returns their names (once per process)."""
    plain = os.environ.get("SALESPM_PLAIN_PDF", "").strip()
    if APPLIED or plain in ("1", "all"):
        return APPLIED
    skip = {name.strip() for name in plain.split(",")}
    for name, tuning in (("harfbuzz-one-pass", _one_pass_subset), ("zlib-level-6", _faster_zlib),
                         ("lazy-font-data", _lazy_font_data)):
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
        request = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                         harfbuzz_subset.hb_subset_input_destroy)
        glyphs = harfbuzz_subset.hb_subset_input_glyph_set(request)
        used = ffi.new(f"hb_codepoint_t[{len(to_unicode)}]", sorted(to_unicode))
        harfbuzz.hb_set_add_sorted_array(glyphs, used, len(to_unicode))
        flags = (harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS |
                 harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED |
                 harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
        if not hinting:
            flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
        if self.missing:
            flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
        harfbuzz_subset.hb_subset_input_set_flags(request, flags)
        drop = harfbuzz_subset.hb_subset_input_set(request, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
        tags = tuple(harfbuzz.hb_tag_from_string(name, -1) for name in _TABLES_TO_DROP)
        harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
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
