"""Scale benchmark: a generated WBS of N leaves over 18 months, through the data path and the schedule documents.

For each N the example project (``projects/huaxing-crm``) is copied to a temporary root, its
``project.end`` moved 18 months after its start (2027-06-30), and its ``wbs.yaml`` gets N
synthetic leaf tasks in a three-level tree (``synthetic_wbs``: owners and posts from the team,
finish-to-start links mostly, some SS / FF and lags, milestones of zero duration, a completion
milestone on the last day; every planned date inside the window and no link broken). The weekly
reports stay as they are (they do not report the synthetic tasks: those documents are drafts).
Each N runs in a fresh process, which prints its seconds and peak resident memory (its own ``VmHWM``):

- data path (``--mode data``): ``build.load_facts``, then for every registered document type its
  series rules and ``rules.run_data_rules`` of each document, and each week's WEEK context;
- schedule documents (``--mode build``): the WBS, GNT and PRG documents in all their formats
  through ``build.Renderer.render`` (data rules, rendering, rendered checks), with the growth from
  the smallest to the largest N against n·log n (200 → 2,000: 14.3×).

``make bench`` runs both (N = 200, 500, 2000). A WBS over the limit (``wbs.max_leaves``, 5,000 by
default) is refused: the table says how fast, and with which message; ``--max-leaves`` raises it.

    .venv/bin/python -m bench.scale                                  # both modes, N = 200, 500, 2000
    .venv/bin/python -m bench.scale --mode data -n 20000 --no-links  # refused by wbs.max_leaves
    .venv/bin/python -m bench.scale --mode data -n 20000 --no-links --max-leaves 30000
    .venv/bin/python -m bench.scale --profile 2000 [--mode build]    # cProfile: cumulative, then own time

Options: ``-n N`` (repeatable), ``--mode data|build|both``, ``--year YYYY`` (dates moved to end in
that year, e.g. 9999, which no holiday table covers), ``--limit-mb MB`` (address-space limit of
each child), ``--no-links`` (no predecessors nor posts: 20,000 leaves stay under the loader's 2 MB
file limit, which a full 20,000-leaf file exceeds), ``--max-leaves N``, ``--json`` (one JSON object
per line instead of the tables), ``--profile N``.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
DEFAULT_SIZES = (200, 500, 2000)

#: (owner, post) pairs of the example's team that own synthetic tasks.
OWNERS = (("刘洋", "交付负责人"), ("赵敏", "实施工程师"), ("孙磊", "开发工程师"), ("陈刚", "技术负责人"))
#: Level-2 parents (modules) per level-1 parent (work package).
PER_TOP = 20
#: The project window of the copy: 18 months from the example's start; the synthetic tasks lie
#: between ``WINDOW_START`` and ``WINDOW_END`` (the copy's ``project.end``).
WINDOW_START, WINDOW_END = (2026, 1, 12), (2027, 6, 30)


def _workdays() -> list:
    """The working days of the synthetic tasks' window (Chinese calendar; Monday to Friday where
    the tables stop)."""
    import datetime as dt

    from salespm_docs.figures.calendar import WorkCalendar

    cal, day, end, out = WorkCalendar(), dt.date(*WINDOW_START), dt.date(*WINDOW_END), []
    while day <= end:
        if cal.is_workday(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _module_sizes(n: int) -> list[int]:
    """Leaves per module: 8 to 16 (a milestone closes every third module), summing to ``n``."""
    sizes, k, total = [], 0, 0
    while total < n:
        sizes.append(min(8 + (k * 7) % 9, n - total))
        total += sizes[-1]
        k += 1
    return sizes


def synthetic_wbs(n: int, first_top: int = 6, links: bool = True) -> str:
    """YAML list items (no ``wbs:`` key) of ``n`` leaves in a three-level tree, top codes from ``first_top``.

    Each module (level 2) is a chain of 8–16 leaves of 1–8 working days: mostly finish-to-start
    links (some with a lag of one day, ``FS+1``), some start-to-start (``SS+2``) and
    finish-to-finish (``FF-1``) ones; every third module ends with a milestone (zero duration,
    effort 0) on the working day after its last task; the first task of most modules follows a
    task of the module before it (finish-to-start); the last leaf is the completion milestone on
    the window's last working day, after the task that ends last (so the computed finish is the
    project's end). The modules are spread over the 18 months; every planned date is a working day
    inside the window and satisfies every link (the planned dates are a feasible schedule). One
    line per leaf (flow style) keeps the file small; ``links=False`` leaves out the predecessors
    and the leaves' posts (a leaner file)."""
    days = _workdays()
    last = len(days) - 1
    lines: list[str] = []
    k = 0  # leaves written
    previous: list[tuple[str, int]] = []  # (code, last day index) of the module before, same top
    sizes = _module_sizes(n)
    latest: tuple[str, int] = ("", -1)  # the task that ends last: the final milestone follows it
    for m, size in enumerate(sizes):
        t, mid = divmod(m, PER_TOP)
        owner, post = OWNERS[m % len(OWNERS)]
        top_code, mid_code = f"{first_top + t}", f"{first_top + t}.{mid + 1}"
        if mid == 0:
            previous = []
            lines += [f'  - {{code: "{top_code}",name: 扩展工作包{t + 1},owner: {owner},post: {post}}}']
        lines += [f'  - {{code: "{mid_code}",name: 扩展模块{t + 1}-{mid + 1},owner: {owner},post: {post}}}']
        final = m == len(sizes) - 1 and size > 1  # the plan's completion milestone closes the last module
        milestone = m % 3 == 2 and size > 1 + final
        tasks = size - milestone - final
        durations = [1 + (m * 5 + j * 3) % 8 for j in range(tasks)]
        span = sum(durations) + tasks + 2
        begin = (m * 37) % max(1, last - span)
        entry = None  # a task of the module before that ends before this module starts
        if mid and m % 4 != 0:
            entry = next(((c, e) for c, e in reversed(previous) if e < begin), None)
        done: list[tuple[str, int]] = []
        s = e = begin - 1
        for j in range(tasks):
            code, d = f"{mid_code}.{j + 1}", durations[j]
            pred, kind = done[-1] if done else None, (m + j) % 10
            if pred is None:
                preds = [entry[0]] if entry else []
                s = begin
            elif kind == 3:  # start-to-start, two days after the predecessor's start
                preds, s = [f"{pred[0]} SS+2"], min(ps + 2, last)
            elif kind == 6 and d >= 2:  # finish-to-finish, one day before the predecessor's end
                s = max(ps + 1, pe - 1 - (d - 1))
                preds = [f"{pred[0]} FF-1"]
            elif kind == 8:  # finish-to-start with a lag of one working day
                preds, s = [f"{pred[0]} FS+1"], pe + 2
            else:  # finish-to-start
                preds, s = [pred[0]], pe + 1
            s = min(s, last)
            e = min(s + d - 1, last)
            if kind == 6 and d >= 2 and pred is not None:
                e = max(e, pe - 1)
            ps, pe = s, e
            done.append((code, e))
            latest = max(latest, (code, e), key=lambda c: c[1])
            owner_j, post_j = OWNERS[(m + j) % len(OWNERS)]
            extra = f",post: {post_j},predecessors: [{', '.join(preds)}]" if links else ""
            if not preds:
                extra = extra.replace(",predecessors: []", "")
            lines.append(f"  - {{code: {code},name: T{k + 1},owner: {owner_j},effort: {d * (1 + j % 2)},"
                         f"start: {days[s].isoformat()},end: {days[e].isoformat()}{extra}}}")
            k += 1
        if milestone:
            at = min(max(e for _, e in done) + 1, last)
            lines.append(f"  - {{code: {mid_code}.{tasks + 1},name: 模块{t + 1}-{mid + 1}完成,owner: {owner},"
                         f"effort: 0,milestone: true,start: {days[at].isoformat()},end: {days[at].isoformat()}"
                         + (f",post: {post},predecessors: [{done[-1][0]}]" if links else "") + "}")
            k += 1
        if final:  # on the window's last working day, after the task that ends last: the computed finish
            code = f"{mid_code}.{tasks + milestone + 1}"
            lines.append(f"  - {{code: {code},name: 计划完成,owner: {owner},effort: 0,milestone: true,"
                         f"start: {days[last].isoformat()},end: {days[last].isoformat()}"
                         + (f",post: {post},predecessors: [{latest[0]}]" if links else "") + "}")
            k += 1
        previous = done
    assert k == n, (k, n)
    return "\n".join(lines) + "\n"


def make_project(base: Path, n: int, year: int | None = None, links: bool = True,
                 max_leaves: int | None = None) -> Path:
    """A workspace root under ``base`` holding the example with ``n`` synthetic leaves over 18 months
    (its ``project.end`` moved to ``WINDOW_END``), and its dates moved to end in ``year``.

    ``links=False`` leaves the predecessors out: a lean file (about 85 bytes a leaf), so that
    20,000 leaves stay under the loader's 2 MB file limit. ``max_leaves`` raises the WBS limit
    (``wbs.max_leaves``, 5,000 by default) in the root's ``salespm.yaml``."""
    root = base / "ws"
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "projects").mkdir(parents=True)
    folder = root / "projects" / EXAMPLE
    shutil.copytree(ROOT / "projects" / EXAMPLE, folder)
    wbs = folder / "wbs.yaml"
    text = wbs.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    wbs.write_text(text + synthetic_wbs(n, links=links), encoding="utf-8")
    project = folder / "project.yaml"
    head, found, tail = project.read_text(encoding="utf-8").partition("\n  end: ")
    assert found, "project.yaml: no project.end"
    end = dt.date(*WINDOW_END).isoformat()
    project.write_text(f"{head}{found}{end}{tail[len(end):]}", encoding="utf-8")
    if year is not None:
        shift_year(folder, year)
    if max_leaves is not None:
        (root / "salespm.yaml").write_text(f"wbs:\n  max_leaves: {max_leaves}\n", encoding="utf-8")
    return root


def shift_year(folder: Path, year: int) -> None:
    """Move the project's dates and week labels by whole years so that they end in ``year``: 2027
    (the synthetic tasks' last year) becomes ``year``, 2026 ``year`` − 1, 2025 ``year`` − 2."""
    offset = year - WINDOW_END[0]

    def shift(text: str) -> str:
        return re.sub(r"\b(202[567])-(?=\d\d-\d\d|W\d\d)", lambda m: f"{int(m[1]) + offset}-", text)

    for path in sorted(folder.rglob("*.yaml")):
        path.write_text(shift(path.read_text(encoding="utf-8")), encoding="utf-8")
        if path.stem[:4] in ("2025", "2026", "2027") and path.stem[4:6] == "-W":
            path.rename(path.with_name(f"{int(path.stem[:4]) + offset}{path.stem[4:]}{path.suffix}"))


def data_path(root: Path, codes: tuple[str, ...] | None = None) -> dict:
    """Run a build's data path once on ``root``: ``build.load_facts``, then for every registered
    document type whose data is present (or those of ``codes``) its series rules and, for each of
    its documents, ``rules.run_data_rules``; for WEEK also each week's context. Returns counts and
    seconds: ``load``, ``weeks`` (the WEEK documents), ``rules`` (the other types), and per type in
    ``by_code`` (a type whose code fails is recorded in ``errors`` and left out)."""
    from salespm_docs.artifacts.registry import buildable
    from salespm_docs.build import Workspace, load_facts, run_series_rules
    from salespm_docs.rules import run_data_rules

    artifacts = [a for a in buildable() if codes is None or a.code in codes]
    t0 = time.perf_counter()
    facts = load_facts(Workspace(root), EXAMPLE)
    t1 = time.perf_counter()
    findings, instances, by_code, errors = 0, 0, {}, {}
    for artifact in artifacts:
        if not artifact.present(facts.project):
            continue
        started = time.perf_counter()
        try:
            findings += len(run_series_rules(facts, artifact))
            keys = artifact.instances(facts.project)
            for key in keys:
                findings += len(run_data_rules(facts, artifact, key, f"{artifact.code} {key}" if key else artifact.code))
                if artifact.code == "WEEK":
                    artifact.context(facts, key)
        except Exception as exc:  # noqa: BLE001 - a document type still being written: measure the others
            errors[artifact.code] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        instances += len(keys) if artifact.code == "WEEK" else 0
        by_code[artifact.code] = round(time.perf_counter() - started, 3)
    t2 = time.perf_counter()
    weeks = by_code.get("WEEK", 0.0)
    return {"load": t1 - t0, "weeks": weeks, "rules": t2 - t1 - weeks, "seconds": t2 - t0,
            "instances": instances, "findings": findings, "leaves": len(facts.project.wbs),
            "by_code": by_code, "errors": errors}


#: The schedule documents the build mode (``--build``) renders.
SCHEDULE_CODES = ("WBS", "GNT", "PRG")


def build_documents(root: Path, codes: tuple[str, ...] = SCHEDULE_CODES) -> dict:
    """Load the data, then render every document of ``codes`` in all its formats (data rules,
    rendering, rendered checks: ``build.Renderer.render``) into a scratch folder; seconds of each."""
    from salespm_docs.build import Renderer, Workspace, load_facts, plan

    missing = [c for c in codes for fmt, ext in (("docx", "docx"), ("html", "html"))
               if not (root / "templates" / fmt / f"{c}.{ext}").is_file()]
    if missing:  # templates not generated yet in the repository: generate them in the scratch root
        from salespm_docs.layout.generate import write_templates

        write_templates(root / "templates", sorted(set(missing)))
    t0 = time.perf_counter()
    ws = Workspace(root)
    facts = load_facts(ws, EXAMPLE)
    t1 = time.perf_counter()
    instances = [i for i in plan(facts)[0] if i.artifact.code in codes]
    renderer = Renderer(ws)
    folder = root / "scratch"
    folder.mkdir()
    documents, files, drafts = {}, 0, []
    for instance in instances:
        started = time.perf_counter()
        result = renderer.render(facts, instance, folder)
        documents[instance.label] = round(time.perf_counter() - started, 2)
        files += len(result.files)
        errors = [f for f in result.findings if f.severity == "E"]
        if errors:
            drafts.append(f"{instance.label}: {len(errors)} E, {errors[0]}"[:300])
    t2 = time.perf_counter()
    return {"load": t1 - t0, "render": t2 - t1, "seconds": t2 - t0, "documents": documents, "files": files,
            "bytes": sum(p.stat().st_size for p in folder.iterdir()), "leaves": len(facts.project.wbs),
            "missing": [c for c in codes if not any(i.artifact.code == c for i in instances)],
            "with_errors": drafts}


def peak_mb() -> float:
    """This process's own peak (``VmHWM``). Not ``ru_maxrss``: started by a large process (a pytest
    worker that has built the examples), it kept that process's peak and said 1,129 MB."""
    from salespm_docs.workers import peak_rss_mb

    return peak_rss_mb()


def limit_memory(mb: int) -> None:
    import resource

    limit = mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def one(n: int, year: int | None, limit_mb: int | None, mode: str = "data", links: bool = True,
        max_leaves: int | None = None) -> dict:
    """In this process: generate, run (``data``: the data path; ``build``: the schedule documents),
    measure (``--one``). A project the loader or the WBS limit refuses gives ``refused`` (the
    message) and the seconds it took to say so."""
    from salespm_docs.errors import DataError

    if limit_mb:
        limit_memory(limit_mb)
    with tempfile.TemporaryDirectory(prefix="salespm-scale-") as tmp:
        root = make_project(Path(tmp), n, year, links, max_leaves)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            result = data_path(root) if mode == "data" else build_documents(root)
        except DataError as exc:
            result = {"refused": str(exc), "seconds": time.perf_counter() - started}
        # CPU seconds of the run (this process is single-threaded): steadier than the wall clock
        # on a busy machine, and the same when it is idle
        result["cpu"] = round(time.process_time() - cpu, 2)
    return {"n": n, "year": year, "mode": mode, **result, "peak_mb": round(peak_mb(), 1)}


def measure(n: int, year: int | None = None, limit_mb: int | None = None, timeout: float | None = None,
            mode: str = "data", links: bool = True, max_leaves: int | None = None) -> dict:
    """Run ``one`` in a fresh process (so the peak memory is that N's alone)."""
    cmd = [sys.executable, "-m", "bench.scale", "--one", str(n), "--mode", mode]
    if max_leaves is not None:
        cmd += ["--max-leaves", str(max_leaves)]
    if year is not None:
        cmd += ["--year", str(year)]
    if limit_mb:
        cmd += ["--limit-mb", str(limit_mb)]
    if not links:
        cmd += ["--no-links"]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"N={n}: exit {done.returncode}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(n: int, year: int | None, top: int = 40, mode: str = "data", links: bool = True,
            max_leaves: int | None = None) -> None:
    import cProfile
    import pstats

    with tempfile.TemporaryDirectory(prefix="salespm-scale-") as tmp:
        root = make_project(Path(tmp), n, year, links, max_leaves)
        prof = cProfile.Profile()
        result = prof.runcall(data_path if mode == "data" else build_documents, root)
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top // 2)
    print(json.dumps(result, ensure_ascii=False))


#: n·log n growth from 200 to 2,000 leaves: 2000·log 2000 / (200·log 200) ≈ 14.3.
def nlogn_ratio(small: int, large: int) -> float:
    import math

    return large * math.log(large) / (small * math.log(small))


def _one_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines()]
    return " ".join(lines[1:] or lines)[:400]


def _data_table(sizes: list[int], args) -> None:
    if not args.json:
        print("数据路径（load_facts、各文档的数据规则、WEEK 上下文；每个 N 一个新进程）")
        print(f"{'N':>7} {'year':>5} {'weeks':>5} {'load s':>8} {'weeks s':>8} {'rules s':>8} {'total s':>8} "
              f"{'CPU s':>8} {'peak MB':>8}")
    for n in sizes:
        r = measure(n, args.year, args.limit_mb, links=not args.no_links, max_leaves=args.max_leaves)
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
            continue
        if "refused" in r:
            print(f"{n:>7} 拒绝（{r['seconds']:.2f} s，peak {r['peak_mb']:.0f} MB）：{_one_line(r['refused'])}", flush=True)
            continue
        print(f"{n:>7} {r['year'] or '':>5} {r['instances']:>5} {r['load']:>8.2f} {r['weeks']:>8.2f} "
              f"{r['rules']:>8.2f} {r['seconds']:>8.2f} {r['cpu']:>8.2f} {r['peak_mb']:>8.1f}", flush=True)
        if r["errors"]:
            print(f"{'':>7} 未计入（出错）：" + "；".join(f"{c}: {e}" for c, e in r["errors"].items()), flush=True)


def _build_table(sizes: list[int], args) -> None:
    if not args.json:
        print(f"进度文档（{'、'.join(SCHEDULE_CODES)}，全部格式：数据规则、渲染、渲染后检查；每个 N 一个新进程）")
        print(f"{'N':>7} {'docs':>5} {'files':>5} {'load s':>8} {'render s':>9} {'total s':>8} {'CPU s':>8} {'peak MB':>8}"
              "  per document")
    results = {}
    for n in sizes:
        try:
            r = measure(n, args.year, args.limit_mb, mode="build", links=not args.no_links,
                        max_leaves=args.max_leaves)
        except RuntimeError as exc:
            print(f"{n:>7} 失败：{str(exc).strip().splitlines()[-1][:300]}", flush=True)
            continue
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
            continue
        if "refused" in r:
            print(f"{n:>7} 拒绝（{r['seconds']:.2f} s，peak {r['peak_mb']:.0f} MB）：{_one_line(r['refused'])}", flush=True)
            continue
        results[n] = r
        per = " ".join(f"{k} {v:.1f}s" for k, v in r["documents"].items())
        print(f"{n:>7} {len(r['documents']):>5} {r['files']:>5} {r['load']:>8.2f} {r['render']:>9.2f} "
              f"{r['seconds']:>8.2f} {r['cpu']:>8.2f} {r['peak_mb']:>8.1f}  {per}", flush=True)
        if r["missing"]:
            print(f"{'':>7} 未注册或无数据：{'、'.join(r['missing'])}", flush=True)
        for line in r["with_errors"]:
            print(f"{'':>7} 有 E 级问题（草稿）：{line}", flush=True)
    if not args.json and len(results) >= 2:
        small, large = min(results), max(results)
        bound = nlogn_ratio(small, large)
        for label, key in (("时间", "seconds"), ("CPU", "cpu")):
            got = results[large][key] / results[small][key]
            verdict = "不劣于" if got <= bound else "劣于"
            print(f"{label}增长 {small}→{large}：{got:.1f} 倍；n·log n 为 {bound:.1f} 倍，线性为 {large / small:.1f} 倍"
                  f"（{verdict} n·log n）", flush=True)
        memory = results[large]["peak_mb"] / results[small]["peak_mb"]
        print(f"峰值内存 {small}→{large}：{memory:.1f} 倍", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, action="append", help="WBS leaves to add (repeatable)")
    parser.add_argument("--year", type=int, help="move the project's dates to end in this year (e.g. 9999)")
    parser.add_argument("--limit-mb", type=int, help="address-space limit of each run, in MB")
    parser.add_argument("--json", action="store_true", help="one JSON object per N")
    parser.add_argument("--mode", choices=("data", "build", "both"), default="both",
                        help="data: the data path; build: the WBS/GNT/PRG documents; both (default)")
    parser.add_argument("--no-links", action="store_true", help="leave out the predecessors (a leaner wbs.yaml)")
    parser.add_argument("--max-leaves", type=int, help="raise the WBS limit (wbs.max_leaves) in the copy's salespm.yaml")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one run of N leaves (--mode data or build)")
    args = parser.parse_args(argv)
    if args.one is not None:
        mode = "data" if args.mode == "both" else args.mode
        print(json.dumps(one(args.one, args.year, args.limit_mb, mode, not args.no_links, args.max_leaves),
                         ensure_ascii=False))
        return 0
    if args.profile is not None:
        profile(args.profile, args.year, mode="build" if args.mode == "build" else "data", links=not args.no_links,
                max_leaves=args.max_leaves)
        return 0
    sizes = args.n or list(DEFAULT_SIZES)
    if args.mode in ("data", "both"):
        _data_table(sizes, args)
    if args.mode in ("build", "both"):
        _build_table(sizes, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
