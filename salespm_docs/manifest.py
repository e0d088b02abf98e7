"""Manifest and report: a build result → ``manifest.json`` (for tools) and ``完整性报告.md`` (for people).

``manifest.json`` keys are a stable contract: each entry of ``files`` has ``artifact``, ``title``,
``format``, ``path`` (relative to the manifest), ``sha256`` and ``complete``. Top-level keys include
``generated`` (the real date of the build), ``status_date`` (the project's 数据截至日期 when it states
one, else ``null``: the rules and the documents' dates then use ``generated``) and
``series_findings`` (the findings of the series rules, such as a missing week: ``artifact``,
``rule``, ``severity``, ``location``, ``message``), which belong to no file.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, dates
from .dates import cn_date

if TYPE_CHECKING:
    from .artifacts.registry import Artifact
    from .facts import Facts
    from .results import BuildResult
    from .rules import Finding

MANIFEST = "manifest.json"
REPORT = "完整性报告.md"


def write_manifest(folder: Path, result: "BuildResult", facts: "Facts") -> Path:
    """Write ``manifest.json`` listing every produced file."""
    files = []
    for document in result.documents:
        a = document.instance.artifact
        for f in document.files:
            files.append({
                "artifact": a.code,
                "title": a.title,
                "format": f.format,
                "path": f.path.name,
                "sha256": f.sha256,
                "complete": document.complete,
                "instance": document.instance.key,
                "version": document.version,
                "errors": sum(1 for x in document.findings if x.severity == "E"),
                "warnings": sum(1 for x in document.findings if x.severity == "W"),
            })
    status_date = facts.project.project.status_date
    data = {
        "project": facts.slug,
        "project_code": facts.project.project.code,
        "project_name": facts.project.project.name,
        "stage": facts.project.project.stage,
        "generated": dates.today().isoformat(),
        "status_date": status_date.isoformat() if status_date else None,
        "generator": f"salespm-docs {__version__}",
        "files": files,
        "missing": [{"artifact": a.code, "title": a.title} for a in result.missing],
        "series_findings": [{"artifact": a.code, "rule": f.rule, "severity": f.severity,
                             "location": f.location, "message": f.message}
                            for a, _, found in _series(result) for f in found],
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _series(result: "BuildResult") -> list[tuple["Artifact", int, list["Finding"]]]:
    """Each built artifact that has series rules: (artifact, number of its documents, series findings)."""
    out: dict[str, tuple] = {}
    for d in result.documents:
        a = d.instance.artifact
        if a.series_rules:
            count = out[a.code][1] + 1 if a.code in out else 1
            out[a.code] = (a, count, [f for f in result.series_findings if f.document == a.series_label])
    return list(out.values())


def series_lines(result: "BuildResult") -> list[str]:
    """One line per series rule of each series checked as a whole: passed, or how many findings."""
    lines = []
    for artifact, count, found in _series(result):
        for r in artifact.series_rules:
            mine = [f for f in found if f.rule == r.id]
            e = sum(1 for f in mine if f.severity == "E")
            parts = [f"{e} 个错误" if e else "", f"{len(mine) - e} 个警告" if len(mine) > e else ""]
            verdict = "、".join(part for part in parts if part) or "通过"
            lines.append(f"- {artifact.code} {artifact.title}（共 {count} 份）[{r.id}] {r.title}：{verdict}")
    return lines


def write_report(folder: Path, result: "BuildResult", facts: "Facts") -> Path:
    """Write the human-readable completeness report beside the files."""
    p = facts.project.project
    counts = Counter(f.severity for f in result.findings)
    as_of = f"　数据截至：{cn_date(p.status_date)}" if p.status_date else ""
    lines = [
        f"# 完整性检查报告：{p.name}",
        "",
        f"- 项目编号：{p.code}　当前阶段：{p.stage}　生成日期：{cn_date(dates.today())}{as_of}",
        f"- 文档 {len(result.documents)} 份，其中完整 {sum(d.complete for d in result.documents)} 份；"
        f"错误 {counts['E']} 个，警告 {counts['W']} 个"
        + (f"（含系列检查发现 {len(result.series_findings)} 个）" if result.series_findings else ""),
        "",
        "| 文档 | 版本 | 状态 | 错误 | 警告 | 文件 |",
        "|---|---|---|---|---|---|",
    ]
    for d in result.documents:
        a = d.instance.artifact
        name = a.full_title(facts, d.instance.key)
        state = "完整" if d.complete else "不完整（草稿）"
        e = sum(1 for f in d.findings if f.severity == "E")
        w = sum(1 for f in d.findings if f.severity == "W")
        lines.append(f"| {a.code} {name} | {d.version} | {state} | {e} | {w} | "
                     + "、".join(f.path.name for f in d.files) + " |")
    series = series_lines(result)
    if series:
        lines += ["", "## 系列检查", ""]
        lines += series
    if result.notices:
        lines += ["", "## 提示", ""]
        lines += [f"- {n}" for n in result.notices]
    if result.missing:
        lines += ["", "## 尚无数据的文档", ""]
        lines += [f"- {a.code} {a.title}（{a.stage}阶段）" for a in result.missing]
    if result.findings:
        lines += ["", "## 检查发现", ""]
        for f in result.findings:
            lines.append(f"- **[{f.rule}] {'错误' if f.severity == 'E' else '警告'}** {f.document}　"
                         f"`{f.location}`：{f.message}")
    else:
        lines += ["", "全部检查通过。"]
    path = folder / REPORT
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
