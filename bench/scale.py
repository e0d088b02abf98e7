"""Scale benchmark: the weekly reports' data path on a generated WBS of N leaves.

For each N the example project (``projects/huaxing-crm``) is copied to a temporary root and its
``wbs.yaml`` gets N synthetic leaf tasks appended under new level-1 / level-2 parents (owners from
the team, planned dates inside the project window); the weekly reports stay as they are. A fresh
process then runs what a build does with the data before rendering: ``build.load_facts``, the
series rules, and for each WEEK instance ``rules.run_data_rules`` and ``REGISTRY['WEEK'].context``.
It prints the seconds and the peak resident memory (``ru_maxrss``) of each N; ``--year 9999``
moves every date of the project into that year first (the holiday tables do not cover it).

    .venv/bin/python -m bench.scale                      # N = 500, 2000, 8000
    .venv/bin/python -m bench.scale -n 500 -n 20000 --year 9999
    .venv/bin/python -m bench.scale --profile 8000       # cProfile, top functions by cumulative time

Options: ``-n N`` (repeatable), ``--year YYYY``, ``--limit-mb MB`` (address-space limit of each
child), ``--json`` (one JSON object per line instead of the table), ``--profile N``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "huaxing-crm"
DEFAULT_SIZES = (500, 2000, 8000)

#: (owner, post) pairs of the example's team that own synthetic tasks.
OWNERS = (("刘洋", "交付负责人"), ("赵敏", "实施工程师"), ("孙磊", "开发工程师"), ("陈刚", "技术负责人"))
#: Leaves per level-2 parent, level-2 parents per level-1 parent.
PER_PARENT, PER_TOP = 40, 25
#: The synthetic tasks' planned window (inside the example's 2026-01-05 … 2026-06-30).
WINDOW_START, WINDOW_DAYS = (2026, 1, 12), 160


def synthetic_wbs(n: int, first_top: int = 6) -> str:
    """YAML list items (no ``wbs:`` key) of ``n`` leaves in a three-level tree, top codes from ``first_top``."""
    import datetime as dt

    start0 = dt.date(*WINDOW_START)
    lines: list[str] = []
    top = mid = None
    for k in range(n):
        t, rest = divmod(k, PER_PARENT * PER_TOP)
        m, leaf = divmod(rest, PER_PARENT)
        owner, post = OWNERS[k % len(OWNERS)]
        if t != top:
            top, mid = t, None
            lines += [f'  - code: "{first_top + t}"', f"    name: 扩展工作包{t + 1}", f"    owner: {owner}",
                      f"    post: {post}"]
        if m != mid:
            mid = m
            lines += [f'  - code: "{first_top + t}.{m + 1}"', f"    name: 扩展模块{t + 1}-{m + 1}",
                      f"    owner: {owner}", f"    post: {post}"]
        begin = start0 + dt.timedelta(days=(k * 7) % WINDOW_DAYS)
        end = begin + dt.timedelta(days=k % 11)
        # One line per leaf (flow style): 20,000 leaves stay under the loader's 2 MB file limit.
        lines.append(f'  - {{code: "{first_top + t}.{m + 1}.{leaf + 1}",name: T{k + 1},owner: {owner},'
                     f"effort: {1 + k % 5},start: {begin.isoformat()},end: {end.isoformat()}}}")
    return "\n".join(lines) + "\n"


def make_project(base: Path, n: int, year: int | None = None) -> Path:
    """A workspace root under ``base`` holding the example with ``n`` synthetic leaves (and dates in ``year``)."""
    root = base / "ws"
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "projects").mkdir(parents=True)
    folder = root / "projects" / EXAMPLE
    shutil.copytree(ROOT / "projects" / EXAMPLE, folder)
    wbs = folder / "wbs.yaml"
    text = wbs.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    wbs.write_text(text + synthetic_wbs(n), encoding="utf-8")
    if year is not None:
        shift_year(folder, year)
    return root


def shift_year(folder: Path, year: int) -> None:
    """Move every 2026 / 2025 date and week label of the project's YAML files into ``year`` (and ``year`` − 1)."""
    def shift(text: str) -> str:
        text = re.sub(r"\b2026-(?=\d\d-\d\d|W\d\d)", f"{year}-", text)
        return re.sub(r"\b2025-(?=\d\d-\d\d|W\d\d)", f"{year - 1}-", text)

    for path in sorted(folder.rglob("*.yaml")):
        path.write_text(shift(path.read_text(encoding="utf-8")), encoding="utf-8")
        if path.stem.startswith("2026-W"):
            path.rename(path.with_name(f"{year}-W{path.stem[6:]}{path.suffix}"))


def data_path(root: Path) -> dict:
    """Run the weekly reports' data path once on ``root``; returns counts and seconds."""
    from salespm_docs.artifacts.registry import REGISTRY, load_all
    from salespm_docs.build import Workspace, load_facts, run_series_rules
    from salespm_docs.rules import run_data_rules

    load_all()
    week = REGISTRY["WEEK"]
    t0 = time.perf_counter()
    facts = load_facts(Workspace(root), EXAMPLE)
    t1 = time.perf_counter()
    findings = len(run_series_rules(facts, week))
    keys = week.instances(facts.project)
    for key in keys:
        findings += len(run_data_rules(facts, week, key, f"WEEK {key}"))
        week.context(facts, key)
    t2 = time.perf_counter()
    return {"load": t1 - t0, "weeks": t2 - t1, "seconds": t2 - t0, "instances": len(keys),
            "findings": findings, "leaves": len(facts.project.wbs)}


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def limit_memory(mb: int) -> None:
    import resource

    limit = mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def one(n: int, year: int | None, limit_mb: int | None) -> dict:
    """In this process: generate, run, measure (``--one``)."""
    if limit_mb:
        limit_memory(limit_mb)
    with tempfile.TemporaryDirectory(prefix="salespm-scale-") as tmp:
        root = make_project(Path(tmp), n, year)
        result = data_path(root)
    return {"n": n, "year": year, **result, "peak_mb": round(peak_mb(), 1)}


def measure(n: int, year: int | None = None, limit_mb: int | None = None, timeout: float | None = None) -> dict:
    """Run ``one`` in a fresh process (so the peak memory is that N's alone)."""
    cmd = [sys.executable, "-m", "bench.scale", "--one", str(n)]
    if year is not None:
        cmd += ["--year", str(year)]
    if limit_mb:
        cmd += ["--limit-mb", str(limit_mb)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"N={n}: exit {done.returncode}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(n: int, year: int | None, top: int = 40) -> None:
    import cProfile
    import pstats

    with tempfile.TemporaryDirectory(prefix="salespm-scale-") as tmp:
        root = make_project(Path(tmp), n, year)
        prof = cProfile.Profile()
        prof.runcall(data_path, root)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, action="append", help="WBS leaves to add (repeatable)")
    parser.add_argument("--year", type=int, help="move the project's dates into this year (e.g. 9999)")
    parser.add_argument("--limit-mb", type=int, help="address-space limit of each run, in MB")
    parser.add_argument("--json", action="store_true", help="one JSON object per N")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one run of N leaves")
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one(args.one, args.year, args.limit_mb)))
        return 0
    if args.profile is not None:
        profile(args.profile, args.year)
        return 0
    sizes = args.n or list(DEFAULT_SIZES)
    if not args.json:
        print(f"{'N':>7} {'year':>5} {'weeks':>5} {'load s':>8} {'weeks s':>8} {'total s':>8} {'peak MB':>8}")
    for n in sizes:
        r = measure(n, args.year, args.limit_mb)
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            print(f"{n:>7} {r['year'] or '':>5} {r['instances']:>5} {r['load']:>8.2f} {r['weeks']:>8.2f} "
                  f"{r['seconds']:>8.2f} {r['peak_mb']:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
