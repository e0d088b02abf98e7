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


from conftest import FIXTURES, cli, make_workspace, minimal_output

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
    # issue 11, round two
    "number-overflow": "project.yaml:24: objectives[0].target: 数值超出范围：绝对值须小于一万亿，实际为 1E+30",
    "integer-29-digits": "project.yaml:23: objectives[0].target: 数值超出范围：绝对值须小于一万亿，实际为 12345678901234567890123456789",
    "week-53-in-52-week-year": "weekly/2027-W53.yaml:1: weekly[0].week: 不存在的 ISO 周「2027-W53」：2027 年共 52 周（W01–W52）",
    "week-00": "weekly/2026-W00.yaml:1: weekly[0].week: 不存在的 ISO 周「2026-W00」：2026 年共 53 周（W01–W53）",
    "week-fullwidth-digits": "weekly/2026-W18.yaml:1: weekly[0].week: 格式不正确：应为 ISO 周，如 2026-W18，实际为「２０２６-W１８」",
    "version-arabic-digits": "project.yaml:22: documents.CHT.version: 格式不正确：版本号应形如 V0.1、V1.0，实际为「V١.٠」",
    "amount-fullwidth-digits": "project.yaml:9: project.contract_amount: 金额「５０００」含非半角数字「５」，请只用 0–9",
    "yaml-tag-bool": "project.yaml:3: project.name: 不支持 YAML 标签 !!bool（第 3 行）：请直接写值",
    "yaml-tag-int": "project.yaml:3: project.name: 不支持 YAML 标签 !!int（第 3 行）：请直接写值",
    "yaml-tag-null": "project.yaml:5: project.company_code: 不支持 YAML 标签 !!null（第 5 行）：请直接写值",
    "yaml-tag-timestamp": "project.yaml:3: project.name: 不支持 YAML 标签 !!timestamp（第 3 行）：请直接写值",
    "yaml-tag-custom": "project.yaml:3: project.name: 不支持 YAML 标签 !custom（第 3 行）：请直接写值",
    "yaml-nesting-too-deep": "extra.yaml:1: 列表或映射嵌套过深（超过 64 层），请检查括号或缩进",
    "surrogate-escape": ("project.yaml:3: project.name: 含有无效的 Unicode 代理字符 U+D800（第 3 个字符），"
                         "通常是 \\u 转义写错（如 \\ud800），无法保存到文档，请删除或改为正确的字符"),
}


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory) -> Path:
    """A good build of the minimal project: the output every broken build must leave alone."""
    return minimal_output(tmp_path_factory.mktemp("good"), SLUG)


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


def test_slug_with_a_trailing_newline_is_refused(tmp_path):
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    result = cli(root, "build", f"{SLUG}\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：项目名「{SLUG}\n」不合法：")
    assert not (root / "output").exists()


def test_null_where_an_amount_is_required(tmp_path, previous_output):
    root = broken_workspace(tmp_path, previous_output, FIXTURES / "minimal")
    path = root / "projects" / SLUG / "project.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 4
    path.write_text(text + "budget:\n  lines:\n    - category: 人工\n      amount:\n", encoding="utf-8")
    assert_refused(root, previous_output, f"project.yaml:{line}: budget.lines[0].amount: 缺少金额（值为空）")


#: The address-space limit the whole corpus runs under: a memory bomb in the input (an alias
#: explosion, a huge number, a runaway template) fails this test instead of taking down the machine.
MEMORY_LIMIT = 2 * 1024**3

_UNDER_LIMIT = r"""
import json, resource, shutil, sys
from pathlib import Path
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[2])
from click.testing import CliRunner
from salespm_docs.cli import main
root, cases = Path(sys.argv[3]), json.loads(sys.argv[4])
results = {}
for name, folder in cases.items():
    shutil.rmtree(root / "projects" / "acme", ignore_errors=True)
    shutil.copytree(folder, root / "projects" / "acme")
    result = CliRunner().invoke(main, ["--root", str(root), "check", "acme"], catch_exceptions=True)
    results[name] = [result.exit_code, result.stderr, repr(result.exception) if result.exit_code not in (0, 1, 2) else ""]
print(json.dumps(results, ensure_ascii=False))
"""


def test_whole_corpus_under_a_memory_limit(tmp_path):
    """Every corpus case, checked in one process limited to 2 GB of address space: each is refused
    with its located message (exit 2), none runs out of memory or ends in 「内部错误」."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    cases = {name: str(BROKEN / name) for name in sorted(EXPECTED)}
    done = subprocess.run([sys.executable, "-c", _UNDER_LIMIT, str(MEMORY_LIMIT), str(ROOT), str(root),
                           json.dumps(cases)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (code, stderr, exception) in results.items():
        assert (code, exception) == (2, ""), (name, stderr[-500:])
        assert f"  projects/{SLUG}/{EXPECTED[name]}\n" in stderr, (name, stderr)
        assert "MemoryError" not in stderr and "内部错误" not in stderr, name
