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

from .errors import WRITE_REASONS, BuildLocked, SalespmError


class OutputError(SalespmError):
    """Raised when ``output/`` cannot be written: not a folder, a symlink, read-only, full, …"""




def _show(output: Path, path: Path) -> str:
    """``output/<name>`` for a path in ``output``; the path itself otherwise."""
    try:
        return f"output/{path.relative_to(output)}" if path != output else "output/"
    except ValueError:
        return str(path)


def _failed(output: Path, path: Path, doing: str, exc: OSError) -> OutputError:
    reason = WRITE_REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
    return OutputError(f"无法{doing} {_show(output, path)}：{reason}（{exc.strerror or exc}）。"
                       f"上一次的输出保持不变。")


def check_root(output: Path) -> None:
    """Refuse an ``output/`` that is not a folder (a file, a dangling symlink); create it if absent."""
    if output.is_dir():
        return
    if output.is_symlink() or output.exists():
        kind = "指向不存在位置的符号链接" if output.is_symlink() else "一个文件，不是文件夹"
        raise OutputError(f"output/（{output}）是{kind}，无法在其中生成文档；不会修改它。"
                          f"请把它移走（或改名）后重新运行。")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _failed(output, output, "创建输出文件夹", exc) from None


def check_destination(output: Path, slug: str) -> None:
    """Refuse to replace ``output/<slug>`` unless it is a real folder (never a symlink or a file).

    The build exchanges the published folder with a new one and deletes the old: a symlink or a
    file there is someone's, not a previous build's, and is left exactly as it is.
    """
    dest = output / slug
    if dest.is_symlink():
        what = "符号链接"
    elif dest.exists() and not dest.is_dir():
        what = "文件（不是文件夹）"
    else:
        return
    raise OutputError(f"output/{slug} 是一个{what}，不是本工具生成的输出文件夹；为避免替换或删除它，"
                      f"构建已停止。请把它移走（或改名）后重新运行。")

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
    check_root(output)
    path = output / f".{slug}.tmp-{os.getpid()}"
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
        path.mkdir()
    except OSError as exc:
        raise _failed(output, path, "创建临时文件夹", exc) from None
    return path


def recover(output: Path, slug: str) -> None:
    """Undo what a killed build left: restore a published folder caught between two renames.

    Called under the project's lock, so every temporary folder of ``slug`` is a dead build's.
    Refuses (``OutputError``) an ``output/<slug>`` that is a symlink or a file, before any work.
    """
    check_destination(output, slug)
    dest, old = output / slug, output / f".{slug}.old"
    try:
        if old.is_symlink() or old.is_file():
            raise OutputError(f"output/.{slug}.old 不是本工具留下的文件夹（是符号链接或文件），不会修改它。"
                              f"请把它移走后重新运行。")
        if old.exists():
            if dest.exists():
                shutil.rmtree(old)
            else:
                old.rename(dest)
    except OSError as exc:
        raise _failed(output, old, "恢复上一次被中断的输出", exc) from None
    for leftover in output.glob(f".{slug}.tmp-*"):
        if leftover.is_dir() and not leftover.is_symlink():
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
    """Make ``staging`` the published ``output/<slug>/`` in one step; remove the old one.

    A file system error (read-only, full) raises ``OutputError`` with the previous output whole.
    """
    dest = output / slug
    check_destination(output, slug)
    try:
        _fsync_tree(staging)
        if not dest.exists():
            staging.rename(dest)
            return dest
        exchanged = _exchange(staging, dest)
    except OSError as exc:
        raise _failed(output, dest, "发布输出到", exc) from None
    if exchanged:
        shutil.rmtree(staging, ignore_errors=True)  # the old output: the new one is published
        return dest
    old = output / f".{slug}.old"
    try:
        dest.rename(old)
    except OSError as exc:
        raise _failed(output, dest, "发布输出到", exc) from None
    try:
        staging.rename(dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            old.rename(dest)  # put the previous output back
        raise _failed(output, dest, "发布输出到", exc) from None
    shutil.rmtree(old, ignore_errors=True)
    return dest


@contextlib.contextmanager
def locked(output: Path, slug: str, wait: float = 600.0,
           notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of ``slug``; wait for another build, up to ``wait`` seconds."""
    check_root(output)
    path = output / f".{slug}.lock"
    if path.is_symlink() or (path.exists() and not path.is_file()):
        kind = "符号链接" if path.is_symlink() else "文件夹或特殊文件"
        raise OutputError(f"构建锁 output/.{slug}.lock 是一个{kind}，不是本工具的锁文件；不会修改它。"
                          f"请把它移走后重新运行。")
    try:
        handle = open(path, "a+")
    except OSError as exc:
        raise _failed(output, path, "创建构建锁", exc) from None
    with handle:
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
