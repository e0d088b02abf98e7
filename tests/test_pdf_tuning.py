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
    lazy_only = {"SALESPM_PLAIN_PDF": "harfbuzz-one-pass,zlib-level-6,compact-font-subsets,svg-text-runs"}
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


def pixels(path: Path, dpi: int = 80) -> list[bytes]:
    """Each page as poppler draws it at ``dpi`` (raw PPM)."""
    prefix = path.with_name(path.stem.replace(" ", "_") + f"-px{dpi}")
    subprocess.run(["pdftoppm", "-r", str(dpi), str(path), str(prefix)], check=True, timeout=120)
    pages = sorted(prefix.parent.glob(prefix.name + "-*.ppm"))
    return [page.read_bytes() for page in pages]


def test_tunings_apply_to_the_pinned_versions_and_can_be_turned_off(pdfs):
    assert pdfs["tuned"][1] == "harfbuzz-one-pass,zlib-level-6,lazy-font-data,compact-font-subsets,svg-text-runs"
    assert pdfs["plain"][1] == ""
    assert pdfs["lazy only"][1] == "lazy-font-data"
    assert pdfs["not compact"][1] == "harfbuzz-one-pass,zlib-level-6,lazy-font-data,svg-text-runs"


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
        assert tuned <= 0.45 * plain  # the fonts were most of the file (the charter: 40% of plain)


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


# -- svg-text-runs: SVG text (the charts) laid out once per letter, drawn as WeasyPrint draws it ---

SVG_SCRIPT = """
import sys
from pathlib import Path
import weasyprint.text.line_break as line_break
split, calls = line_break.split_first_line, [0]
def counted(*args, **kwargs):  # the SVG text code imports it at each call (WeasyPrint's) or at apply()
    calls[0] += 1
    return split(*args, **kwargs)
line_break.split_first_line = counted
from salespm_docs.render.pdf import PdfRenderer
folder, tag = Path(sys.argv[1]), sys.argv[2]
renderer = PdfRenderer(folder / "templates")
for name in sys.argv[3:]:  # one renderer, one font configuration: the documents one after another
    calls[0] = 0
    renderer.write((folder / (name.split(" ")[0] + ".html")).read_text(encoding="utf-8"), folder / f"{name} {tag}.pdf")
    print(name, calls[0])
print(",".join(renderer.tunings))
"""

# Every kind of SVG text WeasyPrint 70 handles, in the CJK face the charts use and in others: the
# copy of its text function must draw each exactly as it does.
SVG_CASES = """<svg xmlns="http://www.w3.org/2000/svg" width="200mm" height="126mm" viewBox="0 0 200 126" \
xml:lang="zh-CN"><defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#c00"/>\
<stop offset="1" stop-color="#00c"/></linearGradient></defs>
<style>.red { fill: #c62828 } .heavy { font-weight: bold }</style>
<rect x="0" y="0" width="200" height="126" fill="#fff"/>
<g font-family="Noto Sans CJK SC" font-size="4">
 <text x="100" y="8" text-anchor="middle">居中 Middle 混排 CJK + Latin 123</text>
 <text x="196" y="14" text-anchor="end" font-weight="bold">右对齐 End 加粗 Bold</text>
 <text x="100" y="14" text-anchor="middle" font-weight="bold">居中 Middle 加粗 Bold</text>
 <g font-weight="bold" fill="#1f4e8c"><text x="4" y="20">继承加粗 Inherited bold</text></g>
 <text x="100" y="20" class="heavy red">样式表 CSS class 粗体</text>
 <text x="4" y="26" style="font-weight: 700; fill: #2e7d32">style 属性 700</text>
 <text x="100" y="26" font-weight="600">六百 600</text>
 <text x="4 9 14 19 24 29" y="32">逐字定位 xy</text>
 <text x="100" y="32 33 34 35">逐字 y 列表</text>
 <text x="4" y="38" dx="2" dy="-0.5">偏移 dx dy</text>
 <text x="100" y="38" dx="1 2 3">逐字 dx</text>
 <text x="100" y="44" text-anchor="middle">前文<tspan font-weight="bold" fill="#c00">加粗 tspan</tspan>后文 tail</text>
 <text x="196" y="50" text-anchor="end">分段<tspan x="150" dy="0">新块 chunk</tspan>结尾</text>
 <text x="4" y="50">光标<tspan dx="3">接续</tspan><tspan dy="1">下移</tspan></text>
 <text x="4" y="56" rotate="0 15 30 45">旋转文字 rotate</text>
 <text x="100" y="56" rotate="10">整体旋转</text>
 <text x="4" y="62" letter-spacing="0.6">字间距 spacing</text>
 <text x="100" y="62" letter-spacing="0.3" text-anchor="end">字间距 end</text>
 <text x="4" y="68" textLength="60">拉伸到固定长度 textLength</text>
 <text x="100" y="68" textLength="50" lengthAdjust="spacingAndGlyphs">字形缩放 glyphs</text>
 <text x="4" y="74" xml:space="preserve">  保留   空格 preserve  </text>
 <text x="100" y="74">  折叠   空格
 collapse  </text>
 <text x="4" y="80" display-anchor="middle">display-anchor 居中</text>
 <text x="60" y="80" display-anchor="bottom">底部 bottom</text><text x="90" y="80" display-anchor="middle"></text>
 <text x="100" y="80" dominant-baseline="central">中线 central</text>
 <text x="150" y="80" dominant-baseline="hanging">悬挂 hanging</text>
 <text x="4" y="86" fill="none" stroke="#c00" stroke-width="0.1">描边 Stroke only</text>
 <text x="60" y="86" fill="url(#g)">渐变填充 gradient</text>
 <text x="120" y="86" fill="#00c" stroke="#c00" stroke-width="0.05" fill-opacity="0.6">填充加描边</text>
 <text x="4" y="92" font-style="italic" font-weight="normal">斜体 italic normal</text>
 <text x="60" y="92" font-weight="bolder">bolder 加粗</text>
 <text x="100" y="92" font="5px Noto Sans CJK SC">font 简写 shorthand</text>
 <text x="4" y="98" direction="rtl">从右到左 rtl</text>
 <text x="60" y="98" direction="rtl" text-anchor="end">rtl end 末端</text>
 <text x="100" y="98"><a href="#x">链接文字 link</a></text>
 <text x="4" y="104" font-family="DejaVu Sans">DejaVu Ωμέγα ÆØÅ ffi AV To 中文回退</text>
 <text x="100" y="104" font-family="Symbola">☃ ♞ ⚽ 雪</text>
 <text x="150" y="104" font-family="Noto Serif CJK SC">宋体 缺字&#x378;</text>
 <text x="4" y="110" font-family="sans-serif">sans-serif 回退 fallback ١٢٣ مرحبا</text>
 <text x="150" y="110" font-size="5" text-anchor="middle" transform="rotate(-5 150 110)">变换 transform</text>
 <text x="4" y="116" opacity="0.5" font-size="3">半透明 opacity 三号</text>
 <text x="60" y="116" font-size="0">零号字</text><text x="70" y="116"></text><text x="80" y="116">   </text>
 <text x="100" y="116" visibility="hidden">隐藏</text><text x="120" y="116" display="none">不显示</text>
 <text x="4" y="122" font-size="2.25">e&#x301; 组合 a&#x200b;b 零宽 soft&#xad;hyphen ﬁ</text>
</g></svg>"""


@pytest.fixture(scope="module")
def svg_pdfs(tmp_path_factory):
    """A Gantt chart and an S-curve as the PDF shows them (``<img>`` of the SVG), and every kind of
    SVG text, drawn tuned and with ``SALESPM_PLAIN_PDF=svg-text-runs``; the Gantt twice, so that
    the second document meets letters the first laid out."""
    import base64
    import os

    from test_charts import sample_schedule, weeks_of_value

    from salespm_docs.charts.gantt import gantt_pages
    from salespm_docs.charts.scurve import s_curve

    tmp = tmp_path_factory.mktemp("svg-text")
    (tmp / "templates" / "html").mkdir(parents=True)
    schedule = sample_schedule()
    charts = [*gantt_pages(schedule, title="华兴CRM项目 项目进度计划（甘特图）"),
              s_curve(weeks_of_value(), schedule.status_date)]
    page = ('<!DOCTYPE html><html lang="zh-CN"><head><style>@page { size: A4 landscape; margin: 15mm }'
            'img { display: block; width: 100% }</style></head><body>{}</body></html>')
    (tmp / "charts.html").write_text(page.replace("{}", "".join(
        f'<img src="{chart.uri}" alt="{chart.alt}">' for chart in charts)), encoding="utf-8")
    cases = "data:image/svg+xml;base64," + base64.b64encode(SVG_CASES.encode()).decode()
    (tmp / "cases.html").write_text(page.replace("{}", f'<img src="{cases}">'), encoding="utf-8")
    out = {}
    for tag, env in (("tuned", {}), ("plain", {"SALESPM_PLAIN_PDF": "svg-text-runs"})):
        done = subprocess.run([sys.executable, "-c", SVG_SCRIPT, str(tmp), tag, "charts", "cases", "charts again"],
                              capture_output=True, text=True, check=True, env={**os.environ, **env}, timeout=600)
        *counts, tunings = done.stdout.strip().splitlines()
        out[tag] = {"tunings": tunings, "layouts": {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1])
                                                    for line in counts}}
        for name in ("charts", "cases", "charts again"):
            out[tag][name] = tmp / f"{name} {tag}.pdf"
    return out


def test_svg_text_runs_is_applied_and_can_be_turned_off(svg_pdfs):
    assert svg_pdfs["tuned"]["tunings"].split(",")[-1] == "svg-text-runs"
    assert "svg-text-runs" not in svg_pdfs["plain"]["tunings"].split(",")
    assert svg_pdfs["plain"]["tunings"] == svg_pdfs["tuned"]["tunings"].removesuffix(",svg-text-runs")


@pytest.mark.parametrize("name", ["charts", "cases", "charts again"])
def test_svg_text_gives_the_very_same_pdf(svg_pdfs, name):
    # WeasyPrint's own letter-by-letter drawing, each letter's layout made once: the same bytes.
    assert svg_pdfs["tuned"][name].read_bytes() == svg_pdfs["plain"][name].read_bytes()


@pytest.mark.parametrize("name", ["charts", "cases"])
def test_svg_text_same_text_and_pixels(svg_pdfs, name):
    from salespm_docs.extract import pdf_read

    tuned, plain = svg_pdfs["tuned"][name], svg_pdfs["plain"][name]
    text = pdf_read(tuned)[0]
    assert text == pdf_read(plain)[0]
    shown = "".join("".join(text).split())  # PDFium guesses the spaces between words from the gaps
    expected = (("华兴CRM项目 项目进度计划（甘特图）", "第 1 / 1 页", "需求调研与访谈", "接口设计 <ERP & OA>",
                 "状态日期 2026-03-09", "关键任务", "计划值（PV）", "万元") if name == "charts" else
                ("居中 Middle 混排 CJK + Latin 123", "右对齐 End 加粗 Bold", "继承加粗 Inherited bold",
                 "样式表 CSS class 粗体", "前文加粗 tspan后文 tail"))
    assert all("".join(s.split()) in shown for s in expected), shown
    poppler = [subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
               for path in (tuned, plain)]
    assert poppler[0] == poppler[1]
    tuned_pixels, plain_pixels = pixels(tuned, 100), pixels(plain, 100)
    assert tuned_pixels and len(tuned_pixels) == len(plain_pixels)
    assert [i for i, (a, b) in enumerate(zip(tuned_pixels, plain_pixels)) if a != b] == []


def test_svg_text_fonts_embedded_and_qpdf_clean(svg_pdfs):
    for tag in ("tuned", "plain"):
        for name in ("charts", "cases"):
            path = svg_pdfs[tag][name]
            rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
            fonts = [line.split() for line in rows.splitlines()[2:]]
            assert fonts and all(f[-5] == "yes" and f[-4] == "yes" and "+" in f[0] for f in fonts)
            names = {f[0].split("+")[1] for f in fonts}
            assert {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"} <= names, names
            done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr


def test_svg_letters_are_laid_out_once_per_document(svg_pdfs):
    tuned, plain = svg_pdfs["tuned"]["layouts"], svg_pdfs["plain"]["layouts"]
    # WeasyPrint lays out every letter, and every whole text; tuned, each letter of a face once.
    assert 0 < tuned["charts"] * 2 < plain["charts"]
    assert tuned["cases"] < plain["cases"]
    # the letters are kept for one document (its fonts), not across documents
    assert tuned["charts again"] == tuned["charts"] and plain["charts again"] == plain["charts"]


def test_svg_text_runs_left_out_when_weasyprint_text_is_not_the_one_copied():
    script = ("import sys, weasyprint.svg\n"
              "module = sys.modules['weasyprint.svg.text']\n"
              "original = module.text\n"
              "def text(svg, node, font_size):\n"
              "    return original(svg, node, font_size)\n"
              "module.text = weasyprint.svg.text = text\n"
              "for tag in ('a', 'text', 'textPath', 'tspan'):\n"
              "    weasyprint.svg.TAGS[tag] = text\n"
              "from salespm_docs.render import pdf_tuning\n"
              "print(','.join(pdf_tuning.apply()))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "harfbuzz-one-pass,zlib-level-6,lazy-font-data,compact-font-subsets"
