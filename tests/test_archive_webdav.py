"""salespm archive to a WebDAV server, end to end through the CLI: WsgiDAV (with dead properties)
and rclone (content-hash ETag, no properties), both started by the tests; then everything is
downloaded and the bag validated. The upload's fault cases (a server killed mid-upload, 507, 401 …)
are tested on ``upload_bag`` itself in tests/test_upload.py; here the command as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import bagit
import pytest
import yaml

from conftest import archived_once, cli
from dav_servers import PASSWORD, USER, ProcessDav, RcloneDav, ThreadDav, no_proxy  # noqa: F401
from salespm_docs.archive.targets import WebDavTarget

SLUG = "huaxing-crm"


@pytest.fixture(scope="module")
def archived_ws(tmp_path_factory):
    """The examples built and huaxing-crm archived once to the local folder (``conftest.archived_once``):
    its PDF/A conversions are kept in the staging cache, so archiving to a server converts nothing again."""
    return archived_once(tmp_path_factory)


def _workspace(archived: Path, tmp_path: Path, url: str, **extra) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(archived, root, symlinks=True)
    (root / ".done").unlink()
    target = {"type": "webdav", "url": url, "username": USER, **extra}
    (root / "salespm.yaml").write_text(yaml.safe_dump({"archive": {"targets": {"dms": target}}},
                                                      allow_unicode=True), encoding="utf-8")
    return root


def _download(url: str, folder: str, into: Path) -> Path:
    """Everything under ``folder`` on the server, fetched back into ``into``."""
    target = WebDavTarget(url, USER, PASSWORD, retries=0)
    names = target.list_files(folder)
    assert names, f"nothing on the server under {folder}"
    for name in names:
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        assert target.get(f"{folder}/{name}", into / name)
    return into


@pytest.fixture(params=["wsgidav", "rclone"])
def server(request, tmp_path):
    server = ThreadDav(tmp_path / "dav") if request.param == "wsgidav" else RcloneDav(tmp_path / "dav")
    yield server
    server.stop()


def test_archive_to_webdav_then_download_and_validate(archived_ws, tmp_path, server, monkeypatch):
    root = _workspace(archived_ws, tmp_path, server.url + "公司档案/")
    monkeypatch.setenv("SALESPM_DAV_PASSWORD", PASSWORD)
    WebDavTarget(server.url, USER, PASSWORD).ensure_folder("公司档案")
    run = cli(root, "archive", SLUG, "--target", "dms")
    assert run.exit_code == 0, run.output
    assert "转换为 PDF/A-3b" not in run.stderr          # the conversions were kept from the first archive
    assert "上传 [1/" in run.stderr                    # progress of the upload
    local = json.loads(next((root / "archive").glob("*/archive-register.json")).read_text(encoding="utf-8"))
    folder = next(p.name for p in (root / "archive").iterdir())
    bag_dir = _download(server.url, f"公司档案/{folder}", tmp_path / "back")
    bagit.Bag(str(bag_dir)).validate()
    remote = json.loads((bag_dir / "archive-register.json").read_text(encoding="utf-8"))
    assert [r["sha256"] for r in remote["records"]] == [r["sha256"] for r in local["records"]]
    assert [r["archival_code"] for r in remote["records"]] == [r["archival_code"] for r in local["records"]]
    charter = next(r for r in remote["records"] if r["code"] == "CHT")
    target = WebDavTarget(server.url, USER, PASSWORD)
    if server.keeps_properties:
        props = target.get_properties(f"公司档案/{folder}/{charter['file']}",
                                      ["archival-code", "retention", "version", "document-number", "sha256"])
        assert props == {"archival-code": charter["archival_code"], "retention": "永久", "version": "V1.0",
                         "document-number": "HX-P2026017-CHT-01", "sha256": charter["sha256"]}
        assert "不保存 WebDAV 属性" not in run.stdout
    else:
        assert "不保存 WebDAV 属性（PROPPATCH）" in run.stdout

    again = cli(root, "archive", SLUG, "--target", "dms")
    assert again.exit_code == 0, again.output
    assert "本次新增 0 件" in again.stdout and "上传 0 个文件" in again.stdout


def test_a_wrong_password_archives_nothing(archived_ws, tmp_path, monkeypatch):
    server = ThreadDav(tmp_path / "dav")
    try:
        root = _workspace(archived_ws, tmp_path, server.url)
        monkeypatch.setenv("SALESPM_DAV_PASSWORD", "wrong")
        run = cli(root, "archive", SLUG, "--target", "dms")
        assert run.exit_code == 1
        assert "401" in run.stderr and "SALESPM_DAV_PASSWORD" in run.stderr
        assert list((tmp_path / "dav").iterdir()) == []
        journal = root / "output" / ".archive" / SLUG / "dms" / "journal.jsonl"
        assert not journal.exists() or journal.read_text(encoding="utf-8").strip() == ""
    finally:
        server.stop()


def test_the_password_never_comes_from_the_yaml(archived_ws, tmp_path, monkeypatch):
    root = _workspace(archived_ws, tmp_path, "http://127.0.0.1:9/", password="secret")
    monkeypatch.delenv("SALESPM_DAV_PASSWORD", raising=False)
    run = cli(root, "archive", SLUG, "--target", "dms")
    assert run.exit_code == 2
    assert "salespm.yaml" in run.stderr and "password" in run.stderr


def test_no_password_anywhere_is_a_clear_error(archived_ws, tmp_path, monkeypatch):
    root = _workspace(archived_ws, tmp_path, "http://127.0.0.1:9/")
    monkeypatch.delenv("SALESPM_DAV_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))   # no ~/.netrc
    run = cli(root, "archive", SLUG, "--target", "dms")
    assert run.exit_code == 1
    assert "SALESPM_DAV_PASSWORD" in run.stderr and ".netrc" in run.stderr


def test_an_archive_killed_mid_upload_completes_on_the_next_run(archived_ws, tmp_path):
    """SIGKILL the salespm process in the middle of the upload; the next run completes it: nothing
    duplicated, every file verified, the downloaded bag valid."""
    dav = ProcessDav(tmp_path / "dav", tmp_path / "props", put_delay=0.15)
    try:
        root = _workspace(archived_ws, tmp_path, dav.url)
        env = {**os.environ, "SALESPM_DAV_PASSWORD": PASSWORD, "NO_PROXY": "127.0.0.1"}
        command = [sys.executable, "-m", "salespm_docs.cli", "--root", str(root), "archive", SLUG,
                   "--target", "dms", "-j", "1"]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if sum(1 for p in (tmp_path / "dav").rglob("*.pdf")) >= 10:
                break
            time.sleep(0.05)
        else:
            proc.kill()
            pytest.fail("the upload did not start: " + proc.communicate()[1][-2000:])
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        folder = next(p.name for p in (root / "archive").iterdir())
        partial = sorted(p.name for p in (tmp_path / "dav" / folder / "data").glob("*.pdf"))
        assert 10 <= len(partial) < 54
        assert not (tmp_path / "dav" / folder / "tagmanifest-sha256.txt").exists()

        dav.stop()
        dav.start()   # the same server, without the slowdown
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "本次新增 54 件" in done.stdout
        bag_dir = _download(dav.url, folder, tmp_path / "back")
        bagit.Bag(str(bag_dir)).validate()
        register = json.loads((bag_dir / "archive-register.json").read_text(encoding="utf-8"))
        on_server = sorted(p.name for p in (tmp_path / "dav" / folder / "data").glob("*.pdf"))
        assert len(on_server) == len(register["records"]) == 54   # nothing duplicated
        assert set(partial) <= set(on_server)
    finally:
        dav.stop()
