"""Bad input gets a clear message and loses nothing.

Every case of the corpus (``tests/fixtures/broken/<case>/``, plus a few made at run time) must end
with a Chinese message naming file:line and key, a non-zero exit, no traceback, and the previous
``output/<slug>/`` left exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from salespm_docs.build import build

from conftest import FIXTURES, cli, make_workspace

BROKEN = FIXTURES / "broken"
SLUG = "acme"

EXPECTED = {
    "bad-indentation": "project.yaml:3: YAML 语法错误：此处不能出现「键: 值」，通常是缩进不对或值中含未加引号的冒号",
    "tab-indentation": "project.yaml:2: YAML 语法错误：含有制表符（Tab）；YAML 只能用空格缩进",
    "unclosed-quote": "project.yaml:3: YAML 语法错误：引号未闭合（第 3 行开始的字符串到文件末尾仍未结束）",
    "duplicate-key": "project.yaml:9: project.start: 重复的键「start」：第 7 行已定义过（YAML 会悄悄保留后一个值，这里按错误处理）",
    "wrong-type": "project.yaml:17: team[0].role: 应为文本，实际为列表",
    "missing-required": "project.yaml:1: project.company_code: 缺少必填字段（公司代码，用于文档编号前缀，如 HX）",
    "unknown-key": "project.yaml:7: project.stgae: 未知字段「stgae」；是否想写「stage」？",
    "impossible-date": "project.yaml:7: project.start: 日期不存在，实际为「2026-02-30」（请检查月份与天数）",
    "date-range-reversed": "project.yaml:8: project.end: 结束日期 2026-01-31 早于开始日期 2026-03-02",
    "negative-amount": "project.yaml:9: project.contract_amount: 金额不能为负数：-5000.00",
    "three-decimals": "project.yaml:9: project.contract_amount: 金额最多两位小数（分），实际为 5000000.005；不做截断，请修正数据",
    "percent-over-100": "project.yaml:18: team[0].allocation: 百分数应在 0–100 之间，实际为 120",
    "empty-file": "risks.yaml: 文件为空：至少应包含一个「键: 值」映射",
    "not-utf8": "project.yaml:3: 文件不是 UTF-8 编码（第 34 字节为 0xD7）；若是 GBK 编码，可用 iconv -f GBK -t UTF-8 转换后再保存",
    "bom": "project.yaml:1: 文件以 UTF-8 BOM 开头；请在编辑器中另存为「UTF-8（无 BOM）」",
    "amount-bad-comma": "project.yaml:9: project.contract_amount: 金额「1,50」的千分位逗号位置不对（应每三位一个，如 1,500,000.00）",
    "amount-too-large": "project.yaml:9: project.contract_amount: 金额超出范围：须小于一万亿元（大写金额的上限），实际为 1000000000000000000000000000",
    "amount-bool": "project.yaml:9: project.contract_amount: 应为金额，实际为布尔值 true",
    "path-escape": "project.yaml:9: project.logo: 文件路径「../../etc/passwd」必须是项目文件夹内的相对路径（不能以 / 开头，不能包含 ..）",
    "survey-score-out-of-range": "surveys.yaml:6: surveys[0].responses[0].scores.进度: 评分应在 1–5 之间，实际为 6",
    "survey-nps-out-of-range": "surveys.yaml:7: surveys[0].responses[0].nps: 推荐意愿（NPS）应在 0–10 之间，实际为 11",
    "survey-score-bool": "surveys.yaml:8: surveys[0].responses[0].scores.进度: 评分应为 1–5 的整数，实际为布尔值 true",
}


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory) -> Path:
    """A good build of the minimal project: the output every broken build must leave alone."""
    root = make_workspace(tmp_path_factory.mktemp("good"), (SLUG, FIXTURES / "minimal"))
    build(root, SLUG)
    return root / "output" / SLUG


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def broken_workspace(tmp_path: Path, previous: Path, case: Path) -> Path:
    root = make_workspace(tmp_path, (SLUG, case))
    shutil.copytree(previous, root / "output" / SLUG)
    return root


def assert_refused(root: Path, previous: Path, message: str, *args: str) -> None:
    before = snapshot(root / "output" / SLUG)
    assert before == snapshot(previous)
    result = cli(root, "build", *args, SLUG)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("错误：项目数据有误（共 1 处）：\n")
    assert f"  projects/{SLUG}/{message}\n" in result.stderr, result.stderr
    assert snapshot(root / "output" / SLUG) == before
    assert [p.name for p in (root / "output").iterdir() if ".tmp-" in p.name] == []


def test_corpus_covers_every_case():
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_project_is_refused_and_output_kept(tmp_path, previous_output, case):
    root = broken_workspace(tmp_path, previous_output, BROKEN / case)
    assert_refused(root, previous_output, EXPECTED[case])


def test_ten_megabyte_string(tmp_path, previous_output):
    root = broken_workspace(tmp_path, previous_output, FIXTURES / "minimal")
    path = root / "projects" / SLUG / "project.yaml"
    text = path.read_text(encoding="utf-8").replace("  name: 最小示例项目", "  name: " + "长" * (10 * 1024 * 1024 // 3))
    path.write_text(text, encoding="utf-8")
    assert_refused(root, previous_output, "project.yaml: 文件过大：10.0 MB，上限 2 MB")


def test_long_string_under_the_file_limit_is_refused_by_field(tmp_path, previous_output):
    root = broken_workspace(tmp_path, previous_output, FIXTURES / "minimal")
    path = root / "projects" / SLUG / "project.yaml"
    text = path.read_text(encoding="utf-8").replace("  name: 最小示例项目", "  name: " + "长" * 6000)
    path.write_text(text, encoding="utf-8")
    assert_refused(root, previous_output, "project.yaml:3: project.name: 文本过长：6000 个字符，上限 5000 个字符")


def test_symlinked_data_file_pointing_outside_is_refused(tmp_path, previous_output):
    root = broken_workspace(tmp_path, previous_output, FIXTURES / "minimal")
    outside = tmp_path / "secret.yaml"
    outside.write_text("risks: []\n", encoding="utf-8")
    os.symlink(outside, root / "projects" / SLUG / "risks.yaml")
    assert_refused(root, previous_output, "risks.yaml: 符号链接或路径指向项目文件夹之外，已拒绝读取")


def test_symlinked_logo_pointing_outside_is_refused(tmp_path, previous_output):
    root = broken_workspace(tmp_path, previous_output, FIXTURES / "minimal")
    folder = root / "projects" / SLUG
    os.symlink("/etc/hostname", folder / "logo.png")
    path = folder / "project.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  end: 2026-08-31\n", "  end: 2026-08-31\n  logo: logo.png\n"),
                    encoding="utf-8")
    assert_refused(root, previous_output, "project.yaml:9: project.logo: 「logo.png」指向项目文件夹之外（符号链接），已拒绝")


def test_symlinked_project_folder_is_refused(tmp_path, previous_output):
    root = make_workspace(tmp_path)
    outside = tmp_path / "elsewhere"
    shutil.copytree(FIXTURES / "minimal", outside)
    os.symlink(outside, root / "projects" / SLUG)
    result = cli(root, "build", SLUG)
    assert result.exit_code == 2
    assert result.stderr == f"错误：项目「{SLUG}」是指向 projects/ 之外的符号链接，已拒绝\n"


@pytest.mark.parametrize("slug", ["../acme", "acme/../../etc", "/etc", ".."])
def test_slug_with_dotdot_is_refused(tmp_path, slug):
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    result = cli(root, "build", slug)
    assert result.exit_code == 2
    assert result.stderr == (f"错误：项目名「{slug}」不合法：只能使用小写字母、数字、- 和 _（例如 huaxing-crm），"
                             "不能包含 / 或 ..\n")
    assert not (root / "output").exists()


def test_null_where_an_amount_is_required(tmp_path, previous_output):
    root = broken_workspace(tmp_path, previous_output, FIXTURES / "minimal")
    path = root / "projects" / SLUG / "project.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 4
    path.write_text(text + "budget:\n  lines:\n    - category: 人工\n      amount:\n", encoding="utf-8")
    assert_refused(root, previous_output, f"project.yaml:{line}: budget.lines[0].amount: 缺少金额（值为空）")
