"""The company logo (``project.logo``): read once, checked with bounded work, turned into a safe PNG.

A logo is the one picture a project supplies, and the only file of a project folder that reaches the
renderers. It is hostile input like the data: a 1 KB SVG of nested ``<use>`` ("billion laughs")
expands to 10⁸ shapes; a DOCTYPE may declare entities; ``logo.png`` may be the passwd file; a PNG
header may announce 10⁵ × 10⁵ pixels. So the logo is

* read confined to the project folder (``confine.regular_file_inside``: no symlink out, no FIFO,
  device or folder — those are refused without being opened), at most ``MAX_LOGO_BYTES``;
* checked by content: the magic bytes of a PNG / JPEG, or an SVG root element; the suffix must
  agree with the content;
* an SVG is parsed with defusedxml (no DOCTYPE, no entities), its elements, nesting, ``<use>``
  references (count, chain depth) and the size it expands to are bounded *before* cairosvg sees it,
  and the rasterisation itself stops after ``MAX_DRAW_STEPS`` drawing steps or ``TIME_LIMIT`` seconds;
* a raster is opened with Pillow, its pixel count bounded before it is decoded, verified, and
  re-encoded;

and both renderers get the result, a PNG of at most the logo box at ``LOGO_DPI`` (``SafeLogo.uri``):
WeasyPrint and docxtpl never see the file itself. The work is done once per build (results are
remembered by content hash), and ``Fingerprints`` hash ``SafeLogo.digest``, so a changed logo
re-renders every document.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import time
import types
from dataclasses import dataclass
from pathlib import Path

from .confine import NotRegularFile, inside, read_regular, regular_file_inside
from .errors import DataError, Problem, os_reason

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 1024 * 1024
LOGO_HEIGHT_MM = 16
LOGO_MAX_WIDTH_MM = 60
LOGO_DPI = 300

MAX_SVG_ELEMENTS = 10_000
MAX_SVG_NESTING = 50
MAX_USE = 1_000
MAX_USE_DEPTH = 5
MAX_REF_DEPTH = 8
MAX_EXPANDED = 20_000
MAX_DRAW_STEPS = 50_000
TIME_LIMIT = 5.0
MAX_PIXELS = 40_000_000  # a raster logo (or an image inside an SVG logo), before it is decoded

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_URL_REF = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)['\"]?\s*\)")
_MARKERS = ("marker-start", "marker-mid", "marker-end", "marker")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
#: elements whose href names another element that is drawn, or whose content is inherited
_REFERRING = {"use", "pattern", "linearGradient", "radialGradient", "filter", "tref", "textPath",
              "feImage", "mpath"}


class LogoError(Exception):
    """A logo that is refused; the message (Chinese) names the file."""


@dataclass(frozen=True)
class SafeLogo:
    """A checked logo, as the PNG both renderers receive."""

    png: bytes
    width: int
    height: int
    digest: str
    """SHA-256 of the source file's bytes (what the fingerprints hash)."""

    @property
    def uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


_cache: dict[tuple[str, str], SafeLogo] = {}

#: Where converted logos are kept between processes (``output/.salespm-logos/``, set by the build):
#: drawing an SVG needs cairosvg, whose import alone (cairocffi parsing its C declarations) is most
#: of a no-op build. ``None``: kept in memory only.
_store: Path | None = None


def keep_converted_in(folder: Path | None) -> None:
    """Keep converted logos in ``folder`` (under ``output/``), or only in memory (``None``)."""
    global _store
    _store = folder


def _recipe() -> str:
    """What a conversion depends on besides the file: this module and the libraries that draw."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("cairosvg", "pillow"):
        try:
            h.update(f"{package} {version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package} -".encode())
    return h.hexdigest()[:16]


def _stored_name(key: tuple[str, str]) -> str:
    return f"{key[0]}{key[1]}-{_recipe()}.png"


def _load_stored(key: tuple[str, str]) -> SafeLogo | None:
    """A logo converted by an earlier process, if kept, intact and a PNG (else ``None``)."""
    if _store is None:
        return None
    path = regular_file_inside(_store, _store / _stored_name(key))
    if path is None:
        return None
    try:
        png, _ = read_regular(path, MAX_LOGO_BYTES * 64)
    except (NotRegularFile, OSError):
        return None
    if not png.startswith(b"\x89PNG\r\n\x1a\n") or png[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return SafeLogo(png, width, height, key[0])


def _keep(key: tuple[str, str], made: SafeLogo) -> None:
    """Write ``made`` to the store, atomically; a store that cannot be written is simply not used."""
    if _store is None:
        return
    try:
        if _store.is_symlink() or (_store.exists() and not _store.is_dir()):
            return
        _store.mkdir(exist_ok=True)
        final = _store / _stored_name(key)
        partial = _store / f".{final.name}.{os.getpid()}.tmp"
        partial.write_bytes(made.png)
        os.replace(partial, final)
    except OSError:
        return


# ------------------------------------------------------------------------------------ public API

def load_logo(folder: Path, name: str, source=None) -> SafeLogo:
    """The logo ``name`` of the project ``folder``, checked; ``DataError`` on ``project.logo``."""
    try:
        return prepare(folder, name)
    except LogoError as exc:
        file, line = source.locate(("project", "logo")) if source is not None else ("project.yaml", None)
        raise DataError([Problem(file, line, "project.logo", str(exc))]) from None


def prepare(folder: Path, name: str) -> SafeLogo:
    """Read, check and convert a logo once per content (raises ``LogoError``)."""
    data = read_logo(folder, name)
    suffix = Path(name).suffix.lower()
    digest = hashlib.sha256(data).hexdigest()
    key = (digest, suffix)
    made = _cache.get(key)
    if made is None:
        made = _load_stored(key)
        if made is None:
            made = convert(data, suffix, Path(name).name, digest)
            _keep(key, made)
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = made
    return made


def read_logo(folder: Path, name: str) -> bytes:
    """The logo's bytes: a regular file inside ``folder`` (links resolved), at most the size limit.

    A FIFO, device or folder is refused from its ``stat`` alone, never opened."""
    path = Path(folder) / name
    target = inside(folder, path)
    if target is None:
        raise LogoError(f"「{name}」指向项目文件夹之外（符号链接），已拒绝")
    if not target.exists():
        raise LogoError(f"找不到文件「{name}」（应放在 {Path(folder).name}/ 下）")
    real = regular_file_inside(folder, path)
    if real is None:
        raise LogoError(f"「{name}」不是普通文件（可能是管道、设备或文件夹），已拒绝")
    if Path(name).suffix.lower() not in LOGO_TYPES:
        raise LogoError(f"不支持的图片格式「{Path(name).suffix}」，应为 {'、'.join(LOGO_TYPES)}")
    try:
        data, _ = read_regular(real, MAX_LOGO_BYTES + 1)
    except NotRegularFile:  # swapped after the check
        raise LogoError(f"「{name}」不是普通文件（可能是管道、设备或文件夹），已拒绝") from None
    except OSError as exc:
        raise LogoError(f"无法读取「{name}」：{os_reason(exc)}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError("图片过大（上限 1 MB）")
    return data


def sniff(data: bytes) -> str | None:
    """``png``, ``jpeg``, ``gif``, ``webp`` or ``svg`` from the content, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:65536].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and re.search(rb"<(?:[\w.-]+:)?svg[\s>/]", head):
        return "svg"
    return None


_KINDS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "svg": "SVG"}
_EXPECTED = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg"}


def convert(data: bytes, suffix: str, name: str, digest: str = "") -> SafeLogo:
    """Check ``data`` against its ``suffix`` and make the PNG (raises ``LogoError``)."""
    digest = digest or hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    expected = _EXPECTED.get(suffix)
    if kind is None:
        raise LogoError(f"{name} 不是图片文件（内容不是 PNG、JPEG 或 SVG 图片），拒绝处理")
    if expected is not None and kind != expected:
        raise LogoError(f"{name} 的内容是 {_KINDS[kind]} 图片，与扩展名「{suffix}」不符，拒绝处理")
    if kind == "svg":
        png, width, height, _ratio = rasterise_svg(data, name)
    else:
        png, width, height = raster_to_png(data, name)
    return SafeLogo(png, width, height, digest)


# ---------------------------------------------------------------------------------------- sizes

def box(ratio: float) -> tuple[float, float]:
    """(width, height) in mm of a picture with aspect ``ratio`` (width / height) in the logo box."""
    width, height = LOGO_HEIGHT_MM * ratio, LOGO_HEIGHT_MM
    if width > LOGO_MAX_WIDTH_MM:
        width, height = LOGO_MAX_WIDTH_MM, LOGO_MAX_WIDTH_MM / ratio
    return width, height


def box_pixels(ratio: float) -> tuple[int, int]:
    width, height = box(ratio)
    return max(1, round(width / 25.4 * LOGO_DPI)), max(1, round(height / 25.4 * LOGO_DPI))


# --------------------------------------------------------------------------------------- raster

def raster_to_png(data: bytes, name: str) -> tuple[bytes, int, int]:
    """A PNG / JPEG → a verified, re-encoded PNG no larger than the logo box at ``LOGO_DPI``."""
    from PIL import Image, UnidentifiedImageError

    def check_size(width: int, height: int) -> None:
        if width <= 0 or height <= 0:
            raise LogoError(f"{name} 的宽或高为 0，拒绝处理")
        if width * height > MAX_PIXELS:
            raise LogoError(f"{name} 像素过多（{width} × {height}，上限 {MAX_PIXELS // 1_000_000} 百万像素），拒绝处理")

    try:
        from docx.image.image import Image as Header  # the header alone, no limit of its own

        header = Header.from_blob(data)
        check_size(header.px_width, header.px_height)
    except LogoError:
        raise
    except Exception:  # a header python-docx does not read: Pillow decides below
        pass
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            width, height = probe.size
            check_size(width, height)
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            target = box_pixels(width / height)
            if image.format == "JPEG":
                image.draft("RGB", target)
            image.load()
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            if image.width > target[0] or image.height > target[1]:
                image = image.resize(target, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "PNG")
            return out.getvalue(), image.width, image.height
    except LogoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise LogoError(f"{name} 无法读取：图片数据已损坏（{type(exc).__name__}），拒绝处理") from None


# ------------------------------------------------------------------------------------------ SVG

def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def check_svg(data: bytes, name: str) -> None:
    """Refuse an SVG whose parsing or drawing would be unbounded (raises ``LogoError``)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        raise LogoError(f"{name} 含有 DOCTYPE 或实体声明，拒绝处理")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise LogoError(f"{name} 含有 DOCTYPE 或实体声明，拒绝处理") from None
    except ParseError as exc:
        raise LogoError(f"{name} 不是有效的 SVG（XML 解析失败：{exc}），拒绝处理") from None
    if _local(root.tag) != "svg" or root.tag not in ("svg", f"{{{SVG_NS}}}svg"):
        raise LogoError(f"{name} 不是 SVG 图片（根元素是 <{_local(root.tag) or root.tag}>），拒绝处理")

    # one pass, no recursion: count, nesting, ids
    ids: dict[str, object] = {}
    children: dict[int, list] = {}
    count = uses = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise LogoError(f"{name} 中元素过多（超过 {MAX_SVG_ELEMENTS} 个），拒绝处理")
        if depth > MAX_SVG_NESTING:
            raise LogoError(f"{name} 中元素嵌套过深（超过 {MAX_SVG_NESTING} 层），拒绝处理")
        tag = _local(element.tag)
        if tag == "use":
            uses += 1
            if uses > MAX_USE:
                raise LogoError(f"{name} 中 <use> 过多（超过 {MAX_USE} 个），拒绝处理")
        ident = element.get("id")
        if ident is not None:
            ids.setdefault(ident, element)
        kids = [c for c in element if isinstance(c.tag, str)]
        children[id(element)] = kids
        stack.extend((c, depth + 1) for c in kids)
        _check_href(element, tag, name)

    def refs(element) -> list[tuple[object, bool, int]]:
        """(target, is a <use> hop, multiplicity) of what drawing ``element`` also draws."""
        found = []
        tag = _local(element.tag)
        href = element.get(XLINK_HREF) or element.get("href")
        if href and href.startswith("#") and tag in _REFERRING:
            target = ids.get(href[1:])
            if target is not None:
                found.append((target, tag == "use", 1))
        for attr, value in element.attrib.items():
            if "url(" not in value:
                continue
            for match in _URL_REF.finditer(value):
                target = ids.get(match[1])
                if target is None:
                    continue
                times = 1
                if _local(attr) in _MARKERS or any(f"{m}:" in value for m in _MARKERS):
                    points = element.get("d") or element.get("points") or ""
                    times = max(2, len(_NUMBER.findall(points)) // 2)
                found.append((target, False, times))
        return found

    chains: dict[int, tuple[int, int]] = {}
    visiting: set[int] = set()

    def chain(element, use_hops: int, ref_hops: int) -> tuple[int, int]:
        """(deepest <use> chain, deepest reference chain) below ``element``; refuses cycles."""
        if use_hops > MAX_USE_DEPTH:  # before going deeper: a chain of 1000 <use> is no recursion bomb
            raise LogoError(f"{name} 中 <use> 引用嵌套过深（超过 {MAX_USE_DEPTH} 层），拒绝处理")
        if ref_hops > MAX_REF_DEPTH:
            raise LogoError(f"{name} 中的引用（href / url(#…)）嵌套过深（超过 {MAX_REF_DEPTH} 层），拒绝处理")
        key = id(element)
        if key in chains:
            use_below, ref_below = chains[key]
        else:
            if key in visiting:
                raise LogoError(f"{name} 中的引用构成循环（#{element.get('id', '?')}），拒绝处理")
            visiting.add(key)
            use_below = ref_below = 0
            for child in children.get(key, ()):
                u, r = chain(child, use_hops, ref_hops)
                use_below, ref_below = max(use_below, u), max(ref_below, r)
            for target, is_use, _times in refs(element):
                u, r = chain(target, use_hops + is_use, ref_hops + 1)
                use_below, ref_below = max(use_below, u + is_use), max(ref_below, r + 1)
            visiting.discard(key)
            chains[key] = (use_below, ref_below)
        if use_hops + use_below > MAX_USE_DEPTH:
            raise LogoError(f"{name} 中 <use> 引用嵌套过深（超过 {MAX_USE_DEPTH} 层），拒绝处理")
        if ref_hops + ref_below > MAX_REF_DEPTH:
            raise LogoError(f"{name} 中的引用（href / url(#…)）嵌套过深（超过 {MAX_REF_DEPTH} 层），拒绝处理")
        return use_below, ref_below

    sizes: dict[int, int] = {}

    def size(element) -> int:
        """How many elements drawing ``element`` draws, references expanded (no cycles by now)."""
        key = id(element)
        if key not in sizes:
            total = 1
            for child in children.get(key, ()):
                total += size(child)
                if total > MAX_EXPANDED:
                    break
            for target, _is_use, times in refs(element):
                if total > MAX_EXPANDED:
                    break
                total += size(target) * times
            sizes[key] = total
        if sizes[key] > MAX_EXPANDED:
            raise LogoError(f"{name} 中的 <use> 等引用展开后元素过多（超过 {MAX_EXPANDED} 个），拒绝处理")
        return sizes[key]

    # recursion is bounded: a path is at most MAX_REF_DEPTH references of MAX_SVG_NESTING elements
    chain(root, 0, 0)
    size(root)


def _check_href(element, tag: str, name: str) -> None:
    href = element.get(XLINK_HREF) or element.get("href")
    if not href or href.startswith("#"):
        return
    if tag == "image":
        if not href.strip().lower().startswith("data:"):
            return  # a file or URL: cairosvg's safe mode never fetches it (the picture is left out)
        match = re.fullmatch(r"\s*data:(image/(?:png|jpeg|jpg|gif));base64,(.*)", href, re.S | re.I)
        if match is None:  # an SVG inside the SVG would escape the checks above
            raise LogoError(f"{name} 中的 <image> 只能嵌入 PNG、JPEG 或 GIF 数据（base64），拒绝处理")
        from PIL import Image
        try:
            blob = base64.b64decode(re.sub(r"\s+", "", match[2]), validate=True)
            with Image.open(io.BytesIO(blob)) as probe:
                w, h = probe.size
        except Exception:  # binascii.Error, UnidentifiedImageError …
            raise LogoError(f"{name} 中嵌入的图片已损坏，拒绝处理") from None
        if w * h > MAX_PIXELS:
            raise LogoError(f"{name} 中嵌入的图片像素过多（{w} × {h}），拒绝处理")
    elif tag in _REFERRING:
        raise LogoError(f"{name} 中的 <{tag}> 引用了文件外的内容「{href[:80]}」，拒绝处理")


def rasterise_svg(svg: bytes, name: str = "SVG") -> tuple[bytes, int, int, float]:
    """A checked SVG → (PNG, width px, height px, aspect ratio) filling the logo box at ``LOGO_DPI``.

    cairosvg in safe mode (no entities, no files, no network), after ``check_svg``; drawing stops
    after ``MAX_DRAW_STEPS`` nodes or ``TIME_LIMIT`` seconds."""
    check_svg(svg, name)
    from .native import quick_library_lookup

    try:
        with quick_library_lookup():  # cairocffi opens libcairo as it is imported
            from cairosvg.helpers import node_format
            from cairosvg.parser import Tree
            from cairosvg.surface import PNGSurface
    except ImportError as exc:  # the Python package, or the cairo library under it (libcairo2)
        from .errors import TemplateError
        raise TemplateError(f"无法把 SVG 徽标转换为图片：缺少 cairosvg / libcairo2（{exc}）") from None

    budget = {"steps": 0, "deadline": time.monotonic() + TIME_LIMIT}

    class Bounded(PNGSurface):
        def draw(self, node):
            budget["steps"] += 1
            if budget["steps"] > MAX_DRAW_STEPS or time.monotonic() > budget["deadline"]:
                raise LogoError(f"{name} 绘制超出限制（超过 {MAX_DRAW_STEPS} 步或 {TIME_LIMIT:g} 秒），拒绝处理")
            return super().draw(node)

    try:
        tree = Tree(bytestring=svg, unsafe=False)
        probe = types.SimpleNamespace(dpi=96, font_size=16, context_width=0, context_height=0)
        w, h, _viewbox = node_format(probe, tree, reference=False)
        if not (w > 0 and h > 0):
            raise LogoError(f"{name} 无法转换：SVG 没有给出宽高或 viewBox")
        px_w, px_h = box_pixels(w / h)
        out = io.BytesIO()
        Bounded(tree, out, 96, output_width=px_w, output_height=px_h).finish()
    except LogoError:
        raise
    except RecursionError:
        raise LogoError(f"{name} 中元素嵌套过深，拒绝处理") from None
    except Exception as exc:  # cairosvg raises whatever its parser or renderer met
        raise LogoError(f"{name} 无法转换：{exc}") from None
    return out.getvalue(), px_w, px_h, w / h
