"""The no-op shortcut of ``salespm build``: unchanged inputs print the last build's summary without
loading the data model; any changed input, damaged output or leftover of a killed build goes the
normal way, and the printed result is the same either way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from salespm_docs import noop

from conftest import FIXTURES, make_workspace

SLUG = "minimal"

pytestmark = pytest.mark.slow  # a dozen real builds in new processes


def run(root: Path, *args: str, env: dict | None = None) -> tuple[str, bool]:
    """``salespm build`` in a new process: (what it printed, with the time masked; whether it
    imported the data model, i.e. went the normal way)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "salespm_docs.cli", "--root", str(root),
                           "build", *args, SLUG], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr[-3000:]
    return re.sub(r"用时 [0-9.]+ 秒", "用时 X 秒", done.stdout), "salespm_docs.model" in done.stderr


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    first, normal = run(root)
    assert normal and "重新生成 0 份" not in first
    return root


def test_an_unchanged_build_prints_the_same_without_loading_the_data(root):
    shortcut, normal = run(root)
    assert not normal, "无变化的构建仍然加载了数据模型"
    assert "（未变化，复用）" in shortcut and "重新生成 0 份文档" in shortcut
    (root / "output" / SLUG / noop.NOTE).unlink()
    by_building, normal = run(root)
    assert normal
    assert by_building == shortcut


@pytest.mark.parametrize("change", ["data", "template", "company", "date", "plain-pdf", "force"])
def test_a_changed_input_goes_the_normal_way(root, change):
    env, args = {}, []
    if change == "data":
        path = root / "projects" / SLUG / "project.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("最小", "最小的", 1), encoding="utf-8")
    elif change == "template":
        path = root / "templates" / "html" / "base.css"
        path.write_text(path.read_text(encoding="utf-8") + "\n/* 修改 */\n", encoding="utf-8")
    elif change == "company":
        (root / "salespm.yaml").write_text("client_facing: [ACC]\n", encoding="utf-8")
    elif change == "date":
        env["SOURCE_DATE_EPOCH"] = "1900000000"  # 2030-03-17
    elif change == "plain-pdf":
        env["SALESPM_PLAIN_PDF"] = "1"
    else:
        args.append("--force")
    printed, normal = run(root, *args, env=env)
    assert normal, f"{change}: 输入变了，却没有重新检查"
    if change in ("data", "template", "force", "plain-pdf"):
        assert "重新生成 0 份" not in printed, printed
    # and the build after it, unchanged again, takes the shortcut
    assert not run(root, *args if change != "force" else (), env=env)[1]


def test_a_damaged_file_or_a_killed_builds_leftover_goes_the_normal_way(root):
    out = root / "output" / SLUG
    pdf = next(out.glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes()[:100])
    printed, normal = run(root)
    assert normal and "重新生成 1 份" in printed
    assert pdf.read_bytes().startswith(b"%PDF") and len(pdf.read_bytes()) > 1000

    leftover = root / "output" / f".{SLUG}.tmp-999999"
    leftover.mkdir()
    assert run(root)[1], "被杀死的构建留下的临时目录应由正常构建清理"
    assert not leftover.exists()

    note = json.loads((out / noop.NOTE).read_text(encoding="utf-8"))
    note["manifest"] = "0" * 64  # the folder another build published after this note was written
    (out / noop.NOTE).write_text(json.dumps(note), encoding="utf-8")
    assert run(root)[1]
