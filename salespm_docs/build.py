"""Build: a project slug → ``output/<slug>/`` (DOCX + PDF per document, manifest.json, report).

The recipe, top to bottom: load and validate everything, derive the figures once, plan the
documents, reuse those whose inputs did not change, render the others into a private folder and
check what was rendered, check each series of documents as a whole (a missing week), write the
manifest and the completeness report, then publish the folder in one atomic step. A failure
anywhere leaves the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from . import dates, incremental, logo, output
from .artifacts.registry import Artifact, Instance, buildable
from .config import COMPANY_FILE, PROJECT_FILE, load_settings, wbs_limit
from .context import build_context, is_draft
from .errors import ChecksFailed, DataError, Problem, SalespmError, UsageError
from .facts import Facts
from .loader import format_path, load_project, project_dir
from .manifest import write_manifest, write_report
from .results import BuildResult, DocumentResult, OutputFile
from .rules import Finding, run_data_rules
from .validate import check_files, check_wbs_size, validate
from .workers import default_jobs, peak_rss_mb  # noqa: F401  (default_jobs: the CLI's and tests')

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


def load_facts(ws: Workspace, slug: str) -> Facts:
    """Load, validate and configure one project (raises ``DataError``/``ConfigError``).

    ``Facts.today`` is the project's status date (``project.status_date``, 数据截至日期) when it
    states one, else today: the rules compare against it (missing weeks, overdue payments), and the
    documents are dated with it (their DOCX / PDF metadata), so a project whose data stops at a date
    gives the same findings and the same files on any later day. The manifest and the completeness
    report record the real generation date besides (``dates.today()``).
    """
    folder = project_dir(ws.projects, slug)
    usable = ws.output.is_dir() and not ws.output.is_symlink()
    logo.keep_converted_in(ws.output / LOGO_STORE if usable else None)
    loaded = load_project(folder, ws.root)
    project = validate(loaded)
    # a WBS over wbs.max_leaves stops here, before anything heavy (its files, the settings' checks)
    check_wbs_size(project, loaded.source, wbs_limit(ws.root, folder), _shown_path(folder / PROJECT_FILE, ws.root),
                   COMPANY_FILE)
    check_files(project, folder, loaded.source)
    settings = load_settings(ws.root, folder)
    today = project.project.status_date or dates.today()
    return Facts(slug=slug, project=project, settings=settings, source=loaded.source, today=today,
                 folder=folder)


def _shown_path(path: Path, root: Path) -> str:
    """``path`` relative to the workspace root when it lies inside it (for messages)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


#: Logos converted by earlier builds (``logo.keep_converted_in``), beside the projects' outputs.
LOGO_STORE = ".salespm-logos"


def run_series_rules(facts: Facts, artifact: Artifact) -> list[Finding]:
    """The findings of ``artifact``'s series rules, run once over all its documents (``key=None``)."""
    return [f for r in artifact.series_rules for f in r.run(facts, artifact, None, artifact.series_label)]


def series_findings(facts: Facts) -> list[Finding]:
    """The series rules of every artifact whose data is present (R-WEEK-1: no missing week).

    A series finding concerns a set of documents, not one of them: it makes no document a draft and
    is never cached with one. It reads the data only and is cheap, so every build, ``check`` and
    ``status`` recomputes it.
    """
    return [f for artifact in buildable() if artifact.present(facts.project)
            for f in run_series_rules(facts, artifact)]


def plan(facts: Facts) -> tuple[list[Instance], list[Artifact]]:
    """Every document the data allows, and the registered ones it does not."""
    instances, missing = [], []
    for artifact in buildable():
        if artifact.made_by:
            continue  # made by its own command (ARC: salespm archive)
        if artifact.present(facts.project):
            instances += [Instance(artifact, key) for key in artifact.instances(facts.project)]
        else:
            missing.append(artifact)
    return instances, missing


def select_codes(codes: tuple[str, ...], instances: list[Instance], missing: list[Artifact]) -> set[str]:
    """The document codes ``--only`` names, upper-cased; an unknown one, or one this project has no
    data for, is refused with the codes it does have."""
    from .suggest import did_you_mean

    have = list(dict.fromkeys(i.artifact.code for i in instances))
    known = set(have) | {a.code for a in missing}
    selected = set()
    for code in codes:
        upper = code.strip().upper()
        if upper not in known:
            raise UsageError(f"--only：没有文档代码「{code}」{did_you_mean(upper, sorted(known))}；"
                             f"本项目可检查的文档：{'、'.join(have)}")
        selected.add(upper)
    return selected


def file_name(instance: Instance, version: str, fmt: str) -> str:
    """``CHT_项目章程_V1.0.pdf``; per-week documents add the week."""
    a = instance.artifact
    middle = f"_{instance.key}" if instance.key else ""
    return f"{a.code}_{a.title}{middle}_{version}.{fmt}"


#: The longest file name (in bytes) that Linux, macOS and Windows file systems accept.
NAME_MAX = 255


def check_file_names(facts: Facts, instances: list[Instance]) -> None:
    """Refuse, before rendering, a version that makes a file name too long for the file system.

    One error per version written in the data: a control block several documents share (a week's
    ``document:`` is both WEEK's and MAIL's) names each document whose file name it makes too long
    (its longest file), in the order they are built."""
    too_long: dict[tuple, tuple[str, list[str]]] = {}
    for instance in instances:
        control, where = facts.control(instance.artifact.code, instance.key)
        version = control.version or "V0.1"
        size = max(len(file_name(instance, version, fmt).encode()) for fmt in instance.artifact.formats)
        if size > NAME_MAX:
            path = (*where, "version")
            if path not in facts.source.places:
                path = ("documents", instance.artifact.code, "version")
            too_long.setdefault(path, (version, []))[1].append(f"{instance.label} 的文件名将有 {size} 字节")
    problems = []
    for path, (version, names) in too_long.items():
        file, line = facts.source.locate(path)
        problems.append(Problem(file, line, format_path(path),
                                f"版本号过长（{len(version)} 个字符）：{'、'.join(names)}，"
                                f"超过文件系统上限 {NAME_MAX} 字节；请改用较短的版本号，如 V1.0"))
    if problems:
        raise DataError(problems)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Renderer:
    """Renders documents, sharing the Jinja environments and fonts across documents and builds.

    The heavy renderers (docxtpl, WeasyPrint) are imported on first use, so a build that reuses
    every document never loads them.
    """

    def __init__(self, ws: Workspace):
        self.ws = ws
        self._docx_env = None
        self._pdf = None

    @property
    def docx_env(self):
        if self._docx_env is None:
            from .templating import make_env
            self._docx_env = make_env()
        return self._docx_env

    @property
    def pdf(self):
        if self._pdf is None:
            from .render.pdf import PdfRenderer
            self._pdf = PdfRenderer(self.ws.templates)
        return self._pdf

    def render(self, facts: Facts, instance: Instance, folder: Path) -> DocumentResult:
        """Data rules → render → rendered checks; re-render as 「草稿」 if the checks fail."""
        cpu = time.process_time()
        artifact, key = instance.artifact, instance.key
        control = facts.control(artifact.code, key)[0]
        version = control.version or "V0.1"
        result = DocumentResult(instance, version)
        data_findings = run_data_rules(facts, artifact, key, instance.label)
        has_errors = any(f.severity == "E" for f in data_findings)
        draft = is_draft(facts, artifact, key, has_errors)
        files, rendered = self._render_files(facts, instance, folder, version, draft, result.seconds)
        if not draft and any(f.severity == "E" for f in rendered):
            files, rendered = self._render_files(facts, instance, folder, version, True, result.seconds)
        result.files = files
        result.findings = data_findings + rendered
        result.seconds["cpu"] = time.process_time() - cpu
        return result

    def warm(self, codes: set[str] = frozenset()) -> None:
        """Load now what every document needs (renderers, fonts, glyph coverage, the HTML templates
        of ``codes``), e.g. before forking workers, so that they share it instead of each loading it."""
        from . import check, extract  # noqa: F401  (imported for the workers)
        from .render import docx  # noqa: F401  (docxtpl, python-docx)

        self.pdf, self.docx_env  # noqa: B018
        check._font_coverage()
        self.pdf.warm()
        for code in sorted(codes):
            try:
                self.pdf.env.get_template(f"{code}.html")
            except Exception:  # noqa: BLE001 - a broken template is reported by the document that uses it
                pass

    def _render_files(self, facts: Facts, instance: Instance, folder: Path, version: str,
                      draft: bool, seconds: dict[str, float]) -> tuple[list[OutputFile], list[Finding]]:
        from .check import docx_findings, pdf_font_findings, strings_in, table_findings, text_findings
        from .extract import docx_text, html_tables, pdf_read
        from .render.docx import render_docx

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
            started = time.perf_counter()
            if fmt == "docx":
                render_docx(self.ws.templates / "docx" / f"{artifact.code}.docx", context, self.docx_env,
                            target, _properties(doc, facts), stamp)
                seconds["docx"] = time.perf_counter() - started
                extracted = docx_text(target)
                findings += text_findings(instance.label, fmt, where, extracted.text, extracted.headings,
                                          sections, values, data_strings)
                findings += docx_findings(instance.label, where, extracted)
                findings += table_findings(instance.label, fmt, where, extracted.grids)
            elif fmt == "pdf":
                html = self.pdf.html(f"{artifact.code}.html", context)
                self.pdf.write(html, target)
                seconds["pdf"] = time.perf_counter() - started
                pages, headings = pdf_read(target)
                findings += text_findings(instance.label, fmt, where, "\n".join(pages), headings,
                                          sections, values, data_strings, pages)
                # the PDF's text layer has no cells: its tables are checked in the HTML it is printed from
                findings += table_findings(instance.label, fmt, where, html_tables(html))
                findings += pdf_font_findings(instance.label, where, context, facts)
            elif fmt == "xlsx":
                from .layout.generate import layout_of
                from .render.xlsx import render_xlsx, xlsx_text

                render_xlsx(layout_of(artifact.code), context, self.docx_env, target, _properties(doc, facts), stamp)
                seconds["xlsx"] = time.perf_counter() - started
                # a register has no headings: the key values, placeholders and amounts are checked
                findings += text_findings(instance.label, fmt, where, xlsx_text(target), [], (), values,
                                          data_strings)
            elif fmt == "eml":
                from .render.mail import render_eml

                plain, headings = render_eml(facts, context, target, version, draft)
                seconds["eml"] = time.perf_counter() - started
                # the plain-text part says what the HTML part says (both from the same rows)
                findings += text_findings(instance.label, fmt, where, plain, headings, sections, values,
                                          data_strings)
            seconds[f"{fmt}+check"] = time.perf_counter() - started
            files.append(OutputFile(fmt, target, _sha256(target)))
        return files, findings


def _properties(doc: dict, facts: Facts) -> dict[str, str]:
    return {
        "title": f"{facts.project.project.name} {doc['title']}（{doc['number'] or '未编号'}）",
        "subject": facts.project.project.name,
        "author": doc["prepared"]["name"] or facts.project.project.company,
        "keywords": f"{doc['number'] or ''} {doc['version']} {doc['classification'] or ''}".strip(),
        "identifier": doc["number"] or "",
        "company": facts.project.project.company,
    }


def _reuse(cached: dict | None, fingerprint: str, previous: Path, staging: Path,
           instance: Instance, version: str) -> DocumentResult | None:
    """The previous build's files for ``instance``, linked into ``staging``, if still valid."""
    if not cached or cached.get("fingerprint") != fingerprint:
        return None
    files = []
    for fmt, name, digest in cached["files"]:
        old = previous / name
        if not old.is_file() or _sha256(old) != digest:
            return None
        new = staging / name
        try:
            os.link(old, new)
        except OSError:
            shutil.copy2(old, new)
        files.append(OutputFile(fmt, new, digest))
    return DocumentResult(instance, version, files, incremental.findings_of(cached), reused=True)


def build(root: Path, slug: str, *, strict: bool = False, publish: bool = True, force: bool = False,
          notify: Notify | None = None, renderer: Renderer | None = None, jobs: int = 1,
          only: tuple[str, ...] = ()) -> BuildResult:
    """Build every document of ``projects/<slug>/`` into ``output/<slug>/``.

    Unchanged documents are reused from the previous output (``force`` renders everything).
    With ``publish=False`` (``salespm check``) nothing is written to ``output/<slug>/``. With
    ``strict`` any finding stops the build before publishing. ``jobs`` > 1 renders the documents
    in that many worker processes (``render_all``); the files are the same bytes as with one.
    ``only`` (document codes; ``salespm check --only``) checks those document types alone: it
    never publishes, since the output folder always holds every document of the project.
    """
    if only and publish:
        raise UsageError("build(only=...) checks a part of the documents; it cannot publish them")
    started = time.perf_counter()
    ws = Workspace(root.resolve())
    say = notify or (lambda message: None)
    facts = load_facts(ws, slug)
    instances, missing = plan(facts)
    series = series_findings(facts)
    if only:
        selected = select_codes(only, instances, missing)
        instances = [i for i in instances if i.artifact.code in selected]
        missing = [a for a in missing if a.code in selected]
        series = [f for f in series if f.document.split()[0] in selected]
    check_file_names(facts, instances)
    renderer = renderer or Renderer(ws)
    with output.locked(ws.output, slug, notify=say):
        output.recover(ws.output, slug)
        previous = ws.output / slug
        cache = {} if force else incremental.read_cache(previous)
        prints = incremental.Fingerprints(facts, ws.templates)
        staging = output.staging_dir(ws.output, slug)
        # the weekly mail's send log (``salespm mail --send``) is no build output: carry it over
        if (previous / "mail-log.json").is_file() and not (previous / "mail-log.json").is_symlink():
            shutil.copy2(previous / "mail-log.json", staging / "mail-log.json")
        try:
            documents: list[DocumentResult | None] = []
            fingerprints, pending = [], []
            for instance in instances:
                version = facts.control(instance.artifact.code, instance.key)[0].version or "V0.1"
                fingerprint = prints.of(instance)
                document = _reuse(cache.get(instance.label), fingerprint, previous, staging, instance, version)
                if document is None:
                    pending.append(len(documents))
                documents.append(document)
                fingerprints.append(fingerprint)
            rendered = render_all(renderer, facts, [instances[i] for i in pending], staging, jobs, say)
            for i, document in zip(pending, rendered):
                documents[i] = document
            entries = {d.instance.label: incremental.entry(
                fingerprint, [(f.format, f.path.name, f.sha256) for f in d.files], d.findings)
                for d, fingerprint in zip(documents, fingerprints)}
            result = BuildResult(slug, ws.output / slug, documents, missing, notices=facts.notices,
                                 series_findings=series)
            write_manifest(staging, result, facts)
            write_report(staging, result, facts)
            incremental.write_cache(staging, entries)
            if strict and (result.errors() or result.warnings()):
                raise ChecksFailed(_strict_message(result))
            if publish:
                output.publish(staging, ws.output, slug)
                _relocate(result, staging, ws.output / slug)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    result.seconds = time.perf_counter() - started
    result.peak_rss_mb = max([peak_rss_mb()] + [d.peak_rss_mb for d in result.documents])
    return result


def render_all(renderer: Renderer, facts: Facts, instances: list[Instance], folder: Path, jobs: int,
               say: Notify) -> list[DocumentResult]:
    """Render ``instances`` into ``folder``, in ``jobs`` worker processes when more than one.

    Every document is rendered by the same code, with the same data and fonts, whichever process
    does it, and its files keep their names: a parallel build writes the same bytes as a serial one.
    The workers are forked from this process once the renderer is warm (fonts, templates, glyph
    coverage loaded), so each starts ready; they end with it, and a build killed halfway leaves only
    its temporary folder, which the next build removes.
    """
    total = len(instances)
    jobs = max(1, min(jobs, total))
    if jobs == 1:
        results = []
        for n, instance in enumerate(instances, 1):
            say(f"[{n}/{total}] 生成 {instance.label} {instance.artifact.title}")
            results.append(renderer.render(facts, instance, folder))
        return results
    from .workers import submit_all, worker_pool

    global _PARALLEL
    renderer.warm({i.artifact.code for i in instances})
    _PARALLEL = (renderer, facts, instances, folder)
    # what the workers inherit is long-lived: keep the collector from scanning (and so copying) it
    gc.collect()
    gc.freeze()
    say(f"生成 {total} 份文档（{jobs} 个进程）…")
    results: list[DocumentResult | None] = [None] * total
    try:
        with worker_pool(jobs, folder.parent) as pool:
            # one-per-project documents first: they are the longest, so none is left for the end alone
            order = sorted(range(total), key=lambda i: instances[i].artifact.instance_of is not None)
            futures = submit_all(pool, _render_in_worker, [(i,) for i in order])
            for done, future in enumerate(as_completed(futures), 1):
                i, version, files, findings, seconds, rss = future.result()
                results[i] = DocumentResult(instances[i], version, files, findings, seconds=seconds,
                                            peak_rss_mb=rss)
                say(f"[{done}/{total}] 已生成 {instances[i].label} {instances[i].artifact.title}")
    finally:
        _PARALLEL = None
        gc.unfreeze()
    return results


#: What ``render_all`` hands its forked workers: (renderer, facts, instances, folder).
_PARALLEL: tuple | None = None


def _render_in_worker(i: int) -> tuple:
    """In a worker: render document ``i`` of ``_PARALLEL``; what the parent needs, picklable.

    A ``SalespmError`` (a template or render error) comes back as one with the same message and
    exit code: not every subclass can be rebuilt from its pickled arguments.
    """
    renderer, facts, instances, folder = _PARALLEL
    try:
        document = renderer.render(facts, instances[i], folder)
    except SalespmError as exc:
        relayed = SalespmError(str(exc))
        relayed.exit_code = exc.exit_code
        raise relayed from None
    return i, document.version, document.files, document.findings, document.seconds, peak_rss_mb()


def _relocate(result: BuildResult, old: Path, new: Path) -> None:
    for document in result.documents:
        for f in document.files:
            f.path = new / f.path.relative_to(old)


def _strict_message(result: BuildResult) -> str:
    lines = [f"--strict：发现 {len(result.errors())} 个错误、{len(result.warnings())} 个警告，未更新 output/{result.slug}/："]
    lines += [f"  {f}" for f in result.findings]
    return "\n".join(lines)
