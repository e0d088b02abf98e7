"""Issue 11, hostile input round two: the logo (``project.logo``) and what a fingerprint reads.

* An SVG "billion laughs" of nested ``<use>`` fails within seconds, with exit 2 naming
  ``project.logo`` and the file — run in a real process under a 2 GB address-space limit, so that a
  regression fails instead of eating the machine.
* A file that is not the picture it claims (the passwd file as ``logo.png``, an SVG with a DOCTYPE)
  and a FIFO are refused; the FIFO without being opened.
* A changed logo re-renders every document, and the new logo is in the DOCX and in the PDF; both
  receive the checked PNG, never the file as supplied.
* The fingerprints hash every file under ``templates/`` by content, and never follow a symlink out.

The project is the minimal fixture (one document) with a logo line added.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from salespm_docs import incremental
from salespm_docs.build import Workspace, load_facts, plan

from conftest import FIXTURES, ROOT, cli, make_workspace

SLUG = "acme"
EXAMPLE_LOGO = ROOT / "projects" / "huaxing-crm" / "logo.svg"
HEADER = "错误：项目数据有误（共 1 处）：\n"
XLINK = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def with_logo(tmp_path: Path, name: str, content: bytes | None = None) -> Path:
    """A workspace holding the minimal project with ``project.logo: <name>`` (line 9)."""
    root = make_workspace(tmp_path / "ws", (SLUG, FIXTURES / "minimal"))
    folder = root / "projects" / SLUG
    path = folder / "project.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  end: 2026-08-31\n" in text
    path.write_text(text.replace("  end: 2026-08-31\n", f"  end: 2026-08-31\n  logo: {name}\n"), encoding="utf-8")
    if content is not None:
        (folder / name).write_bytes(content)
    return root


def message(text: str) -> str:
    return f"  projects/{SLUG}/project.yaml:9: project.logo: {text}\n"


def bomb(levels: int = 8, fan: int = 10) -> bytes:
    """8 levels of 10 ``<use>`` each: 10⁸ rectangles from about 2 KB."""
    parts = [f'<svg {XLINK} width="240" height="64"><defs><rect id="a0" width="1" height="1"/>']
    for i in range(1, levels + 1):
        parts.append(f'<g id="a{i}">' + f'<use xlink:href="#a{i - 1}"/>' * fan + "</g>")
    parts.append(f'</defs><use xlink:href="#a{levels}"/></svg>')
    return "".join(parts).encode()


def solid_svg(colour: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64">'
            f'<rect width="240" height="64" fill="{colour}"/></svg>').encode()


# ------------------------------------------------------------------- real processes, with limits

MEMORY_LIMIT = 2 * 1024 ** 3
PRELUDE = ("import resource, sys, runpy; "
           f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT})); "
           "sys.argv = ['salespm'] + sys.argv[1:]; runpy.run_module('salespm_docs.cli', run_name='__main__')")


def run_limited(root: Path, *args: str, timeout: float = 90) -> tuple[int, str, str, float]:
    """``salespm --root ROOT ARGS`` in a new process group under a 2 GB address-space limit."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE, "--root", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"salespm {' '.join(args)} 超过 {timeout} 秒未结束（没有限制住工作量）")
    return proc.returncode, out, err, time.monotonic() - started


def startup_seconds(root: Path) -> float:
    """How long the same process takes to do nothing (``--version``): the machine is slow and shared."""
    return run_limited(root, "--version")[3]


def test_svg_use_bomb_fails_fast_with_exit_2(tmp_path):
    svg = bomb()
    assert len(svg) < 2500
    root = with_logo(tmp_path, "logo.svg", svg)
    base = startup_seconds(root)
    code, out, err, seconds = run_limited(root, "build", SLUG)
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "内部错误" not in err
    assert err.startswith(HEADER), err
    assert message("logo.svg 中 <use> 引用嵌套过深（超过 5 层），拒绝处理") in err, err
    assert seconds - base < 10, f"{seconds:.1f} 秒（启动 {base:.1f} 秒）"
    assert not (root / "output" / SLUG).exists()


def test_a_fifo_logo_is_refused_without_being_opened(tmp_path):
    root = with_logo(tmp_path, "logo.png")
    os.mkfifo(root / "projects" / SLUG / "logo.png")  # opening it for reading would block forever
    code, out, err, _seconds = run_limited(root, "build", SLUG, timeout=60)
    assert code == 2, (code, out, err)
    assert err == HEADER + message("「logo.png」不是普通文件（可能是管道、设备或文件夹），已拒绝"), err


# -------------------------------------------------------------------- not the picture it claims

@pytest.mark.parametrize("name, content, expected", [
    ("logo.png", Path("/etc/passwd").read_bytes() if Path("/etc/passwd").is_file() else b"root:x:0:0:root:/root:/bin/bash\n",
     "logo.png 不是图片文件（内容不是 PNG、JPEG 或 SVG 图片），拒绝处理"),
    ("logo.svg", b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>\n'
                 b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&a;</text></svg>',
     "logo.svg 含有 DOCTYPE 或实体声明，拒绝处理"),
    ("logo.svg", b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
                 b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
     "logo.svg 含有 DOCTYPE 或实体声明，拒绝处理"),
    ("logo.svg", b'<html><body>not an svg</body></html>',
     "logo.svg 不是图片文件（内容不是 PNG、JPEG 或 SVG 图片），拒绝处理"),
    ("logo.png", EXAMPLE_LOGO.read_bytes(), "logo.png 的内容是 SVG 图片，与扩展名「.png」不符，拒绝处理"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "logo.png 无法读取：图片数据已损坏（UnidentifiedImageError），拒绝处理"),
    ("logo.svg", f'<svg {XLINK} width="10" height="10"><g id="a"><use xlink:href="#a"/></g></svg>'.encode(),
     "logo.svg 中的引用构成循环（#a），拒绝处理"),
    ("logo.svg", bomb(levels=4, fan=10), "logo.svg 中的 <use> 等引用展开后元素过多（超过 20000 个），拒绝处理"),
    ("logo.svg", f'<svg {XLINK} width="10" height="10"><use xlink:href="file:///etc/passwd#x"/></svg>'.encode(),
     "logo.svg 中的 <use> 引用了文件外的内容「file:///etc/passwd#x」，拒绝处理"),
])
def test_a_logo_that_is_not_the_picture_it_claims_is_refused(tmp_path, name, content, expected):
    root = with_logo(tmp_path, name, content)
    started = time.monotonic()
    result = cli(root, "build", SLUG)
    assert result.exit_code == 2, result.output
    assert result.stderr == HEADER + message(expected), result.stderr
    assert time.monotonic() - started < 10
    assert not (root / "output" / SLUG).exists()


def test_a_huge_png_is_refused_before_it_is_decoded(tmp_path):
    """A PNG whose header announces 100 000 × 100 000 pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    root = with_logo(tmp_path, "logo.png", png)
    result = cli(root, "build", SLUG)
    assert result.exit_code == 2, result.output
    assert result.stderr == HEADER + message("logo.png 像素过多（100000 × 100000，上限 40 百万像素），拒绝处理")


def test_a_logo_linked_out_of_the_project_folder_is_refused(tmp_path):
    root = with_logo(tmp_path, "logo.svg")
    outside = tmp_path / "outside.svg"
    outside.write_bytes(EXAMPLE_LOGO.read_bytes())
    os.symlink(outside, root / "projects" / SLUG / "logo.svg")
    result = cli(root, "build", SLUG)
    assert result.exit_code == 2
    assert result.stderr == HEADER + message("「logo.svg」指向项目文件夹之外（符号链接），已拒绝")


# --------------------------------------------------------------------------- a changed logo

def _docx_logo(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 1, media
        return z.read(media[0])


def _pdf_logo_colour(path: Path) -> tuple[int, int, int]:
    """The most common colour of the one image on page 1 of the PDF."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    try:
        images = list(pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
        assert len(images) == 1, len(images)
        picture = images[0].get_bitmap().to_pil().convert("RGB")
    finally:
        pdf.close()
    return max(picture.getcolors(picture.width * picture.height))[1]


def _png_colour(blob: bytes) -> tuple[int, int, int]:
    from PIL import Image

    picture = Image.open(io.BytesIO(blob)).convert("RGB")
    return max(picture.getcolors(picture.width * picture.height))[1]


def test_a_changed_logo_rebuilds_every_document_with_the_new_logo(tmp_path):
    root = with_logo(tmp_path, "logo.svg", solid_svg("#1f4e79"))
    out = root / "output" / SLUG
    first = cli(root, "build", SLUG)
    assert first.exit_code == 0, first.output
    docx, pdf = out / "CHT_项目章程_V0.1.docx", out / "CHT_项目章程_V0.1.pdf"
    assert _png_colour(_docx_logo(docx)) == (0x1F, 0x4E, 0x79)
    assert _pdf_logo_colour(pdf) == (0x1F, 0x4E, 0x79)

    unchanged = cli(root, "build", SLUG)
    assert "重新生成 0 份文档，复用 1 份" in unchanged.stdout, unchanged.stdout

    (root / "projects" / SLUG / "logo.svg").write_bytes(solid_svg("#c00000"))  # same name, same size
    again = cli(root, "build", SLUG)
    assert again.exit_code == 0, again.output
    assert "重新生成 1 份文档，复用 0 份" in again.stdout, again.stdout
    new = _docx_logo(docx)
    assert new.startswith(b"\x89PNG") and _png_colour(new) == (0xC0, 0x00, 0x00)
    assert _pdf_logo_colour(pdf) == (0xC0, 0x00, 0x00)


def test_both_renderers_get_the_checked_png_not_the_svg(tmp_path):
    root = with_logo(tmp_path, "logo.svg", EXAMPLE_LOGO.read_bytes())
    facts = load_facts(Workspace(root), SLUG)
    assert facts.logo_uri.startswith("data:image/png;base64,")
    assert "svg" not in facts.logo_uri


# ------------------------------------------------------------------------- fingerprints

def _print(root: Path) -> str:
    facts = load_facts(Workspace(root), SLUG)
    instances, _missing = plan(facts)
    assert [i.artifact.code for i in instances] == ["CHT"]
    return incremental.Fingerprints(facts, root / "templates").of(instances[0])


def test_fingerprint_hashes_the_logo_by_content(tmp_path):
    root = with_logo(tmp_path, "logo.svg", solid_svg("#1f4e79"))
    before = _print(root)
    assert _print(root) == before
    (root / "projects" / SLUG / "logo.svg").write_bytes(solid_svg("#c00000"))
    assert _print(root) != before


def test_fingerprint_hashes_every_template_file_and_never_follows_a_link_out(tmp_path):
    root = with_logo(tmp_path, "logo.svg", solid_svg("#1f4e79"))
    templates = root / "templates"
    outside = tmp_path / "outside.woff"
    outside.write_bytes(b"font one")
    (templates / "fonts").mkdir()
    (templates / "fonts" / "brand.woff").write_bytes(b"font A")
    os.symlink(outside, templates / "html" / "linked.woff")
    os.mkfifo(templates / "html" / "pipe.css")  # never opened (it would block)
    before = _print(root)

    outside.write_bytes(b"font two")  # the target of a link out is never read
    assert _print(root) == before

    (templates / "fonts" / "brand.woff").write_bytes(b"font B")  # a file base.css may link to
    changed = _print(root)
    assert changed != before

    os.unlink(templates / "html" / "linked.woff")  # the link itself is hashed by its text
    os.symlink(tmp_path / "elsewhere.woff", templates / "html" / "linked.woff")
    assert _print(root) != changed

    css = templates / "html" / "base.css"
    text = _print(root)
    css.write_text(css.read_text(encoding="utf-8") + "\n/* x */\n", encoding="utf-8")
    assert _print(root) != text


def test_fingerprint_of_a_document_template_linked_out_hashes_the_link(tmp_path):
    root = with_logo(tmp_path, "logo.svg", solid_svg("#1f4e79"))
    own = root / "templates" / "docx" / "CHT.docx"
    outside = tmp_path / "CHT.docx"
    shutil.move(own, outside)
    os.symlink(outside, own)
    before = _print(root)
    with zipfile.ZipFile(outside, "a") as z:  # the target changes; it is not read
        z.writestr("extra.txt", "x")
    assert _print(root) == before


# ---------------------------------------------------------------- the SVG checks, unit by unit

def test_an_svg_inside_an_svg_logo_is_refused():
    import base64

    from salespm_docs.logo import LogoError, convert

    inner = base64.b64encode(bomb()).decode()
    svg = f'<svg {XLINK} width="10" height="10"><image xlink:href="data:image/svg+xml;base64,{inner}"/></svg>'
    with pytest.raises(LogoError) as caught:
        convert(svg.encode(), ".svg", "logo.svg")
    assert str(caught.value) == "logo.svg 中的 <image> 只能嵌入 PNG、JPEG 或 GIF 数据（base64），拒绝处理"


def test_drawing_stops_after_its_step_budget(monkeypatch):
    """What the static checks let through is still drawn with a bounded number of steps."""
    from salespm_docs import logo

    monkeypatch.setattr(logo, "MAX_DRAW_STEPS", 50)
    svg = f'<svg {XLINK} width="240" height="64">' + '<rect width="1" height="1"/>' * 100 + "</svg>"
    with pytest.raises(logo.LogoError) as caught:
        logo.convert(svg.encode(), ".svg", "logo.svg")
    assert str(caught.value) == "logo.svg 绘制超出限制（超过 50 步或 5 秒），拒绝处理"


def test_a_good_svg_logo_becomes_a_png_filling_the_box():
    from salespm_docs.logo import convert

    made = convert(EXAMPLE_LOGO.read_bytes(), ".svg", "logo.svg")
    assert made.png.startswith(b"\x89PNG") and (made.width, made.height) == (709, 189)


# ------------------------------------------------------------- converted logos kept between builds

LOAD_LOGO = """
import json, sys
from pathlib import Path
from salespm_docs.build import Workspace, load_facts
facts = load_facts(Workspace(Path(sys.argv[1])), sys.argv[2])
uri = facts.logo_uri
print(json.dumps({"uri": uri, "cairosvg": "cairosvg" in sys.modules}))
"""


def _logo_in_new_process(root: Path) -> dict:
    import json

    done = subprocess.run([sys.executable, "-c", LOAD_LOGO, str(root), SLUG], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_logo_drawn_once_is_read_back_by_the_next_build_without_drawing_it_again(tmp_path):
    root = with_logo(tmp_path, "logo.svg", solid_svg("#1f6feb"))
    assert _logo_in_new_process(root)["cairosvg"], "no output/ yet: the logo is drawn"
    (root / "output").mkdir()
    first = _logo_in_new_process(root)  # drawn, and kept in output/.salespm-logos/
    [kept] = (root / "output" / ".salespm-logos").iterdir()
    second = _logo_in_new_process(root)
    assert first["cairosvg"] and not second["cairosvg"], "the kept PNG was not used"
    assert second["uri"] == first["uri"]

    # a damaged or foreign file in the store is not used: the logo is drawn again, the same
    kept.write_bytes(b"GIF89a not a png")
    third = _logo_in_new_process(root)
    assert third["cairosvg"] and third["uri"] == first["uri"]
    # another logo is another entry; the store never holds a link out
    (root / "projects" / SLUG / "logo.svg").write_bytes(solid_svg("#c01b1b"))
    assert _logo_in_new_process(root)["uri"] != first["uri"]
    assert len(list((root / "output" / ".salespm-logos").iterdir())) == 2
