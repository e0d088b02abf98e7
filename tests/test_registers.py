"""The XLSX registers of the example projects (WBS, PRG), as a PM receives them.

A copy of each workbook is recalculated by LibreOffice; every live formula (工期, 偏差天数, SV, CV,
SPI, CPI, and the 合计 row's totals and 完成% roll-up) must then equal the figure the PDF shows for
the same row, read from the PDF's text. The original is read back by openpyxl: frozen header, filter,
Excel table, drop-downs and print setup are there.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from salespm_docs.extract import pdf_read
from salespm_docs.templating import number, pct, signed, yuan

from conftest import EXAMPLES
from xlsx_tools import recalculated, stale_formulas

pytestmark = pytest.mark.clients

CODES = ("WBS", "PRG")
NOT_REGISTERS = {"文档信息", "节假日", "列表"}


def _files(root: Path, slug: str, code: str) -> tuple[Path, Path]:
    folder = root / "output" / slug
    (xlsx,) = folder.glob(f"{code}_*.xlsx")
    (pdf,) = folder.glob(f"{code}_*.pdf")
    return xlsx, pdf


def _shown(header: str, value) -> str:
    """How the document writes the figure of column ``header``."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if header in ("偏差天数",):
        return signed(int(value))
    if header in ("SV", "CV"):
        return yuan(Decimal(value).quantize(Decimal("0.01")))
    if header in ("SPI", "CPI"):
        return number(Decimal(value), 2)
    if header in ("工期（工作日）", "计划工期"):
        return str(int(value))
    if header.startswith("工作量"):
        return number(Decimal(value), 1)
    if header == "完成%":
        return pct(Decimal(value), 1, True)
    raise AssertionError(f"no document format for column {header}")


def _row_segments(text: str, keys: list[str]) -> dict[str, str]:
    """The PDF text of each table row, by its first cell (rows in table order, each starting a line)."""
    found, position = [], 0
    for key in keys:
        match = re.compile(rf"(?m)^{re.escape(key)}[ \n]").search(text, position)
        assert match, f"PDF 中找不到以「{key}」开头的表格行"
        found.append((key, match.start()))
        position = match.end()
    return {key: text[start: (found[n + 1][1] if n + 1 < len(found) else start + 600)]
            for n, (key, start) in enumerate(found)}


@pytest.mark.parametrize("slug", EXAMPLES)
@pytest.mark.parametrize("code", CODES)
def test_every_formula_equals_what_the_pdf_shows(examples_built, slug, code):
    root, _ = examples_built
    xlsx, pdf = _files(root, slug, code)
    formulas = openpyxl.load_workbook(str(xlsx))
    values = recalculated(xlsx)
    pages, _ = pdf_read(pdf)
    text = "\n".join(pages)
    checked = 0
    for ws in formulas.worksheets:
        if ws.title in NOT_REGISTERS:
            continue
        headers = [str(c.value) for c in ws[1]]
        keys = [str(ws.cell(r, 1).value) for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value is not None]
        segments = _row_segments(text, keys)
        for r in range(2, ws.max_row + 1):
            key = ws.cell(r, 1).value
            for c, header in enumerate(headers, start=1):
                cell = ws.cell(r, c)
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                value = values[ws.title].cell(r, c).value
                if value in (None, ""):
                    continue  # a blank formula result: blank inputs (no SPI without PV …)
                figure = _shown(header, value)
                tokens = segments[str(key)].split()
                assert figure in tokens, (f"{xlsx.name} {ws.title}!{cell.coordinate}（{key} 的{header}）："
                                          f"公式结果 {figure}，PDF 该行为「{' '.join(tokens)[:160]}」")
                checked += 1
    # the totals row and every live row-formula are compared: WBS 工期 of every element, PRG 计划工期
    # and 偏差天数 of every leaf plus SV/CV/SPI/CPI of every week
    assert checked >= {"WBS": 40, "PRG": 60}[code], checked
    assert stale_formulas(xlsx, values) == []


@pytest.mark.parametrize("code", CODES)
def test_workbook_reads_back_with_dropdowns_and_print_setup(examples_built, code):
    root, _ = examples_built
    xlsx, _ = _files(root, "yuanhang-srm", code)
    wb = openpyxl.load_workbook(str(xlsx))
    assert wb.sheetnames[0] == "文档信息"
    info = {row[0].value: row[1].value for row in wb["文档信息"].iter_rows(min_row=1, max_col=2) if row[0].value}
    assert info["文档编号"] == f"HX-P2026042-{code}-01" and info["密级"] == "内部"
    main = wb[wb.sheetnames[1]]
    assert main.freeze_panes == "A2"
    assert main.auto_filter.ref or main.tables
    assert main.tables, "登记表应是一个 Excel 表格"
    assert main.page_setup.orientation == "landscape"
    assert main.page_setup.fitToWidth == 1 and main.sheet_properties.pageSetUpPr.fitToPage
    assert main.print_title_rows == "1:1" or main.print_title_rows == "$1:$1"
    headers = [c.value for c in main[1]]
    lists = {r.min_col: dv for dv in main.data_validations.dataValidation for r in dv.sqref.ranges}
    owner_col = headers.index("责任人") + 1
    assert owner_col in lists and lists[owner_col].type == "list"
    source = lists[owner_col].formula1
    sheet, _, cells = source.lstrip("=").partition("!")
    listed = [c.value for row in wb[sheet.strip("'")][cells.replace("$", "")] for c in row]
    assert "徐明辉" in listed and "唐浩" in listed
    assert "第 &P 页 共 &N 页" in main.oddFooter.right.text or "第 &P 页 共 &N 页" in (main.oddFooter.center.text or "")


def test_the_progress_register_carries_the_s_curve_at_200_dpi(examples_built):
    import zipfile

    from salespm_docs.charts import png_dpi

    root, _ = examples_built
    xlsx, _ = _files(root, "yuanhang-srm", "PRG")
    wb = openpyxl.load_workbook(str(xlsx))
    assert wb.sheetnames.index("S曲线") < wb.sheetnames.index("节假日")
    assert len(wb["S曲线"]._images) == 1
    with zipfile.ZipFile(xlsx) as z:
        (media,) = [n for n in z.namelist() if n.startswith("xl/media/")]
        dpi = png_dpi(z.read(media))
    # pHYs holds pixels per metre: 200 dpi is 7874 px/m, read back as 199.9996
    assert dpi is not None and round(min(dpi)) >= 200
