"""The catalogue of documents and the registry of those that can be built.

An ``Artifact`` is the unit of extension: adding a document type means one ``register(...)`` call
in its own module under ``salespm_docs/artifacts/``, its two templates (``templates/docx/<CODE>.docx``
and ``templates/html/<CODE>.html``) and its rules. Nothing else in the package names a code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..facts import Facts
    from ..model import Project
    from ..rules import Rule

#: Every document of ARTIFACTS.md §3: code → (title, stage, one per …).
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "INIT": ("项目立项申请", "启动", "project"),
    "OPP": ("项目机会评估报告", "启动", "project"),
    "CHT": ("项目章程", "启动", "project"),
    "PLAN": ("项目管理方案", "规划", "project"),
    "WBS": ("工作分解结构", "规划", "project"),
    "GNT": ("项目进度计划", "规划", "project"),
    "RES": ("资源分配表", "规划", "project"),
    "RISK": ("风险登记册", "规划", "project"),
    "COM": ("沟通计划", "规划", "project"),
    "STRAT": ("销售策略", "规划", "project"),
    "REQ": ("需求说明书", "执行", "project"),
    "SOL": ("解决方案", "执行", "project"),
    "CTR": ("合同评审表", "执行", "contract"),
    "MAIL": ("项目进展邮件", "执行", "week"),
    "PACC": ("阶段性验收报告", "执行", "phase"),
    "MIN": ("会议纪要", "执行", "meeting"),
    "WEEK": ("周进度报告", "监控", "week"),
    "PRG": ("项目进度表", "监控", "project"),
    "CHG": ("变更申请", "监控", "change"),
    "ISS": ("问题清单", "监控", "project"),
    "SAT": ("满意度问卷", "监控", "stage survey"),
    "ACC": ("项目验收报告", "收尾", "project"),
    "PAY": ("回款跟踪表", "收尾", "project"),
    "RET": ("项目复盘报告", "收尾", "project"),
    "PERF": ("团队绩效评估", "收尾", "project"),
    "SALES": ("销售数据分析", "收尾", "project"),
    "ARC": ("归档清单", "收尾", "project"),
}


@dataclass(frozen=True)
class Instance:
    """One document to produce: the artifact, and for per-week documents which week."""

    artifact: "Artifact"
    key: str | None = None
    """``None`` for one-per-project documents, else e.g. ``2026-W18``."""

    @property
    def label(self) -> str:
        return f"{self.artifact.code} {self.key}" if self.key else self.artifact.code


def _one_per_project(project: "Project") -> list[str | None]:
    return [None]


@dataclass(frozen=True)
class Artifact:
    """A buildable document type: its identity, required sections, context, data and rules."""

    code: str
    """Stable code, e.g. ``CHT``; names the templates ``docx/CHT.docx`` and ``html/CHT.html``."""
    sections: tuple[str, ...]
    """Required section headings, in the order the document shows them."""
    context: Callable[["Facts", str | None], dict]
    """Artifact-specific template variables, from derived facts (never computes in templates)."""
    rules: tuple["Rule", ...] = ()
    """Data rules specific to this artifact (R-COM-* apply to every artifact)."""
    present: Callable[["Project"], bool] = lambda project: True
    """Whether the project holds the data this document needs."""
    instances: Callable[["Project"], list[str | None]] = _one_per_project
    """Keys of the documents to produce (``[None]``, or one per week …)."""
    key_values: Callable[["Facts", str | None], Iterable[str]] = lambda facts, key: ()
    """Values the rendered text must show (checked in DOCX and PDF alike)."""
    depends_on: tuple[str, ...] = field(default=("*",))
    """Top-level data keys the document reads (``*`` = all); used for incremental rebuilds."""
    formats: tuple[str, ...] = ("docx", "pdf")
    """Output formats."""
    instance_of: tuple[str, str] | None = None
    """For per-item documents: (top-level list, key field), e.g. ``("weekly", "week")``; a document
    reads only its own item of that list (R-COM-4 checks only the names in it)."""
    fingerprint: Callable[["Facts", str | None], object] | None = None
    """The data one document is made from, for incremental rebuilds (default: ``depends_on`` keys)."""

    @property
    def title(self) -> str:
        return CATALOGUE[self.code][0]

    @property
    def stage(self) -> str:
        return CATALOGUE[self.code][1]


REGISTRY: dict[str, Artifact] = {}


def register(artifact: Artifact) -> Artifact:
    """Add a buildable artifact; codes must come from the catalogue and be registered once."""
    if artifact.code not in CATALOGUE:
        raise ValueError(f"unknown artifact code {artifact.code!r}: add it to CATALOGUE first")
    if artifact.code in REGISTRY:
        raise ValueError(f"artifact {artifact.code!r} registered twice")
    REGISTRY[artifact.code] = artifact
    return artifact


def buildable() -> list[Artifact]:
    """Registered artifacts in catalogue order (stage by stage)."""
    load_all()
    return [REGISTRY[c] for c in CATALOGUE if c in REGISTRY]


def load_all() -> None:
    """Import every artifact module so that each registers itself."""
    import importlib
    import pkgutil

    from .. import artifacts

    for info in pkgutil.iter_modules(artifacts.__path__):
        if info.name != "registry":
            importlib.import_module(f"{artifacts.__name__}.{info.name}")
