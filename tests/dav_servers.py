"""Real WebDAV servers for the archive tests, started and stopped by the tests on free loopback ports.

- ``ThreadDav``: WsgiDAV 4 (cheroot) in a thread of the test process: filesystem provider on a tmp
  folder at ``/dav/`` (and read-only at ``/ro/``), Basic auth (user ``u``, password ``p``), an
  in-memory property manager (PROPPATCH works), an optional quota (a PUT beyond it fails with 507
  Insufficient Storage) and ``Faults``, a WSGI middleware that counts requests and can answer 503
  a number of times or slow PUTs down.
- ``ProcessDav``: the same server in a subprocess (``python tests/dav_servers.py …``) with a
  persistent shelve property manager, that can be told to die (``os._exit``) in the middle of the
  PUT after ``kill_after_puts`` complete ones, and restarted on the same port.
- ``RcloneDav``: ``rclone serve webdav <dir> --etag-hash sha256`` (ETag = the file's sha256; no dead
  properties: PROPPATCH answers 207 with 403 per property).

``dav_server`` is a module-scoped fixture parametrized over wsgidav and rclone; each test works in
its own folder on the server (``unique_folder``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

USER, PASSWORD = "u", "p"
HERE = Path(__file__).resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 15) -> None:
    """Until something listens on 127.0.0.1:port (or ``proc`` died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port}")


# -- WsgiDAV ------------------------------------------------------------------------------------

@dataclass
class Faults:
    """A WSGI middleware: counts requests per method; answers 503 to the next ``fail_503`` requests
    (of ``fail_methods``, any when empty); sleeps ``put_delay`` before each PUT; in a subprocess,
    dies in the middle of the PUT that follows ``kill_after_puts`` completed ones; ``inflight``
    counts the requests being handled (a response body is read whole, the test files are small)."""

    app: object = None
    fail_503: int = 0
    fail_methods: tuple[str, ...] = ()
    put_delay: float = 0.0
    kill_after_puts: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    inflight: int = 0
    log: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.fail_503 = 0
            self.fail_methods = ()
            self.put_delay = 0.0
            self.counts.clear()
            self.log.clear()

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        with self.lock:
            self.counts[method] = self.counts.get(method, 0) + 1
            self.log.append((method, environ.get("PATH_INFO", "")))
            fail = self.fail_503 > 0 and (not self.fail_methods or method in self.fail_methods)
            if fail:
                self.fail_503 -= 1
        if fail:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length:
                environ["wsgi.input"].read(length)
            body = b"" if method == "HEAD" else b"busy"         # a body after HEAD would poison the connection
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"),
                                                       ("Content-Length", str(len(body)))])
            return [body]
        with self.lock:
            self.inflight += 1
        try:
            if method == "PUT":
                if self.put_delay:
                    time.sleep(self.put_delay)
                if self.kill_after_puts is not None and self.counts["PUT"] > self.kill_after_puts:
                    environ["wsgi.input"] = _DyingInput(environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0))
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.lock:
                self.inflight -= 1

    def wait_idle(self, timeout: float = 10) -> None:
        """Until no request is being handled (e.g. a dead client's PUT still running on the server)."""
        deadline = time.monotonic() + timeout
        while self.inflight and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.inflight == 0, "the server is still handling a request"


class _DyingInput:
    """Request body that kills the server process once half of it has been read."""

    def __init__(self, inner, length: int):
        self.inner, self.length, self.seen = inner, length, 0

    def read(self, *args):
        data = self.inner.read(*args)
        self.seen += len(data)
        if self.seen * 2 >= self.length:
            os._exit(9)
        return data

    def readline(self, *args):
        return self.read(*args)


def quota_provider(root: Path, quota: int):
    """A filesystem provider whose PUTs fail with 507 once the files under ``root`` exceed ``quota`` bytes."""
    from wsgidav.dav_error import HTTP_INSUFFICIENT_STORAGE, DAVError
    from wsgidav.fs_dav_provider import FileResource, FilesystemProvider

    def used() -> int:
        return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())

    class QuotaWriter:
        def __init__(self, handle):
            self.handle = handle
            self.base = used()
            self.written = 0

        def write(self, data: bytes) -> None:
            self.written += len(data)
            if self.base + self.written > quota:
                raise DAVError(HTTP_INSUFFICIENT_STORAGE, "quota exceeded")
            self.handle.write(data)

        def close(self) -> None:
            self.handle.close()

    class QuotaFile(FileResource):
        def begin_write(self, *, content_type=None):
            return QuotaWriter(super().begin_write(content_type=content_type))

    class QuotaProvider(FilesystemProvider):
        def get_resource_inst(self, path, environ):
            res = super().get_resource_inst(path, environ)
            if type(res) is FileResource:
                res.__class__ = QuotaFile
            return res

    return QuotaProvider(str(root))


def wsgidav_app(root: Path, *, props: Path | None = None, quota: int | None = None):
    """The WsgiDAV application serving ``root`` at ``/dav``; shelve properties in ``props`` if given."""
    from wsgidav.fs_dav_provider import FilesystemProvider
    from wsgidav.prop_man.property_manager import ShelvePropertyManager
    from wsgidav.wsgidav_app import WsgiDAVApp

    provider = quota_provider(root, quota) if quota is not None else FilesystemProvider(str(root))
    config = {
        "host": "127.0.0.1",
        "port": 0,
        "provider_mapping": {"/dav": provider, "/ro": FilesystemProvider(str(root), readonly=True)},
        "simple_dc": {"user_mapping": {"*": {USER: {"password": PASSWORD}}}},
        "http_authenticator": {"domain_controller": None, "accept_basic": True,
                               "accept_digest": False, "default_to_digest": False},
        "property_manager": ShelvePropertyManager(str(props)) if props else True,
        "lock_storage": True,
        "verbose": 0,
        "logging": {"enable": False},
        "dir_browser": {"enable": False},
    }
    return WsgiDAVApp(config)


def _terminate(proc: subprocess.Popen) -> None:
    """Stop a server process: SIGTERM, then SIGKILL if it is still there after 5 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class ThreadDav:
    """WsgiDAV on a free port in a thread of this process; ``url`` is the share ``/dav/``."""

    kind = "wsgidav"
    keeps_properties = True

    def __init__(self, root: Path, *, quota: int | None = None):
        from cheroot import wsgi

        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.faults = Faults(app=wsgidav_app(root, quota=quota))
        self.server = wsgi.Server(("127.0.0.1", 0), self.faults, numthreads=8)
        self.server.prepare()
        self.port = self.server.bind_addr[1]
        self.url = f"http://127.0.0.1:{self.port}/dav/"
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(5)


class ProcessDav:
    """WsgiDAV in a subprocess on a fixed port, with persistent properties; can die and restart."""

    kind = "wsgidav"
    keeps_properties = True

    def __init__(self, root: Path, props: Path, *, kill_after_puts: int | None = None, put_delay: float = 0.0):
        self.root, self.props = root, props
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/dav/"
        self.proc: subprocess.Popen | None = None
        self.start(kill_after_puts=kill_after_puts, put_delay=put_delay)

    def start(self, *, kill_after_puts: int | None = None, put_delay: float = 0.0) -> None:
        args = [sys.executable, str(HERE), "--root", str(self.root), "--props", str(self.props),
                "--port", str(self.port), "--put-delay", str(put_delay)]
        if kill_after_puts is not None:
            args += ["--kill-after-puts", str(kill_after_puts)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_port(self.port, self.proc)

    def wait_dead(self, timeout: float = 10) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc:
            _terminate(self.proc)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


class RcloneDav:
    """``rclone serve webdav`` on a free port, ETag = sha256 of the content."""

    kind = "rclone"
    keeps_properties = False

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.faults = None
        rclone = shutil.which("rclone")
        if rclone is None:
            raise RuntimeError("rclone is not installed (apt-get install rclone)")
        for _ in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [rclone, "serve", "webdav", str(root), "--addr", f"127.0.0.1:{self.port}",
                 "--user", USER, "--pass", PASSWORD, "--etag-hash", "sha256",
                 "--config", "/dev/null", "--log-level", "ERROR"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_port(self.port, self.proc)
                break
            except RuntimeError:
                self.stop()
        else:
            raise RuntimeError("rclone serve webdav did not start")
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        _terminate(self.proc)


_folders = itertools.count(1)


def unique_folder(stem: str = "t") -> str:
    """A folder name no other test of this process uses, with the awkward characters in it."""
    return f"{stem} 归档#{next(_folders)}%"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Loopback requests never go through a proxy the environment may name (HTTP_PROXY …)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module", params=["wsgidav", "rclone"])
def dav_server(request, tmp_path_factory):
    """A running WebDAV server (WsgiDAV in a thread, then rclone): ``.url``, ``.root``, ``.kind``."""
    root = tmp_path_factory.mktemp(f"dav-{request.param}")
    server = ThreadDav(root / "files") if request.param == "wsgidav" else RcloneDav(root / "files")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wsgidav_server(tmp_path_factory):
    """WsgiDAV in a thread with its ``faults`` middleware (reset by the tests that use it)."""
    server = ThreadDav(tmp_path_factory.mktemp("dav-faults") / "files")
    yield server
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="WsgiDAV for the archive tests (subprocess variant)")
    parser.add_argument("--root", required=True)
    parser.add_argument("--props", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--put-delay", type=float, default=0.0)
    parser.add_argument("--kill-after-puts", type=int)
    args = parser.parse_args()

    from cheroot import wsgi

    faults = Faults(app=wsgidav_app(Path(args.root), props=Path(args.props)),
                    put_delay=args.put_delay, kill_after_puts=args.kill_after_puts)
    server = wsgi.Server(("127.0.0.1", args.port), faults, numthreads=4)
    try:
        server.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
