"""Finding WeasyPrint's and cairocffi's C libraries without a subprocess for every guess.

WeasyPrint 70 and cairocffi look each library up under every name it has on any platform
(``libgobject-2.0-0``, ``gobject-2.0-0``, ``gobject-2.0``, …, ``libcairo-2.dll``). cffi hands each
name it cannot open to ``ctypes.util.find_library``, which on Linux runs ``/sbin/ldconfig -p`` for
every call, then ``gcc`` and ``ld`` when the name is not found. Importing both cost 25 lookups and
about 0.23 s of every ``salespm`` process, most of a one-document rebuild's fixed cost.

``quick_library_lookup()`` answers those lookups, while WeasyPrint or cairosvg is imported, from
one reading of the same ``ldconfig -p`` listing with the standard library's own pattern: a name
found there gives the same file as ``ctypes.util.find_library``. A name not found there is not
looked for with ``gcc`` and ``ld`` (they search ``LIBRARY_PATH`` and ``LD_LIBRARY_PATH`` too):
unless one of those variables is set, then the standard lookup does it all, as before.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator

_standard = ctypes.util.find_library


@functools.cache
def _ldconfig_listing() -> str | None:
    """``ldconfig -p``: every library in the dynamic linker's cache, or ``None`` if it cannot run."""
    try:
        done = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, check=True, timeout=10,
                              env={"LC_ALL": "C", "LANG": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return os.fsdecode(done.stdout)


def _abi() -> str:
    """The ABI tag ``ldconfig -p`` prints for this interpreter's libraries (as ``ctypes.util`` does)."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    tags = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
            "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}
    return tags.get(machine, "libc6")


def find_library(name: str) -> str | None:
    """``ctypes.util.find_library(name)``, answered from one ``ldconfig -p`` for the whole process."""
    listing = _ldconfig_listing()
    if listing is None or os.environ.get("LD_LIBRARY_PATH") or os.environ.get("LIBRARY_PATH"):
        return _standard(name)
    # the standard library's pattern (``ctypes.util._findSoname_ldconfig``)
    found = re.search(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), re.escape(_abi())), listing)
    return found.group(1) if found else None


@contextlib.contextmanager
def quick_library_lookup() -> Iterator[None]:
    """While importing WeasyPrint or cairosvg: library lookups from one ``ldconfig -p``.

    Only on Linux; elsewhere the standard lookup is left alone. cairocffi, which binds
    ``find_library`` when it is imported, gets the standard one back afterwards."""
    if not sys.platform.startswith("linux") or ctypes.util.find_library is not _standard:
        yield
        return
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = _standard
        cairocffi = sys.modules.get("cairocffi")
        if getattr(cairocffi, "find_library", None) is find_library:
            cairocffi.find_library = _standard
