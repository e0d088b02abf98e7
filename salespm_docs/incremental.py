"""Incremental builds: a document instance → a fingerprint of everything it is made from.

The fingerprint covers the data the artifact reads (``depends_on``, or its own ``fingerprint``
hook), the roster and its control block, the settings, the date, the logo and the templates (for a
document rendered from a layout; the ``.eml`` of MAIL reads neither), and the package (version and
source). When the fingerprint of a document matches the previous build and its files
are intact, the build reuses them instead of rendering again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, noop
from .catalogue import CATALOGUE
from .confine import NotRegularFile, read_regular, regular_file_inside
from .render import pdf_tuning
from .rules import Finding

if TYPE_CHECKING:
    from .artifacts.registry import Instance
    from .facts import Facts

CACHE = ".salespm-cache.json"


#: Hash of the package source and defaults: a code change invalidates every document.
code_hash = noop.code_hash


def _read_confined(root: Path, path: Path) -> bytes:
    """What a fingerprint records of ``path``: its bytes if it is a regular file inside ``root``
    (symlinks resolved); the link text of a symlink out (its target is never read); a marker for a
    missing file, a FIFO, a device or a folder (never opened)."""
    real = regular_file_inside(root, path)
    if real is None:
        if path.is_symlink():
            try:
                return b"<link>" + os.fsencode(os.readlink(path))
            except OSError:
                return b"<unreadable link>"
        return b"<missing>" if not os.path.lexists(path) else b"<not a regular file>"
    try:
        return read_regular(real)[0]
    except NotRegularFile:
        return b"<not a regular file>"
    except OSError:
        return b"<unreadable>"


def _files_hash(root: Path, paths: list[Path]) -> str:
    """SHA-256 over the names (relative to ``root``) and contents of ``paths``, each confined to ``root``."""
    h = hashlib.sha256()
    for path in paths:
        data = _read_confined(root, path)
        label = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        h.update(label.encode() + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _own_templates(templates: Path) -> set[Path]:
    """Each document's own templates (``docx/<CODE>.docx``, ``html/<CODE>.html``), hashed per document."""
    return {templates / sub / f"{code}{ext}" for code in CATALOGUE for sub, ext in (("docx", ".docx"), ("html", ".html"))}


def _shared_files(templates: Path) -> list[Path]:
    """Every other entry under ``templates/`` — base.html, base.css, fonts, pictures, includes — that
    a document may read (the PDF fetcher serves the whole folder). Symlinked folders are not entered."""
    own = _own_templates(templates)
    found = []
    for folder, dirs, files in os.walk(templates, followlinks=False):
        here = Path(folder)
        dirs.sort()
        found += [here / d for d in dirs if (here / d).is_symlink()]
        found += [here / f for f in sorted(files) if here / f not in own]
    return sorted(found)


class Fingerprints:
    """Computes fingerprints for one build (shared parts hashed once).

    Every file a document reads is in its fingerprint, by content: the data (``depends_on``), the
    settings (``salespm.yaml`` and the project's ``config.yaml`` as loaded, every value but the
    archive's, which no built document reads), the
    logo (the checked PNG the renderers receive, ``Facts.logo_uri``), the document's own templates
    and every other file under ``templates/`` (``base.html``, ``base.css``, whatever they include or
    link to). Template files are read confined to ``templates/``: a symlink out is hashed by its
    link text, never followed.
    """

    def __init__(self, facts: "Facts", templates: Path):
        self.facts = facts
        self.templates = templates
        self._shared_templates = _files_hash(templates, _shared_files(templates)) if templates.is_dir() else "<none>"
        self._dumps: dict[str, object] = {}
        self._internal: list | None = None
        p = facts.project
        logo = facts.logo_uri
        self._logo = hashlib.sha256(logo.encode()).hexdigest() if logo else None
        self._common = json.dumps(
            [__version__, code_hash(), facts.today.isoformat(),
             # ``archive`` is read by salespm archive alone: its targets never change a built document
             facts.settings.model_dump(mode="json", exclude={"archive"}),
             p.project.model_dump(mode="json"), p.client.model_dump(mode="json"),
             [m.model_dump(mode="json") for m in p.team],
             pdf_tuning.switched_off()],
            sort_keys=True, ensure_ascii=False)

    def _dump(self, key: str) -> object:
        if key not in self._dumps:
            value = getattr(self.facts.project, key)
            self._dumps[key] = json.loads(json.dumps(_plain(value), default=str, sort_keys=True))
        return self._dumps[key]

    def _internal_figures(self) -> list:
        """The internal money figures R-COM-8 keeps out of a client-facing document: such a
        document's findings depend on them (budget, weekly costs) though it shows none of them."""
        if self._internal is None:
            from .rules import internal_figures

            self._internal = [[list(path), label, str(amount)] for path, label, amount in internal_figures(self.facts)]
        return self._internal

    def _page_inputs(self, code: str) -> list:
        """What a document rendered from its layout reads besides the data: the logo, its own two
        templates and every other file under ``templates/``. A document with its own renderer only
        (MAIL's ``.eml``: ``Artifact.laid_out`` is false) reads none of them — its renderer is
        package code (``code_hash``) — so a new logo or style sheet does not rebuild it."""
        own = _files_hash(self.templates, [self.templates / "docx" / f"{code}.docx",
                                           self.templates / "html" / f"{code}.html"])
        return [self._logo, self._shared_templates, own]

    def of(self, instance: "Instance") -> str:
        a, key = instance.artifact, instance.key
        if a.fingerprint is not None:
            data = a.fingerprint(self.facts, key)
        else:
            names = list(type(self.facts.project).model_fields) if "*" in a.depends_on else list(a.depends_on)
            # each document's own control block is hashed below; the others' do not concern it
            data = {name: self._dump(name) for name in names if name != "documents"}
        control = self.facts.control(a.code, key)[0].model_dump(mode="json")
        internal = self._internal_figures() if a.audience_for(self.facts.settings) == "client" else None
        payload = json.dumps([self._common, self._page_inputs(a.code) if a.laid_out else None, a.code, key,
                              control, data, internal], default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def json_plain(value: object) -> object:
    """A model, or a list/dict of models, as plain JSON-able data."""
    return _plain(value)


def _plain(value: object) -> object:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def read_cache(folder: Path) -> dict:
    """The previous build's cache (label → fingerprint, files, findings), or empty."""
    try:
        return json.loads((folder / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_cache(folder: Path, entries: dict) -> None:
    (folder / CACHE).write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")


def entry(fingerprint: str, files: list[tuple[str, str, str]], findings: list[Finding]) -> dict:
    """One cache entry: the fingerprint, (format, file name, sha256) of each file, and findings."""
    return {"fingerprint": fingerprint, "files": [list(f) for f in files],
            "findings": [asdict(f) for f in findings]}


def findings_of(cached: dict) -> list[Finding]:
    return [Finding(**f) for f in cached.get("findings", [])]
