"""One project's documents rendered by several processes (``salespm build <slug> -j N``).

The same bytes as a serial build; a worker's template error reported like a serial one; SIGKILL of
the build leaves no worker running and the previous output whole; the lock still serialises builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from salespm_docs.build import build, default_jobs

from conftest import ROOT, children, cli, make_workspace, running

#: whole builds in several processes, one killed: the full suite only (``make test``)
pytestmark = pytest.mark.slow

SLUG = "yuanhang-srm"  # the midway example, its status date pinned: the same files on any day
TIMEOUT = 600


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", (SLUG, ROOT / "projects" / SLUG))


def test_a_parallel_build_writes_the_same_bytes_as_a_serial_one(examples_built, root):
    serial_root, results = examples_built
    serial = serial_root / "output" / SLUG
    result = build(root, SLUG, jobs=2)
    parallel = root / "output" / SLUG
    assert len(result.rebuilt) == len(results[SLUG].documents) >= 10
    ours, theirs = digests(parallel), digests(serial)
    assert sorted(ours) == sorted(theirs)
    assert {n for n in ours if n.endswith((".pdf", ".docx"))}, "没有生成任何 PDF / DOCX"
    different = [n for n in ours if ours[n] != theirs[n]]
    assert not different, f"并行构建与串行构建的文件内容不同：{different}"
    # the workers' findings and timings came back: every document carries its CPU time
    assert all(d.seconds.get("cpu", 0) > 0 for d in result.documents)
    assert [f.message for f in result.findings] == [f.message for f in results[SLUG].findings]
    assert result.peak_rss_mb > 0


def test_the_default_is_one_process_per_core(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})  # read in workers.default_jobs
    assert default_jobs() == 3


@pytest.fixture
def lean(tmp_path: Path) -> Path:
    """The midway example with its plan and first four weekly reports only (CHT, WBS, GNT, COM, WEEK ×4, PRG):
    enough documents for several workers, without paying for the whole catalogue at each build."""
    root = make_workspace(tmp_path / "lean", (SLUG, ROOT / "projects" / SLUG))
    for path in (root / "projects" / SLUG).iterdir():
        if path.name not in ("project.yaml", "wbs.yaml", "documents.yaml", "config.yaml", "weekly"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for week in sorted((root / "projects" / SLUG / "weekly").iterdir())[4:]:
        week.unlink()  # four weeks (R-WEEK-1 then finds the later ones missing: a finding, not a failure)
    return root


def test_a_template_error_in_a_worker_reads_as_in_a_serial_build(lean):
    root = lean
    html = root / "templates" / "html" / "WEEK.html"
    lines = html.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "{{ no_such_value.field }}")  # first line of the body block
    html.write_text("\n".join(lines) + "\n", encoding="utf-8")
    messages = []
    for jobs in ("1", "2"):
        done = cli(root, "build", "--force", "-j", jobs, SLUG)
        assert done.exit_code == 2, done.output
        messages.append([line for line in done.stderr.splitlines() if line.startswith("错误")])
    assert messages[0] == messages[1]
    assert "templates/html/WEEK.html:4" in messages[0][0], messages[0]
    assert not (root / "output" / SLUG).exists(), "失败的构建不应发布任何输出"
    assert not list((root / "output").glob(f".{SLUG}.tmp-*")), "失败的构建留下了临时目录"


def test_sigkill_of_a_parallel_build_ends_its_workers_and_keeps_the_previous_output(lean):
    root = lean
    command = [sys.executable, "-m", "salespm_docs.cli", "--root", str(root), "build", "-j", "2"]
    done = subprocess.run(command + [SLUG], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    out = root / "output" / SLUG
    before = digests(out)
    project = root / "projects" / SLUG / "project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("  name: 远航", "  name: 远航新", 1), encoding="utf-8")

    proc = subprocess.Popen(command + ["--force", SLUG], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = root / "output" / f".{SLUG}.tmp-{proc.pid}"
    deadline = time.monotonic() + TIMEOUT
    while not (staging.is_dir() and len(list(staging.glob("*.pdf"))) >= 2 and len(children(proc.pid)) >= 2):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "并行构建没有开始写文件"
        time.sleep(0.005)
    workers = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while any(running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if running(w)], "构建进程被杀死后，工作进程仍在运行"
    assert digests(out) == before, "被杀死的并行构建改动了上一次的输出"

    done = subprocess.run(command + [SLUG], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in (root / "output").glob(f".{SLUG}.*") if p.name != f".{SLUG}.lock")
    assert not left, f"下一次构建没有清理被杀死的构建留下的临时目录：{left}"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "远航新" in manifest["project_name"]
    assert digests(out) != before


def test_peak_memory_is_the_process_own_not_its_parents():
    """A build started by a large process (``make bench``, an IDE) reports its own peak memory:
    ``ru_maxrss`` carries the starting process's over ``exec``, and said 300 MB here."""
    import subprocess
    import sys

    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])  # resident, not only reserved
    code = "from salespm_docs.workers import peak_rss_mb; print(peak_rss_mb())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    del ballast
    assert 5 < float(done.stdout) < 150
