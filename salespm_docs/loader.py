"""Load: a project folder of YAML files → one merged mapping and a source map (key path → file:line).

The YAML dialect is deliberately small (close to YAML 1.2 core): ``true``/``false`` only, no
sexagesimal numbers, numbers with a decimal point become ``Decimal`` (never float), and plain
``YYYY-MM-DD`` becomes a date. Duplicate keys, which PyYAML silently resolves to the last value,
are errors here. Every problem is collected; the caller raises once.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .confine import file_kind
from .errors import DataError, Problem, ProjectNotFound, os_reason

#: Folders whose files each hold one item of a top-level list (one file per week, …).
COLLECTION_DIRS = ("weekly", "meetings", "changes")
#: Files in a project folder that are not project data.
NON_DATA_FILES = ("config.yaml",)
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
#: Deepest nesting of lists and mappings in one file (real project data needs fewer than 10).
MAX_DEPTH = 64
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

Path_ = tuple[str | int, ...]


class YamlInt(int):
    """An int read from YAML that remembers how it was typed (``0571`` stays ``0571`` as text)."""

    raw: str


class YamlDecimal(Decimal):
    """A decimal read from YAML that remembers how it was typed."""

    raw: str


class _Resolver(BaseResolver):
    pass


for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9][0-9_]*$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9][0-9_]*$", "-+.0123456789"),
    ("tag:yaml.org,2002:timestamp", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "0123456789"),
):
    _Resolver.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Limits:
    """The composer's limits, shared by both parsers: depth limited, explicit tags noted on the node
    and then ignored (the builder refuses them with the key path: ``!!bool yes`` or ``!!null``
    silently change a value)."""

    depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            return super().compose_node(parent, index)
        event = self.peek_event()
        if self.depth >= MAX_DEPTH:
            raise _TooDeep(event.start_mark.line + 1)
        tag = getattr(event, "tag", None)
        if tag is not None:
            event.tag = None  # resolve as if untagged; the builder reports the tag
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if tag is not None:
            node.explicit_tag = tag
        return node


class _Composer(_Limits, Reader, Scanner, Parser, Composer, _Resolver):
    """PyYAML's pure-Python composer with our limits: its error messages are the ones we show."""

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)


try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

if CParser is not None:
    class _FastComposer(_Limits, CParser, Composer, _Resolver):  # type: ignore[misc]
        """The same composer on libyaml's events (about five times faster). A document it refuses
        is parsed again by ``_Composer``, for the message; the text is first checked for the
        characters YAML forbids, as ``_Composer``'s reader does."""

        def __init__(self, stream: str):
            if Reader.NON_PRINTABLE.search(stream):
                raise yaml.YAMLError("non-printable character")  # _Composer says which, and where
            CParser.__init__(self, stream)
            Composer.__init__(self)
            _Resolver.__init__(self)

        def get_single_node(self):  # libyaml's own composer would skip the limits
            return Composer.get_single_node(self)
else:  # pragma: no cover - PyYAML built without libyaml
    _FastComposer = None


def compose(text: str) -> Node | None:
    """The node tree of ``text`` (libyaml's parser when present); errors as ``_Composer`` gives them."""
    if _FastComposer is not None:
        try:
            return _FastComposer(text).get_single_node()
        except (yaml.YAMLError, _TooDeep):
            pass
    return _Composer(text).get_single_node()


@dataclass
class SourceMap:
    """Where each key path of the merged data was written: ``('team', 2, 'role')`` → (file, line)."""

    places: dict[Path_, tuple[str, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def locate(self, path: Path_) -> tuple[str, int | None]:
        """The file and line of ``path``, or of its nearest written ancestor."""
        for end in range(len(path), 0, -1):
            place = self.places.get(tuple(path[:end]))
            if place:
                return place
        return (self.files[0] if self.files else "", None)


def format_path(path: Path_) -> str:
    """``('team', 2, 'role')`` → ``team[2].role``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Loaded:
    """The merged project data, where each piece came from, and the problems met on the way."""

    data: dict
    source: SourceMap
    problems: list[Problem]


_YAML_MESSAGES = (
    ("found character '\\t'", "含有制表符（Tab）；YAML 只能用空格缩进"),
    ("mapping values are not allowed", "此处不能出现「键: 值」，通常是缩进不对或值中含未加引号的冒号"),
    ("found unexpected end of stream", "引号未闭合，文件在字符串中途结束"),
    ("while scanning a quoted scalar", "引号未闭合"),
    ("expected <block end>", "缩进不一致：同一层级的键必须对齐"),
    ("could not find expected ':'", "缺少冒号「:」，或多行文本缩进不对"),
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("expected a single document", "一个文件只能包含一个 YAML 文档（不要使用 ---）"),
    ("found duplicate anchor", "锚点（&名称）重复定义：同一文件中每个锚点名只能出现一次"),
)


def _yaml_problem(exc: yaml.YAMLError, display: str, text: str = "") -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return Problem(display, line, "", f"含有不可见控制字符 U+{exc.character:04X}，请删除（文件中不允许出现）")
    text = str(getattr(exc, "problem", "") or exc)
    context = str(getattr(exc, "context", "") or "")
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    start = getattr(exc, "context_mark", None)
    if "quoted scalar" in context and start is not None:
        return Problem(display, start.line + 1, "", f"YAML 语法错误：引号未闭合（第 {start.line + 1} 行开始的字符串到文件末尾仍未结束）")
    for needle, chinese in _YAML_MESSAGES:
        if needle in text or needle in context:
            return Problem(display, line, "", f"YAML 语法错误：{chinese}")
    return Problem(display, line, "", f"YAML 语法错误：{text}")


class _Builder:
    """Turns a composed node tree into plain Python values, recording each key's line."""

    def __init__(self, display: str, source: SourceMap, problems: list[Problem]):
        self.display = display
        self.source = source
        self.problems = problems
        self.count = 0
        self.building: set[int] = set()

    def problem(self, node: Node, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.display, node.start_mark.line + 1, format_path(path), message))

    def build(self, node: Node, path: Path_) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge()
        tag = getattr(node, "explicit_tag", None)
        if tag is not None:
            shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
            self.problem(node, path, f"不支持 YAML 标签 {shown}（第 {node.start_mark.line + 1} 行）：请直接写值")
        if len(self.building) >= MAX_DEPTH:
            raise _TooDeep(node.start_mark.line + 1)
        if isinstance(node, (MappingNode, SequenceNode)):
            if id(node) in self.building:
                self.problem(node, path, "YAML 别名（*名称）引用了包含它自身的列表或映射，形成无限循环；请直接写出内容")
                return [] if isinstance(node, SequenceNode) else {}
            self.building.add(id(node))
            try:
                if isinstance(node, MappingNode):
                    return self._mapping(node, path)
                items = []
                for i, item in enumerate(node.value):
                    self.source.places[path + (i,)] = (self.display, item.start_mark.line + 1)
                    items.append(self.build(item, path + (i,)))
                return items
            finally:
                self.building.discard(id(node))
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: Path_) -> dict:
        result: dict = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, path, "键必须是简单文本，不能是列表或映射")
                continue
            key = key_node.value
            if _SURROGATE.search(key):
                self.problem(key_node, path, _surrogate_message(key))
                continue
            if key == "<<":
                self.problem(key_node, path, "不支持 YAML 合并键「<<」，请直接写出各字段")
                continue
            if key in seen:
                self.problem(
                    key_node, path + (key,),
                    f"重复的键「{key}」：第 {seen[key]} 行已定义过（YAML 会悄悄保留后一个值，这里按错误处理）",
                )
                continue
            seen[key] = line
            self.source.places[path + (key,)] = (self.display, line)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _scalar(self, node: ScalarNode, path: Path_) -> object:
        value, tag = node.value, node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            try:
                number = YamlInt(value.replace("_", ""))
            except ValueError:  # more digits than Python converts (4300): the model refuses the text
                return value
            number.raw = value
            return number
        if tag == "tag:yaml.org,2002:float":
            try:
                number = YamlDecimal(value.replace("_", ""))
            except InvalidOperation:
                return value
            number.raw = value
            return number
        if tag == "tag:yaml.org,2002:timestamp":
            year, month, day = (int(p) for p in value.split("-"))
            try:
                return dt.date(year, month, day)
            except ValueError:
                return value  # the model reports the impossible date with its location
        if _SURROGATE.search(value):
            self.problem(node, path, _surrogate_message(value))
            return _SURROGATE.sub("\ufffd", value)
        if node.style == ">":
            # A folded line break becomes a space; in Chinese that space is wrong after
            # punctuation or between two characters of one phrase.
            value = _FOLD_CJK.sub("", value)
        return value


_FOLD_CJK = re.compile(r"(?<=[，。；：、！？）」』\u4e00-\u9fff]) (?=[\u4e00-\u9fff（「『])|(?<=[，。；：、！？）」』]) ")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_message(value: str) -> str:
    bad = _SURROGATE.search(value)
    assert bad is not None
    return (f"含有无效的 Unicode 代理字符 U+{ord(bad.group()):04X}（第 {bad.start() + 1} 个字符），"
            "通常是 \\u 转义写错（如 \\ud800），无法保存到文档，请删除或改为正确的字符")


class _TooLarge(Exception):
    pass


def _not_regular(path: Path) -> str | None:
    """Why ``path`` must not be opened (a FIFO would block forever, a device never ends), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"无法读取文件：{os_reason(exc)}"
    if stat.S_ISREG(mode):
        return None
    return f"不是普通文件（{file_kind(mode)}），已拒绝读取"


def read_text(path: Path, display: str, problems: list[Problem]) -> str | None:
    """Read a UTF-8 file; BOM, other encodings, empty and oversized files, FIFOs and devices are problems."""
    refused = _not_regular(path)
    if refused:
        problems.append(Problem(display, None, "", refused))
        return None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                raw += handle.read()
    except OSError as exc:
        problems.append(Problem(display, None, "", f"无法读取文件：{os_reason(exc)}"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(
            display, None, "",
            f"文件过大：{len(raw) / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB",
        ))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(display, 1, "", "文件以 UTF-8 BOM 开头；请在编辑器中另存为「UTF-8（无 BOM）」"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(
            display, line, "",
            f"文件不是 UTF-8 编码（第 {exc.start} 字节为 0x{raw[exc.start]:02X}）；"
            "若是 GBK 编码，可用 iconv -f GBK -t UTF-8 转换后再保存",
        ))
        return None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        problems.append(Problem(display, None, "", "文件为空：至少应包含一个「键: 值」映射"))
        return None
    return text


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while a file is composed and built. A large file
    (a WBS of thousands of tasks) makes hundreds of thousands of nodes and values that all stay
    alive until the end, and the collector would walk them over and over: more than half the load
    time of a 20,000-task WBS. The node tree is freed by reference counting as before, and whatever
    the parser leaves for the collector is collected at its next run. Same values, same problems."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_yaml(path: Path, display: str, source: SourceMap, problems: list[Problem],
              prefix: Path_ = ()) -> dict | None:
    """Load one YAML file whose top level must be a mapping; record its keys under ``prefix``."""
    text = read_text(path, display, problems)
    if text is None:
        return None
    source.files.append(display)
    try:
        with _collector_paused():
            node = compose(text)
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(exc, display, text))
        return None
    except _TooDeep as exc:
        problems.append(Problem(display, exc.line, "", f"列表或映射嵌套过深（超过 {MAX_DEPTH} 层），请检查括号或缩进"))
        return None
    if node is None:
        problems.append(Problem(display, None, "", "文件为空：至少应包含一个「键: 值」映射"))
        return None
    if not isinstance(node, MappingNode):
        problems.append(Problem(display, node.start_mark.line + 1, "", "文件顶层必须是「键: 值」映射"))
        return None
    if prefix:
        source.places[prefix] = (display, 1)
    try:
        with _collector_paused():
            return _Builder(display, source, problems).build(node, prefix)  # type: ignore[return-value]
    except _TooLarge:
        problems.append(Problem(display, None, "", f"文件结构过大（超过 {MAX_NODES} 个节点，可能是别名炸弹）"))
        return None
    except _TooDeep as exc:
        problems.append(Problem(display, exc.line, "", f"列表或映射嵌套过深（超过 {MAX_DEPTH} 层），请检查别名或缩进"))
        return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def project_dir(projects_root: Path, slug: str) -> Path:
    """The folder of ``slug`` under ``projects/``; refuses names that could escape it."""
    if not SLUG_RE.fullmatch(slug):
        raise ProjectNotFound(
            f"项目名「{slug}」不合法：只能使用小写字母、数字、- 和 _（例如 huaxing-crm），不能包含 / 或 .."
        )
    folder = projects_root / slug
    if not folder.is_dir():
        known = sorted(p.name for p in projects_root.iterdir() if p.is_dir()) if projects_root.is_dir() else []
        hint = f"；现有项目：{'、'.join(known)}" if known else ""
        raise ProjectNotFound(f"找不到项目「{slug}」：{folder} 不存在{hint}")
    if not _inside(folder, projects_root):
        raise ProjectNotFound(f"项目「{slug}」是指向 projects/ 之外的符号链接，已拒绝")
    return folder


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_project(folder: Path, display_root: Path) -> Loaded:
    """Merge every data file of a project folder into one mapping.

    Top-level files contribute their keys (a key defined in two files is an error). Each file of
    a collection folder (``weekly/2026-W18.yaml``) is one item of the list of the same name.
    """
    source = SourceMap()
    problems: list[Problem] = []
    data: dict = {}
    origin: dict[str, str] = {}

    def display(p: Path) -> str:
        try:
            return p.relative_to(display_root).as_posix()
        except ValueError:
            return p.as_posix()

    def safe(p: Path) -> bool:
        if p.is_symlink() or not _inside(p, folder):
            problems.append(Problem(display(p), None, "", "符号链接或路径指向项目文件夹之外，已拒绝读取"))
            return False
        return True

    def regular(p: Path) -> bool:
        refused = _not_regular(p)
        if refused:
            problems.append(Problem(display(p), None, "", refused))
            return False
        return True

    if not (folder / "project.yaml").exists():
        problems.append(Problem(display(folder / "project.yaml"), None, "", "缺少项目主文件 project.yaml"))

    # project.yaml first: a key repeated elsewhere is reported at the other file
    for path in sorted(_yaml_files(folder), key=lambda p: p.name != "project.yaml"):
        if path.name in NON_DATA_FILES or not safe(path) or not regular(path):
            continue
        loaded = load_yaml(path, display(path), source, problems)
        for key, value in (loaded or {}).items():
            if key in origin:
                problems.append(Problem(
                    display(path), source.places[(key,)][1], key,
                    f"顶层键「{key}」已在 {origin[key]} 中定义；每个键只能写在一个文件里",
                ))
                continue
            origin[key] = display(path)
            data[key] = value

    for name in COLLECTION_DIRS:
        sub = folder / name
        if not sub.exists():
            continue
        if not sub.is_dir() or not safe(sub):
            continue
        if name in data:
            problems.append(Problem(
                origin[name], source.places[(name,)][1], name,
                f"「{name}」既写在 {origin[name]} 中，又有 {name}/ 文件夹；只能选一种",
            ))
            continue
        items = []
        for path in _yaml_files(sub):
            if not safe(path) or not regular(path):
                continue
            item = load_yaml(path, display(path), source, problems, prefix=(name, len(items)))
            if item is not None:
                if name == "meetings":
                    _meeting_file(item, path, display(path), source, (name, len(items)), problems)
                items.append(item)
        data[name] = items
    return Loaded(data=data, source=source, problems=problems)


MEETING_FILE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-[A-Za-z0-9_-]+)?$")


def _meeting_file(item, path: Path, shown: str, source: SourceMap, at: Path_, problems: list[Problem]) -> None:
    """A minutes file is named ``meetings/<date>-<slug>.yaml``: its ``date`` must be the date of its
    name, and its ``id`` (the key of its 会议纪要) is the file name without ``.yaml`` unless written."""
    if not isinstance(item, dict):
        return
    named = MEETING_FILE_RE.fullmatch(path.stem)
    if named is None:
        problems.append(Problem(shown, None, "", f"会议纪要文件名应为「日期-简称.yaml」，如 2026-03-05-kickoff.yaml"
                                                 f"（日期在前，ISO 格式），而不是「{path.name}」"))
        item.setdefault("id", path.stem)  # one error, not a second 「缺少 id」 about the same name
        return
    written = item.get("date")
    if written is not None and str(written) != named.group(1):
        line = source.places.get((*at, "date"), (shown, None))[1]
        problems.append(Problem(shown, line, format_path((*at, "date")), f"会议日期 {written} 与文件名中的日期 {named.group(1)} 不一致："
                                                     f"请改正 date，或把文件改名为 {written}{path.stem[10:]}.yaml"))
    item.setdefault("id", path.stem)


def raise_problems(problems: list[Problem]) -> None:
    """Fail once with every problem, if there is any."""
    if problems:
        raise DataError(problems)
