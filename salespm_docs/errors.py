"""Exceptions: who raises what, and what the CLI turns each into.

Every exception carries a message for people, in Chinese, naming the file, line and key
where it can. Only the CLI prints them or exits.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass


class SalespmError(Exception):
    """Base class; the CLI prints ``str(exc)`` and exits with ``exit_code``."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem in the data: where (``file:line``), which key, and what is wrong."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class DataError(SalespmError):
    """Raised by the loader and the model when project data is malformed or invalid.

    Holds *every* problem found, so that the user fixes them all in one pass.
    """

    def __init__(self, problems: list[Problem], header: str = "项目数据有误"):
        self.problems = problems
        self.header = header
        super().__init__(self.__str__())

    def __str__(self) -> str:
        lines = [f"{self.header}（共 {len(self.problems)} 处）："]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class ProjectNotFound(SalespmError):
    """Raised when a slug names no folder under ``projects/``, or an unsafe path."""


class UsageError(SalespmError):
    """Raised when a command is asked for something it cannot do (an unknown document code …)."""


class ConfigError(SalespmError):
    """Raised when a configuration file (company or project) is invalid."""


class TemplateError(SalespmError):
    """Raised when a template does not parse, names an unknown variable, or is missing."""


class RenderError(SalespmError):
    """Raised when a document cannot be rendered (DOCX or PDF writer failure)."""


class BuildLocked(SalespmError):
    """Raised when another build of the same project holds the lock for too long."""


class ChecksFailed(SalespmError):
    """Raised by ``build --strict`` when a finding blocks the build; output is left untouched."""

    exit_code = 1


#: errno → why writing failed, in words a user can act on (``output/``, an archive folder).
WRITE_REASONS = {
    errno.EROFS: "文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENAMETOOLONG: "路径或文件名过长",
    errno.EISDIR: "它是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ELOOP: "符号链接循环",
}

#: Chinese reasons for the OS errors met when reading a file (``strerror`` is English).
_OS_REASONS = {
    errno.EACCES: "没有读取权限（请检查文件权限，例如 chmod 644）",
    errno.EPERM: "没有读取权限（请检查文件权限，例如 chmod 644）",
    errno.ENOENT: "文件不存在（可能在读取时被删除或移动）",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EIO: "磁盘读写错误",
    errno.ELOOP: "符号链接循环",
    errno.ENAMETOOLONG: "文件名过长",
}


def os_reason(exc: OSError) -> str:
    """A Chinese reason for an ``OSError`` (``strerror`` is English)."""
    return _OS_REASONS.get(exc.errno or 0, f"操作系统错误（errno {exc.errno}）")


class ArchiveError(SalespmError):
    """``salespm archive`` could not complete: a document not ready, a server that refused or failed.

    Nothing is recorded as archived that was not verified on the target; the journal under
    ``output/<slug>/`` lets the next run continue where this one stopped."""

    exit_code = 1
