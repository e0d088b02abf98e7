"""The PDF tunings (render/pdf_tuning.py) change time and size, not what a reader sees: same text,
same pixels, fonts embedded and subset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, ROOT, make_workspace

SCRIPT = """
import sys
from pathlib import Path
from salespm_docs.build import Renderer, Workspace, load_facts, plan
from salespm_docs.context import build_context
root, target = Path(sys.argv[1]), Path(sys.argv[2])
if sys.argv[3:] == ["fonttools"]:  # WeasyPrint's fallback subsetter, which reads the whole font file
    import weasyprint.pdf.fonts
    weasyprint.pdf.fonts.harfbuzz_subset = None
ws = Workspace(root)
facts = load_facts(ws, "huaxing-crm")
renderer = Renderer(ws)
instance = next(i for i in plan(facts)[0] if i.artifact.code == "CHT")
html = renderer.pdf.html("CHT.html", build_context(facts, instance.artifact, None, False))
renderer.pdf.write(html, target)
# the fallback fonts (TrueType: DejaVu Sans, Symbola, HanaMinB) and a character no font has
renderer.pdf.write("<p style='font-family: DejaVu Sans'>Ωμέγα ÆØÅ ∑∫√ ← → ffi 1234567890</p>"
                   "<p style='font-family: Symbola'>☃ ♞ ⚽</p><p style='font-family: HanaMinB'>𠀋 𡈽 𢌞</p>"
                   "<p style='font-family: Noto Serif CJK SC'>中文 测试 \u0378 缺字</p>",
                   target.with_name(target.stem + " fallback.pdf"))
print(",".join(renderer.pdf.tunings))
"""


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):  # the example built three times over: tests using it are slow (conftest)
    tmp = tmp_path_factory.mktemp("tuning")
    root = make_workspace(tmp, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    out = {}
    lazy_only = {"SALESPM_PLAIN_PDF": "harfbuzz-one-pass,zlib-level-6,compact-font-subsets"}
    for name, env, extra in (("tuned", {}, []), ("plain", {"SALESPM_PLAIN_PDF": "1"}, []),
                             ("lazy only", lazy_only, []),
                             ("not compact", {"SALESPM_PLAIN_PDF": "compact-font-subsets"}, []),
                             # fontTools stamps the time into the font unless SOURCE_DATE_EPOCH is set
                             ("plain fonttools", {"SALESPM_PLAIN_PDF": "1", "SOURCE_DATE_EPOCH": "0"},
                              ["fonttools"]),
                             ("lazy fonttools", {**lazy_only, "SOURCE_DATE_EPOCH": "0"}, ["fonttools"])):
        import os
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(root), str(tmp / f"{name}.pdf"), *extra],
                              capture_output=True, text=True, check=True, env={**os.environ, **env})
        out[name] = (tmp / f"{name}.pdf", done.stdout.strip())
        out[f"{name} fallback"] = (tmp / f"{name} fallback.pdf", done.stdout.strip())
    return out


def pixels(path: Path) -> list[bytes]:
    """Each page as poppler draws it at 80 dpi (raw PPM)."""
    prefix = path.with_name(path.stem.replace(" ", "_") + "-px")
    subprocess.run(["pdftoppm", "-r", "80", str(path), str(prefix)], check=True, timeout=120)
    pages = sorted(prefix.parent.glob(prefix.name + "-*.ppm"))
    return [page.read_bytes() for page in pages]


def test_tunings_apply_to_the_pinned_versions_and_can_be_turned_off(pdfs):
    assert pdfs["tuned"][1] == "harfbuzz-one-pass,zlib-level-6,lazy-font-data,compact-font-subsets"
    assert pdfs["plain"][1] == ""
    assert pdfs["lazy only"][1] == "lazy-font-data"
    assert pdfs["not compact"][1] == "harfbuzz-one-pass,zlib-level-6,lazy-font-data"


def test_deferred_font_file_changes_no_byte(pdfs):
    # Alone, the deferred font file must give the very same PDF as plain WeasyPrint: on its own
    # HarfBuzz path (which never reads the whole file) and on the fontTools path, which does.
    for suffix in ("", " fallback"):
        assert pdfs["lazy only" + suffix][0].read_bytes() == pdfs["plain" + suffix][0].read_bytes()
    fonttools = pdfs["lazy fonttools"][0].read_bytes()
    assert fonttools == pdfs["plain fonttools"][0].read_bytes()
    assert fonttools != pdfs["plain"][0].read_bytes()  # the fallback path was really taken


@pytest.mark.parametrize("suffix", ["", " fallback"])
def test_same_text_on_every_page(pdfs, suffix):
    tuned = [p.extract_text() for p in PdfReader(str(pdfs["tuned" + suffix][0])).pages]
    plain = [p.extract_text() for p in PdfReader(str(pdfs["plain" + suffix][0])).pages]
    assert len(tuned) >= (1 if suffix else 3) and tuned == plain and "".join(plain).strip()
    poppler = [subprocess.run(["pdftotext", str(pdfs[name + suffix][0]), "-"], capture_output=True,
                              check=True).stdout for name in ("tuned", "plain")]
    assert poppler[0] == poppler[1]


@pytest.mark.parametrize("suffix", ["", " fallback"])
def test_same_pixels_on_every_page(pdfs, suffix):
    # Compact subsets renumber the glyphs: a glyph id mapped wrongly draws another glyph (or none),
    # which the text layer (ToUnicode, untouched) would not show. The pages must look the same.
    tuned, plain = pixels(pdfs["tuned" + suffix][0]), pixels(pdfs["plain" + suffix][0])
    assert tuned and len(tuned) == len(plain)
    assert [i for i, (a, b) in enumerate(zip(tuned, plain)) if a != b] == []


def test_compact_truetype_fonts_map_cids_to_glyphs(pdfs):
    # The TrueType path of compact subsets really taken: DejaVu Sans, Symbola and HanaMinB get a
    # CIDToGIDMap stream (the CIDs stay the original glyph ids), and plain WeasyPrint's /Identity.
    def maps(path):
        found = {}
        for page in PdfReader(str(path)).pages:
            for font in page["/Resources"]["/Font"].values():
                cid_font = font.get_object()["/DescendantFonts"][0].get_object()
                if cid_font["/Subtype"] == "/CIDFontType2":
                    found[str(cid_font["/BaseFont"]).split("+")[1]] = cid_font["/CIDToGIDMap"]
        return found

    tuned, plain = maps(pdfs["tuned fallback"][0]), maps(pdfs["plain fallback"][0])
    assert len(tuned) >= 3 and tuned.keys() == plain.keys()
    assert all(m == "/Identity" for m in plain.values())
    assert all(not isinstance(m, str) and len(m.get_object().get_data()) >= 2 for m in tuned.values())


def test_fonts_embedded_and_subset_in_both(pdfs):
    for path, _ in pdfs.values():
        rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        fonts = [line.split() for line in rows.splitlines()[2:]]
        assert fonts and all(f[-5] == "yes" and f[-4] == "yes" for f in fonts)
        assert all("+" in f[0] for f in fonts)  # a subset font's name carries its tag


def test_qpdf_finds_nothing_wrong(pdfs):
    for path, _ in pdfs.values():
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_size_stays_close_without_compaction_and_shrinks_with_it(pdfs):
    for suffix in ("", " fallback"):
        tuned, not_compact, plain = (pdfs[k + suffix][0].stat().st_size for k in ("tuned", "not compact", "plain"))
        assert 0.85 * plain <= not_compact <= 1.15 * plain
        assert tuned <= 0.4 * plain  # the fonts were most of the file


def test_gc_pause_restores_the_collector_and_frees_the_document():
    import gc
    import weakref

    from salespm_docs.render.pdf_tuning import gc_paused

    class Node:  # a reference cycle, as WeasyPrint's boxes make: only the collector frees it
        pass

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        node = Node()
        node.me = node
        probe = weakref.ref(node)
        del node
    assert gc.isenabled() and probe() is None  # collected when the pause ends

    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("layout failed")
    assert gc.isenabled()

    gc.disable()
    try:  # a host that turned the collector off keeps it off
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
