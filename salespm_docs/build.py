"""Build: a project slug → ``output/<slug>/`` (DOCX + PDF per document, manifest.json, report).

The recipe, top to bottom: load and validate everything, derive the figures once, run the data
rules, render every document into a private folder, check the rendered text, write the manifest
and the completeness report, then publish the folder in one atomic step. A failure anywhere
leaves the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import dates, output
from .artifacts.registry import Artifact, Instance, buildable
from .check import docx_findings, pdf_font_findings, strings_in, text_findings
from .config import load_settings
from .context import build_context, is_draft
from .errors import ChecksFailed
from .extract import docx_text, pdf_headings, pdf_text
from .facts import Facts
from .loader import load_project, project_dir
from .manifest import write_manifest, write_report
from .render.docx import render_docx
from .render.pdf import PdfRenderer
from .rules import Finding, run_data_rules
from .templating import make_env
from .validate import validate

Notify = Callable[[str], None]


@dataclass(frozen=True)
class Workspace:
    """The folders a build reads and writes, all under one root (the repository by default)."""

    root: Path

    @property
    def projects(self) -> Path:
        return self.root / "projects"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def output(self) -> Path:
        return self.root / "output"


@dataclass
class OutputFile:
    """One generated file."""

    format: str
    path: Path
    sha256: str


@dataclass
class DocumentResult:
    """One built document: its files and its findings."""

    instance: Instance
    version: str
    files: list[OutputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

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

    @property
    def findings(self) -> list[Finding]:
        return [f for d in self.documents for f in d.findings]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "E"]

    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "W"]


def load_facts(ws: Workspace, slug: str) -> Facts:
    """Load, validate and configure one project (raises ``DataError``/``ConfigError``)."""
    folder = project_dir(ws.projects, slug)
    loaded = load_project(folder, ws.root)
    project = validate(loaded)
    settings = load_settings(ws.root, folder)
    return Facts(slug=slug, project=project, settings=settings, source=loaded.source, today=dates.today())


def plan(facts: Facts) -> tuple[list[Instance], list[Artifact]]:
    """Every document the data allows, and the registered ones it does not."""
    instances, missing = [], []
    for artifact in buildable():
        if artifact.present(facts.project):
            instances += [Instance(artifact, key) for key in artifact.instances(facts.project)]
        else:
            missing.append(artifact)
    return instances, missing


def file_name(instance: Instance, version: str, fmt: str) -> str:
    """``CHT_项目章程_V1.0.pdf``; per-week documents add the week."""
    a = instance.artifact
    middle = f"_{instance.key}" if instance.key else ""
    return f"{a.code}_{a.title}{middle}_{version}.{fmt}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Renderer:
    """Renders documents of one build, sharing the Jinja environments and the font configuration."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.docx_env = make_env()
        self.pdf = PdfRenderer(ws.templates)

    def render(self, facts: Facts, instance: Instance, folder: Path) -> DocumentResult:
        """Data rules → render → rendered checks; re-render as 「草稿」 if the checks fail."""
        artifact, key = instance.artifact, instance.key
        control = facts.control(artifact.code, key)[0]
        version = control.version or "V0.1"
        result = DocumentResult(instance, version)
        data_findings = run_data_rules(facts, artifact, key, instance.label)
        has_errors = any(f.severity == "E" for f in data_findings)
        draft = is_draft(facts, artifact, key, has_errors)
        files, rendered = self._render_files(facts, instance, folder, version, draft)
        if not draft and any(f.severity == "E" for f in rendered):
            files, rendered = self._render_files(facts, instance, folder, version, True)
        result.files = files
        result.findings = data_findings + rendered
        return result

    def _render_files(self, facts: Facts, instance: Instance, folder: Path, version: str,
                      draft: bool) -> tuple[list[OutputFile], list[Finding]]:
        artifact, key = instance.artifact, instance.key
        context = build_context(facts, artifact, key, draft)
        sections = artifact.sections
        values = [v for v in artifact.key_values(facts, key) if v]
        data_strings = strings_in(context)
        stamp = dt.datetime.combine(facts.today, dt.time())
        files: list[OutputFile] = []
        findings: list[Finding] = []
        doc = context["doc"]
        for fmt in artifact.formats:
            target = folder / file_name(instance, version, fmt)
            where = f"output/{facts.slug}/{target.name}"
            if fmt == "docx":
                render_docx(self.ws.templates / "docx" / f"{artifact.code}.docx", context, self.docx_env,
                            target, _properties(doc, facts), stamp)
                extracted = docx_text(target)
                findings += text_findings(instance.label, fmt, where, extracted.text, extracted.headings,
                                          sections, values, data_strings)
                findings += docx_findings(instance.label, where, extracted)
            elif fmt == "pdf":
                html = self.pdf.html(f"{artifact.code}.html", context)
                self.pdf.write(html, target)
                text, _pages = pdf_text(target)
                findings += text_findings(instance.label, fmt, where, text, pdf_headings(target),
                                          sections, values, data_strings)
                findings += pdf_font_findings(instance.label, where, data_strings)
            files.append(OutputFile(fmt, target, _sha256(target)))
        return files, findings


def _properties(doc: dict, facts: Facts) -> dict[str, str]:
    return {
        "title": doc["title"],
        "subject": facts.project.project.name,
        "author": doc["prepared"]["name"] or facts.project.project.company,
        "keywords": f"{doc['number'] or ''} {doc['version']} {doc['classification'] or ''}".strip(),
        "identifier": doc["number"] or "",
    }


def build(root: Path, slug: str, *, strict: bool = False, publish: bool = True,
          notify: Notify | None = None, renderer: Renderer | None = None) -> BuildResult:
    """Build every document of ``projects/<slug>/`` into ``output/<slug>/``.

    With ``publish=False`` (``salespm check``) the files are rendered and checked in a private
    folder that is then discarded. With ``strict`` any E finding stops the build before publishing.
    """
    ws = Workspace(root)
    say = notify or (lambda message: None)
    facts = load_facts(ws, slug)
    instances, missing = plan(facts)
    renderer = renderer or Renderer(ws)
    with output.locked(ws.output, slug, notify=say):
        output.recover(ws.output, slug)
        staging = output.staging_dir(ws.output, slug)
        try:
            documents = []
            for n, instance in enumerate(instances, 1):
                say(f"[{n}/{len(instances)}] 生成 {instance.label} {instance.artifact.title}")
                documents.append(renderer.render(facts, instance, staging))
            result = BuildResult(slug, ws.output / slug, documents, missing)
            write_manifest(staging, result, facts)
            write_report(staging, result, facts)
            if strict and (result.errors() or result.warnings()):
                raise ChecksFailed(_strict_message(result))
            if publish:
                output.publish(staging, ws.output, slug)
                _relocate(result, staging, ws.output / slug)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return result


def _relocate(result: BuildResult, old: Path, new: Path) -> None:
    for document in result.documents:
        for f in document.files:
            f.path = new / f.path.relative_to(old)


def _strict_message(result: BuildResult) -> str:
    lines = [f"--strict：发现 {len(result.errors())} 个错误、{len(result.warnings())} 个警告，未更新 output/{result.slug}/："]
    lines += [f"  {f}" for f in result.findings]
    return "\n".join(lines)
