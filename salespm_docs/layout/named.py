"""Named blocks: what the layout elements cannot express, written once per format.

``NAMED[name] = {"html": fn(*args) -> str, "docx": fn(writer, *args) -> None}``. A layout uses one
as ``Named(name, args)``. None is needed by today's documents; charts of the schedule documents
(Gantt, S-curve) are the expected first users.
"""

from __future__ import annotations

from collections.abc import Callable

NAMED: dict[str, dict[str, Callable]] = {}


def register(name: str, *, html: Callable, docx: Callable) -> None:
    """Add a named block with its HTML and Word writers (each format must have one)."""
    if name in NAMED:
        raise ValueError(f"named block {name!r} registered twice")
    NAMED[name] = {"html": html, "docx": docx}
