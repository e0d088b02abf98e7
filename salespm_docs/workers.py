"""Worker processes: forked from a warm parent, ending with it, stopped cleanly on a signal.

Used by a batch of projects (``build --all -j N``, one project per task) and by one project's
build (``build <slug> -j N``, one document per task). The workers inherit the parent's memory (a
warm renderer, the loaded data), ignore Ctrl-C, so that only the parent reports, and end with the
parent even when it is killed (Linux ``PR_SET_PDEATHSIG``). Interrupted (Ctrl-C, or SIGTERM when
CI cancels a job), the parent stops every worker, removes the temporary folders they were writing
and raises ``Interrupted``; the published outputs are left as they were.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import resource
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """The batch was stopped by a signal (``signum``); its workers are gone, no output half-written."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _worker_init(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent, die on SIGTERM, and die with the parent.

    Forked with both signals blocked (see ``build_all``), so that none reaches the parent's
    handlers, inherited by the fork, before they are replaced here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` in the main thread while the batch runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _stop(pool: ProcessPoolExecutor, output: Path) -> None:
    """End every worker now, then remove the temporary folders they were writing."""
    if threading.current_thread() is threading.main_thread():
        for s in _SIGNALS:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(s, signal.SIG_IGN)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(5)
        if process.is_alive():
            with contextlib.suppress(Exception):
                process.kill()
                process.join(5)
    for process in processes:
        if process.pid is not None and output.is_dir():
            for staging in output.glob(f".*.tmp-{process.pid}"):
                if staging.is_dir() and not staging.is_symlink():
                    shutil.rmtree(staging, ignore_errors=True)


def default_jobs() -> int:
    """The worker processes a build uses unless told: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (MiB).

    On Linux this is ``VmHWM`` of ``/proc/self/status``: the peak of this process's own memory.
    ``getrusage``'s ``ru_maxrss`` is not: a process started by ``subprocess`` (forked, then
    ``exec``) keeps the peak of the process that started it, so a build started by a 300 MB
    parent reported at least 300 MB whatever it used itself."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def worker_pool(jobs: int, output: Path) -> Iterator[ProcessPoolExecutor]:
    """``jobs`` forked worker processes, for a batch of projects or for one project's documents.

    The workers inherit the parent's memory (a warm renderer, the loaded data), ignore Ctrl-C and
    end with the parent, even when it is killed. SIGINT or SIGTERM raise ``Interrupted`` here;
    on it, or any other exception, every worker is stopped and the temporary folders they were
    writing under ``output`` are removed. Submit with ``submit_all``, which forks the workers
    with the signals blocked.
    """
    context = multiprocessing.get_context("fork")
    with _signals_raise():
        pool = ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                                   initializer=_worker_init, initargs=(os.getpid(),))
        try:
            yield pool
            pool.shutdown(wait=True)
        except BaseException:
            _stop(pool, output)
            raise


def submit_all(pool: ProcessPoolExecutor, fn: Callable, calls: list[tuple]) -> dict:
    """Submit ``fn(*args)`` for each ``args`` of ``calls``; future → its ``args``.

    The pool forks its workers at the first submission: both signals stay blocked until then, so
    that none reaches the parent's handlers, inherited by the fork, before ``_worker_init``.
    """
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        return {pool.submit(fn, *args): args for args in calls}
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
