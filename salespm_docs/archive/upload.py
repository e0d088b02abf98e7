"""Upload a BagIt bag to an archive target, journaled and resumable.

``upload_bag`` puts ``bag_dir/<rel>`` at ``<folder>/<rel>`` on the target:

- payload files (``data/…``) first, then the tag files, ``tagmanifest-sha256.txt`` last, so that the
  remote bag is complete only when everything it lists is there;
- archived payload files are never overwritten: a payload file listed in the REMOTE
  ``manifest-sha256.txt`` with another sha256 stops the upload before anything is sent (a remote
  payload file the remote manifest does not list is a partial upload and is replaced);
- every PUT is verified (the target's sha256 of the file must be the local one; one more PUT,
  then an error), and only then recorded in the journal (JSON lines, flushed and fsynced), then
  the item's properties are set (PROPPATCH);
- an item in the journal (same target, folder, rel and sha256), or already on the target with the
  same sha256, is skipped: a re-run after a complete archive uploads nothing, and a run killed at
  any moment leaves a journal from which the next run completes the bag.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ArchiveError
from .targets import Target, join_rel, size_text

MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class UploadItem:
    rel: str                     # path inside the bag folder, posix: "data/…pdf", "bag-info.txt"
    sha256: str                  # of the local file
    properties: dict[str, str] = field(default_factory=dict)   # PROPPATCH after a verified PUT


@dataclass
class UploadReport:
    uploaded: list[str]
    skipped: list[str]
    properties_unsupported: bool


def _order(items: list[UploadItem]) -> list[UploadItem]:
    """Payload first, then tag files, the tag manifests last (stable within each group)."""
    def rank(item: UploadItem) -> int:
        if item.rel.startswith("data/"):
            return 0
        return 2 if item.rel.startswith("tagmanifest-") else 1
    return sorted(items, key=rank)


class Journal:
    """The JSON-lines upload journal: what was verified on which target, and which properties were set."""

    def __init__(self, path: Path, target: str, folder: str):
        self.path = path
        self.target = target
        self.folder = folder
        self.verified: set[tuple[str, str]] = set()
        self.properties: dict[tuple[str, str], dict[str, str]] = {}
        self._load()

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ArchiveError(f"上传日志 {self.path} 无法读取（{exc.strerror}）") from None
        for line in text.splitlines():
            try:
                entry = json.loads(line)
                if entry.get("target") != self.target or entry.get("folder") != self.folder:
                    continue
                key = (str(entry["rel"]), str(entry["sha256"]))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue                               # a line cut short by a kill, or a stranger
            if entry.get("status") == "verified":
                self.verified.add(key)
            elif entry.get("status") == "properties" and isinstance(entry.get("properties"), dict):
                self.properties[key] = entry["properties"]

    def append(self, rel: str, sha256: str, status: str, **extra: object) -> None:
        entry = {"target": self.target, "folder": self.folder, "rel": rel, "sha256": sha256,
                 "status": status, "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        entry.update(extra)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell():
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":                  # a line cut short by a kill
                        handle.write(b"\n")
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise ArchiveError(f"上传日志 {self.path} 无法写入（{exc.strerror}）；"
                               f"「{rel}」已上传并核验，但未能记录") from None
        key = (rel, sha256)
        if status == "verified":
            self.verified.add(key)
        elif status == "properties":
            self.properties[key] = dict(extra.get("properties", {}))  # type: ignore[arg-type]


def _remote_manifest(target: Target, folder: str) -> dict[str, str]:
    """rel → sha256 of the remote ``manifest-sha256.txt``; {} when there is none."""
    with tempfile.TemporaryDirectory(prefix="salespm-manifest-") as tmp:
        dest = Path(tmp) / MANIFEST
        if not target.get(join_rel(folder, MANIFEST), dest):
            return {}
        text = dest.read_text(encoding="utf-8", errors="replace")
    listed: dict[str, str] = {}
    lines = text.split("\n")
    for line in lines[:-1]:                  # the last piece lacks its newline: a cut-short upload, or ""
        digest, _, rel = line.strip().partition(" ")
        rel = rel.strip().lstrip("*")
        if _HEX64.fullmatch(digest) and rel:
            listed[rel.replace("%0D", "\r").replace("%0A", "\n")] = digest.lower()
    return listed


def upload_bag(bag_dir: Path, target: Target, folder: str, items: list[UploadItem],
               journal: Path, notify: Callable[[str], None] | None = None) -> UploadReport:
    """Upload the bag in ``bag_dir`` (its files ``items``) to ``folder`` on ``target``; see the module doc."""
    say = notify or (lambda _line: None)
    folder = join_rel(folder)
    log = Journal(Path(journal), target.label, folder)
    report = UploadReport(uploaded=[], skipped=[], properties_unsupported=False)

    target.ensure_folder(folder)
    archived = _remote_manifest(target, folder)
    clashes = [item.rel for item in items
               if item.rel.startswith("data/") and item.rel in archived and archived[item.rel] != item.sha256.lower()]
    if clashes:
        shown = "、".join(clashes[:5]) + (f" 等 {len(clashes)} 个文件" if len(clashes) > 5 else "")
        raise ArchiveError(f"{target.label}：{folder} 中已归档的 {shown} 与本次的内容不同（远端 {MANIFEST} "
                           "记录了另一个 sha256）；已归档的文件不会被覆盖，本次没有上传任何文件。"
                           "如需归档新版本，请使用新的版本号或新的归档文件夹")

    ordered = _order(items)
    total = len(ordered)
    for index, item in enumerate(ordered, 1):
        remote = join_rel(folder, item.rel)
        local = Path(bag_dir) / item.rel
        want = item.sha256.lower()
        key = (item.rel, item.sha256)
        if key in log.verified:
            report.skipped.append(item.rel)
        elif target.sha256(remote) == want:
            log.append(item.rel, item.sha256, "verified")
            report.skipped.append(item.rel)
        else:
            parent = join_rel(folder, item.rel.rpartition("/")[0])
            if parent != folder:
                target.ensure_folder(parent)
            try:
                size = local.stat().st_size
            except OSError as exc:
                raise ArchiveError(f"待上传的文件 {local} 无法读取（{exc.strerror}）") from None
            say(f"上传 [{index}/{total}] {item.rel}（{size_text(size)}）")
            for attempt in (1, 2):
                target.put(remote, local)
                got = target.sha256(remote)
                if got == want:
                    break
                if attempt == 2:
                    raise ArchiveError(f"{target.label}：上传「{remote}」后核验失败：服务器上的 sha256 为 "
                                       f"{got or '（文件不存在）'}，应为 {item.sha256}（已重传一次）；"
                                       "该文件未记录为已归档，请重新运行 salespm archive")
            log.append(item.rel, item.sha256, "verified")
            report.uploaded.append(item.rel)
        if item.properties and not report.properties_unsupported and log.properties.get(key) != item.properties:
            if target.set_properties(remote, item.properties):
                log.append(item.rel, item.sha256, "properties", properties=item.properties)
            else:
                report.properties_unsupported = True
    if report.skipped:
        say(f"跳过 {len(report.skipped)} 个已在{target.label}上核验过的文件")
    return report
