"""Hostile project data, round two (issue 11): values and files that used to crash, hang or pass
silently are refused with a located Chinese message (exit 2), and ``status`` still lists every
other project when one cannot be read.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from salespm_docs import status as status_module
from salespm_docs.errors import DataError
from salespm_docs.loader import load_project
from salespm_docs.validate import validate

from conftest import FIXTURES, cli, make_workspace

SLUG = "acme"
MINIMAL = (FIXTURES / "minimal" / "project.yaml").read_text(encoding="utf-8")


def project(tmp_path: Path, text: str = MINIMAL, slug: str = SLUG) -> Path:
    root = tmp_path / "root"
    if not root.exists():
        make_workspace(root)
    folder = root / "projects" / slug
    folder.mkdir()
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path, slug: str = SLUG) -> list[str]:
    loaded = load_project(root / "projects" / slug, root)
    with pytest.raises(DataError) as info:
        validate(loaded)
    return [str(p) for p in info.value.problems]


def refused(root: Path, *expected: str, command: str = "check") -> None:
    result = cli(root, command, SLUG)
    assert result.exit_code == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert result.stderr == f"错误：项目数据有误（共 {len(expected)} 处）：\n" + "".join(
        f"  projects/{SLUG}/{line}\n" for line in expected), result.stderr


# -- 3. recursion ---------------------------------------------------------------------------

def test_recursive_alias_is_refused_not_a_recursion_error(tmp_path):
    root = project(tmp_path, MINIMAL.replace("  end: 2026-08-31\n",
                                             "  end: 2026-08-31\n  tags: &a [1, *a]\n"))
    assert problems_of(root)[0] == (
        "projects/acme/project.yaml:9: project.tags[1]: "
        "YAML 别名（*名称）引用了包含它自身的列表或映射，形成无限循环；请直接写出内容")


def test_recursive_alias_in_a_mapping(tmp_path):
    root = project(tmp_path, MINIMAL + "extra: &m\n  self: *m\n")
    assert "projects/acme/project.yaml:20: extra.self: YAML 别名（*名称）引用了包含它自身的列表或映射，形成无限循环；请直接写出内容" \
        in problems_of(root)


def test_alias_chain_deeper_than_the_limit(tmp_path):
    chain = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200))
    root = project(tmp_path)
    (root / "projects" / SLUG / "extra.yaml").write_text(chain, encoding="utf-8")
    refused(root, "extra.yaml:1: 列表或映射嵌套过深（超过 64 层），请检查别名或缩进")


def test_block_nesting_deeper_than_the_limit(tmp_path):
    text = "".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "x: 1\n"
    root = project(tmp_path)
    (root / "projects" / SLUG / "extra.yaml").write_text(text, encoding="utf-8")
    refused(root, "extra.yaml:64: 列表或映射嵌套过深（超过 64 层），请检查括号或缩进")


# -- 4. tags -------------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["!!str", "!!float", "!!binary", "!!set", "!"])
def test_every_explicit_tag_is_refused(tmp_path, tag):
    root = project(tmp_path, MINIMAL.replace("  name: 最小示例项目", f"  name: {tag} 最小示例项目"))
    problems = problems_of(root)
    assert problems[0] == f"projects/acme/project.yaml:3: project.name: 不支持 YAML 标签 {tag}（第 3 行）：请直接写值"


def test_tag_on_a_sequence_is_refused(tmp_path):
    root = project(tmp_path, MINIMAL.replace("team:\n", "team: !!seq\n"))
    assert problems_of(root) == [
        "projects/acme/project.yaml:15: team: 不支持 YAML 标签 !!seq（第 15 行）：请直接写值"]


# -- 5. files that are not regular files -------------------------------------------------

def _with_timeout(func, seconds: float = 60):
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(func()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung on a FIFO"
    return outcome[0]


@pytest.mark.parametrize("command", ["check", "build"])
def test_fifo_named_yaml_is_refused_without_hanging(tmp_path, command):
    root = project(tmp_path)
    os.mkfifo(root / "projects" / SLUG / "extra.yaml")
    _with_timeout(lambda: refused(root, "extra.yaml: 不是普通文件（命名管道（FIFO）），已拒绝读取", command=command))


def test_fifo_in_a_collection_folder_and_status(tmp_path):
    root = project(tmp_path)
    (root / "projects" / SLUG / "weekly").mkdir()
    os.mkfifo(root / "projects" / SLUG / "weekly" / "2026-W18.yaml")
    result = _with_timeout(lambda: cli(root, "status"))
    assert result.exit_code == 0
    assert "weekly/2026-W18.yaml: 不是普通文件（命名管道（FIFO）），已拒绝读取" in result.stdout


def test_folder_named_yaml_is_refused(tmp_path):
    root = project(tmp_path)
    (root / "projects" / SLUG / "risks.yaml").mkdir()
    refused(root, "risks.yaml: 不是普通文件（文件夹），已拒绝读取")


def test_device_symlink_is_refused(tmp_path):
    root = project(tmp_path)
    os.symlink("/dev/zero", root / "projects" / SLUG / "risks.yaml")
    refused(root, "risks.yaml: 符号链接或路径指向项目文件夹之外，已拒绝读取")


# -- 8. English left in messages -----------------------------------------------------------

def test_unreadable_file_is_reported_in_chinese(tmp_path, monkeypatch):
    root = project(tmp_path)
    target = root / "projects" / SLUG / "risks.yaml"
    target.write_text("risks: []\n", encoding="utf-8")
    real_open = open

    def deny(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    problems = problems_of(root)
    assert problems == ["projects/acme/risks.yaml: 无法读取文件：没有读取权限（请检查文件权限，例如 chmod 644）"]
    assert "Permission" not in problems[0]


def test_surrogate_in_a_key_is_refused(tmp_path):
    root = project(tmp_path, MINIMAL + '"\\udc00x": 1\n')
    assert problems_of(root)[0].startswith(
        "projects/acme/project.yaml:20: 含有无效的 Unicode 代理字符 U+DC00（第 1 个字符）")


# -- 6. digits and separators --------------------------------------------------------------

@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_become_newlines(tmp_path, char):
    escape = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"}[char]
    root = project(tmp_path, MINIMAL.replace("  name: 最小示例项目", f'  name: "最小{escape}示例项目"'))
    name = validate(load_project(root / "projects" / SLUG, root)).project.name
    assert name == "最小\n示例项目"
    assert not {"\u2028", "\u2029", "\x85"} & set(name)


def test_percent_with_arabic_indic_digits(tmp_path):
    root = project(tmp_path, MINIMAL.replace("    role: 项目经理\n", "    role: 项目经理\n    allocation: \"٥٠\"\n"))
    assert problems_of(root) == [
        "projects/acme/project.yaml:18: team[0].allocation: 百分数「٥٠」含非半角数字「٥」，请只用 0–9"]


# -- 1. numbers ----------------------------------------------------------------------------

def test_integer_beyond_python_conversion_limit(tmp_path):
    root = project(tmp_path, MINIMAL.replace("  end: 2026-08-31\n", "  end: 2026-08-31\n  contract_amount: " + "9" * 5000 + "\n"))
    refused(root, "project.yaml:9: project.contract_amount: 金额超出范围：须小于一万亿元（大写金额的上限），"
                  "实际为 99999999999999999999…（共 5000 个字符）")


def test_effort_overflow_is_located(tmp_path):
    text = MINIMAL + "wbs:\n  - code: '1'\n    name: 实施\n    effort: 1e30\n"
    root = project(tmp_path, text)
    assert problems_of(root) == ["projects/acme/project.yaml:23: wbs[0].effort: 数值超出范围：绝对值须小于一万亿，实际为 1E+30"]


def test_nan_target_is_in_chinese(tmp_path):
    root = project(tmp_path, MINIMAL + "objectives:\n  - id: O1\n    target: NaN\n")
    problems = problems_of(root)
    assert problems == ["projects/acme/project.yaml:22: objectives[0].target: 应为有限的数字（不能是 NaN 或无穷大），实际为「NaN」"]


# -- 1. status keeps going -------------------------------------------------------------------

def test_status_lists_the_others_when_one_project_is_unreadable(tmp_path):
    root = project(tmp_path, MINIMAL + "objectives:\n  - id: O1\n    target: 12345678901234567890123456789\n", slug="bad")
    project(tmp_path, MINIMAL, slug="good")
    result = cli(root, "status")
    assert result.exit_code == 0, result.stderr
    assert "bad：无法读取" in result.stdout
    assert "objectives[0].target: 数值超出范围" in result.stdout
    assert "最小示例项目" in result.stdout


def test_status_survives_an_unexpected_exception_in_one_project(tmp_path, monkeypatch):
    root = project(tmp_path, slug="bad")
    project(tmp_path, slug="good")
    real = status_module.load_facts

    def explode(ws, slug):
        if slug == "bad":
            raise ArithmeticError("boom")
        return real(ws, slug)

    monkeypatch.setattr(status_module, "load_facts", explode)
    result = cli(root, "status")
    assert result.exit_code == 0, result.stderr
    assert "bad：无法读取（内部错误：ArithmeticError: boom（请用 salespm --debug check bad 查看并报告此问题））" in result.stdout
    assert "最小示例项目" in result.stdout


# -- 7. implausible years ------------------------------------------------------------------

def test_year_outside_the_plausible_window_is_a_notice(tmp_path):
    root = project(tmp_path, MINIMAL.replace("  start: 2026-03-02", "  start: 1999-03-02"))
    result = cli(root, "check", SLUG)
    assert result.exit_code in (0, 1)
    assert ("提示：projects/acme/project.yaml:7: project.start: 日期 1999-03-02 的年份不在 2000–2100 之间，"
            "请确认是否写错（例如 2026 写成了 9999 或 1026）") in result.stdout + result.stderr
