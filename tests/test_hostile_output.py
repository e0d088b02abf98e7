"""Hostile input, round two: what surrounds the data — the output folder, the file system, the
command line, signals — never ends in 「内部错误」, and never costs the previous output.

A version string too long for a file name, an ``output/`` or ``output/<slug>`` that is a file or a
symlink, a lock path that is a folder, a read-only file system: each is refused with a located
Chinese message (exit 2), and a symlink or file at ``output/<slug>`` is left exactly as it was.
``salespm new`` writes names as YAML strings and accepts only well-formed slugs. ``build --all``
prints every located problem of a broken project. Ctrl-C and SIGTERM during ``build --all -j 2``
end every worker, print one line and leave the published output whole.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from salespm_docs import output
from salespm_docs.errors import SalespmError
from salespm_docs.loader import SLUG_RE, load_project, project_dir

from conftest import EXAMPLE, FIXTURES, ROOT, children, cli, make_workspace, minimal_output, running

SLUG = "minimal"
LONG_VERSION = "V1." + "1" * 260


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory) -> Path:
    """A good build of the minimal project: the output a failing build must leave alone."""
    return minimal_output(tmp_path_factory.mktemp("good"), SLUG)


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def with_previous(tmp_path: Path, previous: Path) -> Path:
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    shutil.copytree(previous, root / "output" / SLUG)
    return root


def refused(root: Path, message: str, *args: str) -> None:
    """``salespm build`` exits 2 with exactly ``错误：<message>``; no 「内部错误」, no staging left."""
    result = cli(root, *(args or ("build", SLUG)))
    text = result.stdout + result.stderr
    assert result.exit_code == 2, text
    assert "内部错误" not in text and "Traceback" not in text
    assert result.stderr == f"错误：{message}\n", result.stderr
    if (root / "output").is_dir() and not (root / "output").is_symlink():
        assert [p.name for p in (root / "output").iterdir() if ".tmp-" in p.name] == []


# ------------------------------------------------------------------------ 1. names, folders, locks

def test_version_too_long_for_a_file_name_is_refused_before_rendering(tmp_path):
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    (root / "projects" / SLUG / "documents.yaml").write_text(
        f"documents:\n  CHT:\n    version: {LONG_VERSION}\n", encoding="utf-8")
    refused(root, "项目数据有误（共 1 处）：\n"
                  f"  projects/{SLUG}/documents.yaml:3: documents.CHT.version: 版本号过长（263 个字符）："
                  "CHT 的文件名将有 285 字节，超过文件系统上限 255 字节；请改用较短的版本号，如 V1.0")
    assert not (root / "output" / SLUG).exists()


def test_version_too_long_in_a_week_file_names_the_week_file(tmp_path):
    """The week's control block is both WEEK's and MAIL's: one error at the version, naming both."""
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    week = root / "projects" / EXAMPLE / "weekly" / "2026-W06.yaml"
    week.write_text(week.read_text(encoding="utf-8").replace("  version: V1.0\n", f"  version: {LONG_VERSION}\n", 1),
                    encoding="utf-8")
    refused(root, "项目数据有误（共 1 处）：\n"
                  f"  projects/{EXAMPLE}/weekly/2026-W06.yaml:5: weekly[4].document.version: 版本号过长（263 个字符）："
                  "MAIL 2026-W06 的文件名将有 300 字节、WEEK 2026-W06 的文件名将有 298 字节，"
                  "超过文件系统上限 255 字节；请改用较短的版本号，如 V1.0",
            "build", EXAMPLE)
    assert not (root / "output" / EXAMPLE).exists()


def test_output_slug_that_is_a_file_is_left_alone(tmp_path):
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    (root / "output").mkdir()
    (root / "output" / SLUG).write_text("mine", encoding="utf-8")
    refused(root, f"output/{SLUG} 是一个文件（不是文件夹），不是本工具生成的输出文件夹；为避免替换或删除它，"
                  "构建已停止。请把它移走（或改名）后重新运行。")
    assert (root / "output" / SLUG).read_text(encoding="utf-8") == "mine"


def test_output_slug_that_is_a_symlink_is_never_replaced(tmp_path, previous_output):
    root = make_workspace(tmp_path / "ws", (SLUG, FIXTURES / "minimal"))
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(previous_output, elsewhere)
    before = hashes(elsewhere)
    (root / "output").mkdir()
    (root / "output" / SLUG).symlink_to(elsewhere, target_is_directory=True)
    refused(root, f"output/{SLUG} 是一个符号链接，不是本工具生成的输出文件夹；为避免替换或删除它，"
                  "构建已停止。请把它移走（或改名）后重新运行。")
    assert (root / "output" / SLUG).is_symlink()
    assert os.readlink(root / "output" / SLUG) == str(elsewhere)
    assert hashes(elsewhere) == before


def test_output_that_is_a_file_is_refused(tmp_path):
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    (root / "output").write_text("mine", encoding="utf-8")
    refused(root, f"output/（{root / 'output'}）是一个文件，不是文件夹，无法在其中生成文档；不会修改它。"
                  "请把它移走（或改名）后重新运行。")
    assert (root / "output").read_text(encoding="utf-8") == "mine"


def test_output_that_is_a_dangling_symlink_is_refused(tmp_path):
    root = make_workspace(tmp_path / "ws", (SLUG, FIXTURES / "minimal"))
    (root / "output").symlink_to(tmp_path / "gone")
    refused(root, f"output/（{root / 'output'}）是指向不存在位置的符号链接，无法在其中生成文档；不会修改它。"
                  "请把它移走（或改名）后重新运行。")
    assert (root / "output").is_symlink() and not (tmp_path / "gone").exists()


def test_lock_path_that_is_a_folder_is_refused(tmp_path, previous_output):
    root = with_previous(tmp_path, previous_output)
    before = hashes(root / "output" / SLUG)
    (root / "output" / f".{SLUG}.lock").mkdir()
    refused(root, f"构建锁 output/.{SLUG}.lock 是一个文件夹或特殊文件，不是本工具的锁文件；不会修改它。"
                  "请把它移走后重新运行。")
    assert (root / "output" / f".{SLUG}.lock").is_dir()
    assert hashes(root / "output" / SLUG) == before


def _read_only(path) -> OSError:
    return OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))


def test_read_only_file_system_at_the_lock(tmp_path, previous_output, monkeypatch):
    root = with_previous(tmp_path, previous_output)
    before = hashes(root / "output" / SLUG)

    def no_open(path, *args, **kwargs):
        raise _read_only(path)

    monkeypatch.setattr(output, "open", no_open, raising=False)
    refused(root, f"无法创建构建锁 output/.{SLUG}.lock：文件系统是只读的（Read-only file system）。"
                  "上一次的输出保持不变。")
    assert hashes(root / "output" / SLUG) == before


def test_read_only_file_system_at_publish_by_exchange(tmp_path, previous_output, monkeypatch):
    root = with_previous(tmp_path, previous_output)
    before = hashes(root / "output" / SLUG)

    def no_exchange(a, b):
        raise _read_only(b)

    monkeypatch.setattr(output, "_exchange", no_exchange)
    refused(root, f"无法发布输出到 output/{SLUG}：文件系统是只读的（Read-only file system）。上一次的输出保持不变。",
            "build", "--force", SLUG)
    assert hashes(root / "output" / SLUG) == before


def test_read_only_file_system_at_publish_by_two_renames(tmp_path, previous_output, monkeypatch):
    root = with_previous(tmp_path, previous_output)
    before = hashes(root / "output" / SLUG)
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if Path(src).name.startswith(f".{SLUG}.tmp-"):  # the new output into place, after the old one
            # was moved aside: refused, so the old one must be put back
            raise _read_only(dst)
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "rename", rename)
    refused(root, f"无法发布输出到 output/{SLUG}：文件系统是只读的（Read-only file system）。上一次的输出保持不变。",
            "build", "--force", SLUG)
    assert hashes(root / "output" / SLUG) == before
    assert not (root / "output" / f".{SLUG}.old").exists()


# --------------------------------------------------------------------------------- 2. salespm new

TRICKY = [
    "ERP 项目 #2",
    "甲: 乙",
    "第一行\nteam: []",
    '引号 " 与 \' 与 \\ 反斜杠',
    "- 列表？",
    "{{ 7*7 }} & {% raw %}",
    "  前后空格  ",
    "true",
    "2026-03-02",
    "0571",
    "😀𠀀",
]


@pytest.mark.parametrize("value", TRICKY, ids=range(len(TRICKY)))
def test_new_writes_names_and_clients_as_yaml_strings(tmp_path, value):
    (tmp_path / "projects").mkdir()
    result = cli(tmp_path, "new", "erp-2", "--name", value, "--client", value + "（客户）")
    assert result.exit_code == 0, result.stdout + result.stderr
    loaded = load_project(tmp_path / "projects" / "erp-2", tmp_path)
    assert loaded.problems == []
    assert loaded.data["project"]["name"] == value
    assert loaded.data["client"]["name"] == value + "（客户）"
    assert "team" in loaded.data and loaded.data["team"][0]["role"] == "项目经理"


@pytest.mark.parametrize("slug", ["erp\n", "erp-2\n", "\nerp", "Erp", "-erp", "erp/x", "..", "a" * 65, "项目"])
def test_new_refuses_malformed_slugs(tmp_path, slug):
    (tmp_path / "projects").mkdir()
    shown = slug.encode("unicode_escape").decode("ascii")
    result = cli(tmp_path, "new", "--", slug)
    assert result.exit_code == 2
    assert result.stderr == (f"错误：项目名「{shown}」不合法：只能使用小写字母、数字、- 和 _，以字母或数字开头，"
                             "最长 64 个字符（例如 huaxing-crm）\n")
    assert list((tmp_path / "projects").iterdir()) == []


@pytest.mark.parametrize("slug", ["erp", "erp-2", "erp_2", "0", "a" * 64])
def test_new_accepts_what_the_loader_accepts(tmp_path, slug):
    (tmp_path / "projects").mkdir()
    assert SLUG_RE.fullmatch(slug)
    result = cli(tmp_path, "new", slug)
    assert result.exit_code == 0, result.stderr
    assert project_dir(tmp_path / "projects", slug) == tmp_path / "projects" / slug


# ------------------------------------------------------------------------ 3. build --all, details

def test_build_all_prints_every_problem_of_a_broken_project(tmp_path):
    root = make_workspace(tmp_path, ("broken", FIXTURES / "minimal"))
    path = root / "projects" / "broken" / "project.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stage: 启动", "stgae: 启动")
                    .replace("start: 2026-03-02", "start: 2026-02-30"), encoding="utf-8")
    result = cli(root, "build", "--all")
    assert result.exit_code == 2
    assert "内部错误" not in result.stdout + result.stderr
    assert ("  broken：失败 —— 项目数据有误（共 3 处）：\n"
            "    projects/broken/project.yaml:1: project.stage: 缺少必填字段（当前阶段：启动 / 规划 / 执行 / 监控 / 收尾）\n"
            "    projects/broken/project.yaml:6: project.stgae: 未知字段「stgae」；是否想写「stage」？\n"
            "    projects/broken/project.yaml:7: project.start: 日期不存在，实际为「2026-02-30」（请检查月份与天数）\n"
            "完成 0/1 个项目。\n") in result.stdout, result.stdout


# ------------------------------------------------------------------------ 4. signals, build --all

@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_build_all_interrupted_ends_every_worker_and_keeps_the_output(tmp_path, previous_output, signum):
    root = with_previous(tmp_path, previous_output)
    shutil.copytree(FIXTURES / "minimal", root / "projects" / "other")
    before = hashes(root / "output" / SLUG)
    # files, not pipes: a worker left running would hold a pipe open and hang the reading
    with open(tmp_path / "stdout", "w") as out, open(tmp_path / "stderr", "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "salespm_docs.cli", "--root", str(root),
                                 "build", "--all", "-j", "2", "--force"],
                                stdout=out, stderr=err, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None:
            workers = children(proc.pid)
            staging = list((root / "output").glob(f".{SLUG}.tmp-*"))
            if len(workers) >= 2 and staging:  # both workers running, one writing minimal's new output
                break
            time.sleep(0.02)
        assert proc.poll() is None and len(workers) >= 2, "构建结束得太早，或没有启动两个工作进程"
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)  # Ctrl-C in a terminal reaches the whole process group
        else:
            os.kill(proc.pid, signum)  # a CI runner cancelling the job signals the command only
        signalled = time.monotonic()
        proc.wait(timeout=60)
        stopped_after = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stdout = (tmp_path / "stdout").read_text(encoding="utf-8")
    stderr = (tmp_path / "stderr").read_text(encoding="utf-8")
    deadline = time.monotonic() + 10
    while any(running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if running(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], f"中断后仍有工作进程在运行：{left}"
    assert proc.returncode == 128 + signum, stdout + stderr
    assert stopped_after < 15, f"收到信号 {stopped_after:.1f} 秒后才退出（应立即停止工作进程）"
    assert "Traceback" not in stderr and "内部错误" not in stderr, stderr
    what = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert f"已中断：收到 {what}，构建已停止；上一次的输出保持不变。\n" in stderr, stderr
    assert stderr.count("已中断") == 1
    assert hashes(root / "output" / SLUG) == before
    assert [p.name for p in (root / "output").iterdir() if ".tmp-" in p.name or p.name.endswith(".old")] == []
