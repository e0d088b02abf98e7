"""The journaled, resumable upload of a BagIt bag (``upload_bag``) to real WebDAV servers (WsgiDAV,
``rclone serve webdav``) and a local folder. A person's checks: every file is downloaded back
(``list_files`` + ``get``) and the bag validates with ``bagit``; payload first and the tag manifest
last; properties read back by PROPFIND; a re-run uploads nothing; an archived payload file is never
overwritten; a wrong password, a full server (507), a server killed mid-PUT and an uploading process
SIGKILLed mid-run leave a journal that records only what the server verified, and the next run
completes the bag without duplicates."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import bagit
import pytest
from dav_servers import (PASSWORD, USER, ProcessDav, ThreadDav, dav_server, no_proxy,  # noqa: F401
                         unique_folder, wsgidav_server)

from salespm_docs.archive.targets import LocalTarget, Target, WebDavTarget
from salespm_docs.archive.upload import UploadItem, upload_bag
from salespm_docs.errors import ArchiveError

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = {
    "1001-2026-D30-0003_项目章程_V1.0.pdf": 30_000,
    "1001-2026-D30-0004_需求 #2 100%.pdf": 12_000,
    "附件/现场 照片 #1.pdf": 20_000,
    "附件/空.txt": 0,
}


def sha_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_bag(where: Path, seed: str = "v1", payload: dict[str, int] = PAYLOAD) -> Path:
    """A small bag of pseudo-PDFs (content depends on ``seed``)."""
    bag_dir = where / f"bag-{seed}"
    for name, size in payload.items():
        path = bag_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        block = hashlib.sha256(f"{seed}:{name}".encode()).digest()
        path.write_bytes((block * (size // len(block) + 1))[:size])
    bagit.make_bag(str(bag_dir), {"Source-Organization": "华星科技", "External-Identifier": "1001-2026"},
                   checksums=["sha256"])
    return bag_dir


def props_of(rel: str) -> dict[str, str]:
    return {"archival-code": "档号 " + rel.rpartition("/")[2][:18], "title": "项目章程 <V1.0> & 附件",
            "retention": "永久"} if rel.startswith("data/") else {}


def items_of(bag_dir: Path, with_props: bool = True) -> list[UploadItem]:
    items = []
    for path in sorted(bag_dir.rglob("*")):
        if path.is_file():
            rel = path.relative_to(bag_dir).as_posix()
            items.append(UploadItem(rel, sha_file(path), props_of(rel) if with_props else {}))
    return items


def journal_entries(journal: Path, skip: set[int] = frozenset()) -> list[dict]:
    """The journal's entries; every line must be JSON but those numbered in ``skip``."""
    if not journal.exists():
        return []
    lines = journal.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for n, line in enumerate(lines) if n not in skip]


def verified(journal: Path, skip: set[int] = frozenset()) -> list[str]:
    return [e["rel"] for e in journal_entries(journal, skip) if e["status"] == "verified"]


def download_and_validate(target: Target, folder: str, dest: Path, items: list[UploadItem]) -> None:
    """Everything under ``folder`` downloaded into ``dest``: exactly the bag's files, a valid bag."""
    listed = target.list_files(folder)
    assert listed == sorted(item.rel for item in items)
    for rel in listed:
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        assert target.get(f"{folder}/{rel}", path)
    for item in items:
        assert sha_file(dest / item.rel) == item.sha256
    bagit.Bag(str(dest)).validate()


def webdav(server, **kwargs) -> WebDavTarget:
    kwargs.setdefault("retries", 2)
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("timeout", 5)
    return WebDavTarget(server.url, USER, PASSWORD, **kwargs)


# -- the normal run -----------------------------------------------------------------------------

def test_upload_then_rerun_uploads_nothing(dav_server, tmp_path):
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    target = webdav(dav_server)
    folder = unique_folder("归档/1001-2026 项目")
    journal = tmp_path / "archive-journal.jsonl"
    lines: list[str] = []
    report = upload_bag(bag_dir, target, folder, items, journal, notify=lines.append)

    payload = [i.rel for i in items if i.rel.startswith("data/")]
    assert report.uploaded[: len(payload)] == payload                    # payload first
    assert report.uploaded[-1] == "tagmanifest-sha256.txt"               # the tag manifest last
    assert sorted(report.uploaded) == sorted(i.rel for i in items)
    assert report.skipped == []
    assert report.properties_unsupported is (dav_server.kind == "rclone")
    assert lines[0] == f"上传 [1/{len(items)}] data/1001-2026-D30-0003_项目章程_V1.0.pdf（29 KB）"
    assert f"上传 [{len(items)}/{len(items)}] tagmanifest-sha256.txt（" in lines[-1]
    entries = journal_entries(journal)
    assert [e["rel"] for e in entries if e["status"] == "verified"] == report.uploaded
    assert all(e["target"] == target.label and e["folder"] == folder for e in entries)
    assert {e["rel"]: e["sha256"] for e in entries} == {i.rel: i.sha256 for i in items}

    if dav_server.kind == "wsgidav":
        for item in items:
            if item.properties:
                assert target.get_properties(f"{folder}/{item.rel}", list(item.properties)) == item.properties
        assert sorted(e["rel"] for e in entries if e["status"] == "properties") == sorted(payload)

    download_and_validate(target, folder, tmp_path / "back", items)

    # a re-run uploads nothing: from the journal …
    lines.clear()
    again = upload_bag(bag_dir, target, folder, items, journal, notify=lines.append)
    assert again.uploaded == [] and sorted(again.skipped) == sorted(i.rel for i in items)
    assert lines == [f"跳过 {len(items)} 个已在{target.label}上核验过的文件"]
    # … and without a journal, from the server's own hashes
    fresh = tmp_path / "other-journal.jsonl"
    third = upload_bag(bag_dir, webdav(dav_server), folder, items, fresh)
    assert third.uploaded == [] and len(third.skipped) == len(items)
    assert sorted(verified(fresh)) == sorted(i.rel for i in items)


def test_archived_payload_is_never_overwritten(dav_server, tmp_path):
    target = webdav(dav_server)
    folder = unique_folder("不覆盖")
    first = make_bag(tmp_path, "v1")
    upload_bag(first, target, folder, items_of(first), tmp_path / "j1.jsonl")
    before = {p: p.read_bytes() for p in (dav_server.root / folder).rglob("*") if p.is_file()}

    second = make_bag(tmp_path, "v2")                 # same names, other content
    with pytest.raises(ArchiveError) as caught:
        upload_bag(second, target, folder, items_of(second), tmp_path / "j2.jsonl")
    assert str(caught.value) == (
        f"{target.label}：{folder} 中已归档的 data/1001-2026-D30-0003_项目章程_V1.0.pdf、"
        "data/1001-2026-D30-0004_需求 #2 100%.pdf、data/附件/现场 照片 #1.pdf 与本次的内容不同"
        "（远端 manifest-sha256.txt 记录了另一个 sha256）；已归档的文件不会被覆盖，本次没有上传任何文件。"
        "如需归档新版本，请使用新的版本号或新的归档文件夹")
    after = {p: p.read_bytes() for p in (dav_server.root / folder).rglob("*") if p.is_file()}
    assert after == before                             # nothing on the server changed
    assert journal_entries(tmp_path / "j2.jsonl") == []


def test_partial_payload_not_in_manifest_is_replaced(dav_server, tmp_path):
    target = webdav(dav_server)
    folder = unique_folder("残留")
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    partial = tmp_path / "partial"
    partial.write_bytes(b"half a pdf")
    target.ensure_folder(f"{folder}/data")
    target.put(f"{folder}/data/1001-2026-D30-0003_项目章程_V1.0.pdf", partial)   # left by a killed run
    report = upload_bag(bag_dir, target, folder, items, tmp_path / "j.jsonl")
    assert "data/1001-2026-D30-0003_项目章程_V1.0.pdf" in report.uploaded
    download_and_validate(target, folder, tmp_path / "back", items)


def test_wrong_password_records_nothing(dav_server, tmp_path):
    bag_dir = make_bag(tmp_path)
    target = WebDavTarget(dav_server.url, USER, "wrong", retries=2, backoff=0.01,
                          password_hint="环境变量 SALESPM_WEBDAV_PASSWORD 中的密码")
    folder = unique_folder("密码")
    journal = tmp_path / "j.jsonl"
    with pytest.raises(ArchiveError) as caught:
        upload_bag(bag_dir, target, folder, items_of(bag_dir), journal)
    assert str(caught.value) == (f"WebDAV 服务器 {dav_server.url}：创建文件夹「{folder}」失败：用户名或密码错误"
                                 "（HTTP 401，用户 u）；请检查用户名与环境变量 SALESPM_WEBDAV_PASSWORD 中的密码")
    assert not journal.exists()
    assert not (dav_server.root / folder).exists()


# -- failures in the middle ---------------------------------------------------------------------

def test_storage_full_marks_nothing_unverified(tmp_path):
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    server = ThreadDav(tmp_path / "full", quota=40_000)     # the first payload file fits, the second does not
    try:
        target = webdav(server)
        journal = tmp_path / "j.jsonl"
        with pytest.raises(ArchiveError) as caught:
            upload_bag(bag_dir, target, "满", items, journal)
        assert str(caught.value) == (f"WebDAV 服务器 {server.url}：上传「满/data/1001-2026-D30-0004_需求 #2 100%.pdf」"
                                     "失败：服务器存储空间已满（HTTP 507）；请清理空间或请管理员扩容后重新运行 salespm archive")
        assert verified(journal) == ["data/1001-2026-D30-0003_项目章程_V1.0.pdf"]
        for rel in verified(journal):                          # what the journal says is really there
            assert sha_file(server.root / "满" / rel) == sha_file(bag_dir / rel)
    finally:
        server.stop()


def test_transient_503_during_upload(wsgidav_server, tmp_path):
    faults = wsgidav_server.faults
    faults.reset()
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    slept: list[float] = []
    target = webdav(wsgidav_server, retries=3, sleep=slept.append)
    faults.fail_503, faults.fail_methods = 2, ("PUT",)
    report = upload_bag(bag_dir, target, unique_folder("503"), items, tmp_path / "j.jsonl")
    assert sorted(report.uploaded) == sorted(i.rel for i in items)
    assert slept == [0.01, 0.02]
    assert faults.counts["PUT"] == len(items) + 2
    faults.reset()


def test_server_killed_mid_upload_then_resumed(tmp_path):
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    server = ProcessDav(tmp_path / "files", tmp_path / "props.shelve", kill_after_puts=2)
    try:
        journal = tmp_path / "j.jsonl"
        folder = "归档 #1/1001-2026"
        with pytest.raises(ArchiveError) as caught:
            upload_bag(bag_dir, webdav(server), folder, items, journal)
        assert server.wait_dead() == 9
        text = str(caught.value)
        assert text.startswith(f"WebDAV 服务器 {server.url} 无法访问或出错：上传「{folder}/data/附件/现场 照片 #1.pdf」失败（")
        assert text.endswith("），已重试 2 次；请稍后重新运行 salespm archive，已核验上传的文件记录在上传日志中，会从中断处继续")
        assert verified(journal) == [i.rel for i in items if i.rel.startswith("data/")][:2]

        server.start()                                          # the same port, the same files and properties
        target = webdav(server)
        report = upload_bag(bag_dir, target, folder, items, journal)
        assert sorted(report.skipped) == verified(journal)[:2]
        assert "data/附件/现场 照片 #1.pdf" in report.uploaded     # the half-written file was replaced
        rels = verified(journal)
        assert sorted(rels) == sorted(i.rel for i in items) and len(rels) == len(set(rels))   # no duplicates
        download_and_validate(target, folder, tmp_path / "back", items)
        for item in items:
            if item.properties:
                assert target.get_properties(f"{folder}/{item.rel}", list(item.properties)) == item.properties
    finally:
        server.stop()


UPLOADER = """
import sys, json
from pathlib import Path
from salespm_docs.archive.targets import WebDavTarget
from salespm_docs.archive.upload import UploadItem, upload_bag
args = json.loads(sys.argv[1])
items = [UploadItem(**i) for i in args["items"]]
target = WebDavTarget(args["url"], "u", "p", retries=1, backoff=0.01)
upload_bag(Path(args["bag"]), target, args["folder"], items, Path(args["journal"]))
"""


def test_uploader_killed_then_rerun_completes(wsgidav_server, tmp_path):
    faults = wsgidav_server.faults
    faults.reset()
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    journal = tmp_path / "j.jsonl"
    folder = unique_folder("进程被杀")
    faults.put_delay = 0.15
    args = {"url": wsgidav_server.url, "bag": str(bag_dir), "folder": folder, "journal": str(journal),
            "items": [{"rel": i.rel, "sha256": i.sha256, "properties": i.properties} for i in items]}
    proc = subprocess.Popen([sys.executable, "-c", UPLOADER, json.dumps(args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while len(verified(journal)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(0.05)                                       # into the next PUT
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(5) == -signal.SIGKILL, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    faults.put_delay = 0.0
    faults.wait_idle()                                         # the dead client's PUT is over on the server too
    done_before = verified(journal)
    assert 2 <= len(done_before) < len(items)
    for rel in done_before:                                    # recorded ⇒ really on the server
        assert sha_file(wsgidav_server.root / folder / rel) == sha_file(bag_dir / rel)

    target = webdav(wsgidav_server)
    report = upload_bag(bag_dir, target, folder, items, journal)
    assert set(done_before) <= set(report.skipped)
    rels = verified(journal)
    assert sorted(rels) == sorted(i.rel for i in items) and len(rels) == len(set(rels))
    download_and_validate(target, folder, tmp_path / "back", items)
    for item in items:
        if item.properties:
            assert target.get_properties(f"{folder}/{item.rel}", list(item.properties)) == item.properties


def test_truncated_journal_line_is_ignored(dav_server, tmp_path):
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    target = webdav(dav_server)
    folder = unique_folder("日志")
    journal = tmp_path / "j.jsonl"
    upload_bag(bag_dir, target, folder, items[:2], journal)
    with open(journal, "ab") as handle:                        # a line cut short by SIGKILL
        handle.write('{"target": "WebDAV 服务器", "rel": "data/半'.encode())
    report = upload_bag(bag_dir, target, folder, items, journal)
    assert sorted(report.skipped) == sorted(i.rel for i in items[:2])
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert lines[2] == '{"target": "WebDAV 服务器", "rel": "data/半'
    assert sorted(verified(journal, skip={2})) == sorted(i.rel for i in items)
    download_and_validate(target, folder, tmp_path / "back", items)


# -- local folder -------------------------------------------------------------------------------

def test_local_target_same_semantics(tmp_path):
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    base = tmp_path / "archive"
    target = LocalTarget(base)
    journal = tmp_path / "j.jsonl"
    folder = "1001-2026 华星 #1"
    report = upload_bag(bag_dir, target, folder, items, journal)
    assert report.uploaded[-1] == "tagmanifest-sha256.txt"
    assert report.properties_unsupported is True
    download_and_validate(target, folder, tmp_path / "back", items)
    assert upload_bag(bag_dir, target, folder, items, journal).uploaded == []
    assert upload_bag(bag_dir, target, folder, items, tmp_path / "new.jsonl").uploaded == []
    other = make_bag(tmp_path, "v2")
    with pytest.raises(ArchiveError) as caught:
        upload_bag(other, target, folder, items_of(other), tmp_path / "j2.jsonl")
    assert str(caught.value).startswith(f"本地文件夹 {base}：{folder} 中已归档的 data/1001-2026-D30-0003_项目章程_V1.0.pdf")
    bagit.Bag(str(base / folder)).validate()                 # still the first bag, whole


def test_verification_failure_is_not_recorded(tmp_path):
    class Corrupting(LocalTarget):
        puts = 0

        def put(self, rel: str, source: Path) -> None:
            super().put(rel, source)
            if rel.endswith(".pdf"):
                type(self).puts += 1
                with open(self.folder / rel, "ab") as handle:
                    handle.write(b"!")                       # the server stored something else

    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    target = Corrupting(tmp_path / "archive")
    journal = tmp_path / "j.jsonl"
    with pytest.raises(ArchiveError) as caught:
        upload_bag(bag_dir, target, "坏", items, journal)
    first = next(i for i in items if i.rel.startswith("data/"))
    wrong = hashlib.sha256((bag_dir / first.rel).read_bytes() + b"!").hexdigest()
    assert str(caught.value) == (f"本地文件夹 {tmp_path / 'archive'}：上传「坏/{first.rel}」后核验失败："
                                 f"服务器上的 sha256 为 {wrong}，应为 {first.sha256}（已重传一次）；"
                                 "该文件未记录为已归档，请重新运行 salespm archive")
    assert Corrupting.puts == 2
    assert journal_entries(journal) == []


def test_cut_short_remote_manifest_line_is_not_trusted(tmp_path):
    """A manifest whose upload was cut short: its last line (no newline) may hold a cut sha256 or path."""
    bag_dir = make_bag(tmp_path)
    items = items_of(bag_dir)
    base = tmp_path / "archive"
    (base / "归档").mkdir(parents=True)
    rel = "data/1001-2026-D30-0003_项目章程_V1.0.pdf"
    (base / "归档" / "manifest-sha256.txt").write_text(f"{'0' * 64}  {rel}", encoding="utf-8")
    report = upload_bag(bag_dir, LocalTarget(base), "归档", items, tmp_path / "j.jsonl")
    assert rel in report.uploaded
    bagit.Bag(str(base / "归档")).validate()
    (base / "归档" / "manifest-sha256.txt").write_text(f"{'0' * 64}  {rel}\n", encoding="utf-8")
    with pytest.raises(ArchiveError):                            # a whole line is trusted
        upload_bag(bag_dir, LocalTarget(base), "归档", items, tmp_path / "j2.jsonl")
