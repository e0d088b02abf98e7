"""Registry: a catalogue code → the ``Artifact`` that builds it, for the documents that can be built.

An ``Artifact`` is the unit of extension: adding a document type means one ``register(...)`` call
in its own module under ``salespm_docs/artifacts/``, its two templates (``templates/docx/<CODE>.docx``
and ``templates/html/<CODE>.html``) and its rules. The codes themselves, with titles and stages,
are the plain data of ``salespm_docs/catalogue.py``. Nothing else in the package names a code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..catalogue import CATALOGUE, INSTANCE_OF

if TYPE_CHECKING:
    from ..config import Settings
    from ..facts import Facts
    from ..model import Project
    from ..rules import Rule


@dataclass(frozen=True)
class Instance:
    """One document to produce: the artifact, and for per-week documents which week."""

    artifact: "Artifact"
    key: str | None = None
    """``None`` for one-per-project documents, else e.g. ``2026-W18``."""

    @property
    def label(self) -> str:
        return f"{self.artifact.code} {self.key}" if self.key else self.artifact.code


#: The formats rendered from the document's layout (``salespm_docs/layouts/<code>.py``) and the
#: templates generated from it (``templates/docx/<CODE>.docx``, ``templates/html/<CODE>.html`` with
#: ``base.html``/``base.css``); any other format (``eml``) has its own renderer and no layout.
LAID_OUT_FORMATS = ("docx", "pdf", "xlsx")


def _one_per_project(project: "Project") -> list[str | None]:
    return [None]


@dataclass(frozen=True)
class Artifact:
    """A buildable document type: its identity, required sections, context, data and rules."""

    code: str
    """Stable code, e.g. ``CHT``; names the templates ``docx/CHT.docx`` and ``html/CHT.html`` (a
    document that is not ``laid_out`` has none)."""
    sections: tuple[str, ...]
    """Required section headings, in the order the document shows them."""
    context: Callable[["Facts", str | None], dict]
    """Artifact-specific template variables, from derived facts (never computes in templates)."""
    rules: tuple["Rule", ...] = ()
    """Data rules specific to this artifact (R-COM-* apply to every artifact), run on each document."""
    series_rules: tuple["Rule", ...] = ()
    """Data rules on the series of all its documents at once (R-WEEK-1: no missing week), run once
    per build with ``key=None``. Their findings belong to the build (``BuildResult.series_findings``),
    not to a document: a week missing from the series makes no existing report a draft."""
    present: Callable[["Project"], bool] = lambda project: True
    """Whether the project holds the data this document needs."""
    instances: Callable[["Project"], list[str | None]] = _one_per_project
    """Keys of the documents to produce (``[None]``, or one per week …)."""
    key_values: Callable[["Facts", str | None], Iterable[str]] = lambda facts, key: ()
    """Values the rendered text must show (checked in DOCX and PDF alike)."""
    depends_on: tuple[str, ...] = ()
    """Top-level data keys the document reads: fields of ``Project``, stated exactly, every one
    (``register`` refuses none, ``*`` or an unknown key). Used for incremental rebuilds (a change
    in any of them rebuilds the document, in no other does not, unless a ``fingerprint`` hook says
    more precisely) and for the data rules on the document's own data (R-COM-4, R-COM-6).
    ``tests/test_declared_reads.py`` checks that every document reads exactly these keys."""
    formats: tuple[str, ...] = ("docx", "pdf")
    """Output formats."""
    instance_of: tuple[str, str] | None = None
    """For per-item documents: (top-level list, key field), e.g. ``("weekly", "week")``; a document
    reads only its own item of that list (R-COM-4 checks only the names in it)."""
    fingerprint: Callable[["Facts", str | None], object] | None = None
    """The data one document is made from, for incremental rebuilds (default: ``depends_on`` keys)."""
    subtitle: Callable[["Facts", str | None], str] | None = None
    """What the title shows after the document name for one instance (default: the key), e.g. a
    meeting's 「2026年1月9日 项目启动会」 instead of its file stem ``2026-01-09-kickoff``."""
    occasional: bool = False
    """Made only when its event happens (a meeting, a change request, a phase acceptance): a project
    without such an event has none of these documents due, rather than one missing (``status``)."""
    made_by: str | None = None
    """The command that makes it instead of a build (ARC: ``archive``): its rows exist only once that
    command has run, so ``build`` and ``status`` leave it alone."""
    audience: Literal["internal", "client"] | None = None
    """Who receives the document (ARTIFACTS.md, audience): ``None`` = from configuration
    (``client_facing``, a company or project can change it); set it only for a document whose
    audience no configuration may change. See ``audience_of`` / ``is_client_facing``."""

    def audience_for(self, settings: "Settings") -> Literal["internal", "client"]:
        """Its own ``audience``, else ``client`` when the configuration lists it as client-facing."""
        if self.audience is not None:
            return self.audience
        return "client" if settings.is_client_facing(self.code) else "internal"

    def full_title(self, facts: "Facts", key: str | None) -> str:
        """The title of one document: 「阶段性验收报告（UAT 阶段验收）」, 「周进度报告（2026-W18）」."""
        if not key:
            return self.title
        return f"{self.title}（{self.subtitle(facts, key) if self.subtitle else key}）"

    @property
    def laid_out(self) -> bool:
        """Whether it is rendered from a layout and its templates (a DOCX, PDF or XLSX output);
        ``False`` for a document with its own renderer only (MAIL: ``.eml``), which has no layout,
        no templates, and reads no file under ``templates/``."""
        return any(fmt in LAID_OUT_FORMATS for fmt in self.formats)

    @property
    def series_label(self) -> str:
        """What a series finding names as its document: ``WEEK 系列``."""
        return f"{self.code} 系列"

    @property
    def title(self) -> str:
        return CATALOGUE[self.code][0]

    @property
    def stage(self) -> str:
        return CATALOGUE[self.code][1]


def audience_of(artifact: Artifact, settings: "Settings") -> Literal["internal", "client"]:
    """``client`` if the client receives or signs this document under these settings, else ``internal``."""
    return artifact.audience_for(settings)


def is_client_facing(artifact: Artifact, settings: "Settings") -> bool:
    """Whether this document is client-facing for these settings (no internal figures, R-COM-8)."""
    return artifact.audience_for(settings) == "client"


REGISTRY: dict[str, Artifact] = {}


def check_depends_on(artifact: Artifact) -> None:
    """Refuse an artifact that does not state exactly which top-level keys of the data it reads:
    ``depends_on`` missing or empty, ``*`` (everything: every edit would rebuild it), or a name
    that is not a field of ``Project`` (a typo would silently leave the document stale)."""
    from ..model import Project

    code, keys = artifact.code, artifact.depends_on
    fields = list(Project.model_fields)
    if not isinstance(keys, tuple) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"artifact {code!r}: depends_on must be a tuple of Project field names, "
                         f"got {keys!r}")
    if not keys:
        raise ValueError(f"artifact {code!r} must declare depends_on: the top-level data keys "
                         f"(fields of Project) its documents read, e.g. depends_on=(\"project\", \"client\", "
                         f"\"team\", \"documents\", ...)")
    if "*" in keys:
        raise ValueError(f"artifact {code!r}: depends_on may not be '*' (everything); list the "
                         f"top-level data keys its documents read, out of: {', '.join(fields)}")
    unknown = [k for k in keys if k not in fields]
    if unknown:
        raise ValueError(f"artifact {code!r}: depends_on names {', '.join(map(repr, unknown))}, "
                         f"not a field of Project; the fields are: {', '.join(fields)}")
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"artifact {code!r}: depends_on lists {', '.join(map(repr, twice))} twice")


def register(artifact: Artifact) -> Artifact:
    """Add a buildable artifact; codes must come from the catalogue and be registered once, and
    ``depends_on`` must name exactly the data it reads (``check_depends_on``)."""
    if artifact.code not in CATALOGUE:
        raise ValueError(f"unknown artifact code {artifact.code!r}: add it to CATALOGUE first")
    if artifact.code in REGISTRY:
        raise ValueError(f"artifact {artifact.code!r} registered twice")
    check_depends_on(artifact)
    REGISTRY[artifact.code] = artifact
    if artifact.instance_of is not None:
        INSTANCE_OF[artifact.code] = artifact.instance_of
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
