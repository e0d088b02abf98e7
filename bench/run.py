"""Benchmark harness (``make bench``): measured figures → bench/results/<stamp>.json and .md.

Everything runs in one invocation so that ratios hold on a noisy machine:

- our PDF and DOCX renderers (warm, in process) and the baselines on the very same documents: the
  ``weasyprint`` command once per document on the same HTML and fonts; LibreOffice headless
  converting the same DOCX, started once per document, and warm: one process converting every
  DOCX of the example (what a company keeping LibreOffice running pays per document);
- the whole pipeline per document (data rules, DOCX, PDF, every rendered check) in CPU seconds,
  from a warm serial build of the example, with the share spent reading each PDF back;
- cold builds of the example in a new process with -j 1 and -j 2 (CPU seconds, wall seconds,
  peak memory of each worker, and whether the files are byte-identical), a no-op rebuild and an
  edit of one weekly file;
- a batch of generated projects at -j 1 and -j 2 with the peak memory of each worker.

Options: ``--repeat N`` (default 5), ``--projects N`` (default 20), ``--skip-libreoffice``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "huaxing-crm"
PY = sys.executable


def stats(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


def workspace(base: Path) -> Path:
    root = base / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "projects").mkdir()
    shutil.copytree(ROOT / "projects" / EXAMPLE, root / "projects" / EXAMPLE)
    return root


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                   if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import docxtpl
    import weasyprint
    from weasyprint.text.ffi import pango

    versions = {"python": platform.python_version(), "weasyprint": weasyprint.__version__,
                "docxtpl": docxtpl.__version__, "pango": pango.pango_version()}
    try:
        from weasyprint.text.ffi import harfbuzz_subset
        versions["harfbuzz_subset"] = "yes" if harfbuzz_subset else "no (fontTools)"
    except ImportError:
        versions["harfbuzz_subset"] = "no (fontTools)"
    lo = shutil.which("soffice") or shutil.which("libreoffice")
    if lo:
        versions["libreoffice"] = subprocess.run([lo, "--version"], capture_output=True, text=True).stdout.strip()
    return {"platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
            "date": dt.datetime.now().isoformat(timespec="seconds"), "versions": versions}


def sample_instances(facts):
    """One instance of every buildable artifact (the middle week for per-week documents)."""
    from salespm_docs.build import plan

    instances, _ = plan(facts)
    chosen = {}
    for inst in instances:
        if not inst.artifact.laid_out:  # the weekly mail is an .eml: no page to lay out
            continue
        chosen.setdefault(inst.artifact.code, []).append(inst)
    return [group[len(group) // 2] for group in chosen.values()]


def ours(root: Path, repeat: int, out: Path) -> tuple[dict, dict, dict, dict]:
    """PDF and DOCX per document with our warm renderer; also writes each document's HTML/DOCX."""
    from pypdf import PdfReader

    from salespm_docs.build import Renderer, Workspace, load_facts
    from salespm_docs.context import build_context
    from salespm_docs.render.docx import render_docx

    ws = Workspace(root)
    facts = load_facts(ws, EXAMPLE)
    renderer = Renderer(ws)
    pdf, docx, pages, html_files = {}, {}, {}, {}
    stamp = dt.datetime(2026, 1, 1)
    for inst in sample_instances(facts):
        code = inst.artifact.code
        context = build_context(facts, inst.artifact, inst.key, False)
        html = renderer.pdf.html(f"{code}.html", context)
        html_path = root / "templates" / "html" / f"_bench_{code}.html"
        html_path.write_text(html, encoding="utf-8")
        html_files[code] = html_path
        renderer.pdf.write(html, out / f"{code}.pdf")  # warm-up: fonts, caches
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            renderer.pdf.write(renderer.pdf.html(f"{code}.html", context), out / f"{code}.pdf")
            times.append(time.perf_counter() - t)
        pdf[code] = times
        pages[code] = len(PdfReader(str(out / f"{code}.pdf")).pages)
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            render_docx(root / "templates" / "docx" / f"{code}.docx", context, renderer.docx_env,
                        out / f"{code}.docx", {}, stamp)
            times.append(time.perf_counter() - t)
        docx[code] = times
    return pdf, docx, pages, html_files


def weasyprint_cli(html_files: dict, repeat: int, out: Path) -> dict:
    """Baseline: the ``weasyprint`` command, once per document, same HTML, same fonts."""
    exe = str(Path(PY).with_name("weasyprint"))
    result = {}
    for code, html in html_files.items():
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([exe, str(html), str(out / f"{code}-cli.pdf")], check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        result[code] = times
    return result


def ensure_libreoffice() -> str | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    print("安装 LibreOffice（仅基准测试需要）…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libreoffice-writer-nogui"],
                   check=False, env=env, capture_output=True)
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice(exe: str, docx_dir: Path, codes: list[str], repeat: int, base: Path) -> dict:
    """Baseline: LibreOffice headless converting the same DOCX to PDF, one process per document."""
    profile = base / "lo-profile"
    args = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(base / "lo-out")]
    subprocess.run(args + [str(docx_dir / f"{codes[0]}.docx")], capture_output=True, timeout=300)  # profile
    result = {}
    for code in codes:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(args + [str(docx_dir / f"{code}.docx")], capture_output=True, check=True, timeout=300)
            times.append(time.perf_counter() - t)
        result[code] = times
    return result


def libreoffice_warm(exe: str, docx: list[Path], base: Path, repeat: int) -> dict:
    """Baseline: one LibreOffice process converting every DOCX of the example (warm, like a pool).

    Measured as the child's CPU seconds (``RUSAGE_CHILDREN``) and wall seconds, over ``repeat``
    runs after a first one that creates the profile; per document = total / number of documents.
    """
    profile = base / "lo-warm-profile"
    args = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(base / "lo-warm-out")]
    subprocess.run(args + [str(docx[0])], capture_output=True, timeout=600)  # the profile
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(args + [str(p) for p in docx], capture_output=True, check=True, timeout=1800)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    n = len(docx)
    converted = len(list((base / "lo-warm-out").glob("*.pdf")))
    assert converted == n, f"LibreOffice converted {converted} of {n} documents"
    return {"documents": n, "wall_seconds": stats(walls), "cpu_seconds": stats(cpus),
            "cpu_per_document": min(cpus) / n, "wall_per_document": min(walls) / n}


def example_docx(root: Path, base: Path) -> list[Path]:
    """Every DOCX of the example, from a build in a new process (copied out of output/)."""
    run_build(root, "force", jobs=2)
    folder = base / "example-docx"
    folder.mkdir(exist_ok=True)
    found = []
    for path in sorted((root / "output" / EXAMPLE).glob("*.docx")):
        shutil.copy2(path, folder / path.name)
        found.append(folder / path.name)
    return found


def pipeline(root: Path, builds: int = 3) -> dict:
    """The whole pipeline per document, from warm serial builds of the example in this process.

    A first build warms the renderer (fonts, templates); ``builds`` more, forced, are measured:
    each document's CPU seconds (data rules, DOCX, PDF and every rendered check:
    ``seconds['cpu']``), its pages, its PDF render time, and the time to read that PDF back for the
    checks (PDFium: text of every page and the outline) measured three times on the written file.
    Each figure is the document's minimum over the builds, as for warm LibreOffice (the least
    disturbed of its runs): on this machine the same document's CPU time varies by up to 40%
    from one minute to the next. The median over the builds is kept beside it.
    """
    from salespm_docs.build import Renderer, Workspace, build
    from salespm_docs.extract import pdf_read

    renderer = Renderer(Workspace(root))
    build(root, EXAMPLE, force=True, renderer=renderer, jobs=1)
    runs: dict[str, list[dict]] = {}
    for _ in range(builds):
        result = build(root, EXAMPLE, force=True, renderer=renderer, jobs=1)
        for d in result.documents:
            pdf = next((f.path for f in d.files if f.format == "pdf"), None)
            if pdf is None:  # the weekly mail (.eml): measured in the cold builds, not per page
                continue
            reads = []
            for _ in range(3):
                t = time.perf_counter()
                pages, _headings = pdf_read(pdf)
                reads.append(time.perf_counter() - t)
            runs.setdefault(d.instance.label, []).append(
                {"cpu": d.seconds["cpu"], "pages": len(pages), "pdf": d.seconds["pdf"], "docx": d.seconds["docx"],
                 "read_back": min(reads)})
    docs = {}
    for label, measured in runs.items():
        best = {key: min(m[key] for m in measured) for key in ("cpu", "pdf", "docx", "read_back")}
        docs[label] = {**best, "pages": measured[0]["pages"], "read_back_share": best["read_back"] / best["pdf"],
                       "cpu_runs": [m["cpu"] for m in measured]}
    cpu = [x["cpu"] for x in docs.values()]
    typical = [x["cpu"] for x in docs.values() if 2 <= x["pages"] <= 4]
    shares = [x["read_back_share"] for x in docs.values()]
    of_runs = [statistics.median(x["cpu_runs"]) for x in docs.values()]
    return {"documents": docs, "builds": builds, "cpu_median": statistics.median(cpu),
            "cpu_typical_median": statistics.median(typical) if typical else None,
            "cpu_median_of_run_medians": statistics.median(of_runs),
            "typical_documents": len(typical),
            "read_back_share_median": statistics.median(shares), "read_back_share_max": max(shares)}


BUILD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from salespm_docs.build import build
r = build(Path(sys.argv[1]), sys.argv[2], force=sys.argv[3] == "force", jobs=int(sys.argv[4]))
print(json.dumps({"total": time.perf_counter() - t0, "build": r.seconds, "rebuilt": len(r.rebuilt),
                  "documents": len(r.documents), "peak_rss_mb": r.peak_rss_mb,
                  "worker_rss_mb": [d.peak_rss_mb for d in r.documents if not d.reused],
                  "per_document": {d.instance.label: d.seconds for d in r.documents if not d.reused}}))
"""


def run_build(root: Path, mode: str = "", jobs: int = 1) -> tuple[float, dict]:
    """One build in a new process: (wall seconds, its report), with its CPU seconds (``cpu``, the
    process and every worker it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([PY, "-c", BUILD_SCRIPT, str(root), EXAMPLE, mode, str(jobs)], capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    info = json.loads(done.stdout.strip().splitlines()[-1])
    info["cpu"] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, info


def digests(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def cold_and_incremental(root: Path, repeat: int) -> dict:
    """Cold builds at -j 1 and -j 2 (alternating, so that both see the same machine), then no-op
    and one-edit rebuilds (at -j 2, the default on this machine).

    The -j 2 speed-up is the median of each pair's ratio (a -j 1 build and the -j 2 build right
    after it), so that a slow minute of the machine counts against both; the ratio of the medians
    and of the minimums are kept beside it. The one-edit rebuild is timed ``repeat`` times (adding,
    then removing, a line of the same weekly file), median."""
    cold, cold_cpu, details = {1: [], 2: []}, {1: [], 2: []}, None
    files, rss = {}, []
    for _ in range(max(2, repeat)):
        for jobs in (1, 2):
            shutil.rmtree(root / "output", ignore_errors=True)
            wall, info = run_build(root, jobs=jobs)
            cold[jobs].append(wall)
            cold_cpu[jobs].append(info["cpu"])
            files[jobs] = digests(root / "output" / EXAMPLE)
            if jobs == 1:
                details = info
            else:
                rss += info["worker_rss_mb"]
    identical = files[1] == files[2]
    # a no-op as a user runs it: ``salespm build`` (its first run records the inputs' digest)
    command = [str(Path(PY).with_name("salespm")), "--root", str(root), "build", EXAMPLE]
    subprocess.run(command, capture_output=True, check=True)
    noop = []
    for _ in range(repeat):
        t = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        noop.append(time.perf_counter() - t)
        assert "重新生成 0 份文档" in done.stdout, done.stdout[-500:]
    weekly = sorted((root / "projects" / EXAMPLE / "weekly").glob("*.yaml"))
    edited = {}
    if weekly:
        target = weekly[len(weekly) // 2]
        text = target.read_text(encoding="utf-8")
        marker = "done:\n"
        assert marker in text, f"{target} has no done: list"
        walls, rebuilt = [], set()
        for n in range(max(1, repeat)):
            target.write_text(text if n % 2 else text.replace(marker, marker + "  - 基准测试插入的一条完成事项\n", 1),
                              encoding="utf-8")
            wall, info = run_build(root, jobs=2)
            walls.append(wall)
            rebuilt.add((info["rebuilt"], tuple(sorted(info["per_document"]))))
        assert len(rebuilt) == 1, f"the same edit rebuilt different documents: {rebuilt}"
        (count, labels), = rebuilt
        edited = {"file": target.name, "seconds": statistics.median(walls), "seconds_runs": walls, "rebuilt": count,
                  "documents": info["documents"], "rebuilt_documents": list(labels)}
    per_doc = {label: s.get("pdf", 0) + s.get("docx", 0) for label, s in details["per_document"].items()}
    return {"cold_seconds": stats(cold[1]), "cold_seconds_j2": stats(cold[2]),
            "cold_cpu_seconds": stats(cold_cpu[1]), "cold_cpu_seconds_j2": stats(cold_cpu[2]),
            "speedup_j2_over_j1": statistics.median(a / b for a, b in zip(cold[1], cold[2])),
            "speedup_j2_over_j1_of_medians": statistics.median(cold[1]) / statistics.median(cold[2]),
            "speedup_j2_over_j1_of_minimums": min(cold[1]) / min(cold[2]),
            "j2_byte_identical_to_j1": identical, "worker_peak_rss_mb": max(rss) if rss else None,
            "serial_peak_rss_mb": details["peak_rss_mb"],
            "noop_seconds": stats(noop), "documents": details["documents"],
            "cold_per_document_render_seconds": per_doc, "cold_internal": details["build"],
            "edit_one_week": edited}


def batch(base: Path, n: int) -> dict:
    """50 generated projects (the example, renamed, with 4 weeks of reports) at -j 1 and -j 2."""
    root = base / "batch"
    shutil.copytree(ROOT / "templates", root / "templates")
    for i in range(n):
        dest = root / "projects" / f"bench-{i:03d}"
        shutil.copytree(ROOT / "projects" / EXAMPLE, dest)
        weekly = sorted((dest / "weekly").glob("*.yaml")) if (dest / "weekly").is_dir() else []
        for extra in weekly[4:]:
            extra.unlink()
        project = dest / "project.yaml"
        project.write_text(project.read_text(encoding="utf-8").replace(
            "华星精密 CRM 系统部署项目", f"华星精密 CRM 系统部署项目（基准 {i:03d}）", 1), encoding="utf-8")
    from salespm_docs.batch import build_all

    slugs = [f"bench-{i:03d}" for i in range(n)]
    result = {}
    for jobs in (1, 2):
        shutil.rmtree(root / "output", ignore_errors=True)
        t = time.perf_counter()
        outcomes = build_all(root, slugs, jobs=jobs, force=True)
        wall = time.perf_counter() - t
        failures = [o for o in outcomes if o.failure]
        assert not failures, failures[0].failure
        docs = sum(o.documents for o in outcomes)
        result[f"j{jobs}"] = {"seconds": wall, "documents": docs, "docs_per_second": docs / wall,
                              "peak_rss_mb_per_worker": stats([o.peak_rss_mb for o in outcomes])}
    result["speedup_j2_over_j1"] = result["j2"]["docs_per_second"] / result["j1"]["docs_per_second"]
    return result


def summarise(per_doc: dict[str, list[float]]) -> dict:
    out = {code: stats(v) for code, v in per_doc.items()}
    out["all"] = stats([statistics.median(v) for v in per_doc.values()])
    return out


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"# salespm-docs benchmark — {m['date']}", "",
             f"Machine: {m['cpu']} · {m['cores']} cores · {m['platform']}", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()), "",
             "## Per document (seconds: min / median / max)", "",
             "| doc | pages | our PDF | weasyprint CLI | LibreOffice DOCX→PDF | our DOCX | CLI ÷ ours | LO ÷ ours |",
             "|---|---|---|---|---|---|---|---|"]

    def cell(d, code):
        s = d.get(code)
        return f"{s['min']:.3f} / **{s['median']:.3f}** / {s['max']:.3f}" if s else "—"

    def ratio(base, code):
        s = r.get(base, {}).get(code)
        return f"{s['median'] / r['pdf'][code]['median']:.1f}×" if s else "—"

    for code in r["pdf"]:
        if code == "all":
            continue
        lines.append(f"| {code} | {r['pages'][code]} | {cell(r['pdf'], code)} | {cell(r['weasyprint_cli'], code)} | "
                     f"{cell(r.get('libreoffice', {}), code)} | {cell(r['docx'], code)} | "
                     f"{ratio('weasyprint_cli', code)} | {ratio('libreoffice', code)} |")
    lines.append(f"| **median of medians** | | {cell(r['pdf'], 'all')} | {cell(r['weasyprint_cli'], 'all')} | "
                 f"{cell(r.get('libreoffice', {}), 'all')} | {cell(r['docx'], 'all')} | "
                 f"{ratio('weasyprint_cli', 'all')} | {ratio('libreoffice', 'all')} |")
    ratios = r["ratios"]
    pl = r.get("pipeline")
    if pl:
        lines += ["", "## Whole pipeline per document (CPU seconds: data rules, DOCX, PDF, every rendered check)", "",
                  f"Warm serial build of the example, {len(pl['documents'])} documents: median "
                  f"**{pl['cpu_median']:.3f} s**; the {pl['typical_documents']} typical 2–4 page documents: median "
                  f"**{pl['cpu_typical_median']:.3f} s**" if pl["cpu_typical_median"] is not None else
                  f"Warm serial build of the example: median **{pl['cpu_median']:.3f} s** (no 2–4 page document)"]
        if "builds" in pl:
            lines += ["", f"Each document's figure is its minimum over {pl['builds']} measured builds (as warm "
                          f"LibreOffice's is its minimum over its runs); with each document's median over the builds "
                          f"instead, the median over the example is {pl['cpu_median_of_run_medians']:.3f} s."]
        warm = r.get("libreoffice_warm")
        if warm:
            lines += ["", f"LibreOffice kept warm (one process converting the example's {warm['documents']} DOCX): "
                          f"**{warm['cpu_per_document']:.3f} CPU s** per document "
                          f"({warm['wall_per_document']:.3f} s wall); ours ÷ warm LibreOffice = "
                          f"**{pl['cpu_median'] / warm['cpu_per_document']:.2f}** (below 1 = faster than its "
                          f"conversion alone)"]
        lines += ["", f"Reading each PDF back for the checks (PDFium): median **{100 * pl['read_back_share_median']:.1f}%**,"
                      f" at most {100 * pl['read_back_share_max']:.1f}% of the PDF's render time", "",
                  "| document | pages | CPU s (whole) | PDF s | DOCX s | read back s |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['pages']} | {v['cpu']:.3f} | {v['pdf']:.3f} | {v['docx']:.3f} | {v['read_back']:.4f} |"
                  for k, v in pl["documents"].items()]
    lines += ["", "## Ratios (same run)", "",
              f"- our PDF vs weasyprint command: **{ratios['weasyprint_cli_over_ours']:.1f}×** faster",
              f"- our PDF vs LibreOffice: **{ratios.get('libreoffice_over_ours', float('nan')):.1f}×** faster", "",
              "## Whole example project", ""]
    b = r["build"]
    c, n = b["cold_seconds"], b["noop_seconds"]
    c2 = b.get("cold_seconds_j2")
    lines += [f"- cold build ({b['documents']} documents, new process, empty output/), -j 1: "
              f"{c['min']:.2f} / **{c['median']:.2f}** / {c['max']:.2f} s"
              + (f" ({b['cold_cpu_seconds']['median']:.1f} CPU s)" if "cold_cpu_seconds" in b else "")]
    if c2:
        lines += [f"- cold build, -j 2: {c2['min']:.2f} / **{c2['median']:.2f}** / {c2['max']:.2f} s "
                  f"({b['cold_cpu_seconds_j2']['median']:.1f} CPU s): **{b['speedup_j2_over_j1']:.2f}×** faster than -j 1 "
                  + (f"(median of the {c2['n']} pairs' ratios; ratio of the medians "
                     f"{b['speedup_j2_over_j1_of_medians']:.2f}×, of the minimums "
                     f"{b['speedup_j2_over_j1_of_minimums']:.2f}×); " if "speedup_j2_over_j1_of_medians" in b
                     else "(ratio of the medians); ")
                  + 
                  f"files byte-identical to -j 1: **{'yes' if b['j2_byte_identical_to_j1'] else 'NO'}**; "
                  f"peak RSS per worker {b['worker_peak_rss_mb']:.0f} MB (serial build {b['serial_peak_rss_mb']:.0f} MB)"]
    cold_ref = c2 or c
    lines += [f"- no-op rebuild (-j 2): {n['min']:.2f} / **{n['median']:.2f}** / {n['max']:.2f} s "
              f"= **{100 * n['median'] / cold_ref['median']:.1f}%** of cold (-j 2)",
              f"- editing one weekly file ({b['edit_one_week'].get('file', '—')}) rebuilt "
              f"**{b['edit_one_week'].get('rebuilt', '—')}** of {b['documents']} documents "
              f"({', '.join(b['edit_one_week'].get('rebuilt_documents', []))}) in "
              f"{b['edit_one_week'].get('seconds', 0):.2f} s"
              + (f" (median of {', '.join(f'{s:.2f}' for s in b['edit_one_week']['seconds_runs'])} s)"
                 if b['edit_one_week'].get('seconds_runs') else "") + " = "
              f"**{100 * b['edit_one_week'].get('seconds', 0) / cold_ref['median']:.1f}%** of cold", "",
              "Cold render time per document (DOCX + PDF, s):", "",
              "| document | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in b["cold_per_document_render_seconds"].items()]
    bt = r["batch"]
    lines += ["", f"## Batch: {r['options']['projects']} generated projects", "",
              "| jobs | seconds | documents | docs/s | peak RSS per worker (MB, max) |", "|---|---|---|---|---|"]
    for j in ("j1", "j2"):
        x = bt[j]
        lines.append(f"| {j[1:]} | {x['seconds']:.1f} | {x['documents']} | {x['docs_per_second']:.2f} | "
                     f"{x['peak_rss_mb_per_worker']['max']:.0f} |")
    lines += ["", f"Throughput -j 2 / -j 1: **{bt['speedup_j2_over_j1']:.2f}×**", ""]
    lines += ["## Targets (issue 4)", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'✓' if ok else '✗'} |" for name, value, ok in targets(r)]
    if pl and c2:
        lines += ["", "## Targets (issue 12)", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {name} | {value} | {'✓' if ok else '✗'} |" for name, value, ok in targets_12(r)]
    return "\n".join(lines) + "\n"


def targets(r: dict) -> list[tuple[str, str, bool]]:
    """Each target of issue 4 with the measured figure and whether it is met."""
    rows = []
    typical = [code for code, pages in r["pages"].items() if 2 <= pages <= 4]
    for code in typical:
        ours = r["pdf"][code]["median"]
        rows.append((f"{code} ({r['pages'][code]} 页) PDF median ≤ 0.3 s", f"{ours:.3f} s", ours <= 0.3))
        for base, name in (("weasyprint_cli", "weasyprint 命令"), ("libreoffice", "LibreOffice")):
            if code in r.get(base, {}):
                x = r[base][code]["median"] / ours
                rows.append((f"{code} PDF ≥ 3× faster than {name}", f"{x:.1f}×", x >= 3))
    for base, name in (("weasyprint_cli", "weasyprint 命令"), ("libreoffice", "LibreOffice")):
        if base in r:
            x = r[base]["all"]["median"] / r["pdf"]["all"]["median"]
            rows.append((f"all documents (median of medians) ≥ 3× faster than {name}", f"{x:.1f}×", x >= 3))
    docx = r["docx"]["all"]["median"]
    rows.append(("DOCX median ≤ 0.05 s", f"{docx:.3f} s", docx <= 0.05))
    b = r["build"]
    share = b["noop_seconds"]["median"] / b["cold_seconds"]["median"]
    rows.append(("no-op rebuild ≤ 10% of cold", f"{100 * share:.1f}%", share <= 0.10))
    edit = b["edit_one_week"]
    # that week's documents: its report (WEEK) and its client mail (MAIL), nothing else
    week = edit.get("file", "").removesuffix(".yaml")
    own = {f"WEEK {week}", f"MAIL {week}"}
    rebuilt = set(edit.get("rebuilt_documents", []))
    rows.append(("editing one weekly file rebuilds only that week's documents (WEEK, MAIL)",
                 f"{edit.get('rebuilt', '—')} of {b['documents']}", bool(rebuilt) and rebuilt <= own))
    bt = r["batch"]
    rows.append(("batch throughput -j 2 ≥ 1.7× -j 1", f"{bt['speedup_j2_over_j1']:.2f}×",
                 bt["speedup_j2_over_j1"] >= 1.7))
    rss = max(bt[j]["peak_rss_mb_per_worker"]["max"] for j in ("j1", "j2"))
    rows.append(("peak memory per worker ≤ 400 MB", f"{rss:.0f} MB", rss <= 400))
    return rows


def targets_12(r: dict) -> list[tuple[str, str, bool]]:
    """Each measurable target of issue 12 with the figure of this run and whether it is met."""
    pl, b, rows = r["pipeline"], r["build"], []
    typical = pl["cpu_typical_median"]
    if typical is not None:
        rows.append(("whole pipeline, typical 2–4 page document ≤ 0.25 CPU s", f"{typical:.3f} s", typical <= 0.25))
    rows.append(("whole pipeline, median over the example ≤ 0.25 CPU s", f"{pl['cpu_median']:.3f} s",
                 pl["cpu_median"] <= 0.25))
    warm = r.get("libreoffice_warm")
    if warm:
        x = pl["cpu_median"] / warm["cpu_per_document"]
        rows.append(("whole pipeline per document ≤ warm LibreOffice's conversion alone (same run)",
                     f"{x:.2f}×", x <= 1))
    rows.append(("reading the PDF back ≤ 10% of its render time (median / max)",
                 f"{100 * pl['read_back_share_median']:.1f}% / {100 * pl['read_back_share_max']:.1f}%",
                 pl["read_back_share_max"] <= 0.10))
    rows.append(("cold build -j 2 ≥ 1.7× faster than -j 1", f"{b['speedup_j2_over_j1']:.2f}×",
                 b["speedup_j2_over_j1"] >= 1.7))
    rows.append(("-j 2 output byte-identical to -j 1", "yes" if b["j2_byte_identical_to_j1"] else "no",
                 b["j2_byte_identical_to_j1"]))
    cold = b["cold_seconds_j2"]["median"]
    noop = b["noop_seconds"]["median"] / cold
    edit = b["edit_one_week"].get("seconds", 0) / cold
    rows.append(("no-op rebuild < 5% of cold", f"{100 * noop:.1f}%", noop < 0.05))
    rows.append(("one-edit rebuild < 5% of cold", f"{100 * edit:.1f}%", edit < 0.05))
    rss = max(b["worker_peak_rss_mb"] or 0, b["serial_peak_rss_mb"],
              *(r["batch"][j]["peak_rss_mb_per_worker"]["max"] for j in ("j1", "j2")))
    rows.append(("peak RSS per worker ≤ 250 MB", f"{rss:.0f} MB", rss <= 250))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--skip-libreoffice", action="store_true")
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="只根据已有的结果 JSON 重新生成 Markdown 表格，不运行基准")
    args = parser.parse_args()
    if args.report:
        print(markdown(json.loads(args.report.read_text(encoding="utf-8"))))
        return
    with tempfile.TemporaryDirectory(prefix="salespm-bench-") as tmp:
        base = Path(tmp)
        root = workspace(base)
        out = base / "docs"
        out.mkdir()
        print("1/5 我们的 PDF / DOCX 渲染…", flush=True)
        pdf, docx, pages, html_files = ours(root, args.repeat, out)
        print("2/5 基线：weasyprint 命令…", flush=True)
        cli = weasyprint_cli(html_files, max(3, args.repeat // 2 + 1), out)
        result = {"options": vars(args), "pages": pages, "pdf": summarise(pdf), "docx": summarise(docx),
                  "weasyprint_cli": summarise(cli)}
        lo = None if args.skip_libreoffice else ensure_libreoffice()
        if lo:
            print("3/5 基线：LibreOffice（每份文档一个进程；一个常驻进程转换示例的全部 DOCX）…", flush=True)
            result["libreoffice"] = summarise(libreoffice(lo, out, list(pdf), max(3, args.repeat // 2 + 1), base))
            result["libreoffice_warm"] = libreoffice_warm(lo, example_docx(root, base), base, 3)
        else:
            print("3/5 跳过 LibreOffice 基线", flush=True)
        result["machine"] = machine()
        for html in html_files.values():
            html.unlink()
        ours_median = result["pdf"]["all"]["median"]
        result["ratios"] = {"weasyprint_cli_over_ours": result["weasyprint_cli"]["all"]["median"] / ours_median}
        if "libreoffice" in result:
            result["ratios"]["libreoffice_over_ours"] = result["libreoffice"]["all"]["median"] / ours_median
        print("4/5 整个示例项目：每份文档的全流程 CPU 时间；-j 1 / -j 2 冷构建、无变化重建、修改一周…", flush=True)
        result["pipeline"] = pipeline(root)
        shutil.rmtree(root / "output", ignore_errors=True)
        result["build"] = cold_and_incremental(root, args.repeat)
        print(f"5/5 批量：{args.projects} 个项目，-j 1 与 -j 2…", flush=True)
        result["batch"] = batch(base, args.projects)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (results / f"{stamp}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    md = markdown(result)
    (results / f"{stamp}.md").write_text(md, encoding="utf-8")
    (results / "latest.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
