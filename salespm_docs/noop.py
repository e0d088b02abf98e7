"""The no-op shortcut: a build whose every input is byte for byte the last published build's.

make's idea, for a whole build. ``inputs_digest`` hashes, without parsing anything, everything a
build reads: the project folder, ``templates/``, the company configuration (``salespm.yaml``),
the package (version and source), the date (``dates.today``: the manifest is dated with it, and
``project.status_date`` is in the project folder) and the switch that changes the PDFs
(``SALESPM_PLAIN_PDF``). After a published build, ``salespm build`` records the digest, the
manifest's SHA-256 and what it printed (``NOTE``); the next ``salespm build`` checks them before it
imports the data model, the renderers or the rules. When the digest matches, nothing is left of an
interrupted build and every file of the manifest is intact, it prints the recorded summary instead
of building. Anything else, or anything odd (a file too large, unreadable, a link), goes the
normal way. This module imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from . import __version__, dates
from .confine import NotRegularFile, read_regular, regular_file_inside
from .render import pdf_tuning

NOTE = ".salespm-noop.json"
PACKAGE = Path(__file__).resolve().parent
#: Inputs larger than this (all files together) are not hashed: such a project builds the normal way.
MAX_INPUT_BYTES = 256 * 1024 * 1024
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the package source and defaults: a code change invalidates every document."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class _TooMuch(Exception):
    pass


def _hash_tree(h, root: Path, folder: Path, budget: list[int]) -> None:
    """Every entry under ``folder``, in a fixed order: its path, and its bytes (regular files),
    link text (symlinks, never followed) or kind (anything else, never opened)."""
    if not folder.exists() and not folder.is_symlink():
        h.update(b"<absent>" + folder.name.encode())
        return
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if (Path(here) / d).is_symlink()]:
            path = Path(here) / name
            h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            if path.is_symlink():
                h.update(b"<link>" + os.fsencode(os.readlink(path)))
                continue
            real = regular_file_inside(root, path)
            if real is None:
                h.update(b"<not a regular file>")
                continue
            try:
                data, _ = read_regular(real, budget[0] + 1)
            except (NotRegularFile, OSError):
                raise _TooMuch from None
            budget[0] -= len(data)
            if budget[0] < 0:
                raise _TooMuch
            h.update(hashlib.sha256(data).digest())


def inputs_digest(root: Path, slug: str) -> str | None:
    """The digest of everything a build of ``slug`` reads, or ``None`` (then build the normal way)."""
    if not _SLUG.fullmatch(slug):
        return None
    root = root.resolve()
    h = hashlib.sha256()
    h.update(json.dumps([__version__, code_hash(), dates.today().isoformat(),
                         pdf_tuning.switched_off()]).encode())
    budget = [MAX_INPUT_BYTES]
    try:
        for folder in (root / "projects" / slug, root / "templates"):
            _hash_tree(h, root, folder, budget)
        company = root / "salespm.yaml"
        h.update(b"\0salespm.yaml\0")
        if company.is_symlink() or company.exists():
            real = regular_file_inside(root, company)
            if real is None:
                return None
            h.update(hashlib.sha256(read_regular(real, budget[0] + 1)[0]).digest())
    except (_TooMuch, NotRegularFile, OSError):
        return None
    return h.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def recorded(root: Path, slug: str, digest: str) -> dict | None:
    """The summary recorded by the last published build, if its inputs had ``digest`` and its
    output is whole and untouched; else ``None``."""
    output = root.resolve() / "output"
    folder = output / slug
    if not folder.is_dir() or folder.is_symlink():
        return None
    if any(output.glob(f".{slug}.tmp-*")) or (output / f".{slug}.old").exists():
        return None  # an interrupted build: the normal way recovers it
    try:
        note = json.loads((folder / NOTE).read_text(encoding="utf-8"))
        manifest_bytes = (folder / "manifest.json").read_bytes()
        manifest = json.loads(manifest_bytes)
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict) or note.get("digest") != digest:
        return None
    if note.get("manifest") != hashlib.sha256(manifest_bytes).hexdigest():
        return None
    for f in manifest.get("files", []):
        path = folder / str(f.get("path", ""))
        if path.parent != folder or path.is_symlink() or _sha256(path) != f.get("sha256"):
            return None
    return note.get("summary")


def record(root: Path, slug: str, digest: str, summary: dict) -> None:
    """Record ``summary`` for ``digest`` in ``output/<slug>/`` (atomically; a failure only means the
    next build goes the normal way)."""
    folder = root.resolve() / "output" / slug
    try:
        manifest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
        partial = folder / f".{NOTE}.{os.getpid()}.tmp"
        partial.write_text(json.dumps({"digest": digest, "manifest": manifest, "summary": summary},
                                      ensure_ascii=False), encoding="utf-8")
        os.replace(partial, folder / NOTE)
    except OSError:
        return
