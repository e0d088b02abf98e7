"""Status: every project → its stage and, for each document due at that stage, complete / incomplete / missing.

A document is due once the project has reached its stage (ARTIFACTS.md §3). ``status`` runs the
data rules only (no rendering), so it is quick enough to run across every project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .artifacts.registry import Artifact, buildable
from .build import Workspace, load_facts
from .errors import SalespmError
from .model.types import STAGES
from .rules import run_data_rules


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
class ProjectStatus:
    """A project's stage and its due documents, or the error that stopped it loading."""

    slug: str
    name: str = ""
    stage: str = ""
    documents: list[DocStatus] | None = None
    error: str | None = None


def is_due(artifact: Artifact, stage: str) -> bool:
    return STAGES.index(artifact.stage) <= STAGES.index(stage)


def project_status(ws: Workspace, slug: str) -> ProjectStatus:
    """The status of one project (data errors are reported, not raised)."""
    try:
        facts = load_facts(ws, slug)
    except SalespmError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        return ProjectStatus(slug, error="".join(lines[:2]) + ("…" if len(lines) > 2 else ""))
    p = facts.project.project
    docs: list[DocStatus] = []
    for artifact in buildable():
        due = is_due(artifact, p.stage)
        present = artifact.present(facts.project)
        if not present:
            if due:
                docs.append(DocStatus(artifact, None, "missing"))
            continue
        for key in artifact.instances(facts.project):
            label = f"{artifact.code} {key}" if key else artifact.code
            errors = sum(1 for f in run_data_rules(facts, artifact, key, label) if f.severity == "E")
            docs.append(DocStatus(artifact, key, "incomplete" if errors else "complete", errors, due))
    return ProjectStatus(slug, p.name, p.stage, docs)


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
