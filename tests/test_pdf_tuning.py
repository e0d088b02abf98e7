"""The PDF speed-ups (render/pdf_tuning.py) change time, not output: same text, same fonts."""

from __future__ import annotations

import subprocess
import sys

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
print(",".join(renderer.pdf.tunings))
"""


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tuning")
    root = make_workspace(tmp, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    out = {}
    lazy_only = {"SALESPM_PLAIN_PDF": "harfbuzz-one-pass,zlib-level-6"}
    for name, env, extra in (("tuned", {}, []), ("plain", {"SALESPM_PLAIN_PDF": "1"}, []),
                             ("lazy only", lazy_only, []),
                             # fontTools stamps the time into the font unless SOURCE_DATE_EPOCH is set
                             ("plain fonttools", {"SALESPM_PLAIN_PDF": "1", "SOURCE_DATE_EPOCH": "0"},
                              ["fonttools"]),
                             ("lazy fonttools", {**lazy_only, "SOURCE_DATE_EPOCH": "0"}, ["fonttools"])):
        import os
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(root), str(tmp / f"{name}.pdf"), *extra],
                              capture_output=True, text=True, check=True, env={**os.environ, **env})
        out[name] = (tmp / f"{name}.pdf", done.stdout.strip())
    return out


def test_tunings_apply_to_the_pinned_versions_and_can_be_turned_off(pdfs):
    assert pdfs["tuned"][1] == "harfbuzz-one-pass,zlib-level-6,lazy-font-data"
    assert pdfs["plain"][1] == ""
    assert pdfs["lazy only"][1] == "lazy-font-data"


def test_deferred_font_file_changes_no_byte(pdfs):
    # Alone, the deferred font file must give the very same PDF as plain WeasyPrint: on its own
    # HarfBuzz path (which never reads the whole file) and on the fontTools path, which does.
    assert pdfs["lazy only"][0].read_bytes() == pdfs["plain"][0].read_bytes()
    fonttools = pdfs["lazy fonttools"][0].read_bytes()
    assert fonttools == pdfs["plain fonttools"][0].read_bytes()
    assert fonttools != pdfs["plain"][0].read_bytes()  # the fallback path was really taken


def test_same_text_on_every_page(pdfs):
    tuned = [p.extract_text() for p in PdfReader(str(pdfs["tuned"][0])).pages]
    plain = [p.extract_text() for p in PdfReader(str(pdfs["plain"][0])).pages]
    assert len(tuned) >= 3 and tuned == plain


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


def test_size_stays_close(pdfs):
    tuned, plain = (pdfs[k][0].stat().st_size for k in ("tuned", "plain"))
    assert 0.85 * plain <= tuned <= 1.15 * plain


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
