"""Archive targets: where ``salespm archive`` puts a bag — a local folder or a WebDAV server.

Both targets take ``rel`` paths relative to their base (posix, any characters but ``/`` in a
segment: Chinese, spaces, ``#``, ``%``); ``..`` and empty segments are refused.

- ``LocalTarget``: copies into a folder atomically (a temporary file in the same folder, fsync,
  ``os.replace``); it keeps no properties (the register carries the metadata).
- ``WebDavTarget``: Nextcloud, Seafile, 坚果云, rclone, WsgiDAV … over ``requests`` (one Session,
  HTTP Basic auth). Every segment is percent-encoded; uploads stream from the file and downloads
  are hashed in chunks. A file's sha256 is the server's ETag when that is a sha256 (64 hex digits,
  as ``rclone serve webdav --etag-hash sha256`` sends), otherwise the file is downloaded and hashed.
  Archive properties are WebDAV dead properties in ``NAMESPACE`` (PROPPATCH / PROPFIND).

Failures are ``ArchiveError`` with a Chinese message naming the server and the file: 401 wrong
password, 403 no permission, 404 missing path, 409 missing parent folder, 507 storage full are
final; 500/502/503/504, refused or reset connections and timeouts are retried ``retries`` times
with exponential backoff before the server is declared unreachable.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from xml.sax.saxutils import escape

import requests
from defusedxml import ElementTree

from ..errors import WRITE_REASONS, ArchiveError

NAMESPACE = "urn:salespm-docs:archive"

DAV = "DAV:"
CHUNK = 1 << 16
TEMP_PREFIX = ".salespm-tmp-"
TRANSIENT = {500, 502, 503, 504}
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

T = TypeVar("T")


def split_rel(rel: str, label: str) -> list[str]:
    """The segments of a relative posix path; ``""`` is the base itself."""
    segments = [s for s in rel.split("/") if s != ""] if rel else []
    if rel.startswith("/") or any(s in (".", "..") for s in segments):
        raise ArchiveError(f"{label}：路径「{rel}」不是相对路径（不能以 / 开头或含 . 与 ..）")
    return segments


def join_rel(*parts: str) -> str:
    """``folder`` + ``rel`` as one posix path, without empty segments."""
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


def size_text(size: int) -> str:
    """812 KB, 3.4 MB: a size for progress lines."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class Target(ABC):
    """A place that holds archived bags; ``rel`` paths are relative to its base."""

    label: str

    @abstractmethod
    def ensure_folder(self, rel: str) -> None:
        """Create every missing level of ``a/b/c``."""

    @abstractmethod
    def put(self, rel: str, source: Path) -> None:
        """Upload (copy) ``source`` to ``rel``, replacing what is there."""

    @abstractmethod
    def sha256(self, rel: str) -> str | None:
        """The sha256 (lowercase hex) of the file at ``rel``; None when there is none."""

    @abstractmethod
    def get(self, rel: str, dest: Path) -> bool:
        """Download ``rel`` to ``dest``; False when there is no such file."""

    @abstractmethod
    def set_properties(self, rel: str, props: dict[str, str]) -> bool:
        """Store ``props`` (local names in ``NAMESPACE``) on ``rel``; False when the target keeps none."""

    @abstractmethod
    def get_properties(self, rel: str, names: list[str]) -> dict[str, str]:
        """The stored properties of ``rel`` among ``names``."""

    @abstractmethod
    def list_files(self, rel: str) -> list[str]:
        """Every file under the folder ``rel``, recursively, relative to it (posix, sorted)."""


# -- local folder -------------------------------------------------------------------------------

_WRITE_REASONS = {
    **WRITE_REASONS,
    errno.EISDIR: "同名的文件夹已存在",
    errno.EEXIST: "同名的文件已存在",
    errno.ENOENT: "文件或文件夹不存在",
    errno.EIO: "磁盘读写错误",
}


def _reason(exc: OSError) -> str:
    return _WRITE_REASONS.get(exc.errno or 0, f"{exc.strerror or type(exc).__name__}（errno {exc.errno}）")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class LocalTarget(Target):
    """A folder on this machine (or a mounted share)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.label = f"本地文件夹 {self.folder}"

    def _path(self, rel: str) -> Path:
        return self.folder.joinpath(*split_rel(rel, self.label))

    def _fail(self, action: str, rel: str, exc: OSError) -> ArchiveError:
        return ArchiveError(f"{self.label}：{action}「{rel or '.'}」失败：{_reason(exc)}")

    def ensure_folder(self, rel: str) -> None:
        path = self._path(rel)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._fail("创建文件夹", rel, exc) from None

    def put(self, rel: str, source: Path) -> None:
        path = self._path(rel)
        if not path.parent.is_dir():
            raise ArchiveError(f"{self.label}：上传「{rel}」失败：上一级文件夹不存在")
        tmp_name = None
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, path)
            tmp_name = None
            _fsync_dir(path.parent)
        except OSError as exc:
            raise self._fail("上传", rel, exc) from None
        finally:
            if tmp_name:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass

    def sha256(self, rel: str) -> str | None:
        path = self._path(rel)
        try:
            return _hash_file(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._fail("读取", rel, exc) from None

    def get(self, rel: str, dest: Path) -> bool:
        path = self._path(rel)
        try:
            with open(path, "rb") as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._fail("下载", rel, exc) from None
        return True

    def set_properties(self, rel: str, props: dict[str, str]) -> bool:
        return False

    def get_properties(self, rel: str, names: list[str]) -> dict[str, str]:
        return {}

    def list_files(self, rel: str) -> list[str]:
        root = self._path(rel)
        if not root.is_dir():
            return []
        found = []
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                if not name.startswith(TEMP_PREFIX):
                    found.append((Path(dirpath) / name).relative_to(root).as_posix())
        return sorted(found)


# -- WebDAV -------------------------------------------------------------------------------------

class _Transient(Exception):
    """A failure worth retrying (5xx gateway/server errors); ``why`` is shown when retries run out."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def _connection_why(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "连接超时"
    if "refused" in text.lower():
        return "连接被拒绝"
    if "reset" in text.lower() or "aborted" in text.lower() or "RemoteDisconnected" in text:
        return "连接被服务器中断"
    if "Name or service not known" in text or "getaddrinfo" in text or "NameResolution" in text:
        return "找不到该服务器（域名无法解析）"
    return f"连接失败（{type(exc).__name__}）"


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _status_code(text: str | None) -> int:
    """200 from ``HTTP/1.1 200 OK``; 0 when unreadable."""
    parts = (text or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


class WebDavTarget(Target):
    """A folder on a WebDAV server, ``url`` being its address (``https://host/remote.php/dav/files/u/归档/``).

    ``password_hint`` says where the password came from, for the 401 message."""

    def __init__(self, url: str, user: str, password: str, *, timeout: float = 30,
                 retries: int = 4, backoff: float = 1.0, verify: bool | str = True,
                 password_hint: str = "环境变量或 ~/.netrc 中的密码",
                 sleep: Callable[[float], None] = time.sleep):
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]            # never show or send userinfo from the URL
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.base_url = urlunsplit((parts.scheme, netloc, path, "", ""))
        self.label = f"WebDAV 服务器 {self.base_url}"
        self.user = user
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.password_hint = password_hint
        self.sleep = sleep
        self.session = requests.Session()
        self.session.auth = (user.encode("utf-8"), password.encode("utf-8"))
        self.session.verify = verify
        self.session.headers["User-Agent"] = "salespm-docs archive"
        self._folders: set[str] = set()

    # -- plumbing --

    def url(self, rel: str, folder: bool = False) -> str:
        """The address of ``rel``, every segment percent-encoded (a folder ends with ``/``)."""
        segments = split_rel(rel, self.label)
        tail = "/".join(quote(s, safe="") for s in segments)
        return self.base_url + tail + ("/" if folder and segments else "")

    def _error(self, resp: requests.Response, action: str, rel: str) -> ArchiveError:
        code = resp.status_code
        where = f"{self.label}：{action}「{rel or '（基础文件夹）'}」失败"
        if code == 401:
            why = (f"用户名或密码错误（HTTP 401，用户 {self.user}）；请检查用户名与{self.password_hint}")
        elif code == 403:
            why = f"没有权限（HTTP 403）；请让服务器管理员给用户 {self.user} 这个文件夹的读写权限"
        elif code == 404:
            why = f"路径不存在（HTTP 404）；请检查服务器地址与基础文件夹 {self.base_url} 是否存在"
        elif code == 409:
            why = f"上一级文件夹不存在（HTTP 409）；请检查基础文件夹 {self.base_url} 是否存在"
        elif code == 507:
            why = "服务器存储空间已满（HTTP 507）；请清理空间或请管理员扩容后重新运行 salespm archive"
        elif code == 413:
            why = "文件超过了服务器允许的大小（HTTP 413）"
        elif code == 423:
            why = "文件被锁定（HTTP 423），可能有人正在编辑；请稍后重试"
        else:
            why = f"服务器返回 HTTP {code} {resp.reason or ''}".rstrip()
        return ArchiveError(f"{where}：{why}")

    def _attempts(self, action: str, rel: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` with retries on transient failures, then the «unreachable» error."""
        why = ""
        for n in range(self.retries + 1):
            if n:
                self.sleep(self.backoff * 2 ** (n - 1))
            try:
                return attempt()
            except _Transient as exc:
                why = exc.why
            except requests.exceptions.SSLError as exc:
                raise ArchiveError(f"{self.label}：{action}「{rel}」失败：HTTPS 证书校验失败（{exc.__class__.__name__}）；"
                                   "请检查服务器地址，或在配置中指定公司 CA 证书文件") from None
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                why = _connection_why(exc)
        raise ArchiveError(f"{self.label} 无法访问或出错：{action}「{rel or '（基础文件夹）'}」失败（{why}），"
                           f"已重试 {self.retries} 次；请稍后重新运行 salespm archive，"
                           "已核验上传的文件记录在上传日志中，会从中断处继续")

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request; a transient status becomes ``_Transient``."""
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", method in ("GET", "HEAD"))
        resp = self.session.request(method, url, **kwargs)
        if resp.status_code in TRANSIENT:
            code, reason = resp.status_code, resp.reason
            resp.close()
            raise _Transient(f"HTTP {code} {reason or ''}".rstrip())
        return resp

    def _xml(self, resp: requests.Response, action: str, rel: str):
        try:
            return ElementTree.fromstring(resp.content)
        except Exception:
            raise ArchiveError(f"{self.label}：{action}「{rel}」失败：服务器的回复不是有效的 WebDAV XML") from None

    # -- operations --

    def ensure_folder(self, rel: str) -> None:
        segments = split_rel(rel, self.label)
        for depth in range(1, len(segments) + 1):
            sub = "/".join(segments[:depth])
            if sub in self._folders:
                continue

            def mkcol(sub: str = sub) -> None:
                resp = self._send("MKCOL", self.url(sub, folder=True))
                resp.close()
                if resp.status_code in (200, 201, 204, 405):   # 405: it exists already
                    return
                if resp.status_code in (403, 409) and self._is_folder(sub):
                    return                                       # some servers refuse MKCOL on an existing folder
                if resp.status_code == 409 and "/" not in sub:
                    raise ArchiveError(f"{self.label}：创建文件夹「{sub}」失败：基础文件夹不存在（HTTP 409）；"
                                       f"请先在服务器上创建 {self.base_url}，或检查地址")
                raise self._error(resp, "创建文件夹", sub)

            self._attempts("创建文件夹", sub, mkcol)
            self._folders.add(sub)

    def _is_folder(self, rel: str) -> bool:
        """Whether ``rel`` exists as a folder (one PROPFIND, Depth 0, no retries)."""
        resp = self._send("PROPFIND", self.url(rel, folder=True), headers={"Depth": "0"},
                          data=b'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:">'
                               b"<D:prop><D:resourcetype/></D:prop></D:propfind>")
        with resp:
            if resp.status_code != 207:
                return False
            try:
                tree = ElementTree.fromstring(resp.content)
            except Exception:
                return False
        return any(True for _ in tree.iter(f"{{{DAV}}}collection"))

    def put(self, rel: str, source: Path) -> None:
        url = self.url(rel)
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise ArchiveError(f"{self.label}：上传「{rel}」失败：本地文件 {source} 无法读取（{_reason(exc)}）") from None

        def attempt() -> None:
            headers = {"Content-Type": "application/octet-stream"}
            with open(source, "rb") as body:
                resp = self._send("PUT", url, data=body if size else b"", headers=headers)
            resp.close()
            if resp.status_code not in (200, 201, 204):
                raise self._error(resp, "上传", rel)

        self._attempts("上传", rel, attempt)

    def _download(self, rel: str, action: str, sink: Callable[[requests.Response], T]) -> T | None:
        """GET ``rel`` and hand the streaming response to ``sink``; None when absent (404)."""

        def attempt() -> T | None:
            resp = self._send("GET", self.url(rel), stream=True)
            with resp:
                if resp.status_code == 404:
                    return None
                if resp.status_code != 200:
                    raise self._error(resp, action, rel)
                return sink(resp)

        return self._attempts(action, rel, attempt)

    def etag(self, rel: str) -> str | None:
        """The ETag of ``rel`` without quotes or ``W/``; ``""`` when the server sends none; None if absent."""

        def attempt() -> str | None:
            resp = self._send("HEAD", self.url(rel))
            resp.close()
            if resp.status_code == 404:
                return None
            if resp.status_code != 200:
                raise self._error(resp, "读取", rel)
            tag = resp.headers.get("ETag", "").strip()
            if tag.startswith("W/"):
                tag = tag[2:]
            return tag.strip('"')

        return self._attempts("读取", rel, attempt)

    def sha256(self, rel: str) -> str | None:
        tag = self.etag(rel)
        if tag is None:
            return None
        if _SHA256.fullmatch(tag):
            return tag.lower()

        def hashed(resp: requests.Response) -> str:
            digest = hashlib.sha256()
            for block in resp.iter_content(CHUNK):
                digest.update(block)
            return digest.hexdigest()

        return self._download(rel, "读取", hashed)

    def get(self, rel: str, dest: Path) -> bool:
        dest = Path(dest)

        def save(resp: requests.Response) -> bool:
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=dest.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    for block in resp.iter_content(CHUNK):
                        out.write(block)
                os.replace(tmp, dest)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            return True

        try:
            return bool(self._download(rel, "下载", save))
        except OSError as exc:
            raise ArchiveError(f"{self.label}：下载「{rel}」失败：无法写入 {dest}（{_reason(exc)}）") from None

    def set_properties(self, rel: str, props: dict[str, str]) -> bool:
        if not props:
            return True
        fields = []
        for name, value in props.items():
            if not _XML_NAME.fullmatch(name):
                raise ArchiveError(f"{self.label}：设置「{rel}」的属性失败：属性名「{name}」不是有效的 XML 名称")
            fields.append(f"<s:{name}>{escape(_XML_BAD.sub('', str(value)))}</s:{name}>")
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                f'<D:propertyupdate xmlns:D="DAV:" xmlns:s="{NAMESPACE}"><D:set><D:prop>'
                + "".join(fields) + "</D:prop></D:set></D:propertyupdate>").encode("utf-8")

        def attempt() -> bool:
            resp = self._send("PROPPATCH", self.url(rel), data=body,
                              headers={"Content-Type": 'application/xml; charset="utf-8"'})
            with resp:
                if resp.status_code in (405, 501):
                    return False
                if resp.status_code in (200, 204):
                    return True
                if resp.status_code != 207:
                    raise self._error(resp, "设置属性", rel)
                codes = [_status_code(el.text) for el in self._xml(resp, "设置属性", rel).iter(f"{{{DAV}}}status")]
            if codes and all(200 <= c < 300 for c in codes):
                return True
            if any(c in (403, 409) for c in codes) and all(c in (403, 409, 424) or 200 <= c < 300 for c in codes):
                return False
            if 507 in codes:
                raise ArchiveError(f"{self.label}：设置「{rel}」的属性失败：服务器存储空间已满（HTTP 507）")
            raise ArchiveError(f"{self.label}：设置「{rel}」的属性失败：服务器逐项返回 {sorted(set(codes))}")

        return self._attempts("设置属性", rel, attempt)

    def _propfind(self, url: str, depth: str, props: str, action: str, rel: str):
        """The parsed multistatus of a PROPFIND; None when the path does not exist (404)."""
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                f'<D:propfind xmlns:D="DAV:" xmlns:s="{NAMESPACE}"><D:prop>{props}</D:prop></D:propfind>')

        def attempt():
            resp = self._send("PROPFIND", url, data=body.encode("utf-8"),
                              headers={"Depth": depth, "Content-Type": 'application/xml; charset="utf-8"'})
            with resp:
                if resp.status_code == 404:
                    return None
                if resp.status_code != 207:
                    raise self._error(resp, action, rel)
                return self._xml(resp, action, rel)

        return self._attempts(action, rel, attempt)

    def get_properties(self, rel: str, names: list[str]) -> dict[str, str]:
        for name in names:
            if not _XML_NAME.fullmatch(name):
                raise ArchiveError(f"{self.label}：读取「{rel}」的属性失败：属性名「{name}」不是有效的 XML 名称")
        props = "".join(f"<s:{name}/>" for name in names)
        tree = self._propfind(self.url(rel), "0", props, "读取属性", rel)
        if tree is None:
            raise ArchiveError(f"{self.label}：读取「{rel}」的属性失败：文件不存在（HTTP 404）")
        found: dict[str, str] = {}
        for propstat in tree.iter(f"{{{DAV}}}propstat"):
            if _status_code(propstat.findtext(f"{{{DAV}}}status")) != 200:
                continue
            for prop in propstat.iter(f"{{{DAV}}}prop"):
                for child in prop:
                    ns, name = _local(child.tag)
                    if ns == NAMESPACE and name in names:
                        found[name] = "".join(child.itertext())
        return found

    def list_files(self, rel: str) -> list[str]:
        split_rel(rel, self.label)
        found: list[str] = []
        pending = [join_rel(rel)]
        top = pending[0]
        while pending:
            folder = pending.pop()
            url = self.url(folder, folder=True)
            tree = self._propfind(url, "1", "<D:resourcetype/>", "列出文件夹", folder)
            if tree is None:
                if folder == top:
                    return []
                continue
            here = unquote(urlsplit(url).path).rstrip("/")
            for response in tree.iter(f"{{{DAV}}}response"):
                href = unquote(urlsplit(response.findtext(f"{{{DAV}}}href") or "").path).rstrip("/")
                if not href.startswith(here + "/"):
                    continue                                   # the folder itself (or a stranger)
                name = href[len(here) + 1:]
                if not name or "/" in name:
                    continue
                is_folder = any(True for _ in response.iter(f"{{{DAV}}}collection"))
                child = join_rel(folder, name)
                if is_folder:
                    pending.append(child)
                elif not name.startswith(TEMP_PREFIX):
                    found.append(child[len(top) + 1:] if top else child)
        return sorted(found)
