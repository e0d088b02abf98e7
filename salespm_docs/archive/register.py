"""The archive register: every file ever archived for a project, with its 档号 (DA/T 22-2015).

档号 = 全宗号-年度-保管期限代码-件号 (``0001-2026-D30-0007``): the 年度 is the year the document was
approved (else the archiving year), the 保管期限 comes from the configuration per document type
(``archive.retention``: 永久 / 30年 / 10年 → Y / D30 / D10), and the 件号 runs from 0001 within
each 年度 and 保管期限, with no gaps. Records are never changed or removed: archiving a new version
of a document, or a changed file under the same version, adds a record and keeps the old one.

The register travels inside the bag as a tag file (``archive-register.json``), so that the archive
itself says what it holds; the ARC 归档清单 is its printed form.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config import RETENTION_CODES
from ..errors import ArchiveError

REGISTER_FILE = "archive-register.json"
#: the format every archived document is converted to
PDFA = "PDF/A-3b"


@dataclass(frozen=True)
class Record:
    """One archived file: a document version as a PDF/A-3b file, or an edition of the 归档清单."""

    archival_code: str
    """档号, e.g. ``0001-2026-D30-0007``."""
    year: int
    retention: str
    """保管期限: 永久 / 30年 / 10年 (``""`` when the configuration gives none: R-ARC-3)."""
    item: int
    """件号 within (year, retention)."""
    code: str
    """Document type code (CHT, WEEK …)."""
    key: str | None
    title: str
    """文件名称: the document's full title, 「周进度报告（2026-W15）」."""
    number: str
    """文档编号."""
    version: str
    pages: int
    classification: str
    """密级."""
    format: str
    sha256: str
    file: str
    """Its path inside the bag, ``data/…``."""
    source: str
    """The SHA-256 of the built files it was made from: unchanged sources are not archived again."""
    archived: str
    """The archiving date, ISO."""
    batch: int
    """Which run of ``salespm archive`` added it (1, 2 …)."""


@dataclass
class Register:
    """What the archive of one project holds; loaded from and saved to ``archive-register.json``."""

    project: str
    fonds: str
    records: list[Record] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, project: str, fonds: str) -> "Register":
        """The register at ``path``, or an empty one when there is none yet."""
        if not path.is_file():
            return cls(project, fonds)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            records = [Record(**r) for r in data.get("records", [])]
        except (OSError, ValueError, TypeError) as exc:
            raise ArchiveError(f"归档登记 {path.name} 无法读取（{exc}）：归档目标上的登记已损坏，"
                               f"请由档案管理员核对后再归档") from None
        if data.get("project") not in (None, project):
            raise ArchiveError(f"归档目标上的登记属于项目「{data.get('project')}」，不是「{project}」："
                               f"请检查归档目标的配置（archive.targets）")
        return cls(project, data.get("fonds") or fonds, records, list(data.get("batches", [])))

    def dump(self) -> str:
        return json.dumps({"project": self.project, "fonds": self.fonds, "batches": self.batches,
                           "records": [asdict(r) for r in self.records]},
                          ensure_ascii=False, indent=2) + "\n"

    def find(self, code: str, key: str | None, source: str) -> Record | None:
        """The record already made from exactly these built files, if any."""
        return next((r for r in self.records if r.code == code and r.key == key and r.source == source), None)

    def next_item(self, year: int, retention: str) -> int:
        """The next 件号 in (year, retention): one more than the highest so far."""
        return max((r.item for r in self.records if r.year == year and r.retention == retention), default=0) + 1

    @property
    def next_batch(self) -> int:
        return max((b["batch"] for b in self.batches), default=0) + 1

    def ordered(self) -> list[Record]:
        """Records in 档号 order (year, retention, 件号)."""
        rank = {r: i for i, r in enumerate(RETENTION_CODES)}
        return sorted(self.records, key=lambda r: (r.year, rank.get(r.retention, 9), r.item))


def archival_code(fonds: str, year: int, retention: str, item: int) -> str:
    """``0001-2026-D30-0007``; the 保管期限 code is ``未定`` when no 保管期限 is configured (R-ARC-3)."""
    return f"{fonds}-{year}-{RETENTION_CODES.get(retention, '未定')}-{item:04d}"


def numbering_problems(records: list[Record]) -> list[str]:
    """R-ARC-4: duplicate 档号, and gaps in each (年度, 保管期限) sequence of 件号 (which starts at 0001)."""
    problems = []
    seen: dict[str, Record] = {}
    for r in records:
        if r.archival_code in seen:
            problems.append(f"档号 {r.archival_code} 重复：「{seen[r.archival_code].title}」与「{r.title}」")
        seen[r.archival_code] = r
    groups: dict[tuple[int, str], list[int]] = {}
    for r in records:
        groups.setdefault((r.year, r.retention), []).append(r.item)
    for (year, retention), items in sorted(groups.items()):
        missing = sorted(set(range(1, max(items) + 1)) - set(items))
        if missing:
            shown = "、".join(f"{n:04d}" for n in missing[:10]) + ("等" if len(missing) > 10 else "")
            problems.append(f"{year} 年度保管期限「{retention or '未定'}」的件号不连续，缺少 {shown}")
    return problems


@dataclass(frozen=True)
class Gap:
    """A due document that is not archived: missing, not 已批准, or failing an E rule (R-ARC-1)."""

    code: str
    key: str | None
    title: str
    reason: str
    where: tuple = ()
    """Where to fix it in the data (its control block), when it exists."""


@dataclass
class ArchiveView:
    """What the ARC 归档清单 shows and its rules check (``Facts.archive`` while it is rendered)."""

    register: Register
    date: dt.date
    target: str
    """The target, in words (「本地文件夹 archive」, 「WebDAV 服务器 https://…」)."""
    gaps: list[Gap] = field(default_factory=list)
    mismatches: list[tuple[Record, str]] = field(default_factory=list)
    """Records whose file in the bag does not have the recorded SHA-256 (R-ARC-2), with the actual."""
