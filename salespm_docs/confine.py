"""Confinement: a path the product reads or writes must stay inside its folder (``projects/``,
``templates/``, ``output/``), after every symlink is resolved.

One check for every reader — the PDF URL fetcher, the Jinja loader, docxtpl, the fingerprints and
the configuration — so that no reader follows a link out of its folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def inside(root: Path, path: Path) -> Path | None:
    """``path`` resolved (symlinks followed), if it lies inside ``root`` resolved; else ``None``."""
    try:
        real = Path(path).resolve(strict=False)
        base = Path(root).resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return real if real == base or real.is_relative_to(base) else None


def regular_file_inside(root: Path, path: Path) -> Path | None:
    """Like ``inside``, and the target is a regular file (not a FIFO, device or folder)."""
    real = inside(root, path)
    return real if real is not None and real.is_file() else None


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words (``stat`` mode → 命名管道（FIFO）…)."""
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


class NotRegularFile(Exception):
    """``read_regular`` met a FIFO, device, socket or folder; ``kind`` says which (``file_kind``)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def read_regular(path: Path, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes (at most ``limit``) and ``stat`` of a regular file, without ever blocking: opened
    non-blocking and without following a final symlink, its type checked on the open descriptor, so
    a FIFO or device swapped in after an earlier check is refused (``NotRegularFile``) rather than
    read. Other failures raise ``OSError``."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(file_kind(info.st_mode))
        return (handle.read() if limit is None else handle.read(limit)), info
