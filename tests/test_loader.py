"""Loading and validating project data: the exact messages a user sees for broken projects."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, ROOT, cli, make_workspace


def run_case(tmp_path, case: str):
    root = make_workspace(tmp_path, (case, FIXTURES / case))
    return cli(root, "build", case)


def test_duplicate_key_is_an_error_not_last_wins(tmp_path):
    result = run_case(tmp_path, "bad-duplicate-key")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：项目数据有误（共 1 处）：\n"
        "  projects/bad-duplicate-key/project.yaml:9: project.name: "
        "重复的键「name」：第 3 行已定义过（YAML 会悄悄保留后一个值，这里按错误处理）\n"
    )


def test_unknown_key_suggests_the_right_one(tmp_path):
    result = run_case(tmp_path, "bad-unknown-key")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：项目数据有误（共 2 处）：\n"
        "  projects/bad-unknown-key/project.yaml: team: 缺少必填字段（项目名册（乙方成员）。文档中出现的每个人都须在名册或客户联系人中）\n"
        "  projects/bad-unknown-key/project.yaml:11: teams: 未知字段「teams」；是否想写「team」？\n"
    )


def test_tab_indentation_points_at_the_line(tmp_path):
    result = run_case(tmp_path, "bad-tab")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：项目数据有误（共 1 处）：\n"
        "  projects/bad-tab/project.yaml:2: YAML 语法错误：含有制表符（Tab）；YAML 只能用空格缩进\n"
    )


def test_every_problem_is_reported_at_once_with_file_line_and_key(tmp_path):
    result = run_case(tmp_path, "bad-types")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：项目数据有误（共 5 处）：\n"
        "  projects/bad-types/project.yaml:6: project.stage: 应为以下之一：启动、规划、执行、监控、收尾，实际为「结束」\n"
        "  projects/bad-types/project.yaml:7: project.start: 日期不存在，实际为「2026-02-30」（请检查月份与天数）\n"
        "  projects/bad-types/project.yaml:9: project.contract_amount: 金额最多两位小数（分），实际为 1000.005；不做截断，请修正数据\n"
        "  projects/bad-types/project.yaml:15: team[1].role: 缺少必填字段（项目角色，如 项目经理、技术负责人、交付负责人）\n"
        "  projects/bad-types/project.yaml:17: team[2].role: 应为文本，实际为列表\n"
    )


def test_no_traceback_without_debug_and_traceback_with_it(tmp_path):
    root = make_workspace(tmp_path, ("bad-tab", FIXTURES / "bad-tab"))
    plain = cli(root, "check", "bad-tab")
    assert "Traceback" not in plain.stderr
    from click.testing import CliRunner
    from salespm_docs.cli import main
    from salespm_docs.errors import DataError
    with pytest.raises(DataError):
        CliRunner().invoke(main, ["--root", str(root), "--debug", "check", "bad-tab"], catch_exceptions=False)


def test_unknown_project_lists_existing_ones(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    result = cli(root, "build", "nosuch")
    assert result.exit_code == 2
    assert result.stderr == f"错误：找不到项目「nosuch」：{root}/projects/nosuch 不存在；现有项目：minimal\n"


@pytest.mark.parametrize("slug", ["../etc", "a/b", "..", "ABC"])
def test_slug_cannot_escape_projects(tmp_path, slug):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    result = cli(root, "build", slug)
    assert result.exit_code == 2
    assert f"项目名「{slug}」不合法" in result.stderr


def test_a_key_defined_in_two_files_is_an_error(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "projects/minimal/more.yaml").write_text("client:\n  name: 另一个客户\n", encoding="utf-8")
    result = cli(root, "check", "minimal")
    assert result.exit_code == 2
    assert ("projects/minimal/more.yaml:1: client: 顶层键「client」已在 projects/minimal/project.yaml 中定义；"
            "每个键只能写在一个文件里") in result.stderr


def test_minimal_project_builds_as_draft(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    result = cli(root, "build", "minimal")
    assert result.exit_code == 0, result.stderr
    assert "CHT_项目章程_V0.1.docx  不完整" in result.stdout


# -- libyaml's parser, with the same limits and the same messages ---------------------------------

def _tree(node) -> list:
    """Everything of a node tree the builder reads: kinds, tags, values, places, noted tags, folding."""
    from yaml.nodes import ScalarNode

    out: list = []

    def walk(n):
        if isinstance(n, ScalarNode):
            out.append((n.tag, n.value, n.start_mark.line, n.start_mark.column, getattr(n, "explicit_tag", None),
                        n.style == ">"))
            return
        out.append((type(n).__name__, n.tag, n.start_mark.line, getattr(n, "explicit_tag", None)))
        for item in n.value:
            for part in item if isinstance(item, tuple) else (item,):
                walk(part)

    if node is not None:
        walk(node)
    return out


def test_libyaml_composes_every_example_and_fixture_as_the_python_parser_does():
    from salespm_docs.loader import _Composer, _FastComposer

    assert _FastComposer is not None, "PyYAML without libyaml: the data loads five times slower"
    files = sorted(ROOT.glob("projects/**/*.yaml")) + sorted((ROOT / "tests" / "fixtures").glob("**/*.yaml"))
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            expected = _tree(_Composer(text).get_single_node())
        except Exception:  # noqa: BLE001 - refused: compose() falls back to _Composer, tested below
            continue
        try:
            got = _tree(_FastComposer(text).get_single_node())
        except Exception:  # noqa: BLE001 - libyaml refuses a few documents PyYAML reads: same fallback
            continue
        assert got == expected, path
        compared += 1
    assert compared > 60


def test_what_libyaml_refuses_gets_the_python_parsers_reading_message_and_limits():
    import yaml as pyyaml

    from salespm_docs.loader import MAX_DEPTH, _Composer, _TooDeep, compose

    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(_TooDeep):
        compose(deep)
    # an escaped surrogate: libyaml refuses it, PyYAML reads it (and the loader then names it)
    assert _tree(compose('a: "\\ud800"\n')) == _tree(_Composer('a: "\\ud800"\n').get_single_node())
    for broken in ("a: [1, 2\n", "a: b: c\n", "a:\n\t- 1\n", "a: \x07\n"):
        with pytest.raises(pyyaml.YAMLError) as fast:
            compose(broken)
        with pytest.raises(pyyaml.YAMLError) as python:
            _Composer(broken).get_single_node()
        assert str(fast.value) == str(python.value)
