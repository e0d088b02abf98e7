"""Batch: every project under ``projects/`` → built in parallel by N worker processes.

Each worker keeps one ``Renderer`` for all the projects it builds, so fonts and templates are
loaded once per worker, not once per document. A project whose data is broken is reported and
does not stop the others.

The workers and their signal handling are ``workers.worker_pool``'s: interrupted, the batch
stops every worker and raises ``workers.Interrupted``; each published output is replaced in one
atomic step, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import SalespmError
from .workers import Interrupted, peak_rss_mb, submit_all, worker_pool

__all__ = ["Interrupted", "ProjectOutcome", "build_all"]


@dataclass
class ProjectOutcome:
    """The summary of one project's build in a batch (picklable across processes)."""

    slug: str
    documents: int = 0
    rebuilt: int = 0
    files: int = 0
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    failure: str | None = None


_renderer = None


def _build_one(root: str, slug: str, force: bool) -> ProjectOutcome:
    global _renderer
    from .build import Renderer, Workspace, build

    if _renderer is None:
        _renderer = Renderer(Workspace(Path(root)))
    try:
        result = build(Path(root), slug, force=force, renderer=_renderer, jobs=1)
    except SalespmError as exc:
        return ProjectOutcome(slug, failure=str(exc), peak_rss_mb=peak_rss_mb())
    return ProjectOutcome(
        slug, documents=len(result.documents), rebuilt=len(result.rebuilt),
        files=sum(len(d.files) for d in result.documents), errors=len(result.errors()),
        warnings=len(result.warnings()), seconds=result.seconds, peak_rss_mb=peak_rss_mb())


def build_all(root: Path, slugs: list[str], jobs: int = 1, force: bool = False,
              progress: Callable[[ProjectOutcome], None] | None = None) -> list[ProjectOutcome]:
    """Build ``slugs`` with ``jobs`` worker processes; outcomes in the order given.

    Each worker builds whole projects, one document after another. Raises ``Interrupted`` on
    SIGINT / SIGTERM, after the workers have ended.
    """
    outcomes: dict[str, ProjectOutcome] = {}
    with worker_pool(jobs, Path(root) / "output") as pool:
        futures = submit_all(pool, _build_one, [(str(root), slug, force) for slug in slugs])
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.slug] = outcome
            if progress:
                progress(outcome)
    return [outcomes[s] for s in slugs]
