"""Confinement: a path the product reads or writes must stay inside its folder (``projects/``,
``templates/``, ``output/``), after every symlink is resolved.

One check for every reader — the PDF URL fetcher, the Jinja loader, docxtpl, the fingerprints and
the configuration — so that no reader follows a link out of its folder.
"""

from __future__ import annotations

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
