"""``salespm archive <slug>``: build, select the approved documents, convert, pack, list, upload.

The recipe:
1. Build the project (unchanged documents are reused) and select what may be archived: documents
   that are 已批准 and complete (no E finding). Every other due document is a gap (R-ARC-1): the
   archive stops on a gap unless ``allow_incomplete``, and the 归档清单 then shows it.
2. Read what the target already holds (its ``archive-register.json``): the target is the truth.
   The local staging copy under ``output/.archive/<slug>/`` is only a cache of it.
3. For each selected document whose built files are not archived yet, give it the next 档号 and
   convert its PDF into PDF/A-3b with the project's source YAML and its DOCX embedded. A new
   version, or a changed document under the same version, is a new record: nothing is replaced.
4. Render this edition of the ARC 归档清单 (DOCX, PDF/A, XLSX) from the register, pack everything
   into a BagIt bag (sha256) and validate it.
5. Upload the bag with ``upload.upload_bag`` (journaled, verified, resumable).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import dates
from ..artifacts.registry import REGISTRY, Instance
from ..build import Renderer, Workspace, build, file_name, load_facts
from ..loader import project_dir
from ..confine import inside
from ..config import COMPANY_FILE, ArchiveTargetCfg, load_settings
from ..context import build_context, is_draft
from ..errors import ArchiveError, SalespmError
from ..facts import Facts
from ..status import is_due
from .register import PDFA, REGISTER_FILE, ArchiveView, Gap, Record, Register, archival_code

Notify = Callable[[str], None]

#: the staging area, beside (not inside) the published ``output/<slug>/``, which a build replaces:
#: ``output/.archive/<slug>/<target>/`` (payload, bag, journal) and ``…/<slug>/pdfa-cache/``
STAGING = ".archive"
#: the properties each archived file carries on a WebDAV server (PROPPATCH)
PROPERTY_NAMES = ("archival-code", "retention", "version", "document-number", "sha256")


@dataclass
class ArchiveResult:
    """What one ``salespm archive`` did."""

    target: str
    folder: str
    """The project's folder on the target."""
    added: list[Record] = field(default_factory=list)
    kept: int = 0
    """Records already archived before this run."""
    gaps: list[Gap] = field(default_factory=list)
    arc_files: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    bag: Path | None = None
    bag_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds of each step: build, pdfa, arc, bag, upload (``make bench``)."""


def archive(root: Path, slug: str, *, target_name: str | None = None, allow_incomplete: bool = False,
            notify: Notify | None = None, jobs: int = 1) -> ArchiveResult:
    """Archive the approved documents of ``projects/<slug>/`` to the configured target."""
    say = notify or (lambda message: None)
    ws = Workspace(root.resolve())
    # the configuration and the credentials first: a typo in a target's name or a missing password
    # is said at once, not after the build
    cfg = load_settings(ws.root, project_dir(ws.projects, slug)).archive
    if not (cfg.fonds or "").strip():
        raise ArchiveError(f"缺少全宗号：请在 {COMPANY_FILE} 的 archive.fonds 中填写公司档案部门给定的全宗号")
    name = target_name or cfg.target
    if name not in cfg.targets:
        raise ArchiveError(f"没有名为「{name}」的归档目标；{COMPANY_FILE} 的 archive.targets 中有："
                           f"{'、'.join(cfg.targets) or '（无）'}")
    target = open_target(ws, name, cfg.targets[name])
    clock = time.perf_counter()
    result = build(ws.root, slug, notify=notify, jobs=jobs)
    built = time.perf_counter() - clock
    facts = load_facts(ws, slug)
    ready, gaps = select(facts, result)
    if gaps and not allow_incomplete:
        lines = "\n".join(f"  - {g.code} {g.title}：{g.reason}" for g in gaps)
        raise ArchiveError(f"有 {len(gaps)} 份应归档的文件不能归档（R-ARC-1），未归档任何文件：\n{lines}\n"
                           f"请批准并补齐后再归档；确需先归档其余文件时加 --allow-incomplete（归档清单将列出缺漏）")

    p = facts.project.project
    folder = safe_segment(f"{p.code}_{p.name}")
    staging = ws.output / STAGING / slug / name
    staging.mkdir(parents=True, exist_ok=True)
    with _locked(staging / "lock"):
        out = _archive(ws, facts, result, ready, gaps, target, folder, staging, say, jobs)
    out.seconds["build"] = built
    return out


def _archive(ws, facts, result, ready, gaps, target, folder, staging, say, jobs) -> ArchiveResult:
    from .targets import LocalTarget
    from .upload import UploadItem, upload_bag

    p = facts.project.project
    cfg = facts.settings.archive
    today = dates.today()
    shown = _shown(ws, target, folder)
    out = ArchiveResult(shown, folder, gaps=gaps)
    payload = staging / "payload"
    payload.mkdir(exist_ok=True)

    say(f"读取归档目标上的登记：{target.label}")
    register = _remote_register(target, folder, staging, p.code, cfg.fonds)
    out.kept = len(register.records)
    mismatches = _sync_payload(target, folder, register, payload, say)
    if mismatches:  # an archived file changed or lost: stop before anything is added (R-ARC-2)
        _refuse_mismatches(mismatches)

    batch = register.next_batch
    renderer = Renderer(ws)
    todo = [(d, _source_digest(d)) for d in ready]
    todo = [(d, digest) for d, digest in todo
            if register.find(d.instance.artifact.code, d.instance.key, digest) is None]
    records = []
    for document, digest in todo:
        record = _new_record(facts, register, document, digest, batch, today)
        register.records.append(record)  # the next 件号 counts it
        records.append(record)
    clock = time.perf_counter()
    paths = _convert(renderer, facts, [d for d, _ in todo], records, payload, staging.parent / "pdfa-cache", say, jobs)
    out.seconds["pdfa"] = time.perf_counter() - clock
    from .pdfa import page_count

    for i, (record, path) in enumerate(zip(records, paths)):
        record = _with_file_facts(record, path, page_count(path))
        register.records[register.records.index(records[i])] = record
        out.added.append(record)
        earlier = [r for r in register.records if r.code == record.code and r.key == record.key
                   and r.version == record.version and r.batch < batch]
        if earlier:
            out.notices.append(f"「{record.title}」{record.version} 已于 {earlier[-1].archived} 归档（{earlier[-1].archival_code}），"
                               f"此后内容有改动而版本号未变：已作为新的一件归档为 {record.archival_code}，原件保留；"
                               f"建议修改文档时提高版本号")

    if not todo and register.batches:
        say("没有需要归档的新文件；核对归档目标上的归档包")
    if todo or not register.batches:
        register.batches.append({"batch": batch, "date": today.isoformat(), "target": shown,
                                 "added": [r.archival_code for r in out.added],
                                 "gaps": [f"{g.code} {g.title}" for g in gaps]})
        facts.archive = ArchiveView(register, today, shown, gaps, mismatches)
        clock = time.perf_counter()
        out.arc_files = _render_arc(renderer, facts, payload, register, batch, today)
        out.seconds["arc"] = time.perf_counter() - clock
        register.batches[-1]["arc"] = out.arc_files

    clock = time.perf_counter()
    bag = _make_bag(staging, payload, register, facts, today)
    out.seconds["bag"] = time.perf_counter() - clock
    out.bag = bag
    items = _items(bag, register, UploadItem)
    clock = time.perf_counter()
    report = upload_bag(bag, target, folder, items, staging / "journal.jsonl", say)
    out.seconds["upload"] = time.perf_counter() - clock
    out.bag_bytes = sum(p.stat().st_size for p in bag.rglob("*") if p.is_file())
    out.uploaded, out.skipped = report.uploaded, report.skipped
    _prune(staging.parent / "pdfa-cache")
    if report.properties_unsupported and not isinstance(target, LocalTarget):
        out.notices.append(f"{target.label} 不保存 WebDAV 属性（PROPPATCH）：档号、保管期限等元数据只记录在"
                           f"归档登记（{REGISTER_FILE}）与 bag-info.txt 中")
    return out


# -- 1. what may be archived ---------------------------------------------------------------------

def select(facts: Facts, result) -> tuple[list, list[Gap]]:
    """(documents to archive, gaps): 已批准 and complete documents with a PDF; every other due
    document — missing, not approved, failing an E rule, or missing from its series — is a gap."""
    stage = facts.project.project.stage
    ready, gaps = [], []
    for document in result.documents:
        a, key = document.instance.artifact, document.instance.key
        if not any(f.format == "pdf" for f in document.files):
            continue  # the weekly mail (.eml) is correspondence: its week's report is archived
        control, where = facts.control(a.code, key)
        errors = [f for f in document.findings if f.severity == "E"]
        title = a.full_title(facts, key)
        if control.status == "已批准" and not errors:
            ready.append(document)
        elif is_due(a, stage):
            if control.status != "已批准":
                reason = f"状态为「{control.status or '草稿'}」，未批准（{'.'.join(map(str, where)) or 'documents.' + a.code}.status）"
            else:
                rules = "、".join(sorted({f.rule for f in errors}))
                reason = f"有 {len(errors)} 项错误（{rules}），未通过完整性检查"
            gaps.append(Gap(a.code, key, title, reason, (*where, "status") if control.status != "已批准" else where))
    for a in result.missing:
        if is_due(a, stage) and not a.occasional and not a.made_by:
            gaps.append(Gap(a.code, None, a.title, "缺少数据，未生成"))
    for f in result.series_findings:
        if f.severity == "E":
            code = f.document.split()[0]
            gaps.append(Gap(code, None, f"{REGISTRY[code].title}（系列）" if code in REGISTRY else f.document,
                            f"{f.message}（{f.rule}）"))
    return ready, gaps


# -- 2. the target and what it holds -------------------------------------------------------------

def open_target(ws: Workspace, name: str, cfg: ArchiveTargetCfg):
    """The configured target: a folder inside the repository, or a WebDAV server."""
    from .targets import LocalTarget, WebDavTarget

    if cfg.type == "folder":
        relative = Path(cfg.path or "archive")
        where = f"{COMPANY_FILE}: archive.targets.{name}.path"
        if relative.is_absolute() or ".." in relative.parts:
            raise ArchiveError(f"{where}：归档文件夹应是仓库内的相对路径（如 archive），不能是 {cfg.path}")
        folder = ws.root / relative
        real = inside(ws.root, folder)
        if real is None or real == ws.root.resolve() or any(
                inside(ws.root / top, real) or inside(real, ws.root / top) for top in ("projects", "templates", "output")):
            raise ArchiveError(f"{where}：归档文件夹 {cfg.path} 不能在仓库之外，也不能与 projects/、templates/、output/ 重叠")
        return LocalTarget(folder)
    from urllib.parse import urlsplit

    from ..credentials import login

    host = urlsplit(cfg.url).hostname or ""
    user, password = login(host, cfg.password_env, cfg.username, "WebDAV 归档服务器")
    return WebDavTarget(cfg.url, user, password, timeout=cfg.timeout, retries=cfg.retries,
                        verify=cfg.ca_file or True,
                        password_hint=f"环境变量 {cfg.password_env} 或 ~/.netrc 中的密码")


def _shown(ws: Workspace, target, folder: str) -> str:
    """The target as the 归档清单 and the messages name it: a folder relative to the repository."""
    from .targets import LocalTarget

    if isinstance(target, LocalTarget):
        base = Path(target.folder)
        where = base.relative_to(ws.root).as_posix() if base.is_relative_to(ws.root) else base.as_posix()
        return f"本地归档文件夹 {where}/{folder}/"
    return f"{target.label}（项目文件夹 {folder}/）"


def safe_segment(name: str) -> str:
    """A folder name any server and file system accepts: no slash, control character or edge dot."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(" .")
    return cleaned[:120] or "project"


def _remote_register(target, folder: str, staging: Path, code: str, fonds: str) -> Register:
    local = staging / "remote-register.json"
    local.unlink(missing_ok=True)
    if not target.get(f"{folder}/{REGISTER_FILE}", local):
        return Register(code, fonds)
    return Register.load(local, code, fonds)


def _sync_payload(target, folder: str, register: Register, payload: Path, say: Notify) -> list[tuple[Record, str]]:
    """Check every archived file on the target against the register (fixity, R-ARC-2: a content-hash
    ETag where the server gives one, else the file read back), and make the local payload exactly
    what the register holds, fetching what is missing or different. Returns the records whose
    archived file is missing or not what was recorded, with the SHA-256 found ("" if missing)."""
    wanted = {r.file.removeprefix("data/"): r for r in register.records}
    arc = {f for b in register.batches for f in b.get("arc", [])}
    for path in sorted(payload.rglob("*")):
        rel = path.relative_to(payload).as_posix()
        if path.is_file() and rel not in wanted and rel not in arc:
            path.unlink()  # left by an interrupted run: made again below if still wanted
    if wanted:
        say(f"核对归档目标上已归档的 {len(wanted)} 件文件的校验值")
    mismatches = []
    for rel in sorted(set(wanted) | arc):
        record = wanted.get(rel)
        path = payload / rel
        if record is not None:
            found = target.sha256(f"{folder}/data/{rel}")
            if found != record.sha256:
                mismatches.append((record, found or ""))
                continue
            if path.is_file() and _sha256(path) == record.sha256:
                continue
        elif path.is_file():
            continue
        say(f"从归档目标取回 {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not target.get(f"{folder}/data/{rel}", path) and record is not None:
            mismatches.append((record, ""))
    return mismatches


def _refuse_mismatches(mismatches: list[tuple[Record, str]]) -> None:
    lines = "\n".join(f"  - {r.archival_code}「{r.title}」{r.version}：应为 {r.sha256}，实际 {actual or '文件不存在'}"
                      for r, actual in mismatches)
    raise ArchiveError(f"归档目标上有 {len(mismatches)} 件文件与归档登记的校验值不符（R-ARC-2），已停止：\n{lines}\n"
                       f"归档文件不得改动；请由档案管理员从备份恢复后再归档")


# -- 3. records and PDF/A ------------------------------------------------------------------------

def _source_digest(document) -> str:
    """One SHA-256 over the built files of a document: what its record was made from."""
    h = hashlib.sha256()
    for f in sorted(document.files, key=lambda f: f.format):
        h.update(f"{f.format}:{f.sha256}\n".encode())
    return h.hexdigest()


def _new_record(facts: Facts, register: Register, document, digest: str, batch: int, today: dt.date) -> Record:
    a, key = document.instance.artifact, document.instance.key
    control = facts.control(a.code, key)[0]
    approved = control.approved.date if control.approved and control.approved.date else None
    year = (approved or today).year
    retention = facts.settings.archive.retention.get(a.code, "")
    item = register.next_item(year, retention)
    code = archival_code(register.fonds, year, retention, item)
    name = f"{code}_{file_name(document.instance, document.version, 'pdf')}"
    return Record(archival_code=code, year=year, retention=retention, item=item, code=a.code, key=key,
                  title=a.full_title(facts, key), number=control.number or "", version=document.version,
                  pages=0, classification=control.classification or "", format=PDFA, sha256="",
                  file=f"data/{name}", source=digest, archived=today.isoformat(), batch=batch)


def _with_file_facts(record: Record, path: Path, pages: int) -> Record:
    from dataclasses import replace

    return replace(record, pages=pages, sha256=_sha256(path))


def _source_files(facts: Facts) -> list[tuple[str, bytes]]:
    """The project's source YAML files, named by their path in the project folder."""
    folder = facts.folder
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix in (".yaml", ".yml"):
            files.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return files


def _convert(renderer: Renderer, facts: Facts, documents: list, records: list[Record], payload: Path,
             cache: Path, say: Notify, jobs: int) -> list[Path]:
    """Each document as a PDF/A-3b file at its record's place in the payload, in ``jobs`` forked
    workers. A conversion is kept in ``cache`` under the digest of what it is made from (the built
    files and the source YAML), so that a run stopped halfway, or repeated, does not convert again."""
    sources = _source_files(facts)
    yaml_digest = hashlib.sha256(b"".join(name.encode() + b"\0" + hashlib.sha256(data).digest()
                                          for name, data in sources)).hexdigest()
    cache.mkdir(exist_ok=True)
    paths = [payload / r.file.removeprefix("data/") for r in records]
    keyed = [cache / f"{r.source[:32]}-{yaml_digest[:32]}.pdf" for r in records]
    todo = [i for i in range(len(records)) if not keyed[i].is_file()]
    global _CONVERT
    _CONVERT = (renderer, facts, documents, records, keyed, sources)
    try:
        if jobs <= 1 or len(todo) <= 1:
            for n, i in enumerate(todo, 1):
                say(f"转换为 PDF/A-3b [{n}/{len(todo)}] {records[i].title} {records[i].version}")
                _convert_one(i)
        else:
            from concurrent.futures import as_completed

            from ..workers import submit_all, worker_pool

            renderer.warm({d.instance.artifact.code for d in documents})
            with worker_pool(min(jobs, len(todo)), cache) as pool:
                futures = submit_all(pool, _convert_one, [(i,) for i in todo])
                for n, future in enumerate(as_completed(futures), 1):
                    i = future.result()
                    say(f"转换为 PDF/A-3b [{n}/{len(todo)}] {records[i].title} {records[i].version}")
    finally:
        _CONVERT = None
    for path, cached in zip(paths, keyed):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.link(cached, path)
    return paths


def _prune(cache: Path) -> None:
    """Keep the conversions the payload still holds (hard links: they cost no space), so that
    archiving to a second target, or again after a target was reset, converts nothing again."""
    for path in cache.glob("*.pdf") if cache.is_dir() else ():
        if path.stat().st_nlink < 2:
            path.unlink()


#: What ``_convert`` hands its forked workers: (renderer, facts, documents, records, targets, sources).
_CONVERT: tuple | None = None


def _convert_one(i: int) -> int:
    from .pdfa import Embedded, write_pdfa

    renderer, facts, documents, records, targets, sources = _CONVERT
    document = documents[i]
    a, key = document.instance.artifact, document.instance.key
    html = renderer.pdf.html(f"{a.code}.html", build_context(facts, a, key, False))
    embedded = [Embedded(embedded_name(name), data, "application/yaml", f"项目源数据 projects/{facts.slug}/{name}")
                for name, data in sources]
    for f in document.files:
        if f.format in ("docx", "xlsx"):
            embedded.append(Embedded(f.path.name, f.path.read_bytes(), _MIME[f.format],
                                     "可编辑原件（Word）" if f.format == "docx" else "登记表原件（Excel）"))
    write_pdfa(renderer.pdf, html, targets[i], embedded)
    _verify(targets[i], embedded, records[i].title)
    return i


def _verify(path: Path, embedded: list, title: str) -> None:
    """Refuse (and remove) a conversion that is not a PDF/A-3b archive file with exactly these
    associated files: identification, output intent, /AF, every font embedded, ``qpdf --check``."""
    from .pdfa import pdfa_problems

    problems = pdfa_problems(path, [e.name for e in embedded])
    if problems:
        path.unlink(missing_ok=True)
        raise ArchiveError(f"「{title}」转换后的 PDF/A-3b 文件未通过核验，未归档：\n" +
                           "\n".join(f"  - {p}" for p in problems))


def embedded_name(relative: str) -> str:
    """The name a source file is embedded under: no folders (``weekly/2026-W15.yaml`` →
    ``weekly__2026-W15.yaml``); its description gives the path."""
    return relative.replace("/", "__")


_MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# -- 4. the 归档清单 and the bag ------------------------------------------------------------------

def _render_arc(renderer: Renderer, facts: Facts, payload: Path, register: Register, batch: int,
                today: dt.date) -> list[str]:
    """This edition of the ARC 归档清单: DOCX, XLSX and a PDF/A-3b embedding both and the register."""
    import tempfile

    from .pdfa import Embedded, write_pdfa

    allowed = {"R-ARC-1"} if facts.archive.gaps else set()
    instance = Instance(REGISTRY["ARC"])
    with tempfile.TemporaryDirectory(dir=payload.parent) as tmp:
        document = renderer.render(facts, instance, Path(tmp))
        errors = [f for f in document.findings if f.severity == "E" and f.rule not in allowed]
        if errors:
            lines = "\n".join(f"  - [{f.rule}] {f.location}: {f.message}" for f in errors)
            raise ArchiveError(f"归档清单未通过检查，未归档任何文件：\n{lines}")
        stem = f"ARC_归档清单_第{batch}次_{today.isoformat()}"
        names = []
        folder = payload / "ARC"
        folder.mkdir(exist_ok=True)
        files = {f.format: f.path for f in document.files}
        for fmt in ("docx", "xlsx"):
            shutil.copyfile(files[fmt], folder / f"{stem}.{fmt}")
            names.append(f"ARC/{stem}.{fmt}")
        draft = is_draft(facts, instance.artifact, None, any(f.severity == "E" for f in document.findings))
        html = renderer.pdf.html("ARC.html", build_context(facts, instance.artifact, None, draft))
        embedded = [Embedded(REGISTER_FILE, register.dump().encode(), "application/json", "归档登记（机器可读）")]
        embedded += [Embedded(f"{stem}.{fmt}", files[fmt].read_bytes(), _MIME[fmt],
                              "可编辑原件（Word）" if fmt == "docx" else "归档清单（Excel）") for fmt in ("docx", "xlsx")]
        write_pdfa(renderer.pdf, html, folder / f"{stem}.pdf", embedded)
        _verify(folder / f"{stem}.pdf", embedded, "归档清单")
        names.insert(1, f"ARC/{stem}.pdf")
    return names


def _make_bag(staging: Path, payload: Path, register: Register, facts: Facts, today: dt.date) -> Path:
    """A BagIt bag (sha256) of the payload and the register, validated, replacing the last one."""
    import bagit

    p = facts.project.project
    fresh = staging / "bag.new"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    for path in sorted(payload.rglob("*")):
        if path.is_file():
            target = fresh / path.relative_to(payload)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    date = register.batches[-1]["date"] if register.batches else today.isoformat()
    info = {
        "Bagging-Date": date,
        "Source-Organization": p.company,
        "External-Identifier": p.code,
        "External-Description": f"{p.name} 项目归档（全宗号 {register.fonds}）",
        "Project-Code": p.code,
        "Project-Name": p.name,
        "Client": facts.project.client.name,
        "Fonds": register.fonds,
        "Archive-Date": date,
        "Archive-Batch": str(register.batches[-1]["batch"] if register.batches else 0),
        "Record-Count": str(len(register.records)),
    }
    try:
        bag = bagit.make_bag(str(fresh), info, processes=1, checksums=["sha256"])
        (fresh / REGISTER_FILE).write_text(register.dump(), encoding="utf-8")
        bag.save(manifests=True)
        bagit.Bag(str(fresh)).validate()
    except (bagit.BagError, OSError) as exc:
        raise ArchiveError(f"封装 BagIt 归档包失败：{exc}") from exc
    final = staging / "bag"
    old = staging / "bag.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _items(bag: Path, register: Register, UploadItem) -> list:
    """Every file of the bag, with the archive properties of each record's file."""
    records = {r.file: r for r in register.records}
    items = []
    for path in sorted(bag.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(bag).as_posix()
        r = records.get(rel)
        props = {}
        if r is not None:
            props = dict(zip(PROPERTY_NAMES, (r.archival_code, r.retention, r.version, r.number, r.sha256)))
        items.append(UploadItem(rel, _sha256(path), props))
    return items


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _locked:
    """One archive of a project at a time (a second one waits)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.handle = open(self.path, "w")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
