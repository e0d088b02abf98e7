"""Benchmark of ``salespm archive`` (``make bench``): the example archived to a local WsgiDAV server.

In a fresh workspace the example is built first (not counted), then archived three ways, each step
timed (wall seconds): a cold archive (every approved document converted to PDF/A-3b, the 归档清单,
the BagIt bag, the upload with verification), a re-run (nothing new: every file found verified),
and the same project archived to a second, empty folder on the server (the conversions kept from
the first run: the bag and the upload only). The bag's size in MB and file count are reported.
Results → bench/results/<stamp>-archive.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "huaxing-crm"


def _server(root: Path):
    """WsgiDAV (cheroot) on a free loopback port, Basic auth u/p, properties in memory."""
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    root.mkdir(parents=True)
    app = WsgiDAVApp({
        "provider_mapping": {"/dav": str(root)},
        "simple_dc": {"user_mapping": {"*": {"u": {"password": "p"}}}},
        "http_authenticator": {"domain_controller": None, "accept_basic": True, "accept_digest": False,
                               "default_to_digest": False},
        "property_manager": True, "lock_storage": True, "verbose": 0,
        "logging": {"enable": False}, "dir_browser": {"enable": False},
    })
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.prepare()
    threading.Thread(target=server.serve, daemon=True).start()
    return server, f"http://127.0.0.1:{server.bind_addr[1]}/dav/"


def _configure(root: Path, url: str, folder: str) -> None:
    import yaml

    (root / "salespm.yaml").write_text(yaml.safe_dump({"archive": {"targets": {
        "dms": {"type": "webdav", "url": url + folder + "/", "username": "u"}}}}, allow_unicode=True),
        encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("SALESPM_DAV_PASSWORD", "p")
    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    from salespm_docs.archive.run import archive
    from salespm_docs.archive.targets import WebDavTarget
    from salespm_docs.build import build

    figures: dict = {"date": dt.datetime.now().isoformat(timespec="seconds"), "jobs": args.jobs, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = base / "ws"
        root.mkdir()
        shutil.copytree(ROOT / "templates", root / "templates")
        (root / "projects").mkdir()
        shutil.copytree(ROOT / "projects" / EXAMPLE, root / "projects" / EXAMPLE)
        build(root, EXAMPLE, jobs=args.jobs)
        server, url = _server(base / "dav")
        try:
            for name, folder in (("cold", "一号库"), ("rerun", "一号库"), ("second target, conversions kept", "二号库")):
                WebDavTarget(url, "u", "p").ensure_folder(folder)
                _configure(root, url, folder)
                started, cpu = time.perf_counter(), time.process_time()
                result = archive(root, EXAMPLE, target_name="dms", jobs=args.jobs)
                wall = time.perf_counter() - started
                figures["runs"][name] = {
                    "wall_s": round(wall, 2), "parent_cpu_s": round(time.process_time() - cpu, 2),
                    "steps_s": {k: round(v, 2) for k, v in result.seconds.items()},
                    "added": len(result.added), "uploaded": len(result.uploaded), "skipped": len(result.skipped),
                    "bag_mb": round(result.bag_bytes / 1e6, 2),
                    "bag_files": sum(1 for p in result.bag.rglob("*") if p.is_file()),
                }
                print(f"{name}: {wall:.1f} s wall, steps {figures['runs'][name]['steps_s']}, "
                      f"{len(result.added)} 件新增, {len(result.uploaded)} 个文件上传, bag "
                      f"{figures['runs'][name]['bag_mb']} MB", file=sys.stderr)
        finally:
            server.stop()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}-archive.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    lines = [f"# salespm archive benchmark {figures['date']} (-j {args.jobs})", "",
             "| run | wall s | build s | PDF/A s | 归档清单 s | bag s | upload s | 新增 | 上传 | bag MB | files |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in figures["runs"].items():
        s = r["steps_s"]
        lines.append(f"| {name} | {r['wall_s']} | {s.get('build', 0)} | {s.get('pdfa', 0)} | {s.get('arc', 0)} | "
                     f"{s.get('bag', 0)} | {s.get('upload', 0)} | {r['added']} | {r['uploaded']} | {r['bag_mb']} | "
                     f"{r['bag_files']} |")
    (out / f"{stamp}-archive.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
