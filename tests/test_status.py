"""``salespm status``: each project's stage and, for every document due, complete / incomplete / missing."""

from __future__ import annotations

from salespm_docs.status import statuses

from conftest import EXAMPLE, FIXTURES, ROOT, cli, make_workspace


def test_finished_example_has_every_due_document_complete(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    [s] = statuses(root, EXAMPLE)
    assert s.stage == "收尾"
    codes = {d.artifact.code for d in s.documents}
    assert {"OPP", "CHT", "ACC", "RET"} <= codes
    assert [(d.artifact.code, d.key, d.state) for d in s.documents if d.state != "complete"] == []


def test_a_project_at_its_start_lists_only_initiation_documents(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    [s] = statuses(root, "minimal")
    assert s.stage == "启动"
    states = {d.artifact.code: d.state for d in s.documents}
    assert states["CHT"] == "incomplete"           # data present, E findings
    assert states["OPP"] == "missing"              # due at 启动, no opportunity data
    assert "ACC" not in states and "RET" not in states  # not yet due
    cht = next(d for d in s.documents if d.artifact.code == "CHT")
    assert cht.errors > 0


def test_status_cli_shows_a_table_per_project(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"), ("broken", FIXTURES / "bad-tab"))
    result = cli(root, "status")
    assert result.exit_code == 0
    assert "minimal  最小示例项目  当前阶段：启动" in result.stdout
    assert "CHT 项目章程" in result.stdout and "不完整" in result.stdout
    assert "OPP 项目机会评估报告" in result.stdout and "缺失" in result.stdout
    assert ("broken：无法读取（项目数据有误（共 1 处）：projects/broken/project.yaml:2: "
            "YAML 语法错误：含有制表符（Tab）；YAML 只能用空格缩进）") in result.stdout


def test_status_of_an_unknown_project_is_an_error(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    result = cli(root, "status", "nosuch")
    assert result.exit_code == 2
    assert "找不到项目「nosuch」" in result.stderr
