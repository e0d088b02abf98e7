"""Archive targets against real servers (WsgiDAV and ``rclone serve webdav``, started here on loopback
ports) and a local folder: files with Chinese, ``#``, ``%`` and space in their names round-trip
byte for byte (downloaded back and hashed, and found under their exact names on the server's disk),
nested MKCOL, the sha256 taken from rclone's ETag without a GET (and really the content's hash),
PROPPATCH read back by PROPFIND in Chinese on WsgiDAV and refused (False) on rclone, the exact
Chinese errors for 401/403/404/409/507 and an unreachable server, 503 retried with backoff and
4xx never retried; the local folder's atomic put; credentials from the environment or ~/.netrc."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pytest
from dav_servers import (PASSWORD, USER, ThreadDav, dav_server, no_proxy, unique_folder,  # noqa: F401
                         wsgidav_server)

from salespm_docs.archive import targets as targets_mod
from salespm_docs.archive.targets import LocalTarget, WebDavTarget
from salespm_docs.credentials import CredentialsError, login
from salespm_docs.errors import ArchiveError

NAMES = ["项目 #1 100%.pdf", "a b.txt", "百分%25号 #.txt", "空.txt"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def counting(target: WebDavTarget) -> list[str]:
    """The methods of every request ``target`` sends from now on."""
    sent: list[str] = []
    request = target.session.request

    def record(method, url, *args, **kwargs):
        sent.append(method)
        return request(method, url, *args, **kwargs)

    target.session.request = record  # type: ignore[method-assign]
    return sent


def make_target(server, **kwargs) -> WebDavTarget:
    kwargs.setdefault("retries", 2)
    kwargs.setdefault("backoff", 0.001)
    kwargs.setdefault("timeout", 5)
    return WebDavTarget(server.url, USER, PASSWORD, **kwargs)


def files(tmp: Path) -> dict[str, Path]:
    contents = {name: (name.encode() * 3000)[: 20000 + i * 777] for i, name in enumerate(NAMES)}
    contents["空.txt"] = b""
    out = {}
    for name, data in contents.items():
        path = tmp / f"src-{len(out)}"
        path.write_bytes(data)
        out[name] = path
    return out


# -- round trip ---------------------------------------------------------------------------------

def test_round_trip_awkward_names(dav_server, tmp_path):
    target = make_target(dav_server)
    folder = unique_folder("往返")
    sub = f"{folder}/第 1 层#/第 2 层 100%"
    target.ensure_folder(sub)
    assert (dav_server.root / folder / "第 1 层#" / "第 2 层 100%").is_dir()
    target.ensure_folder(sub)                                  # existing levels are fine
    sources = files(tmp_path)
    for name, source in sources.items():
        target.put(f"{sub}/{name}", source)
    for name, source in sources.items():
        assert target.sha256(f"{sub}/{name}") == sha(source.read_bytes())
        # on the server's disk under its exact name: each segment encoded once, not twice
        assert (dav_server.root / folder / "第 1 层#" / "第 2 层 100%" / name).read_bytes() == source.read_bytes()
    assert target.list_files(folder) == sorted(f"第 1 层#/第 2 层 100%/{n}" for n in NAMES)
    back = tmp_path / "back"
    back.mkdir()
    for name, source in sources.items():
        assert target.get(f"{sub}/{name}", back / name)
        assert sha((back / name).read_bytes()) == sha(source.read_bytes())
    assert target.sha256(f"{sub}/没有.pdf") is None
    assert target.get(f"{sub}/没有.pdf", back / "x") is False
    assert not (back / "x").exists()
    assert target.list_files(f"{folder}/没有") == []


def test_put_replaces(dav_server, tmp_path):
    target = make_target(dav_server)
    folder = unique_folder("替换")
    target.ensure_folder(folder)
    one, two = tmp_path / "1", tmp_path / "2"
    one.write_bytes(b"first version " * 100)
    two.write_bytes(b"second")
    target.put(f"{folder}/章程.pdf", one)
    target.put(f"{folder}/章程.pdf", two)
    assert target.sha256(f"{folder}/章程.pdf") == sha(b"second")
    assert (dav_server.root / folder / "章程.pdf").read_bytes() == b"second"


def test_sha256_from_etag_only_on_rclone(dav_server, tmp_path):
    target = make_target(dav_server)
    folder = unique_folder("etag")
    target.ensure_folder(folder)
    source = tmp_path / "f"
    source.write_bytes(b"etag test " * 1000)
    target.put(f"{folder}/f.pdf", source)
    sent = counting(target)
    assert target.sha256(f"{folder}/f.pdf") == sha(source.read_bytes())
    if dav_server.kind == "rclone":
        assert sent == ["HEAD"]                       # the ETag is the sha256: no download
        assert target.etag(f"{folder}/f.pdf") == sha(source.read_bytes())
        # … and it is the content's hash, not a cached value: change the file behind the server's back
        (dav_server.root / folder / "f.pdf").write_bytes(b"changed behind its back")
        assert target.sha256(f"{folder}/f.pdf") == sha(b"changed behind its back")
    else:
        assert sent == ["HEAD", "GET"]                # WsgiDAV's ETag is inode-mtime-size: hash the download


# -- properties ---------------------------------------------------------------------------------

def test_properties_read_back_or_refused(dav_server, tmp_path):
    target = make_target(dav_server)
    folder = unique_folder("属性")
    target.ensure_folder(folder)
    source = tmp_path / "f"
    source.write_bytes(b"pdf")
    rel = f"{folder}/项目 #1 100%.pdf"
    target.put(rel, source)
    props = {"archival-code": "1001-2026-D30-0003", "title": "项目章程 <V1.0> & “附件”",
             "retention": "永久", "classification": "内部"}
    stored = target.set_properties(rel, props)
    if dav_server.kind == "wsgidav":
        assert stored is True
        assert target.get_properties(rel, list(props) + ["missing"]) == props
        assert target.set_properties(rel, {"retention": "30 年"}) is True
        assert target.get_properties(rel, ["retention", "title"]) == {"retention": "30 年", "title": props["title"]}
    else:
        assert stored is False                        # rclone: 207 with 403 per property
        assert target.get_properties(rel, list(props)) == {}
    with pytest.raises(ArchiveError) as caught:
        target.get_properties(f"{folder}/没有.pdf", ["title"])
    assert str(caught.value) == f"WebDAV 服务器 {dav_server.url}：读取「{folder}/没有.pdf」的属性失败：文件不存在（HTTP 404）"


# -- errors -------------------------------------------------------------------------------------

def test_wrong_password(dav_server, tmp_path):
    target = WebDavTarget(dav_server.url, USER, "wrong", retries=3, backoff=0.001,
                          password_hint="环境变量 SALESPM_WEBDAV_PASSWORD 中的密码")
    sent = counting(target)
    folder = unique_folder("密码")
    with pytest.raises(ArchiveError) as caught:
        target.ensure_folder(folder)
    assert str(caught.value) == (f"WebDAV 服务器 {dav_server.url}：创建文件夹「{folder}」失败：用户名或密码错误"
                                 "（HTTP 401，用户 u）；请检查用户名与环境变量 SALESPM_WEBDAV_PASSWORD 中的密码")
    assert sent == ["MKCOL"]                           # 401 is never retried
    assert caught.value.exit_code == 1
    plain = WebDavTarget(dav_server.url, "某人", "错误的密码", retries=0)
    with pytest.raises(ArchiveError) as caught:
        plain.sha256("x.pdf")
    assert str(caught.value) == (f"WebDAV 服务器 {dav_server.url}：读取「x.pdf」失败：用户名或密码错误"
                                 "（HTTP 401，用户 某人）；请检查用户名与环境变量或 ~/.netrc 中的密码")


def test_missing_base_folder(dav_server, tmp_path):
    url = dav_server.url + "没有这个文件夹/"
    target = WebDavTarget(url, USER, PASSWORD, retries=2, backoff=0.001)
    sent = counting(target)
    with pytest.raises(ArchiveError) as caught:
        target.ensure_folder("归档/2026")
    text = str(caught.value)
    assert text == (f"{target.label}：创建文件夹「归档」失败：基础文件夹不存在（HTTP 409）；"
                    f"请先在服务器上创建 {target.base_url}，或检查地址")
    assert sent == ["MKCOL", "PROPFIND"]               # 409 is never retried (PROPFIND: is it there after all?)
    source = tmp_path / "f"
    source.write_bytes(b"x")
    with pytest.raises(ArchiveError) as caught:
        target.put("归档/f.pdf", source)
    status = "409" if dav_server.kind == "wsgidav" else "404"        # rclone answers 404 for a missing parent
    reason = ("上一级文件夹不存在（HTTP 409）" if status == "409" else "路径不存在（HTTP 404）；请检查服务器地址与")
    assert str(caught.value).startswith(f"{target.label}：上传「归档/f.pdf」失败：{reason}")
    assert sent == ["MKCOL", "PROPFIND", "PUT"]


def test_no_permission_403(wsgidav_server, tmp_path):
    wsgidav_server.faults.reset()
    url = wsgidav_server.url.replace("/dav/", "/ro/")
    target = WebDavTarget(url, USER, PASSWORD, retries=3, backoff=0.001)
    source = tmp_path / "f"
    source.write_bytes(b"x")
    with pytest.raises(ArchiveError) as caught:
        target.put("f.pdf", source)
    assert str(caught.value) == (f"WebDAV 服务器 {url}：上传「f.pdf」失败：没有权限（HTTP 403）；"
                                 "请让服务器管理员给用户 u 这个文件夹的读写权限")
    assert wsgidav_server.faults.counts == {"PUT": 1}
    assert not (wsgidav_server.root / "f.pdf").exists()


def test_storage_full_507(tmp_path):
    server = ThreadDav(tmp_path / "full", quota=50_000)
    try:
        target = WebDavTarget(server.url, USER, PASSWORD, retries=3, backoff=0.001)
        small, big = tmp_path / "small", tmp_path / "big"
        small.write_bytes(b"s" * 10_000)
        big.write_bytes(os.urandom(100_000))
        target.put("small.pdf", small)
        with pytest.raises(ArchiveError) as caught:
            target.put("项目 big.pdf", big)
        assert str(caught.value) == (f"WebDAV 服务器 {server.url}：上传「项目 big.pdf」失败：服务器存储空间已满"
                                     "（HTTP 507）；请清理空间或请管理员扩容后重新运行 salespm archive")
        assert server.faults.counts["PUT"] == 2                 # 507 is not retried
        assert target.sha256("项目 big.pdf") != sha(big.read_bytes())
    finally:
        server.stop()


def test_transient_503_retried_with_backoff(wsgidav_server, tmp_path):
    faults = wsgidav_server.faults
    faults.reset()
    slept: list[float] = []
    target = WebDavTarget(wsgidav_server.url, USER, PASSWORD, retries=3, backoff=0.01, sleep=slept.append)
    source = tmp_path / "f"
    source.write_bytes(b"retry me " * 5000)
    faults.fail_503, faults.fail_methods = 2, ("PUT",)
    target.put("重试 #1.pdf", source)
    assert slept == [0.01, 0.02]
    assert faults.counts["PUT"] == 3
    assert (wsgidav_server.root / "重试 #1.pdf").read_bytes() == source.read_bytes()

    faults.reset()
    slept.clear()
    faults.fail_503 = 100
    with pytest.raises(ArchiveError) as caught:
        target.sha256("重试 #1.pdf")
    assert str(caught.value) == (f"WebDAV 服务器 {wsgidav_server.url} 无法访问或出错：读取「重试 #1.pdf」失败"
                                 "（HTTP 503 Service Unavailable），已重试 3 次；请稍后重新运行 salespm archive，"
                                 "已核验上传的文件记录在上传日志中，会从中断处继续")
    assert slept == [0.01, 0.02, 0.04]
    assert faults.counts == {"HEAD": 4}
    faults.reset()


def test_connection_refused_is_retried_then_reported(tmp_path):
    with socket.socket() as sock:                        # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    slept: list[float] = []
    target = WebDavTarget(f"http://127.0.0.1:{port}/dav", USER, PASSWORD, retries=2, backoff=0.5,
                          sleep=slept.append, timeout=2)
    with pytest.raises(ArchiveError) as caught:
        target.ensure_folder("归档")
    assert str(caught.value) == (f"WebDAV 服务器 http://127.0.0.1:{port}/dav/ 无法访问或出错：创建文件夹「归档」失败"
                                 "（连接被拒绝），已重试 2 次；请稍后重新运行 salespm archive，"
                                 "已核验上传的文件记录在上传日志中，会从中断处继续")
    assert slept == [0.5, 1.0]


def test_not_found_is_not_retried(wsgidav_server):
    wsgidav_server.faults.reset()
    target = make_target(wsgidav_server, retries=4)
    assert target.list_files("没有的文件夹") == []
    with pytest.raises(ArchiveError):
        target.get_properties("没有.pdf", ["title"])
    assert wsgidav_server.faults.counts == {"PROPFIND": 2}


def test_relative_paths_only(tmp_path):
    target = WebDavTarget("http://127.0.0.1:9/dav/", USER, PASSWORD)
    for bad in ("../x", "a/../../b", "/abs"):
        with pytest.raises(ArchiveError) as caught:
            target.url(bad)
        assert str(caught.value) == (f"WebDAV 服务器 http://127.0.0.1:9/dav/：路径「{bad}」不是相对路径"
                                     "（不能以 / 开头或含 . 与 ..）")
    assert target.url("项目 #1 100%.pdf") == "http://127.0.0.1:9/dav/%E9%A1%B9%E7%9B%AE%20%231%20100%25.pdf"
    with pytest.raises(ArchiveError):
        LocalTarget(tmp_path).put("../escape.pdf", tmp_path)


# -- local folder -------------------------------------------------------------------------------

def test_local_target(tmp_path):
    base = tmp_path / "archive"
    target = LocalTarget(base)
    assert target.label == f"本地文件夹 {base}"
    target.ensure_folder("项目 #1/第 2 层 100%")
    sources = files(tmp_path)
    for name, source in sources.items():
        target.put(f"项目 #1/第 2 层 100%/{name}", source)
        assert target.sha256(f"项目 #1/第 2 层 100%/{name}") == sha(source.read_bytes())
        assert (base / "项目 #1" / "第 2 层 100%" / name).read_bytes() == source.read_bytes()
    assert target.list_files("项目 #1") == sorted(f"第 2 层 100%/{n}" for n in NAMES)
    assert target.list_files("没有") == []
    assert target.sha256("没有.pdf") is None
    assert target.get("没有.pdf", tmp_path / "x") is False
    assert target.set_properties("项目 #1/第 2 层 100%/a b.txt", {"title": "章程"}) is False
    assert target.get_properties("项目 #1/第 2 层 100%/a b.txt", ["title"]) == {}
    dest = tmp_path / "got"
    assert target.get("项目 #1/第 2 层 100%/a b.txt", dest)
    assert dest.read_bytes() == sources["a b.txt"].read_bytes()


def test_local_put_is_atomic(tmp_path, monkeypatch):
    base = tmp_path / "archive"
    target = LocalTarget(base)
    target.ensure_folder("归档")
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_bytes(b"old content")
    new.write_bytes(b"new content " * 1000)
    target.put("归档/章程.pdf", old)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(targets_mod.os, "replace", refuse)
    with pytest.raises(ArchiveError) as caught:
        target.put("归档/章程.pdf", new)
    assert str(caught.value) == f"本地文件夹 {base}：上传「归档/章程.pdf」失败：磁盘空间不足"
    monkeypatch.undo()
    assert (base / "归档" / "章程.pdf").read_bytes() == b"old content"      # the old file is whole
    assert sorted(p.name for p in (base / "归档").iterdir()) == ["章程.pdf"]  # no temporary file left
    # a temporary file left by a killed run is not listed
    (base / "归档" / f"{targets_mod.TEMP_PREFIX}abc").write_bytes(b"partial")
    assert target.list_files("归档") == ["章程.pdf"]
    with pytest.raises(ArchiveError) as caught:
        target.put("没有的文件夹/章程.pdf", new)
    assert str(caught.value) == f"本地文件夹 {base}：上传「没有的文件夹/章程.pdf」失败：上一级文件夹不存在"


# -- credentials --------------------------------------------------------------------------------

WHAT = "WebDAV 归档服务器"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("SALESPM_WEBDAV_PASSWORD", raising=False)
    return tmp_path


def netrc(home: Path, text: str, mode: int = 0o600) -> None:
    path = home / ".netrc"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def test_password_from_environment_first(home, monkeypatch):
    netrc(home, "machine dav.example.com login 网盘用户 password from-netrc\n")
    monkeypatch.setenv("SALESPM_WEBDAV_PASSWORD", "from-env")
    assert login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "张三", WHAT) == ("张三", "from-env")
    assert login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", None, WHAT) == ("网盘用户", "from-env")


def test_password_from_netrc(home):
    netrc(home, "machine other.example.com login x password y\n"
                "machine dav.example.com login 网盘用户 password 密码-1\n")
    assert login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", None, WHAT) == ("网盘用户", "密码-1")
    assert login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "张三", WHAT) == ("张三", "密码-1")


def test_missing_password(home):
    with pytest.raises(CredentialsError) as caught:
        login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "张三", WHAT)
    assert str(caught.value) == ("缺少WebDAV 归档服务器（dav.example.com）的密码：请设置环境变量 SALESPM_WEBDAV_PASSWORD，"
                                 "或在 ~/.netrc 中添加一行「machine dav.example.com login 用户名 password 密码」"
                                 "（并 chmod 600 ~/.netrc）；密码不会从项目数据、配置文件或命令行读取")
    assert caught.value.exit_code == 1
    netrc(home, "machine other.example.com login x password y\n")
    with pytest.raises(CredentialsError):
        login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "张三", WHAT)


def test_missing_user_name(home, monkeypatch):
    monkeypatch.setenv("SALESPM_WEBDAV_PASSWORD", "from-env")
    with pytest.raises(CredentialsError) as caught:
        login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", None, WHAT)
    assert str(caught.value) == ("缺少WebDAV 归档服务器（dav.example.com）的用户名：已从环境变量 SALESPM_WEBDAV_PASSWORD "
                                 "取得密码，但配置中没有填写用户名（username），~/.netrc 中也没有 dav.example.com 的 login")


def test_unreadable_netrc(home):
    netrc(home, "machine dav.example.com login u password p\nfrobnicate\n")   # a bad top-level token
    with pytest.raises(CredentialsError) as caught:
        login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "u", WHAT)
    text = str(caught.value)
    assert text.startswith("WebDAV 归档服务器的密码无法从 ~/.netrc 读取：该文件有误（")
    assert text.endswith("；请修复它，或把密码放在环境变量 SALESPM_WEBDAV_PASSWORD 中")
    netrc(home, "machine dav.example.com login u password p\n", mode=0o644)  # readable by others
    with pytest.raises(CredentialsError) as caught:
        login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "u", WHAT)
    assert "~/.netrc 读取：该文件有误（~/.netrc access too permissive" in str(caught.value)
    (home / ".netrc").unlink()
    (home / ".netrc").mkdir()                                             # not a file at all
    with pytest.raises(CredentialsError) as caught:
        login("dav.example.com", "SALESPM_WEBDAV_PASSWORD", "u", WHAT)
    assert str(caught.value).startswith("WebDAV 归档服务器的密码无法从 ~/.netrc 读取（")
