"""Manifest and report: a build result → ``manifest.json`` (for tools) and ``完整性报告.md`` (for people).

``manifest.json`` keys are a stable contract: each entry of ``files`` has ``artifact``, ``title``,
``format``, ``path`` (relative to the manifest), ``sha256`` and ``complete``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .dates import cn_date

if TYPE_CHECKING:
    from .facts import Facts
    from .results import BuildResult

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
    data = {
        "project": facts.slug,
        "project_code": facts.project.project.code,
        "project_name": facts.project.project.name,
        "stage": facts.project.project.stage,
        "generated": facts.today.isoformat(),
        "generator": f"salespm-docs {__version__}",
        "files": files,
        "missing": [{"artifact": a.code, "title": a.title} for a in result.missing],
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_report(folder: Path, result: "BuildResult", facts: "Facts") -> Path:
    """Write the human-readable completeness report beside the files."""
    p = facts.project.project
    counts = Counter(f.severity for f in result.findings)
    lines = [
        f"# 完整性检查报告：{p.name}",
        "",
        f"- 项目编号：{p.code}　当前阶段：{p.stage}　生成日期：{cn_date(facts.today)}",
        f"- 文档 {len(result.documents)} 份，其中完整 {sum(d.complete for d in result.documents)} 份；"
        f"错误 {counts['E']} 个，警告 {counts['W']} 个",
        "",
        "| 文档 | 版本 | 状态 | 错误 | 警告 | 文件 |",
        "|---|---|---|---|---|---|",
    ]
    for d in result.documents:
        a = d.instance.artifact
        name = a.title + (f"（{d.instance.key}）" if d.instance.key else "")
        state = "完整" if d.complete else "不完整（草稿）"
        e = sum(1 for f in d.findings if f.severity == "E")
        w = sum(1 for f in d.findings if f.severity == "W")
        lines.append(f"| {a.code} {name} | {d.version} | {state} | {e} | {w} | "
                     + "、".join(f.path.name for f in d.files) + " |")
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
