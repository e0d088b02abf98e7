"""LibreOffice recalculation of a workbook: what a spreadsheet shows once it has computed the formulas.

openpyxl stores formulas without results; LibreOffice (headless, with a private profile so parallel
tests never share one) loads a *copy*, recalculates every formula, and saves it with the results,
which openpyxl then reads with ``data_only=True``. The original is never touched (LibreOffice drops
frozen panes and other details when it saves). ``stale_formulas`` compares what LibreOffice computes
with the results the writer cached (the documents' figures): a register test asserts it is empty.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl

TIMEOUT = 180

#: Always recalculate formulas when loading OOXML and ODF files (the default is "never" for a
#: file that says which application last saved it)
_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


ROOT = Path(__file__).resolve().parent.parent
#: LibreOffice's spreadsheet part (the Writer part alone cannot load a workbook)
CALC_PACKAGE = "libreoffice-calc-nogui"
_installed: list[str] = []


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def ensure_calc() -> str:
    """Install LibreOffice Calc when missing (``scripts/install-system-deps.sh``, quick once done);
    the path of ``soffice``. A missing spreadsheet is a failure, never a skipped check."""
    if not _installed:
        done = subprocess.run(["bash", str(ROOT / "scripts" / "install-system-deps.sh"), CALC_PACKAGE],
                              capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            raise RuntimeError(f"安装 {CALC_PACKAGE} 失败（退出码 {done.returncode}）：{done.stdout}{done.stderr}")
        binary = soffice()
        if binary is None:
            raise RuntimeError(f"安装 {CALC_PACKAGE} 后仍找不到 soffice")
        _installed.append(binary)
    return _installed[0]


def recalculated(path: Path) -> openpyxl.Workbook:
    """The workbook at ``path`` as LibreOffice computes it (values, not formulas)."""
    binary = ensure_calc()
    with tempfile.TemporaryDirectory(prefix="salespm-xlsx-") as tmp:
        tmp = Path(tmp)
        source, out, profile = tmp / "in", tmp / "out", tmp / "profile"
        source.mkdir()
        out.mkdir()
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        copy = source / "book.xlsx"
        shutil.copyfile(path, copy)
        command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nologo", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                   str(copy)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp)
        result = out / "book.xlsx"
        if not result.is_file():
            raise RuntimeError(f"LibreOffice 未能转换工作簿（退出码 {done.returncode}）：{done.stdout}{done.stderr}")
        return openpyxl.load_workbook(str(result), data_only=True)


_FORMULA = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>.*?</f>(?:<v>(.*?)</v>|<v\s*/>)?</c>', re.S)


def cached_results(path: Path) -> dict[tuple[str, str], object]:
    """``(sheet, cell) → cached result`` of every formula cell of a workbook written by openpyxl
    (the n-th sheet is ``sheet<n>.xml``) that carries one; a cached blank is ``""``."""
    values = openpyxl.load_workbook(str(path), data_only=True)
    found = {}
    with zipfile.ZipFile(path) as z:
        for n, ws in enumerate(values.worksheets, start=1):
            xml = z.read(f"xl/worksheets/sheet{n}.xml").decode("utf-8")
            for m in _FORMULA.finditer(xml):
                coordinate, attrs, text = m.groups()
                if text:
                    found[ws.title, coordinate] = ws[coordinate].value
                elif 't="str"' in attrs:
                    found[ws.title, coordinate] = ""
    return found


def _same(cached, computed) -> bool:
    if isinstance(cached, dt.datetime):
        cached = cached.date()
    if isinstance(computed, dt.datetime):
        computed = computed.date()
    if cached in (None, "") or computed in (None, ""):
        return cached in (None, "") and computed in (None, "")
    if isinstance(cached, (int, float)) and isinstance(computed, (int, float)):
        return math.isclose(cached, computed, rel_tol=1e-9, abs_tol=1e-9)
    return cached == computed


def stale_formulas(path: Path, computed: openpyxl.Workbook | None = None) -> list[str]:
    """The formula cells whose live result (LibreOffice) differs from the figure the writer cached,
    which is the figure the documents show: ``[]`` when the register computes what they say.
    ``computed``: the workbook already recalculated (``recalculated(path)``), if the caller has it."""
    cached = cached_results(path)
    computed = computed if computed is not None else recalculated(path)
    return [f"{sheet}!{cell}: 文档 {value!r}，公式 {computed[sheet][cell].value!r}"
            for (sheet, cell), value in cached.items() if not _same(value, computed[sheet][cell].value)]
