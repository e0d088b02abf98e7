"""Validate: merged mapping + source map → ``Project``, or every problem in Chinese with file:line.

pydantic reports errors by key path; this module turns each into a ``Problem`` that says where
(``projects/acme/project.yaml:14: team[2].role``), what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .errors import DataError, Problem
from .loader import Loaded, SourceMap, format_path
from .logo import LOGO_TYPES, MAX_LOGO_BYTES, load_logo  # noqa: F401  (LOGO_TYPES, MAX_LOGO_BYTES: re-exported)
from .model import Project
from .model.docs import description, held_models
from .suggest import did_you_mean

_TYPE_NAMES = {str: "文本", int: "整数", Decimal: "数字", float: "浮点数", bool: "布尔值",
               list: "列表", dict: "映射", type(None): "空值", dt.date: "日期"}

_PATTERN_HINTS = {
    r"^V[0-9]+\.[0-9]+$": "版本号应形如 V0.1、V1.0",
    r"^[0-9]{4}-W[0-9]{2}$": "应为 ISO 周，如 2026-W18",
}


def _kind(value: object) -> str:
    for typ, name in _TYPE_NAMES.items():
        if isinstance(value, typ) and not (typ is int and isinstance(value, bool)):
            return name
    return type(value).__name__


def _show(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(getattr(value, "raw", value))
    if isinstance(value, (list, dict)):
        return _kind(value)
    return f"「{text[:40]}…」（共 {len(text)} 个字符）" if len(text) > 40 else f"「{text}」"


def model_at(loc: tuple, root: type[BaseModel] = Project) -> type[BaseModel] | None:
    """The model class that holds the last key of ``loc`` (for unknown-key suggestions)."""
    current: list[type[BaseModel]] = [root]
    for part in loc[:-1]:
        if isinstance(part, int) or not current:
            continue
        field = current[0].model_fields.get(str(part))
        if field is None:
            return None
        current = held_models(field.annotation)
    return current[0] if current else None


def _literal_choices(ctx: dict) -> str:
    expected = str(ctx.get("expected", ""))
    choices = re.findall(r"'([^']*)'", expected)
    return "、".join(choices) if choices else expected


def _message(err: dict, loc: tuple, root: type[BaseModel] = Project) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    found = f"，实际为{_show(value)}" if not isinstance(value, dict) or kind != "missing" else ""
    if kind == "missing":
        model = model_at(loc, root)
        text = description(model, str(loc[-1]))
        about = f"（{text.rstrip('。')}）" if text else ""
        return f"缺少必填字段{about}"
    if kind == "extra_forbidden":
        model = model_at(loc, root)
        names = list(model.model_fields) if model else []
        hint = did_you_mean(str(loc[-1]), names)
        if not hint and names:
            hint = f"；可用字段：{', '.join(names)}"
        return f"未知字段「{loc[-1]}」{hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "literal_error":
        return f"应为以下之一：{_literal_choices(ctx)}{found}"
    if kind in ("string_type",):
        shown = "" if isinstance(value, (list, dict)) else f" {_show(value)}"
        return f"应为文本，实际为{_kind(value)}{shown}"
    if kind == "string_too_short":
        return "不能为空"
    if kind in ("string_too_long", "too_long"):
        unit = "个字符" if isinstance(value, str) else "项"
        actual = len(value) if isinstance(value, (str, list, dict)) else ctx.get("actual_length")
        return f"{'文本' if isinstance(value, str) else '列表'}过长：{actual} {unit}，上限 {ctx.get('max_length')} {unit}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        hint = _PATTERN_HINTS.get(pattern, "编号只能包含字母、数字和 . _ -，且不超过 32 个字符")
        return f"格式不正确：{hint}{found}"
    if kind.startswith("int_"):
        return f"应为整数{found}"
    if kind == "finite_number":
        return f"应为有限的数字（不能是 NaN 或无穷大）{found}"
    if kind.startswith("decimal_") or kind.startswith("float_"):
        return f"应为数字{found}"
    if kind.startswith("bool_"):
        return f"应为 true 或 false{found}"
    if kind.startswith("date"):
        if isinstance(value, str) and re.match(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", value):
            return f"日期不存在{found}（请检查月份与天数）"
        return f"应为日期，格式 YYYY-MM-DD{found}"
    if kind == "list_type":
        return f"应为列表（每项以「- 」开头），实际为{_kind(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        shown = "" if isinstance(value, (list, dict)) else f" {_show(value)}"
        return f"应为「键: 值」映射，实际为{_kind(value)}{shown}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        limit = {k: v for k, v in ctx.items()}
        return f"超出范围（{limit}）{found}"
    return f"{err['msg']}{found}"


def _duplicate_loc(loc: tuple, err: dict) -> tuple:
    """An ID used twice in a list (``model.types.unique``: 「变更编号 CR-01 重复：…」) is located at
    the second item's ``id``, not at the whole list: in a collection folder (``changes/``) the list
    has no line of its own, the duplicate's file does."""
    items = err.get("input")
    match = re.search(r" (\S+) 重复：", str(err.get("msg", "")))
    if match is None or not isinstance(items, list):
        return loc
    same = [j for j, item in enumerate(items) if isinstance(item, dict) and str(item.get("id")) == match.group(1)]
    return (*loc, same[1], "id") if len(same) > 1 else loc


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's internal segments (union tags, ``[key]``) from an error location."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part.startswith("function-") or part in ("[key]",) or
                                      part.startswith("literal[") or part.startswith("nullable[")):
            continue
        out.append(part)
    return tuple(out)


def problems_from(exc: ValidationError, source: SourceMap, root: type[BaseModel] = Project) -> list[Problem]:
    """Every pydantic error as a located Chinese ``Problem``."""
    problems = []
    seen = set()
    for err in exc.errors(include_url=False):
        loc = _duplicate_loc(_clean_loc(tuple(err["loc"])), err)
        file, line = source.locate(loc)
        problem = Problem(file, line, format_path(loc), _message(err, loc, root))
        if problem not in seen:
            seen.add(problem)
            problems.append(problem)
    return sorted(problems, key=lambda p: (p.file, p.line or 0))


def validate(loaded: Loaded) -> Project:
    """Build the ``Project``; raise ``DataError`` with every problem if there is any."""
    problems = list(loaded.problems)
    try:
        project = Project.model_validate(loaded.data)
    except ValidationError as exc:
        found = problems_from(exc, loaded.source)
        if loaded.problems:
            # a file that did not parse leaves its keys out: do not also call them missing
            found = [p for p in found if not (p.message.startswith("缺少必填字段") and "." not in p.key and "[" not in p.key)]
        problems += found
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return project


#: Years a sales project's dates plausibly fall in; outside, a date is more likely a typo (9999, 1026).
PLAUSIBLE_YEARS = (2000, 2100)


def _dates(value: object, path: tuple) -> list[tuple[tuple, dt.date]]:
    if isinstance(value, dt.date):
        return [(path, value)]
    if isinstance(value, BaseModel):
        return [d for name in type(value).model_fields for d in _dates(getattr(value, name), path + (name,))]
    if isinstance(value, (list, tuple)):
        return [d for i, item in enumerate(value) for d in _dates(item, path + (i,))]
    if isinstance(value, dict):
        return [d for k, item in value.items() for d in _dates(item, path + (k,))]
    return []


def date_window_notices(project: Project, source: SourceMap) -> list[str]:
    """A notice (not an error) for each date whose year lies outside ``PLAUSIBLE_YEARS``."""
    low, high = PLAUSIBLE_YEARS
    notices = []
    for path, day in _dates(project, ()):
        if not low <= day.year <= high:
            file, line = source.locate(path)
            where = f"{file}:{line}" if line else file
            notices.append(f"{where}: {format_path(path)}: 日期 {day.isoformat()} 的年份不在 {low}–{high} 之间，"
                           "请确认是否写错（例如 2026 写成了 9999 或 1026）")
    return notices


def leaf_count(codes) -> int:
    """How many of the WBS ``codes`` are leaves (no other code starts with the code and a dot),
    counted as ``figures.progress.leaves`` counts them, in linear time."""
    codes = list(codes)
    parents = {c[:k] for c in codes for k, ch in enumerate(c) if ch == "."}
    return sum(1 for c in codes if c not in parents)


def check_wbs_size(project: Project, source: SourceMap, limit: int | None, project_config: str,
                   company_config: str) -> None:
    """Refuse, before any document is planned or any figure derived, a WBS with more leaves than
    ``limit`` (``wbs.max_leaves``; ``None`` when the configuration cannot be read: the build
    reports that error next): one ``DataError`` at the ``wbs`` key naming the file, the count, the
    limit and how to raise it (in ``project_config`` or ``company_config``). A WBS this large would
    take minutes and gigabytes to schedule, check and render; failing here takes as long as
    reading the data."""
    count = leaf_count(item.code for item in project.wbs)
    if limit is None or count <= limit:
        return
    file, line = source.locate(("wbs",))
    raise DataError([Problem(file, line, "wbs", (
        f"工作分解结构共有 {count} 个叶子任务，超过上限 {limit} 个（配置项 wbs.max_leaves）；"
        f"为免生成文档运行数分钟、占用数 GB 内存，已停止，未生成任何文档。"
        f"请把计划拆分为多个项目，或在 {project_config}（本项目）或 {company_config}（全部项目）中调高上限，"
        f"例如写入「wbs: {{max_leaves: {_round_up(count)}}}」"))])


def _round_up(count: int) -> int:
    """A round limit at or above ``count`` (21,795 → 22000)."""
    step = 1000 if count >= 10000 else 500
    return -(-count // step) * step


def check_files(project: Project, folder: Path, source: SourceMap) -> None:
    """Files the data names must be what they claim, inside the project folder (symlinks resolved).

    The logo is read, checked and converted here, once per build (``logo.load_logo``: confined, a
    bounded size, its content a PNG / JPEG / SVG, an SVG's ``<use>`` fan-out bounded); the
    renderers receive the converted PNG (``Facts.logo_uri``)."""
    logo = project.project.logo
    if logo is not None:
        load_logo(folder, logo, source)
