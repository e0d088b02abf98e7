"""Scaffold: a slug → a new ``projects/<slug>/`` with commented YAML to fill in (``salespm new``)."""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import yaml

from .dates import today
from .errors import SalespmError
from .loader import SLUG_RE

SKELETON = Path(__file__).with_name("skeleton")


def new_project(root: Path, slug: str, *, name: str | None = None, client: str | None = None) -> Path:
    """Create ``projects/<slug>/`` from the skeleton; never overwrite an existing project."""
    if not SLUG_RE.fullmatch(slug):  # fullmatch: ``$`` alone would accept a trailing newline
        shown = slug.encode("unicode_escape").decode("ascii")  # a newline shows escaped, not as a line break
        raise SalespmError(f"项目名「{shown}」不合法：只能使用小写字母、数字、- 和 _，以字母或数字开头，"
                           f"最长 64 个字符（例如 huaxing-crm）")
    folder = root / "projects" / slug
    if folder.exists():
        raise SalespmError(f"项目「{slug}」已存在：{folder}；不会覆盖")
    start = today()
    values = {
        "slug": slug,
        "code": f"P{start.year}{zlib.crc32(slug.encode()) % 1000:03d}",
        "name": _quoted(name or "【待填】项目名称"),
        "client": _quoted(client or "【待填】客户全称"),
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=182)).isoformat(),
    }
    folder.mkdir(parents=True)
    for template in sorted(SKELETON.glob("*.yaml")):
        (folder / template.name).write_text(template.read_text(encoding="utf-8").format(**values), encoding="utf-8")
    return folder


def _quoted(value: str) -> str:
    """``value`` as one double-quoted YAML scalar: ``#``, ``: ``, quotes and line breaks stay text."""
    return yaml.safe_dump(value, allow_unicode=True, default_style='"', width=float("inf")).rstrip("\n")
