"""Crashes and concurrency: a killed build loses nothing, two builds never mix.

Real ``salespm build`` processes (``python -m salespm_docs.cli``) on the minimal fixture project:
SIGKILL at moments spread over a build, and inside its write phase; two builds of one project at
once; a lock held past the wait limit. After each, the published ``output/<slug>/`` must be one
build's complete output: ``manifest.json`` parses, every file it lists is there with its sha256,
nothing else is there, and every document names the same project as the manifest.
The publish step itself (two renames where the exchange is unavailable) is interrupted
deterministically in-process, and the recovery is checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from salespm_docs import output
from salespm_docs.check import squash
from salespm_docs.errors import BuildLocked
from salespm_docs.extract import docx_text, pdf_text

from conftest import FIXTURES, make_workspace

#: killed and concurrent builds, each a real process: the full suite only (``make test``)
pytestmark = pytest.mark.slow

SLUG = "minimal"
NAMES = ("最小示例项目甲", "最小示例项目乙")
BUILD_TIMEOUT = 300


# ----------------------------------------------------------------------------------------- helpers

def command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "salespm_docs.cli", "--root", str(root), *args]


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(command(root, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    try:
        stdout, stderr = proc.communicate(timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        pytest.fail(f"构建超过 {BUILD_TIMEOUT} 秒未结束：\n{stdout}\n{stderr}")
    return proc.returncode, f"{stdout}\n{stderr}"


def build_ok(root: Path, *args: str) -> str:
    code, text = finish(start(root, "build", *args, SLUG))
    assert code == 0, f"构建失败（退出码 {code}）：\n{text}"
    return text


def set_name(root: Path, name: str) -> None:
    path = root / "projects" / SLUG / "project.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["project"]["name"] = name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob(f".{SLUG}.tmp-*")) + sorted(p.name for p in out.glob(f".{SLUG}.old"))


def complete(folder: Path, names=NAMES) -> dict:
    """Assert ``folder`` is one build's whole output; its manifest."""
    assert folder.is_dir(), f"{folder} 不存在"
    assert (folder / "manifest.json").is_file(), f"{folder} 中没有 manifest.json（输出不完整）"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    assert files, "manifest.json 没有列出任何文件"
    for f in files:
        path = folder / f["path"]
        assert path.is_file(), f"manifest.json 列出的 {f['path']} 不存在"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"], f"{f['path']} 与 manifest 的 sha256 不符"
    extra = {p.name for p in folder.iterdir()} - {f["path"] for f in files} - {
        "manifest.json", "完整性报告.md", ".salespm-cache.json", ".salespm-noop.json"}
    assert not extra, f"输出目录中有 manifest 未列出的文件：{sorted(extra)}"
    json.loads((folder / ".salespm-cache.json").read_text(encoding="utf-8"))
    name = manifest["project_name"]
    assert name in names, name
    others = [n for n in names if n != name]
    report = (folder / "完整性报告.md").read_text(encoding="utf-8")
    assert name in report and not any(n in report for n in others), "完整性报告来自另一次构建"
    for f in files:
        path = folder / f["path"]
        text = docx_text(path).text if f["format"] == "docx" else pdf_text(path)[0] if f["format"] == "pdf" else ""
        text = squash(text)
        if text:
            assert name in text, f"{f['path']} 没有显示 manifest 的项目名称「{name}」"
            assert not any(n in text for n in others), f"{f['path']} 来自另一次构建（项目名称不是「{name}」）"
    return manifest


def open_files(pid: int) -> set[str]:
    fds = Path(f"/proc/{pid}/fd")
    found = set()
    for fd in fds.iterdir() if fds.is_dir() else ():
        try:
            found.add(os.readlink(fd))
        except OSError:
            pass
    return found


def wait_until(condition, timeout: float, what: str, proc: subprocess.Popen | None = None) -> float:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"等待「{what}」时进程已退出（{proc.returncode}）：\n{finish(proc)[1]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{timeout} 秒内未等到：{what}")
        time.sleep(0.002)
    return time.monotonic()


class Watcher(threading.Thread):
    """Polls ``output/`` for staging folders: which ones appeared, in what order, how many at once."""

    def __init__(self, out: Path):
        super().__init__(daemon=True)
        self.out, self.seen, self.most, self._halt = out, [], 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                now = [p.name for p in self.out.iterdir() if p.name.startswith(f".{SLUG}.tmp-")]
            except FileNotFoundError:
                now = []
            self.most = max(self.most, len(now))
            self.seen += [n for n in now if n not in self.seen]
            time.sleep(0.001)

    def stop(self) -> None:
        self._halt.set()
        self.join()


HOLDER = """
import fcntl, sys
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
"""


def hold_lock(out: Path) -> subprocess.Popen:
    """Another process holding the build lock of ``SLUG`` until its stdin closes."""
    out.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out / f".{SLUG}.lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def release(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    holder.wait(timeout=30)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path, (SLUG, FIXTURES / "minimal"))
    set_name(root, NAMES[0])
    return root


# ---------------------------------------------------------------------------------------- the CLI

def test_cli_runs_as_a_module(tmp_path):
    done = subprocess.run(command(tmp_path, "--version"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("salespm")


# ---------------------------------------------------------------------------------- SIGKILL builds

def test_sigkill_at_any_moment_keeps_the_previous_output(root):
    out = root / "output"
    # one normal build, timed; its staging folder watched to learn when the write phase runs
    watcher = Watcher(out)
    watcher.start()
    started = time.monotonic()
    build_ok(root, "--force")
    duration = time.monotonic() - started
    watcher.stop()
    assert watcher.seen, "构建时没有看到临时目录 output/.minimal.tmp-*"
    complete(out / SLUG)

    # (kill after a share of the whole build) and (kill a share of the way into the write phase)
    plans = [("build", f) for f in (0.1, 0.3, 0.5, 0.7, 0.85, 1.0)]
    plans += [("staging", f) for f in (0.0, 0.3, 0.6, 0.9)]
    killed_while_writing, outcomes = 0, []
    for n, (anchor, share) in enumerate(plans):
        before = complete(out / SLUG)
        new = NAMES[(NAMES.index(before["project_name"]) + 1) % 2]
        set_name(root, new)
        args = ["build", "--force", SLUG] if n % 2 == 0 else ["build", SLUG]
        t0 = time.monotonic()
        proc = start(root, *args)
        staging = out / f".{SLUG}.tmp-{proc.pid}"
        if anchor == "staging":
            seen = wait_until(staging.exists, BUILD_TIMEOUT, "构建开始写入临时目录", proc)
            delay = share * max(duration - (seen - t0), 0.05)
        else:
            delay = share * duration
        while proc.poll() is None and time.monotonic() - t0 < delay:
            time.sleep(0.002)
        writing = staging.exists()
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        code, text = finish(proc)
        if finished:
            assert code == 0, text
        else:
            assert code == -signal.SIGKILL, f"第 {n + 1} 次：进程没有被 SIGKILL 结束（{code}）：\n{text}"
        if writing and staging.exists():
            killed_while_writing += 1
        after = complete(out / SLUG)
        outcomes.append((anchor, share, round(time.monotonic() - t0, 2),
                         "finished" if finished else "killed while writing" if writing else "killed",
                         "new" if after["project_name"] != before["project_name"] else "previous"))
        if after["project_name"] != before["project_name"]:
            assert after["project_name"] == new
        else:
            assert after == before, f"第 {n + 1} 次（{anchor} {share}）：输出目录保持旧名称但内容变了"
    assert killed_while_writing >= 1, f"没有一次 SIGKILL 落在写入阶段（临时目录存在时）：{outcomes}"

    # the next build recovers: it succeeds and leaves nothing behind
    set_name(root, NAMES[0])
    build_ok(root)
    assert complete(out / SLUG)["project_name"] == NAMES[0]
    assert leftovers(out) == []


def test_sigkill_during_the_first_build_publishes_nothing(root):
    out = root / "output"
    proc = start(root, "build", SLUG)
    staging = out / f".{SLUG}.tmp-{proc.pid}"
    wait_until(lambda: any(staging.glob("*.docx")), BUILD_TIMEOUT, "第一份 DOCX 写入临时目录", proc)
    os.kill(proc.pid, signal.SIGKILL)
    code, _text = finish(proc)
    assert code == -signal.SIGKILL
    assert not (out / SLUG).exists(), "被杀死的首次构建留下了不完整的 output/minimal/"
    build_ok(root)
    complete(out / SLUG)
    assert leftovers(out) == []


# ------------------------------------------------------------------ publish interrupted, recovered

def _fake_build(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "doc.txt").write_text(name, encoding="utf-8")
    return folder


def test_publish_by_two_renames_interrupted_between_them_is_recovered(tmp_path, monkeypatch):
    out = tmp_path / "output"
    _fake_build(out / SLUG, "旧")
    staging = _fake_build(out / f".{SLUG}.tmp-{os.getpid()}", "新")
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    real_rename = Path.rename

    def crash_on_staging(self, target):
        if self == staging:
            raise KeyboardInterrupt("killed between the two renames")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", crash_on_staging)
    with pytest.raises(KeyboardInterrupt):
        output.publish(staging, out, SLUG)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not (out / SLUG).exists() and (out / f".{SLUG}.old").is_dir()  # the dangerous moment
    output.recover(out, SLUG)
    assert (out / SLUG / "doc.txt").read_text(encoding="utf-8") == "旧"
    assert not (out / f".{SLUG}.old").exists()


def test_publish_by_two_renames_replaces_the_old_output(tmp_path, monkeypatch):
    out = tmp_path / "output"
    _fake_build(out / SLUG, "旧")
    staging = _fake_build(out / f".{SLUG}.tmp-{os.getpid()}", "新")
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    output.publish(staging, out, SLUG)
    assert (out / SLUG / "doc.txt").read_text(encoding="utf-8") == "新"
    assert sorted(p.name for p in out.iterdir()) == [SLUG]


def test_publish_by_exchange_replaces_the_old_output(tmp_path):
    out = tmp_path / "output"
    _fake_build(out / SLUG, "旧")
    staging = _fake_build(out / f".{SLUG}.tmp-{os.getpid()}", "新")
    assert output._exchange(out / SLUG, out / SLUG) in (True, False)  # callable on this system
    output.publish(staging, out, SLUG)
    assert (out / SLUG / "doc.txt").read_text(encoding="utf-8") == "新"
    assert sorted(p.name for p in out.iterdir()) == [SLUG]


def test_recover_removes_a_finished_old_folder_and_every_staging_of_the_project(tmp_path):
    # recover() runs under the project's lock: any temporary folder of the project is a dead build's
    out = tmp_path / "output"
    _fake_build(out / SLUG, "新")
    _fake_build(out / f".{SLUG}.old", "旧")
    _fake_build(out / f".{SLUG}.tmp-{os.getpid()}", "被杀死的构建（进程号可能已被复用）")
    _fake_build(out / f".{SLUG}.tmp-999999", "被杀死的构建")
    _fake_build(out / ".other.tmp-1", "另一个项目")
    output.recover(out, SLUG)
    assert (out / SLUG / "doc.txt").read_text(encoding="utf-8") == "新"
    assert sorted(p.name for p in out.iterdir()) == sorted([SLUG, ".other.tmp-1"])


# ------------------------------------------------------------------------------- two builds at once

def test_two_builds_started_together_both_finish_one_after_the_other(root):
    out = root / "output"
    build_ok(root)
    watcher = Watcher(out)
    watcher.start()
    first, second = start(root, "build", "--force", SLUG), start(root, "build", "--force", SLUG)
    results = [finish(first), finish(second)]
    watcher.stop()
    for code, text in results:
        assert code == 0, text
    assert watcher.most == 1, "两个构建同时在写临时目录"
    assert sorted(watcher.seen) == sorted(f".{SLUG}.tmp-{p.pid}" for p in (first, second))
    complete(out / SLUG)
    assert leftovers(out) == []


def test_two_builds_of_different_data_never_mix(root):
    """Both wait on a held lock, then run one after the other; the output is the last one's, whole."""
    out = root / "output"
    build_ok(root)
    lock = str((out / f".{SLUG}.lock").resolve())
    holder = hold_lock(out)
    procs = []
    try:
        for name in NAMES:  # each build loads its own data, then waits for the lock
            set_name(root, name)
            proc = start(root, "build", "--force", SLUG)
            procs.append(proc)
            wait_until(lambda: lock in open_files(proc.pid), BUILD_TIMEOUT, f"构建（{name}）等待构建锁", proc)
        watcher = Watcher(out)
        watcher.start()
        time.sleep(0.3)
        assert watcher.seen == [], "锁被占用时仍有构建开始写入"
        assert all(p.poll() is None for p in procs), "锁被占用时构建没有等待"
    finally:
        release(holder)
    results = [finish(p) for p in procs]
    watcher.stop()
    for code, text in results:
        assert code == 0, text
    assert watcher.most == 1, "两个构建同时在写临时目录"
    order = [f".{SLUG}.tmp-{p.pid}" for p in procs]
    assert sorted(watcher.seen) == sorted(order)
    last = NAMES[order.index(watcher.seen[-1])]
    assert complete(out / SLUG)["project_name"] == last
    assert leftovers(out) == []


def test_a_lock_held_too_long_gives_a_clear_message(tmp_path):
    out = tmp_path / "output"
    holder = hold_lock(out)
    messages: list[str] = []
    try:
        started = time.monotonic()
        with pytest.raises(BuildLocked) as caught:
            with output.locked(out, SLUG, wait=0.5, notify=messages.append):
                pytest.fail("锁被另一个进程占用时不应进入")
        waited = time.monotonic() - started
    finally:
        release(holder)
    assert 0.5 <= waited < 10
    assert messages == [f"项目 {SLUG} 正在被另一个构建使用，等待其完成…"]
    assert str(caught.value) == (f"项目 {SLUG} 的另一个构建已运行超过 0.5 秒仍未结束；"
                                 f"如确认没有构建在运行，请删除 {out / f'.{SLUG}.lock'}")
    with output.locked(out, SLUG, wait=0.5):  # released with its holder
        pass
