"""Results: what a build produced → ``BuildResult`` (documents, their files and findings, series findings,
what is missing).

Plain records, written by ``build`` and read by ``manifest``, the CLI and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .artifacts.registry import Artifact, Instance
    from .rules import Finding


@dataclass
class OutputFile:
    """One generated file."""

    format: str
    path: Path
    sha256: str


@dataclass
class DocumentResult:
    """One built document: its files, its findings, and whether it was reused unchanged."""

    instance: Instance
    version: str
    files: list[OutputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    reused: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds per step (``docx``, ``pdf``, ``docx+check``…) and ``cpu``: the CPU seconds of the
    whole document (data rules, both formats, every rendered check)."""
    peak_rss_mb: float = 0.0
    """Peak memory of the process that rendered it, when that was a worker (``build -j``)."""

    @property
    def complete(self) -> bool:
        return not any(f.severity == "E" for f in self.findings)


@dataclass
class BuildResult:
    """What a build produced, what it found, and which documents had no data."""

    slug: str
    out_dir: Path
    documents: list[DocumentResult]
    missing: list[Artifact]
    seconds: float = 0.0
    notices: list[str] = field(default_factory=list)
    """Things the user should know that are not rule findings (``Facts.notices``)."""
    peak_rss_mb: float = 0.0
    """The peak memory of the build's busiest process (itself or one of its workers), in MB."""
    series_findings: list[Finding] = field(default_factory=list)
    """Findings of the series rules (``Artifact.series_rules``, e.g. R-WEEK-1 a missing week): about a
    set of documents, not one of them, so they make no document a draft; recomputed on every build."""

    @property
    def findings(self) -> list[Finding]:
        """Every finding: each document's, then the series'."""
        return [f for d in self.documents for f in d.findings] + list(self.series_findings)

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "E"]

    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "W"]

    @property
    def rebuilt(self) -> list[DocumentResult]:
        return [d for d in self.documents if not d.reused]
