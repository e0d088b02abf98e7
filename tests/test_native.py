"""Finding the C libraries of WeasyPrint and cairocffi from one ``ldconfig -p`` (``salespm_docs.native``)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from salespm_docs import native

# every name WeasyPrint 70 and cairocffi try, on every platform, and a few more
NAMES = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libgobject-2.0.so.0", "pango-1.0", "pangoft2-1.0",
         "harfbuzz", "harfbuzz-subset", "harfbuzz-vector", "libharfbuzz-vector-0.dll", "fontconfig",
         "fontconfig-1", "cairo", "cairo-2", "libcairo-2", "c", "m", "z", "no-such-library-here"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldconfig -p is Linux's")


@pytest.mark.parametrize("name", NAMES)
def test_same_answer_as_the_standard_library(name):
    assert native.find_library(name) == ctypes.util.find_library(name)


def test_the_libraries_weasyprint_needs_are_found():
    assert native.find_library("pango-1.0") == "libpango-1.0.so.0"
    assert native.find_library("harfbuzz-subset") == "libharfbuzz-subset.so.0"
    assert native.find_library("libpango-1.0-0") is None


def test_library_path_set_means_the_standard_lookup(monkeypatch):
    asked = []
    monkeypatch.setattr(native, "_standard", lambda name: asked.append(name) or "libx.so.1")
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/lib")
    assert native.find_library("x") == "libx.so.1"
    assert asked == ["x"]


def test_imports_in_a_new_process_leave_the_standard_lookup_in_place():
    code = ("import ctypes.util, salespm_docs.render.pdf, salespm_docs.charts as c, cairocffi;"
            "c.rasterise('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>', 72);"
            "import salespm_docs.native as n;"
            "print(ctypes.util.find_library is n._standard, cairocffi.find_library is n._standard)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]
