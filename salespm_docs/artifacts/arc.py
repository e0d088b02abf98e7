"""ARC 归档清单: every file in a project's archive, with its 档号, 保管期限 and SHA-256, and the gaps.

Made by ``salespm archive`` (``made_by``), not by a build: its rows are the archive register
(``archive/register.py``), known only once the approved documents are converted and packed, and it
is itself filed with them, in DOCX, PDF and XLSX. Each run that archives something adds an edition;
the earlier ones stay in the archive. The archive sets ``Facts.archive`` before rendering it.
Rules R-ARC-1…4 (ARTIFACTS.md §4); any E finding stops the upload (R-ARC-1 only without
``--allow-incomplete``, and the list then shows the gap, as a draft).
"""

from __future__ import annotations

from ..archive.register import PDFA, ArchiveView, numbering_problems
from ..config import COMPANY_FILE
from ..facts import Facts
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("归档说明", "归档文件目录", "未归档文件", "移交与接收")
DEPENDS = ("project", "client", "organisation", "team", "documents")


def _view(facts: Facts) -> ArchiveView:
    view = getattr(facts, "archive", None)
    if view is None:
        raise ValueError("ARC is made by salespm archive, which sets Facts.archive first")
    return view


@rule("R-ARC-1", "E", "每份应归档文件均已生成且已批准")
def every_due_document_archived(facts: Facts, artifact, key):
    for gap in _view(facts).gaps:
        yield (gap.where or f"{gap.code}"), f"「{gap.title}」未归档：{gap.reason}"


@rule("R-ARC-2", "E", "校验值与归档文件一致")
def checksums_match(facts: Facts, artifact, key):
    for record, actual in _view(facts).mismatches:
        yield record.archival_code, (f"「{record.title}」{record.version} 的归档文件 {record.file} 的 SHA-256 为 "
                                     f"{actual or '（文件不存在）'}，与归档登记的 {record.sha256} 不符：归档文件已被改动或损坏")


@rule("R-ARC-3", "E", "每条记录有保管期限")
def every_record_has_retention(facts: Facts, artifact, key):
    for record in _view(facts).register.records:
        if not record.retention:
            yield f"{COMPANY_FILE}: archive.retention.{record.code}", (
                f"「{record.title}」没有保管期限：请在 {COMPANY_FILE} 的 archive.retention 中为 {record.code} "
                f"设定 永久、30年 或 10年")


@rule("R-ARC-4", "E", "档号唯一，件号连续")
def numbers_unique_and_gapless(facts: Facts, artifact, key):
    for problem in numbering_problems(_view(facts).register.records):
        yield "归档登记", problem


def _context(facts: Facts, key):
    view = _view(facts)
    records = view.register.ordered()
    rows = [{"seq": i, "archival_code": r.archival_code, "title": r.title, "number": r.number or "—",
             "version": r.version, "pages": r.pages, "classification": r.classification or "—",
             "retention": r.retention or "未定", "format": r.format, "sha256": r.sha256,
             "archived": r.archived, "batch": r.batch}
            for i, r in enumerate(records, 1)]
    batch = view.register.batches[-1] if view.register.batches else {}
    return {
        "archive": {
            "fonds": view.register.fonds,
            "date": view.date,
            "target": view.target,
            "batch": batch.get("batch", 1),
            "added": sum(1 for r in records if r.batch == batch.get("batch")),
            "total": len(records),
            "pages": sum(r.pages for r in records),
            "documents": len({(r.code, r.key) for r in records}),
            "format": PDFA,
        },
        "records": rows,
        "gaps": [{"code": g.code, "title": g.title, "reason": g.reason} for g in view.gaps],
        "handover": [{"role": "移交人（项目组）", "name": facts.project.organisation.manager},
                     {"role": "接收人（档案部门）", "name": None}],
    }


def _key_values(facts: Facts, key):
    return [r.archival_code for r in _view(facts).register.records]


register(Artifact(
    code="ARC",
    sections=SECTIONS,
    context=_context,
    rules=(every_due_document_archived, checksums_match, every_record_has_retention, numbers_unique_and_gapless),
    key_values=_key_values,
    depends_on=DEPENDS,
    formats=("docx", "pdf", "xlsx"),
    made_by="archive",
))
