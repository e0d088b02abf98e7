"""Output: a finished temporary folder → ``output/<slug>/`` in one atomic step, under a lock.

A build writes everything into ``output/.<slug>.tmp-<pid>/`` and only then exchanges it with the
published folder (``renameat2(RENAME_EXCHANGE)`` on Linux, two renames elsewhere, with recovery).
A killed build leaves the previous output whole; a second build of the same project waits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import BuildLocked

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; ``False`` when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EPERM):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def staging_dir(output: Path, slug: str) -> Path:
    """A fresh private folder beside the published one (same file system, so renames are atomic)."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / f".{slug}.tmp-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    return path


def recover(output: Path, slug: str) -> None:
    """Undo what a killed build left: restore a published folder caught between two renames.

    Called under the project's lock, so every temporary folder of ``slug`` is a dead build's.
    """
    dest, old = output / slug, output / f".{slug}.old"
    if old.exists():
        if dest.exists():
            shutil.rmtree(old)
        else:
            old.rename(dest)
    for leftover in output.glob(f".{slug}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(staging: Path, output: Path, slug: str) -> Path:
    """Make ``staging`` the published ``output/<slug>/`` in one step; remove the old one."""
    dest = output / slug
    _fsync_tree(staging)
    if not dest.exists():
        staging.rename(dest)
    elif _exchange(staging, dest):
        shutil.rmtree(staging)
    else:
        old = output / f".{slug}.old"
        dest.rename(old)
        staging.rename(dest)
        shutil.rmtree(old)
    return dest


@contextlib.contextmanager
def locked(output: Path, slug: str, wait: float = 600.0,
           notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of ``slug``; wait for another build, up to ``wait`` seconds."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / f".{slug}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notify:
                notify(f"项目 {slug} 正在被另一个构建使用，等待其完成…")
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise BuildLocked(
                            f"项目 {slug} 的另一个构建已运行超过 {wait:g} 秒仍未结束；"
                            f"如确认没有构建在运行，请删除 {path}") from None
                    time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
