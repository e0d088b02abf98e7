"""Status: every project → its stage and, for each document due at that stage, complete / incomplete / missing.

A document is due once the project has reached its stage (ARTIFACTS.md §3; ``stages.reached``:
执行 and 监控 run together). ``status`` runs the data rules only (no rendering), so it is quick
enough to run across every project; the series rules (R-WEEK-1: no missing week) run once per
series, as in a build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .artifacts.registry import Artifact, buildable
from .build import Workspace, load_facts, run_series_rules
from .errors import SalespmError
from .rules import Finding, run_data_rules
from .stages import reached


@dataclass
class DocStatus:
    """One due document: ``complete``, ``incomplete`` (with its E findings) or ``missing``."""

    artifact: Artifact
    key: str | None
    state: str
    errors: int = 0
    due: bool = True
    """False for a document whose data exists before its stage is reached (shown, not required)."""


@dataclass
class SeriesStatus:
    """A series of documents checked as a whole (``Artifact.series_rules``): its size and findings."""

    artifact: Artifact
    count: int
    findings: list[Finding]
    due: bool = True

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "E")

    @property
    def state(self) -> str:
        return "incomplete" if self.errors else "complete"


@dataclass
class ProjectStatus:
    """A project's stage and its due documents, or the error that stopped it loading."""

    slug: str
    name: str = ""
    stage: str = ""
    documents: list[DocStatus] | None = None
    error: str | None = None
    status_date: dt.date | None = None
    """The project's 数据截至日期 (``project.status_date``), if it states one."""
    series: list[SeriesStatus] = field(default_factory=list)


def is_due(artifact: Artifact, stage: str) -> bool:
    """Whether ``artifact`` is due for a project at ``stage`` (监控 documents are due from 执行)."""
    return reached(artifact.stage, stage)


def project_status(ws: Workspace, slug: str) -> ProjectStatus:
    """The status of one project (data errors are reported, not raised).

    Whatever goes wrong with one project — even an unexpected exception, which is a bug to report —
    is shown as that project's error, so that it never hides the status of the others.
    """
    try:
        return _project_status(ws, slug)
    except SalespmError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        return ProjectStatus(slug, error="".join(lines[:2]) + ("…" if len(lines) > 2 else ""))
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 — one project must not hide the others
        return ProjectStatus(slug, error=f"内部错误：{type(exc).__name__}: {str(exc)[:200]}（请用 salespm --debug check {slug} 查看并报告此问题）")


def _project_status(ws: Workspace, slug: str) -> ProjectStatus:
    facts = load_facts(ws, slug)
    p = facts.project.project
    docs: list[DocStatus] = []
    series: list[SeriesStatus] = []
    for artifact in buildable():
        if artifact.made_by:
            continue  # made by its own command (ARC: salespm archive), which checks it
        due = is_due(artifact, p.stage)
        present = artifact.present(facts.project)
        if not present:
            if due and not artifact.occasional:
                docs.append(DocStatus(artifact, None, "missing"))
            continue
        keys = artifact.instances(facts.project)
        for key in keys:
            label = f"{artifact.code} {key}" if key else artifact.code
            errors = sum(1 for f in run_data_rules(facts, artifact, key, label) if f.severity == "E")
            docs.append(DocStatus(artifact, key, "incomplete" if errors else "complete", errors, due))
        if artifact.series_rules:
            series.append(SeriesStatus(artifact, len(keys), run_series_rules(facts, artifact), due))
    return ProjectStatus(slug, p.name, p.stage, docs, status_date=p.status_date, series=series)


def all_projects(ws: Workspace) -> list[str]:
    """Slugs of every project folder under ``projects/``."""
    if not ws.projects.is_dir():
        return []
    return sorted(p.name for p in ws.projects.iterdir() if p.is_dir() and not p.name.startswith("."))


def statuses(root: Path, slug: str | None = None) -> list[ProjectStatus]:
    """Status of one project, or of all of them."""
    ws = Workspace(root)
    if slug is not None:
        from .loader import project_dir
        project_dir(ws.projects, slug)  # raise a clear error for an unknown or unsafe slug
    return [project_status(ws, s) for s in ([slug] if slug else all_projects(ws))]
